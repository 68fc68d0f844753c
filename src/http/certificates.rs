//! Certificates 志愿服务记录证明 and their verification.
//!
//! Issuing takes a signed snapshot of the volunteer's ledger over a period, or over the year an
//! award of theirs recognises for a certificate of the award 荣誉证书. The printable A4 page
//! (`/certificates/{number}`, the volunteer or scoped staff) carries a QR code of the public
//! verification page (`/verify/{number}`, anyone), which answers, as a page or as JSON:
//! - 200 `{"status":"genuine", …what it certifies}`;
//! - 404 `{"status":"unknown"}`: no certificate has this number;
//! - 409 `{"status":"altered"}`: the stored content no longer matches its signature. A conflict
//!   rather than 200, so that a client reading only the status code never takes an altered
//!   certificate for a genuine one.
//!
//! The 404 and 409 answers also carry the usual `error` and `message`.

use super::access::visible_volunteer;
use super::extract::{Json, Path, wants_json};
use super::render::{Head, page};
use crate::app::AppState;
use crate::app::poster::qr_svg;
use crate::domain::certificate::{self, Content, Line, Verdict};
use crate::domain::roles::{Caller, Role};
use crate::error::codes::{
    CERTIFICATE_ALTERED, DUPLICATE_CERTIFICATE, INVALID_BODY, INVALID_PERIOD,
};
use crate::error::{Error, ErrorBody, Result};
use crate::store::Volunteer;
use crate::store::certificates::NewCertificate;
use crate::store::trainings::year_span;
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Datelike, Days, Months, NaiveDate, Utc};
use rand::RngCore;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(issue))
        .route("/certificates/{number}", get(printable))
        .route("/verify/{number}", get(verify))
}

/// Either `from` and `to`, or `award_id`.
#[derive(Deserialize, ToSchema)]
pub struct IssueBody {
    /// First day of the period (included).
    from: Option<NaiveDate>,
    /// Last day of the period (included); today at the latest.
    to: Option<NaiveDate>,
    /// One of the volunteer's awards: a certificate of the award 荣誉证书, stating the service of
    /// the year it recognises, issued by the granting unit.
    award_id: Option<i64>,
}

/// What a certificate is of.
enum Subject {
    Period(NaiveDate, NaiveDate),
    Award(i64),
}

impl IssueBody {
    fn subject(self) -> Result<Subject> {
        match (self.from, self.to, self.award_id) {
            (Some(from), Some(to), None) => Ok(Subject::Period(from, to)),
            (None, None, Some(id)) => Ok(Subject::Award(id)),
            _ => Err(Error::invalid(
                INVALID_BODY,
                "give either `from` and `to` (a period) or `award_id` (an award)",
            )),
        }
    }
}

/// The service a certificate states, who issues it and the award it certifies, if any.
struct Scope {
    from: NaiveDate,
    to: NaiveDate,
    issuer: String,
    award: Option<(i64, certificate::Award)>,
}

