//! The PKI of the client-selection tests, generated per run: the lab's server certificate, our
//! client root (RSA, `C=CH, O=Example Partner AG, CN=Example Client Root CA`, O and CN as
//! UTF8String) and an intermediate under it, our identities in every form the clients load them
//! (PEM leaf + chain, PKCS#12, an NSS database each), and the certificates whose subjects a
//! server lists as CA names: our root's DN byte for byte and re-encoded or re-spelt.

use std::path::{Path, PathBuf};
use std::process::Command;

use mtlscheck::lab::KeyKind;
use mtlscheck::lab::pki::{self, CertSpec, Issued, NameString, write_certs, write_key};

use crate::support::TestPki;
use crate::support::creds::openssl;

/// The password of every PKCS#12 file and of nothing else (test material only).
pub const P12_PASSWORD: &str = "client-selection";
/// The friendly name in every PKCS#12 file: the NSS nickname after import.
pub const NICKNAME: &str = "ours";

/// A three-attribute DN, each value with its string type.
type SpeltName = [(&'static str, &'static str, NameString); 3];

const ROOT: SpeltName = [
    ("C", "CH", NameString::Printable),
    ("O", "Example Partner AG", NameString::Utf8),
    ("CN", "Example Client Root CA", NameString::Utf8),
];

/// The certificate chains we configure, each with its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdentityKind {
    /// An RSA leaf issued by our root.
    Direct,
    /// An RSA leaf issued by our intermediate, configured with the intermediate.
    Chain,
    /// The same leaf and key as `Chain`, configured without the intermediate.
    LeafAlone,
    /// An EC P-256 leaf issued by our (RSA) root, signed sha256WithRSAEncryption.
    EcP256,
}

impl IdentityKind {
    pub const ALL: [IdentityKind; 4] =
        [IdentityKind::Direct, IdentityKind::Chain, IdentityKind::LeafAlone, IdentityKind::EcP256];

    pub fn label(self) -> &'static str {
        match self {
            IdentityKind::Direct => "RSA leaf under our root",
            IdentityKind::Chain => "RSA leaf + intermediate",
            IdentityKind::LeafAlone => "RSA leaf alone (its intermediate not configured)",
            IdentityKind::EcP256 => "EC P-256 leaf under our root",
        }
    }

    fn stem(self) -> &'static str {
        match self {
            IdentityKind::Direct => "direct",
            IdentityKind::Chain => "chain",
            IdentityKind::LeafAlone => "leaf-alone",
            IdentityKind::EcP256 => "ec-p256",
        }
    }
}

/// One identity in every form the clients take it.
pub struct Identity {
    pub kind: IdentityKind,
    /// The leaf, then any intermediates we configure (what curl, Python, Node, Go, GnuTLS and
    /// mtlscheck's `--cert` read).
    pub cert_and_chain: PathBuf,
    /// The leaf alone (`s_client -cert`).
    pub leaf: PathBuf,
    /// The intermediates alone (`s_client -cert_chain`), if any.
    pub chain: Option<PathBuf>,
    pub key: PathBuf,
    /// Leaf, key and intermediates, [`P12_PASSWORD`], friendly name [`NICKNAME`] (Java).
    pub p12: PathBuf,
    /// An NSS database holding this identity only and trusting the lab's server CA (tstclnt).
    pub nss_db: PathBuf,
}

/// The names a crafted CertificateRequest lists, each the subject of a certificate in a file
/// given to `s_server -CAfile`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CaNames {
    /// Another organisation's CA only.
    Unrelated,
    /// Our root's DN, the very DER our certificates carry as issuer.
    Root,
    /// Our root's DN with O and CN as PrintableString.
    RootPrintable,
    /// Our root's DN with O and CN as BMPString.
    RootBmp,
    /// Our root's DN in lower case (C, O, CN).
    RootLowercase,
    /// Our root's DN with two spaces in the CN (`Example Client  Root CA`).
    RootDoubleSpace,
    /// Our intermediate's DN only.
    Intermediate,
}

/// The client-selection PKI in a temporary folder.
pub struct ClientLab {
    /// The lab's server side (server.pem/server.key/server-ca.pem) and the folder for everything.
    pub pki: TestPki,
    pub identities: Vec<Identity>,
}

impl ClientLab {
    pub fn generate() -> ClientLab {
        let pki = TestPki::new();
        let rsa = |subject, issuer, is_ca| {
            pki::issue(&CertSpec { subject, issuer, is_ca, key: KeyKind::Rsa2048, ..Default::default() })
                .expect("issue certificate")
        };
        let root_name = pki::name_with_strings(&ROOT).expect("root name");
        let root = pki::issue_named(&CertSpec { is_ca: true, key: KeyKind::Rsa2048, ..Default::default() }, &root_name)
            .expect("issue root");
        let intermediate =
            rsa(&[("C", "CH"), ("O", "Example Partner AG"), ("CN", "Example Issuing CA 1")], Some(&root), true);
        let direct = rsa(&[("O", "Our Company"), ("CN", "our-service")], Some(&root), false);
        let chained = rsa(&[("O", "Our Company"), ("CN", "our-service-chained")], Some(&intermediate), false);
        let ec = pki::issue(&CertSpec {
            subject: &[("O", "Our Company"), ("CN", "our-service-ec")],
            issuer: Some(&root),
            key: KeyKind::EcP256,
            ..Default::default()
        })
        .expect("issue EC leaf");
        write_certs(&pki.path("our-root.pem"), &[&root.cert]).expect("write");
        write_certs(&pki.path("our-intermediate.pem"), &[&intermediate.cert]).expect("write");

        let identities = IdentityKind::ALL
            .into_iter()
            .map(|kind| {
                let (leaf, chain) = match kind {
                    IdentityKind::Direct => (&direct, None),
                    IdentityKind::Chain => (&chained, Some(&intermediate)),
                    IdentityKind::LeafAlone => (&chained, None),
                    IdentityKind::EcP256 => (&ec, None),
                };
                write_identity(&pki, kind, leaf, chain)
            })
            .collect();
        let lab = ClientLab { pki, identities };
        lab.write_ca_names();
        lab
    }

