//! The phone pages' texts in Simplified Chinese (the default) and English, and which of the two a
//! request asks for: `?lang=en`, or else an English-first `Accept-Language`.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use serde::Deserialize;
use std::convert::Infallible;

#[derive(Deserialize, Default)]
pub struct LangQuery {
    lang: Option<String>,
}

#[derive(Clone, Copy)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn of(q: &LangQuery, headers: &HeaderMap) -> Lang {
        let asked = q
            .lang
            .as_deref()
            .or_else(|| headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok());
        match asked {
            Some(l) if l.trim_start().to_ascii_lowercase().starts_with("en") => Lang::En,
            _ => Lang::Zh,
        }
    }

    /// Every text in this language, by key: what the page's script shows.
    pub fn texts(self) -> serde_json::Map<String, serde_json::Value> {
        all_texts()
            .map(|&(key, zh, en)| (key.to_owned(), self.pick(zh, en).into()))
            .collect()
    }

    /// The text under `key` in this language.
    pub fn text(self, key: &str) -> &'static str {
        all_texts()
            .find(|(k, _, _)| *k == key)
            .map_or("", |&(_, zh, en)| self.pick(zh, en))
    }

    fn pick(self, zh: &'static str, en: &'static str) -> &'static str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

/// The language a request asks for, as an extractor.
impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Lang, Infallible> {
        let asked = axum::extract::Query::<LangQuery>::try_from_uri(&parts.uri)
            .map(|q| q.0)
            .unwrap_or_default();
        Ok(Lang::of(&asked, &parts.headers))
    }
}

/// A page text: key, Simplified Chinese, English.
pub type Text = (&'static str, &'static str, &'static str);

/// The texts of every part of the site, each kept beside the pages that show it.
fn all_texts() -> impl Iterator<Item = &'static Text> {
    let console = crate::http::console::TEXT_SECTIONS;
    TEXTS
        .iter()
        .chain(super::register::TEXTS)
        .chain(crate::http::notice::TEXTS)
        .chain(crate::http::activity_pages::TEXTS)
        .chain(crate::http::personal_codes::TEXTS)
        .chain(crate::http::redemptions::TEXTS)
        .chain(super::me::TEXTS)
        .chain(console.iter().flat_map(|section| section.iter()))
}

