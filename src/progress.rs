//! The progress bar of a batch run: on stderr, only when stderr is a terminal (never in cron or
//! CI logs), never with `-q`. No colours, so NO_COLOR needs no special case.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicUsize, Ordering};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::model::{CheckResult, Status};

pub struct Progress {
    bar: ProgressBar,
    failures: AtomicUsize,
}

impl Progress {
    pub fn new(total: usize, quiet: bool) -> Progress {
        let bar = if quiet || !std::io::stderr().is_terminal() {
            ProgressBar::hidden()
        } else {
            let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} checks, {msg} (ETA {eta})") {
                bar.set_style(style);
            }
            bar.set_message("0 failed");
            bar
        };
        Progress { bar, failures: AtomicUsize::new(0) }
    }

    /// Called as each check finishes, from any worker thread.
    pub fn done(&self, result: &CheckResult) {
        if result.status != Status::Pass {
            let failures = self.failures.fetch_add(1, Ordering::Relaxed) + 1;
            self.bar.set_message(format!("{failures} failed"));
        }
        self.bar.inc(1);
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