impl Scope {
    /// The scope of a certificate of `subject` for volunteer `v`: 422 for a period that is not
    /// sensible, 404 for an award that is not theirs.
    async fn of(
        state: &AppState,
        v: &Volunteer,
        subject: Subject,
        today: NaiveDate,
    ) -> Result<Self> {
        match subject {
            Subject::Period(from, to) => {
                check_period(from, to, today)?;
                let community = state.store.unit(v.community_id).await?;
                Ok(Scope {
                    from,
                    to,
                    issuer: community.ok_or(Error::NotFound("unit"))?.name,
                    award: None,
                })
            }
            Subject::Award(id) => {
                let awards = state.store.awards_of(v.id).await?;
                let a = awards
                    .into_iter()
                    .find(|a| a.id == id)
                    .ok_or(Error::NotFound("award"))?;
                let (first, next) = year_span(a.service_year());
                Ok(Scope {
                    from: first,
                    to: (next - Days::new(1)).min(today),
                    issuer: a.granting_unit.clone(),
                    award: Some((
                        a.id,
                        certificate::Award {
                            name: a.name,
                            granted_on: a.granted_on,
                            granting_unit: a.granting_unit,
                        },
                    )),
                })
            }
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Issued {
    /// 证明编号, e.g. `VC2026K7QW2M4D`.
    number: String,
    /// The public verification page the certificate's QR code links to.
    verify_url: String,
    /// The printable A4 page.
    print_url: String,
    issued_at: DateTime<Utc>,
    #[schema(value_type = String, example = "12.50")]
    total_hours: Decimal,
    activities: Vec<Line>,
    /// The award certified, for a certificate of an award.
    #[serde(skip_serializing_if = "Option::is_none")]
    award: Option<certificate::Award>,
}

/// A period runs from `from` to `to`, both included, ends today at the latest and spans at most
/// ten years.
fn check_period(from: NaiveDate, to: NaiveDate, today: NaiveDate) -> Result<()> {
    let within_ten_years = from
        .checked_add_months(Months::new(120))
        .is_some_and(|limit| to < limit);
    if from > to || to > today || from.year() < 1949 || !within_ten_years {
        return Err(Error::invalid(
            INVALID_PERIOD,
            "a period runs from `from` to `to` (from <= to), ends today at the latest and spans at most 10 years",
        ));
    }
    Ok(())
}

fn verify_url(state: &AppState, number: &str) -> String {
    format!("{}/verify/{number}", state.settings.public_url())
}

/// Issues a certificate 志愿服务记录证明 of the volunteer's service between two dates: a signed
/// snapshot of every ledger entry dated in the period (corrections included), by activity. Given
/// `award_id` instead, a certificate of that award 荣誉证书: the award, and the service of the
/// year it recognises, issued by the granting unit.
#[utoipa::path(post, path = "/api/v1/volunteers/{id}/certificates", tag = "certificates",
    params(("id" = String, Path, description = "a volunteer id or `me`")), request_body = IssueBody,
    responses((status = 201, body = Issued), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, description = [INVALID_PERIOD, INVALID_BODY].join(", "), body = ErrorBody)),
    security(("bearer" = [])))]
async fn issue(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<IssueBody>,
) -> Result<(StatusCode, Json<Issued>)> {
    let subject = body.subject()?;
    let v = visible_volunteer(&state, &caller, &id, &Role::ALL).await?;
    let now = Utc::now();
    let today = now
        .with_timezone(&state.settings.display_offset())
        .date_naive();
    let scope = Scope::of(&state, &v, subject, today).await?;
    let entries = state
        .store
        .service_entries(v.id, scope.from, scope.to)
        .await?;
    let mut attempts = 0;
    let content = loop {
        let mut random = [0u8; 5];
        rand::rngs::OsRng.fill_bytes(&mut random);
        let content = Content {
            number: certificate::number(today.year(), random),
            name: v.name.clone(),
            id_number_masked: v.id_number_masked.clone(),
            volunteer_no: v.volunteer_no.clone(),
            period_from: scope.from,
            period_to: scope.to,
            total_hours: certificate::total_hours(&entries),
            activities: certificate::lines(&entries),
            issuer: scope.issuer.clone(),
            issued_on: today,
            award: scope.award.as_ref().map(|(_, a)| a.clone()),
        };
        let text = content.canonical();
        let new = NewCertificate {
            number: &content.number,
            volunteer: &v,
            period_from: scope.from,
            period_to: scope.to,
            award_id: scope.award.as_ref().map(|(id, _)| *id),
            content: &text,
            signature: &certificate::sign(&state.keys.certificate, &text),
            issued_by: caller.user_id,
            issued_at: now,
        };
        match state.store.insert_certificate(&new).await {
            Ok(()) => break content,
            // 40 random bits: a second draw is already unlikely to be needed.
            Err(Error::Conflict {
                code: DUPLICATE_CERTIFICATE,
                ..
            }) if attempts < 3 => attempts += 1,
            Err(e) => return Err(e),
        }
    };
    Ok((
        StatusCode::CREATED,
        Json(Issued {
            verify_url: verify_url(&state, &content.number),
            print_url: format!(
                "{}/certificates/{}",
                state.settings.public_url(),
                content.number
            ),
            number: content.number,
            issued_at: now,
            total_hours: content.total_hours,
            activities: content.activities,
            award: content.award,
        }),
    ))
}

/// The certificate under `number` (any case) and what its signature says of it; `None` when
/// there is none.
async fn lookup(state: &AppState, number: &str) -> Result<Option<(i64, Verdict)>> {
    let number = number.trim().to_ascii_uppercase();
    if !certificate::is_number(&number) {
        return Ok(None);
    }
    Ok(state.store.certificate(&number).await?.map(|c| {
        let verdict =
            certificate::verify(&state.keys.certificate, &c.number, &c.content, &c.signature);
        (c.volunteer_id, verdict)
    }))
}

