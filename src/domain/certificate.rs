//! 志愿服务记录证明 (民政部令第67号): the certificate number, what a certificate states, and its
//! signature. A certificate of an award 荣誉证书 is the same record of service, over the year the
//! award recognises, stating the award as well.
//!
//! The content is a snapshot taken at issue. Its canonical text — the JSON of [`Content`], fields
//! in declaration order, no whitespace — is what is signed (HMAC-SHA256 under the certificate key)
//! and stored, so that verification recomputes the HMAC over the stored text itself.

use crate::domain::evaluation::Rating;
use crate::domain::hours::hours;
use crate::domain::ledger::EntrySource;
use crate::domain::short_code;
use chrono::NaiveDate;
use hmac::{Hmac, Mac};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::collections::HashMap;
use utoipa::ToSchema;

/// `VC` + four digits of year + eight random characters (40 bits).
const NUMBER_LEN: usize = 2 + 4 + 8;

/// A certificate number: `VC`, the year of issue and eight characters drawn from `random`,
/// e.g. `VC2026K7QW2M4D`.
pub fn number(year: i32, random: [u8; 5]) -> String {
    format!("VC{year:04}{}", short_code::draw(random))
}

/// Whether `s` is shaped like a certificate number (anything else is not looked up).
pub fn is_number(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == NUMBER_LEN
        && b.starts_with(b"VC")
        && b[2..6].iter().all(u8::is_ascii_digit)
        && short_code::is_drawn(&b[6..])
}

/// One ledger entry dated in the period, with the activity it counts for (its own, or that of the
/// entry it corrects).
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub activity_id: Option<i64>,
    pub title: Option<String>,
    pub organiser: Option<String>,
    /// The unit the entry is booked to: the organiser of an entry without activity.
    pub unit_name: String,
    pub source: EntrySource,
    pub date: NaiveDate,
    /// Negative for a correction that takes time away.
    pub minutes: i64,
    /// The service's rating 服务评价, on the entry that recorded it.
    pub evaluation: Option<Rating>,
}

/// One line of the service record on a certificate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Line {
    /// 活动名称; for time recorded without an activity, the kind of record.
    pub title: String,
    /// 服务日期 (the first, when an activity's time is dated on several days).
    pub date: NaiveDate,
    /// 服务时长, two places.
    #[schema(value_type = String, example = "2.50")]
    pub hours: Decimal,
    /// 组织单位
    pub organiser: String,
    /// 服务评价 (优秀, 良好, 合格 or 不合格), when the organizer rated the service. Left out of the
    /// signed text when there is none, so that certificates issued before ratings verify as they
    /// were signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluation: Option<String>,
}

/// The award a certificate of an award states (67号令: name, date, granting unit).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Award {
    /// e.g. 2025年度优秀志愿者.
    pub name: String,
    pub granted_on: NaiveDate,
    pub granting_unit: String,
}

/// What a certificate states. The field order is the canonical order: do not reorder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Content {
    /// 证明编号
    pub number: String,
    /// 姓名
    pub name: String,
    /// 身份证号, masked.
    pub id_number_masked: String,
    /// 志愿者编号
    pub volunteer_no: String,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    /// 服务时长合计: every entry dated in the period, corrections included.
    #[schema(value_type = String, example = "12.50")]
    pub total_hours: Decimal,
    pub activities: Vec<Line>,
    /// 出具单位: the volunteer's home community; for an award, the granting unit.
    pub issuer: String,
    /// 出具日期
    pub issued_on: NaiveDate,
    /// The award certified, for a certificate of an award. Left out of the signed text otherwise,
    /// so that certificates issued before awards verify as they were signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub award: Option<Award>,
}

fn source_label(source: EntrySource) -> &'static str {
    match source {
        EntrySource::Manual => "补录服务记录",
        EntrySource::Import => "导入服务记录",
        EntrySource::Correction => "服务时长更正",
        EntrySource::Qr | EntrySource::AutoClose => "志愿服务",
    }
}

/// Total hours of `entries`, corrections included.
pub fn total_hours(entries: &[Entry]) -> Decimal {
    hours(entries.iter().map(|e| e.minutes).sum())
}

