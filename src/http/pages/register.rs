//! The phone registration page 实名注册 (`GET /register`): the fields of
//! `POST /api/v1/volunteers`, the streets and their communities to choose the home community from,
//! and what the service does with the personal information asked for, to agree to (PIPL). Its
//! script checks the ID number's check digit before sending, shows each refusal next to its
//! field, and once registered logs in and goes on to `next`: the scan page the volunteer came
//! from, which then records their scan, or their own page.

use crate::app::AppState;
use crate::app::units::{Street, streets_with_communities};
use crate::domain::qr;
use crate::error::Result;
use crate::http::extract::Query;
use crate::http::pages::texts::{Lang, Text};
use crate::http::render::{Head, page, script_json};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

/// Texts of the registration page, and of the ways to it from the other pages.
pub const TEXTS: &[Text] = &[
    ("register_title", "志愿者实名注册", "Volunteer registration"),
    (
        "register_intro",
        "注册后，扫描活动现场的二维码即可签到，服务时长自动记录。",
        "Once registered, scan the code at an activity to check in; your hours are recorded.",
    ),
    (
        "register_name",
        "姓名（与身份证一致）",
        "Full name (as on your ID card)",
    ),
    ("register_id_number", "身份证号", "Resident ID number"),
    (
        "register_phone",
        "手机号（用于登录）",
        "Mobile number (your login)",
    ),
    (
        "register_password",
        "设置密码（至少 8 个字符）",
        "Choose a password (at least 8 characters)",
    ),
    ("register_street", "所在街道", "Street"),
    ("register_choose_street", "请选择街道", "Choose your street"),
    ("register_community", "所在社区", "Community"),
    (
        "register_choose_community",
        "请选择社区",
        "Choose your community",
    ),
    ("register_skills", "技能（可不填）", "Skills (optional)"),
    (
        "register_categories",
        "愿意参加的服务类别（可不填）",
        "Kinds of service you would like to do (optional)",
    ),
    (
        "register_list_hint",
        "多项用“、”隔开，如：急救、理发",
        "Separate entries with commas, e.g. first aid, haircuts",
    ),
    (
        "register_notice_title",
        "个人信息处理告知",
        "How your personal information is handled",
    ),
    (
        "register_notice_what_lead",
        "收集什么：",
        "What we collect: ",
    ),
    (
        "register_notice_what",
        "姓名、身份证号、手机号、所在社区、技能和服务类别；性别和出生日期由身份证号得出。参加活动时，记录签到、签退的时间，以及您允许时的签到位置。",
        "your name, ID number, mobile number, community, skills and kinds of service; your gender and date of birth come from the ID number. At activities, the times you check in and out, and where you were when you allow it.",
    ),
    ("register_notice_why_lead", "为什么：", "Why: "),
    (
        "register_notice_why",
        "志愿服务须实名记录（《志愿服务条例》《志愿服务记录与证明出具办法》）。这些信息用于登记您的志愿者身份、记录服务时长、出具服务证明，以及活动负责人和社区与您联系。身份证号是敏感个人信息，只用于核实身份和防止重复注册。",
        "volunteer service is recorded under the volunteer's real name (Volunteer Service Regulations; Measures on Volunteer Service Records and Certificates). We use it to register you as a volunteer, record your hours, issue certificates, and let organizers and your community contact you. Your ID number is sensitive personal information, used only to confirm who you are and to prevent double registration.",
    ),
    ("register_notice_keep_lead", "保存多久：", "How long: "),
    (
        "register_notice_keep",
        "在您注册期间保存。注销后，姓名、身份证号和手机号将被删除，服务时长只以不含个人身份的方式保留，用于统计。",
        "for as long as you are registered. If you withdraw, your name, ID number and mobile number are erased; your hours are kept only anonymously, for statistics.",
    ),
    ("register_notice_who_lead", "谁能看到：", "Who sees it: "),
    (
        "register_notice_who",
        "您所在社区、街道和区的社工与管理员；您参加的活动的负责人（可看到姓名和手机号，以便联系）。身份证号加密保存，页面只显示部分号码，只有区管理员在必要时可查看完整号码，且每次查看都有记录。您的服务证明可由持证明编号者核验；如获评优秀志愿者，公示时公开姓名、志愿者编号、所在社区和服务时长。",
        "the social workers and administrators of your community, street and district, and the organizers of the activities you join (your name and mobile number, to contact you). Your ID number is stored encrypted and shown only in part; only a district administrator may see it in full when necessary, and each time is recorded. Anyone holding one of your certificates' numbers can verify it; if you are chosen as an outstanding volunteer, the public notice shows your name, volunteer number, community and hours.",
    ),
    (
        "register_consent",
        "我已阅读以上告知，同意按上述方式处理我的个人信息，包括身份证号这一敏感个人信息。",
        "I have read the above and agree to my personal information, my ID number included, being handled as described.",
    ),
    ("register_submit", "同意并注册", "Agree and register"),
    ("register_sending", "正在注册…", "Registering…"),
    (
        "register_have_account",
        "已经注册过？去登录",
        "Already registered? Log in",
    ),
    ("register_required", "请填写此项", "Please fill this in"),
    (
        "register_id_format",
        "身份证号应为 18 位：前 17 位是数字，最后一位是数字或 X",
        "An ID number has 18 characters: 17 digits, then a digit or X",
    ),
    (
        "register_id_check_digit",
        "身份证号最后一位（校验位）不对，请对照身份证核对",
        "The last character (the check digit) does not match: please check against your ID card",
    ),
    (
        "register_invalid_id_number",
        "身份证号无效，请对照身份证核对",
        "This ID number is not valid: please check it against your ID card",
    ),
    (
        "register_duplicate_id_number",
        "这个身份证号已经注册过，请直接登录；忘记密码请携带身份证到所在社区重置",
        "This ID number is already registered: log in instead, or, if you forgot the password, bring your ID card to your community to have it reset",
    ),
    (
        "register_invalid_phone",
        "请填写 11 位中国大陆手机号",
        "Enter an 11-digit mainland China mobile number",
    ),
    (
        "register_duplicate_phone",
        "这个手机号已被其他账号使用",
        "Another account already uses this mobile number",
    ),
    (
        "register_weak_password",
        "密码须为 8 至 256 个字符",
        "A password has 8 to 256 characters",
    ),
    (
        "register_invalid_name",
        "姓名须为 1 至 50 个字，不含控制字符",
        "A name has 1 to 50 characters and no control characters",
    ),
    (
        "register_invalid_community",
        "请选择所在社区",
        "Choose your community",
    ),
    (
        "register_invalid_tags",
        "至多 20 项，每项至多 30 个字",
        "At most 20 entries of at most 30 characters each",
    ),
    (
        "register_consent_required",
        "请阅读告知并勾选同意后再注册",
        "Tick the box to agree before registering",
    ),
    (
        "register_too_many_attempts",
        "这个网络的注册次数过多，请稍后再试",
        "Too many registrations from this network; please try again later",
    ),
    (
        "register_failed",
        "注册未成功，请稍后再试",
        "The registration did not go through; please try again later",
    ),
    (
        "register_network",
        "网络不稳定，注册未完成，请重试",
        "The connection is unstable and the registration is not done; please try again",
    ),
    (
        "register_done_log_in",
        "注册成功。请用手机号和密码登录。",
        "You are registered. Please log in with your mobile number and password.",
    ),
    (
        "register_link",
        "还没有注册？实名注册",
        "Not registered yet? Register",
    ),
    (
        "landing_register",
        "新志愿者实名注册",
        "Register as a volunteer",
    ),
    (
        "forgot_password",
        "忘记密码？请携带身份证到所在社区，由社区管理员重置",
        "Forgot your password? Bring your ID card to your community, whose administrator will reset it",
    ),
];

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RegisterQuery {
    next: String,
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    head: Head,
    lang: Lang,
    streets: Vec<Street>,
    /// Where the volunteer goes once registered (see [`next_page`]).
    next: String,
    /// What the script reads: the texts and `next`; made safe by `script_json`.
    data: String,
}

