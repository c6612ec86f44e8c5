//! Cooperative cancellation of long computations (training, Monte-Carlo prediction, GP
//! fitting): a shared flag that the caller sets and the computation polls at safe points
//! (every epoch and every few hundred optimiser steps, every chunk of MC rows, every
//! marginal-likelihood evaluation). A cancelled computation returns
//! [`Error::Interrupted`](crate::Error::Interrupted) and leaves nothing half-written.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// A cancellation flag shared between the caller and a running computation. Clones share
/// the flag; two tokens compare equal when they share it.
///
/// ```
/// use mcdropout::cancel::Cancel;
/// let token = Cancel::new();
/// let seen_by_worker = token.clone();
/// assert!(!seen_by_worker.is_cancelled());
/// token.cancel();
/// assert!(seen_by_worker.is_cancelled());
/// ```
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// A fresh, not yet cancelled token.
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks every computation holding a clone of this token to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether [`cancel`](Self::cancel) has been called on this token or a clone.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

impl PartialEq for Cancel {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// Fails with [`Error::Interrupted`](crate::Error::Interrupted) when `cancel` is set.
pub(crate) fn check(cancel: &Option<Cancel>) -> crate::Result<()> {
    match cancel {
        Some(c) if c.is_cancelled() => Err(crate::Error::Interrupted),
        _ => Ok(()),
    }
}
