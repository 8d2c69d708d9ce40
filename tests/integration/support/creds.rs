//! Client credentials in the forms partners hand them out, made at test time: encrypted PEM keys
//! and PKCS#12 files written by the real `openssl` command (modern and `-legacy`), a chain with
//! an intermediate, certificates expired or about to expire.

use std::path::{Path, PathBuf};
use std::process::Command;

use mtlscheck::lab::Issued;
use mtlscheck::lab::pki::{self, CertSpec, write_certs, write_key};

use super::TestPki;

/// A passphrase no output may ever contain.
pub const PASSPHRASE: &str = "Tr0ub4dor&3-never-printed";

/// Runs the real `openssl` with `args` in `dir`; panics with its stderr on failure.
pub fn openssl(dir: &Path, args: &[&str]) {
    let output = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl must be installed (.ci/run installs it)");
    assert!(output.status.success(), "openssl {}: {}", args.join(" "), String::from_utf8_lossy(&output.stderr));
}

/// Our client certificate issued by an intermediate under the lab's client CA, written as
/// `chained-leaf.pem`, `chained-leaf.key` and `intermediate.pem`. A server that trusts only the
/// CA accepts it only if the intermediate is sent along.
pub fn chained_client(pki: &TestPki) {
    let intermediate = pki::issue(&CertSpec {
        subject: &[("O", "Our Company"), ("CN", "Our Issuing CA")],
        issuer: Some(&pki.pki.client_ca),
        is_ca: true,
        ..Default::default()
    })
    .expect("issue intermediate");
    let leaf = pki::issue(&CertSpec {
        subject: &[("O", "Our Company"), ("CN", "chained-client")],
        issuer: Some(&intermediate),
        ..Default::default()
    })
    .expect("issue leaf");
    write_certs(&pki.path("chained-leaf.pem"), &[&leaf.cert]).expect("write");
    write_key(&pki.path("chained-leaf.key"), &leaf.key).expect("write");
    write_certs(&pki.path("intermediate.pem"), &[&intermediate.cert]).expect("write");
}

/// A client certificate from the lab's client CA valid `not_before_days..not_after_days` from
/// now, written as `<stem>.pem` / `<stem>.key`.
pub fn client_cert_valid(pki: &TestPki, stem: &str, not_before_days: i32, not_after_days: i32) -> Issued {
    let issued = pki::issue(&CertSpec {
        subject: &[("O", "Our Company"), ("CN", stem)],
        issuer: Some(&pki.pki.client_ca),
        not_before_days,
        not_after_days,
        ..Default::default()
    })
    .expect("issue client certificate");
    write_certs(&pki.path(&format!("{stem}.pem")), &[&issued.cert]).expect("write");
    write_key(&pki.path(&format!("{stem}.key")), &issued.key).expect("write");
    issued
}

/// A client certificate from the lab's *other* CA (one the lab servers do not trust), written
/// as `<stem>.pem` / `<stem>.key`: the certificate a partner refuses.
pub fn other_ca_client(pki: &TestPki, stem: &str) -> Issued {
    let issued = pki::issue(&CertSpec {
        subject: &[("O", "Our Company"), ("CN", stem)],
        issuer: Some(&pki.pki.other_ca),
        ..Default::default()
    })
    .expect("issue client certificate");
    write_certs(&pki.path(&format!("{stem}.pem")), &[&issued.cert]).expect("write");
    write_key(&pki.path(&format!("{stem}.key")), &issued.key).expect("write");
    issued
}

/// `client.key` encrypted with [`PASSPHRASE`] by the real openssl: PKCS#8 AES-256
/// (`BEGIN ENCRYPTED PRIVATE KEY`) as `client-pkcs8.key`, and the traditional
/// `Proc-Type: 4,ENCRYPTED` DES-EDE3 form as `client-traditional.key`.
pub fn encrypted_keys(pki: &TestPki) -> (PathBuf, PathBuf) {
    let pass = format!("pass:{PASSPHRASE}");
    let dir = pki.dir.path();
    openssl(dir, &["pkey", "-in", "client.key", "-aes256", "-passout", &pass, "-out", "client-pkcs8.key"]);
    openssl(dir, &["ec", "-in", "client.key", "-des3", "-passout", &pass, "-out", "client-traditional.key"]);
    (pki.path("client-pkcs8.key"), pki.path("client-traditional.key"))
}

/// A PKCS#12 file of `cert`, `key` and the certificates in `certfile` (if any), protected by
/// [`PASSPHRASE`], written by the real `openssl pkcs12 -export`; `legacy` uses the RC2/3DES
/// encryption of older exports (`-legacy`).
pub fn pkcs12(pki: &TestPki, out: &str, cert: &str, key: &str, certfile: Option<&str>, legacy: bool) -> PathBuf {
    let pass = format!("pass:{PASSPHRASE}");
    let mut args = vec!["pkcs12", "-export", "-in", cert, "-inkey", key, "-passout", &pass, "-out", out];
    if let Some(certfile) = certfile {
        args.extend(["-certfile", certfile]);
    }
    if legacy {
        args.push("-legacy");
    }
    openssl(pki.dir.path(), &args);
    pki.path(out)
}

/// A file holding [`PASSPHRASE`] and a newline, readable only by its owner.
pub fn passphrase_file(pki: &TestPki) -> PathBuf {
    let path = pki.write("passphrase.txt", &format!("{PASSPHRASE}\n"));
    set_mode(&path, 0o600);
    path
}

pub fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}
