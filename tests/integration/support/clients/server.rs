//! One real `openssl s_server` per client connection (`-naccept 1`), logging every TLS message
//! it reads and writes (`-msg`, decrypted in TLS 1.3): the server's own record of whether a
//! client sent its certificate (S), an empty Certificate (–), or gave up before sending one (E).

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use super::bounded::{read_log, spawn_logged, wait_for_exit, wait_or_kill};

/// What the server received from the client after its CertificateRequest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Observed {
    /// A Certificate message with at least one certificate.
    Sent,
    /// A Certificate message with an empty list.
    Empty,
    /// No Certificate message: the client aborted (an alert or a closed connection).
    Aborted,
}

impl Observed {
    /// The outcome as mtlscheck's JSON spells it (`client_stacks.<stack>.outcome`).
    pub fn outcome(self) -> &'static str {
        match self {
            Observed::Sent => "sends",
            Observed::Empty => "sends_empty",
            Observed::Aborted => "aborts",
        }
    }
}

impl fmt::Display for Observed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Observed::Sent => "S",
            Observed::Empty => "–",
            Observed::Aborted => "E",
        })
    }
}

/// A one-connection `openssl s_server` on 127.0.0.1, killed by its PID if it outlives its use.
pub struct OneShotServer {
    child: Child,
    pub port: u16,
    log: PathBuf,
}

