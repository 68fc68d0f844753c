// The door screen: the activity's rotating code and how many are in, refreshed every 10 s.
'use strict';
$('title').textContent = DATA.title;
$('hint').textContent = T.door_hint;
$('present-label').textContent = T.present;
$('login-label').textContent = T.door_login;
$('login-button').textContent = T.door_login;

async function refresh() {
  const api = '/api/v1/activities/' + DATA.id;
  const q = await fetch(api + '/qr.svg', {credentials: 'same-origin'});
  if (q.status === 401) {
    $('login').hidden = false;
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

onLogIn('login-name', refresh);
refresh();
setInterval(refresh, 10000);
