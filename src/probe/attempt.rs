//! One connection to the endpoint, without or with our certificate: the handshake, then the
//! read (or request) that shows the server's verdict, bounded by the check's deadline.

use std::net::SocketAddr;
use std::time::Instant;

use openssl::error::ErrorStack;
use openssl::ssl::{HandshakeError, SslVersion};

use super::after::{http_outcome, postgres_outcome, read_after_handshake, settle_before_speaking};
use super::classify::{classify_handshake_failure, setup_error};
use super::context::{client_context, client_ssl};
use super::messages::{CONTENT_HANDSHAKE, HANDSHAKE_CERTIFICATE_REQUEST, received, received_any_handshake, snapshot};
use super::{info, route, watchdog};
use crate::certificate_request::{self, CertificateRequest};
use crate::ffi::{self, MessageLog};
use crate::model::{
    AcceptSignal, Attempt, Check, ClientIdentity, HandshakeInfo, Outcome, ProbeError, ProbeOptions, Starttls,
    TlsMessage,
};
use crate::names::DistinguishedName;

/// Makes one connection to `address` and records what the server did.
pub fn attempt(
    check: &Check,
    address: SocketAddr,
    identity: Option<&ClientIdentity>,
    options: &ProbeOptions,
    deadline: Instant,
) -> Attempt {
    let started = Instant::now();
    let setup = |err: ErrorStack| Attempt::failed(setup_error(&err), started);
    let log = MessageLog::default();
    let ctx = match client_context(check, options.protocols) {
        Ok(ctx) => ctx,
        Err(err) => return setup(err),
    };
    let ssl = match client_ssl(&ctx, check, identity, &log) {
        Ok(ssl) => ssl,
        Err(err) => return setup(err),
    };
    let tcp = match route::open(check, address, deadline) {
        Ok(tcp) => tcp,
        Err(error) => return Attempt::failed(error, started),
    };
    let watchdog = match watchdog::Watchdog::arm(&tcp, deadline) {
        Ok(watchdog) => watchdog,
        Err(error) => return Attempt::failed(error, started),
    };
    // What the handshake gave: (outcome, handshake completed, what the SSL showed).
    let mut http_result = None;
    let mut postgres_reply = None;
    let mut late_ca_names = Vec::new();
    let (outcome, completed, info) = match ssl.connect(tcp) {
        Ok(mut stream) => {
            let info = info::collect(stream.ssl());
            let handshake_messages = snapshot(&log).len();
            let tls13 = stream.ssl().version2() == Some(SslVersion::TLS1_3);
            let speaks_first = check.http.is_some() || check.starttls == Some(Starttls::Postgres);
            // TLS 1.3: a server refusing our (missing) certificate sends its alert and closes.
            // If we wrote our request first, its reset could destroy the alert in flight, so give
            // the verdict a moment to arrive before speaking.
            let early = (tls13 && speaks_first && cert_was_requested(&info, &snapshot(&log)))
                .then(|| settle_before_speaking(&mut stream, &log, deadline))
                .flatten();
            let outcome = if let Some(refused) = early {
                refused
            } else if let Some(request) = &check.http {
                let (outcome, exchange) = http_outcome(&mut stream, request, &log, deadline, check.timeout);
                http_result = exchange;
                let after = snapshot(&log).split_off(handshake_messages);
                if received(&after, CONTENT_HANDSHAKE, HANDSHAKE_CERTIFICATE_REQUEST) {
                    late_ca_names = ffi::peer_ca_names(stream.ssl())
                        .iter()
                        .map(|name| DistinguishedName::from_name(name))
                        .collect();
                }
                outcome
            } else if check.starttls == Some(Starttls::Postgres) {
                let (outcome, reply) = postgres_outcome(&mut stream, check, &log, deadline);
                postgres_reply = reply;
                outcome
            } else if tls13 && cert_was_requested(&info, &snapshot(&log)) {
                read_after_handshake(&mut stream, &log, deadline)
            } else {
                Outcome::Accepted(AcceptSignal::Handshake)
            };
            (outcome, Some(handshake_messages), info)
        }
        Err(HandshakeError::Failure(mid)) => {
            let info = info::collect(mid.ssl());
            let messages = snapshot(&log);
            let requested = cert_was_requested(&info, &messages);
            (classify_handshake_failure(mid.error(), &messages, requested, check.timeout), None, info)
        }
        Err(HandshakeError::WouldBlock(mid)) => {
            // A read timeout surfaces as WANT_READ: the server went quiet mid-handshake.
            let waiting_for = if received_any_handshake(&snapshot(&log)) {
                "the rest of the server's TLS handshake"
            } else {
                "the server's TLS handshake (it accepts TCP but does not answer a ClientHello)"
            };
            let timeout = ProbeError::Timeout { waiting_for: waiting_for.into(), after: check.timeout };
            (Outcome::Failed(timeout), None, info::collect(mid.ssl()))
        }
        Err(HandshakeError::SetupFailure(err)) => return setup(err),
    };
    // A connection the watchdog cut at the deadline ended in a timeout, whatever the socket
    // error looked like.
    let outcome = match outcome {
        Outcome::Failed(_) | Outcome::Rejected { alert: None, .. } if watchdog.fired() => {
            Outcome::Failed(ProbeError::Timeout {
                waiting_for: "the server to finish (the connection was cut at the deadline)".into(),
                after: check.timeout,
            })
        }
        other => other,
    };
    drop(watchdog);
    let messages = snapshot(&log);
    let handshake_messages = completed.unwrap_or(messages.len()).min(messages.len());
    let (during, after) = messages.split_at(handshake_messages);
    let cert_requested = cert_was_requested(&info, during);
    let late_cert_request = received(after, CONTENT_HANDSHAKE, HANDSHAKE_CERTIFICATE_REQUEST);
    // What an operator debugging one endpoint wants at -vv; never anything from our credentials.
    log::debug!(
        "{} ({address}) {}: {} {}, certificate requested: {cert_requested}{}, outcome: {outcome:?}",
        check.name,
        if identity.is_some() { "with our certificate" } else { "without a certificate" },
        info.protocol.as_deref().unwrap_or("no protocol"),
        info.cipher.as_deref().unwrap_or("no cipher"),
        if late_cert_request { " (after the handshake)" } else { "" },
    );
    Attempt {
        outcome,
        handshake_completed: completed.is_some(),
        cert_requested,
        cert_sent: (cert_requested || late_cert_request) && identity.is_some(),
        handshake_messages,
        http: http_result,
        postgres: postgres_reply,
        late_cert_request,
        late_ca_names,
        certificate_request: last_certificate_request(&messages),
        info: Some(info),
        messages,
        elapsed: started.elapsed(),
    }
}

/// The last CertificateRequest the server sent (a late one replaces the first), parsed.
fn last_certificate_request(messages: &[TlsMessage]) -> Option<CertificateRequest> {
    let message = messages.iter().rev().find(|m| m.body.is_some())?;
    certificate_request::parse(message.body.as_deref()?, message.version == TLS1_3_VERSION)
}

const TLS1_3_VERSION: i32 = 0x0304;

fn cert_was_requested(info: &HandshakeInfo, messages: &[TlsMessage]) -> bool {
    received(messages, CONTENT_HANDSHAKE, HANDSHAKE_CERTIFICATE_REQUEST) || !info.requested_sigalgs.is_empty()
}
