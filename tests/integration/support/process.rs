//! A real server process started by a test: bounded start-up, stopped by its own PID on drop,
//! with its log available for failure messages.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct ServerProcess {
    pub name: &'static str,
    child: Child,
    /// The server's own log file, shown when a test fails.
    pub log: Option<PathBuf>,
}

impl ServerProcess {
    /// Spawns `command` (stdout/stderr to `output` in the server's folder) and waits up to
    /// 15 s until 127.0.0.1:`port` accepts connections.
    pub fn spawn(name: &'static str, mut command: Command, port: u16, log: Option<PathBuf>) -> ServerProcess {
        let child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|err| panic!("{name} must be installed (.ci/run installs it): {err}"));
        let mut server = ServerProcess { name, child, log };
        server.wait_for_port(port);
        server
    }

    fn wait_for_port(&mut self, port: u16) {
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                let mut stderr = String::new();
                if let Some(mut pipe) = self.child.stderr.take() {
                    use std::io::Read;
                    let _ = pipe.read_to_string(&mut stderr);
                }
                panic!("{} exited with {status} before listening on {addr}\n{stderr}\n{}", self.name, self.log_text());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let log = self.log_text();
        self.stop();
        panic!("{} did not listen on {addr} within 15 s\n{log}", self.name);
    }

    pub fn log_text(&self) -> String {
        self.log.as_ref().and_then(|p| std::fs::read_to_string(p).ok()).unwrap_or_default()
    }

    /// Sends `signal` to the server's own PID (e.g. SIGHUP to reload its configuration).
    pub fn signal(&self, signal: libc::c_int) {
        if let Ok(pid) = libc::pid_t::try_from(self.child.id()) {
            // SAFETY: signals our own child by its PID; it has not been reaped (we hold it).
            unsafe { libc::kill(pid, signal) };
        }
    }

    /// SIGTERM first: Apache's parent then stops its worker children (a SIGKILL would orphan
    /// them); SIGKILL after 5 s if it is still there.
    fn stop(&mut self) {
        if let Ok(pid) = libc::pid_t::try_from(self.child.id()) {
            // SAFETY: signals our own child by its PID; it has not been reaped yet.
            unsafe { libc::kill(pid, libc::SIGTERM) };
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A port on 127.0.0.1 that was free a moment ago (for servers that cannot report the port
/// they bound). The tiny race with other processes is accepted in tests.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}
