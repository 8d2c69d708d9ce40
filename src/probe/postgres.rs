//! PostgreSQL after the TLS handshake. The server sends nothing (not even a TLS 1.3 session
//! ticket) until the client's StartupMessage, and pg_hba's `clientcert=verify-ca|verify-full`
//! (or the `cert` method) refuses a missing certificate only in answer to it. So with
//! `starttls: postgres` each connection sends one StartupMessage and reads the first reply;
//! nothing else is sent (a Terminate message ends the session).

use std::net::TcpStream;
use std::time::Instant;

use openssl::ssl::{ErrorCode, SslStream};

use super::route::net::{self, is_timeout};
use crate::model::PostgresReply;

/// Protocol version 3.0.
const PROTOCOL_3_0: i32 = 196_608;
/// A first reply longer than this is not a PostgreSQL server talking.
const MAX_REPLY: usize = 64 * 1024;
pub enum StartupFailure {
    /// A TLS error: an alert (e.g. for our certificate), or the connection closing.
    Tls(openssl::ssl::Error),
    Timeout,
    /// The connection closed cleanly before a reply.
    Closed,
    NotPostgres(String),
}

/// Sends a StartupMessage for `user` and reads the server's first message.
pub fn startup(
    stream: &mut SslStream<TcpStream>,
    user: &str,
    deadline: Instant,
) -> Result<PostgresReply, StartupFailure> {
    let mut body = Vec::new();
    body.extend_from_slice(&PROTOCOL_3_0.to_be_bytes());
    for (key, value) in [("user", user), ("application_name", "mtlscheck")] {
        body.extend_from_slice(key.as_bytes());
        body.push(0);
        body.extend_from_slice(value.as_bytes());
        body.push(0);
    }
    body.push(0);
    let mut message = ((body.len() + 4) as i32).to_be_bytes().to_vec();
    message.extend_from_slice(&body);
    net::set_deadline(stream.get_ref(), deadline);
    stream.ssl_write(&message).map_err(tls_failure)?;
    let header = read_exact(stream, 5, deadline)?;
    let length = i32::from_be_bytes([header[1], header[2], header[3], header[4]]);
    let length = usize::try_from(length).ok().filter(|l| (4..=MAX_REPLY).contains(l)).ok_or_else(|| {
        StartupFailure::NotPostgres(format!(
            "the reply to our StartupMessage is not a PostgreSQL message ({header:02x?})"
        ))
    })?;
    let payload = read_exact(stream, length - 4, deadline)?;
    let reply = describe(header[0], &payload)?;
    // Terminate ('X'): we only wanted the answer.
    let _ = stream.ssl_write(&[b'X', 0, 0, 0, 4]);
    Ok(reply)
}

fn describe(kind: u8, payload: &[u8]) -> Result<PostgresReply, StartupFailure> {
    let text = match kind {
        b'R' => {
            let code = payload.get(..4).map(|c| i32::from_be_bytes([c[0], c[1], c[2], c[3]]));
            match code {
                Some(0) => "authentication ok".to_string(),
                Some(3) => "authentication request: password".to_string(),
                Some(5) => "authentication request: MD5 password".to_string(),
                Some(10) => "authentication request: SASL".to_string(),
                Some(other) => format!("authentication request ({other})"),
                None => "authentication request".to_string(),
            }
        }
        b'E' => {
            let fields = error_fields(payload);
            let field = |code: u8| fields.iter().find(|(c, _)| *c == code).map(|(_, v)| v.as_str());
            // 'V' is the severity never translated (PostgreSQL 9.6+), 'S' the local one.
            let severity = field(b'V').or(field(b'S')).unwrap_or("ERROR");
            let sqlstate = field(b'C').unwrap_or("");
            let message = field(b'M').unwrap_or("");
            return Ok(PostgresReply {
                error_code: (!sqlstate.is_empty()).then(|| sqlstate.to_string()),
                text: format!("{severity} {sqlstate}: {message}"),
            });
        }
        b'v' => "protocol version negotiation".to_string(),
        other => {
            return Err(StartupFailure::NotPostgres(format!(
                "the reply to our StartupMessage is not a PostgreSQL message (type {:?})",
                char::from(other)
            )));
        }
    };
    Ok(PostgresReply { error_code: None, text })
}

/// The (code, value) fields of an ErrorResponse; values bounded and lossy UTF-8.
fn error_fields(payload: &[u8]) -> Vec<(u8, String)> {
    payload
        .split(|&b| b == 0)
        .filter(|field| !field.is_empty())
        .map(|field| (field[0], String::from_utf8_lossy(&field[1..field.len().min(501)]).into_owned()))
        .collect()
}

fn read_exact(stream: &mut SslStream<TcpStream>, wanted: usize, deadline: Instant) -> Result<Vec<u8>, StartupFailure> {
    let mut out = vec![0u8; wanted];
    let mut filled = 0;
    while filled < wanted {
        if Instant::now() >= deadline {
            return Err(StartupFailure::Timeout);
        }
        net::set_deadline(stream.get_ref(), deadline);
        match stream.ssl_read(&mut out[filled..]) {
            Ok(0) => return Err(StartupFailure::Closed),
            Ok(n) => filled += n,
            Err(err) if err.code() == ErrorCode::ZERO_RETURN => return Err(StartupFailure::Closed),
            Err(err) => return Err(tls_failure(err)),
        }
    }
    Ok(out)
}

fn tls_failure(err: openssl::ssl::Error) -> StartupFailure {
    if err.io_error().is_some_and(is_timeout) { StartupFailure::Timeout } else { StartupFailure::Tls(err) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_response_gives_severity_sqlstate_and_message() {
        let payload = b"SFATAL\0VFATAL\0C28000\0Mconnection requires a valid client certificate\0Fauth.c\0\0";
        let reply = describe(b'E', payload).ok().unwrap();
        assert_eq!(reply.text, "FATAL 28000: connection requires a valid client certificate");
        assert!(reply.refuses_certificate());
        let ok = describe(b'R', &0i32.to_be_bytes()).ok().unwrap();
        assert_eq!((ok.text.as_str(), ok.refuses_certificate()), ("authentication ok", false));
        assert!(describe(b'H', b"").is_err());
    }
}
