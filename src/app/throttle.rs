//! What this process remembers of clients' recent tries, to slow down password guessing and
//! registration floods: failed logins per login and address (growing delays), per address
//! across all logins (a budget), and anonymous registrations per address (a budget). Kept in
//! memory, bounded in size, per process. A login that exists and one that does not are counted
//! alike, so the answers never tell them apart.

use crate::config::Settings;
use crate::domain::phone::Phone;
use crate::domain::throttle::{Backoff, Budget, Failures, Spent};
use crate::error::{Error, Result};
use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Clients remembered per table; past it the longest-idle tenth is forgotten.
const MAX_CLIENTS: usize = 50_000;
/// Longest login text kept as a key; no account has a longer one.
const MAX_KEY_BYTES: usize = 128;

/// A rule whose state per client the tables keep.
trait Rule {
    type State: Copy;
    fn forgotten(&self, s: &Self::State, now: Instant) -> bool;
    fn last(s: &Self::State) -> Instant;
}

impl Rule for Backoff {
    type State = Failures;
    fn forgotten(&self, s: &Failures, now: Instant) -> bool {
        Backoff::forgotten(self, s, now)
    }
    fn last(s: &Failures) -> Instant {
        s.last
    }
}

impl Rule for Budget {
    type State = Spent;
    fn forgotten(&self, s: &Spent, now: Instant) -> bool {
        Budget::forgotten(self, s, now)
    }
    fn last(s: &Spent) -> Instant {
        s.at
    }
}

/// One rule's state for each client, at most [`MAX_CLIENTS`] of them.
struct Table<K, R: Rule> {
    rule: R,
    states: Mutex<HashMap<K, R::State>>,
}

impl<K: Hash + Eq + Clone, R: Rule> Table<K, R> {
    fn new(rule: R) -> Self {
        Table {
            rule,
            states: Mutex::new(HashMap::new()),
        }
    }

    /// Runs `f` on the state of `key` (`None` when new or forgotten) and keeps the state it
    /// returns (`None` forgets the client).
    fn update<T>(
        &self,
        key: &K,
        now: Instant,
        f: impl FnOnce(&R, Option<R::State>) -> (Option<R::State>, T),
    ) -> T {
        let mut states = self.states.lock().unwrap_or_else(|e| e.into_inner());
        let old = states
            .get(key)
            .copied()
            .filter(|s| !self.rule.forgotten(s, now));
        let (new, answer) = f(&self.rule, old);
        match new {
            Some(s) => {
                if states.len() >= MAX_CLIENTS && !states.contains_key(key) {
                    self.make_room(&mut states, now);
                }
                states.insert(key.clone(), s);
            }
            None => {
                states.remove(key);
            }
        }
        answer
    }

    fn make_room(&self, states: &mut HashMap<K, R::State>, now: Instant) {
        states.retain(|_, s| !self.rule.forgotten(s, now));
        if states.len() < MAX_CLIENTS {
            return;
        }
        let mut lasts: Vec<Instant> = states.values().map(R::last).collect();
        let tenth = lasts.len() / 10;
        let (_, &mut cutoff, _) = lasts.select_nth_unstable(tenth);
        states.retain(|_, s| R::last(s) > cutoff);
    }
}

/// The address a client is counted under: IPv6 clients by their /64, which one subscriber
/// usually holds whole.
fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(prefix.into())
            }
        },
        v4 => v4,
    }
}

/// A login as counted: a mobile number in its plain form, anything else as typed.
fn login_key(login: &str) -> String {
    if let Ok(phone) = Phone::parse(login) {
        return phone.as_str().to_owned();
    }
    let mut end = login.len().min(MAX_KEY_BYTES);
    while !login.is_char_boundary(end) {
        end -= 1;
    }
    login[..end].to_owned()
}

fn too_many(wait: Duration) -> Error {
    Error::TooManyAttempts {
        retry_after_secs: wait.as_secs_f64().ceil().max(1.0) as u64,
    }
}

/// Failed logins, remembered per (login, address) and per address.
#[derive(Clone)]
pub struct LoginThrottle(Arc<Logins>);

struct Logins {
    per_login: Table<(String, IpAddr), Backoff>,
    per_address: Table<IpAddr, Budget>,
}

impl LoginThrottle {
    pub fn new(s: &Settings) -> Self {
        LoginThrottle(Arc::new(Logins {
            per_login: Table::new(Backoff {
                free: s.login_max_failures,
                first: Duration::from_secs(1),
                max: Duration::from_secs(s.login_max_delay_secs.max(1)),
                forget_after: Duration::from_secs(3600),
            }),
            per_address: Table::new(Budget {
                size: s.login_address_failures_per_hour.max(1),
                period: Duration::from_secs(3600),
            }),
        }))
    }

