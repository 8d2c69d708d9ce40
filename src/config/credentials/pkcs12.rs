//! PKCS#12 (.p12/.pfx): certificate, key and the intermediates bundled with them. Files
//! exported the old way (RC2/3DES, `openssl pkcs12 -export -legacy`, older Windows and Java
//! tools) need OpenSSL 3's legacy provider, which is loaded when such a file is met.

use std::path::Path;

use openssl::error::ErrorStack;
use openssl::pkcs12::{ParsedPkcs12_2, Pkcs12};
use openssl::x509::X509;

use super::legacy;
use super::loaded::{ChainCert, LoadError, Loaded};
use super::passphrase::{PassphraseSource, Secret, read_credential_file as read};
use super::pem::{certificates, wrong_passphrase};

pub(crate) fn load(
    path: &Path,
    source: Option<&PassphraseSource>,
    chain_path: Option<&Path>,
    warnings: &mut Vec<String>,
) -> Result<Loaded, LoadError> {
    let shown = path.display();
    let der = read("p12", path).map_err(LoadError::Config)?;
    warnings.extend(crate::files::readable_by_others("the p12 file", path));
    let not_p12 = || {
        let hint = if der.starts_with(b"-----BEGIN") {
            ": it is a PEM file; use `cert` and `key` for PEM"
        } else {
            " (a binary .p12/.pfx file is expected)"
        };
        LoadError::Config(format!("p12 {shown} is not a PKCS#12 file{hint}"))
    };
    let p12 = Pkcs12::from_der(&der).map_err(|_| not_p12())?;
    // No passphrase source: try the empty passphrase, which unprotected exports use.
    let secret = match source {
        Some(source) => Some(
            source.read(warnings).map_err(|problem| LoadError::Check(format!("cannot open p12 {shown}: {problem}")))?,
        ),
        None => None,
    };
    let pass = match secret.as_ref().map(Secret::expose).map(std::str::from_utf8) {
        None => "",
        Some(Ok(pass)) => pass,
        Some(Err(_)) => {
            let source = source.map(PassphraseSource::describe).unwrap_or_default();
            return Err(LoadError::Check(format!(
                "the passphrase for p12 {shown} (from {source}) is not valid UTF-8, which PKCS#12 passphrases must be"
            )));
        }
    };
    let parsed = legacy::retry_with_legacy(|| p12.parse2(pass)).map_err(|err| match source {
        // The file is a PKCS#12 this machine cannot open: the credential is unusable here, but
        // the partner is still probed without it (as for a wrong passphrase).
        _ if legacy::is_unsupported(&err) => LoadError::Check(match legacy::load() {
            Err(why) => format!(
                "p12 {shown} is encrypted the legacy way (RC2/3DES), which needs OpenSSL's legacy provider, and it could \
                 not be loaded ({why}): install it (on Debian it comes with libssl3; OPENSSL_MODULES names its folder) or re-export the file \
                 with `openssl pkcs12 -export` (AES-256)"
            ),
            Ok(()) => format!(
                "p12 {shown} uses an algorithm this OpenSSL cannot load ({}), even with its legacy provider: re-export \
                 it with `openssl pkcs12 -export` (AES-256)",
                legacy::first_reason(&err)
            ),
        }),
        Some(source) if is_mac_failure(&err) => LoadError::Check(wrong_passphrase("p12", path, source)),
        None if is_mac_failure(&err) => LoadError::Config(format!(
            "p12 {shown} is protected by a passphrase: give it with `p12_password_env: VARIABLE` (an environment \
             variable holding it) or `p12_password_file: FILE` (a file only mtlscheck's account can read)"
        )),
        _ => LoadError::Check(format!("p12 {shown} cannot be read: {}", legacy::first_reason(&err))),
    })?;
    let ParsedPkcs12_2 { pkey, cert, ca } = parsed;
    let leaf = cert.ok_or_else(|| LoadError::Check(format!("p12 {shown} holds no certificate")))?;
    let key = pkey.ok_or_else(|| LoadError::Check(format!("p12 {shown} holds no private key")))?;
    let bundled: Vec<X509> = ca.map(|stack| stack.into_iter().collect()).unwrap_or_default();
    let (ordered, unrelated) = issuing_order(&leaf, bundled);
    for cert in &unrelated {
        warnings.push(format!(
            "p12 {shown} also holds a certificate that is not in our certificate's chain ({}); it is not sent",
            super::validate::one_line(cert.subject_name())
        ));
    }
    let mut chain: Vec<ChainCert> =
        ordered.into_iter().map(|cert| ChainCert { cert, path: path.to_path_buf() }).collect();
    if let Some(chain_path) = chain_path {
        let extra = certificates("chain", chain_path).map_err(LoadError::Config)?;
        chain.extend(extra.into_iter().map(|cert| ChainCert { cert, path: chain_path.to_path_buf() }));
    }
    Ok(Loaded { leaf, leaf_path: path.to_path_buf(), chain, key_path: path.to_path_buf(), key: Ok(key), field: "p12" })
}

/// A wrong passphrase shows as a failed integrity check (the MAC is keyed by the passphrase).
fn is_mac_failure(err: &ErrorStack) -> bool {
    err.errors().iter().any(|e| e.reason().is_some_and(|r| r.contains("mac verify failure")))
}

/// The bundled certificates in the order they are sent: the leaf's issuer, its issuer, ...
/// (PKCS#12 files do not promise any order). Those not on that path are returned apart.
fn issuing_order(leaf: &X509, mut rest: Vec<X509>) -> (Vec<X509>, Vec<X509>) {
    let mut ordered: Vec<X509> = Vec::new();
    loop {
        let current = ordered.last().unwrap_or(leaf);
        let self_signed = current.subject_name().try_cmp(current.issuer_name()).is_ok_and(|o| o.is_eq());
        if self_signed && !ordered.is_empty() {
            break;
        }
        let issuer = rest.iter().position(|candidate| {
            candidate.subject_name().try_cmp(current.issuer_name()).is_ok_and(|o| o.is_eq())
                && candidate.public_key().and_then(|key| current.verify(&key)).unwrap_or(false)
        });
        match issuer {
            Some(index) => ordered.push(rest.swap_remove(index)),
            None => break,
        }
    }
    (ordered, rest)
}
