//! Why a connection could not tell us anything about client authentication.

use std::borrow::Cow;
use std::net::SocketAddr;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProbeError {
    #[error("cannot resolve {host}: {reason}")]
    Resolve { host: String, reason: String },
    #[error("cannot connect to {addr}: {reason}")]
    Connect { addr: SocketAddr, reason: String },
    #[error("timed out after {} waiting for {waiting_for}", humantime::format_duration(*.after))]
    Timeout { waiting_for: Cow<'static, str>, after: Duration },
    /// The peer answered, but not with TLS (e.g. plain HTTP on the port).
    #[error("not a TLS service: {detail}")]
    NotTls { detail: String },
    /// The server closed (or, with `reset`, reset) the connection before it sent a ServerHello.
    #[error("the server {} the connection before sending a ServerHello", closed_or_reset(*.reset))]
    ClosedBeforeServerHello { reset: bool },
    /// The server closed (or reset) the connection after its ServerHello, before the handshake
    /// ended and without an alert: a crash or a middlebox, not a refusal.
    #[error(
        "the server {} the connection in the middle of the TLS handshake (after its ServerHello, without an alert)",
        closed_or_reset(*.reset)
    )]
    ClosedMidHandshake { reset: bool },
    /// A handshake failure unrelated to client authentication (no CertificateRequest was seen).
    #[error("TLS handshake failed: {detail}")]
    Handshake { detail: String },
    #[error("cannot set up the TLS client: {detail}")]
    Setup { detail: String },
    /// The TLS connection worked but the HTTP exchange did not produce a response.
    #[error("HTTP request failed: {detail}")]
    Http { detail: String },
    /// The proxy could not be reached or refused the tunnel (the detail names the proxy).
    #[error("{detail}")]
    Proxy { detail: String },
    /// The plain-text part of a STARTTLS protocol failed, e.g. the server does not offer TLS.
    #[error("{protocol} STARTTLS failed: {detail}")]
    Starttls { protocol: &'static str, detail: String },
    /// This machine, not the endpoint, ran out of something (file descriptors): the run stops
    /// rather than blame the endpoint, and it is never retried.
    #[error("{detail}")]
    LocalLimit { detail: String },
}

fn closed_or_reset(reset: bool) -> &'static str {
    if reset { "reset" } else { "closed" }
}

impl ProbeError {
    /// Network trouble that may pass (worth a retry), as opposed to an answer from the server:
    /// a refused handshake or a non-TLS reply is never retried.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            ProbeError::Resolve { .. }
                | ProbeError::Connect { .. }
                | ProbeError::Timeout { .. }
                | ProbeError::ClosedBeforeServerHello { .. }
        )
    }
}
