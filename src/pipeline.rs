//! The one path every command takes (`run`, `probe`, `compare`, `demo`): validated checks →
//! probe → verdict, on a bounded pool of worker threads, results in the order of the checks.
//! A batch can be stopped early ([`Stop`]): no new probe starts, and what was probed is kept.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::model::{
    Check, CheckResult, NotRun, NotRunReason, Observation, Outcome, ProbeError, ProbeOptions, WithCert,
};
use crate::{probe, verdict};

/// Default number of endpoints probed at once. Probes spend their time waiting on the network,
/// so this is independent of the core count.
pub const DEFAULT_JOBS: u16 = 32;

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
enum Probed {
    Done(Box<CheckResult>),
    /// This machine ran out of file descriptors during the probe: no verdict about the endpoint.
    LocalLimit(String),
}

fn probe_one_check(check: &Check, options: &ProbeOptions) -> Probed {
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

/// Runs every check with at most `jobs` at once; one slow endpoint delays only its own row.
pub fn run_all(checks: &[Check], jobs: usize, options: &ProbeOptions) -> Vec<CheckResult> {
    let batch = run_batch(checks.to_vec(), jobs, *options, Stop::default(), Arc::new(|_, result| result));
    batch
        .results
        .into_iter()
        .zip(checks.iter())
        .map(|(slot, check)| slot.unwrap_or_else(|| verdict::preflight_failed(check, "internal error: no result")))
        .collect()
}

/// What a batch produced.
pub struct Batch {
    /// One slot per check, in the order of the checks; `None` for a check that was not run.
    pub results: Vec<Option<CheckResult>>,
    /// The checks without a result and why, in the order of the checks.
    pub not_run: Vec<NotRun>,
    /// Why the batch stopped early, when it did.
    pub stopped: Option<StopReason>,
    /// Probes were still under way when the batch gave up on them (after an interruption).
    /// Their threads still hold OpenSSL objects, so the process must end without running exit
    /// handlers (OpenSSL's would free what they use).
    pub abandoned: bool,
}

/// A finished check as a worker hands it over.
type Finished = (usize, Probed);

/// Runs `checks` with at most `jobs` at once, handing each result to `finish` on the worker
/// that probed it (to compare it with a transcript and drop what the outputs do not need while
/// the batch goes on), and stops early when `stop` is requested: no new probe starts; after a
/// signal the probes under way get [`INTERRUPT_GRACE`] to end, after a local limit they run to
/// their end. A worker that meets a local limit requests the stop itself. Each check is
/// dropped once probed: a batch of any size holds its results, not its checks as well.
pub fn run_batch(
    checks: Vec<Check>,
    jobs: usize,
    options: ProbeOptions,
    stop: Stop,
    finish: Arc<dyn Fn(usize, CheckResult) -> CheckResult + Send + Sync>,
) -> Batch {
    let total = checks.len();
    let labels: Vec<NotRun> = checks
        .iter()
        .map(|check| NotRun {
            name: check.name.clone(),
            host: check.host.clone(),
            port: check.port,
            reason: NotRunReason::NotStarted,
        })
        .collect();
    // Boxed: an emptied slot then keeps a pointer, not a whole check, until the batch ends.
    let checks: Arc<Vec<Mutex<Option<Box<Check>>>>> =
        Arc::new(checks.into_iter().map(|check| Mutex::new(Some(Box::new(check)))).collect());
    let next = Arc::new(AtomicUsize::new(0));
    let (sender, finished) = mpsc::channel::<Finished>();
    let mut workers = Vec::new();
    for worker in 0..jobs.clamp(1, total.max(1)) {
        let (checks, options, worker_stop, finish, next, sender) =
            (checks.clone(), options, stop.clone(), finish.clone(), next.clone(), sender.clone());
        let spawned = std::thread::Builder::new().name(format!("probe-{worker}")).spawn(move || {
            let stop = worker_stop;
            while !stop.requested() {
                let index = next.fetch_add(1, Ordering::SeqCst);
                let Some(slot) = checks.get(index) else { break };
                // Each index is taken by one worker only.
                let Some(check) = slot.lock().ok().and_then(|mut slot| slot.take()) else { continue };
                log::info!("probing {} ({})", check.name, check.target());
                let probed = match probe_one_check(&check, &options) {
                    Probed::Done(result) => {
                        log::info!(
                            "{}: client_auth={} status={:?}",
                            check.name,
                            result.client_auth.as_str(),
                            result.status
                        );
                        Probed::Done(Box::new(finish(index, *result)))
                    }
                    Probed::LocalLimit(detail) => {
                        if stop.request(StopReason::LocalLimit(detail.clone())) {
                            log::error!("{detail}: no new probes; the report lists the checks not run");
                        }
                        Probed::LocalLimit(detail)
                    }
                };
                drop(check);
                if sender.send((index, probed)).is_err() {
                    break;
                }
            }
        });
        match spawned {
            Ok(handle) => workers.push(handle),
            // Fewer workers than asked still finish the batch; none at all cannot.
            Err(err) if workers.is_empty() => {
                stop.request(StopReason::LocalLimit(format!("this machine could not start a probe thread: {err}")));
            }
            Err(err) => log::warn!("could start only {} probe threads ({err}); going on with them", workers.len()),
        }
    }
    drop(sender);

    let mut results: Vec<Option<CheckResult>> = (0..total).map(|_| None).collect();
    let mut limited = vec![false; total];
    let mut give_up_at: Option<Instant> = None;
    let mut abandoned = false;
    loop {
        if give_up_at.is_none() && matches!(stop.reason(), Some(StopReason::Signal { .. })) {
            give_up_at = Some(Instant::now() + INTERRUPT_GRACE);
        }
        // Woken by each result; between results, often enough to notice an interruption.
        let wait = give_up_at.map_or(Duration::from_millis(50), |at| at.saturating_duration_since(Instant::now()));
        match finished.recv_timeout(wait) {
            // Copied on this thread: long-lived results then sit in the memory the loaded
            // checks are giving back, and the workers' arenas keep only what one probe needs.
            Ok((index, Probed::Done(result))) => results[index] = Some((*result).clone()),
            Ok((index, Probed::LocalLimit(_))) => limited[index] = true,
            Err(mpsc::RecvTimeoutError::Timeout) if give_up_at.is_some_and(|at| Instant::now() >= at) => {
                abandoned = true;
                break;
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    if !abandoned {
        for worker in workers {
            let _ = worker.join();
        }
    }
    // Checks a worker took before the stop were under way; the rest never started.
    let taken = next.load(Ordering::SeqCst).min(total);
    let not_run = labels
        .into_iter()
        .enumerate()
        .filter(|(index, _)| results[*index].is_none())
        .map(|(index, label)| {
            let reason = if limited[index] {
                NotRunReason::LocalLimit
            } else if index < taken {
                NotRunReason::Interrupted
            } else {
                NotRunReason::NotStarted
            };
            NotRun { reason, ..label }
        })
        .collect();
    Batch { results, not_run, stopped: stop.reason(), abandoned }
}
