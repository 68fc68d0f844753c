//! Staff accounts 工作人员 of the units an administrator keeps: the accounts holding a role there
//! (and those holding none yet), searchable and one page at a time, with their roles; a form
//! creating an account and, on each account, granting it a role on one of those units — through
//! `app::staff`, as the API's are, behind the same access check — and recording its social-work
//! qualification 社会工作职业资格 through `app::social_workers`, as `PUT /api/v1/users/{id}/qualification`.

use super::paging::{ListQuery, Pager};
use super::{StaffForm, StaffVisit, head, see_other};
use crate::app::AppState;
use crate::app::{social_workers, staff};
use crate::domain::roles::Role;
use crate::domain::social_workers::QualificationLevel;
use crate::domain::units::tree_order;
use crate::error::codes::INVALID_FIELD;
use crate::error::{Error, Result};
use crate::http::access::scoped_unit;
use crate::http::extract::{Path, Query, SignedIn};
use crate::http::pages::texts::{Lang, Text};
use crate::http::render::{Head, page};
use crate::store::accounts::StaffAccount;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

pub const TEXTS: &[Text] = &[
    ("staff_title", "工作人员账号", "Staff accounts"),
    ("staff_search_hint", "账号或姓名", "Login or name"),
    ("staff_name", "姓名", "Name"),
    ("staff_roles", "角色", "Roles"),
    ("staff_no_roles", "尚未授予角色", "No role yet"),
    ("staff_new", "新建账号", "New staff account"),
    ("staff_create", "创建账号", "Create the account"),
    (
        "staff_password_hint",
        "密码（至少8个字符）",
        "Password (at least 8 characters)",
    ),
    ("staff_grant_title", "授予角色", "Grant a role"),
    (
        "staff_grant_hint",
        "先选择角色和单位，再点击对应账号的“授予”。",
        "Choose a role and a unit, then press Grant on the account.",
    ),
    ("staff_grant", "授予", "Grant"),
    (
        "staff_qualification",
        "社工职业资格",
        "Social-work qualification",
    ),
    ("staff_qualification_none", "无", "None"),
    ("staff_certificate_no", "证书编号", "Certificate number"),
    (
        "qualification_assistant",
        "助理社会工作师",
        "Assistant social worker",
    ),
    ("qualification_intermediate", "社会工作师", "Social worker"),
    (
        "qualification_senior",
        "高级社会工作师",
        "Senior social worker",
    ),
];

#[derive(Template)]
#[template(path = "console/staff.html")]
struct StaffPage {
    head: Head,
    lang: Lang,
    session: Option<SignedIn>,
    asked: ListQuery,
    accounts: Vec<AccountRow>,
    pager: Pager,
    /// The roles the caller may grant: (role, its name, whether chosen).
    roles: Vec<(&'static str, &'static str, bool)>,
    /// (id, name indented by its depth) of the units the caller administers, in tree order.
    units: Vec<(i64, String)>,
    account: AccountForm,
    grant: GrantForm,
    refused: Option<String>,
}

/// An account as listed: its roles each as (role's name, unit's name).
struct AccountRow {
    id: i64,
    login: String,
    name: String,
    grants: Vec<(&'static str, String)>,
    /// The name of the qualification held (empty for none) and its certificate number.
    level_name: &'static str,
    certificate_no: String,
    /// Each qualification level: (level, its name, whether held).
    levels: Vec<(&'static str, &'static str, bool)>,
}

fn level_name(lang: Lang, level: QualificationLevel) -> &'static str {
    lang.text(&format!("qualification_{}", level.as_str()))
}

fn role_name(lang: Lang, role: Role) -> &'static str {
    lang.text(&format!("role_{}", role.as_str()))
}

/// The new account's form as typed.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AccountForm {
    login: String,
    name: String,
    password: String,
}

/// The grant's form as typed, with the list (search and page) it was posted from.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct GrantForm {
    role: String,
    unit_id: String,
    q: String,
    page: String,
}

impl GrantForm {
    /// The list the form was posted from.
    fn listed(&self) -> ListQuery {
        listed(&self.q, &self.page)
    }
}

/// The list a form was posted from: its search and page.
fn listed(q: &str, page: &str) -> ListQuery {
    ListQuery {
        q: q.to_owned(),
        page: page.trim().parse().ok(),
    }
}

/// The qualification's form as typed (an empty level clears it), with the list it was posted
/// from.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct QualificationForm {
    level: String,
    certificate_no: String,
    q: String,
    page: String,
}

/// Where the list `asked` is.
fn list_path(asked: &ListQuery) -> String {
    let page = asked.page().to_string();
    let query =
        serde_urlencoded::to_string([("q", asked.q.as_str()), ("page", &page)]).unwrap_or_default();
    format!("/console/staff?{query}")
}

