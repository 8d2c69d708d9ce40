//! The one path every command takes (`run`, `probe`, `compare`, `demo`): validated checks →
//! probe → verdict, on a bounded pool of worker threads, results in the order of the checks.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::model::{Check, CheckResult, Outcome, ProbeOptions};
use crate::{probe, verdict};

/// Default number of endpoints probed at once. Probes spend their time waiting on the network,
/// so this is independent of the core count.
pub const DEFAULT_JOBS: u16 = 32;

/// Probes and judges one check with s_client's defaults.
pub fn run_one(check: &Check) -> CheckResult {
    run_one_with(check, &ProbeOptions::default())
}

/// Probes and judges one check. Never panics into the caller: a bug in one check becomes that
/// check's error.
pub fn run_one_with(check: &Check, options: &ProbeOptions) -> CheckResult {
    // Credentials that cannot be used do not stop the probe: the connection without a
    // certificate still shows the partner's mode, and the verdict fails the check for them.
    let probe = || {
        if check.all_addresses { probe_every_address(check, options) } else { probe_with_retries(check, options, None) }
    };
    let mut result = match catch_unwind(AssertUnwindSafe(probe)) {
        Ok(result) => result,
        Err(_) => verdict::preflight_failed(check, "internal error while probing (please report this as a bug)"),
    };
    // Credential warnings (e.g. our certificate expires soon) are reported with the result.
    result.notes.extend(check.warnings.iter().cloned());
    result
}

/// First retry after 250 ms, then 500 ms, 1 s, …
const FIRST_BACKOFF: Duration = Duration::from_millis(250);

/// Probes (one address, or the first resolved one), retrying transient network errors.
fn probe_with_retries(check: &Check, options: &ProbeOptions, address: Option<SocketAddr>) -> CheckResult {
    let mut tries = 0;
    loop {
        tries += 1;
        let observation = match address {
            Some(address) => probe::probe_address(check, options, address),
            None => probe::probe_with(check, options),
        };
        let transient = matches!(&observation.without_cert.outcome, Outcome::Failed(err) if err.is_transient());
        if !transient || tries > check.retries {
            let mut result = verdict::assess(check, observation);
            result.tries = tries;
            return result;
        }
        log::info!("{}: transient error, retry {tries} of {}", check.name, check.retries);
        std::thread::sleep(FIRST_BACKOFF * 2u32.saturating_pow(tries - 1));
    }
}

/// `all_addresses`: every resolved address probed at once (so the check still takes about one
/// timeout), then joined with disagreements flagged.
fn probe_every_address(check: &Check, options: &ProbeOptions) -> CheckResult {
    let started = Instant::now();
    let addresses = match probe::resolve_addresses(check) {
        Ok(addresses) => addresses,
        Err(error) => return verdict::assess(check, probe::unresolved(check, error, started)),
    };
    let results: Vec<CheckResult> = std::thread::scope(|scope| {
        let running: Vec<_> = addresses
            .iter()
            .map(|&address| scope.spawn(move || probe_with_retries(check, options, Some(address))))
            .collect();
        running
            .into_iter()
            .map(|thread| {
                thread.join().unwrap_or_else(|_| verdict::preflight_failed(check, "internal error while probing"))
            })
            .collect()
    });
    verdict::combine_addresses(results).unwrap_or_else(|| verdict::preflight_failed(check, "no addresses"))
}

/// Runs every check with at most `jobs` at once; one slow endpoint delays only its own row.
pub fn run_all(checks: &[Check], jobs: usize, options: &ProbeOptions) -> Vec<CheckResult> {
    run_all_reporting(checks, jobs, options, &|_| {})
}

/// Like [`run_all`], calling `on_done` (from a worker thread) as each check finishes.
pub fn run_all_reporting(
    checks: &[Check],
    jobs: usize,
    options: &ProbeOptions,
    on_done: &(dyn Fn(&CheckResult) + Sync),
) -> Vec<CheckResult> {
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
                    on_done(&result);
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
