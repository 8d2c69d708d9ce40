//! An HTTP CONNECT proxy as configured (`proxy:`, `--proxy`, HTTPS_PROXY). Its password is
//! never shown: `Display` and `Debug` print `***` in its place.

use std::fmt;

use crate::hostport::{self, HostPort};

/// curl's default port for a proxy URL without one.
const DEFAULT_PROXY_PORT: u16 = 1080;

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

    pub fn has_user(&self) -> bool {
        self.user.is_some()
    }

    /// The `Proxy-Authorization` header value for the CONNECT request, when a user is set.
    pub fn authorization(&self) -> Option<String> {
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
}