/// Texts of the phone pages and the console's first pages.
const TEXTS: &[(&str, &str, &str)] = &[
    ("html_lang", "zh-CN", "en"),
    // The landing page and the staff console.
    ("landing_title", "志愿服务", "Volunteer service"),
    (
        "landing_volunteer",
        "志愿者：查看服务时长、星级、积分和证明。",
        "Volunteers: your hours, stars, points and certificates.",
    ),
    ("landing_me", "志愿者登录", "Volunteer login"),
    (
        "landing_staff",
        "活动负责人、社工和管理员：进入工作台。",
        "Organizers, social workers and administrators: the staff console.",
    ),
    ("landing_console", "进入工作台", "Open the console"),
    (
        "console_title",
        "志愿服务工作台",
        "Volunteer service console",
    ),
    ("console_login", "工作人员登录", "Staff login"),
    ("console_login_button", "登录", "Log in"),
    ("login_name", "账号", "Login"),
    ("logout", "退出登录", "Log out"),
    (
        "console_staff_only",
        "工作台仅供工作人员使用；志愿者请前往“我的”页面。",
        "The console is for staff; volunteers, please use your own page.",
    ),
    ("your_roles", "您的角色", "Your roles"),
    ("my_activities", "我的活动", "My activities"),
    ("to_confirm", "待确认时长", "Hours to confirm"),
    ("under_way", "进行中", "Under way"),
    ("upcoming", "即将开始", "Coming up"),
    ("nothing_listed", "暂无", "None"),
    ("activity", "活动", "Activity"),
    ("ended_on", "结束日期", "Ended"),
    ("unreviewed", "待确认人数", "To confirm"),
    ("deadline", "确认截止", "Deadline"),
    ("days_left", "剩余工作日", "working days left:"),
    ("overdue", "已逾期", "overdue"),
    ("door_screen_link", "门口大屏", "Door screen"),
    ("poster_link", "打印海报", "Poster"),
    ("attendances", "签到记录", "Attendances"),
    ("new_activity", "发布活动", "New activity"),
    ("unit", "所属单位", "Unit"),
    ("activity_title", "活动名称", "Title"),
    ("date", "日期", "Date"),
    ("starts", "开始时间", "Starts"),
    ("end_date", "结束日期", "End date"),
    ("ends", "结束时间", "Ends"),
    ("place", "服务地点", "Place"),
    ("content", "服务内容", "What volunteers do"),
    ("category", "服务类别", "Category"),
    (
        "organiser",
        "组织单位（默认为所属单位）",
        "Organiser (default: the unit)",
    ),
    (
        "person_in_charge",
        "负责人（默认为本人）",
        "Person in charge (default: you)",
    ),
    ("capacity", "人数上限（可不填）", "Capacity (optional)"),
    ("qr_mode", "签到码", "Check-in code"),
    ("qr_static", "固定码（打印海报）", "Fixed (printed poster)"),
    (
        "qr_rotating",
        "动态码（门口屏幕，每30秒更新）",
        "Rotating (door screen, every 30 s)",
    ),
    ("create", "发布", "Create"),
    ("save", "保存", "Save"),
    ("edit_activity", "编辑活动", "Edit"),
    ("copy_activity", "复制为新活动", "Copy as new"),
    ("cancel_activity", "取消活动", "Cancel the activity"),
    (
        "cancel_confirm",
        "确认取消（签到码将立即失效）",
        "Yes, cancel it (its codes stop working)",
    ),
    (
        "cancelled_notice",
        "活动已取消",
        "This activity is cancelled",
    ),
    ("confirm_all", "确认全部已签退", "Confirm all checked out"),
    ("confirm", "确认", "Confirm"),
    ("adjust", "调整", "Adjust"),
    ("reject", "不予认定", "Reject"),
    ("rejected", "不予认定", "rejected"),
    ("reason", "原因", "Reason"),
    ("minutes", "分钟", "min"),
    ("fraudulent", "虚假签到", "fraudulent"),
    (
        "outside_fence",
        "签到位置在活动范围外",
        "outside the activity's area",
    ),
    ("review_refused", "未作任何更改：", "Nothing was changed:"),
    ("role_organizer", "活动负责人", "Organizer"),
    ("role_social_worker", "社工", "Social worker"),
    ("role_unit_admin", "站点管理员", "Unit administrator"),
    ("role_committee", "评选委员会", "Selection committee"),
    ("role_district_admin", "区管理员", "District administrator"),
    ("title", "志愿服务签到", "Volunteer check-in"),
    ("working", "正在签到…", "Checking in…"),
    ("login_title", "请先登录", "Please log in"),
    ("phone", "手机号", "Mobile number"),
    ("password", "密码", "Password"),
    ("login", "登录并签到", "Log in and check in"),
    (
        "login_failed",
        "手机号或密码不正确",
        "Wrong mobile number or password",
    ),
    (
        "locked",
        "尝试次数过多，请稍后再试",
        "Too many attempts; try again later",
    ),
    (
        "busy",
        "系统繁忙，请几秒后再试",
        "The service is busy; try again in a few seconds",
    ),
    (
        "location_note",
        "为核实到场，将请求您的位置（可拒绝，不影响签到）。",
        "We ask for your location to confirm attendance (you may decline; the scan still counts).",
    ),
    ("checked_in", "签到成功", "Checked in"),
    ("checked_out", "已签退", "Checked out"),
    ("auto_closed", "已由系统结束签到", "Closed by the system"),
    ("hours_unit", "小时", "h"),
    (
        "repeat",
        "刚才已记录，无需重复扫码",
        "Already recorded a moment ago",
    ),
    (
        "outside_geofence",
        "您的位置不在活动地点附近，已记录供负责人核实。",
        "Your position is away from the venue; it was recorded for the organizer.",
    ),
    (
        "invalid_qr",
        "二维码无效或已过期，请重新扫描现场的二维码。",
        "This code is not valid or has expired. Scan the code at the venue again.",
    ),
    (
        "outside_window",
        "现在不在签到时间内（活动开始前30分钟至结束）。",
        "Check-in is open from 30 minutes before the start until the end.",
    ),
    (
        "activity_cancelled",
        "活动已取消。",
        "This activity was cancelled.",
    ),
    ("activity_full", "活动名额已满。", "This activity is full."),
    (
        "not_a_volunteer",
        "请使用志愿者账号登录。",
        "Please log in with a volunteer account.",
    ),
    (
        "network",
        "网络不稳定，签到未完成。",
        "The connection is unstable; the scan is not done yet.",
    ),
    ("retry", "重试", "Try again"),
    (
        "error",
        "签到未成功，请联系活动负责人。",
        "The scan did not work. Please ask the organizer.",
    ),
    (
        "door_hint",
        "请用手机相机扫码签到 · 二维码每30秒更新",
        "Scan with your phone camera · the code changes every 30 s",
    ),
    ("present", "已签到", "Checked in"),
    ("door_login", "活动负责人登录", "Organizer log in"),
    ("door_login_name", "账号", "Login"),
    (
        "door_login_failed",
        "账号或密码不正确",
        "Wrong login or password",
    ),
    (
        "door_denied",
        "当前账号不能显示此活动的签到屏，请用活动负责人账号登录。",
        "This account cannot show this activity's door screen. Log in as its organizer.",
    ),
    ("me_title", "我的志愿服务", "My volunteer service"),
    ("year_hours", "本年服务时长", "Service this year"),
    ("lifetime", "累计时长", "All years"),
    ("stars", "星级", "Stars"),
    ("points", "积分", "Points"),
    ("study", "培训学时", "Training hours"),
    ("evaluation", "评价：", "rated "),
    ("rating_excellent", "优秀", "excellent"),
    ("rating_good", "良好", "good"),
    ("rating_pass", "合格", "pass"),
    ("rating_fail", "不合格", "fail"),
    ("backbone_yes", "骨干志愿者", "Backbone volunteer"),
    (
        "backbone_no",
        "尚未成为骨干志愿者",
        "Not a backbone volunteer yet",
    ),
    ("awards", "荣誉", "Awards"),
    ("no_awards", "暂无表彰奖励", "No awards yet"),
    (
        "award_certificate",
        "出具荣誉证书",
        "Issue the award certificate",
    ),
    (
        "certificate_failed",
        "证书未能出具，请稍后再试",
        "The certificate could not be issued; try again later",
    ),
    ("records", "服务记录", "Service records"),
    (
        "no_records",
        "本年还没有服务记录",
        "No service records this year yet",
    ),
    ("src_qr", "扫码", "scanned"),
    ("src_auto_close", "系统签退", "closed by system"),
    ("src_manual", "补录", "recorded by organizer"),
    ("src_correction", "更正", "correction"),
    ("src_import", "导入", "imported"),
    ("reports", "我的纠错", "My reports"),
    ("report_open", "处理中", "open"),
    ("report_accepted", "已更正", "corrected"),
    ("report_declined", "未采纳", "declined"),
    ("log_in", "登录", "Log in"),
    ("confirmed", "已确认", "confirmed"),
    ("adjusted", "已调整", "adjusted"),
];

#[cfg(test)]
mod tests {
    use super::all_texts;
    use std::collections::HashSet;

    /// Every `lang.text("…")` in a template names a text that exists: a missing one would show
    /// as nothing.
    #[test]
    fn every_key_a_template_shows_exists() {
        let keys: HashSet<&str> = all_texts().map(|(key, _, _)| *key).collect();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut files = vec![dir];
        let mut missing = Vec::new();
        while let Some(path) = files.pop() {
            if path.is_dir() {
                files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for (at, call) in text.match_indices("lang.text(\"") {
                let rest = &text[at + call.len()..];
                let key = &rest[..rest.find('"').unwrap()];
                if !keys.contains(key) {
                    missing.push(format!("{}: {key}", path.display()));
                }
            }
        }
        assert!(missing.is_empty(), "texts missing: {missing:#?}");
    }

    #[test]
    fn every_text_key_is_used_once() {
        let mut seen = HashSet::new();
        for (key, _, _) in all_texts() {
            assert!(seen.insert(key), "the text key {key:?} is defined twice");
        }
    }
}
