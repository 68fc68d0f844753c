//! The volunteers 志愿者 of the caller's units in the console: a list searched by phone, volunteer
//! number or name, a page at a time, and the same list as a CSV file; phone numbers masked and
//! ID numbers never in it, for the roles and units `GET /api/v1/volunteers` lets in.

use super::paging::{ListQuery, Pager};
use super::{StaffVisit, head};
use crate::app::AppState;
use crate::app::import::MAX_IMPORT_BYTES;
use crate::domain::hours::hours;
use crate::domain::phone;
use crate::domain::roles::{Caller, Role};
use crate::error::{Error, Result};
use crate::http::access::scoped_unit;
use crate::http::extract::{Query, SignedIn};
use crate::http::pages::texts::{Lang, Text};
use crate::http::render::{Head, csv_file, page};
use crate::store::volunteers::VolunteerRow;
use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use chrono::{Datelike, Utc};
use serde::Deserialize;

/// Texts of the volunteer list, and why a volunteer was refused (registered or imported).
pub const TEXTS: &[Text] = &[
    ("volunteer_list", "志愿者", "Volunteers"),
    (
        "volunteer_search_hint",
        "手机号、志愿者编号或姓名开头",
        "Mobile number, volunteer number or the start of a name",
    ),
    ("volunteer_all_units", "全部单位", "All my units"),
    ("volunteer_no", "志愿者编号", "Volunteer number"),
    ("volunteer_name", "姓名", "Name"),
    ("volunteer_community", "所属社区", "Community"),
    ("volunteer_phone", "手机号", "Mobile number"),
    (
        "volunteer_year_hours",
        "本年服务时长（小时）",
        "Hours this year",
    ),
    ("volunteer_registered_on", "注册日期", "Registered on"),
    ("volunteer_new", "代为注册志愿者", "Register a volunteer"),
    ("volunteer_import", "批量导入", "Import from CSV"),
    (
        "volunteer_refused_invalid_id_number",
        "身份证号无效",
        "The ID number is not valid",
    ),
    (
        "volunteer_refused_invalid_phone",
        "手机号无效",
        "The mobile number is not valid",
    ),
    (
        "volunteer_refused_consent_required",
        "须经志愿者本人同意",
        "The volunteer must agree in person",
    ),
    (
        "volunteer_refused_duplicate_id_number",
        "此人已注册为志愿者",
        "This person is already registered",
    ),
    (
        "volunteer_refused_duplicate_phone",
        "该手机号已被其他账号使用",
        "Another account already uses this mobile number",
    ),
    (
        "volunteer_refused_weak_password",
        "密码须为 8 至 256 个字符",
        "A password needs 8 to 256 characters",
    ),
    (
        "volunteer_refused_invalid_name",
        "姓名须为 1 至 50 个字符",
        "A name has 1 to 50 characters",
    ),
    (
        "volunteer_refused_invalid_tags",
        "技能或服务类别至多 20 项，每项至多 30 个字符",
        "At most 20 skills or categories of at most 30 characters each",
    ),
    (
        "volunteer_refused_invalid_community",
        "没有这个社区",
        "No such community",
    ),
    (
        "volunteer_refused_out_of_scope",
        "您不是该社区的管理员",
        "You are not an admin of this community",
    ),
    (
        "volunteer_refused_invalid_csv",
        "文件无法读取",
        "The file cannot be read",
    ),
];

/// The volunteer pages' routes; the import's takes files as large as the API's import.
pub fn routes() -> Router<AppState> {
    use super::{import, new_volunteer, volunteer};
    Router::new()
        .route(
            "/console/volunteers",
            get(list).post(new_volunteer::register),
        )
        .route("/console/volunteers.csv", get(download))
        .route("/console/volunteers/new", get(new_volunteer::form))
        .route(
            "/console/volunteers/import",
            get(import::form)
                .post(import::upload)
                .layer(DefaultBodyLimit::max(MAX_IMPORT_BYTES)),
        )
        .route("/console/volunteers/{id}", get(volunteer::profile))
        .route(
            "/console/volunteers/{id}/id-number",
            get(volunteer::confirm_reveal).post(volunteer::reveal),
        )
}

/// What a refusal with `code` says in `lang`: its own text when the section has one, else the
/// error's message.
pub fn refusal(lang: Lang, code: &str, message: &str) -> String {
    match lang.text(&format!("volunteer_refused_{code}")) {
        "" => message.to_owned(),
        text => text.to_owned(),
    }
}

/// The text shown when `e` refused a form: its own text, or its message.
pub fn refusal_of(lang: Lang, e: &Error) -> String {
    match e {
        Error::Invalid { code, message } | Error::Conflict { code, message } => {
            refusal(lang, code, message)
        }
        other => other.to_string(),
    }
}

/// The year of today in the display time zone: the year whose hours the pages show.
pub fn this_year(state: &AppState) -> i32 {
    Utc::now()
        .with_timezone(&state.settings.display_offset())
        .year()
}

