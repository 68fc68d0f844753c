// A volunteer's own page: their totals, their awards, each record of this year and their reports;
// and what they do from it: certificates, rewards, reports 纠错, their account, withdrawal 注销.
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

/** The activities the volunteer signed up for that are not over yet: when, what and where (a link
 *  to the activity's page, where they may cancel) and their place. */
function showSignups(signups) {
  text('l-signups', T.me_signups);
  $('signups-card').hidden = !signups.length;
  // Where the service runs: the time shifted by its offset, read as UTC.
  const when = new Intl.DateTimeFormat(document.documentElement.lang, {month: 'numeric',
    day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'UTC'});
  signups.forEach(s => {
    const place = s.status === 'cancelled' ? T.me_signup_cancelled
      : T['me_signup_' + s.state].replace('{n}', s.position);
    const starts = when.format(Date.parse(s.starts_at) + DATA.offset_minutes * 60000);
    const tr = row($('signups'), [[starts, 'nowrap'], [''],
      [place, s.state === 'confirmed' && s.status !== 'cancelled' ? 'ok' : '']]);
    tr.id = 'signup-' + s.id;
    const link = document.createElement('a');
    link.href = '/activities/' + s.id;
    link.textContent = s.title;
    tr.children[1].append(link, ' · ' + s.place);
  });
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
  // Everything at once rather than one after another: on a weak signal each round trip counts.
  const answers = ['/volunteers/me', '/volunteers/me/hours', '/volunteers/me/reports',
    '/volunteers/me/signups', '/rewards', '/volunteers/me/redemptions']
    .map(path => fetch('/api/v1' + path, {credentials: 'same-origin'}));
  if ((await answers[0]).status === 401) {
    $('login').hidden = false;
    return;
  }
  const [p, h, reports, signups, ...rewards] =
    await Promise.all(answers.map(async a => (await a).json()));
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
  showSignups(signups);
  showAwards(p.awards);
  h.entries.forEach(e => {
    const what = (e.activity_title || '') + ' · ' + (T['src_' + e.source] || e.source) + confirmation(e)
      + (e.reason ? ' · ' + e.reason : '')
      + (e.evaluation ? ' · ' + T.evaluation + T['rating_' + e.evaluation]
        + (e.evaluation_comment ? '（' + e.evaluation_comment + '）' : '') : '');
    offerReport(row($('records'), [[e.service_date], [what], [e.hours, 'h']]), e);
  });
  text('empty', h.entries.length ? '' : T.no_records);
  showReports(reports);
  showMyForms(p, rewards);
}

// ——— What the volunteer does from the page.

[
  ['l-cert', 'me_cert'], ['cert-note', 'me_cert_note'], ['l-cert-from', 'me_cert_from'],
  ['l-cert-to', 'me_cert_to'], ['cert-issue', 'me_cert_issue'], ['l-rewards', 'me_rewards'],
  ['l-balance', 'me_balance'], ['l-redeemed-code', 'me_code'], ['redeemed-note', 'me_code_note'],
  ['report-missing', 'me_report_missing'], ['l-report-activity', 'me_report_activity'],
  ['l-report-hours', 'me_report_hours'], ['l-report-message', 'me_report_message'],
  ['report-send', 'me_report_send'], ['report-cancel', 'me_cancel'], ['l-account', 'me_account'],
  ['l-profile-phone', 'phone'], ['l-profile-skills', 'me_skills'],
  ['l-profile-categories', 'me_categories'], ['profile-save', 'save'],
  ['l-password-title', 'me_password_title'], ['l-current-password', 'me_current_password'],
  ['l-new-password', 'me_new_password'], ['l-repeat-password', 'me_repeat_password'],
  ['password-change', 'me_password_title'], ['l-withdraw', 'me_withdraw_title'],
  ['withdraw-open', 'me_withdraw_open'], ['l-withdraw-intro', 'me_withdraw_intro'],
  ['l-withdraw-tick', 'me_withdraw_tick'], ['l-withdraw-password', 'me_withdraw_password'],
  ['withdraw-button', 'me_withdraw_button'], ['farewell-text', 'me_withdrawn'],
].forEach(([id, k]) => text(id, T[k]));

/** Sends `body` as JSON with `method` and the session cookie. */
function sendJson(method, url, body) {
  return fetch(url, {
    method,
    credentials: 'same-origin',
    headers: {'content-type': 'application/json'},
    body: JSON.stringify(body),
  });
}

/** The JSON the API answers at `/api/v1/…path`. */
async function api(path) {
  return (await fetch('/api/v1' + path, {credentials: 'same-origin'})).json();
}

/** What a refused answer means for the volunteer: the text `keys` names for its error code, else
 *  the text `fallback` names; too many tries and a busy service say so. */
async function refusal(r, keys, fallback) {
  if (r.status === 429 || r.status === 503) return loginRefusal(r.status, '');
  const code = await r.json().then(b => b.error, () => '');
  return T[keys[code] || fallback];
}

/** Shows `said` in `#id`, as good news or, when `bad`, as a refusal. */
function say(id, said, bad) {
  text(id, said);
  $(id).className = bad ? 'bad' : 'ok';
}

