//! One connection as the report shows it, and what the server's answers mean: whether a
//! refusal without a certificate came above TLS (HTTP, pg_hba), and whether a connection *with*
//! a certificate was in fact refused at the HTTP layer.

use crate::model::observation::POSTGRES_INVALID_AUTHORIZATION;
use crate::model::{AcceptSignal, Attempt, AttemptReport, DecidedBy, HandshakeState, Outcome, Stage};

/// One connection as the report shows it (the TLS layer's verdict).
pub fn attempt_report(attempt: &Attempt) -> AttemptReport {
    let (accepted, decided_by, alert, error) = match &attempt.outcome {
        Outcome::Accepted(signal) => (Some(true), Some(decided_by(*signal)), None, None),
        Outcome::Rejected { stage, alert, error } => {
            let decided = match stage {
                Stage::AfterHandshake => DecidedBy::AlertAfterHandshake,
                _ => DecidedBy::AlertDuringHandshake,
            };
            (Some(false), Some(decided), alert.clone(), Some(error.clone()))
        }
        Outcome::Failed(err) => (None, None, None, Some(err.to_string())),
    };
    AttemptReport {
        handshake: if attempt.handshake_completed { HandshakeState::Ok } else { HandshakeState::Failed },
        accepted,
        decided_by,
        alert,
        error,
        http_status: attempt.http.as_ref().map(|h| h.status),
        http_status_line: attempt.http.as_ref().map(|h| h.status_line.clone()),
        postgres_reply: attempt.postgres.as_ref().map(|p| p.text.clone()),
        elapsed_ms: Some(millis(attempt.elapsed)),
    }
}

/// A connection with a certificate (ours or the impostor's): refused also when the TLS layer
/// let it through but the request above it was refused for the certificate.
pub fn with_cert_report(attempt: &Attempt, without: &Attempt) -> AttemptReport {
    let mut report = attempt_report(attempt);
    if report.accepted == Some(true)
        && let Some(why) = refused_above_tls(attempt, without)
    {
        report.accepted = Some(false);
        report.error = Some(why);
    }
    report
}

fn decided_by(signal: AcceptSignal) -> DecidedBy {
    match signal {
        AcceptSignal::Handshake => DecidedBy::Handshake,
        AcceptSignal::SessionTicket => DecidedBy::SessionTicket,
        AcceptSignal::ApplicationData => DecidedBy::ApplicationData,
        AcceptSignal::NoRejectionBeforeTimeout => DecidedBy::Timeout,
        AcceptSignal::HttpResponse => DecidedBy::HttpResponse,
    }
}

pub fn millis(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Why a connection that presented a certificate was refused above TLS, if it was: a status
/// only a certificate problem gives (nginx's 400 "SSL certificate error", 495/496), the same
/// 401/403 a connection without a certificate got (the certificate changed nothing), or pg_hba
/// refusing it.
fn refused_above_tls(with: &Attempt, without: &Attempt) -> Option<String> {
    if let Some(response) = &with.http {
        let same_as_without = without.http.as_ref().is_some_and(|w| w.status == response.status);
        let refused = match response.status {
            495 | 496 => true,
            400 => response.body_start.contains("SSL certificate"),
            401 | 403 => same_as_without,
            _ => false,
        };
        return refused.then(|| format!("the server refused the request: {}", response.status_line));
    }
    let reply = with.postgres.as_ref()?;
    reply.refuses_certificate().then(|| format!("PostgreSQL refused the connection: {}", reply.text))
}

/// Whether the server let us finish the TLS handshake without a certificate but refused the
/// HTTP request for lack of one: nginx's `400 No required SSL certificate was sent`, or a
/// 401/403 that our certificate turns into a success (or a 404: the path needs no more).
pub fn http_refused_without_cert(without: &Attempt, with: Option<&Attempt>) -> bool {
    let Some(response) = &without.http else { return false };
    if response.status == 400 && response.body_start.contains("No required SSL certificate was sent") {
        return true;
    }
    let with_status = with.and_then(|a| a.http.as_ref()).map(|h| h.status);
    matches!(response.status, 401 | 403 | 495 | 496) && with_status.is_some_and(|s| (200..400).contains(&s) || s == 404)
}

/// Whether pg_hba refused the StartupMessage for want of a certificate (`clientcert=verify-*` or
/// the `cert` method: SQLSTATE 28000 "connection requires a valid client certificate"), or
/// refused it with an error our certificate made go away.
pub fn postgres_refused_without_cert(without: &Attempt, with: Option<&Attempt>) -> bool {
    let Some(reply) = &without.postgres else { return false };
    let with_reply = with.and_then(|a| a.postgres.as_ref());
    reply.refuses_certificate()
        || (reply.error_code.as_deref() == Some(POSTGRES_INVALID_AUTHORIZATION)
            && with_reply.is_some_and(|r| r.error_code.is_none()))
}