/// `?q=…&page=N&unit_id=U`: the list's search, page and unit (empty for all the caller's).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct VolunteersQuery {
    q: String,
    page: Option<i64>,
    unit_id: String,
}

impl VolunteersQuery {
    fn list(&self) -> ListQuery {
        ListQuery {
            q: self.q.clone(),
            page: self.page,
        }
    }

    /// The unit asked for; 404 for one that cannot be.
    fn unit_id(&self) -> Result<Option<i64>> {
        match self.unit_id.trim() {
            "" => Ok(None),
            id => id.parse().map(Some).map_err(|_| Error::NotFound("unit")),
        }
    }
}

/// The subtrees whose volunteers `caller` may list, as the API's list decides: the unit asked for
/// when they hold a role on it, else every unit they hold one on.
async fn scope(state: &AppState, caller: &Caller, unit_id: Option<i64>) -> Result<Vec<String>> {
    if !caller.is_staff() {
        return Err(Error::forbidden());
    }
    Ok(match unit_id {
        Some(id) => vec![scoped_unit(state, caller, id, &Role::ALL).await?.path],
        None => caller.visible_roots(),
    })
}

#[derive(Template)]
#[template(path = "console/volunteers.html")]
struct VolunteersPage {
    head: Head,
    lang: Lang,
    session: Option<SignedIn>,
    q: String,
    /// The units to narrow the list to.
    units: Vec<UnitChoice>,
    rows: Vec<Row>,
    pager: Pager,
    csv_href: String,
    /// Whether the caller may register and import volunteers.
    admin: bool,
}

/// A unit in the list's select: (id, name, whether it is the one shown).
struct UnitChoice {
    id: i64,
    name: String,
    chosen: bool,
}

/// A volunteer as a list shows them.
struct Row {
    id: i64,
    volunteer_no: String,
    name: String,
    community: String,
    phone: String,
    year_hours: String,
    registered_on: String,
}

impl Row {
    fn of(v: VolunteerRow, state: &AppState) -> Row {
        let zone = state.settings.display_offset();
        Row {
            id: v.id,
            phone: phone::masked(&v.phone),
            year_hours: hours(v.year_minutes).to_string(),
            registered_on: v
                .registered_at
                .with_timezone(&zone)
                .date_naive()
                .to_string(),
            volunteer_no: v.volunteer_no,
            name: v.name,
            community: v.community_name,
        }
    }

    fn cells(self) -> [String; 6] {
        [
            self.volunteer_no,
            self.name,
            self.community,
            self.phone,
            self.year_hours,
            self.registered_on,
        ]
    }
}

/// `href` with the unit asked for added to its query.
fn with_unit(href: String, unit_id: Option<i64>) -> String {
    match unit_id {
        Some(id) => format!("{href}&unit_id={id}"),
        None => href,
    }
}

/// `/console/volunteers`: a page of the list.
pub async fn list(
    State(state): State<AppState>,
    StaffVisit { lang, session }: StaffVisit,
    Query(asked): Query<VolunteersQuery>,
) -> Result<Response> {
    let caller = &session.caller;
    let unit_id = asked.unit_id()?;
    let paths = scope(&state, caller, unit_id).await?;
    let list = asked.list();
    let mut found = state
        .store
        .search_volunteers(
            &paths,
            list.search(),
            this_year(&state),
            list.limit(),
            list.offset(),
        )
        .await?;
    let mut pager = list.pager("/console/volunteers", &mut found);
    pager.previous = pager.previous.map(|href| with_unit(href, unit_id));
    pager.next = pager.next.map(|href| with_unit(href, unit_id));
    let units = state
        .store
        .units_within(&caller.visible_roots())
        .await?
        .into_iter()
        .map(|u| UnitChoice {
            chosen: Some(u.id) == unit_id,
            id: u.id,
            name: u.name,
        })
        .collect();
    let csv_query = serde_urlencoded::to_string([("q", asked.q.as_str())]).unwrap_or_default();
    let view = VolunteersPage {
        head: head(lang),
        lang,
        q: asked.q.clone(),
        units,
        rows: found.into_iter().map(|v| Row::of(v, &state)).collect(),
        pager,
        csv_href: with_unit(format!("/console/volunteers.csv?{csv_query}"), unit_id),
        admin: caller.is_admin(),
        session: Some(session),
    };
    page(StatusCode::OK, &view)
}

/// `/console/volunteers.csv`: every volunteer the list would show, as a spreadsheet.
pub async fn download(
    State(state): State<AppState>,
    StaffVisit { session, .. }: StaffVisit,
    Query(asked): Query<VolunteersQuery>,
) -> Result<Response> {
    let paths = scope(&state, &session.caller, asked.unit_id()?).await?;
    let found = state
        .store
        .all_volunteers_matching(&paths, asked.list().search(), this_year(&state))
        .await?;
    let rows = found.into_iter().map(|v| Row::of(v, &state).cells());
    csv_file(
        "volunteers.csv",
        &[
            "志愿者编号",
            "姓名",
            "所属社区",
            "手机号",
            "本年服务时长（小时）",
            "注册日期",
        ],
        rows,
    )
}
