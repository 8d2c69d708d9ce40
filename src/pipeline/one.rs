//! One check, probed and judged: retries of transient network errors, every address of a
//! host, and the one failure that is this machine's rather than the endpoint's (no file
//! descriptor left), which a batch stops on instead of reporting.

use std::net::SocketAddr;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use crate::model::{Check, CheckResult, Observation, Outcome, ProbeError, ProbeOptions, WithCert};
use crate::{probe, verdict};

/// Probes and judges one check with s_client's defaults.
pub fn run_one(check: &Check) -> CheckResult {
    run_one_with(check, &ProbeOptions::default())
}

/// Probes and judges one check. Never panics into the caller: a bug in one check becomes that
/// check's error, and so does a limit of this machine (a batch stops on it instead).
pub fn run_one_with(check: &Check, options: &ProbeOptions) -> CheckResult {
    match probe_one_check(check, options) {
        Probed::Done(result) => *result,
        Probed::LocalLimit(detail) => with_credential_notes(check, verdict::preflight_failed(check, &detail)),
    }
}

/// One check's outcome as a batch sees it.
pub(super) enum Probed {
    Done(Box<CheckResult>),
    /// This machine ran out of file descriptors during the probe: no verdict about the endpoint.
    LocalLimit(String),
}

pub(super) fn probe_one_check(check: &Check, options: &ProbeOptions) -> Probed {
    // Credentials that cannot be used do not stop the probe: the connection without a
    // certificate still shows the partner's mode, and the verdict fails the check for them.
    let probe = || {
        if check.all_addresses { probe_every_address(check, options) } else { probe_with_retries(check, options, None) }
    };
    match catch_unwind(AssertUnwindSafe(probe)) {
        Ok(Ok(result)) => Probed::Done(Box::new(with_credential_notes(check, result))),
        Ok(Err(limit)) => Probed::LocalLimit(limit),
        Err(_) => Probed::Done(Box::new(with_credential_notes(
            check,
            verdict::preflight_failed(check, "internal error while probing (please report this as a bug)"),
        ))),
    }
}

/// Credential warnings (e.g. our certificate expires soon) are reported with the result.
fn with_credential_notes(check: &Check, mut result: CheckResult) -> CheckResult {
    result.notes.extend(check.warnings.iter().cloned());
    result
}

/// The local limit any connection of an observation ran into, if any.
fn local_limit(observation: &Observation) -> Option<String> {
    let later = observation.identities.iter().chain(&observation.impostor).filter_map(|attempt| match attempt {
        WithCert::Done(attempt) => Some(&attempt.outcome),
        WithCert::Skipped(_) => None,
    });
    std::iter::once(&observation.without_cert.outcome).chain(later).find_map(|outcome| match outcome {
        Outcome::Failed(ProbeError::LocalLimit { detail }) => Some(detail.clone()),
        _ => None,
    })
}

/// First retry after 250 ms, then 500 ms, 1 s, …
const FIRST_BACKOFF: Duration = Duration::from_millis(250);

/// Probes (one address, or the first resolved one), retrying transient network errors.
/// `Err`: this machine ran out of file descriptors (never retried: it is not the network).
fn probe_with_retries(
    check: &Check,
    options: &ProbeOptions,
    address: Option<SocketAddr>,
) -> Result<CheckResult, String> {
    let mut tries = 0;
    loop {
        tries += 1;
        let observation = match address {
            Some(address) => probe::probe_address(check, options, address),
            None => probe::probe_with(check, options),
        };
        if let Some(limit) = local_limit(&observation) {
            return Err(limit);
        }
        let transient = matches!(&observation.without_cert.outcome, Outcome::Failed(err) if err.is_transient());
        if !transient || tries > check.retries {
            let mut result = verdict::assess(check, observation);
            result.tries = tries;
            return Ok(result);
        }
        log::info!("{}: transient error, retry {tries} of {}", check.name, check.retries);
        std::thread::sleep(FIRST_BACKOFF * 2u32.saturating_pow(tries - 1));
    }
}

/// `all_addresses`: every resolved address probed at once (so the check still takes about one
/// timeout), then joined with disagreements flagged.
fn probe_every_address(check: &Check, options: &ProbeOptions) -> Result<CheckResult, String> {
    let started = Instant::now();
    let addresses = match probe::resolve_addresses(check) {
        Ok(addresses) => addresses,
        Err(ProbeError::LocalLimit { detail }) => return Err(detail),
        Err(error) => return Ok(verdict::assess(check, probe::unresolved(check, error, started))),
    };
    let results: Vec<Result<CheckResult, String>> = std::thread::scope(|scope| {
        let running: Vec<_> = addresses
            .iter()
            .map(|&address| scope.spawn(move || probe_with_retries(check, options, Some(address))))
            .collect();
        running
            .into_iter()
            .map(|thread| {
                thread.join().unwrap_or_else(|_| Ok(verdict::preflight_failed(check, "internal error while probing")))
            })
            .collect()
    });
    let results: Vec<CheckResult> = results.into_iter().collect::<Result<_, _>>()?;
    Ok(verdict::combine_addresses(results).unwrap_or_else(|| verdict::preflight_failed(check, "no addresses")))
}