/// `GET /register`: the registration form, in the language asked for.
pub async fn register_page(
    State(state): State<AppState>,
    lang: Lang,
    Query(q): Query<RegisterQuery>,
) -> Result<Response> {
    let next = next_page(&q.next).to_owned();
    let data = script_json(&json!({"t": lang.texts(), "next": next}));
    let view = RegisterPage {
        head: Head {
            lang: lang.text("html_lang"),
            title: lang.text("register_title").to_owned(),
        },
        lang,
        streets: streets_with_communities(&state).await?,
        next,
        data,
    };
    page(StatusCode::OK, &view)
}

/// Where a volunteer goes once registered: `asked` when it is a scan page, `/s/` and a code of
/// the form a QR code holds (its signature and freshness the scan page checks), else their own
/// page. Never anywhere else, on this site or another.
fn next_page(asked: &str) -> &str {
    let scan_code = asked.strip_prefix("/s/").filter(|code| {
        code.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
            && qr::parse(code).is_ok()
    });
    match scan_code {
        Some(_) => asked,
        None => "/me",
    }
}

#[cfg(test)]
mod tests {
    use super::next_page;
    use crate::domain::qr;
    use crate::error::codes::{
        CONSENT_REQUIRED, DUPLICATE_ID_NUMBER, DUPLICATE_PHONE, INVALID_COMMUNITY,
        INVALID_ID_NUMBER, INVALID_NAME, INVALID_PHONE, INVALID_TAGS, TOO_MANY_ATTEMPTS,
        WEAK_PASSWORD,
    };
    use crate::http::pages::texts::Lang;

    /// The page's script shows `register_<code>` for each refusal of `POST /api/v1/volunteers`.
    #[test]
    fn every_refusal_of_a_registration_has_its_own_words() {
        let refusals = [
            INVALID_NAME,
            INVALID_ID_NUMBER,
            DUPLICATE_ID_NUMBER,
            INVALID_PHONE,
            DUPLICATE_PHONE,
            WEAK_PASSWORD,
            INVALID_COMMUNITY,
            INVALID_TAGS,
            CONSENT_REQUIRED,
            TOO_MANY_ATTEMPTS,
        ];
        for lang in [Lang::Zh, Lang::En] {
            for code in refusals {
                assert_ne!(lang.text(&format!("register_{code}")), "", "{code}");
            }
        }
    }

    #[test]
    fn only_a_scan_page_or_the_volunteers_own_page_comes_next() {
        let scan = format!("/s/{}", qr::code(&[7; 32], b"secret", 42, None));
        let rotating = format!("/s/{}", qr::code(&[7; 32], b"secret", 42, Some(9)));
        assert_eq!(next_page(&scan), scan);
        assert_eq!(next_page(&rotating), rotating);
        for elsewhere in [
            "",
            "/me",
            "/console",
            "//evil.example/s/x",
            "https://evil.example/s/1.abcdefghijkl",
            "/s/../console",
            "/s/1.abcdefghijkl/../../console",
            "/s/1.abcdefghijkl?next=//evil.example",
            "/s/not-a-code",
            "javascript:alert(1)",
            "/s/%2F%2Fevil.example",
        ] {
            assert_eq!(next_page(elsewhere), "/me", "{elsewhere:?}");
        }
    }
}
