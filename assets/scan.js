// The page a scanned code opens: logs the volunteer in when needed, then records the scan with
// the phone's position when the volunteer allows it. A code the service refused carries only why.
'use strict';
const sleep = ms => new Promise(r => setTimeout(r, ms));

/** `ts` as hours:minutes where the service runs. */
function hhmm(ts) {
  const d = new Date(Date.parse(ts) + DATA.offset_minutes * 60000);
  return String(d.getUTCHours()).padStart(2, '0') + ':' + String(d.getUTCMinutes()).padStart(2, '0');
}

/** `[status, body]`; retried twice on a server error or a lost connection (status 0). */
async function post(url, body) {
  for (let i = 0; ; i++) {
    try {
      const r = await postJson(url, body);
      if (r.status >= 500 && i < 2) {
        await sleep(1500 * (i + 1));
        continue;
      }
      return [r.status, await r.json().catch(() => ({}))];
    } catch (e) {
      if (i >= 2) return [0, {}];
      await sleep(1500 * (i + 1));
    }
  }
}

/** `{lat, lon}`, or `{}` when the phone does not tell within 3.5 s. */
function position() {
  return new Promise(done => {
    if (!navigator.geolocation) return done({});
    const t = setTimeout(() => done({}), 3500);
    navigator.geolocation.getCurrentPosition(
      p => { clearTimeout(t); done({lat: p.coords.latitude, lon: p.coords.longitude}); },
      () => { clearTimeout(t); done({}); },
      {timeout: 3000, maximumAge: 300000});
  });
}

function show(cls, text, detail, note) {
  $('status').hidden = false;
  $('result').className = 'big ' + cls;
  $('result').textContent = text;
  $('detail').textContent = detail || '';
  $('note').textContent = note || '';
}

async function scan() {
  $('retry').hidden = true;
  show('', T.working, '', T.location_note);
  const pos = await position();
  const [status, b] = await post('/api/v1/scans', Object.assign({url: DATA.code}, pos));
  if (status === 401) {
    $('login').hidden = false;
    $('status').hidden = true;
    return;
  }
  if (status === 200) {
    $('title').textContent = b.activity_title;
    const note = (b.changed ? '' : T.repeat) + (b.outside_geofence ? ' ' + T.outside_geofence : '')
      + (b.without_signup ? ' ' + T.scan_without_signup : '');
    if (b.state === 'checked_in') {
      show('ok', T.checked_in + ' ' + hhmm(b.checked_in_at) + ' · ' + b.activity_title, '', note);
    } else {
      const done = b.state === 'auto_closed' ? T.auto_closed : T.checked_out;
      show('ok', done + ' · ' + b.hours + ' ' + T.hours_unit, b.activity_title, note);
    }
    return;
  }
  if (status === 0 || status >= 500) {
    show('bad', T.network);
    $('retry').hidden = false;
    return;
  }
  show('bad', T[b.error] || T.error, b.message || '');
}

$('title').textContent = DATA.activity_title || T.title;
$('login-title').textContent = T.login_title;
$('phone-label').textContent = T.phone;
$('password-label').textContent = T.password;
$('login-button').textContent = T.login;
// A stranger registers first, then comes back here, logged in, to have this scan recorded.
$('register-link').textContent = T.register_link;
$('register-link').href = '/register?next=' + encodeURIComponent('/s/' + DATA.code);
$('retry').textContent = T.retry;
$('retry').onclick = scan;
$('login-form').onsubmit = async e => {
  e.preventDefault();
  $('login-error').textContent = '';
  const [status] = await post('/api/v1/auth/login', {login: $('phone').value, password: $('password').value});
  if (status === 200) {
    $('login').hidden = true;
    scan();
  } else {
    $('login-error').textContent = loginRefusal(status, T.login_failed);
  }
};
if (DATA.refused) {
  show('bad', T[DATA.refused.error] || T.error, DATA.refused.message);
} else if (DATA.logged_in) {
  scan();
} else {
  $('login').hidden = false;
  $('status').hidden = true;
}
