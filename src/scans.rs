//! Group commit for scans: concurrent scans wait in a queue and are written together in one
//! transaction; each request is answered only after the transaction holding its scan committed.

use crate::error::{Error, Result};
use crate::store::Store;
use crate::store::activities::{Scan, ScanOutcome};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// Most scans written in one transaction.
const MAX_BATCH: usize = 512;

struct Pending {
    scan: Scan,
    reply: oneshot::Sender<Result<ScanOutcome>>,
}

#[derive(Clone)]
pub struct ScanRecorder {
    queue: mpsc::Sender<Pending>,
}

impl ScanRecorder {
    /// Starts the writer task; it ends when the last recorder is dropped and the queue is empty.
    pub fn start(store: Arc<dyn Store>) -> Self {
        let (queue, rx) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(write_batches(store, rx));
        ScanRecorder { queue }
    }

    pub async fn record(&self, scan: Scan) -> Result<ScanOutcome> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Pending { scan, reply })
            .await
            .map_err(|_| Error::Unavailable)?;
        answer.await.map_err(|_| Error::Unavailable)?
    }
}

async fn write_batches(store: Arc<dyn Store>, mut rx: mpsc::Receiver<Pending>) {
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
                    let _ = pending.reply.send(Err(Error::Unavailable));
                }
            }
        }
    }
}