/** Appends to `tr` a cell with a small button `id` showing `label`; answers the button. */
function rowButton(tr, id, label, onclick) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'link';
  button.id = id;
  button.textContent = label;
  button.onclick = onclick;
  const td = document.createElement('td');
  td.appendChild(button);
  tr.appendChild(td);
  return button;
}

/** Offers the forms once the volunteer's own data `p` is in, with the rewards and redemptions. */
function showMyForms(p, rewards) {
  $('my-forms').hidden = false;
  offerCertificate();
  showRewards(p.points, rewards);
  offerAccount(p);
  offerWithdrawal();
}

/** A certificate 志愿服务记录证明 for a period, this year so far unless changed, opened to print. */
function offerCertificate() {
  const today = DATA.today;
  $('cert-from').value = today.slice(0, 4) + '-01-01';
  $('cert-to').value = today;
  $('cert-from').max = today;
  $('cert-to').max = today;
  $('cert-form').onsubmit = async e => {
    e.preventDefault();
    $('cert-issue').disabled = true;
    const period = {from: $('cert-from').value, to: $('cert-to').value};
    const r = await postJson('/api/v1/volunteers/me/certificates', period);
    if (r.ok) {
      location.href = '/certificates/' + (await r.json()).number;
      return;
    }
    text('cert-error', await refusal(r, {invalid_period: 'me_cert_bad_period'}, 'certificate_failed'));
    $('cert-issue').disabled = false;
  };
}

/** The points balance, the rewards the volunteer may redeem and their past redemptions (read
 *  now unless `lists` holds them). */
async function showRewards(balance, lists) {
  text('balance', balance);
  const [rewards, mine] =
    lists || await Promise.all([api('/rewards'), api('/volunteers/me/redemptions')]);
  $('rewards').textContent = '';
  text('no-rewards', rewards.length ? '' : T.me_no_rewards);
  rewards.forEach(w => {
    const tr = row($('rewards'), [[w.name + ' · ' + w.partner_name],
      [w.points_cost + ' ' + T.me_points_unit + ' · ' + T.me_stock + w.stock, 'h']]);
    const short = w.stock === 0 ? T.me_out_of_stock : w.points_cost > balance ? T.me_insufficient : '';
    const button = rowButton(tr, 'redeem-' + w.id, short || T.me_redeem, () => redeem(w, button));
    button.disabled = Boolean(short);
  });
  $('redemptions').textContent = '';
  text('l-redemptions', mine.length ? T.me_redemptions : '');
  mine.forEach(d => row($('redemptions'), [[d.created_at.slice(0, 10), 'nowrap'],
    [d.reward_name + ' · ' + d.partner_name + (d.code ? ' · ' + d.code : '')],
    [d.handed_over_at ? T.me_collected : T.me_to_collect, 'h']]));
}

/** Redeems `w` on the second tap of its button (the first asks to confirm), then shows the
 *  redemption code 兑换码, large, with its QR code for the partner to scan. */
async function redeem(w, button) {
  if (!button.dataset.armed) {
    button.dataset.armed = 'yes';
    button.textContent = T.me_redeem_confirm;
    return;
  }
  button.disabled = true;
  const r = await postJson('/api/v1/rewards/' + w.id + '/redemptions', {});
  if (!r.ok) {
    const why = {insufficient_points: 'me_insufficient', out_of_stock: 'me_out_of_stock',
      reward_inactive: 'me_reward_inactive'};
    text('redeem-error', await refusal(r, why, 'me_redeem_failed'));
    return;
  }
  const done = await r.json();
  text('redeem-error', '');
  text('redeemed-code', done.code);
  $('redeemed-qr').src = '/redemptions/' + done.code + '/qr.svg';
  text('redeemed-what', done.reward.name + ' · ' + done.reward.partner_name + ' · '
    + done.points + ' ' + T.me_points_unit);
  $('redeemed').hidden = false;
  text('points', done.balance);
  await showRewards(done.balance);
  $('redeemed').scrollIntoView();
}

/** The volunteer's reports 纠错, each with its activity, and the outcome once decided. */
function showReports(reports) {
  $('reports').textContent = '';
  reports.forEach(r => row($('reports'), [[r.created_at.slice(0, 10)],
    [r.activity_title + ' · ' + r.message
      + (r.resolution_reason ? ' · ' + T.me_resolution + r.resolution_reason : '')],
    [T['report_' + r.status] || r.status, 'h']]));
}

/** What the report form is about: `{kind: 'wrong', activity_id, entry_id}` for a record, or
 *  `{kind: 'missing'}` for an activity picked from the list. */
let reportOn = null;

/** A button on a record's line to report it wrong; a correction is itself the answer to one. */
function offerReport(tr, e) {
  if (!e.activity_id || e.source === 'correction') return;
  rowButton(tr, 'report-' + e.id, T.me_report, () => {
    reportOn = {kind: 'wrong', activity_id: e.activity_id, entry_id: e.id};
    openReport(T.me_report_wrong_title, (e.activity_title || '') + ' · ' + e.service_date + ' · '
      + e.hours + ' ' + T.hours_unit);
  });
}

