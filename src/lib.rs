//! mtlscheck: tells whether TLS endpoints ask for a client certificate (1-way vs 2-way TLS),
//! whether they require it, which CA names they accept and whether our certificate's CA is
//! among them — printed the way `openssl s_client` prints it.
//!
//! Pipeline, one way: [`config`] (YAML → checks) → [`probe`] (network, the only user of
//! [`ffi`]) → [`verdict`] (pure decisions) → [`report`] (one exporter per format).
//! [`pipeline`] runs it for `run`, `probe`, `compare` and `demo`; [`lab`] holds the local TLS
//! servers and PKI used by `demo` and the tests.

pub mod app;
pub mod baseline;
pub mod cli;
pub mod compare;
pub mod config;
pub mod credentials;
pub mod demo;
pub mod expect;
pub mod expiry;
mod ffi;
pub mod hostport;
pub mod lab;
pub mod merge;
pub mod pipeline;
pub mod probe;
mod progress;
pub mod report;
pub mod shard;
pub mod sni;
pub mod transcript;
pub mod verdict;

/// The version line of `--version`: ours and the OpenSSL we print names like.
pub fn long_version() -> String {
    format!("{} (linked with {})", env!("CARGO_PKG_VERSION"), openssl::version::version())
}
