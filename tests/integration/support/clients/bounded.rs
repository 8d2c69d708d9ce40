//! Client processes bounded in time: output to files (read after the fact, so nothing blocks on
//! a full pipe), a deadline, then SIGKILL to the process's own PID.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Spawns `command` with stdout and stderr written to `<log>.out` and `<log>.err`; stdin is a
/// pipe when `stdin_piped`, else empty.
pub fn spawn_logged(mut command: Command, log: &Path, stdin_piped: bool, what: &str) -> Child {
    let out = File::create(log_file(log, "out")).expect("create client log");
    let err = File::create(log_file(log, "err")).expect("create client log");
    command
        .stdin(if stdin_piped { Stdio::piped() } else { Stdio::null() })
        .stdout(out)
        .stderr(err)
        .spawn()
        .unwrap_or_else(|error| panic!("{what} must be installed (.ci/run installs it): {error}"))
}

/// What a logged process wrote to stdout and stderr (lossy UTF-8).
pub fn read_log(log: &Path) -> (String, String) {
    let read = |ext| String::from_utf8_lossy(&std::fs::read(log_file(log, ext)).unwrap_or_default()).into_owned();
    (read("out"), read("err"))
}

/// `<log>.<ext>`, whatever dots `log` has.
fn log_file(log: &Path, ext: &str) -> PathBuf {
    let mut name = log.as_os_str().to_owned();
    name.push(".");
    name.push(ext);
    PathBuf::from(name)
}

/// Waits up to `within` for `child` to exit; returns whether it did.
pub fn wait_for_exit(child: &mut Child, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    loop {
        if let Ok(Some(_)) = child.try_wait() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Waits up to `within`, then kills `child` by its PID; returns whether it had exited by itself.
pub fn wait_or_kill(child: &mut Child, within: Duration) -> bool {
    let exited = wait_for_exit(child, within);
    if !exited {
        let _ = child.kill();
        let _ = child.wait();
    }
    exited
}
