//! Certificates 志愿服务记录证明 and their verification.
//!
//! Issuing takes a signed snapshot of the volunteer's ledger over a period. The printable A4 page
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
use super::extract::{Json, Path};
use crate::app::AppState;
use crate::app::poster::qr_svg;
use crate::domain::certificate::{self, Content, Line, Verdict};
use crate::domain::roles::{Caller, Role};
use crate::error::{Error, ErrorBody, Result};
use crate::store::certificates::NewCertificate;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
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

#[derive(Deserialize, ToSchema)]
pub struct IssueBody {
    /// First day of the period (included).
    from: NaiveDate,
    /// Last day of the period (included); today at the latest.
    to: NaiveDate,
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
}

/// A period runs from `from` to `to`, both included, ends today at the latest and spans at most
/// ten years.
fn check_period(from: NaiveDate, to: NaiveDate, today: NaiveDate) -> Result<()> {
    let within_ten_years = from
        .checked_add_months(Months::new(120))
        .is_some_and(|limit| to < limit);
    if from > to || to > today || from.year() < 1949 || !within_ten_years {
        return Err(Error::invalid(
            "invalid_period",
            "a period runs from `from` to `to` (from <= to), ends today at the latest and spans at most 10 years",
        ));
    }
    Ok(())
}

fn verify_url(state: &AppState, number: &str) -> String {
    format!("{}/verify/{number}", state.settings.public_url())
}

/// Issues a certificate 志愿服务记录证明 of the volunteer's service between two dates: a signed
/// snapshot of every ledger entry dated in the period (corrections included), by activity.
#[utoipa::path(post, path = "/api/v1/volunteers/{id}/certificates", tag = "certificates",
    params(("id" = String, Path, description = "a volunteer id or `me`")), request_body = IssueBody,
    responses((status = 201, body = Issued), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, description = "invalid_period", body = ErrorBody)),
    security(("bearer" = [])))]