    pub fn dir(&self) -> &Path {
        self.pki.dir.path()
    }

    pub fn identity(&self, kind: IdentityKind) -> &Identity {
        self.identities.iter().find(|i| i.kind == kind).expect("every identity is generated")
    }

    /// Our root certificate: the server's trust anchor for client certificates.
    pub fn our_root(&self) -> PathBuf {
        self.pki.path("our-root.pem")
    }

    /// The lab's server CA: what every client trusts.
    pub fn server_ca(&self) -> PathBuf {
        self.pki.path("server-ca.pem")
    }

    /// The file whose certificates' subjects the server lists.
    pub fn ca_names_file(&self, names: CaNames) -> PathBuf {
        match names {
            CaNames::Unrelated => self.pki.path("other-ca.pem"),
            CaNames::Root => self.our_root(),
            CaNames::Intermediate => self.pki.path("our-intermediate.pem"),
            other => self.pki.path(&format!("names-{other:?}.pem")),
        }
    }

    /// A self-signed certificate per re-spelt DN: only its subject matters.
    fn write_ca_names(&self) {
        let variants: [(CaNames, SpeltName); 4] = [
            (CaNames::RootPrintable, ROOT.map(|(f, v, _)| (f, v, NameString::Printable))),
            (CaNames::RootBmp, ROOT.map(|(f, v, s)| (f, v, if f == "C" { s } else { NameString::Bmp }))),
            (
                CaNames::RootLowercase,
                [
                    ("C", "ch", NameString::Printable),
                    ("O", "example partner ag", NameString::Utf8),
                    ("CN", "example client root ca", NameString::Utf8),
                ],
            ),
            (CaNames::RootDoubleSpace, [ROOT[0], ROOT[1], ("CN", "Example Client  Root CA", NameString::Utf8)]),
        ];
        for (names, entries) in variants {
            let subject = pki::name_with_strings(&entries).expect("name");
            let cert = pki::issue_named(&CertSpec { is_ca: true, ..Default::default() }, &subject).expect("issue");
            write_certs(&self.ca_names_file(names), &[&cert.cert]).expect("write");
        }
    }
}

impl Drop for ClientLab {
    fn drop(&mut self) {
        // A failed run keeps its PKI and logs, so each connection can be replayed by hand.
        if std::thread::panicking() {
            self.pki.dir.disable_cleanup(true);
            eprintln!("client-selection PKI and logs kept in {}", self.dir().display());
        }
    }
}

fn write_identity(pki: &TestPki, kind: IdentityKind, leaf: &Issued, chain: Option<&Issued>) -> Identity {
    let stem = kind.stem();
    let path = |suffix: &str| pki.path(&format!("{stem}{suffix}"));
    let identity = Identity {
        kind,
        cert_and_chain: path("-cert-and-chain.pem"),
        leaf: path("-leaf.pem"),
        chain: chain.map(|_| path("-chain.pem")),
        key: path(".key"),
        p12: path(".p12"),
        nss_db: path("-nssdb"),
    };
    let mut all = vec![&leaf.cert];
    all.extend(chain.map(|c| &c.cert));
    write_certs(&identity.cert_and_chain, &all).expect("write");
    write_certs(&identity.leaf, &[&leaf.cert]).expect("write");
    if let (Some(file), Some(chain)) = (&identity.chain, chain) {
        write_certs(file, &[&chain.cert]).expect("write");
    }
    write_key(&identity.key, &leaf.key).expect("write");
    let (leaf_file, key_file, p12_file) =
        (file_name(&identity.leaf), file_name(&identity.key), file_name(&identity.p12));
    let pass = format!("pass:{P12_PASSWORD}");
    let mut args = vec!["pkcs12", "-export", "-in", &leaf_file, "-inkey", &key_file, "-name", NICKNAME];
    args.extend(["-passout", &pass, "-out", &p12_file]);
    let chain_file = identity.chain.as_ref().map(|c| file_name(c));
    if let Some(chain_file) = &chain_file {
        args.extend(["-certfile", chain_file]);
    }
    openssl(pki.dir.path(), &args);
    nss_database(&identity, &pki.path("server-ca.pem"));
    identity
}

fn file_name(path: &Path) -> String {
    path.file_name().expect("file name").to_string_lossy().into_owned()
}

/// `certutil -N` (no password), `pk12util -i` of the identity, and the server CA trusted for
/// TLS servers (`-t C,,`).
fn nss_database(identity: &Identity, server_ca: &Path) {
    std::fs::create_dir_all(&identity.nss_db).expect("NSS database folder");
    let db = format!("sql:{}", identity.nss_db.display());
    run_tool(Command::new("certutil").args(["-N", "-d", &db, "--empty-password"]), "certutil");
    run_tool(
        Command::new("certutil").args(["-A", "-d", &db, "-n", "server-ca", "-t", "C,,", "-i"]).arg(server_ca),
        "certutil",
    );
    run_tool(
        Command::new("pk12util").arg("-i").arg(&identity.p12).args(["-d", &db, "-W", P12_PASSWORD, "-K", ""]),
        "pk12util",
    );
}

fn run_tool(command: &mut Command, tool: &str) {
    let output = command
        .output()
        .unwrap_or_else(|err| panic!("{tool} must be installed (.ci/run installs libnss3-tools): {err}"));
    assert!(
        output.status.success(),
        "{tool} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
