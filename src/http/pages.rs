//! Server-rendered pages: the phone page a scanned QR code opens, and the organizer's door screen
//! with the rotating code. Self-contained (no CDN), Simplified Chinese by default, English with
//! `?lang=en` or an English-first `Accept-Language`.

use crate::app::AppState;
use crate::domain::qr;
use crate::domain::roles::Caller;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use serde::Deserialize;
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/s/{code}", get(scan_page))
        .route("/activities/{id}/display", get(door_screen))
        .route("/me", get(my_page))
}

#[derive(Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
}

#[derive(Clone, Copy, PartialEq)]
enum Lang {
    Zh,
    En,
}

fn lang(q: &LangQuery, headers: &HeaderMap) -> Lang {
    let asked = q
        .lang
        .as_deref()
        .or_else(|| headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok());
    match asked {
        Some(l) if l.trim_start().to_ascii_lowercase().starts_with("en") => Lang::En,
        _ => Lang::Zh,
    }
}

/// Texts of the pages: key, Simplified Chinese, English.
const TEXTS: &[(&str, &str, &str)] = &[
    ("html_lang", "zh-CN", "en"),
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
    ("me_title", "我的志愿服务", "My volunteer service"),
    ("year_hours", "本年服务时长", "Service this year"),
    ("lifetime", "累计时长", "All years"),
    ("stars", "星级", "Stars"),
    ("points", "积分", "Points"),
    ("study", "培训学时", "Training hours"),
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

/// The texts of the pages, by key, in the page's language.
fn texts(lang: Lang) -> serde_json::Value {
    let pick = |(key, zh, en): &(&str, &str, &str)| {
        (
            key.to_string(),
            json!(if lang == Lang::Zh { zh } else { en }),
        )
    };
    serde_json::Value::Object(TEXTS.iter().map(pick).collect())
}

const STYLE: &str = "*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,'PingFang SC','Microsoft YaHei',sans-serif;color:#1a1a1a;background:#f5f5f5}
main{max-width:480px;margin:0 auto;padding:16px}h1{font-size:20px;margin:8px 0 16px}
.card{background:#fff;border-radius:12px;padding:20px;margin-bottom:16px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
label{display:block;margin:12px 0 4px;font-size:14px;color:#555}input{width:100%;font-size:18px;padding:12px;border:1px solid #ccc;border-radius:8px}
button{width:100%;margin-top:16px;font-size:18px;padding:14px;border:0;border-radius:8px;background:#c8102e;color:#fff}
table{width:100%;border-collapse:collapse;font-size:14px}td{padding:6px 2px;border-top:1px solid #eee;vertical-align:top}td.h{text-align:right;white-space:nowrap}
.stats{display:flex;flex-wrap:wrap;gap:8px}.stat{flex:1 1 40%;background:#fafafa;border-radius:8px;padding:8px}.stat b{display:block;font-size:22px}
.ok{color:#137333}.bad{color:#b3261e}.big{font-size:24px;font-weight:600}.note{font-size:13px;color:#666}[hidden]{display:none}";

fn page(lang: Lang, body: &str, script: &str, data: serde_json::Value) -> impl IntoResponse {
    let t = texts(lang);
    // `</` cannot end the script element from inside JSON.
    let data = data.to_string().replace("</", "<\\/");
    let html = format!(
        r#"<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>{title}</title><style>{STYLE}</style></head><body><main>{body}</main><script>const DATA={data};const T=DATA.t;{script}</script></body></html>"#,
        lang = t["html_lang"].as_str().unwrap_or("zh-CN"),
        title = t["title"].as_str().unwrap_or(""),
    );
    ([(header::CACHE_CONTROL, "no-store")], Html(html))
}

const SCAN_BODY: &str = r#"<h1 id="title"></h1>
<div class="card" id="login" hidden><div class="big" id="login-title"></div>
<form id="login-form"><label for="phone" id="phone-label"></label><input id="phone" name="phone" type="tel" autocomplete="username" inputmode="tel" required>
<label for="password" id="password-label"></label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button id="login-button" type="submit"></button><p class="bad" id="login-error"></p></form></div>
<div class="card" id="status"><div class="big" id="result"></div><p id="detail"></p><p class="note" id="note"></p>
<button id="retry" hidden></button></div>"#;

const SCAN_SCRIPT: &str = r#"
const $=id=>document.getElementById(id);
const sleep=ms=>new Promise(r=>setTimeout(r,ms));
const hhmm=ts=>{const d=new Date(Date.parse(ts)+DATA.offset_minutes*60000);return String(d.getUTCHours()).padStart(2,'0')+':'+String(d.getUTCMinutes()).padStart(2,'0')};
async function post(url,body){for(let i=0;;i++){try{const r=await fetch(url,{method:'POST',credentials:'same-origin',headers:{'content-type':'application/json'},body:JSON.stringify(body)});
if(r.status>=500&&i<2){await sleep(1500*(i+1));continue}return[r.status,await r.json().catch(()=>({}))]}catch(e){if(i>=2)return[0,{}];await sleep(1500*(i+1))}}}
function position(){return new Promise(done=>{if(!navigator.geolocation)return done({});const t=setTimeout(()=>done({}),3500);
navigator.geolocation.getCurrentPosition(p=>{clearTimeout(t);done({lat:p.coords.latitude,lon:p.coords.longitude})},()=>{clearTimeout(t);done({})},{timeout:3000,maximumAge:300000})})}
function show(cls,text,detail,note){$('status').hidden=false;$('result').className='big '+cls;$('result').textContent=text;$('detail').textContent=detail||'';$('note').textContent=note||''}
async function scan(){$('retry').hidden=true;show('',T.working,'',T.location_note);const pos=await position();const[status,b]=await post('/api/v1/scans',Object.assign({url:DATA.code},pos));
if(status===401){$('login').hidden=false;$('status').hidden=true;return}
if(status===200){$('title').textContent=b.activity_title;const note=(b.changed?'':T.repeat)+(b.outside_geofence?' '+T.outside_geofence:'');
if(b.state==='checked_in')show('ok',T.checked_in+' '+hhmm(b.checked_in_at)+' · '+b.activity_title,'',note);
else show('ok',(b.state==='auto_closed'?T.auto_closed:T.checked_out)+' · '+b.hours+' '+T.hours_unit,b.activity_title,note);return}
if(status===0||status>=500){show('bad',T.network);$('retry').hidden=false;return}
show('bad',T[b.error]||T.error,b.message||'')}
$('title').textContent=DATA.activity_title||T.title;$('login-title').textContent=T.login_title;$('phone-label').textContent=T.phone;$('password-label').textContent=T.password;
$('login-button').textContent=T.login;$('retry').textContent=T.retry;$('retry').onclick=scan;
$('login-form').onsubmit=async e=>{e.preventDefault();$('login-error').textContent='';const[status]=await post('/api/v1/auth/login',{login:$('phone').value,password:$('password').value});
if(status===200){$('login').hidden=true;scan()}else $('login-error').textContent=status===429?T.locked:T.login_failed};
if(DATA.logged_in)scan();else{$('login').hidden=false;$('status').hidden=true}
"#;

/// The page a scanned QR code opens; it logs the volunteer in when needed, then records the scan.
async fn scan_page(
    State(state): State<AppState>,
    caller: Option<Caller>,
    Path(code): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> impl IntoResponse {
    let lang = lang(&q, &headers);
    let title = match qr::parse(&code) {
        Ok(c) => state
            .store
            .activity(c.activity_id)
            .await
            .ok()
            .flatten()
            .map(|a| a.title),
        Err(_) => None,
    };
    let data = json!({
        "t": texts(lang),
        "code": code,
        "activity_title": title,
        "logged_in": caller.is_some(),
        "offset_minutes": state.settings.display_utc_offset_minutes,
    });
    page(lang, SCAN_BODY, SCAN_SCRIPT, data)
}

const DOOR_BODY: &str = r#"<h1 id="title"></h1><div class="card" style="text-align:center"><img id="qr" alt="QR" style="width:100%;max-width:70vh;image-rendering:pixelated">
<p class="big" id="hint"></p><p><span id="present-label"></span>: <span id="present">0</span></p></div>
<div class="card" id="login" hidden><form id="login-form"><label for="login-name" id="login-label"></label><input id="login-name" autocomplete="username" required>
<label for="password">·</label><input id="password" type="password" autocomplete="current-password" required><button type="submit" id="login-button"></button></form></div>"#;

const DOOR_SCRIPT: &str = r#"
const $=id=>document.getElementById(id);
$('title').textContent=DATA.title;$('hint').textContent=T.door_hint;$('present-label').textContent=T.present;$('login-label').textContent=T.door_login;$('login-button').textContent=T.door_login;
async function refresh(){const q=await fetch('/api/v1/activities/'+DATA.id+'/qr.svg',{credentials:'same-origin'});
if(q.status===401){$('login').hidden=false;return}
if(q.ok){const svg=await q.text();$('qr').src='data:image/svg+xml;charset=utf-8,'+encodeURIComponent(svg)}
const a=await fetch('/api/v1/activities/'+DATA.id+'/attendances',{credentials:'same-origin'});
if(a.ok){const rows=await a.json();$('present').textContent=rows.filter(r=>r.state==='checked_in').length+' / '+rows.length}}
$('login-form').onsubmit=async e=>{e.preventDefault();const r=await fetch('/api/v1/auth/login',{method:'POST',credentials:'same-origin',headers:{'content-type':'application/json'},body:JSON.stringify({login:$('login-name').value,password:$('password').value})});
if(r.ok){$('login').hidden=true;refresh()}};
refresh();setInterval(refresh,10000);
"#;

/// Full-screen rotating code for a tablet at the door, with a live count of who is in.
async fn door_screen(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> impl IntoResponse {
    let lang = lang(&q, &headers);
    let title = state
        .store
        .activity(id)
        .await
        .ok()
        .flatten()
        .map(|a| a.title)
        .unwrap_or_default();
    page(
        lang,
        DOOR_BODY,
        DOOR_SCRIPT,
        json!({"t": texts(lang), "id": id, "title": title}),
    )
}

const ME_BODY: &str = r#"<h1 id="title"></h1>
<div class="card" id="login" hidden><form id="login-form"><label for="phone" id="phone-label"></label><input id="phone" type="tel" autocomplete="username" inputmode="tel" required>
<label for="password" id="password-label"></label><input id="password" type="password" autocomplete="current-password" required>
<button type="submit" id="login-button"></button><p class="bad" id="login-error"></p></form></div>
<div id="mine" hidden><div class="card"><div id="who" class="big"></div><p class="note" id="no"></p><div class="stats">
<div class="stat"><span id="l-year"></span><b id="year-hours"></b></div><div class="stat"><span id="l-life"></span><b id="life-hours"></b></div>
<div class="stat"><span id="l-stars"></span><b id="stars"></b></div><div class="stat"><span id="l-points"></span><b id="points"></b></div>
<div class="stat"><span id="l-study"></span><b id="study"></b></div></div></div>
<div class="card"><div class="big" id="l-records"></div><table id="records"></table><p class="note" id="empty"></p></div>
<div class="card"><div class="big" id="l-reports"></div><table id="reports"></table></div></div>"#;

const ME_SCRIPT: &str = r#"
const $=id=>document.getElementById(id);
const text=(id,v)=>{$(id).textContent=v};
[['title','me_title'],['phone-label','phone'],['password-label','password'],['login-button','log_in'],['l-year','year_hours'],['l-life','lifetime'],
 ['l-stars','stars'],['l-points','points'],['l-study','study'],['l-records','records'],['l-reports','reports']].forEach(([id,k])=>text(id,T[k]));
function row(table,cells){const tr=document.createElement('tr');cells.forEach(([v,cls])=>{const td=document.createElement('td');td.textContent=v;if(cls)td.className=cls;tr.appendChild(td)});table.appendChild(tr)}
async function load(){const me=await fetch('/api/v1/volunteers/me',{credentials:'same-origin'});
if(me.status===401){$('login').hidden=false;return}
const p=await me.json();const h=await (await fetch('/api/v1/volunteers/me/hours',{credentials:'same-origin'})).json();
const reports=await (await fetch('/api/v1/volunteers/me/reports',{credentials:'same-origin'})).json();
$('mine').hidden=false;text('who',p.name);text('no',p.volunteer_no);text('year-hours',h.total_hours);text('life-hours',p.lifetime_hours);
text('stars','★'.repeat(p.stars)||'0');text('points',p.points);text('study',h.study_hours);
const status=e=>e.source==='correction'||e.source==='manual'||e.source==='import'?'':' · '+(e.reason?T.adjusted:T.confirmed);
h.entries.forEach(e=>row($('records'),[[e.service_date],[(e.activity_title||'')+' · '+(T['src_'+e.source]||e.source)+status(e)+(e.reason?' · '+e.reason:'')],[e.hours,'h']]));
text('empty',h.entries.length?'':T.no_records);
reports.forEach(r=>row($('reports'),[[r.created_at.slice(0,10)],[r.message],[T['report_'+r.status]||r.status,'h']]))}
$('login-form').onsubmit=async e=>{e.preventDefault();const r=await fetch('/api/v1/auth/login',{method:'POST',credentials:'same-origin',headers:{'content-type':'application/json'},body:JSON.stringify({login:$('phone').value,password:$('password').value})});
if(r.ok){$('login').hidden=true;load()}else text('login-error',r.status===429?T.locked:T.login_failed)};
load();
"#;

/// A volunteer's own page: hours this year and in all, stars, points, training hours, each record
/// with its source, and the outcome of their reports.
async fn my_page(Query(q): Query<LangQuery>, headers: HeaderMap) -> impl IntoResponse {
    let lang = lang(&q, &headers);
    page(lang, ME_BODY, ME_SCRIPT, json!({"t": texts(lang)}))
}
