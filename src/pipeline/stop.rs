//! Stopping a batch early: why (a signal, this machine out of file descriptors) and the shared
//! request the batch, the signal handler and the workers see.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long probes under way may take to end after an interruption before they are given up.
pub const INTERRUPT_GRACE: Duration = Duration::from_secs(1);

/// Why a batch stopped before every check was probed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StopReason {
    /// SIGINT or SIGTERM: its number and name.
    Signal { number: i32, name: &'static str },
    /// This machine ran out of file descriptors: the error as the probe met it.
    LocalLimit(String),
}

impl StopReason {
    /// The reason in words, as reports and messages give it.
    pub fn describe(&self) -> String {
        match self {
            StopReason::Signal { name, .. } => format!("interrupted by {name}"),
            StopReason::LocalLimit(detail) => detail.clone(),
        }
    }
}

/// A request to stop a batch early, shared by the batch and whoever may ask (the signal
/// handler, a worker that met a local limit). The first reason given is kept.
#[derive(Debug, Clone, Default)]
pub struct Stop(Arc<StopState>);

#[derive(Debug, Default)]
struct StopState {
    requested: AtomicBool,
    reason: Mutex<Option<StopReason>>,
}

impl Stop {
    /// Asks the batch to stop; returns whether this was the first request.
    pub fn request(&self, reason: StopReason) -> bool {
        let Ok(mut kept) = self.0.reason.lock() else { return false };
        let first = kept.is_none();
        if first {
            *kept = Some(reason);
        }
        self.0.requested.store(true, Ordering::SeqCst);
        first
    }

    pub fn requested(&self) -> bool {
        self.0.requested.load(Ordering::SeqCst)
    }

    pub fn reason(&self) -> Option<StopReason> {
        self.0.reason.lock().ok().and_then(|reason| reason.clone())
    }
}
