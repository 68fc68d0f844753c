//! Signed scan codes 签到码: the path part of the URL a QR code carries, `/s/<code>`.
//!
//! A static code (a printed poster) is `<activity>.<signature>`; a rotating code (a screen at the
//! door) is `<activity>-<step>.<signature>`, where `step` counts 30-second periods, so a
//! photographed code stops working within a minute. Numbers are base 36 and the signature is 72
//! bits of an HMAC-SHA256 keyed by the service and salted with the activity's own secret: a code
//! cannot be forged, altered or moved to another activity.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Seconds a rotating code is current; the previous one is still accepted.
pub const ROTATION_SECS: i64 = 30;
const SIGNATURE_BYTES: usize = 9;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum QrMode {
    Static,
    Rotating,
}

impl QrMode {
    pub fn as_str(self) -> &'static str {
        match self {
            QrMode::Static => "static",
            QrMode::Rotating => "rotating",
        }
    }

    pub fn parse(s: &str) -> Option<QrMode> {
        [QrMode::Static, QrMode::Rotating]
            .into_iter()
            .find(|m| m.as_str() == s)
    }
}

/// What a code claims before its signature is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanCode {
    pub activity_id: i64,
    /// The rotation step of a rotating code.
    pub step: Option<i64>,
    signature: String,
}

/// Why a code is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QrError {
    /// Not a code of ours, forged, altered, for another activity or of the wrong mode.
    Invalid,
    /// A genuine rotating code that is no longer current.
    Expired,
}

pub fn rotation_step(at: DateTime<Utc>) -> i64 {
    at.timestamp().div_euclid(ROTATION_SECS)
}

