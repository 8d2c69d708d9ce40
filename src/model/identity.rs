//! Our client identities, and the credentials a probe presents for each. Key material never prints: `Debug` shows
//! paths and the chain's length only.

use std::fmt;
use std::path::PathBuf;

use openssl::pkey::{PKey, Private};
use openssl::x509::X509;

use super::expect::IdentityExpectations;

/// One client identity of a check: our credentials as they loaded (or what is wrong with them)
/// and what we expect the partner to do with them. A check with `cert`/`key` or `p12` has one,
/// without a name; `identities:` gives several, each named.
#[derive(Debug, Clone)]
pub struct Identity {
    /// The name under `identities:` (`current`, `next`); `None` for plain `cert`/`key`/`p12`.
    pub name: Option<String>,
    /// The loaded credentials; `None` when they cannot be used (then `problem` says why).
    pub credential: Option<ClientIdentity>,
    /// Why this identity cannot be presented or will be refused for sure: an expired
    /// certificate, a key that does not match, a wrong passphrase, a chain that does not link.
    pub problem: Option<String>,
    pub expect: IdentityExpectations,
}

impl Identity {
    /// How messages name the identity: `our certificate` or `identity 'next'`.
    pub fn label(&self) -> String {
        match &self.name {
            Some(name) => format!("identity '{name}'"),
            None => "our certificate".to_string(),
        }
    }
}

/// The client credentials one check presents in its with-certificate handshake.
#[derive(Clone)]
pub struct ClientIdentity {
    /// The file our certificate came from (`cert`, or the `p12`).
    pub cert_path: PathBuf,
    /// The file our key came from (`key`, or the `p12`).
    pub key_path: PathBuf,
    /// Our leaf certificate.
    pub cert: X509,
    pub key: PKey<Private>,
    /// Intermediates we send after the leaf: those after the leaf in `cert` (or inside the
    /// `p12`, in issuing order), then `chain`.
    pub chain: Vec<X509>,
}

impl fmt::Debug for ClientIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientIdentity")
            .field("cert_path", &self.cert_path)
            .field("key_path", &self.key_path)
            .field("key", &"(redacted)")
            .field("chain_len", &self.chain.len())
            .finish()
    }
}
