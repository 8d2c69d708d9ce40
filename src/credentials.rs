//! Our client certificate, key and chain: loaded and checked before any network traffic.
//! Key material never leaves this module in text form: `Debug` shows paths and names only.

use std::fmt;
use std::path::{Path, PathBuf};

use openssl::pkey::{PKey, Private};
use openssl::x509::X509;

/// The client credentials one check presents in its with-certificate handshake.
#[derive(Clone)]
pub struct ClientIdentity {
    pub cert_path: PathBuf,
    pub key_path: PathBuf,
    /// Our leaf certificate.
    pub cert: X509,
    pub key: PKey<Private>,
    /// Intermediates we send after the leaf: those after the leaf in `cert`, then `chain`.
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

impl ClientIdentity {
    /// A key that does not belong to the certificate is that check's error, not the file's.
    pub fn check_key_matches(&self) -> Result<(), String> {
        let matches = self.cert.public_key().map(|public| public.public_eq(&self.key)).unwrap_or(false);
        if matches {
            Ok(())
        } else {
            Err(format!(
                "the private key {} does not match the certificate {}: use the key the certificate was issued for",
                self.key_path.display(),
                self.cert_path.display()
            ))
        }
    }
}

fn read(kind: &str, path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|err| format!("cannot read {kind} {}: {err}", path.display()))
}

fn certificates(kind: &str, path: &Path) -> Result<Vec<X509>, String> {
    let pem = read(kind, path)?;
    match X509::stack_from_pem(&pem) {
        Ok(certs) if !certs.is_empty() => Ok(certs),
        _ => Err(format!("{kind} {} holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)", path.display())),
    }
}

/// Checks that a CA file is readable and holds at least one certificate.
pub fn check_ca_file(path: &Path) -> Result<(), String> {
    certificates("file", path).map(|_| ())
}

/// Loads `cert` (leaf, optionally followed by intermediates), `key` and the optional `chain`.
pub fn load_identity(cert_path: &Path, key_path: &Path, chain_path: Option<&Path>) -> Result<ClientIdentity, String> {
    let mut certs = certificates("cert", cert_path)?.into_iter();
    let cert = certs.next().expect("certificates() returns at least one");
    let mut chain: Vec<X509> = certs.collect();
    if let Some(chain_path) = chain_path {
        chain.extend(certificates("chain", chain_path)?);
    }
    let key_pem = read("key", key_path)?;
    // Deliberately not OpenSSL's error text: it never contains the key, but a short message
    // that names the file is what the operator needs.
    let key = PKey::private_key_from_pem(&key_pem).map_err(|_| {
        let encrypted = String::from_utf8_lossy(&key_pem).contains("ENCRYPTED");
        if encrypted {
            format!("key {} is encrypted; mtlscheck reads unencrypted PEM keys only", key_path.display())
        } else {
            format!("key {} holds no PEM private key (expected -----BEGIN PRIVATE KEY-----)", key_path.display())
        }
    })?;
    Ok(ClientIdentity { cert_path: cert_path.to_path_buf(), key_path: key_path.to_path_buf(), cert, key, chain })
}
