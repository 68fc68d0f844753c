// A volunteer's own page: their totals, their awards, each record of this year and their reports.
'use strict';
const text = (id, v) => { $(id).textContent = v; };
[
  ['title', 'me_title'], ['phone-label', 'phone'], ['password-label', 'password'],
  ['login-button', 'log_in'], ['l-year', 'year_hours'], ['l-life', 'lifetime'], ['l-stars', 'stars'],
  ['l-points', 'points'], ['l-study', 'study'], ['l-awards', 'awards'], ['l-records', 'records'],
  ['l-reports', 'reports'],
].forEach(([id, k]) => text(id, T[k]));
text('activities-link', T.signup_browse);

/** Appends a row of `[text, class]` cells and answers it. */
function row(table, cells) {
  const tr = document.createElement('tr');
  cells.forEach(([v, cls]) => {
    const td = document.createElement('td');
    td.textContent = v;
    if (cls) td.className = cls;
    tr.appendChild(td);
  });
  table.appendChild(tr);
  return tr;
}

/** Lists the awards, each with a button that issues its certificate 荣誉证书 and opens it to print. */
function showAwards(awards) {
  $('awards-card').hidden = !awards.length;
  awards.forEach(a => {
    const button = document.createElement('button');
    button.type = 'button';
    button.id = 'award-' + a.id;
    button.textContent = T.award_certificate;
    button.onclick = async () => {
      button.disabled = true;
      const r = await postJson('/api/v1/volunteers/me/certificates', {award_id: a.id});
      if (r.ok) {
        location.href = '/certificates/' + (await r.json()).number;
      } else {
        text('award-error', T.certificate_failed);
        button.disabled = false;
      }
    };
    const td = document.createElement('td');
    td.appendChild(button);
    row($('awards'), [[a.granted_on], [a.name + ' · ' + a.granting_unit]]).appendChild(td);
  });
}

/** Whether the organizer confirmed the hours as scanned or adjusted them; nothing for hours
 *  recorded by hand, which have no scan to compare with. */
function confirmation(e) {
  if (e.source === 'correction' || e.source === 'manual' || e.source === 'import') return '';
  return ' · ' + (e.reason ? T.adjusted : T.confirmed);
}

async function load() {
  const get = path => fetch('/api/v1/volunteers/me' + path, {credentials: 'same-origin'});
  const me = await get('');
  if (me.status === 401) {
    $('login').hidden = false;
    return;
  }
  const p = await me.json();
  const h = await (await get('/hours')).json();
  const reports = await (await get('/reports')).json();
  $('mine').hidden = false;
  showCode(p.id);
  text('who', p.name);
  text('no', p.volunteer_no);
  text('year-hours', h.total_hours);
  text('life-hours', p.lifetime_hours);
  text('stars', '★'.repeat(p.stars) || '0');
  text('points', p.points);
  text('study', h.study_hours);
  const b = p.backbone;
  text('backbone', (b.is_backbone ? '★ ' + T.backbone_yes : T.backbone_no) + '：' + b.reason
    + (b.is_backbone && b.since ? '（' + b.since.slice(0, 10) + '）' : ''));
  showAwards(p.awards);
  h.entries.forEach(e => {
    const what = (e.activity_title || '') + ' · ' + (T['src_' + e.source] || e.source) + confirmation(e)
      + (e.reason ? ' · ' + e.reason : '')
      + (e.evaluation ? ' · ' + T.evaluation + T['rating_' + e.evaluation]
        + (e.evaluation_comment ? '（' + e.evaluation_comment + '）' : '') : '');
    row($('records'), [[e.service_date], [what], [e.hours, 'h']]);
  });
  text('empty', h.entries.length ? '' : T.no_records);
  reports.forEach(r => row($('reports'), [[r.created_at.slice(0, 10)], [r.message], [T['report_' + r.status] || r.status, 'h']]));
}

// The ways in for someone with no account yet, or who forgot the password.
text('register-link', T.register_link);
text('forgot-password', T.forgot_password);
/** The personal code 志愿者码 an organizer scans: fetched again every 10 s, as the code changes
 *  every 30 s, and when the page comes back into view; a link to the printable card. */
function showCode(volunteerId) {
  text('l-code', T.code_title);
  text('code-hint', T.code_hint);
  const card = $('card-link');
  card.textContent = T.code_card_link;
  card.href = '/volunteers/' + volunteerId + '/card';
  $('code-card').hidden = false;
  const refresh = async () => {
    const r = await fetch('/api/v1/volunteers/me/code', {credentials: 'same-origin'});
    if (r.status === 401) {
      location.reload();
      return;
    }
    if (!r.ok) return;
    const c = await r.json();
    $('code-qr').src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(c.svg);
    text('code-text', c.display);
  };
  refresh();
  setInterval(refresh, 10000);
  document.addEventListener('visibilitychange', () => { if (!document.hidden) refresh(); });
}

onLogIn('phone', load, status => text('login-error', loginRefusal(status, T.login_failed)));
load();