    /// Counts a login attempt from `ip` before its password is checked, or refuses it with the
    /// wait. The attempt counts as failed unless it [`Attempt::succeeded`]; dropped unanswered,
    /// it counts only against the address.
    pub fn admit(&self, login: &str, ip: IpAddr) -> Result<Attempt> {
        let now = Instant::now();
        let ip = client_key(ip);
        let key = (login_key(login), ip);
        self.0.per_login.update(&key, now, |rule, failures| {
            match failures.map(|f| rule.wait(&f, now)) {
                Some(wait) if !wait.is_zero() => (failures, Err(too_many(wait))),
                _ => (Some(rule.fail(failures, now)), Ok(())),
            }
        })?;
        let budget =
            self.0
                .per_address
                .update(&ip, now, |rule, spent| match rule.take(spent, now) {
                    Ok(spent) => (Some(spent), Ok(())),
                    Err(wait) => (spent, Err(too_many(wait))),
                });
        if let Err(refused) = budget {
            // Refused before any check: it was no attempt at this login.
            self.0.undo_failure(&key, now);
            return Err(refused);
        }
        Ok(Attempt {
            throttle: self.clone(),
            key,
            outcome: Outcome::Unanswered,
        })
    }
}

impl Logins {
    fn undo_failure(&self, key: &(String, IpAddr), now: Instant) {
        self.per_login
            .update(key, now, |_, failures| match failures {
                Some(f) if f.count > 1 => (
                    Some(Failures {
                        count: f.count - 1,
                        ..f
                    }),
                    (),
                ),
                _ => (None, ()),
            });
    }

    fn give_back(&self, ip: &IpAddr, now: Instant) {
        self.per_address.update(ip, now, |rule, spent| {
            (spent.map(|s| rule.give_back(&s, now)), ())
        });
    }
}

enum Outcome {
    Unanswered,
    Failed,
    Succeeded,
}

/// A login attempt admitted by [`LoginThrottle::admit`].
pub struct Attempt {
    throttle: LoginThrottle,
    key: (String, IpAddr),
    outcome: Outcome,
}

impl Attempt {
    /// The password was wrong (or the login unknown): the failure stays counted.
    pub fn failed(mut self) {
        self.outcome = Outcome::Failed;
    }

    /// The password was right: the failures of this login from this address are forgotten,
    /// and the address gets its try back.
    pub fn succeeded(mut self) {
        self.outcome = Outcome::Succeeded;
    }
}

impl Drop for Attempt {
    fn drop(&mut self) {
        let logins = &self.throttle.0;
        let now = Instant::now();
        match self.outcome {
            Outcome::Failed => {}
            Outcome::Succeeded => {
                logins.per_login.update(&self.key, now, |_, _| (None, ()));
                logins.give_back(&self.key.1, now);
            }
            // No answer about the password (the hashing queue was full, the database failed,
            // the client went away): no failure of this login, but the address keeps the try
            // spent, or a flood answered 503 would never run out of tries.
            Outcome::Unanswered => logins.undo_failure(&self.key, now),
        }
    }
}

/// Anonymous registrations per address.
#[derive(Clone)]
pub struct RegistrationThrottle(Arc<Table<IpAddr, Budget>>);

impl RegistrationThrottle {
    pub fn new(s: &Settings) -> Self {
        RegistrationThrottle(Arc::new(Table::new(Budget {
            size: s.registrations_per_address_per_hour.max(1),
            period: Duration::from_secs(3600),
        })))
    }

    /// Counts a self-registration from `ip`, or refuses it with the wait.
    pub fn admit(&self, ip: IpAddr) -> Result<()> {
        let now = Instant::now();
        self.0.update(&client_key(ip), now, |rule, spent| {
            match rule.take(spent, now) {
                Ok(spent) => (Some(spent), Ok(())),
                Err(wait) => (spent, Err(too_many(wait))),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_clients_count_by_their_64_prefix() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(client_key(a), client_key(b));
        assert_ne!(client_key(a), client_key(c));
        let mapped: IpAddr = "::ffff:10.0.0.1".parse().unwrap();
        assert_eq!(client_key(mapped), "10.0.0.1".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn phones_count_in_their_plain_form() {
        assert_eq!(login_key("+86 138-0000-0000"), "13800000000");
        assert_eq!(login_key("chief"), "chief");
        assert_eq!(login_key(&"长".repeat(100)).len(), 126);
    }

    #[test]
    fn a_full_table_forgets_the_longest_idle_clients_first() {
        let table = Table::<u32, Budget>::new(Budget {
            size: 5,
            period: Duration::from_secs(3600),
        });
        let t0 = Instant::now();
        for n in 0..MAX_CLIENTS as u32 {
            let at = t0 + Duration::from_millis(n as u64);
            table.update(&n, at, |b, s| (b.take(s, at).ok(), ()));
        }
        let later = t0 + Duration::from_secs(60);
        table.update(&u32::MAX, later, |b, s| (b.take(s, later).ok(), ()));
        let states = table.states.lock().unwrap();
        assert!(states.len() <= MAX_CLIENTS - MAX_CLIENTS / 10 + 1);
        assert!(!states.contains_key(&0) && states.contains_key(&(MAX_CLIENTS as u32 - 1)));
        assert!(states.contains_key(&u32::MAX));
    }
}
