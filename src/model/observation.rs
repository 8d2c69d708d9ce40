//! What the probe saw for one check, as it produced it: the connection without our
//! certificate, the one with it, and everything OpenSSL reported about each handshake.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::handshake::HandshakeInfo;
use super::probe_error::ProbeError;
use super::wire::wire_enum;
use crate::certificate_request::CertificateRequest;
use crate::names::DistinguishedName;

/// What made the probe conclude the server accepted the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AcceptSignal {
    /// TLS 1.2 and older: the server's Finished comes after it checked our Certificate, so a
    /// completed handshake is its acceptance. Also TLS 1.3 when no certificate was requested.
    Handshake,
    /// TLS 1.3: the server sent a NewSessionTicket after reading our Finished.
    SessionTicket,
    /// The server sent application data.
    ApplicationData,
    /// TLS 1.3: neither a ticket nor an alert came before the timeout.
    NoRejectionBeforeTimeout,
    /// The server answered our HTTP request (whatever the status).
    HttpResponse,
}

wire_enum! {
    /// When the server's refusal arrived.
    pub enum Stage {
        DuringHandshake = "during_handshake",
        /// TLS 1.3: our handshake had finished; the alert came on the first read.
        AfterHandshake = "after_handshake",
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Accepted(AcceptSignal),
    /// The server refused the connection after asking for a certificate.
    Rejected {
        stage: Stage,
        /// OpenSSL's text for the alert, e.g. "tlsv13 alert certificate required".
        alert: Option<String>,
        /// The OpenSSL error line, as s_client prints it (without the thread id).
        error: String,
    },
    Failed(ProbeError),
}

/// One TLS message seen by the message callback (what `s_client -msg` and `curl -v` show).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsMessage {
    /// true for messages we sent, false for received ones.
    pub sent: bool,
    /// The record-layer version number OpenSSL reports (0x0303 TLS 1.2, 0x0304 TLS 1.3).
    pub version: i32,
    /// 20 ChangeCipherSpec, 21 Alert, 22 Handshake, 23 ApplicationData.
    pub content_type: i32,
    /// Up to the first two bytes: the handshake type, or the alert level and description.
    pub head: Vec<u8>,
    pub len: usize,
    /// The whole message, kept only for a received CertificateRequest.
    pub body: Option<Vec<u8>>,
}

/// What came back for the check's HTTP request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpExchange {
    /// e.g. 200, 400, 403.
    pub status: u16,
    /// e.g. `HTTP/1.1 400 Bad Request`.
    pub status_line: String,
    /// The start of the body (up to a few hundred bytes, lossy UTF-8): nginx names the missing
    /// certificate there.
    pub body_start: String,
}

/// SQLSTATE `invalid_authorization_specification`: pg_hba and certificate refusals.
pub const POSTGRES_INVALID_AUTHORIZATION: &str = "28000";

/// The PostgreSQL server's first answer to our StartupMessage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostgresReply {
    /// The SQLSTATE of an ErrorResponse (`28000` for pg_hba refusals).
    pub error_code: Option<String>,
    /// e.g. `authentication ok`, `authentication request: SASL`, or
    /// `FATAL 28000: connection requires a valid client certificate`.
    pub text: String,
}

impl PostgresReply {
    /// Whether this is pg_hba refusing a connection for its (missing or wrong) certificate.
    pub fn refuses_certificate(&self) -> bool {
        self.error_code.as_deref() == Some(POSTGRES_INVALID_AUTHORIZATION) && self.text.contains("certificate")
    }
}

/// One connection: without or with our client certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub outcome: Outcome,
    /// Whether the handshake itself (SSL_connect) completed on our side.
    pub handshake_completed: bool,
    /// A CertificateRequest arrived (seen by the message callback, or proven by the requested
    /// signature algorithms that only a CertificateRequest carries).
    pub cert_requested: bool,
    /// We had a certificate loaded when the server asked.
    pub cert_sent: bool,
    /// How many of `messages` were exchanged before our handshake ended (the rest came after).
    pub handshake_messages: usize,
    /// The response to the check's HTTP request, if it has `http_path` and one came.
    pub http: Option<HttpExchange>,
    /// With `starttls: postgres`: the server's first answer to our StartupMessage.
    pub postgres: Option<PostgresReply>,
    /// A CertificateRequest arrived after our handshake (renegotiation or TLS 1.3 PHA).
    pub late_cert_request: bool,
    /// The CA names that late request carried.
    pub late_ca_names: Vec<DistinguishedName>,
    /// The (last) CertificateRequest the server sent, as it was on the wire.
    pub certificate_request: Option<CertificateRequest>,
    pub info: Option<HandshakeInfo>,
    pub messages: Vec<TlsMessage>,
    pub elapsed: Duration,
}

impl Attempt {
    /// A connection that ended in `error` before anything TLS was learnt.
    pub fn failed(error: ProbeError, started: Instant) -> Self {
        Attempt {
            outcome: Outcome::Failed(error),
            handshake_completed: false,
            cert_requested: false,
            cert_sent: false,
            handshake_messages: 0,
            http: None,
            postgres: None,
            late_cert_request: false,
            late_ca_names: Vec::new(),
            certificate_request: None,
            info: None,
            messages: Vec::new(),
            elapsed: started.elapsed(),
        }
    }

    /// Network-level failures (no TLS conversation happened) make a second connection pointless.
    /// A timeout counts only when not a single TLS message had arrived: one after the server's
    /// handshake (or in the middle of it) did reach TLS.
    pub fn never_reached_tls(&self) -> bool {
        match &self.outcome {
            Outcome::Failed(ProbeError::Timeout { .. }) => !self.handshake_completed && self.messages.is_empty(),
            Outcome::Failed(
                ProbeError::Resolve { .. }
                | ProbeError::Connect { .. }
                | ProbeError::Proxy { .. }
                | ProbeError::Starttls { .. }
                | ProbeError::LocalLimit { .. },
            ) => true,
            _ => false,
        }
    }
}

/// Everything the probe saw for one check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observation {
    pub address: Option<SocketAddr>,
    pub servername: Option<String>,
    pub without_cert: Attempt,
    /// One entry per identity of the check, in its order (empty without credentials).
    pub identities: Vec<WithCert>,
    /// The connection with a forged certificate (`impostor: true`), when it was tried.
    pub impostor: Option<WithCert>,
    pub elapsed: Duration,
}

impl Observation {
    /// The first identity's connection, when it was made.
    pub fn first_with_cert(&self) -> Option<&Attempt> {
        match self.identities.first() {
            Some(WithCert::Done(attempt)) => Some(attempt),
            _ => None,
        }
    }

    /// The connection whose s_client view is shown: the one with our (first) certificate when
    /// it got far enough to have one (what `s_client -cert ... -key ...` shows), else the one
    /// without.
    pub fn shown_attempt(&self) -> &Attempt {
        match self.first_with_cert() {
            Some(attempt) if attempt.info.is_some() => attempt,
            _ => &self.without_cert,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WithCert {
    Done(Box<Attempt>),
    /// Not attempted, e.g. because the first connection never reached TLS.
    Skipped(String),
}
