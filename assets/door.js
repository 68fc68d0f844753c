// The door screen: the activity's rotating code and how many are in, refreshed every 10 s. The
// page carries the activity only for staff who run it; anyone else gets the login form, and a
// login reloads the page.
'use strict';
$('hint').textContent = T.door_hint;
$('present-label').textContent = T.present;
$('login-label').textContent = T.door_login_name;
$('password-label').textContent = T.password;
$('login-button').textContent = T.door_login;

async function refresh() {
  const api = '/api/v1/activities/' + DATA.id;
  const q = await fetch(api + '/qr.svg', {credentials: 'same-origin'});
  if (q.status === 401 || q.status === 403) {
    // The session ended or lost its role: the page now shows the login form.
    location.reload();
    return;
  }
  if (q.ok) {
    const svg = await q.text();
    $('qr').src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(svg);
  }
  const a = await fetch(api + '/attendances', {credentials: 'same-origin'});
  if (a.ok) {
    const rows = await a.json();
    $('present').textContent = rows.filter(r => r.state === 'checked_in').length + ' / ' + rows.length;
  }
}

if (DATA.title === undefined) {
  $('title').textContent = T.door_login;
  $('denied').textContent = DATA.denied ? T.door_denied : '';
  $('login').hidden = false;
  onLogIn('login-name', () => location.reload(), status => {
    $('login-error').textContent = loginRefusal(status, T.door_login_failed);
  });
} else {
  $('title').textContent = DATA.title;
  $('door').hidden = false;
  refresh();
  setInterval(refresh, 10000);
}
