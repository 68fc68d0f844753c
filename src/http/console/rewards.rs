//! Partners 合作商家 and rewards 积分兑换 in the console: those of a unit the caller administers
//! and the units under it; registering a partner, offering a reward, setting its stock and
//! withdrawing or offering it again — through `app::rewards` and the access checks of
//! `/api/v1/partners` and `/api/v1/rewards`.

use super::paging::Pager;
use super::scope::{Scope, UnitList, UnitQuery, named_unit};
use super::{StaffForm, StaffVisit, head, see_other};
use crate::app::AppState;
use crate::app::rewards::{self, RewardDraft};
use crate::domain::roles::Role;
use crate::error::codes::{INVALID_FIELD, INVALID_POINTS_COST, INVALID_STOCK};
use crate::error::{Error, Result};
use crate::http::access::{administered_partner, administered_reward};
use crate::http::extract::{Path, Query, SignedIn};
use crate::http::pages::texts::{Lang, Text};
use crate::http::render::{Head, page};
use crate::store::Unit;
use crate::store::rewards::{Partner, Reward};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

pub const TEXTS: &[Text] = &[
    ("rewards_partners", "合作商家", "Partners"),
    ("rewards_partner", "商家", "Partner"),
    ("rewards_partner_name", "商家名称", "Partner's name"),
    ("rewards_add_partner", "添加合作商家", "Add a partner"),
    ("rewards_list", "积分兑换", "Rewards"),
    ("rewards_add", "添加兑换物品", "Add a reward"),
    ("rewards_name", "物品名称", "Reward"),
    (
        "rewards_description",
        "说明（可不填）",
        "Description (optional)",
    ),
    ("rewards_points", "所需积分", "Points"),
    ("rewards_stock", "库存", "Stock"),
    ("rewards_set_stock", "更新库存", "Set stock"),
    ("rewards_state", "状态", "State"),
    ("rewards_active", "兑换中", "Offered"),
    ("rewards_inactive", "已下架", "Withdrawn"),
    ("rewards_deactivate", "下架", "Withdraw"),
    ("rewards_activate", "重新上架", "Offer again"),
    (
        "rewards_no_partner",
        "请先添加合作商家。",
        "Add a partner first.",
    ),
];

#[derive(Template)]
#[template(path = "console/rewards.html")]
struct RewardsPage {
    head: Head,
    lang: Lang,
    session: Option<SignedIn>,
    units: Vec<Unit>,
    /// The unit shown.
    unit: Unit,
    partners: Vec<Partner>,
    rewards: Vec<Reward>,
    pager: Pager,
    /// The new reward's form as typed, when it was refused.
    reward_form: RewardForm,
    partner_name: String,
    refused: Option<String>,
}

impl RewardsPage {
    /// The name of the unit `id` among those offered.
    fn unit_name(&self, id: &i64) -> &str {
        self.units
            .iter()
            .find(|u| u.id == *id)
            .map_or("", |u| u.name.as_str())
    }
}