impl OneShotServer {
    /// Starts `openssl s_server -accept 127.0.0.1:0 -naccept 1 -msg` plus `args` in `dir`, logging
    /// to `dir/<name>.out|.err`, and waits (bounded) for its `ACCEPT` line to learn the port.
    pub fn start(dir: &Path, name: &str, args: &[String]) -> OneShotServer {
        let log = dir.join(name);
        let mut command = Command::new("openssl");
        command.args(["s_server", "-accept", "127.0.0.1:0", "-naccept", "1", "-msg"]).args(args).current_dir(dir);
        // stdin stays an open pipe while the server lives: s_server ends a session on stdin's EOF.
        let mut child = spawn_logged(command, &log, true, "openssl");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let (out, err) = read_log(&log);
            if let Some(port) = out.lines().find_map(|l| l.strip_prefix("ACCEPT ")?.rsplit(':').next()?.parse().ok()) {
                return OneShotServer { child, port, log };
            }
            if Instant::now() >= deadline || wait_for_exit(&mut child, Duration::ZERO) {
                let _ = child.kill();
                let _ = child.wait();
                panic!("openssl s_server {} did not start within 10 s:\n{err}", args.join(" "));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Whether the server has finished its one connection within `within`.
    pub fn exited_within(&mut self, within: Duration) -> bool {
        wait_for_exit(&mut self.child, within)
    }

    /// Waits up to `within` for the connection to end (then kills the server by its PID) and
    /// reads what happened from its log.
    pub fn finish(mut self, within: Duration) -> ServerRecord {
        let exited = wait_or_kill(&mut self.child, within);
        let (out, err) = read_log(&self.log);
        ServerRecord::read(&out, &err, exited)
    }
}

impl Drop for OneShotServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The server's account of one connection.
#[derive(Debug, Clone)]
pub struct ServerRecord {
    /// `Err` when the log cannot tell (the client never connected, the server never asked, or
    /// it never finished): a problem of the test, never an outcome.
    pub observed: Result<Observed, String>,
    /// The fatal alert the client sent (`handshake_failure`), if any.
    pub client_alert: Option<String>,
    /// The fatal alert the server sent (`certificate_required`), if any.
    pub server_alert: Option<String>,
    /// s_server's error lines (`peer did not return a certificate`, verify errors).
    pub errors: Vec<String>,
}

#[derive(Debug, PartialEq, Eq)]
enum Message<'a> {
    Handshake { name: &'a str, length: usize },
    Alert { fatal: bool, description: &'a str },
}

/// One `-msg` header line: `<<< TLS 1.3, Handshake [length 0306], Certificate` or
/// `>>> TLS 1.2, Alert [length 0002], fatal handshake_failure`; `true` for what the server read.
fn message(line: &str) -> Option<(bool, Message<'_>)> {
    let (received, rest) = match line.get(..4)? {
        "<<< " => (true, &line[4..]),
        ">>> " => (false, &line[4..]),
        _ => return None,
    };
    let mut parts = rest.splitn(3, ", ");
    let (_version, content, name) = (parts.next()?, parts.next()?, parts.next()?);
    let length = content.split_once("[length ")?.1.strip_suffix(']')?;
    let length = usize::from_str_radix(length, 16).ok()?;
    let message = if content.starts_with("Handshake ") {
        Message::Handshake { name, length }
    } else if content.starts_with("Alert ") {
        let (level, description) = name.split_once(' ')?;
        Message::Alert { fatal: level == "fatal", description }
    } else {
        return None;
    };
    Some((received, message))
}

// An empty Certificate message is 7 bytes in TLS 1.2 (header and a zero list length) and 8 in
// TLS 1.3 (plus an empty request context); any certificate makes it hundreds of bytes long.
const EMPTY_CERTIFICATE_MAX: usize = 8;

impl ServerRecord {
    fn read(out: &str, err: &str, exited: bool) -> ServerRecord {
        let mut connected = false;
        let mut asked = false;
        let mut certificate = None;
        let (mut client_alert, mut server_alert) = (None, None);
        for (received, message) in out.lines().filter_map(message) {
            match (received, message) {
                (true, Message::Handshake { name: "ClientHello", .. }) => connected = true,
                (false, Message::Handshake { name: "CertificateRequest", .. }) => asked = true,
                // Only the first: a second would be a renegotiation, which no case asks for.
                (true, Message::Handshake { name: "Certificate", length }) if certificate.is_none() => {
                    certificate = Some(length)
                }
                (true, Message::Alert { fatal: true, description }) => client_alert = Some(description.to_string()),
                (false, Message::Alert { fatal: true, description }) => server_alert = Some(description.to_string()),
                _ => {}
            }
        }
        let observed = match (exited, connected, asked, certificate) {
            (false, ..) => Err("the server was still waiting after the client had finished".to_string()),
            (_, false, ..) => Err("the client never connected".to_string()),
            (_, _, false, _) => Err("the server sent no CertificateRequest".to_string()),
            (_, _, _, Some(length)) if length > EMPTY_CERTIFICATE_MAX => Ok(Observed::Sent),
            (_, _, _, Some(_)) => Ok(Observed::Empty),
            (_, _, _, None) => Ok(Observed::Aborted),
        };
        let errors =
            err.lines().filter(|l| l.contains(":error:") || l.starts_with("verify error")).map(error_text).collect();
        ServerRecord { observed, client_alert, server_alert, errors }
    }

    /// `S`, `–`, `E`, or `?` when the log cannot tell.
    pub fn cell(&self) -> String {
        self.observed.as_ref().map(|o| o.to_string()).unwrap_or_else(|_| "?".to_string())
    }

    /// One line for failure messages: the alerts and s_server's errors.
    pub fn detail(&self) -> String {
        let mut parts = Vec::new();
        if let Err(problem) = &self.observed {
            parts.push(problem.clone());
        }
        if let Some(alert) = &self.client_alert {
            parts.push(format!("client alert {alert}"));
        }
        if let Some(alert) = &self.server_alert {
            parts.push(format!("server alert {alert}"));
        }
        parts.extend(self.errors.iter().cloned());
        parts.join("; ")
    }
}

/// `40B7...:error:0A0000C7:SSL routines:tls_process_client_certificate:peer did not return a
/// certificate:../ssl/...` → `peer did not return a certificate`.
fn error_text(line: &str) -> String {
    let fields: Vec<&str> = line.split(':').collect();
    match fields.iter().position(|f| *f == "error") {
        Some(i) if fields.len() > i + 4 => fields[i + 4].to_string(),
        _ => line.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn msg_lines_are_read() {
        assert_eq!(
            message("<<< TLS 1.3, Handshake [length 0306], Certificate"),
            Some((true, Message::Handshake { name: "Certificate", length: 0x306 }))
        );
        assert_eq!(
            message(">>> TLS 1.2, Alert [length 0002], fatal handshake_failure"),
            Some((false, Message::Alert { fatal: true, description: "handshake_failure" }))
        );
        assert_eq!(message("<<< TLS 1.2, RecordHeader [length 0005]"), None);
        assert_eq!(message("    0b 00 00 03 00 00 00"), None);
    }
}
