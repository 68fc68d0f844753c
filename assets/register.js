// The registration page 实名注册: checks what it can before sending (the ID number's check digit
// among it), registers through POST /api/v1/volunteers, logs in with the new phone and password as
// the other pages' login forms do, and goes on to DATA.next. Every refusal shows under its field.
'use strict';

const FIELDS = ['name', 'id_number', 'phone', 'password', 'community_id', 'skills', 'service_categories', 'consent'];
/** The field each refusal of the service is about; the others show under the button. */
const FIELD_OF = {
  invalid_name: 'name',
  invalid_id_number: 'id_number',
  duplicate_id_number: 'id_number',
  invalid_phone: 'phone',
  duplicate_phone: 'phone',
  weak_password: 'password',
  invalid_community: 'community_id',
  consent_required: 'consent',
};
const MAX_TAGS = 20;
const MAX_TAG_CHARS = 30;

const say = (field, message) => { $(field + '-error').textContent = message; };

/** Why `typed` is not a resident ID number by its form and GB 11643's mod 11-2 check character
 *  (`X` standing for 10), or '' when it may be one; the service checks the rest. */
function idNumberProblem(typed) {
  const id = typed.trim().toUpperCase();
  if (!/^\d{17}[\dX]$/.test(id)) return T.register_id_format;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = weights.reduce((total, w, i) => total + w * Number(id[i]), 0);
  return '10X98765432'[sum % 11] === id[17] ? '' : T.register_id_check_digit;
}

/** The entries typed into a list field, separated by 、 ; , or | (either width). */
function entries(field) {
  return $(field).value.split(/[、;；,，|]/).map(t => t.trim()).filter(Boolean);
}

const tooMany = list => list.length > MAX_TAGS || list.some(t => [...t].length > MAX_TAG_CHARS);

/** What is wrong with `body` before sending it: `[field, message]` pairs, in the form's order. */
function problems(body) {
  const found = [];
  if (!body.name.trim()) found.push(['name', T.register_required]);
  const id = idNumberProblem(body.id_number);
  if (id) found.push(['id_number', id]);
  if (!body.phone.trim()) found.push(['phone', T.register_required]);
  if ([...body.password].length < 8) found.push(['password', T.register_weak_password]);
  if (!body.community_id) found.push(['community_id', T.register_invalid_community]);
  if (tooMany(body.skills)) found.push(['skills', T.register_invalid_tags]);
  if (tooMany(body.service_categories)) found.push(['service_categories', T.register_invalid_tags]);
  if (!body.consent) found.push(['consent', T.register_consent_required]);
  return found;
}

/** Shows what the service refused, under the field it is about. */
function refused(status, answer) {
  let field = FIELD_OF[answer.error] || 'form';
  // The service names the list at fault at the start of its message.
  if (answer.error === 'invalid_tags') {
    field = (answer.message || '').startsWith('service_categories') ? 'service_categories' : 'skills';
  }
  const message = T['register_' + answer.error] || (status === 503 ? T.busy : T.register_failed);
  say(field, message);
  if (field !== 'form') $(field).focus();
}

/** Logs in as the volunteer just registered and goes on; if that fails, the next page's own
 *  login form is the way in. */
async function logInAndGoOn(phone, password) {
  const r = await postJson('/api/v1/auth/login', {login: phone, password}).catch(() => null);
  if (r && r.ok) {
    location.replace(DATA.next);
    return;
  }
  $('register-form').hidden = true;
  $('log-in-instead').textContent = T.register_done_log_in;
}

async function register(e) {
  e.preventDefault();
  FIELDS.concat('form').forEach(f => say(f, ''));
  const body = {
    name: $('name').value,
    id_number: $('id_number').value.trim(),
    phone: $('phone').value,
    password: $('password').value,
    community_id: Number($('community_id').value),
    skills: entries('skills'),
    service_categories: entries('service_categories'),
    consent: $('consent').checked,
  };
  const found = problems(body);
  if (found.length) {
    found.forEach(([field, message]) => say(field, message));
    $(found[0][0]).focus();
    return;
  }
  const button = $('register-button');
  button.disabled = true;
  button.textContent = T.register_sending;
  try {
    const r = await postJson('/api/v1/volunteers', body);
    if (r.status === 201) {
      await logInAndGoOn(body.phone, body.password);
      return;
    }
    refused(r.status, await r.json().catch(() => ({})));
  } catch (_) {
    say('form', T.register_network);
  } finally {
    button.disabled = false;
    button.textContent = T.register_submit;
  }
}

// Choosing a street leaves only its communities to choose from; choosing a community first names
// its street.
const communities = $('community_id');
const groups = [...communities.querySelectorAll('optgroup')];
function showStreet() {
  const street = $('street').value;
  const chosen = communities.value;
  groups.forEach(g => g.remove());
  groups.filter(g => !street || g.dataset.street === street).forEach(g => communities.appendChild(g));
  communities.value = [...communities.options].some(o => o.value === chosen) ? chosen : '';
}
$('street').onchange = showStreet;
communities.onchange = () => {
  const group = communities.selectedOptions[0].parentElement;
  if (group.dataset.street) $('street').value = group.dataset.street;
};
showStreet();
$('register-form').onsubmit = register;