/// The lines of a certificate: one per activity (its entries and their corrections summed),
/// one per entry without an activity, by date; lines that come to no time at all are left out.
pub fn lines(entries: &[Entry]) -> Vec<Line> {
    struct Acc<'a> {
        entry: &'a Entry,
        date: NaiveDate,
        minutes: i64,
        evaluation: Option<Rating>,
    }
    let mut acc: Vec<Acc> = Vec::new();
    let mut by_activity: HashMap<i64, usize> = HashMap::new();
    for e in entries {
        match e.activity_id.and_then(|id| by_activity.get(&id)) {
            Some(&i) => {
                acc[i].minutes += e.minutes;
                acc[i].date = acc[i].date.min(e.date);
                acc[i].evaluation = acc[i].evaluation.or(e.evaluation);
            }
            None => {
                if let Some(id) = e.activity_id {
                    by_activity.insert(id, acc.len());
                }
                acc.push(Acc {
                    entry: e,
                    date: e.date,
                    minutes: e.minutes,
                    evaluation: e.evaluation,
                });
            }
        }
    }
    acc.retain(|a| a.minutes != 0);
    acc.sort_by_key(|a| a.date);
    acc.into_iter()
        .map(|a| Line {
            title: (a.entry.title.clone())
                .unwrap_or_else(|| source_label(a.entry.source).to_owned()),
            date: a.date,
            hours: hours(a.minutes),
            organiser: (a.entry.organiser.clone()).unwrap_or_else(|| a.entry.unit_name.clone()),
            evaluation: a.evaluation.map(|r| r.zh().to_owned()),
        })
        .collect()
}

impl Content {
    /// What the certificate is called: 荣誉证书 for an award, else 志愿服务记录证明.
    pub fn kind(&self) -> &'static str {
        if self.award.is_some() {
            "荣誉证书"
        } else {
            "志愿服务记录证明"
        }
    }

    /// The text that is signed and stored.
    pub fn canonical(&self) -> String {
        serde_json::to_string(self).expect("plain data always serialises")
    }
}

fn mac(key: &[u8; 32], text: &str) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("any key length");
    mac.update(text.as_bytes());
    mac
}

/// The signature of a canonical text, in hex.
pub fn sign(key: &[u8; 32], canonical: &str) -> String {
    hex::encode(mac(key, canonical).finalize().into_bytes())
}

#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Genuine(Box<Content>),
    /// The stored text does not match its signature, or is not the content of this number.
    Altered,
}

