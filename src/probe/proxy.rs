//! HTTP CONNECT proxies: the `proxy:` URL, the HTTPS_PROXY / NO_PROXY environment variables
//! (read as curl reads them), and the tunnel itself, opened within the probe's deadline.
//! A proxy password is never shown: `Display` and `Debug` print `***` in its place.

use std::fmt;
use std::io::{Read, Write};
use std::net::{IpAddr, TcpStream};
use std::time::{Duration, Instant};

use super::{ProbeError, net};
use crate::hostport::{self, HostPort};

/// curl's default port for a proxy URL without one.
const DEFAULT_PROXY_PORT: u16 = 1080;
/// A CONNECT response head larger than this is not a proxy talking.
const MAX_RESPONSE_HEAD: usize = 16 * 1024;

/// An `http://[user[:password]@]host[:port]` proxy.
#[derive(Clone, PartialEq, Eq)]
pub struct ProxyUrl {
    pub address: HostPort,
    user: Option<String>,
    password: Option<String>,
}

impl fmt::Display for ProxyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.user, &self.password) {
            (Some(user), Some(_)) => write!(f, "http://{user}:***@{}", self.address),
            (Some(user), None) => write!(f, "http://{user}@{}", self.address),
            _ => write!(f, "http://{}", self.address),
        }
    }
}

impl fmt::Debug for ProxyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ProxyUrl({self})")
    }
}

impl ProxyUrl {
    /// Parses a proxy URL; `host:port` without a scheme means `http://` (as in curl).
    pub fn parse(text: &str) -> Result<ProxyUrl, String> {
        let text = text.trim();
        let rest = match text.split_once("://") {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") => rest,
            Some((scheme, _)) => {
                return Err(format!(
                    "{}: only http:// proxies (HTTP CONNECT) are supported, not {scheme}://",
                    redacted(text)
                ));
            }
            None => text,
        };
        let authority = rest.strip_suffix('/').unwrap_or(rest);
        if authority.contains('/') {
            return Err(format!("{}: a proxy URL has no path; write http://HOST:PORT", redacted(text)));
        }
        let (userinfo, address) = match authority.rsplit_once('@') {
            Some((userinfo, address)) => (Some(userinfo), address),
            None => (None, authority),
        };
        let address = hostport::parse(address, DEFAULT_PROXY_PORT)
            .map_err(|err| format!("{}: {err}; write http://HOST:PORT", redacted(text)))?;
        let (user, password) = match userinfo.map(|u| u.split_once(':').unwrap_or((u, ""))) {
            Some((user, password)) => {
                (Some(percent_decode(user)), (!password.is_empty()).then(|| percent_decode(password)))
            }
            None => (None, None),
        };
        Ok(ProxyUrl { address, user, password })
    }

    pub fn has_password(&self) -> bool {
        self.password.is_some()
    }

    fn authorization(&self) -> Option<String> {
        let user = self.user.as_deref()?;
        let credentials = format!("{user}:{}", self.password.as_deref().unwrap_or(""));
        Some(format!("Basic {}", base64(credentials.as_bytes())))
    }
}