/// When the code of `step` stops being accepted (the end of the following step).
pub fn step_expires_at(step: i64) -> DateTime<Utc> {
    DateTime::from_timestamp((step + 2) * ROTATION_SECS, 0).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// The HMAC-SHA256 of `parts`, one after the other, under `key`: what the signatures of scan
/// codes and of personal codes ([`super::personal_code`]) are cut from.
pub(crate) fn mac(key: &[u8; 32], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("any key length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

fn signature(
    key: &[u8; 32],
    activity_secret: &[u8],
    activity_id: i64,
    step: Option<i64>,
) -> String {
    let step = step.map_or("s".to_owned(), |s| s.to_string());
    let mac = mac(
        key,
        &[
            b"vledger scan v1|",
            activity_secret,
            format!("|{activity_id}|{step}").as_bytes(),
        ],
    );
    URL_SAFE_NO_PAD.encode(&mac[..SIGNATURE_BYTES])
}

/// The code for an activity: static, or the rotating one of `step`.
pub fn code(key: &[u8; 32], activity_secret: &[u8], activity_id: i64, step: Option<i64>) -> String {
    let sig = signature(key, activity_secret, activity_id, step);
    match step {
        None => format!("{}.{sig}", base36(activity_id)),
        Some(s) => format!("{}-{}.{sig}", base36(activity_id), base36(s)),
    }
}

/// Reads the code out of whatever the phone's scanner handed over: a full URL or the bare code.
pub fn parse(scanned: &str) -> Result<ScanCode, QrError> {
    let text = scanned.trim();
    let code = match text.rfind("/s/") {
        Some(i) => &text[i + 3..],
        None => text,
    };
    let code = code.split(['?', '#']).next().unwrap_or("");
    let (head, signature) = code.split_once('.').ok_or(QrError::Invalid)?;
    if signature.len() != 12
        || !signature
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(QrError::Invalid);
    }
    let (activity, step) = match head.split_once('-') {
        Some((a, s)) => (a, Some(from_base36(s)?)),
        None => (head, None),
    };
    Ok(ScanCode {
        activity_id: from_base36(activity)?,
        step,
        signature: signature.to_owned(),
    })
}

impl ScanCode {
    /// Checks the signature with the activity's secret and mode, and the freshness of a rotating
    /// code at `now`.
    pub fn verify(
        &self,
        key: &[u8; 32],
        activity_secret: &[u8],
        mode: QrMode,
        now: DateTime<Utc>,
    ) -> Result<(), QrError> {
        let expected = signature(key, activity_secret, self.activity_id, self.step);
        if !constant_time_eq(expected.as_bytes(), self.signature.as_bytes()) {
            return Err(QrError::Invalid);
        }
        match (mode, self.step) {
            (QrMode::Static, None) => Ok(()),
            (QrMode::Rotating, Some(step)) => {
                let current = rotation_step(now);
                if step == current || step == current - 1 {
                    Ok(())
                } else {
                    Err(QrError::Expired)
                }
            }
            _ => Err(QrError::Invalid),
        }
    }
}

pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `n` written with the digits of `alphabet`, as many as its length says (36, 32…).
pub(crate) fn in_digits(mut n: u64, alphabet: &[u8]) -> String {
    let radix = alphabet.len() as u64;
    let mut out = Vec::new();
    loop {
        out.push(alphabet[(n % radix) as usize]);
        n /= radix;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).expect("an ASCII alphabet")
}

fn base36(n: i64) -> String {
    in_digits(n.max(0) as u64, b"0123456789abcdefghijklmnopqrstuvwxyz")
}

fn from_base36(s: &str) -> Result<i64, QrError> {
    if s.is_empty() || s.len() > 12 {
        return Err(QrError::Invalid);
    }
    i64::from_str_radix(s, 36)
        .map_err(|_| QrError::Invalid)
        .and_then(|n| if n > 0 { Ok(n) } else { Err(QrError::Invalid) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const KEY: [u8; 32] = [3; 32];
    const SECRET: &[u8] = b"activity secret";

    fn at(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(secs, 0).unwrap()
    }

    #[test]
    fn a_static_code_round_trips_and_is_short() {
        let c = code(&KEY, SECRET, 123_456, None);
        let url = format!("https://vledger.example.gov.cn/s/{c}");
        assert!(url.len() <= 60, "{url}");
        let parsed = parse(&url).unwrap();
        assert_eq!(parsed.activity_id, 123_456);
        assert_eq!(parsed.verify(&KEY, SECRET, QrMode::Static, at(0)), Ok(()));
    }

    #[test]
    fn a_rotating_code_lives_for_its_step_and_the_next() {
        let now = at(1_800_000_000);
        let step = rotation_step(now);
        let c = code(&KEY, SECRET, 42, Some(step));
        assert!(format!("https://vledger.example.gov.cn/s/{c}").len() <= 60);
        let parsed = parse(&c).unwrap();
        assert_eq!(parsed.verify(&KEY, SECRET, QrMode::Rotating, now), Ok(()));
        assert_eq!(
            parsed.verify(&KEY, SECRET, QrMode::Rotating, at(1_800_000_000 + 30)),
            Ok(())
        );
        assert_eq!(
            parsed.verify(&KEY, SECRET, QrMode::Rotating, at(1_800_000_000 + 60)),
            Err(QrError::Expired)
        );
        assert!(step_expires_at(step) > now);
    }

    #[test]
    fn forged_altered_and_foreign_codes_are_invalid() {
        let c = code(&KEY, SECRET, 42, None);
        let other_activity = c.replacen(&base36(42), &base36(43), 1);
        let verify = |s: &str| parse(s).and_then(|p| p.verify(&KEY, SECRET, QrMode::Static, at(0)));
        assert_eq!(verify(&other_activity), Err(QrError::Invalid));
        let mut altered = c.clone().into_bytes();
        let last = altered.len() - 1;
        altered[last] = if altered[last] == b'A' { b'B' } else { b'A' };
        assert_eq!(
            verify(std::str::from_utf8(&altered).unwrap()),
            Err(QrError::Invalid)
        );
        assert_eq!(
            parse(&c)
                .unwrap()
                .verify(&KEY, b"other secret", QrMode::Static, at(0)),
            Err(QrError::Invalid)
        );
        assert_eq!(
            parse(&c)
                .unwrap()
                .verify(&[4; 32], SECRET, QrMode::Static, at(0)),
            Err(QrError::Invalid)
        );
        for junk in [
            "",
            "hello",
            "https://evil.example/s/zz",
            "1.short",
            "-1.AAAAAAAAAAAA",
            "1.AAAAAAAAAAA!",
        ] {
            assert_eq!(verify(junk), Err(QrError::Invalid), "{junk}");
        }
    }

    #[test]
    fn a_code_of_one_mode_does_not_pass_as_the_other() {
        let now = at(1_800_000_000);
        let rotating = code(&KEY, SECRET, 42, Some(rotation_step(now)));
        assert_eq!(
            parse(&rotating)
                .unwrap()
                .verify(&KEY, SECRET, QrMode::Static, now),
            Err(QrError::Invalid)
        );
        let fixed = code(&KEY, SECRET, 42, None);
        assert_eq!(
            parse(&fixed)
                .unwrap()
                .verify(&KEY, SECRET, QrMode::Rotating, now),
            Err(QrError::Invalid)
        );
    }
}
