//! mtlscheck: tells whether TLS endpoints ask for a client certificate (1-way vs 2-way TLS),
//! whether they require it, which CA names they accept and whether our certificate's CA is
//! among them — printed the way `openssl s_client` prints it.
//!
//! Data flows one way, and so do the imports (ARCHITECTURE.md has the map):
//! [`model`] (plain data: the check, the observation, the report) and [`names`] at the bottom;
//! then [`config`] (YAML → checks) → [`probe`] (network; the only user of `ffi`) →
//! [`verdict`] (pure decisions) → [`report`] (one exporter per format). [`pipeline`] runs the
//! stages for `run`, `probe`, `compare` and `demo`; [`app`] is the commands; [`lab`] holds
//! the local TLS servers and PKI used by `demo` and the tests.
#![deny(unsafe_code)]

pub mod alerts;
pub mod app;
pub mod certificate_request;
pub mod cli;
pub mod completions;
pub mod config;
pub mod dates;
pub mod demo;
#[allow(unsafe_code)]
mod ffi;
pub mod files;
pub mod hostport;
pub mod init;
pub mod keep;
pub mod lab;
pub mod limits;
pub mod manpage;
pub mod merge;
pub mod model;
pub mod names;
pub mod pipeline;
pub mod probe;
mod progress;
pub mod report;
pub mod schema;
pub mod signals;
pub mod style;
pub mod transcript;
pub mod verdict;
