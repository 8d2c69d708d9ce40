//! What the credential files hold once read, before validation, and why reading them failed.

use std::path::PathBuf;

use openssl::pkey::{PKey, Private};
use openssl::x509::X509;

/// Why credentials could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// The configuration names something unusable: a missing, unreadable or malformed file, or
    /// an encrypted key without a passphrase source. A configuration error: nothing runs.
    Config(String),
    /// The files are fine but the credential cannot be used here: the secret is missing or wrong
    /// (it comes from the environment at run time), or this machine's OpenSSL cannot open the
    /// PKCS#12. Only this check fails, and the partner is still probed without a certificate.
    Check(String),
}

/// A certificate we send after the leaf, and the file it came from.
#[derive(Clone)]
pub(crate) struct ChainCert {
    pub cert: X509,
    pub path: PathBuf,
}

/// What the credential files hold, before validation.
pub(crate) struct Loaded {
    pub leaf: X509,
    pub leaf_path: PathBuf,
    pub chain: Vec<ChainCert>,
    pub key_path: PathBuf,
    /// The key, or why it cannot be used (a wrong or missing passphrase: that check's error).
    pub key: Result<PKey<Private>, String>,
    /// The field a fix for the leaf names: `cert` or `p12`.
    pub field: &'static str,
}
