//! After our side of the handshake: how the server's verdict on our (absent or present)
//! certificate is read. TLS 1.3 servers decide only after our Finished, so we read until a
//! ticket, data or an alert arrives; HTTP and PostgreSQL checks speak their protocol first.

use std::net::TcpStream;
use std::time::{Duration, Instant};

use openssl::ssl::{ErrorCode, SslStream};

use super::classify::describe_ssl_error;
use super::messages::{CONTENT_HANDSHAKE, HANDSHAKE_NEW_SESSION_TICKET, received_alert, snapshot};
use super::route::net::{self, is_timeout};
use super::{http, postgres};
use crate::ffi::{self, MessageLog};
use crate::model::{AcceptSignal, Check, HttpExchange, HttpRequest, Outcome, PostgresReply, ProbeError, Stage};

/// Sends the check's HTTP request and turns what happened into an outcome: a response means
/// the TLS layer accepted us (the status is judged by the verdict); an alert means it refused.
pub fn http_outcome(
    stream: &mut SslStream<TcpStream>,
    request: &HttpRequest,
    log: &MessageLog,
    deadline: Instant,
    budget: Duration,
) -> (Outcome, Option<HttpExchange>) {
    match http::exchange(stream, request, deadline) {
        Ok(exchange) => (Outcome::Accepted(AcceptSignal::HttpResponse), Some(exchange)),
        Err(http::HttpFailure::Tls(err)) => (refused_after_handshake(&err, log), None),
        Err(http::HttpFailure::Timeout) => {
            (Outcome::Failed(ProbeError::Timeout { waiting_for: "the HTTP response".into(), after: budget }), None)
        }
        Err(http::HttpFailure::NotHttp(detail)) => (Outcome::Failed(ProbeError::Http { detail }), None),
        Err(http::HttpFailure::Closed) => (closed_after_handshake(log, "an HTTP response"), None),
    }
}

/// A TLS error after our handshake, while the application protocol was speaking: the server's
/// refusal (usually an alert about our certificate).
fn refused_after_handshake(err: &openssl::ssl::Error, log: &MessageLog) -> Outcome {
    let (alert, error) = describe_ssl_error(err, &snapshot(log));
    Outcome::Rejected { stage: Stage::AfterHandshake, alert, error }
}

/// The server hung up after our handshake without `what`.
fn closed_after_handshake(log: &MessageLog, what: &str) -> Outcome {
    Outcome::Rejected {
        stage: Stage::AfterHandshake,
        alert: received_alert(&snapshot(log)),
        error: format!("the server closed the connection without {what}"),
    }
}

/// PostgreSQL answers nothing until our StartupMessage (no TLS 1.3 ticket either), so its
/// answer is what shows that the TLS layer accepted us, and pg_hba's verdict on our certificate.
pub fn postgres_outcome(
    stream: &mut SslStream<TcpStream>,
    check: &Check,
    log: &MessageLog,
    deadline: Instant,
) -> (Outcome, Option<PostgresReply>) {
    match postgres::startup(stream, &postgres_user(check), deadline) {
        Ok(reply) => (Outcome::Accepted(AcceptSignal::ApplicationData), Some(reply)),
        Err(postgres::StartupFailure::Tls(err)) => (refused_after_handshake(&err, log), None),
        Err(postgres::StartupFailure::Timeout) => {
            let waiting_for = "the PostgreSQL server's answer to our StartupMessage".into();
            (Outcome::Failed(ProbeError::Timeout { waiting_for, after: check.timeout }), None)
        }
        Err(postgres::StartupFailure::Closed) => (closed_after_handshake(log, "answering our StartupMessage"), None),
        Err(postgres::StartupFailure::NotPostgres(detail)) => {
            (Outcome::Failed(ProbeError::Starttls { protocol: "PostgreSQL", detail }), None)
        }
    }
}

/// The user named in the StartupMessage: our certificate's CN (what `clientcert=verify-full`
/// and the `cert` method compare it with), else `mtlscheck`. The same on both connections, so
/// only the certificate differs.
fn postgres_user(check: &Check) -> String {
    check
        .identities
        .iter()
        .find_map(|identity| identity.credential.as_ref())
        .and_then(|identity| {
            let cn = identity.cert.subject_name().entries_by_nid(openssl::nid::Nid::COMMONNAME).next()?;
            cn.data().to_string().ok()
        })
        .unwrap_or_else(|| "mtlscheck".into())
}

/// How long to wait, before writing the first request, for a TLS 1.3 server's verdict on our
/// certificate (servers that accept send a ticket at once; PostgreSQL sends nothing).
const SETTLE: Duration = Duration::from_millis(150);

/// Waits up to [`SETTLE`] for a ticket or an alert; returns the refusal if an alert came.
pub fn settle_before_speaking(
    stream: &mut SslStream<TcpStream>,
    log: &MessageLog,
    deadline: Instant,
) -> Option<Outcome> {
    let outcome = read_after_handshake(stream, log, deadline.min(Instant::now() + SETTLE));
    ffi::set_auto_retry(stream.ssl(), true);
    matches!(outcome, Outcome::Rejected { .. } | Outcome::Failed(_)).then_some(outcome)
}

/// TLS 1.3 after a CertificateRequest: the server decides about our (absent or present)
/// certificate only after our handshake has finished. Read until its verdict arrives: a
/// NewSessionTicket or data means accepted, an alert means refused; only silence lets the
/// deadline decide.
pub fn read_after_handshake(stream: &mut SslStream<TcpStream>, log: &MessageLog, deadline: Instant) -> Outcome {
    // Without auto-retry SSL_read returns after each post-handshake message, so a ticket is
    // seen the moment it arrives instead of after the timeout.
    ffi::set_auto_retry(stream.ssl(), false);
    let mut buf = [0u8; 1024];
    loop {
        if deadline.saturating_duration_since(Instant::now()).is_zero() {
            return Outcome::Accepted(AcceptSignal::NoRejectionBeforeTimeout);
        }
        net::set_deadline(stream.get_ref(), deadline);
        match stream.ssl_read(&mut buf) {
            Ok(_) => return Outcome::Accepted(AcceptSignal::ApplicationData),
            Err(err) => match err.code() {
                ErrorCode::WANT_READ | ErrorCode::WANT_WRITE => {
                    if err.io_error().is_some() {
                        // The socket timeout fired: the server said nothing either way.
                        return Outcome::Accepted(AcceptSignal::NoRejectionBeforeTimeout);
                    }
                    let messages = snapshot(log);
                    let after_handshake = messages.iter().rev().take_while(|m| !m.sent);
                    for message in after_handshake {
                        if message.content_type == CONTENT_HANDSHAKE
                            && message.head.first() == Some(&HANDSHAKE_NEW_SESSION_TICKET)
                        {
                            return Outcome::Accepted(AcceptSignal::SessionTicket);
                        }
                    }
                }
                ErrorCode::ZERO_RETURN => {
                    return Outcome::Rejected {
                        stage: Stage::AfterHandshake,
                        alert: None,
                        error: "the server closed the connection (close_notify) right after the handshake".into(),
                    };
                }
                _ => {
                    if err.io_error().is_some_and(is_timeout) {
                        return Outcome::Accepted(AcceptSignal::NoRejectionBeforeTimeout);
                    }
                    let (alert, error) = describe_ssl_error(&err, &snapshot(log));
                    return Outcome::Rejected { stage: Stage::AfterHandshake, alert, error };
                }
            },
        }
    }
}
