//! Our client credentials: a PEM certificate and key (the key possibly encrypted) or a PKCS#12
//! file, with the chain we send. Loaded and validated before any network traffic. Key material
//! and passphrases never leave this module in text form: `Debug` shows paths and names only.

mod legacy;
mod loaded;
pub mod passphrase;
mod pem;
mod pkcs12;
mod validate;

use std::path::{Path, PathBuf};

use loaded::LoadError;
pub use passphrase::{PassphraseSource, Secret};

use crate::model::ClientIdentity;

/// A check's credential fields as written (paths already resolved against the checks file).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct CredentialFields {
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
    pub chain: Option<PathBuf>,
    pub p12: Option<PathBuf>,
    pub key_password_env: Option<String>,
    pub key_password_file: Option<PathBuf>,
    pub p12_password_env: Option<String>,
    pub p12_password_file: Option<PathBuf>,
}

/// A check's credentials after loading and validation.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// `None` when the key could not be decrypted (then `errors` says why).
    pub identity: Option<ClientIdentity>,
    /// Problems that make this check an error without stopping the others: a wrong or missing
    /// passphrase, a key that does not match, an expired certificate, a chain that does not link.
    pub errors: Vec<String>,
    /// Worth knowing, not failing: a certificate expiring soon, a passphrase file others can read.
    pub warnings: Vec<String>,
}

/// Checks the fields' combination, loads the files and validates what they hold. `Err` lists
/// configuration problems; per-check problems are in [`Prepared::errors`]. `Ok(None)`: the
/// check has no client credentials.
pub fn prepare(fields: &CredentialFields) -> Result<Option<Prepared>, Vec<String>> {
    let problems = combination_problems(fields);
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut warnings = Vec::new();
    let loaded = if let Some(p12) = &fields.p12 {
        let source = passphrase_source(&fields.p12_password_env, &fields.p12_password_file);
        pkcs12::load(p12, source.as_ref(), fields.chain.as_deref(), &mut warnings)
    } else if let (Some(cert), Some(key)) = (&fields.cert, &fields.key) {
        let source = passphrase_source(&fields.key_password_env, &fields.key_password_file);
        pem::load(cert, key, fields.chain.as_deref(), source.as_ref(), &mut warnings)
    } else {
        return Ok(None);
    };
    let loaded = match loaded {
        Ok(loaded) => loaded,
        Err(LoadError::Config(problem)) => return Err(vec![problem]),
        Err(LoadError::Check(problem)) => {
            return Ok(Some(Prepared { identity: None, errors: vec![problem], warnings }));
        }
    };
    let findings = validate::validate(&loaded);
    let mut errors = Vec::new();
    if let Err(problem) = &loaded.key {
        errors.push(problem.clone());
    }
    errors.extend(findings.errors);
    warnings.extend(findings.warnings);
    let identity = loaded.key.ok().map(|key| ClientIdentity {
        cert_path: loaded.leaf_path,
        key_path: loaded.key_path,
        cert: loaded.leaf,
        key,
        chain: loaded.chain.into_iter().map(|c| c.cert).collect(),
    });
    Ok(Some(Prepared { identity, errors, warnings }))
}

fn passphrase_source(env: &Option<String>, file: &Option<PathBuf>) -> Option<PassphraseSource> {
    match (env, file) {
        (Some(var), _) => Some(PassphraseSource::Env(var.clone())),
        (None, Some(path)) => Some(PassphraseSource::File(path.clone())),
        (None, None) => None,
    }
}

/// Fields that cannot go together, or need another one.
fn combination_problems(f: &CredentialFields) -> Vec<String> {
    let mut problems = Vec::new();
    let pem_fields = f.cert.is_some() || f.key.is_some();
    if f.p12.is_some() && pem_fields {
        problems.push(
            "`p12` and `cert`/`key` are mutually exclusive: a PKCS#12 file already holds the certificate and key; \
             keep one of them"
                .to_string(),
        );
    }
    match (&f.cert, &f.key) {
        (Some(_), None) => problems.push("`cert` is set without `key`: add the private key file".into()),
        (None, Some(_)) => problems.push("`key` is set without `cert`: add the certificate file".into()),
        _ => {}
    }
    if f.chain.is_some() && !pem_fields && f.p12.is_none() {
        problems.push("`chain` is set without `cert` and `key` (or `p12`)".into());
    }
    for (kind, env, file, needs, has) in [
        ("key", &f.key_password_env, f.key_password_file.is_some(), "key", f.key.is_some()),
        ("p12", &f.p12_password_env, f.p12_password_file.is_some(), "p12", f.p12.is_some()),
    ] {
        if env.is_some() && file {
            problems.push(format!("`{kind}_password_env` and `{kind}_password_file` are both set: keep one"));
        }
        if (env.is_some() || file) && !has {
            let other = if kind == "key" { "p12" } else { "key" };
            let hint = if f.p12.is_some() || f.key.is_some() {
                format!(" (for `{other}` use `{other}_password_env`/`{other}_password_file`)")
            } else {
                String::new()
            };
            problems.push(format!("`{kind}_password_env`/`{kind}_password_file` need `{needs}`{hint}"));
        }
        if let Some(var) = env
            && !passphrase::is_env_var_name(var)
        {
            // Not echoed: a value that is no variable name is most likely the passphrase itself.
            problems.push(format!(
                "`{kind}_password_env` must be the name of an environment variable (letters, digits and _, e.g. \
                 CLIENT_KEY_PASS) that holds the passphrase, not the passphrase itself"
            ));
        }
    }
    problems
}

/// Checks that a CA file is readable and holds at least one certificate.
pub fn check_ca_file(path: &Path) -> Result<(), String> {
    pem::certificates("file", path).map(|_| ())
}
