//! The one path every command takes: validated checks → probe → verdict, on a bounded pool of
//! worker threads, results in the order of the checks.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::config::Check;
use crate::probe::{self, ProbeOptions};
use crate::verdict::{self, CheckResult};

/// Default number of endpoints probed at once. Probes spend their time waiting on the network,
/// so this is independent of the core count.
pub const DEFAULT_JOBS: u16 = 16;

/// Probes and judges one check with s_client's defaults.
pub fn run_one(check: &Check) -> CheckResult {
    run_one_with(check, &ProbeOptions::default())
}

/// Probes and judges one check. Never panics into the caller: a bug in one check becomes that
/// check's error.
pub fn run_one_with(check: &Check, options: &ProbeOptions) -> CheckResult {
    let mut result = if let Some(reason) = &check.preflight_error {
        verdict::preflight_failed(check, reason)
    } else {
        match catch_unwind(AssertUnwindSafe(|| verdict::assess(check, probe::probe_with(check, options)))) {
            Ok(result) => result,
            Err(_) => verdict::preflight_failed(check, "internal error while probing (please report this as a bug)"),
        }
    };
    // Credential warnings (e.g. our certificate expires soon) are reported with the result.
    result.notes.extend(check.warnings.iter().cloned());
    result
}

/// Runs every check with at most `jobs` at once; one slow endpoint delays only its own row.
pub fn run_all(checks: &[Check], jobs: usize, options: &ProbeOptions) -> Vec<CheckResult> {
    let jobs = jobs.clamp(1, checks.len().max(1));
    let next = AtomicUsize::new(0);
    let slots: Mutex<Vec<Option<CheckResult>>> = Mutex::new(vec![None; checks.len()]);
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(check) = checks.get(index) else { break };
                    log::info!("probing {} ({})", check.name, check.target());
                    let result = run_one_with(check, options);
                    log::info!(
                        "{}: client_auth={} status={:?}",
                        check.name,
                        result.client_auth.as_str(),
                        result.status
                    );
                    if let Ok(mut slots) = slots.lock() {
                        slots[index] = Some(result);
                    }
                }
            });
        }
    });
    let slots = slots.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner());
    slots
        .into_iter()
        .zip(checks)
        .map(|(slot, check)| slot.unwrap_or_else(|| verdict::preflight_failed(check, "internal error: no result")))
        .collect()
}
