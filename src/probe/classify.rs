//! What a failed handshake or read means: the server refusing us (an alert during or after the
//! handshake), a timeout, a server that is not TLS, a connection closed or reset, or our own
//! side giving up; and the alert and error texts, as s_client prints them.

use std::time::Duration;

use openssl::error::ErrorStack;

use super::messages::{CONTENT_HANDSHAKE, HANDSHAKE_SERVER_HELLO, aborted_by_us, received, received_alert};
use super::route::net::{is_timeout, local_limit_errno};
use crate::model::{Outcome, ProbeError, Stage, TlsMessage};

pub fn classify_handshake_failure(
    err: &openssl::ssl::Error,
    messages: &[TlsMessage],
    requested: bool,
    budget: Duration,
) -> Outcome {
    if err.io_error().is_some_and(is_timeout) {
        return Outcome::Failed(ProbeError::Timeout {
            waiting_for: "the server's TLS handshake".into(),
            after: budget,
        });
    }
    let (alert, error) = describe_ssl_error(err, messages);
    if requested && let Some(ours) = aborted_by_us(messages) {
        // Not the server refusing us: our side could not process the server's messages (e.g. a
        // CA name that is not valid UTF-8). Calling that "required" would be a wrong verdict.
        return Outcome::Failed(ProbeError::Handshake {
            detail: format!(
                "the server asked for a client certificate, then our side aborted the handshake with alert \"{ours}\" \
                 because OpenSSL could not process the server's messages (s_client and curl fail the same way): {error}"
            ),
        });
    }
    if requested {
        return Outcome::Rejected { stage: Stage::DuringHandshake, alert, error };
    }
    let server_hello = received(messages, CONTENT_HANDSHAKE, HANDSHAKE_SERVER_HELLO);
    let reason = err.ssl_error().and_then(|s| s.errors().first()).and_then(|e| e.reason()).unwrap_or("");
    if !server_hello && alert.is_none() {
        if reason.contains("wrong version number") || reason.contains("packet length too long") {
            return Outcome::Failed(ProbeError::NotTls {
                detail: format!("the reply to our ClientHello is not a TLS record ({reason})"),
            });
        }
        if err.ssl_error().is_none() || reason.contains("unexpected eof") {
            let reset = err.io_error().is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionReset);
            return Outcome::Failed(ProbeError::ClosedBeforeServerHello { reset });
        }
    }
    if server_hello && alert.is_none() && (err.ssl_error().is_none() || reason.contains("unexpected eof")) {
        let reset = err.io_error().is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionReset);
        return Outcome::Failed(ProbeError::ClosedMidHandshake { reset });
    }
    Outcome::Failed(ProbeError::Handshake { detail: with_hint(error) })
}

/// Adds what an operator needs to know to OpenSSL errors that do not explain themselves.
fn with_hint(error: String) -> String {
    if error.contains("excessive message size") {
        format!(
            "{error} (a handshake message from the server, usually its certificate chain, is larger than the 100 KB \
             OpenSSL clients accept by default: s_client and curl fail the same way)"
        )
    } else {
        error
    }
}

/// The alert text (if the failure was an alert) and the error line for a failed read or
/// handshake.
pub fn describe_ssl_error(err: &openssl::ssl::Error, messages: &[TlsMessage]) -> (Option<String>, String) {
    if let Some(stack) = err.ssl_error() {
        let alert = stack
            .errors()
            .iter()
            .find(|e| e.library_code() == 20 && (1000..1256).contains(&e.reason_code()))
            .and_then(|e| e.reason())
            .map(str::to_string);
        let alert = alert.or_else(|| received_alert(messages));
        return (alert, first_error_line(stack));
    }
    let alert = received_alert(messages);
    let error = match err.io_error() {
        Some(io) => format!("I/O error: {io}"),
        None => "the server closed the connection".to_string(),
    };
    (alert, error)
}

/// The first OpenSSL error as s_client prints it, minus the thread id prefix.
pub fn first_error_line(stack: &ErrorStack) -> String {
    stack.errors().first().map(|e| e.to_string()).unwrap_or_else(|| stack.to_string())
}

/// OpenSSL's library code for errors of the C library (`ERR_LIB_SYS`): the reason is the errno.
const ERR_LIB_SYS: i32 = 2;

/// Why the client side could not be set up: this machine out of file descriptors (OpenSSL
/// could not open the CA file), or OpenSSL's own error.
pub fn setup_error(stack: &ErrorStack) -> ProbeError {
    stack
        .errors()
        .iter()
        .filter(|e| e.library_code() == ERR_LIB_SYS)
        .find_map(|e| local_limit_errno(e.reason_code(), "setting up the TLS client"))
        .unwrap_or_else(|| ProbeError::Setup { detail: first_error_line(stack) })
}
