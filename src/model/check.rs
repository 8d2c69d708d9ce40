//! One check as the probe consumes it: the endpoint, how to reach it, our credentials and what
//! the operator expects, everything resolved and loaded by `config`.

use std::path::PathBuf;
use std::time::Duration;

use openssl::ssl::SslVersion;

use super::client_stack::ClientStack;
use super::expect::Expectations;
use super::identity::Identity;
use super::proxy::ProxyUrl;
use super::starttls::Starttls;
use crate::hostport::{self, HostPort};
use crate::names::NameStyle;
use crate::style::Style;

/// One endpoint to probe, with everything resolved and loaded.
#[derive(Debug, Clone)]
pub struct Check {
    pub name: String,
    pub host: String,
    pub port: u16,
    /// The SNI to send; `None` sends none (s_client's rule for IPs and single-label names).
    pub servername: Option<String>,
    pub cacert: Option<PathBuf>,
    pub capath: Option<PathBuf>,
    /// Our client identities: one for `cert`/`key`/`p12`, several for `identities:`, none
    /// without credentials. Each gets its own handshake after the one without a certificate.
    pub identities: Vec<Identity>,
    pub timeout: Duration,
    pub expect: Expectations,
    /// Warn when the server's or our certificate expires within this many days.
    pub warn_days: u32,
    /// The HTTP request sent after each handshake, when the check has `http_path`.
    pub http: Option<HttpRequest>,
    /// Extra tries after a transient network error (never after a refused handshake).
    pub retries: u32,
    /// Probe every resolved address, not just the first.
    pub all_addresses: bool,
    /// Where to connect instead of `host:port` (`connect:`).
    pub connect: Option<HostPort>,
    /// The HTTP CONNECT proxy: `proxy:`, else HTTPS_PROXY unless NO_PROXY names the host.
    pub proxy: Option<ProxyUrl>,
    /// The plain-text protocol spoken before TLS (`s_client -starttls`).
    pub starttls: Option<Starttls>,
    /// A server verification failure is reported but does not fail the check.
    pub insecure: bool,
    /// Found before any network traffic, worth reporting but not failing: e.g. our certificate
    /// expires within 30 days.
    pub warnings: Vec<String>,
    /// How names are printed in the result (s_client's `-nameopt`, or `name_style`).
    pub name_style: NameStyle,
    /// Also present a forged certificate (`impostor: true`) to learn whether the partner
    /// verifies client certificates at all.
    pub impostor: bool,
    /// The client stack our integration runs on (`client:`): the check fails when it would not
    /// send our certificate to a server that requires one.
    pub client: ClientStack,
    /// The s_client version chosen with `--like`: its words in the report, and its default
    /// groups offered where the linked OpenSSL would offer others. `None`: the OpenSSL
    /// mtlscheck runs on.
    pub like: Option<Style>,
}

impl Check {
    /// The s_client version whose words this check's report uses.
    pub fn style(&self) -> Style {
        self.like.unwrap_or_else(Style::runtime)
    }

    /// How this check's names are printed: `name_style`, else the style's default.
    pub fn names(&self) -> NameStyle {
        match self.name_style {
            NameStyle::Default => self.style().name_style(),
            explicit => explicit,
        }
    }

    /// Whether the check presents any client certificate (some identity loaded).
    pub fn has_credentials(&self) -> bool {
        self.identities.iter().any(|identity| identity.credential.is_some())
    }

    /// `host:port`, with brackets around IPv6 literals.
    pub fn target(&self) -> String {
        hostport::join(&self.host, self.port)
    }

    /// The endpoint the TLS connection is for: `connect` when set, else `host:port`. With a
    /// proxy, this is what the CONNECT request asks for.
    pub fn destination(&self) -> HostPort {
        self.connect.clone().unwrap_or_else(|| HostPort { host: self.host.clone(), port: self.port })
    }
}

/// One HTTP/1.1 request sent after the handshake (with `Connection: close`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: String,
    pub path: String,
    /// The `Host` header: `http_host`, else the SNI, else the host.
    pub host: String,
}

/// TLS protocol version bounds for a probe (s_client's `-tls1_2` / `-tls1_3`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProtocolRange {
    pub min: Option<SslVersion>,
    pub max: Option<SslVersion>,
}

/// How to probe, beyond what the check says: s_client's `-tls1_2`/`-tls1_3`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProbeOptions {
    pub protocols: ProtocolRange,
}
