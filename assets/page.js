// What every page's script starts from: the page's data, its texts and logging in.
'use strict';
const $ = id => document.getElementById(id);
// Written by the server into <script type="application/json" id="page-data">; `t` holds the texts.
const DATA = JSON.parse($('page-data').textContent);
const T = DATA.t;

/** Posts `body` as JSON with the session cookie. */
function postJson(url, body) {
  return fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: {'content-type': 'application/json'},
    body: JSON.stringify(body),
  });
}

/** What a refused login says: too many tries (429), a busy service (503), or `failed`. */
function loginRefusal(status, failed) {
  return status === 429 ? T.locked : status === 503 ? T.busy : failed;
}

/**
 * Logs in from `#login-form` with the login typed in `#<loginField>` and `#password`: then hides
 * `#login` and calls `loggedIn`, or else calls `refused` with the answer's status.
 */
function onLogIn(loginField, loggedIn, refused = () => {}) {
  $('login-form').onsubmit = async e => {
    e.preventDefault();
    const r = await postJson('/api/v1/auth/login', {login: $(loginField).value, password: $('password').value});
    if (r.ok) {
      $('login').hidden = true;
      loggedIn();
    } else {
      refused(r.status);
    }
  };
}
