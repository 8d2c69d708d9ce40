//! Passphrases for encrypted keys and PKCS#12 files: where they come from (an environment
//! variable or a file, never the checks file) and a holder that never prints them; and the
//! bounded reader every credential file goes through.

use std::fmt;
use std::path::{Path, PathBuf};

/// Secret bytes. `Debug` and `Display` print "(redacted)", so a secret that ends up in a log
/// line or an error by mistake shows nothing; the bytes are overwritten when dropped.
pub struct Secret(Vec<u8>);

impl Secret {
    pub fn new(bytes: Vec<u8>) -> Secret {
        Secret(bytes)
    }

    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(redacted)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(redacted)")
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.fill(0);
        // Keeps the compiler from removing the writes as dead stores (no `unsafe` needed).
        std::hint::black_box(&self.0);
    }
}

/// Where a passphrase is read from: `*_password_env: VAR` or `*_password_file: FILE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PassphraseSource {
    Env(String),
    File(PathBuf),
}

impl PassphraseSource {
    /// How error messages name the source: `$VAR` or `file PATH`. Never the passphrase.
    pub fn describe(&self) -> String {
        match self {
            PassphraseSource::Env(var) => format!("${var}"),
            PassphraseSource::File(path) => format!("file {}", path.display()),
        }
    }

    /// The fix for a wrong passphrase, worded for this source.
    pub fn fix(&self) -> String {
        match self {
            PassphraseSource::Env(var) => format!("put the right passphrase in ${var}"),
            PassphraseSource::File(path) => format!("put the right passphrase in {}", path.display()),
        }
    }

    /// Reads the passphrase. A file's first line is the passphrase (as `openssl -passin
    /// file:`), without its line ending. Warnings (e.g. a file other users can read) go to
    /// `warnings`.
    pub fn read(&self, warnings: &mut Vec<String>) -> Result<Secret, String> {
        let bytes = match self {
            PassphraseSource::Env(var) => match std::env::var_os(var) {
                Some(value) => value.into_encoded_bytes(),
                None => {
                    return Err(format!(
                        "the environment variable {var} that should hold the passphrase is not set: export it \
                         where mtlscheck runs"
                    ));
                }
            },
            PassphraseSource::File(path) => {
                let bytes = read_credential_file("the passphrase file", path)?;
                if let Some(warning) = crate::files::readable_by_others("the passphrase file", path) {
                    warnings.push(warning);
                }
                first_line(bytes)
            }
        };
        if bytes.is_empty() {
            return Err(format!("the passphrase in {} is empty", self.describe()));
        }
        if bytes.contains(&0) {
            // OpenSSL takes passphrases as C strings.
            return Err(format!("the passphrase in {} contains a NUL byte, which OpenSSL cannot use", self.describe()));
        }
        Ok(Secret::new(bytes))
    }
}

/// Far above any real certificate bundle or key; a file this big is a wrong path.
const MAX_CREDENTIAL_FILE: u64 = 16 * 1024 * 1024;

/// Reads a credential file (a certificate, key, PKCS#12 or passphrase file). Only regular
/// files: a FIFO or a device (`/dev/stdin`, `/dev/zero`) named by mistake would block or never
/// end.
pub fn read_credential_file(kind: &str, path: &Path) -> Result<Vec<u8>, String> {
    crate::files::read_regular(kind, path, MAX_CREDENTIAL_FILE, "a certificate or key file")
}

fn first_line(mut bytes: Vec<u8>) -> Vec<u8> {
    if let Some(end) = bytes.iter().position(|&b| b == b'\n') {
        bytes.truncate(end);
    }
    if bytes.last() == Some(&b'\r') {
        bytes.pop();
    }
    bytes
}

/// Whether `name` can be an environment variable name. A value that cannot is most likely the
/// passphrase itself written in the wrong field, so callers must not echo it.
pub fn is_env_var_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let secret = Secret::new(b"hunter2".to_vec());
        assert_eq!(format!("{secret}"), "(redacted)");
        assert_eq!(format!("{secret:?}"), "(redacted)");
        assert_eq!(format!("{:?}", Some(&secret)), "Some((redacted))");
    }

    #[test]
    fn a_passphrase_file_gives_its_first_line() {
        assert_eq!(first_line(b"pass word\r\nsecond\n".to_vec()), b"pass word");
        assert_eq!(first_line(b"only".to_vec()), b"only");
    }

    #[test]
    fn env_var_names_are_recognised() {
        assert!(is_env_var_name("CLIENT_KEY_PASS"));
        assert!(is_env_var_name("_x1"));
        assert!(!is_env_var_name("1ABC"));
        assert!(!is_env_var_name("s3cr3t!"));
        assert!(!is_env_var_name(""));
    }

    #[test]
    fn a_missing_variable_is_named_without_any_value() {
        let source = PassphraseSource::Env("MTLSCHECK_TEST_SURELY_UNSET_VARIABLE".into());
        let err = source.read(&mut Vec::new()).unwrap_err();
        assert!(err.contains("MTLSCHECK_TEST_SURELY_UNSET_VARIABLE"), "{err}");
        assert!(err.contains("is not set"), "{err}");
    }
}
