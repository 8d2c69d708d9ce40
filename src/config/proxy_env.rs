//! The proxy settings of the environment, read as curl reads them: which checks go through
//! HTTPS_PROXY, and which NO_PROXY exempts.

use std::net::IpAddr;

use crate::model::ProxyUrl;

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

#[cfg(test)]
mod tests {
    use super::*;

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
