//! The HTTP CONNECT tunnel to the destination, opened within the probe's deadline. The proxy
//! password only goes into the Proxy-Authorization header; messages show the URL redacted.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use super::net::{self, is_timeout};
use crate::hostport::HostPort;
use crate::model::{ProbeError, ProxyUrl};

/// A CONNECT response head larger than this is not a proxy talking.
const MAX_RESPONSE_HEAD: usize = 16 * 1024;

/// Asks the proxy on `stream` for a tunnel to `target` and reads its answer, all before
/// `deadline`. A refusal is the check's error, with the proxy's status line.
pub fn tunnel(
    stream: &mut TcpStream,
    proxy: &ProxyUrl,
    target: &HostPort,
    deadline: Instant,
    budget: Duration,
) -> Result<(), ProbeError> {
    let mut request = format!(
        "CONNECT {target} HTTP/1.1\r\nHost: {target}\r\nUser-Agent: mtlscheck/{}\r\n",
        env!("CARGO_PKG_VERSION")
    );
    if let Some(authorization) = proxy.authorization() {
        request.push_str(&format!("Proxy-Authorization: {authorization}\r\n"));
    }
    request.push_str("\r\n");
    let timeout =
        || ProbeError::Timeout { waiting_for: format!("the proxy {proxy} to answer CONNECT").into(), after: budget };
    let fail = |detail: String| ProbeError::Proxy { detail };
    net::set_deadline(stream, deadline);
    stream.write_all(request.as_bytes()).map_err(|err| match is_timeout(&err) {
        true => timeout(),
        false => fail(format!("cannot send CONNECT to the proxy {proxy}: {err}")),
    })?;
    // Byte by byte: whatever follows the response head belongs to the TLS handshake.
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() >= MAX_RESPONSE_HEAD {
            return Err(fail(format!("the proxy {proxy} sent a response head over {MAX_RESPONSE_HEAD} bytes")));
        }
        net::remaining(deadline, "", budget).map_err(|_| timeout())?;
        net::set_deadline(stream, deadline);
        match stream.read(&mut byte) {
            Ok(0) if head.is_empty() => {
                return Err(fail(format!(
                    "the proxy {proxy} closed the connection without answering CONNECT {target}"
                )));
            }
            Ok(0) => break,
            Ok(_) => head.push(byte[0]),
            Err(err) if is_timeout(&err) => {
                return Err(timeout());
            }
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
            Err(err) => return Err(fail(format!("the proxy {proxy} failed while answering CONNECT: {err}"))),
        }
    }
    let text = String::from_utf8_lossy(&head);
    let status_line: String = text
        .lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(200)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    let status = status_line
        .strip_prefix("HTTP/")
        .and_then(|rest| rest.split_whitespace().nth(1))
        .and_then(|code| code.parse::<u16>().ok())
        .ok_or_else(|| {
            fail(format!("the proxy {proxy} answered CONNECT with something that is not HTTP: {status_line:?}"))
        })?;
    if !head.ends_with(b"\r\n\r\n") {
        return Err(fail(format!("the proxy {proxy} closed the connection after {status_line:?}")));
    }
    if (200..300).contains(&status) {
        return Ok(());
    }
    let hint = match (status, proxy.has_user()) {
        (407, false) => "; it wants credentials: set HTTPS_PROXY=http://USER:PASSWORD@HOST:PORT",
        (407, true) => "; it did not accept the credentials",
        _ => "",
    };
    Err(fail(format!("proxy {proxy} refused CONNECT {target}: {status_line}{hint}")))
}
