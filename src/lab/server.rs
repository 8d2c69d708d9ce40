//! An in-process TLS server on 127.0.0.1 for the lab and the tests. Each connection gets its
//! own thread; the server stops (and joins its thread) when dropped.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use openssl::error::ErrorStack;
use openssl::ssl::{Ssl, SslContext, SslContextBuilder, SslMethod, SslVerifyMode, SslVersion};
use openssl::stack::Stack;
use openssl::x509::{X509, X509Name};

use super::pki::Issued;

/// The plain-text part of a STARTTLS protocol, spoken by the server on each accepted
/// connection before its TLS handshake (tests of `starttls:`); an error drops the connection.
pub type Preamble = Arc<dyn Fn(&mut TcpStream) -> io::Result<()> + Send + Sync>;

/// How a lab server treats client certificates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabClientAuth {
    /// No CertificateRequest.
    None,
    /// Asks; accepts a connection without a certificate, refuses an untrusted one.
    Optional,
    /// Asks and refuses a connection without a trusted certificate.
    Required,
}

/// Which CA names the server's CertificateRequest carries.
#[derive(Clone)]
pub enum CaNames {
    /// The subjects of the trusted client CAs (what nginx, Apache and s_server do by default).
    Trusted,
    /// None at all (`s_server -no_ca_names`, nginx `optional_no_ca`).
    NoneSent,
    /// The subjects of these certificates, whatever the server trusts.
    SubjectsOf(Vec<X509>),
    /// These DER-encoded names, as given: lets tests send names no certificate generator
    /// produces (bytes that are not UTF-8, values far beyond the usual length limits) and
    /// thousands of them without generating a certificate for each.
    DerNames(Vec<Vec<u8>>),
}

#[derive(Clone)]
pub struct LabServerConfig {
    pub identity: Issued,
    pub chain: Vec<X509>,
    pub client_auth: LabClientAuth,
    pub trusted_client_cas: Vec<X509>,
    pub ca_names: CaNames,
    pub min_version: Option<SslVersion>,
    pub max_version: Option<SslVersion>,
    /// Like nginx's `ssl_verify_client on`: finish the handshake without a certificate, then
    /// answer HTTP requests with `400 No required SSL certificate was sent`.
    pub http_requires_cert: bool,
    /// Spoken before TLS on each connection, when set.
    pub preamble: Option<Preamble>,
}

impl LabServerConfig {
    pub fn new(identity: Issued) -> Self {
        LabServerConfig {
            identity,
            chain: Vec::new(),
            client_auth: LabClientAuth::None,
            trusted_client_cas: Vec::new(),
            ca_names: CaNames::Trusted,
            min_version: None,
            max_version: None,
            http_requires_cert: false,
            preamble: None,
        }
    }

    pub fn with_preamble(mut self, preamble: Preamble) -> Self {
        self.preamble = Some(preamble);
        self
    }

    pub fn tls12_only(mut self) -> Self {
        self.min_version = Some(SslVersion::TLS1_2);
        self.max_version = Some(SslVersion::TLS1_2);
        self
    }

    pub fn tls13_only(mut self) -> Self {
        self.min_version = Some(SslVersion::TLS1_3);
        self.max_version = Some(SslVersion::TLS1_3);
        self
    }

    fn context(&self) -> Result<SslContext, ErrorStack> {
        let mut ctx = SslContextBuilder::new(SslMethod::tls_server())?;
        ctx.set_certificate(&self.identity.cert)?;
        ctx.set_private_key(&self.identity.key)?;
        for cert in &self.chain {
            ctx.add_extra_chain_cert(cert.clone())?;
        }
        ctx.set_min_proto_version(self.min_version)?;
        ctx.set_max_proto_version(self.max_version)?;
        for ca in &self.trusted_client_cas {
            ctx.cert_store_mut().add_cert(ca.clone())?;
        }
        let mode = match self.client_auth {
            LabClientAuth::None => SslVerifyMode::NONE,
            LabClientAuth::Optional => SslVerifyMode::PEER,
            LabClientAuth::Required => SslVerifyMode::PEER | SslVerifyMode::FAIL_IF_NO_PEER_CERT,
        };
        ctx.set_verify(mode);
        if self.client_auth != LabClientAuth::None {
            let subjects = |certs: &[X509]| certs.iter().map(|cert| cert.subject_name().to_owned()).collect();
            let named: Option<Result<Vec<X509Name>, ErrorStack>> = match &self.ca_names {
                CaNames::Trusted => Some(subjects(&self.trusted_client_cas)),
                CaNames::NoneSent => None,
                CaNames::SubjectsOf(certs) => Some(subjects(certs)),
                CaNames::DerNames(names) => Some(names.iter().map(|der| X509Name::from_der(der)).collect()),
            };
            if let Some(names) = named {
                let mut stack = Stack::<X509Name>::new()?;
                for name in names? {
                    stack.push(name)?;
                }
                ctx.set_client_ca_list(stack);
            }
        }
        Ok(ctx.build())
    }
}

