//! Connects to one endpoint the way `openssl s_client` does and records what happened: a
//! handshake without a client certificate, then (when the check has credentials) one with it,
//! each followed by the post-handshake read that catches a TLS 1.3 late rejection.
//! This is the only module that talks to the network and the only user of `ffi`.

mod http;
mod info;
mod names;
mod net;
mod postgres;
mod proxy;
mod starttls;
mod trace;
mod watchdog;

use std::borrow::Cow;
use std::fmt;
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use openssl::error::ErrorStack;
use openssl::ssl::{
    ErrorCode, HandshakeError, Ssl, SslContext, SslContextBuilder, SslMethod, SslStream, SslVerifyMode, SslVersion,
};

pub use http::HttpExchange;
pub use info::{HandshakeInfo, PeerCert};
pub use names::{DistinguishedName, NameOpt};
pub use postgres::{INVALID_AUTHORIZATION as POSTGRES_INVALID_AUTHORIZATION, PostgresReply};
pub use proxy::{ProxyEnvironment, ProxyUrl, no_proxy_matches};
pub use starttls::Starttls;
pub use trace::trace_lines;

use crate::config::Check;
use crate::credentials::ClientIdentity;
use crate::ffi::{self, MessageLog, TlsMessage};

const CONTENT_ALERT: i32 = 21;
const CONTENT_HANDSHAKE: i32 = 22;
const HANDSHAKE_SERVER_HELLO: u8 = 2;
const HANDSHAKE_NEW_SESSION_TICKET: u8 = 4;
const HANDSHAKE_CERTIFICATE_REQUEST: u8 = 13;

/// Why a connection could not tell us anything about client authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeError {
    Resolve {
        host: String,
        reason: String,
    },
    Connect {
        addr: SocketAddr,
        reason: String,
    },
    Timeout {
        waiting_for: Cow<'static, str>,
        after: Duration,
    },
    /// The peer answered, but not with TLS (e.g. plain HTTP on the port).
    NotTls {
        detail: String,
    },
    /// The server closed (or, with `reset`, reset) the connection before it sent a ServerHello.
    ClosedBeforeServerHello {
        reset: bool,
    },
    /// The server closed (or reset) the connection after its ServerHello, before the handshake
    /// ended and without an alert: a crash or a middlebox, not a refusal.
    ClosedMidHandshake {
        reset: bool,
    },
    /// A handshake failure unrelated to client authentication (no CertificateRequest was seen).
    Handshake {
        detail: String,
    },
    Setup {
        detail: String,
    },
    /// The TLS connection worked but the HTTP exchange did not produce a response.
    Http {
        detail: String,
    },
    /// The proxy could not be reached or refused the tunnel (the detail names the proxy).
    Proxy {
        detail: String,
    },
    /// The plain-text part of a STARTTLS protocol failed, e.g. the server does not offer TLS.
    Starttls {
        protocol: &'static str,
        detail: String,
    },
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

impl fmt::Display for ProbeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProbeError::Resolve { host, reason } => write!(f, "cannot resolve {host}: {reason}"),
            ProbeError::Connect { addr, reason } => write!(f, "cannot connect to {addr}: {reason}"),
            ProbeError::Timeout { waiting_for, after } => {
                write!(f, "timed out after {} waiting for {waiting_for}", humantime::format_duration(*after))
            }
            ProbeError::NotTls { detail } => write!(f, "not a TLS service: {detail}"),
            ProbeError::ClosedBeforeServerHello { reset: false } => {
                write!(f, "the server closed the connection before sending a ServerHello")
            }
            ProbeError::ClosedBeforeServerHello { reset: true } => {
                write!(f, "the server reset the connection before sending a ServerHello")
            }
            ProbeError::ClosedMidHandshake { reset } => write!(
                f,
                "the server {} the connection in the middle of the TLS handshake (after its ServerHello, without an alert)",
                if *reset { "reset" } else { "closed" }
            ),
            ProbeError::Handshake { detail } => write!(f, "TLS handshake failed: {detail}"),
            ProbeError::Setup { detail } => write!(f, "cannot set up the TLS client: {detail}"),
            ProbeError::Http { detail } => write!(f, "HTTP request failed: {detail}"),
            ProbeError::Proxy { detail } => write!(f, "{detail}"),
            ProbeError::Starttls { protocol, detail } => write!(f, "{protocol} STARTTLS failed: {detail}"),
        }
    }
}

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

impl AcceptSignal {
    pub fn as_str(self) -> &'static str {
        match self {
            AcceptSignal::Handshake => "handshake",
            AcceptSignal::SessionTicket => "session_ticket",
            AcceptSignal::ApplicationData => "application_data",
            AcceptSignal::NoRejectionBeforeTimeout => "timeout",
            AcceptSignal::HttpResponse => "http_response",
        }
    }
}

