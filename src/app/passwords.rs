//! The one way passwords are hashed and checked: a fixed set of worker threads fed through a short
//! queue. Argon2 holds megabytes of memory and a core for tens of milliseconds, so the number of
//! workers bounds both; a request that finds the queue full is answered 503 with `Retry-After`
//! at once, and the async workers that serve scans never run a hash.

use crate::crypto::{HashMemory, hash_password, verify_password};
use crate::error::{Error, Result};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;

/// Work for a thread, on the argon2 memory the thread keeps.
type Job = Box<dyn FnOnce(&mut HashMemory) + Send>;

/// The hashing workers; cloning shares them. They stop once every clone is dropped.
#[derive(Clone)]
pub struct Passwords {
    jobs: SyncSender<Job>,
}

impl Passwords {
    /// Starts `workers` threads (one per available core when 0) behind a queue of `queue` jobs.
    pub fn start(workers: usize, queue: usize) -> Self {
        let workers = match workers {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        };
        let (jobs, waiting) = sync_channel::<Job>(queue);
        let waiting = Arc::new(Mutex::new(waiting));
        for _ in 0..workers {
            let waiting = Arc::clone(&waiting);
            std::thread::Builder::new()
                .name("password-hashing".into())
                .spawn(move || work(&waiting))
                .expect("starting a password hashing thread");
        }
        Passwords { jobs }
    }

    /// Queues `f` for a worker, or answers 503 when the queue is full.
    fn submit<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut HashMemory) -> T + Send + 'static,
    ) -> Result<oneshot::Receiver<T>> {
        let (answer, answered) = oneshot::channel();
        let job: Job = Box::new(move |memory| {
            let _ = answer.send(f(memory));
        });
        match self.jobs.try_send(job) {
            Ok(()) => Ok(answered),
            Err(TrySendError::Full(_)) => Err(Error::unavailable()),
            Err(TrySendError::Disconnected(_)) => {
                Err(anyhow::anyhow!("the password workers have stopped").into())
            }
        }
    }

    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut HashMemory) -> T + Send + 'static,
    ) -> Result<T> {
        let answered = self.submit(f)?;
        Ok(answered
            .await
            .map_err(|_| anyhow::anyhow!("a password job failed"))?)
    }

    /// The stored form of a new password.
    pub async fn hash(&self, password: String) -> Result<String> {
        self.run(move |memory| hash_password(&password, memory))
            .await
    }

    /// Which of the accounts' stored hashes (in order) `password` opens, if any. With no account
    /// it checks a stand-in hash, so that an unknown login takes as long as a wrong password.
    pub async fn check(
        &self,
        password: String,
        stored: Vec<Option<String>>,
    ) -> Result<Option<usize>> {
        self.run(move |memory| {
            if stored.is_empty() {
                verify_password(&password, None, memory);
                return None;
            }
            stored
                .iter()
                .position(|hash| verify_password(&password, hash.as_deref(), memory))
        })
        .await
    }
}

fn work(waiting: &Mutex<Receiver<Job>>) {
    let mut memory = HashMemory::default();
    loop {
        let next = waiting.lock().map(|queue| queue.recv());
        match next {
            // A panic in one job (none is expected) must not take the worker with it.
            Ok(Ok(job)) => drop(catch_unwind(AssertUnwindSafe(|| job(&mut memory)))),
            _ => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::channel;

    #[tokio::test]
    async fn past_the_queue_jobs_are_refused_with_a_retry_after() {
        let passwords = Passwords::start(1, 1);
        let (release, held) = channel::<()>();
        let (started, running) = channel::<()>();
        let first = passwords
            .submit(move |_| {
                started.send(()).unwrap();
                held.recv().unwrap();
                1
            })
            .unwrap();
        running.recv().unwrap();
        let second = passwords.submit(|_| 2).unwrap();
        let third = passwords.submit(|_| 3).map(drop);
        assert!(
            matches!(
                third,
                Err(Error::Unavailable {
                    retry_after_secs: 1
                })
            ),
            "{third:?}"
        );
        release.send(()).unwrap();
        assert_eq!((first.await.unwrap(), second.await.unwrap()), (1, 2));
        assert_eq!(passwords.run(|_| 4).await.unwrap(), 4);
    }

    #[tokio::test]
    async fn check_names_the_account_the_password_opens() {
        let passwords = Passwords::start(1, 4);
        let staff = passwords.hash("staff password".into()).await.unwrap();
        let volunteer = passwords.hash("volunteer password".into()).await.unwrap();
        let both = vec![None, Some(staff), Some(volunteer)];
        let check = |password: &str, stored: Vec<Option<String>>| {
            passwords.check(password.to_owned(), stored)
        };
        assert_eq!(
            check("volunteer password", both.clone()).await.unwrap(),
            Some(2)
        );
        assert_eq!(
            check("staff password", both.clone()).await.unwrap(),
            Some(1)
        );
        assert_eq!(check("neither", both).await.unwrap(), None);
        assert_eq!(check("neither", vec![]).await.unwrap(), None);
    }
}