/// A running lab server.
pub struct LabServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    accepted: Arc<AtomicUsize>,
    thread: Option<JoinHandle<()>>,
}

/// How long a lab connection may sit idle before the server drops it.
const CONNECTION_IDLE: Duration = Duration::from_secs(5);

impl LabServer {
    /// Binds 127.0.0.1 on a free port and starts accepting.
    pub fn start(config: LabServerConfig) -> io::Result<LabServer> {
        Self::start_on(config, SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// Binds `bind` (a loopback address, e.g. `[::1]:0`) and starts accepting.
    pub fn start_on(config: LabServerConfig, bind: SocketAddr) -> io::Result<LabServer> {
        if !bind.ip().is_loopback() {
            return Err(io::Error::other(format!("lab servers listen on loopback addresses only, not {bind}")));
        }
        let ctx = config.context().map_err(io::Error::other)?;
        let listener = TcpListener::bind(bind)?;
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let accepted = Arc::new(AtomicUsize::new(0));
        let thread = {
            let (stop, accepted) = (stop.clone(), accepted.clone());
            std::thread::Builder::new()
                .name(format!("lab-server-{}", addr.port()))
                .spawn(move || accept_loop(listener, ctx, stop, accepted, config.http_requires_cert, config.preamble))?
        };
        Ok(LabServer { addr, stop, accepted, thread: Some(thread) })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// TCP connections accepted so far.
    pub fn connections(&self) -> usize {
        self.accepted.load(Ordering::Relaxed)
    }
}

impl Drop for LabServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept() so the loop sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn accept_loop(
    listener: TcpListener,
    ctx: SslContext,
    stop: Arc<AtomicBool>,
    accepted: Arc<AtomicUsize>,
    http_requires_cert: bool,
    preamble: Option<Preamble>,
) {
    for stream in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let Ok(stream) = stream else { continue };
        accepted.fetch_add(1, Ordering::Relaxed);
        let (ctx, preamble) = (ctx.clone(), preamble.clone());
        let _ = std::thread::Builder::new()
            .name("lab-conn".into())
            .spawn(move || serve(stream, &ctx, http_requires_cert, preamble.as_ref()));
    }
}

/// Handshake, then answer an HTTP request if one comes (200, or nginx's 400 when a
/// certificate is required at the HTTP layer and none was sent), else read until the client
/// goes away. The server never speaks first, like most HTTPS servers.
fn serve(mut stream: TcpStream, ctx: &SslContext, http_requires_cert: bool, preamble: Option<&Preamble>) {
    let _ = stream.set_read_timeout(Some(CONNECTION_IDLE));
    let _ = stream.set_write_timeout(Some(CONNECTION_IDLE));
    if let Some(preamble) = preamble
        && preamble(&mut stream).is_err()
    {
        return;
    }
    let Ok(ssl) = Ssl::new(ctx) else { return };
    // A failed handshake has already sent its alert; nothing else to do.
    let Ok(mut tls) = ssl.accept(stream) else { return };
    let mut request = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(n @ 1..) = tls.read(&mut buf) {
        request.extend_from_slice(&buf[..n]);
        if request.windows(4).any(|w| w == b"\r\n\r\n") {
            let refused = http_requires_cert && tls.ssl().peer_certificate().is_none();
            let (status, body) = if refused {
                ("400 Bad Request", "400 Bad Request: No required SSL certificate was sent\n")
            } else {
                ("200 OK", "ok\n")
            };
            let response =
                format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
            let _ = tls.write_all(response.as_bytes());
            break;
        }
    }
    let _ = tls.shutdown();
    let _ = tls.get_ref().shutdown(Shutdown::Both);
}
