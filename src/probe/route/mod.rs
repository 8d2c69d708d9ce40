//! The way from this machine to the TLS handshake: the first hop (the host, `connect:` or the
//! proxy), the proxy's tunnel and the STARTTLS preamble, all within the probe's deadline.

pub mod net;
mod proxy;
mod starttls;

use std::net::{SocketAddr, TcpStream};
use std::time::Instant;

use crate::hostport::HostPort;
use crate::model::{Check, ProbeError};

/// Where the TCP connection goes: the proxy when the check has one, else `connect` or the host.
pub fn first_hop(check: &Check) -> HostPort {
    match &check.proxy {
        Some(proxy) => proxy.address.clone(),
        None => check.destination(),
    }
}

/// Resolves the first hop once per probe, to all its addresses; a proxy that cannot be
/// resolved is named as such.
pub fn resolve_first_hop_all(check: &Check, deadline: Instant) -> Result<Vec<SocketAddr>, ProbeError> {
    let hop = first_hop(check);
    net::resolve_all(&hop.host, hop.port, deadline, check.timeout).map_err(|err| match (&check.proxy, err) {
        (Some(proxy), ProbeError::Resolve { reason, .. }) => {
            ProbeError::Proxy { detail: format!("cannot resolve the proxy {proxy}: {reason}") }
        }
        (_, err) => err,
    })
}

/// The stream a handshake runs on: TCP to `address`, then the proxy's tunnel to the
/// destination and the STARTTLS preamble when the check has them, all before `deadline`.
pub fn open(check: &Check, address: SocketAddr, deadline: Instant) -> Result<TcpStream, ProbeError> {
    let mut stream = net::connect(address, deadline, check.timeout).map_err(|err| match (&check.proxy, err) {
        (Some(proxy), ProbeError::Connect { reason, .. }) => {
            ProbeError::Proxy { detail: format!("cannot connect to the proxy {proxy} ({address}): {reason}") }
        }
        (_, err) => err,
    })?;
    if let Some(proxy) = &check.proxy {
        proxy::tunnel(&mut stream, proxy, &check.destination(), deadline, check.timeout)?;
    }
    if let Some(protocol) = check.starttls {
        starttls::negotiate(&mut stream, protocol, deadline, check.timeout)?;
    }
    net::set_deadline(&stream, deadline);
    Ok(stream)
}
