//! Our client credentials as a probe presents them. Key material never prints: `Debug` shows
//! paths and the chain's length only.

use std::fmt;
use std::path::PathBuf;

use openssl::pkey::{PKey, Private};
use openssl::x509::X509;

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
