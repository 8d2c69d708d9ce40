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
mod impostor;
mod info;
mod messages;
mod postgres;
mod route;
mod watchdog;

use std::net::SocketAddr;
use std::time::Instant;

use crate::model::{Attempt, Check, Observation, Outcome, ProbeError, ProbeOptions, WithCert};

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
        identities: check.identities.iter().map(|_| WithCert::Skipped("the host was not reached".into())).collect(),
        impostor: None,
        elapsed: started.elapsed(),
    }
}

/// Why a later connection was not made: the first one used the check's whole timeout.
fn no_time_left(check: &Check) -> String {
    format!(
        "no time was left: the connection without a certificate used the whole timeout ({})",
        humantime::format_duration(check.timeout)
    )
}

fn probe_address_until(
    check: &Check,
    options: &ProbeOptions,
    address: SocketAddr,
    started: Instant,
    deadline: Instant,
) -> Observation {
    let without_cert = attempt::attempt(check, address, None, options, deadline);
    let reached_tls = !without_cert.never_reached_tls();
    // Each identity gets its own handshake; one whose credentials cannot be used is skipped
    // (the connection without a certificate already shows the partner's mode).
    let identities = check
        .identities
        .iter()
        .map(|identity| match (&identity.credential, &identity.problem) {
            (_, Some(problem)) => WithCert::Skipped(problem.clone()),
            (None, None) => WithCert::Skipped("the credentials could not be loaded".into()),
            (Some(_), None) if !reached_tls => WithCert::Skipped("the first connection did not reach TLS".into()),
            // The first connection reached TLS but used the whole timeout (e.g. waiting for an
            // HTTP response): say so, rather than time out again at once.
            (Some(_), None) if Instant::now() >= deadline => WithCert::Skipped(no_time_left(check)),
            (Some(credential), None) => {
                WithCert::Done(Box::new(attempt::attempt(check, address, Some(credential), options, deadline)))
            }
        })
        .collect();
    let impostor = check.impostor.then(|| impostor_attempt(check, &without_cert, address, options, deadline));
    Observation {
        address: Some(address),
        servername: check.servername.clone(),
        without_cert,
        identities,
        impostor,
        elapsed: started.elapsed(),
    }
}

/// The handshake with a forged certificate, when the server asked for one.
fn impostor_attempt(
    check: &Check,
    without_cert: &Attempt,
    address: SocketAddr,
    options: &ProbeOptions,
    deadline: Instant,
) -> WithCert {
    if matches!(without_cert.outcome, Outcome::Failed(_)) {
        return WithCert::Skipped("the connection without a certificate failed".into());
    }
    if !without_cert.cert_requested && !without_cert.late_cert_request {
        return WithCert::Skipped("no certificate was asked for".into());
    }
    let info = without_cert.info.as_ref();
    let listed = if without_cert.cert_requested {
        info.and_then(|i| i.ca_names.first())
    } else {
        without_cert.late_ca_names.first()
    };
    // ECDSA unless the server asked only for RSA signatures.
    let sigalgs = info.map(|i| i.requested_sigalgs.as_slice()).unwrap_or_default();
    let ec = sigalgs.is_empty() || sigalgs.iter().any(|alg| crate::style::iana_sigalg_name(alg.code).contains("ecdsa"));
    match impostor::forge(listed.map(|name| name.der.as_slice()), ec) {
        Ok(forged) => WithCert::Done(Box::new(attempt::attempt(check, address, Some(&forged), options, deadline))),
        Err(err) => WithCert::Skipped(format!("cannot forge a certificate: {err}")),
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
