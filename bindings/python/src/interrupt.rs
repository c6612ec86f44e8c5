//! Running library calls with the GIL released and Ctrl-C honoured.

use crate::errors::{InternalError, to_py};
use mcdropout::cancel::Cancel;
use pyo3::prelude::*;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, mpsc};
use std::time::Duration;

/// How often the waiting thread looks for pending Python signals.
const POLL: Duration = Duration::from_millis(25);

/// Runs `work` on a worker thread (inside a rayon pool of `n_jobs` threads when given)
/// with the GIL released, so other Python threads keep running. Meanwhile the calling
/// thread wakes every 25 ms to run Python's signal handlers: when one raises (Ctrl-C's
/// `KeyboardInterrupt`), `cancel` is set, the worker stops at its next check and the
/// handler's exception is returned.
pub fn run<T, F>(py: Python<'_>, n_jobs: Option<usize>, cancel: &Cancel, work: F) -> PyResult<T>
where
    T: Send,
    F: FnOnce() -> mcdropout::Result<T> + Send,
{
    let pool = match n_jobs {
        Some(0) => {
            return Err(pyo3::exceptions::PyValueError::new_err(
                "invalid n_jobs: must be at least 1 (or None for every core)",
            ));
        }
        Some(n) => Some(pool_of(n)?),
        None => None,
    };
    let outcome = py.detach(|| {
        std::thread::scope(|scope| {
            let (tx, rx) = mpsc::channel();
            let worker = scope.spawn(move || {
                let result = match &pool {
                    Some(p) => p.install(work),
                    None => work(),
                };
                // The receiver only goes away after joining this thread.
                let _ = tx.send(());
                result
            });
            loop {
                match rx.recv_timeout(POLL) {
                    Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => break,
                    Err(mpsc::RecvTimeoutError::Timeout) => {
                        if let Err(signal) = Python::attach(|py| py.check_signals()) {
                            cancel.cancel();
                            let _ = worker.join();
                            return Err(signal);
                        }
                    }
                }
            }
            worker
                .join()
                .map_err(|_| InternalError::new_err("the computation panicked"))
        })
    })?;
    outcome.map_err(to_py)
}

/// The rayon pool of `n` threads, made once per size and kept for the process (a pool
/// costs about a millisecond to start, a visible share of a small prediction).
fn pool_of(n: usize) -> PyResult<Arc<rayon::ThreadPool>> {
    static POOLS: OnceLock<Mutex<HashMap<usize, Arc<rayon::ThreadPool>>>> = OnceLock::new();
    let mut pools = POOLS
        .get_or_init(Default::default)
        .lock()
        .map_err(|_| InternalError::new_err("thread-pool registry poisoned"))?;
    if let Some(p) = pools.get(&n) {
        return Ok(p.clone());
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .map_err(|e| InternalError::new_err(format!("cannot start {n} threads: {e}")))?;
    let pool = Arc::new(pool);
    pools.insert(n, pool.clone());
    Ok(pool)
}
