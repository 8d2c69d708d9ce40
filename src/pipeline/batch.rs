//! The pool of workers a batch runs on: at most `jobs` probes at once, results in the order of
//! the checks, each check dropped once probed, and an early stop that keeps what was probed.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use super::one::{Probed, probe_one_check};
use super::stop::{INTERRUPT_GRACE, Stop, StopReason};
use crate::model::{Check, CheckResult, NotRun, NotRunReason, ProbeOptions};
use crate::verdict;

/// Runs every check with at most `jobs` at once; one slow endpoint delays only its own row.
pub fn run_all(checks: &[Check], jobs: usize, options: &ProbeOptions) -> Vec<CheckResult> {
    let batch = run_batch(checks.to_vec(), jobs, *options, Stop::default(), Arc::new(Unwatched));
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

/// What the caller does as each check starts and ends, on the worker that probes it.
pub trait Watch: Send + Sync {
    /// A worker starts probing check `index`.
    fn started(&self, _index: usize) {}
    /// Check `index` has a result: what of it to keep (it may be compared, or trimmed).
    fn finished(&self, _index: usize, result: CheckResult) -> CheckResult {
        result
    }
    /// The probe of check `index` is over, with a result (after `finished`) or without one.
    fn ended(&self, _index: usize) {}
}

/// Keeps every result whole.
struct Unwatched;

impl Watch for Unwatched {}

/// A finished check as a worker hands it over.
type Finished = (usize, Probed);

/// Runs `checks` with at most `jobs` at once, handing each result to `watch` on the worker
/// that probed it (to compare it with a transcript and drop what the outputs do not need while
/// the batch goes on), and stops early when `stop` is requested: no new probe starts; after a
/// signal the probes under way get [`INTERRUPT_GRACE`] to end, after a local limit they run to
/// their end. A worker that meets a local limit requests the stop itself. Each check is
/// dropped once probed: a batch of any size holds its results, not its checks as well.
pub fn run_batch(checks: Vec<Check>, jobs: usize, options: ProbeOptions, stop: Stop, watch: Arc<dyn Watch>) -> Batch {
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
        let (checks, options, worker_stop, watch, next, sender) =
            (checks.clone(), options, stop.clone(), watch.clone(), next.clone(), sender.clone());
        let spawned = std::thread::Builder::new().name(format!("probe-{worker}")).spawn(move || {
            let stop = worker_stop;
            while !stop.requested() {
                let index = next.fetch_add(1, Ordering::SeqCst);
                let Some(slot) = checks.get(index) else { break };
                // Each index is taken by one worker only.
                let Some(check) = slot.lock().ok().and_then(|mut slot| slot.take()) else { continue };
                log::info!("probing {} ({})", check.name, check.target());
                watch.started(index);
                let probed = match probe_one_check(&check, &options) {
                    Probed::Done(result) => {
                        log::info!(
                            "{}: client_auth={} status={:?}",
                            check.name,
                            result.client_auth.as_str(),
                            result.status
                        );
                        Probed::Done(Box::new(watch.finished(index, *result)))
                    }
                    Probed::LocalLimit(detail) => {
                        if stop.request(StopReason::LocalLimit(detail.clone())) {
                            log::error!("{detail}: no new probes; the report lists the checks not run");
                        }
                        Probed::LocalLimit(detail)
                    }
                };
                drop(check);
                watch.ended(index);
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
