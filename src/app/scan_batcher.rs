//! The hot path of check-in, the group-commit writer of scans: concurrent scans wait in a queue
//! and are written together in one transaction; each request is answered only after the
//! transaction holding its scan committed. And a short-lived cache of the activities being
//! scanned, since a rush at the door reads the same activity hundreds of times a second.

use crate::error::{Error, Result};
use crate::store::Store;
use crate::store::activities::{Activity, Scan, ScanOutcome};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};

/// How long an activity read for a scan is reused. Edits and cancellations on this instance take
/// effect at once; on other instances within this time.
const ACTIVITY_TTL: Duration = Duration::from_secs(1);

/// Most scans written in one transaction.
const MAX_BATCH: usize = 512;

struct Pending {
    scan: Scan,
    reply: oneshot::Sender<Result<ScanOutcome>>,
}

#[derive(Clone)]
pub struct ScanBatcher {
    queue: mpsc::Sender<Pending>,
    activities: Arc<Mutex<ActivityCache>>,
}

/// Activity id → when it was read, and what was read.
type ActivityCache = HashMap<i64, (Instant, Arc<Activity>)>;

impl ScanBatcher {
    /// Starts the writer task; it ends when the last batcher is dropped and the queue is empty.
    pub fn start(store: Store) -> Self {
        let (queue, rx) = mpsc::channel(4 * MAX_BATCH);
        // One writer per process: a batch is written in a few statements whatever its size, and
        // while it commits the next one gathers. (More writers measured slower on 2 cores.)
        tokio::spawn(write_batches(store, rx));
        ScanBatcher {
            queue,
            activities: Arc::default(),
        }
    }

    /// The activity a scan is for, from the cache when it was read less than a second ago.
    pub async fn activity(&self, store: &Store, id: i64) -> Result<Option<Arc<Activity>>> {
        let now = Instant::now();
        if let Some((read, a)) = self.activities.lock().expect("cache lock").get(&id)
            && now.duration_since(*read) < ACTIVITY_TTL
        {
            return Ok(Some(a.clone()));
        }
        let Some(activity) = store.activity(id).await? else {
            return Ok(None);
        };
        let activity = Arc::new(activity);
        let mut cache = self.activities.lock().expect("cache lock");
        if cache.len() > 10_000 {
            cache.retain(|_, (read, _)| now.duration_since(*read) < ACTIVITY_TTL);
        }
        cache.insert(id, (now, activity.clone()));
        Ok(Some(activity))
    }

    /// Drops a changed activity from the cache.
    pub fn forget(&self, id: i64) {
        self.activities.lock().expect("cache lock").remove(&id);
    }

    pub async fn record(&self, scan: Scan) -> Result<ScanOutcome> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Pending { scan, reply })
            .await
            .map_err(|_| Error::unavailable())?;
        answer.await.map_err(|_| Error::unavailable())?
    }
}

async fn write_batches(store: Store, mut rx: mpsc::Receiver<Pending>) {
    let mut batch: Vec<Pending> = Vec::with_capacity(MAX_BATCH);
    // Waits for at least one scan, then takes every scan that queued up meanwhile.
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let scans: Vec<Scan> = batch.iter().map(|p| p.scan.clone()).collect();
        match store.record_scans(&scans).await {
            Ok(outcomes) => {
                for (pending, outcome) in batch.drain(..).zip(outcomes) {
                    let _ = pending.reply.send(Ok(outcome));
                }
            }
            Err(e) => {
                tracing::error!(error = %e, scans = batch.len(), "a batch of scans was not recorded");
                for pending in batch.drain(..) {
                    let _ = pending.reply.send(Err(Error::unavailable()));
                }
            }
        }
    }
}
