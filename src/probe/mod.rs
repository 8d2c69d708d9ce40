//! Connects to one endpoint the way `openssl s_client` does and records what happened: a
//! handshake without a client certificate, then (when the check has credentials) one with it,
//! each followed by the read that catches a TLS 1.3 late rejection. Produces an
//! [`Observation`]; decides nothing. The only module that talks to the network and the only
//! user of `ffi`.

mod after;
mod attempt;
mod classify;
mod context;
mod http;
mod info;
mod messages;
mod postgres;
mod route;
mod watchdog;

use std::net::SocketAddr;
use std::time::Instant;

use crate::model::{Attempt, Check, Observation, ProbeError, ProbeOptions, WithCert};

/// Probes one check within its timeout: both connections share one deadline.
pub fn probe(check: &Check) -> Observation {
    probe_with(check, &ProbeOptions::default())
}

pub fn probe_with(check: &Check, options: &ProbeOptions) -> Observation {
    let started = Instant::now();
    let deadline = started + check.timeout;
    match route::resolve_first_hop_all(check, deadline) {
        Ok(addresses) => probe_address_until(check, options, addresses[0], started, deadline),
        Err(error) => unresolved(check, error, started),
    }
}

/// Every address the check's first hop (the host, `connect:` or the proxy) resolves to (A and
/// AAAA, in resolver order), within the check's timeout.
pub fn resolve_addresses(check: &Check) -> Result<Vec<SocketAddr>, ProbeError> {
    route::resolve_first_hop_all(check, Instant::now() + check.timeout)
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
    let without_cert = attempt::attempt(check, address, None, options, deadline);
    let with_cert = check.identity.as_ref().map(|identity| {
        if without_cert.never_reached_tls() {
            WithCert::Skipped("the first connection did not reach TLS".into())
        } else if Instant::now() >= deadline {
            WithCert::Skipped(format!(
                "no time was left: the connection without a certificate used the whole timeout ({})",
                humantime::format_duration(check.timeout)
            ))
        } else {
            WithCert::Done(Box::new(attempt::attempt(check, address, Some(identity), options, deadline)))
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

#[cfg(test)]
mod tests {
    #[test]
    fn alert_names_are_openssls() {
        for code in 0..=255u8 {
            if code == 109 || code == 116 {
                continue; // OpenSSL 3.0 calls them "unknown"; we use RFC 8446's names.
            }
            assert_eq!(crate::alerts::description(code), crate::ffi::alert_description(code), "alert {code}");
        }
    }
}