/// The staff page: one page of `asked`, the forms as given.
async fn render(
    state: &AppState,
    (session, lang): (SignedIn, Lang),
    asked: ListQuery,
    status: StatusCode,
    (account, grant): (AccountForm, GrantForm),
    refused: Option<String>,
) -> Result<Response> {
    let roots = session.caller.roots(&Role::ADMINS);
    if roots.is_empty() {
        return Err(Error::forbidden());
    }
    let mut accounts = state
        .store
        .staff_accounts(&roots, asked.search(), asked.limit(), asked.offset())
        .await?;
    let pager = asked.pager("/console/staff", &mut accounts);
    let mut units: Vec<_> = (state.store.units_within(&roots).await?)
        .into_iter()
        .map(|u| (tree_order(&u.path), u))
        .collect();
    units.sort_by(|(a, _), (b, _)| a.cmp(b));
    // Each unit's name indented by how deep it stands, as a select shows no tree.
    let units = units
        .into_iter()
        .map(|(ids, u)| {
            let indent = "\u{3000}".repeat(ids.len().saturating_sub(1));
            (u.id, format!("{indent}{}", u.name))
        })
        .collect();
    let roles = Role::ALL
        .into_iter()
        .filter(|r| staff::may_grant(&session.caller, *r))
        .map(|r| (r.as_str(), role_name(lang, r), r.as_str() == grant.role))
        .collect();
    let ids: Vec<i64> = accounts.iter().map(|a| a.id).collect();
    let mut qualifications = state.store.qualifications(&ids).await?;
    let accounts = accounts
        .into_iter()
        .map(|a: StaffAccount| {
            let q = qualifications.remove(&a.id);
            AccountRow {
                id: a.id,
                login: a.login,
                name: a.name,
                level_name: q.as_ref().map_or("", |q| level_name(lang, q.level)),
                levels: QualificationLevel::ALL
                    .into_iter()
                    .map(|l| {
                        let held = q.as_ref().is_some_and(|q| q.level == l);
                        (l.as_str(), level_name(lang, l), held)
                    })
                    .collect(),
                certificate_no: q.map(|q| q.certificate_no).unwrap_or_default(),
                grants: a
                    .grants
                    .into_iter()
                    .map(|g| (role_name(lang, g.role), g.unit_name))
                    .collect(),
            }
        })
        .collect();
    let view = StaffPage {
        head: head(lang),
        lang,
        session: Some(session),
        asked,
        accounts,
        pager,
        roles,
        units,
        // A password is never sent back.
        account: AccountForm {
            password: String::new(),
            ..account
        },
        grant,
        refused,
    };
    page(status, &view)
}

/// `/console/staff?q=…&page=N`: the staff accounts of the caller's units.
pub async fn staff_list(
    State(state): State<AppState>,
    StaffVisit { lang, session }: StaffVisit,
    Query(asked): Query<ListQuery>,
) -> Result<Response> {
    let forms = (AccountForm::default(), GrantForm::default());
    render(&state, (session, lang), asked, StatusCode::OK, forms, None).await
}

/// Creates a staff account and lists it, ready for its first role.
pub async fn create_account(
    State(state): State<AppState>,
    StaffForm {
        lang,
        session,
        form,
    }: StaffForm<AccountForm>,
) -> Result<Response> {
    let created = staff::create_account(
        &state,
        &session.caller,
        &form.login,
        form.password.clone(),
        &form.name,
    )
    .await;
    match created {
        Ok(account) => Ok(see_other(list_path(&ListQuery {
            q: account.login,
            page: None,
        }))),
        Err(e) if e.is_refusal() => {
            let forms = (form, GrantForm::default());
            let (status, why) = (e.status(), Some(e.to_string()));
            let asked = ListQuery::default();
            render(&state, (session, lang), asked, status, forms, why).await
        }
        Err(e) => Err(e),
    }
}

/// Grants the account `user_id` a role on a unit the caller administers, and returns to the
/// list it was granted from.
pub async fn grant(
    State(state): State<AppState>,
    Path(user_id): Path<i64>,
    StaffForm {
        lang,
        session,
        form,
    }: StaffForm<GrantForm>,
) -> Result<Response> {
    let caller = &session.caller;
    let granted = async {
        let role = Role::parse(&form.role)
            .ok_or_else(|| Error::invalid(INVALID_FIELD, "choose one of the roles listed"))?;
        let unit_id = form
            .unit_id
            .trim()
            .parse()
            .map_err(|_| Error::invalid(INVALID_FIELD, "choose one of the units listed"))?;
        let unit = scoped_unit(&state, caller, unit_id, &Role::ADMINS).await?;
        staff::grant(&state, caller, user_id, role, &unit).await
    }
    .await;
    let listed = form.listed();
    match granted {
        Ok(()) => Ok(see_other(list_path(&listed))),
        Err(
            e @ (Error::Invalid { .. }
            | Error::Conflict { .. }
            | Error::Forbidden { .. }
            | Error::NotFound(_)),
        ) => {
            let forms = (AccountForm::default(), form);
            let (status, why) = (e.status(), Some(e.to_string()));
            render(&state, (session, lang), listed, status, forms, why).await
        }
        Err(e) => Err(e),
    }
}

/// Records (or, with no level, clears) the social-work qualification of the account `user_id`,
/// for an admin of a unit where it holds a role, and returns to the list it was recorded from.
pub async fn set_qualification(
    State(state): State<AppState>,
    Path(user_id): Path<i64>,
    StaffForm {
        lang,
        session,
        form,
    }: StaffForm<QualificationForm>,
) -> Result<Response> {
    let level = Some(form.level.trim()).filter(|l| !l.is_empty());
    let recorded = social_workers::set_qualification(
        &state,
        &session.caller,
        user_id,
        level,
        Some(&form.certificate_no),
    )
    .await;
    let listed = listed(&form.q, &form.page);
    match recorded {
        Ok(_) => Ok(see_other(list_path(&listed))),
        Err(e) if e.is_refusal() => {
            let forms = (AccountForm::default(), GrantForm::default());
            let (status, why) = (e.status(), Some(e.to_string()));
            render(&state, (session, lang), listed, status, forms, why).await
        }
        Err(e) => Err(e),
    }
}
