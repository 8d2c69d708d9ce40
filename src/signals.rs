//! SIGINT and SIGTERM. The first asks the batch under way to stop and keep what it has: no new
//! probe starts, the report of what was probed is written, and the exit code is 130 or 143.
//! With no batch under way, or at the second signal, the process ends at once, after removing
//! every temporary output file, so nothing is ever left behind.

use std::io::Write;
use std::sync::Mutex;

use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

use crate::pipeline::{INTERRUPT_GRACE, Stop, StopReason};
use crate::report::output;

/// The batch a first signal stops, while one runs.
static BATCH: Mutex<Option<Stop>> = Mutex::new(None);

/// Starts the thread that receives SIGINT and SIGTERM. If it cannot start, the signals keep
/// their default action (the process ends; outputs already written are whole).
pub fn install() {
    let mut signals = match Signals::new([SIGINT, SIGTERM]) {
        Ok(signals) => signals,
        Err(err) => {
            log::warn!("cannot handle SIGINT/SIGTERM ({err}): an interrupted run will keep no results");
            return;
        }
    };
    let spawned = std::thread::Builder::new().name("signals".into()).spawn(move || {
        let mut received = 0;
        for number in signals.forever() {
            received += 1;
            let batch = BATCH.lock().ok().and_then(|batch| batch.clone());
            match batch {
                Some(stop) if received == 1 => {
                    let name = signal_name(number);
                    stop.request(StopReason::Signal { number, name });
                    // Not eprintln!: with stderr closed it would panic this thread.
                    let _ = writeln!(
                        std::io::stderr(),
                        "mtlscheck: {name}: no new probes; those under way get up to {} s, then the report of what \
                         was probed is written ({name} again to quit at once)",
                        INTERRUPT_GRACE.as_secs()
                    );
                }
                _ => exit_at_once(exit_code(number)),
            }
        }
    });
    if let Err(err) = spawned {
        log::warn!("cannot handle SIGINT/SIGTERM ({err}): an interrupted run will keep no results");
    }
}

/// From now on, a first SIGINT/SIGTERM stops this batch instead of ending the process.
pub fn stop_on_signal(stop: &Stop) {
    if let Ok(mut batch) = BATCH.lock() {
        *batch = Some(stop.clone());
    }
}

/// The shell's convention for a process ended by a signal: 128 + its number (130 for SIGINT,
/// 143 for SIGTERM).
pub fn exit_code(number: i32) -> u8 {
    u8::try_from(128 + number).unwrap_or(u8::MAX)
}

/// Ends the process now with `code`, after removing every temporary output file. Exit handlers
/// do not run: probe threads may still be inside OpenSSL, whose own handler would free what
/// they use.
pub fn exit_at_once(code: u8) -> ! {
    output::remove_temporary_files();
    signal_hook::low_level::exit(i32::from(code))
}

fn signal_name(number: i32) -> &'static str {
    match number {
        SIGINT => "SIGINT",
        SIGTERM => "SIGTERM",
        _ => "a signal",
    }
}