/** Opens the report form under `title`, about the record `record` (none: pick an activity). */
function openReport(title, record) {
  text('report-title', title);
  text('report-record', record || '');
  $('report-activity').hidden = Boolean(record);
  $('l-report-activity').hidden = Boolean(record);
  text('report-error', '');
  text('report-sent', '');
  $('report-send').disabled = false;
  $('report-card').hidden = false;
  $('report-card').scrollIntoView();
}

$('report-missing').onclick = async () => {
  const activities = await api('/volunteers/me/unrecorded-activities');
  const select = $('report-activity');
  select.textContent = '';
  activities.forEach(a => select.add(new Option(a.starts_at.slice(0, 10) + ' ' + a.title, a.id)));
  reportOn = {kind: 'missing'};
  openReport(T.me_report_missing_title, activities.length ? '' : T.me_report_no_activity);
  $('report-send').disabled = !activities.length;
};

$('report-cancel').onclick = () => {
  $('report-card').hidden = true;
};

$('report-form').onsubmit = async e => {
  e.preventDefault();
  const hours = $('report-hours').value;
  const body = {
    kind: reportOn.kind,
    activity_id: reportOn.activity_id || Number($('report-activity').value),
    entry_id: reportOn.entry_id,
    minutes_claimed: hours === '' ? undefined : Math.round(Number(hours) * 60),
    message: $('report-message').value,
  };
  const r = await postJson('/api/v1/volunteers/me/reports', body);
  if (!r.ok) {
    const why = {invalid_message: 'me_report_invalid_message', invalid_minutes: 'me_report_invalid_hours'};
    say('report-error', await refusal(r, why, 'me_report_failed'), true);
    return;
  }
  $('report-form').reset();
  $('report-card').hidden = true;
  showReports(await api('/volunteers/me/reports'));
  text('report-sent', T.me_report_sent);
};

/** The entries of a list typed in one field: `、`, commas or semicolons between them. */
function listed(typed) {
  return typed.split(/[、,，;；]/).map(t => t.trim()).filter(Boolean);
}

/** The volunteer's phone, skills and categories to change, and their password. */
function offerAccount(p) {
  const shown = q => {
    $('profile-phone').value = q.phone;
    $('profile-skills').value = q.skills.join('、');
    $('profile-categories').value = q.service_categories.join('、');
  };
  shown(p);
  $('profile-form').onsubmit = async e => {
    e.preventDefault();
    const r = await sendJson('PATCH', '/api/v1/volunteers/me', {
      phone: $('profile-phone').value,
      skills: listed($('profile-skills').value),
      service_categories: listed($('profile-categories').value),
    });
    if (r.ok) {
      shown(await r.json());
      say('profile-said', T.me_saved);
      return;
    }
    const why = {invalid_phone: 'me_invalid_phone', duplicate_phone: 'me_duplicate_phone',
      invalid_tags: 'me_invalid_tags'};
    say('profile-said', await refusal(r, why, 'me_save_failed'), true);
  };
  $('password-form').onsubmit = async e => {
    e.preventDefault();
    if ($('new-password').value !== $('repeat-password').value) {
      say('password-said', T.me_password_mismatch, true);
      return;
    }
    const r = await postJson('/api/v1/auth/password',
      {current: $('current-password').value, new: $('new-password').value});
    if (r.ok) {
      $('password-form').reset();
      say('password-said', T.me_password_changed);
      return;
    }
    const why = {wrong_password: 'me_wrong_password', weak_password: 'me_weak_password'};
    say('password-said', await refusal(r, why, 'me_save_failed'), true);
  };
}

/** Withdrawal 注销: a plain warning, a box to tick and the password, then the account is gone. */
function offerWithdrawal() {
  const warning = $('withdraw-warning');
  warning.textContent = '';
  ['me_withdraw_w1', 'me_withdraw_w2', 'me_withdraw_w3', 'me_withdraw_w4', 'me_withdraw_w5']
    .forEach(k => {
      const li = document.createElement('li');
      li.textContent = T[k];
      warning.appendChild(li);
    });
  $('withdraw-open').onclick = () => {
    $('withdraw-open').hidden = true;
    $('withdraw-form').hidden = false;
  };
  $('withdraw-form').onsubmit = async e => {
    e.preventDefault();
    if (!$('withdraw-tick').checked) {
      text('withdraw-error', T.me_tick_first);
      return;
    }
    const r = await postJson('/api/v1/volunteers/me/withdrawal',
      {password: $('withdraw-password').value, confirm: true});
    if (!r.ok) {
      text('withdraw-error', await refusal(r, {wrong_password: 'me_wrong_password'}, 'me_withdraw_failed'));
      return;
    }
    $('mine').hidden = true;
    $('my-forms').hidden = true;
    $('farewell').hidden = false;
  };
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
    // Nothing to show once the page no longer shows the volunteer (they withdrew 注销).
    if ($('mine').hidden) return;
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