/// The text of a proxy URL with any user information replaced, for messages.
fn redacted(text: &str) -> String {
    match text.rsplit_once('@') {
        Some((before, after)) => match before.split_once("://") {
            Some((scheme, _)) => format!("{scheme}://***@{after}"),
            None => format!("***@{after}"),
        },
        None => text.to_string(),
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                i += 3;
            }
            (byte, _, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The proxy settings of the environment: `https_proxy` / `HTTPS_PROXY` and `no_proxy` /
/// `NO_PROXY` (lower case first, as curl reads them; an empty value counts as unset).
#[derive(Debug, Clone, Default)]
pub struct ProxyEnvironment {
    /// The variable that set the proxy, and its value.
    proxy: Option<(&'static str, String)>,
    no_proxy: Option<String>,
}

impl ProxyEnvironment {
    pub fn from_process() -> ProxyEnvironment {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> ProxyEnvironment {
        let first = |names: [&'static str; 2]| {
            names.into_iter().find_map(|name| lookup(name).filter(|v| !v.trim().is_empty()).map(|v| (name, v)))
        };
        ProxyEnvironment {
            proxy: first(["https_proxy", "HTTPS_PROXY"]),
            no_proxy: first(["no_proxy", "NO_PROXY"]).map(|(_, value)| value),
        }
    }

    /// The proxy to use for a connection to `destination` for the check's `host`: none when
    /// no variable is set, when NO_PROXY names either, or when the destination is this machine
    /// (through a proxy, `localhost` would mean the proxy's own machine).
    pub fn proxy_for(&self, host: &str, destination: &str) -> Result<Option<ProxyUrl>, String> {
        let Some((variable, value)) = &self.proxy else { return Ok(None) };
        let exempt = is_loopback(destination)
            || self
                .no_proxy
                .as_deref()
                .is_some_and(|list| no_proxy_matches(list, host) || no_proxy_matches(list, destination));
        if exempt {
            return Ok(None);
        }
        ProxyUrl::parse(value).map(Some).map_err(|err| {
            format!("the {variable} environment variable is not usable: {err} (set `proxy: \"\"` on checks that must not use it)")
        })
    }
}

fn is_loopback(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host == "localhost" || host.ends_with(".localhost") || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Whether a NO_PROXY list names `host`: `*` matches everything; a name matches itself and its
/// subdomains (`example.com` and `.example.com` both match `api.example.com`); an IP address
/// matches itself, and `10.0.0.0/8` style ranges match the addresses in them.
pub fn no_proxy_matches(list: &str, host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let host_ip = host.parse::<IpAddr>().ok();
    list.split(',').map(|entry| entry.trim().to_ascii_lowercase()).filter(|entry| !entry.is_empty()).any(|entry| {
        if entry == "*" {
            return true;
        }
        let entry = entry.strip_prefix('[').and_then(|e| e.strip_suffix(']')).unwrap_or(&entry);
        if let Some(ip) = host_ip {
            return match entry.split_once('/') {
                Some((network, bits)) => in_network(ip, network, bits),
                None => entry.parse::<IpAddr>().is_ok_and(|e| e == ip),
            };
        }
        let name = entry.trim_start_matches("*.").trim_start_matches('.').trim_end_matches('.');
        !name.is_empty() && (host == name || host.strip_suffix(name).is_some_and(|prefix| prefix.ends_with('.')))
    })
}

fn in_network(ip: IpAddr, network: &str, bits: &str) -> bool {
    let (Ok(network), Ok(bits)) = (network.parse::<IpAddr>(), bits.parse::<u32>()) else { return false };
    let (ip, network, width) = match (ip, network) {
        (IpAddr::V4(ip), IpAddr::V4(net)) => (u128::from(ip.to_bits()), u128::from(net.to_bits()), 32),
        (IpAddr::V6(ip), IpAddr::V6(net)) => (ip.to_bits(), net.to_bits(), 128),
        _ => return false,
    };
    if bits > width {
        return false;
    }
    let mask = if bits == 0 { 0 } else { u128::MAX << (width - bits) };
    let mask = if width == 32 { mask & u128::from(u32::MAX) } else { mask };
    ip & mask == network & mask
}

/// Asks the proxy on `stream` for a tunnel to `target` and reads its answer, all before
/// `deadline`. A refusal is the check's error, with the proxy's status line.
pub fn tunnel(
    stream: &mut TcpStream,
    proxy: &ProxyUrl,
    target: &HostPort,
    deadline: Instant,
    budget: Duration,
) -> Result<(), ProbeError> {
    let mut request = format!(
        "CONNECT {target} HTTP/1.1\r\nHost: {target}\r\nUser-Agent: mtlscheck/{}\r\n",
        env!("CARGO_PKG_VERSION")
    );
    if let Some(authorization) = proxy.authorization() {
        request.push_str(&format!("Proxy-Authorization: {authorization}\r\n"));
    }
    request.push_str("\r\n");
    let timeout =
        || ProbeError::Timeout { waiting_for: format!("the proxy {proxy} to answer CONNECT").into(), after: budget };
    let fail = |detail: String| ProbeError::Proxy { detail };
    net::set_deadline(stream, deadline);
    stream.write_all(request.as_bytes()).map_err(|err| match err.kind() {
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => timeout(),
        _ => fail(format!("cannot send CONNECT to the proxy {proxy}: {err}")),
    })?;
    // Byte by byte: whatever follows the response head belongs to the TLS handshake.
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() >= MAX_RESPONSE_HEAD {
            return Err(fail(format!("the proxy {proxy} sent a response head over {MAX_RESPONSE_HEAD} bytes")));
        }
        net::remaining(deadline, "", budget).map_err(|_| timeout())?;
        net::set_deadline(stream, deadline);
        match stream.read(&mut byte) {
            Ok(0) if head.is_empty() => {
                return Err(fail(format!(
                    "the proxy {proxy} closed the connection without answering CONNECT {target}"
                )));
            }
            Ok(0) => break,
            Ok(_) => head.push(byte[0]),
            Err(err) if matches!(err.kind(), std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock) => {
                return Err(timeout());
            }
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
            Err(err) => return Err(fail(format!("the proxy {proxy} failed while answering CONNECT: {err}"))),
        }
    }
    let text = String::from_utf8_lossy(&head);
    let status_line: String = text
        .lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(200)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    let status = status_line
        .strip_prefix("HTTP/")
        .and_then(|rest| rest.split_whitespace().nth(1))
        .and_then(|code| code.parse::<u16>().ok())
        .ok_or_else(|| {
            fail(format!("the proxy {proxy} answered CONNECT with something that is not HTTP: {status_line:?}"))
        })?;
    if !head.ends_with(b"\r\n\r\n") {
        return Err(fail(format!("the proxy {proxy} closed the connection after {status_line:?}")));
    }
    if (200..300).contains(&status) {
        return Ok(());
    }
    let hint = match (status, proxy.user.is_some()) {
        (407, false) => "; it wants credentials: set HTTPS_PROXY=http://USER:PASSWORD@HOST:PORT",
        (407, true) => "; it did not accept the credentials",
        _ => "",
    };
    Err(fail(format!("proxy {proxy} refused CONNECT {target}: {status_line}{hint}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_proxy_urls_like_curl() {
        let proxy = ProxyUrl::parse("http://proxy.corp:3128").unwrap();
        assert_eq!(proxy.address, HostPort { host: "proxy.corp".into(), port: 3128 });
        assert_eq!(ProxyUrl::parse("proxy.corp").unwrap().address.port, 1080);
        assert_eq!(ProxyUrl::parse("HTTP://[::1]:3128/").unwrap().to_string(), "http://[::1]:3128");
        let err = ProxyUrl::parse("socks5://proxy:1080").unwrap_err();
        assert!(err.contains("only http:// proxies"), "{err}");
        assert!(ProxyUrl::parse("http://proxy:3128/path").unwrap_err().contains("no path"));
    }

    #[test]
    fn credentials_are_sent_as_basic_auth_and_never_shown() {
        let proxy = ProxyUrl::parse("http://alice:s%40cret@proxy:3128").unwrap();
        assert!(proxy.has_password());
        assert_eq!(proxy.authorization().unwrap(), format!("Basic {}", base64(b"alice:s@cret")));
        assert_eq!(proxy.to_string(), "http://alice:***@proxy:3128");
        assert!(!format!("{proxy:?}").contains("cret"));
        let err = ProxyUrl::parse("ftp://alice:secret@proxy:3128").unwrap_err();
        assert!(!err.contains("secret") && !err.contains("alice"), "{err}");
        let err = ProxyUrl::parse("alice:secret@proxy:99999").unwrap_err();
        assert!(!err.contains("secret"), "{err}");
    }

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        let cases =
            [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE=")];
        for (plain, encoded) in cases {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
    }

    #[test]
    fn no_proxy_matches_names_suffixes_ips_ranges_and_star() {
        let list = "internal.example, .corp.example,10.1.2.3, 192.168.0.0/16, [2001:db8::1], fd00::/8";
        for host in ["internal.example", "api.internal.example", "x.corp.example", "corp.example", "10.1.2.3"] {
            assert!(no_proxy_matches(list, host), "{host}");
        }
        for host in ["192.168.44.1", "2001:db8::1", "fd12::5", "API.Internal.Example."] {
            assert!(no_proxy_matches(list, host), "{host}");
        }
        for host in ["notinternal.example", "example", "10.1.2.4", "192.169.0.1", "2001:db8::2", "fe80::1"] {
            assert!(!no_proxy_matches(list, host), "{host}");
        }
        assert!(no_proxy_matches("*", "anything.example"));
        assert!(!no_proxy_matches("", "anything.example"));
        assert!(no_proxy_matches("0.0.0.0/0", "8.8.8.8"));
    }

    #[test]
    fn environment_lower_case_first_no_proxy_and_loopback_exempt() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            ProxyEnvironment::from_lookup(move |name| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string()))
        };
        let both = env(&[("https_proxy", "http://lower:1"), ("HTTPS_PROXY", "http://upper:2")]);
        assert_eq!(both.proxy_for("a.example", "a.example").unwrap().unwrap().address.host, "lower");
        let upper = env(&[("https_proxy", ""), ("HTTPS_PROXY", "http://upper:2"), ("NO_PROXY", "b.example")]);
        assert_eq!(upper.proxy_for("a.example", "a.example").unwrap().unwrap().address.host, "upper");
        assert_eq!(upper.proxy_for("x.b.example", "x.b.example").unwrap(), None);
        assert_eq!(upper.proxy_for("x.b.example", "10.0.0.5").unwrap(), None, "NO_PROXY applies to host too");
        assert_eq!(upper.proxy_for("a.example", "127.0.0.1").unwrap(), None);
        assert_eq!(upper.proxy_for("localhost", "localhost").unwrap(), None);
        assert_eq!(upper.proxy_for("::1", "::1").unwrap(), None);
        assert_eq!(env(&[]).proxy_for("a.example", "a.example").unwrap(), None);
        let bad = env(&[("HTTPS_PROXY", "socks5://u:pw@p:1")]).proxy_for("a.example", "a.example").unwrap_err();
        assert!(bad.contains("HTTPS_PROXY") && !bad.contains("pw"), "{bad}");
    }
}
