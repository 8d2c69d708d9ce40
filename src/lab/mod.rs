//! The local lab: a throwaway PKI and in-process TLS servers on 127.0.0.1 that ask for client
//! certificates in each of the ways partners do. Used by `mtlscheck demo` and by the tests,
//! so both exercise the very same servers.

pub mod pki;
pub mod server;

pub use pki::{Issued, KeyKind, LabPki};
pub use server::{CaNames, LabClientAuth, LabServer, LabServerConfig, Preamble};