/// When the server's refusal arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    DuringHandshake,
    /// TLS 1.3: our handshake had finished; the alert came on the first read.
    AfterHandshake,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::DuringHandshake => "during_handshake",
            Stage::AfterHandshake => "after_handshake",
        }
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
    pub info: Option<HandshakeInfo>,
    pub messages: Vec<TlsMessage>,
    pub elapsed: Duration,
}

impl Attempt {
    fn failed(error: ProbeError, started: Instant) -> Self {
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
            info: None,
            messages: Vec::new(),
            elapsed: started.elapsed(),
        }
    }

    /// Network-level failures (no TLS conversation happened) make a second connection pointless.
    fn never_reached_tls(&self) -> bool {
        matches!(
            self.outcome,
            Outcome::Failed(
                ProbeError::Resolve { .. }
                    | ProbeError::Connect { .. }
                    | ProbeError::Timeout { .. }
                    | ProbeError::Proxy { .. }
                    | ProbeError::Starttls { .. }
            )
        )
    }
}

/// Everything the probe saw for one check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observation {
    pub address: Option<SocketAddr>,
    pub servername: Option<String>,
    pub without_cert: Attempt,
    /// `None` when the check has no client certificate.
    pub with_cert: Option<WithCert>,
    pub elapsed: Duration,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WithCert {
    Done(Box<Attempt>),
    /// Not attempted, e.g. because the first connection never reached TLS.
    Skipped(String),
}

/// TLS protocol version bounds for a probe (s_client's `-tls1_2` / `-tls1_3`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProtocolRange {
    pub min: Option<SslVersion>,
    pub max: Option<SslVersion>,
}

/// How to probe, beyond what the check says: s_client's `-tls1_2`/`-tls1_3` and `-nameopt`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProbeOptions {
    pub protocols: ProtocolRange,
    pub nameopt: NameOpt,
}

/// Probes one check within its timeout: both connections share one deadline.
pub fn probe(check: &Check) -> Observation {
    probe_with(check, &ProbeOptions::default())
}

pub fn probe_with(check: &Check, options: &ProbeOptions) -> Observation {
    let started = Instant::now();
    let deadline = started + check.timeout;
    match net::resolve_first_hop_all(check, deadline) {
        Ok(addresses) => probe_address_until(check, options, addresses[0], started, deadline),
        Err(error) => unresolved(check, error, started),
    }
}

/// Every address the check's first hop (the host, `connect:` or the proxy) resolves to (A and
/// AAAA, in resolver order), within the check's timeout.
pub fn resolve_addresses(check: &Check) -> Result<Vec<SocketAddr>, ProbeError> {
    net::resolve_first_hop_all(check, Instant::now() + check.timeout)
}

/// Probes one already resolved address of the check, within the check's timeout.
pub fn probe_address(check: &Check, options: &ProbeOptions, address: SocketAddr) -> Observation {
    let started = Instant::now();
    probe_address_until(check, options, address, started, started + check.timeout)
}

/// The observation for a host that could not be resolved.
pub fn unresolved(check: &Check, error: ProbeError, started: Instant) -> Observation {
    Observation {
        address: None,
        servername: check.servername.clone(),
        without_cert: Attempt::failed(error, started),
        with_cert: check.identity.as_ref().map(|_| WithCert::Skipped("the host was not reached".into())),
        elapsed: started.elapsed(),
    }
}

fn probe_address_until(
    check: &Check,
    options: &ProbeOptions,
    address: SocketAddr,
    started: Instant,
    deadline: Instant,
) -> Observation {
    let without_cert = attempt(check, address, None, options, deadline);
    let with_cert = check.identity.as_ref().map(|identity| {
        if without_cert.never_reached_tls() {
            WithCert::Skipped("the first connection did not reach TLS".into())
        } else {
            WithCert::Done(Box::new(attempt(check, address, Some(identity), options, deadline)))
        }
    });
    Observation {
        address: Some(address),
        servername: check.servername.clone(),
        without_cert,
        with_cert,
        elapsed: started.elapsed(),
    }
}

/// What makes two client contexts different; everything per connection (SNI, our certificate,
/// the message log) is set on the `Ssl` instead.
type ContextKey = (Option<PathBuf>, Option<PathBuf>, Option<SslVersion>, Option<SslVersion>);