async fn issue(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<IssueBody>,
) -> Result<(StatusCode, Json<Issued>)> {
    let v = visible_volunteer(&state, &caller, &id, &Role::ALL).await?;
    let now = Utc::now();
    let today = now
        .with_timezone(&state.settings.display_offset())
        .date_naive();
    check_period(body.from, body.to, today)?;
    let entries = state
        .store
        .service_entries(v.id, body.from, body.to)
        .await?;
    let issuer = state
        .store
        .unit(v.community_id)
        .await?
        .ok_or(Error::NotFound("unit"))?;
    let mut attempts = 0;
    let content = loop {
        let mut random = [0u8; 5];
        rand::rngs::OsRng.fill_bytes(&mut random);
        let content = Content {
            number: certificate::number(today.year(), random),
            name: v.name.clone(),
            id_number_masked: v.id_number_masked.clone(),
            volunteer_no: v.volunteer_no.clone(),
            period_from: body.from,
            period_to: body.to,
            total_hours: certificate::total_hours(&entries),
            activities: certificate::lines(&entries),
            issuer: issuer.name.clone(),
            issued_on: today,
        };
        let text = content.canonical();
        let new = NewCertificate {
            number: &content.number,
            volunteer: &v,
            period_from: body.from,
            period_to: body.to,
            content: &text,
            signature: &certificate::sign(&state.keys.certificate, &text),
            issued_by: caller.user_id,
            issued_at: now,
        };
        match state.store.insert_certificate(&new).await {
            Ok(()) => break content,
            // 40 random bits: a second draw is already unlikely to be needed.
            Err(Error::Conflict {
                code: "duplicate_certificate",
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

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn zh_date(d: NaiveDate) -> String {
    d.format("%Y年%m月%d日").to_string()
}

fn page(status: StatusCode, title: &str, style: &str, body: &str) -> Response {
    let html = format!(
        r#"<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>{title}</title><style>{style}</style></head><body>{body}</body></html>"#,
        title = esc(title)
    );
    (status, [(header::CACHE_CONTROL, "no-store")], Html(html)).into_response()
}

const VERIFY_STYLE: &str = "body{margin:0;font:16px/1.6 system-ui,-apple-system,'PingFang SC','Microsoft YaHei',sans-serif;color:#1a1a1a;background:#f5f5f5}
main{max-width:560px;margin:0 auto;padding:16px}h1{font-size:20px}.card{background:#fff;border-radius:12px;padding:20px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
.big{font-size:22px;font-weight:600}.ok{color:#137333}.bad{color:#b3261e}dl{display:grid;grid-template-columns:auto 1fr;gap:6px 16px}dt{color:#555}dd{margin:0}.note{font-size:13px;color:#666}";

/// The public verification page (JSON with `Accept: application/json`): whether the certificate is
/// genuine, and what it certifies. See the module documentation for the answers.
async fn verify(
    State(state): State<AppState>,
    Path(number): Path<String>,
    headers: HeaderMap,
) -> Result<Response> {
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    let (status, answer, html) = match lookup(&state, &number).await? {
        Some((_, Verdict::Genuine(c))) => (
            StatusCode::OK,
            json!({
                "status": "genuine", "number": c.number, "name": c.name,
                "id_number_masked": c.id_number_masked, "volunteer_no": c.volunteer_no,
                "period_from": c.period_from, "period_to": c.period_to,
                "total_hours": c.total_hours, "activity_count": c.activities.len(),
                "issuer": c.issuer, "issued_on": c.issued_on,
            }),
            format!(
                r#"<p class="big ok">✔ 证明真实有效</p><dl><dt>证明编号</dt><dd>{}</dd><dt>姓名</dt><dd>{}</dd>
<dt>身份证号</dt><dd>{}</dd><dt>志愿者编号</dt><dd>{}</dd><dt>服务期间</dt><dd>{} 至 {}</dd>
<dt>服务时长合计</dt><dd>{} 小时</dd><dt>服务活动</dt><dd>{} 项</dd><dt>出具单位</dt><dd>{}</dd><dt>出具日期</dt><dd>{}</dd></dl>
<p class="note">以上内容与出具时的签名一致。请核对纸质证明与以上信息是否相符。</p>"#,
                esc(&c.number),
                esc(&c.name),
                esc(&c.id_number_masked),
                esc(&c.volunteer_no),
                zh_date(c.period_from),
                zh_date(c.period_to),
                c.total_hours,
                c.activities.len(),
                esc(&c.issuer),
                zh_date(c.issued_on),
            ),
        ),
        Some((_, Verdict::Altered)) => (
            StatusCode::CONFLICT,
            json!({"status": "altered", "error": "certificate_altered",
                   "message": "the stored record of this certificate does not match its signature"}),
            r#"<p class="big bad">✘ 证明记录已被改动，无法确认真实性</p><p class="note">请联系出具单位核实。</p>"#
                .to_owned(),
        ),
        None => (
            StatusCode::NOT_FOUND,
            json!({"status": "unknown", "error": "not_found",
                   "message": "no certificate has this number"}),
            r#"<p class="big bad">✘ 未找到该编号的证明</p><p class="note">请核对证明编号。编号有误或伪造的证明无法查到。</p>"#
                .to_owned(),
        ),
    };
    if wants_json {
        return Ok((status, axum::Json(answer)).into_response());
    }
    let body =
        format!(r#"<main><h1>志愿服务记录证明核验</h1><div class="card">{html}</div></main>"#);
    Ok(page(status, "志愿服务记录证明核验", VERIFY_STYLE, &body))
}

const PRINT_STYLE: &str = "@page{size:A4;margin:20mm 18mm}
body{margin:0;font:14px/1.7 'Songti SC','SimSun','Noto Serif CJK SC',serif;color:#000}
.sheet{max-width:174mm;margin:0 auto}h1{text-align:center;font-size:26px;letter-spacing:.4em;margin:4mm 0 8mm}
.no{text-align:right;font-size:12px;margin:0}p{margin:3mm 0}.lead{text-indent:2em}
table{width:100%;border-collapse:collapse;margin:4mm 0}th,td{border:1px solid #000;padding:1.5mm 2mm;text-align:left}
th{font-weight:600}.num{text-align:right;white-space:nowrap}thead{display:table-header-group}tr{break-inside:avoid}
.foot{display:flex;justify-content:space-between;align-items:flex-end;margin-top:10mm;break-inside:avoid}
.qr{text-align:center;font-size:11px}.qr svg{width:32mm;height:32mm;display:block;margin:0 auto}.sign{text-align:right}
.note{font-size:11px;color:#333;margin-top:8mm}
@media screen{body{background:#e8e8e8}.sheet{background:#fff;width:210mm;max-width:none;padding:20mm 18mm;margin:8mm auto;box-sizing:border-box}}";

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
            "certificate_altered",
            "the stored record of this certificate does not match its signature",
        ));
    };
    let rows: String = if c.activities.is_empty() {
        r#"<tr><td colspan="5">本期间内无志愿服务记录</td></tr>"#.to_owned()
    } else {
        c.activities
            .iter()
            .enumerate()
            .map(|(i, l)| {
                format!(
                    r#"<tr><td class="num">{}</td><td>{}</td><td>{}</td><td>{}</td><td class="num">{}</td></tr>"#,
                    i + 1,
                    zh_date(l.date),
                    esc(&l.title),
                    esc(&l.organiser),
                    l.hours
                )
            })
            .collect()
    };
    let url = verify_url(&state, &c.number);
    let body = format!(
        r#"<div class="sheet"><p class="no">证明编号：{number}</p><h1>志愿服务记录证明</h1>
<p class="lead">兹证明 <b>{name}</b>（身份证号：{id}，志愿者编号：{no}）于 {from} 至 {to} 期间参加志愿服务，累计服务时长 <b>{total}</b> 小时。服务记录如下：</p>
<table><thead><tr><th class="num">序号</th><th>服务日期</th><th>活动名称</th><th>组织单位</th><th class="num">服务时长（小时）</th></tr></thead>
<tbody>{rows}</tbody><tfoot><tr><td colspan="4">合计</td><td class="num">{total}</td></tr></tfoot></table>
<p class="lead">特此证明。</p>
<div class="foot"><div class="qr">{qr}<div>扫码核验真伪</div><div>{url}</div></div>
<div class="sign"><p>出具单位：{issuer}（盖章）</p><p>出具日期：{issued}</p></div></div>
<p class="note">本证明依据《志愿服务记录与证明出具办法》（民政部令第67号）出具。扫描二维码或访问上方地址，可核验本证明的真实性。</p></div>"#,
        number = esc(&c.number),
        name = esc(&c.name),
        id = esc(&c.id_number_masked),
        no = esc(&c.volunteer_no),
        from = zh_date(c.period_from),
        to = zh_date(c.period_to),
        total = c.total_hours,
        qr = qr_svg(&url, 240),
        url = esc(&url),
        issuer = esc(&c.issuer),
        issued = zh_date(c.issued_on),
    );
    Ok(page(
        StatusCode::OK,
        &format!("志愿服务记录证明 {}", c.number),
        PRINT_STYLE,
        &body,
    ))
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