/// A date as the certificate prints it, e.g. 2026年03月31日; templates pass their values by reference.
fn zh_date(d: &NaiveDate) -> String {
    d.format("%Y年%m月%d日").to_string()
}

/// The public verification page of a certificate: genuine, altered, or none (`None`).
#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage<'a> {
    head: Head,
    verdict: Option<&'a Verdict>,
}

/// The public verification page (JSON with `Accept: application/json`): whether the certificate is
/// genuine, and what it certifies. See the module documentation for the answers.
async fn verify(
    State(state): State<AppState>,
    Path(number): Path<String>,
    headers: HeaderMap,
) -> Result<Response> {
    let found = lookup(&state, &number).await?;
    let verdict = found.as_ref().map(|(_, v)| v);
    let (status, answer) = match verdict {
        Some(Verdict::Genuine(c)) => {
            let mut genuine = json!({
                "status": "genuine", "number": c.number, "name": c.name,
                "id_number_masked": c.id_number_masked, "volunteer_no": c.volunteer_no,
                "period_from": c.period_from, "period_to": c.period_to,
                "total_hours": c.total_hours, "activity_count": c.activities.len(),
                "issuer": c.issuer, "issued_on": c.issued_on,
            });
            if let Some(award) = &c.award {
                genuine["award"] = json!(award);
            }
            (StatusCode::OK, genuine)
        }
        Some(Verdict::Altered) => (
            StatusCode::CONFLICT,
            json!({"status": "altered", "error": CERTIFICATE_ALTERED,
                   "message": "the stored record of this certificate does not match its signature"}),
        ),
        None => (
            StatusCode::NOT_FOUND,
            json!({"status": "unknown", "error": "not_found",
                   "message": "no certificate has this number"}),
        ),
    };
    if wants_json(&headers) {
        return Ok((status, axum::Json(answer)).into_response());
    }
    let head = Head {
        lang: "zh-CN",
        title: "志愿服务记录证明核验".to_owned(),
    };
    page(status, &VerifyPage { head, verdict })
}

/// The printable certificate.
#[derive(Template)]
#[template(path = "certificate.html")]
struct CertificatePage<'a> {
    head: Head,
    c: &'a Content,
    verify_url: &'a str,
    /// An SVG image, made by `qr_svg`.
    qr: String,
}

/// The printable A4 certificate, for the volunteer or staff of their community.
async fn printable(
    State(state): State<AppState>,
    caller: Caller,
    Path(number): Path<String>,
) -> Result<Response> {
    let (volunteer_id, verdict) = lookup(&state, &number)
        .await?
        .ok_or(Error::NotFound("certificate"))?;
    visible_volunteer(&state, &caller, &volunteer_id.to_string(), &Role::ALL).await?;
    let Verdict::Genuine(c) = verdict else {
        return Err(Error::conflict(
            CERTIFICATE_ALTERED,
            "the stored record of this certificate does not match its signature",
        ));
    };
    let verify_url = verify_url(&state, &c.number);
    let page_of = CertificatePage {
        head: Head {
            lang: "zh-CN",
            title: format!("{} {}", c.kind(), c.number),
        },
        qr: qr_svg(&verify_url, 240),
        verify_url: &verify_url,
        c: &c,
    };
    page(StatusCode::OK, &page_of)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_end_by_today_and_span_at_most_ten_years() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let today = d(2026, 3, 31);
        assert!(check_period(d(2026, 1, 1), d(2026, 3, 31), today).is_ok());
        assert!(check_period(d(2026, 3, 31), d(2026, 3, 31), today).is_ok());
        assert!(check_period(d(2016, 4, 1), d(2026, 3, 31), today).is_ok());
        assert!(check_period(d(2016, 3, 31), d(2026, 3, 31), today).is_err());
        assert!(check_period(d(2026, 2, 1), d(2026, 1, 1), today).is_err());
        assert!(check_period(d(2026, 1, 1), d(2026, 4, 1), today).is_err());
        assert!(check_period(d(1900, 1, 1), d(1901, 1, 1), today).is_err());
    }
}