/// Client contexts shared by every connection with the same trust and versions: building one
/// (provider fetches, parsing the CA file) costs more than a handshake on OpenSSL 3.
fn client_context(check: &Check, protocols: ProtocolRange) -> Result<SslContext, ErrorStack> {
    // A list, not a map: SslVersion is not Hash, and a run has only a handful of distinct keys.
    static CONTEXTS: OnceLock<Mutex<Vec<(ContextKey, SslContext)>>> = OnceLock::new();
    let key = (check.cacert.clone(), check.capath.clone(), protocols.min, protocols.max);
    let cache = CONTEXTS.get_or_init(Default::default);
    let cached = |cache: &[(ContextKey, SslContext)]| cache.iter().find(|(k, _)| *k == key).map(|(_, c)| c.clone());
    if let Some(ctx) = cache.lock().ok().and_then(|c| cached(&c)) {
        return Ok(ctx);
    }
    let ctx = new_client_context(check, protocols)?;
    if let Ok(mut cache) = cache.lock() {
        cache.push((key, ctx.clone()));
    }
    Ok(ctx)
}

fn new_client_context(check: &Check, protocols: ProtocolRange) -> Result<SslContext, ErrorStack> {
    let mut ctx = SslContextBuilder::new(SslMethod::tls_client())?;
    // s_client verifies the server chain but never aborts on a failure: it reports it. Its
    // verify callback accepts every error, so verification goes on past the first one and the
    // result is the last error (e.g. 21 "unable to verify the first certificate", not 20).
    ctx.set_verify_callback(SslVerifyMode::NONE, |_, _| true);
    if check.cacert.is_some() || check.capath.is_some() {
        ctx.load_verify_locations(check.cacert.as_deref(), check.capath.as_deref())?;
    } else {
        ctx.set_default_verify_paths()?;
    }
    ctx.set_min_proto_version(protocols.min)?;
    ctx.set_max_proto_version(protocols.max)?;
    ffi::enable_message_log(&mut ctx);
    Ok(ctx.build())
}

fn client_ssl(
    ctx: &SslContext,
    check: &Check,
    identity: Option<&ClientIdentity>,
    log: &MessageLog,
) -> Result<Ssl, ErrorStack> {
    let mut ssl = Ssl::new(ctx)?;
    if let Some(servername) = &check.servername {
        ssl.set_hostname(servername)?;
    }
    if let Some(identity) = identity {
        ssl.set_certificate(&identity.cert)?;
        ssl.set_private_key(&identity.key)?;
        for intermediate in &identity.chain {
            ssl.add_chain_cert(intermediate.clone())?;
        }
    }
    if check.http.is_some() {
        // Let servers that ask only for some paths do so under TLS 1.3 (TLS 1.2
        // renegotiation is accepted by default).
        ffi::enable_post_handshake_auth(&mut ssl);
    }
    ffi::attach_message_log(&mut ssl, log.clone());
    Ok(ssl)
}

fn received(messages: &[TlsMessage], content_type: i32, first_byte: u8) -> bool {
    messages.iter().any(|m| !m.sent && m.content_type == content_type && m.head.first() == Some(&first_byte))
}

fn snapshot(log: &MessageLog) -> Vec<TlsMessage> {
    log.lock().map(|messages| messages.clone()).unwrap_or_default()
}

