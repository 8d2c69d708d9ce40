//! What a batch keeps of each result until its outputs are written: only what they show. For
//! 20,000 checks the difference is hundreds of megabytes.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use crate::model::{CheckResult, Observation, WithCert};

/// Trims results as their checks finish (from any worker thread).
pub struct Keep {
    /// An output shows the handshakes (`sclient`, `html`).
    observation: bool,
    /// One copy of each client-stack reason: the checks of one endpoint share them.
    reasons: Mutex<HashSet<Arc<str>>>,
}

impl Keep {
    pub fn new(observation: bool) -> Keep {
        Keep { observation, reasons: Mutex::new(HashSet::new()) }
    }

    /// Drops what no output of `run` shows: the handshake details (unless an output shows
    /// them, and then all but the connection it shows) and the step-by-step reasoning of the
    /// client-stack predictions (only `probe --explain-client` prints it); shares each
    /// prediction's reason with the results that have the same one.
    pub fn trim(&self, result: &mut CheckResult) {
        let observation = result.observation.take();
        if self.observation {
            result.observation = observation.map(|shared| Arc::new(shown_only(Arc::unwrap_or_clone(shared))));
        }
        let Ok(mut reasons) = self.reasons.lock() else { return };
        let identities = result.identities.iter_mut().filter_map(|identity| identity.client_stacks.as_mut());
        for stacks in result.client_stacks.iter_mut().chain(identities) {
            for prediction in stacks.values_mut() {
                prediction.steps = Vec::new();
                match reasons.get(&*prediction.reason) {
                    Some(shared) => prediction.reason = shared.clone(),
                    None => {
                        reasons.insert(prediction.reason.clone());
                    }
                }
            }
        }
    }
}

/// What `run`'s `sclient` and `html` outputs show of a check's handshakes: s_client's view of the
/// one connection `shown_attempt` picks. The message logs (only `probe --trace` prints them) and
/// the other connections' details go: they were most of a check's memory.
fn shown_only(mut observation: Observation) -> Observation {
    let identity_shown = observation.first_with_cert().is_some_and(|attempt| attempt.info.is_some());
    observation.without_cert.messages = Vec::new();
    if identity_shown {
        observation.without_cert.info = None;
    }
    let later = observation.identities.iter_mut().chain(observation.impostor.as_mut());
    for (index, connection) in later.enumerate() {
        if let WithCert::Done(attempt) = connection {
            attempt.messages = Vec::new();
            if !(identity_shown && index == 0) {
                attempt.info = None;
            }
        }
    }
    observation
}
