//! `HOST:PORT` as operators write it (targets, `connect:`, proxy URLs) and as every output shows
//! it: DNS names, IPv4, and IPv6 literals in brackets (`[::1]:8443`).

use std::fmt;

/// A host (DNS name or IP literal, without brackets) and a port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPort {
    pub host: String,
    pub port: u16,
}

impl fmt::Display for HostPort {
    /// `host:port`, with brackets around IPv6 literals (what CONNECT and s_client expect).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&join(&self.host, self.port))
    }
}

/// `host:port`, with brackets around IPv6 literals: how every endpoint is shown.
pub fn join(host: &str, port: u16) -> String {
    if host.contains(':') { format!("[{host}]:{port}") } else { format!("{host}:{port}") }
}

/// Splits `HOST:PORT`, `[IPv6]:PORT`, `HOST`, `[IPv6]` or a bare IPv6 literal; a missing port
/// is `None`. The error says what was wrong, not what to write (callers know the field).
pub fn split(text: &str) -> Result<(String, Option<u16>), String> {
    let text = text.trim();
    if text.contains("://") {
        return Err("write the address without a scheme (ADDRESS:PORT)".into());
    }
    let port = |digits: &str| match digits.parse::<u16>() {
        Ok(0) | Err(_) => Err(format!("{digits:?} is not a port (1-65535)")),
        Ok(port) => Ok(port),
    };
    if let Some(rest) = text.strip_prefix('[') {
        let (host, after) = rest.split_once(']').ok_or("an IPv6 literal needs its closing `]`")?;
        if host.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(format!("{host:?} in brackets is not an IPv6 address"));
        }
        return match after {
            "" => Ok((host.to_string(), None)),
            _ => match after.strip_prefix(':') {
                Some(digits) => Ok((host.to_string(), Some(port(digits)?))),
                None => Err(format!("unexpected {after:?} after `]`")),
            },
        };
    }
    if text.matches(':').count() > 1 {
        return match text.parse::<std::net::Ipv6Addr>() {
            Ok(_) => Ok((text.to_string(), None)),
            Err(_) => Err("an IPv6 address with a port is written in brackets, e.g. [::1]:8443".into()),
        };
    }
    let (host, port) = match text.split_once(':') {
        Some((host, digits)) => (host, Some(port(digits)?)),
        None => (text, None),
    };
    if host.is_empty() {
        return Err("the host is empty".into());
    }
    if host.contains(|c: char| c.is_whitespace() || "/@?#".contains(c)) {
        return Err(format!("{host:?} is not a host name or IP address"));
    }
    Ok((host.to_string(), port))
}

/// Parses with `default_port` for a missing port.
pub fn parse(text: &str, default_port: u16) -> Result<HostPort, String> {
    let (host, port) = split(text)?;
    Ok(HostPort { host, port: port.unwrap_or(default_port) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names_ipv4_and_bracketed_ipv6() {
        assert_eq!(parse("10.0.0.5:8443", 443).unwrap(), HostPort { host: "10.0.0.5".into(), port: 8443 });
        assert_eq!(parse("alias.internal", 443).unwrap(), HostPort { host: "alias.internal".into(), port: 443 });
        assert_eq!(parse("[::1]:8443", 443).unwrap(), HostPort { host: "::1".into(), port: 8443 });
        assert_eq!(parse("[2001:db8::1]", 9).unwrap(), HostPort { host: "2001:db8::1".into(), port: 9 });
        assert_eq!(parse("::1", 443).unwrap(), HostPort { host: "::1".into(), port: 443 });
        assert_eq!(parse("[::1]:8443", 1).unwrap().to_string(), "[::1]:8443");
    }

    #[test]
    fn rejects_what_cannot_be_an_endpoint() {
        assert!(split("host:0").unwrap_err().contains("not a port"));
        assert!(split("host:https").unwrap_err().contains("not a port"));
        assert!(split("::1:8443x").unwrap_err().contains("brackets"));
        assert!(split("[::1").unwrap_err().contains("closing"));
        assert!(split("[nope]:1").unwrap_err().contains("not an IPv6"));
        assert!(split(":443").unwrap_err().contains("empty"));
        assert!(split("http://x:1").unwrap_err().contains("without a scheme"));
    }
}