fn attempt(
    check: &Check,
    address: SocketAddr,
    identity: Option<&ClientIdentity>,
    options: &ProbeOptions,
    deadline: Instant,
) -> Attempt {
    let started = Instant::now();
    let setup = |err: ErrorStack| Attempt::failed(ProbeError::Setup { detail: first_error_line(&err) }, started);
    let log = MessageLog::default();
    let ctx = match client_context(check, options.protocols) {
        Ok(ctx) => ctx,
        Err(err) => return setup(err),
    };
    let ssl = match client_ssl(&ctx, check, identity, &log) {
        Ok(ssl) => ssl,
        Err(err) => return setup(err),
    };
    let tcp = match net::open(check, address, deadline) {
        Ok(tcp) => tcp,
        Err(error) => return Attempt::failed(error, started),
    };
    let watchdog = watchdog::Watchdog::arm(&tcp, deadline);
    // What the handshake gave: (outcome, handshake completed, what the SSL showed).
    let mut http_result = None;
    let mut postgres_reply = None;
    let mut late_ca_names = Vec::new();
    let (outcome, completed, info) = match ssl.connect(tcp) {
        Ok(mut stream) => {
            let info = HandshakeInfo::collect(stream.ssl(), options.nameopt);
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
                        .map(|name| DistinguishedName::with_nameopt(name, options.nameopt))
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
            let info = HandshakeInfo::collect(mid.ssl(), options.nameopt);
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
            (Outcome::Failed(timeout), None, HandshakeInfo::collect(mid.ssl(), options.nameopt))
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
        info: Some(info),
        messages,
        elapsed: started.elapsed(),
    }
}

fn cert_was_requested(info: &HandshakeInfo, messages: &[TlsMessage]) -> bool {
    received(messages, CONTENT_HANDSHAKE, HANDSHAKE_CERTIFICATE_REQUEST) || !info.requested_sigalgs.is_empty()
}

fn received_any_handshake(messages: &[TlsMessage]) -> bool {
    messages.iter().any(|m| !m.sent && m.content_type == CONTENT_HANDSHAKE)
}

/// Sends the check's HTTP request and turns what happened into an outcome: a response means
/// the TLS layer accepted us (the status is judged by the verdict); an alert means it refused.
fn http_outcome(
    stream: &mut SslStream<TcpStream>,
    request: &crate::config::HttpRequest,
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
fn postgres_outcome(
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
        .identity
        .as_ref()
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
fn settle_before_speaking(stream: &mut SslStream<TcpStream>, log: &MessageLog, deadline: Instant) -> Option<Outcome> {
    let outcome = read_after_handshake(stream, log, deadline.min(Instant::now() + SETTLE));
    ffi::set_auto_retry(stream.ssl(), true);
    matches!(outcome, Outcome::Rejected { .. } | Outcome::Failed(_)).then_some(outcome)
}

/// TLS 1.3 after a CertificateRequest: the server decides about our (absent or present)
/// certificate only after our handshake has finished. Read until its verdict arrives: a
/// NewSessionTicket or data means accepted, an alert means refused; only silence lets the
/// deadline decide.
fn read_after_handshake(stream: &mut SslStream<TcpStream>, log: &MessageLog, deadline: Instant) -> Outcome {
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

fn classify_handshake_failure(
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
fn describe_ssl_error(err: &openssl::ssl::Error, messages: &[TlsMessage]) -> (Option<String>, String) {
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

/// The alert we sent to end the handshake, when the server sent none: the failure was ours.
fn aborted_by_us(messages: &[TlsMessage]) -> Option<String> {
    if received_alert(messages).is_some() {
        return None;
    }
    messages
        .iter()
        .rev()
        .find(|m| m.sent && m.content_type == CONTENT_ALERT && m.head.len() == 2 && m.head[0] == 2)
        .map(|m| alert_text(m.head[1]).rsplit(" alert ").next().unwrap_or_default().to_string())
}

/// A fatal alert the server sent, named as OpenSSL's reason strings name it.
fn received_alert(messages: &[TlsMessage]) -> Option<String> {
    messages
        .iter()
        .rev()
        .find(|m| !m.sent && m.content_type == CONTENT_ALERT && m.head.len() == 2)
        .map(|m| alert_text(m.head[1]))
}

/// OpenSSL's reason string for a received alert (`SSL_AD_REASON_OFFSET` + description).
pub fn alert_text(description: u8) -> String {
    // The texts of ssl/ssl_err.c; used when the alert is known only from the message callback
    // (the error queue usually carries the same text).
    let code = 1000 + i32::from(description);
    let known = match code {
        1010 => "sslv3 alert unexpected message",
        1020 => "sslv3 alert bad record mac",
        1040 => "sslv3 alert handshake failure",
        1042 => "sslv3 alert bad certificate",
        1043 => "sslv3 alert unsupported certificate",
        1044 => "sslv3 alert certificate revoked",
        1045 => "sslv3 alert certificate expired",
        1046 => "sslv3 alert certificate unknown",
        1047 => "sslv3 alert illegal parameter",
        1048 => "tlsv1 alert unknown ca",
        1049 => "tlsv1 alert access denied",
        1050 => "tlsv1 alert decode error",
        1051 => "tlsv1 alert decrypt error",
        1070 => "tlsv1 alert protocol version",
        1071 => "tlsv1 alert insufficient security",
        1080 => "tlsv1 alert internal error",
        1090 => "tlsv1 alert user cancelled",
        1100 => "tlsv1 alert no renegotiation",
        1109 => "tlsv13 alert missing extension",
        1110 => "tlsv1 unsupported extension",
        1112 => "tlsv1 unrecognized name",
        1116 => "tlsv13 alert certificate required",
        1120 => "tlsv1 alert no application protocol",
        _ => return format!("alert {description}"),
    };
    known.to_string()
}

/// The first OpenSSL error as s_client prints it, minus the thread id prefix.
fn is_timeout(err: &std::io::Error) -> bool {
    matches!(err.kind(), std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock)
}

fn first_error_line(stack: &ErrorStack) -> String {
    stack.errors().first().map(|e| e.to_string()).unwrap_or_else(|| stack.to_string())
}
