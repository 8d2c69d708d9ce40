//! The one HTTP/1.1 request a check with `http_path` sends after each handshake. Reading its
//! response is when servers that ask late (renegotiation, TLS 1.3 post-handshake auth) ask,
//! and the status shows enforcement at the HTTP layer (nginx's 400, a 403).

use std::io::Write;
use std::net::TcpStream;
use std::time::Instant;

use openssl::ssl::{ErrorCode, SslStream};

use super::route::net::{self, is_timeout};
use crate::model::{HttpExchange, HttpRequest};

/// How the exchange ended when it did not produce a response.
pub enum HttpFailure {
    /// A TLS error while writing or reading: an alert, or the connection closing.
    Tls(openssl::ssl::Error),
    /// The deadline passed.
    Timeout,
    /// The server answered with something that is not HTTP.
    NotHttp(String),
    /// The connection closed cleanly before a status line.
    Closed,
}

const MAX_RESPONSE: usize = 16 * 1024;

pub fn exchange(
    stream: &mut SslStream<TcpStream>,
    request: &HttpRequest,
    deadline: Instant,
) -> Result<HttpExchange, HttpFailure> {
    let text = format!(
        "{} {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: mtlscheck/{}\r\nAccept: */*\r\nConnection: close\r\n\r\n",
        request.method,
        request.path,
        request.host,
        env!("CARGO_PKG_VERSION")
    );
    net::set_deadline(stream.get_ref(), deadline);
    if let Err(err) = stream.ssl_write(text.as_bytes()) {
        return Err(tls_failure(err));
    }
    let _ = stream.flush();
    let mut response = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        if let Some(done) = parse(&response) {
            return done;
        }
        if response.len() >= MAX_RESPONSE || Instant::now() >= deadline {
            return parse_final(&response);
        }
        net::set_deadline(stream.get_ref(), deadline);
        match stream.ssl_read(&mut buf) {
            Ok(0) => return parse_final(&response),
            Ok(n) => response.extend_from_slice(&buf[..n]),
            Err(err) if err.code() == ErrorCode::ZERO_RETURN => return parse_final(&response),
            Err(err) if response.is_empty() => return Err(tls_failure(err)),
            // The server closed without close_notify after answering: keep what we have.
            Err(_) => return parse_final(&response),
        }
    }
}

fn tls_failure(err: openssl::ssl::Error) -> HttpFailure {
    if err.io_error().is_some_and(is_timeout) { HttpFailure::Timeout } else { HttpFailure::Tls(err) }
}

/// A complete enough response: the headers and some of the body (or all of a short one).
fn parse(response: &[u8]) -> Option<Result<HttpExchange, HttpFailure>> {
    let header_end = response.windows(4).position(|w| w == b"\r\n\r\n")?;
    let body = &response[header_end + 4..];
    // Enough body to see nginx's message; short bodies end with the connection.
    (body.len() >= 512).then(|| build(response, header_end))
}

fn parse_final(response: &[u8]) -> Result<HttpExchange, HttpFailure> {
    if response.is_empty() {
        return Err(HttpFailure::Closed);
    }
    let header_end = response.windows(4).position(|w| w == b"\r\n\r\n").unwrap_or(response.len());
    build(response, header_end)
}

fn build(response: &[u8], header_end: usize) -> Result<HttpExchange, HttpFailure> {
    let head = String::from_utf8_lossy(&response[..header_end]);
    let status_line = head.lines().next().unwrap_or_default().trim().to_string();
    let mut parts = status_line.split_whitespace();
    let status = match (parts.next(), parts.next().and_then(|s| s.parse::<u16>().ok())) {
        (Some(version), Some(status)) if version.starts_with("HTTP/") => status,
        _ => {
            let shown: String = status_line.chars().take(60).collect();
            return Err(HttpFailure::NotHttp(format!("the reply is not HTTP: {shown:?}")));
        }
    };
    let body = response.get(header_end + 4..).unwrap_or_default();
    let body_start = String::from_utf8_lossy(&body[..body.len().min(512)]).into_owned();
    Ok(HttpExchange { status, status_line, body_start })
}