/// Checks what is stored under `number`.
pub fn verify(key: &[u8; 32], number: &str, stored: &str, signature: &str) -> Verdict {
    let signed = hex::decode(signature).is_ok_and(|s| mac(key, stored).verify_slice(&s).is_ok());
    match serde_json::from_str::<Content>(stored) {
        Ok(content) if signed && content.number == number => Verdict::Genuine(Box::new(content)),
        _ => Verdict::Altered,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    fn entry(activity: Option<i64>, source: EntrySource, d: u32, minutes: i64) -> Entry {
        Entry {
            activity_id: activity,
            title: activity.map(|a| format!("活动{a}")),
            organiser: activity.map(|_| "花园社区".into()),
            unit_name: "东湖街道".into(),
            source,
            date: date(d),
            minutes,
            evaluation: None,
        }
    }

    fn content() -> Content {
        let entries = [entry(Some(1), EntrySource::Qr, 2, 150)];
        Content {
            number: number(2026, [1, 2, 3, 4, 5]),
            name: "张三".into(),
            id_number_masked: "3401**********123X".into(),
            volunteer_no: "V000000018".into(),
            period_from: date(1),
            period_to: date(31),
            total_hours: total_hours(&entries),
            activities: lines(&entries),
            issuer: "花园社区".into(),
            issued_on: date(31),
            award: None,
        }
    }

    #[test]
    fn numbers_have_the_year_and_eight_base32_characters() {
        assert_eq!(number(2026, [0; 5]), "VC2026AAAAAAAA");
        assert_eq!(number(2026, [0xff; 5]), "VC202677777777");
        let n = number(2026, [0x12, 0x34, 0x56, 0x78, 0x9a]);
        assert_eq!(n.len(), 14);
        assert!(is_number(&n), "{n}");
        for bad in [
            "",
            "VC2026AAAAAAA",
            "VC2026AAAAAAA1",
            "vc2026AAAAAAAA",
            "VC20x6AAAAAAAA",
        ] {
            assert!(!is_number(bad), "{bad}");
        }
        assert!(
            !is_number("VC2026AAAAAA志"),
            "multi-byte text is refused, not sliced"
        );
    }

    #[test]
    fn an_activity_is_one_line_with_its_corrections() {
        let entries = [
            entry(Some(2), EntrySource::Qr, 9, 120),
            entry(Some(1), EntrySource::Qr, 3, 90),
            entry(None, EntrySource::Manual, 5, 60),
            entry(Some(2), EntrySource::Correction, 9, -30),
            entry(Some(3), EntrySource::Qr, 7, 60),
            entry(Some(3), EntrySource::Correction, 7, -60),
        ];
        let lines = lines(&entries);
        let got: Vec<_> = lines
            .iter()
            .map(|l| (l.title.as_str(), l.hours.to_string(), l.organiser.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("活动1", "1.50".into(), "花园社区"),
                ("补录服务记录", "1.00".into(), "东湖街道"),
                ("活动2", "1.50".into(), "花园社区"),
            ]
        );
        assert_eq!(total_hours(&entries).to_string(), "4.00");
    }

    #[test]
    fn a_line_carries_its_services_rating_and_an_unrated_one_signs_as_before() {
        let mut rated = entry(Some(2), EntrySource::Qr, 9, 120);
        rated.evaluation = Some(Rating::Excellent);
        let lines = lines(&[
            entry(Some(1), EntrySource::Qr, 3, 90),
            rated,
            entry(Some(2), EntrySource::Correction, 9, -30),
        ]);
        assert_eq!(lines[0].evaluation, None);
        assert_eq!(lines[1].evaluation.as_deref(), Some("优秀"));
        let mut c = content();
        c.activities = lines;
        let text = c.canonical();
        assert_eq!(text.matches("evaluation").count(), 1, "{text}");
        assert!(text.contains(r#""evaluation":"优秀""#), "{text}");
    }

    /// The canonical text of [`content`] as certificates were signed before they could state an
    /// award.
    const SIGNED_BEFORE_AWARDS: &str = concat!(
        r#"{"number":"VC2026AEBAGBAF","name":"张三","id_number_masked":"3401**********123X","#,
        r#""volunteer_no":"V000000018","period_from":"2026-03-01","period_to":"2026-03-31","#,
        r#""total_hours":"2.50","activities":[{"title":"活动1","date":"2026-03-02","#,
        r#""hours":"2.50","organiser":"花园社区"}],"issuer":"花园社区","issued_on":"2026-03-31"}"#
    );

    #[test]
    fn a_certificate_signed_before_awards_still_verifies_as_signed() {
        let key = [7; 32];
        let c = content();
        assert_eq!(c.canonical(), SIGNED_BEFORE_AWARDS);
        let sig = sign(&key, SIGNED_BEFORE_AWARDS);
        assert_eq!(
            verify(&key, &c.number, SIGNED_BEFORE_AWARDS, &sig),
            Verdict::Genuine(Box::new(c))
        );
    }

    #[test]
    fn a_certificate_of_an_award_signs_the_award() {
        let key = [7; 32];
        let mut c = content();
        c.award = Some(Award {
            name: "2025年度优秀志愿者".into(),
            granted_on: date(20),
            granting_unit: "东湖街道".into(),
        });
        let text = c.canonical();
        assert!(
            text.ends_with(
                r#","award":{"name":"2025年度优秀志愿者","granted_on":"2026-03-20","granting_unit":"东湖街道"}}"#
            ),
            "{text}"
        );
        let sig = sign(&key, &text);
        assert_eq!(
            verify(&key, &c.number, &text, &sig),
            Verdict::Genuine(Box::new(c.clone()))
        );
        let altered = text.replace("2025年度优秀志愿者", "2024年度优秀志愿者");
        assert_eq!(verify(&key, &c.number, &altered, &sig), Verdict::Altered);
        let dropped = text.replace(&text[text.find(r#","award""#).unwrap()..], "}");
        assert_eq!(verify(&key, &c.number, &dropped, &sig), Verdict::Altered);
    }

    #[test]
    fn content_verifies_only_as_signed_and_under_its_number() {
        let key = [7; 32];
        let c = content();
        let text = c.canonical();
        assert!(text.starts_with(r#"{"number":"VC2026"#), "{text}");
        assert!(text.contains(r#""total_hours":"2.50""#), "{text}");
        let sig = sign(&key, &text);
        assert_eq!(
            verify(&key, &c.number, &text, &sig),
            Verdict::Genuine(Box::new(c.clone()))
        );
        let altered = text.replace("2.50", "25.00");
        assert_eq!(verify(&key, &c.number, &altered, &sig), Verdict::Altered);
        assert_eq!(
            verify(&key, "VC2026AAAAAAAA", &text, &sig),
            Verdict::Altered
        );
        assert_eq!(verify(&[8; 32], &c.number, &text, &sig), Verdict::Altered);
        assert_eq!(verify(&key, &c.number, &text, "zz"), Verdict::Altered);
        assert_eq!(
            verify(&key, &c.number, "{}", &sign(&key, "{}")),
            Verdict::Altered
        );
    }
}