/// Every form of the page names the unit shown (`unit_id`), where the browser returns.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PartnerForm {
    unit_id: String,
    name: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RewardForm {
    unit_id: String,
    partner_id: String,
    name: String,
    description: String,
    points_cost: String,
    stock: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StockForm {
    unit_id: String,
    stock: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActiveForm {
    unit_id: String,
    /// `true` or `false`.
    active: String,
}

/// `text` as a whole number, else the 422 `code` with `message`.
fn whole(text: &str, code: &'static str, message: &'static str) -> Result<i64> {
    text.trim()
        .parse()
        .map_err(|_| Error::invalid(code, message))
}

fn stock(text: &str) -> Result<i64> {
    whole(text, INVALID_STOCK, "stock is a whole number")
}

impl RewardForm {
    fn draft(&self) -> Result<RewardDraft> {
        Ok(RewardDraft {
            name: self.name.clone(),
            description: self.description.clone(),
            points_cost: whole(
                &self.points_cost,
                INVALID_POINTS_COST,
                "points are a whole number",
            )?,
            stock: stock(&self.stock)?,
        })
    }
}

/// 303 to the page of the unit a form names.
fn back_to(unit_id: &str) -> Response {
    match unit_id.trim().parse::<i64>() {
        Ok(id) => see_other(format!("/console/rewards?unit_id={id}")),
        Err(_) => see_other("/console/rewards"),
    }
}

/// What a refused form shows again: the new reward's fields, or the new partner's name.
#[derive(Default)]
struct Typed {
    reward: RewardForm,
    partner_name: String,
}

/// The page of the unit `asked` names (empty: the caller's first), answered with `status`.
async fn render(
    state: &AppState,
    (session, lang): (SignedIn, Lang),
    asked: &UnitQuery,
    status: StatusCode,
    typed: Typed,
    refused: Option<String>,
) -> Result<Response> {
    let Scope { units, unit } =
        Scope::of(state, &session.caller, &Role::ADMINS, &asked.unit_id).await?;
    let pages = UnitList::new("/console/rewards", &unit, asked.page);
    let mut rewards = state
        .store
        .rewards_within(&unit.path, pages.window())
        .await?;
    let pager = pages.pager(&mut rewards);
    let view = RewardsPage {
        head: head(lang),
        lang,
        session: Some(session),
        partners: state.store.partners_within(&unit.path).await?,
        units,
        unit,
        rewards,
        pager,
        reward_form: typed.reward,
        partner_name: typed.partner_name,
        refused,
    };
    page(status, &view)
}

/// What a form's `outcome` answers: back to the page of the unit it names when done; the page
/// again, saying why, when refused (nothing was changed); any other failure as it is.
async fn answer<T>(
    state: &AppState,
    visit: (SignedIn, Lang),
    (unit_id, typed): (String, Typed),
    outcome: Result<T>,
) -> Result<Response> {
    match outcome {
        Ok(_) => Ok(back_to(&unit_id)),
        Err(e) if e.is_refusal() => {
            let asked = UnitQuery {
                unit_id,
                page: None,
            };
            render(state, visit, &asked, e.status(), typed, Some(e.to_string())).await
        }
        Err(e) => Err(e),
    }
}

/// `/console/rewards`: for unit and district admins.
pub async fn rewards_page(
    State(state): State<AppState>,
    StaffVisit { lang, session }: StaffVisit,
    Query(asked): Query<UnitQuery>,
) -> Result<Response> {
    let typed = Typed::default();
    render(&state, (session, lang), &asked, StatusCode::OK, typed, None).await
}

/// Registers a partner at the unit shown.
pub async fn create_partner(
    State(state): State<AppState>,
    StaffForm {
        lang,
        session,
        form,
    }: StaffForm<PartnerForm>,
) -> Result<Response> {
    let caller = &session.caller;
    let unit = named_unit(&state, caller, &form.unit_id, &Role::ADMINS).await?;
    let created = rewards::create_partner(&state.store, &unit, &form.name, caller.user_id).await;
    let typed = Typed {
        partner_name: form.name,
        ..Typed::default()
    };
    answer(&state, (session, lang), (form.unit_id, typed), created).await
}

/// Offers a reward from one of the partners shown.
pub async fn create_reward(
    State(state): State<AppState>,
    StaffForm {
        lang,
        session,
        form,
    }: StaffForm<RewardForm>,
) -> Result<Response> {
    let caller = &session.caller;
    let partner_id = form
        .partner_id
        .trim()
        .parse()
        .map_err(|_| Error::NotFound("partner"))?;
    let partner = administered_partner(&state, caller, partner_id).await?;
    let created = async {
        let draft = form.draft()?;
        rewards::create_reward(&state.store, &partner, &draft, caller.user_id).await
    }
    .await;
    let unit_id = form.unit_id.clone();
    let typed = Typed {
        reward: form,
        ..Typed::default()
    };
    answer(&state, (session, lang), (unit_id, typed), created).await
}

/// Sets a reward's stock to what was counted.
pub async fn set_stock(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    StaffForm {
        lang,
        session,
        form,
    }: StaffForm<StockForm>,
) -> Result<Response> {
    let caller = &session.caller;
    let reward = administered_reward(&state, caller, id).await?;
    let changed = async {
        let stock = stock(&form.stock)?;
        rewards::set_stock(&state.store, &reward, stock, caller.user_id).await
    }
    .await;
    let typed = Typed::default();
    answer(&state, (session, lang), (form.unit_id, typed), changed).await
}

/// Withdraws a reward or offers it again.
pub async fn set_active(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    StaffForm {
        lang,
        session,
        form,
    }: StaffForm<ActiveForm>,
) -> Result<Response> {
    let caller = &session.caller;
    let reward = administered_reward(&state, caller, id).await?;
    let changed = async {
        let active = match form.active.as_str() {
            "true" => true,
            "false" => false,
            _ => return Err(Error::invalid(INVALID_FIELD, "active is true or false")),
        };
        rewards::set_active(&state.store, &reward, active, caller.user_id).await
    }
    .await;
    let typed = Typed::default();
    answer(&state, (session, lang), (form.unit_id, typed), changed).await
}
