//! Name resolution and TCP connections, each bounded by the probe's deadline; the one test
//! for "a socket timeout fired", and the one for "this machine ran out of file descriptors".

use std::io;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::model::ProbeError;

/// Time left until `deadline`, or a timeout error naming what we were waiting for.
pub fn remaining(deadline: Instant, waiting_for: &'static str, budget: Duration) -> Result<Duration, ProbeError> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left < Duration::from_millis(1) {
        Err(ProbeError::Timeout { waiting_for: waiting_for.into(), after: budget })
    } else {
        Ok(left)
    }
}

/// Resolves `host` to all its addresses (A and AAAA, resolver order, duplicates removed).
/// getaddrinfo cannot be cancelled, so it runs on its own thread and we stop waiting at the
/// deadline (the thread ends on its own later).
pub fn resolve_all(host: &str, port: u16, deadline: Instant, budget: Duration) -> Result<Vec<SocketAddr>, ProbeError> {
    if let Ok(ip) = host.parse::<std::net::IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let (tx, rx) = mpsc::channel();
    let name = host.to_string();
    std::thread::Builder::new()
        .name("resolve".into())
        .spawn(move || {
            let _ = tx.send((name.as_str(), port).to_socket_addrs().map(|addrs| addrs.collect::<Vec<_>>()));
        })
        .map_err(|err| {
            local_limit(&err, &format!("resolving {host}")).unwrap_or_else(|| ProbeError::LocalLimit {
                detail: format!("this machine could not start a thread to resolve {host} ({err}): lower --jobs"),
            })
        })?;
    let wait = remaining(deadline, "DNS resolution", budget)?;
    match rx.recv_timeout(wait) {
        Ok(Ok(addrs)) => {
            let mut unique: Vec<SocketAddr> = Vec::new();
            for addr in addrs {
                if !unique.contains(&addr) {
                    unique.push(addr);
                }
            }
            if unique.is_empty() {
                Err(ProbeError::Resolve { host: host.to_string(), reason: "no addresses".into() })
            } else {
                Ok(unique)
            }
        }
        Ok(Err(err)) => Err(local_limit(&err, &format!("resolving {host}"))
            .unwrap_or_else(|| ProbeError::Resolve { host: host.to_string(), reason: resolve_reason(&err) })),
        Err(_) => Err(ProbeError::Timeout { waiting_for: format!("DNS resolution of {host}").into(), after: budget }),
    }
}

fn resolve_reason(err: &io::Error) -> String {
    let text = err.to_string();
    // std wraps getaddrinfo's message as "failed to lookup address information: ..."
    text.strip_prefix("failed to lookup address information: ").unwrap_or(&text).to_string()
}

/// Connects within the deadline and bounds every later read and write by it too.
pub fn connect(addr: SocketAddr, deadline: Instant, budget: Duration) -> Result<TcpStream, ProbeError> {
    let wait = remaining(deadline, "the TCP connection", budget)?;
    let stream = TcpStream::connect_timeout(&addr, wait).map_err(|err| {
        if is_timeout(&err) {
            ProbeError::Timeout { waiting_for: format!("the TCP connection to {addr}").into(), after: budget }
        } else {
            local_limit(&err, &format!("opening a connection to {addr}"))
                .unwrap_or_else(|| ProbeError::Connect { addr, reason: err.to_string() })
        }
    })?;
    let _ = stream.set_nodelay(true);
    set_deadline(&stream, deadline);
    Ok(stream)
}

/// Sets the socket's read and write timeouts to the time left (at least 1 ms, since zero means
/// "block forever" to the OS).
pub fn set_deadline(stream: &TcpStream, deadline: Instant) {
    let left = deadline.saturating_duration_since(Instant::now()).max(Duration::from_millis(1));
    let _ = stream.set_read_timeout(Some(left));
    let _ = stream.set_write_timeout(Some(left));
}

/// Whether an I/O error is a socket timeout firing: a read or write timeout surfaces as
/// `WouldBlock` on Linux, a connect timeout as `TimedOut`.
pub fn is_timeout(err: &io::Error) -> bool {
    matches!(err.kind(), io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock)
}

/// The error for a file-descriptor limit of this machine hit while `doing` something: EMFILE
/// (this process's `ulimit -n`) or ENFILE (the system's file table). `None` for other errors.
/// Such a failure is ours, never the endpoint's, and a retry would only hit it again.
pub fn local_limit(err: &io::Error, doing: &str) -> Option<ProbeError> {
    local_limit_errno(err.raw_os_error()?, doing)
}

/// [`local_limit`] for a bare errno (OpenSSL reports system errors that way).
pub fn local_limit_errno(errno: i32, doing: &str) -> Option<ProbeError> {
    let detail = match errno {
        libc::EMFILE => format!(
            "this machine ran out of file descriptors while {doing}: mtlscheck reached its open-file limit \
             (ulimit -n); raise it or lower --jobs"
        ),
        libc::ENFILE => format!(
            "this machine ran out of file descriptors while {doing}: the system-wide file table is full (ENFILE); \
             close other programs' files, raise fs.file-max or lower --jobs"
        ),
        _ => return None,
    };
    Some(ProbeError::LocalLimit { detail })
}
