//! An mtlscheck process a test talks to while it runs: its stderr read line by line (to learn
//! when it reached a point), signalled by its own PID, waited for with a bound, killed by its
//! PID on drop.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The mtlscheck binary the tests run.
pub fn binary() -> std::path::PathBuf {
    assert_cmd::cargo::cargo_bin!("mtlscheck").to_path_buf()
}

/// `mtlscheck ARGS`, never coloured by the caller's environment.
pub fn command(args: &[&str]) -> Command {
    let mut command = Command::new(binary());
    command.args(args).env_remove("RUST_LOG").env("NO_COLOR", "1");
    command
}

pub struct Running {
    child: Option<Child>,
    lines: mpsc::Receiver<String>,
    /// Every stderr line read so far.
    pub stderr: Vec<String>,
    stdout: Option<JoinHandle<String>>,
}

/// How a run ended.
pub struct Ended {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Running {
    pub fn spawn(mut command: Command) -> Running {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start mtlscheck");
        let stdout = child.stdout.take().expect("stdout");
        let stderr = child.stderr.take().expect("stderr");
        let (sender, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = sender.send(line);
            }
        });
        let stdout = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = BufReader::new(stdout).read_to_string(&mut text);
            text
        });
        Running { child: Some(child), lines, stderr: Vec::new(), stdout: Some(stdout) }
    }

    pub fn pid(&self) -> i32 {
        self.child.as_ref().map_or(0, |child| i32::try_from(child.id()).expect("pid"))
    }

    /// Reads stderr until a line contains `text` (returns it), or panics after `within`
    /// with what was read.
    pub fn wait_for(&mut self, text: &str, within: Duration) -> String {
        if let Some(line) = self.stderr.iter().find(|line| line.contains(text)) {
            return line.clone();
        }
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.stderr.push(line.clone());
                    if line.contains(text) {
                        return line;
                    }
                }
                Err(_) => panic!("no stderr line with {text:?} within {within:?}; read:\n{}", self.stderr.join("\n")),
            }
        }
    }

    /// Sends `signal` to the process by its PID.
    pub fn signal(&self, signal: libc::c_int) {
        // SAFETY: signals our own child by its PID; it has not been reaped (we hold it).
        unsafe { libc::kill(self.pid(), signal) };
    }

    /// Waits (at most `within`) for the process to end; panics, after killing it, if it
    /// does not.
    pub fn end(mut self, within: Duration) -> Ended {
        let mut child = self.child.take().expect("running");
        let deadline = Instant::now() + within;
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait") {
                break status;
            }
            if Instant::now() >= deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!("mtlscheck did not end within {within:?}; stderr:\n{}", self.stderr.join("\n"));
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let stdout = self.stdout.take().and_then(|thread| thread.join().ok()).unwrap_or_default();
        // The reader ends with the pipe; what it read before is in the channel.
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(5)) {
            self.stderr.push(line);
        }
        Ended { code: status.code(), stdout, stderr: self.stderr.join("\n") }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
