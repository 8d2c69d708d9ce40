//! PEM certificates and keys, the key possibly encrypted (PKCS#8 `ENCRYPTED PRIVATE KEY` or the
//! traditional `Proc-Type: 4,ENCRYPTED`). OpenSSL is always given a passphrase callback: with
//! none it would prompt on the terminal, which a batch tool must never do.

use std::path::Path;

use openssl::error::ErrorStack;
use openssl::pkey::{PKey, Private};
use openssl::x509::X509;

use super::legacy;
use super::loaded::{ChainCert, LoadError, Loaded};
use super::passphrase::{PassphraseSource, Secret, read_credential_file as read};

/// Every certificate in a PEM file; at least one.
pub(crate) fn certificates(kind: &str, path: &Path) -> Result<Vec<X509>, String> {
    let pem = read(kind, path)?;
    match X509::stack_from_pem(&pem) {
        Ok(certs) if !certs.is_empty() => Ok(certs),
        _ => Err(format!("{kind} {} holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)", path.display())),
    }
}

/// Loads `cert` (leaf, optionally followed by intermediates), `key` and the optional `chain`.
pub(crate) fn load(
    cert_path: &Path,
    key_path: &Path,
    chain_path: Option<&Path>,
    passphrase: Option<&PassphraseSource>,
    warnings: &mut Vec<String>,
) -> Result<Loaded, LoadError> {
    let mut certs = certificates("cert", cert_path).map_err(LoadError::Config)?.into_iter();
    let leaf = certs.next().expect("certificates() returns at least one");
    let mut chain: Vec<ChainCert> = certs.map(|cert| ChainCert { cert, path: cert_path.to_path_buf() }).collect();
    if let Some(chain_path) = chain_path {
        let extra = certificates("chain", chain_path).map_err(LoadError::Config)?;
        chain.extend(extra.into_iter().map(|cert| ChainCert { cert, path: chain_path.to_path_buf() }));
    }
    let key = load_key(key_path, passphrase, warnings)?;
    Ok(Loaded { leaf, leaf_path: cert_path.to_path_buf(), chain, key_path: key_path.to_path_buf(), key, field: "cert" })
}

/// The key, or (inner `Err`) a per-check problem with its passphrase; the outer `Err` is a
/// configuration problem with the file.
fn load_key(
    path: &Path,
    source: Option<&PassphraseSource>,
    warnings: &mut Vec<String>,
) -> Result<Result<PKey<Private>, String>, LoadError> {
    let pem = read("key", path).map_err(LoadError::Config)?;
    warnings.extend(crate::files::readable_by_others("the key file", path));
    let shown = path.display();
    let mut asked = false;
    let mut secret: Option<Secret> = None;
    let mut source_problem = None;
    let result = legacy::retry_with_legacy(|| {
        PKey::private_key_from_pem_callback(&pem, |buf| {
            asked = true;
            let Some(source) = source else { return Err(ErrorStack::get()) };
            if secret.is_none() {
                match source.read(warnings) {
                    Ok(read) => secret = Some(read),
                    Err(problem) => {
                        source_problem = Some(problem);
                        return Err(ErrorStack::get());
                    }
                }
            }
            let pass = secret.as_ref().map(Secret::expose).unwrap_or_default();
            // Longer than OpenSSL's buffer: refuse rather than truncate.
            let target = buf.get_mut(..pass.len()).ok_or_else(ErrorStack::get)?;
            target.copy_from_slice(pass);
            Ok(pass.len())
        })
    });
    match result {
        Ok(key) => {
            if !asked && let Some(source) = source {
                warnings.push(format!(
                    "a passphrase is configured ({}) but the key {shown} is not encrypted: remove `key_password_env`/`key_password_file`",
                    source.describe()
                ));
            }
            Ok(Ok(key))
        }
        Err(_) if !asked => Err(LoadError::Config(format!(
            "key {shown} holds no PEM private key (expected -----BEGIN PRIVATE KEY-----, -----BEGIN ENCRYPTED PRIVATE KEY----- or -----BEGIN RSA/EC PRIVATE KEY-----)"
        ))),
        Err(_) => match (source, source_problem) {
            (None, _) => Err(LoadError::Config(format!(
                "key {shown} is encrypted: give its passphrase with `key_password_env: VARIABLE` (an environment variable \
                 holding it) or `key_password_file: FILE` (a file only mtlscheck's account can read)"
            ))),
            (Some(_), Some(problem)) => Ok(Err(format!("cannot decrypt key {shown}: {problem}"))),
            (Some(source), None) => Ok(Err(wrong_passphrase("key", path, source))),
        },
    }
}

/// The message for a passphrase that does not open the file. Names the file and the source,
/// never the passphrase.
pub(crate) fn wrong_passphrase(kind: &str, path: &Path, source: &PassphraseSource) -> String {
    format!("wrong passphrase for {kind} {} (from {}): {}", path.display(), source.describe(), source.fix())
}
