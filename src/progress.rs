//! The progress bar of a batch run: on stderr, only when stderr is a terminal (never in cron or
//! CI logs), never with `-q`. No colours, so NO_COLOR needs no special case. It is redrawn on a
//! steady tick, so it moves while slow endpoints keep every probe busy, and it says how many
//! probes are under way.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

use crate::model::{CheckResult, Status};

/// How often the bar is redrawn when nothing finishes.
const TICK: Duration = Duration::from_millis(200);

pub struct Progress {
    bar: ProgressBar,
    counts: Arc<Counts>,
}

#[derive(Default)]
struct Counts {
    running: AtomicUsize,
    failed: AtomicUsize,
}

impl Progress {
    pub fn new(total: usize, quiet: bool) -> Progress {
        let counts = Arc::new(Counts::default());
        let bar = if quiet || !std::io::stderr().is_terminal() {
            ProgressBar::hidden()
        } else {
            let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
            let (running, failed, for_eta) = (counts.clone(), counts.clone(), counts.clone());
            let template = "{spinner} {wide_bar} {pos}/{len} checks, {running} running, {failed} failed, {eta_text}";
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(
                    style
                        .with_key("running", move |_: &ProgressState, w: &mut dyn std::fmt::Write| {
                            let _ = write!(w, "{}", running.running.load(Ordering::Relaxed));
                        })
                        .with_key("failed", move |_: &ProgressState, w: &mut dyn std::fmt::Write| {
                            let _ = write!(w, "{}", failed.failed.load(Ordering::Relaxed));
                        })
                        .with_key("eta_text", move |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                            let running = for_eta.running.load(Ordering::Relaxed);
                            let total = state.len().unwrap_or(0);
                            let _ = w.write_str(&eta_text(state.pos(), total, running, state.elapsed()));
                        }),
                );
            }
            bar.enable_steady_tick(TICK);
            bar
        };
        Progress { bar, counts }
    }

    /// A worker starts a probe.
    pub fn started(&self) {
        self.counts.running.fetch_add(1, Ordering::Relaxed);
    }

    /// A check has its result, from any worker thread.
    pub fn done(&self, result: &CheckResult) {
        if result.status != Status::Pass {
            self.counts.failed.fetch_add(1, Ordering::Relaxed);
        }
        self.bar.inc(1);
    }

    /// A probe is over, with or without a result.
    pub fn ended(&self) {
        // Never below zero, should a probe end that was not counted as started.
        let _ = self.counts.running.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1));
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// The time left, from the average pace so far: `ETA 1m 05s`; never `0s` while probes run:
/// `waiting for the last 3` when every check left is under way (each ends by its timeout),
/// `ETA unknown` before the first result.
fn eta_text(done: u64, total: u64, running: usize, elapsed: Duration) -> String {
    let left = total.saturating_sub(done);
    if left == 0 {
        return "done".into();
    }
    if left <= running as u64 {
        return format!("waiting for the last {left}");
    }
    if done == 0 {
        return "ETA unknown".into();
    }
    let seconds = (elapsed.as_secs_f64() / done as f64 * left as f64).ceil().max(1.0) as u64;
    match seconds {
        s if s < 60 => format!("ETA {s}s"),
        s if s < 3600 => format!("ETA {}m {:02}s", s / 60, s % 60),
        s => format!("ETA {}h {:02}m", s / 3600, s % 3600 / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::eta_text;
    use std::time::Duration;

    #[test]
    fn the_eta_never_claims_zero_while_probes_run() {
        let elapsed = Duration::from_millis(300);
        // 26 done quickly, 4 silent endpoints still under way: no estimate is honest.
        assert_eq!(eta_text(26, 30, 4, elapsed), "waiting for the last 4");
        // Fast so far, one check not started yet: at least a second.
        assert_eq!(eta_text(28, 30, 1, elapsed), "ETA 1s");
        assert_eq!(eta_text(0, 30, 30, elapsed), "waiting for the last 30");
        assert_eq!(eta_text(0, 30, 8, elapsed), "ETA unknown");
        assert_eq!(eta_text(10, 100, 8, Duration::from_secs(20)), "ETA 3m 00s");
        assert_eq!(eta_text(30, 30, 0, elapsed), "done");
    }
}
