//! The rules, one function per stack, from each stack's sources and proven against the real
//! clients in `tests/integration/client_selection.rs` (.NET and rustls cannot run here: their
//! rules come from their sources only). Each prediction names the rule that decided it.

use super::facts::{CertSignature, ChainFacts, KeyKind};
use super::issuers::{NameEquality, difference};
use super::schemes::{Curve, Scheme, SchemeKey, names};
use crate::certificate_request::CertificateRequest;
use crate::model::{ClientStack, StackOutcome, StackPrediction};
use crate::names::{DistinguishedName, NameStyle};

/// What a stack can sign with, beyond the key type.
struct Policy {
    sha1: bool,
    /// ECDSA schemes bound to the key's curve in TLS 1.2 as well (rustls).
    curve_bound_in_tls12: bool,
}

/// The reasoning so far, for `--explain-client`.
struct Reasoning {
    stack: ClientStack,
    steps: Vec<String>,
}

impl Reasoning {
    fn new(stack: ClientStack) -> Self {
        Reasoning { stack, steps: Vec::new() }
    }

    fn step(&mut self, text: impl Into<String>) {
        self.steps.push(text.into());
    }

    fn decide(mut self, outcome: StackOutcome, reason: String) -> StackPrediction {
        let reason =
            if self.stack.tested_here() { reason } else { format!("{reason} (from its sources; not run here)") };
        self.steps.push(format!("=> {}: {reason}", outcome.as_str()));
        StackPrediction { outcome, reason: reason.into(), steps: self.steps }
    }
}

/// Whether a scheme can sign with our key under this protocol and policy.
fn fits(key: KeyKind, scheme: &Scheme, tls13: bool, policy: &Policy) -> bool {
    if scheme.is_sha1() && !policy.sha1 {
        return false;
    }
    match (key, scheme.key) {
        (KeyKind::Rsa, SchemeKey::RsaPkcs1) => !tls13,
        (KeyKind::Rsa, SchemeKey::RsaPssRsae) => true,
        (KeyKind::RsaPss, SchemeKey::RsaPssPss) => true,
        (KeyKind::Ec(curve), SchemeKey::Ecdsa(bound)) => {
            if tls13 || policy.curve_bound_in_tls12 {
                bound == Some(curve)
            } else {
                true
            }
        }
        (KeyKind::Ed25519, SchemeKey::Ed25519) | (KeyKind::Ed448, SchemeKey::Ed448) => true,
        _ => false,
    }
}

/// The first of the server's schemes that fits our key, if any.
fn usable_scheme(request: &CertificateRequest, key: KeyKind, policy: &Policy) -> Option<u16> {
    request
        .sigalgs
        .iter()
        .copied()
        .find(|&code| Scheme::lookup(code).is_some_and(|s| fits(key, &s, request.tls13, policy)))
}

/// Whether a certificate's own signature is one the server lists (by key kind and hash).
fn signature_listed(signature: CertSignature, codes: &[u16]) -> bool {
    codes.iter().filter_map(|&c| Scheme::lookup(c)).any(|scheme| match (signature, scheme.key) {
        (CertSignature::Rsa(hash), SchemeKey::RsaPkcs1) => hash == scheme.hash,
        (CertSignature::RsaPss, SchemeKey::RsaPssRsae | SchemeKey::RsaPssPss) => true,
        (CertSignature::Ecdsa(hash), SchemeKey::Ecdsa(_)) => hash == scheme.hash,
        (CertSignature::Ed25519, SchemeKey::Ed25519) | (CertSignature::Ed448, SchemeKey::Ed448) => true,
        _ => false,
    })
}

fn which_cert(index: usize) -> String {
    if index == 0 { "our certificate".into() } else { format!("chain certificate {index}") }
}

/// Whether one of our certificates' issuers is among the listed names under `equality`; on
/// success, which certificate and which listed name.
fn issuer_listed(request: &CertificateRequest, ours: &ChainFacts, equality: NameEquality) -> Option<(usize, usize)> {
    ours.certs.iter().enumerate().find_map(|(index, cert)| {
        request.ca_names.iter().position(|name| equality.equal(&cert.issuer, name)).map(|found| (index, found))
    })
}

/// Why no listed name matched under a strict comparison, when one is the same name spelt
/// differently (the useful case), else that none of our issuers is listed.
fn why_not_listed(request: &CertificateRequest, ours: &ChainFacts, style: NameStyle) -> String {
    for (index, cert) in ours.certs.iter().enumerate() {
        for name in &request.ca_names {
            if let Some(diff) = difference(&cert.issuer, name)
                && !diff.is_empty()
            {
                return format!("the server lists {}'s issuer with another encoding: {diff}", which_cert(index));
            }
        }
    }
    let issuers: Vec<String> =
        ours.certs.iter().map(|c| DistinguishedName { der: c.issuer.clone() }.text(style)).collect();
    format!("none of our issuers ({}) is among the {} listed", issuers.join("; "), ca_names(request.ca_names.len()))
}

/// `1 CA name`, `3 CA names`.
fn ca_names(count: usize) -> String {
    format!("{count} CA name{}", if count == 1 { "" } else { "s" })
}

fn listed_name(request: &CertificateRequest, index: usize, style: NameStyle) -> String {
    DistinguishedName { der: request.ca_names[index].clone() }.text(style)
}

pub fn predict(
    stack: ClientStack,
    request: &CertificateRequest,
    ours: &ChainFacts,
    style: NameStyle,
) -> StackPrediction {
    let mut why = Reasoning::new(stack);
    why.step(format!(
        "CertificateRequest ({}): signature algorithms {}; {}",
        if request.tls13 { "TLS 1.3" } else { "TLS 1.2" },
        names(&request.sigalgs),
        ca_names(request.ca_names.len())
    ));
    why.step(format!("our key: {}; our chain: {} certificate(s)", ours.key.describe(), ours.certs.len()));
    match stack {
        ClientStack::Openssl => openssl(why, request, ours),
        ClientStack::OpensslStrict => openssl_strict(why, request, ours, style),
        ClientStack::Go => go(why, request, ours, style),
        ClientStack::JavaSunx509 => java(why, request, ours, style, false),
        ClientStack::JavaPkix => java(why, request, ours, style, true),
        ClientStack::Gnutls => gnutls(why, request, ours, style),
        ClientStack::Nss => nss(why, request, ours, style),
        ClientStack::Dotnet => dotnet(why, request, ours, style),
        ClientStack::Rustls => rustls(why, request, ours),
    }
}

const OPENSSL: Policy = Policy { sha1: false, curve_bound_in_tls12: false };

/// OpenSSL-based clients: the configured certificate is sent whenever a signature algorithm
/// fits its key (SHA-1 is refused at the default security level); the CA list is ignored.
fn openssl(mut why: Reasoning, request: &CertificateRequest, ours: &ChainFacts) -> StackPrediction {
    let Some(scheme) = usable_scheme(request, ours.key, &OPENSSL) else {
        return why.decide(
            StackOutcome::SendsEmpty,
            format!(
                "OpenSSL finds no signature algorithm for our {} key among the server's ({}; SHA-1 is refused at the default security level): it sends an empty Certificate",
                ours.key.describe(),
                names(&request.sigalgs)
            ),
        );
    };
    why.step(format!("signature algorithm {} fits our key", Scheme::name(scheme)));
    if let (true, Some(cert_algs)) = (request.tls13, &request.sigalgs_cert)
        && !signature_listed(ours.certs[0].signature, cert_algs)
    {
        return why.decide(
            StackOutcome::SendsEmpty,
            format!(
                "signature_algorithms_cert ({}) does not allow our certificate's own signature ({}): OpenSSL sends an empty Certificate",
                names(cert_algs),
                ours.certs[0].signature_name
            ),
        );
    }
    why.step("OpenSSL does not consult the CA list outside strict mode");
    why.decide(
        StackOutcome::Sends,
        format!(
            "OpenSSL ignores the CA list and sends the configured certificate: {} fits our {} key",
            Scheme::name(scheme),
            ours.key.describe()
        ),
    )
}

/// `-strict` (`SSL_CERT_FLAG_TLS_STRICT`): also the certificate types, every configured
/// certificate's signature, and the CA list by `X509_NAME_cmp`.
fn openssl_strict(
    mut why: Reasoning,
    request: &CertificateRequest,
    ours: &ChainFacts,
    style: NameStyle,
) -> StackPrediction {
    if request.tls13 {
        return why.decide(
            StackOutcome::SendsEmpty,
            "OpenSSL's strict mode checks the certificate types, which a TLS 1.3 request does not carry: it sends an empty Certificate".into(),
        );
    }
    let Some(scheme) = usable_scheme(request, ours.key, &OPENSSL) else {
        return why.decide(
            StackOutcome::SendsEmpty,
            format!("no signature algorithm for our {} key among {}", ours.key.describe(), names(&request.sigalgs)),
        );
    };
    why.step(format!("signature algorithm {} fits our key", Scheme::name(scheme)));
    let wanted_type = match ours.key {
        KeyKind::Rsa | KeyKind::RsaPss => Some(1),
        KeyKind::Ec(_) | KeyKind::Ed25519 | KeyKind::Ed448 => Some(64),
        KeyKind::Other => None,
    };
    if wanted_type.is_some_and(|t| !request.certificate_types.contains(&t)) {
        return why.decide(
            StackOutcome::SendsEmpty,
            format!(
                "strict mode: the certificate types {:?} do not include our {} key's",
                request.certificate_types,
                ours.key.describe()
            ),
        );
    }
    if let Some((index, cert)) =
        ours.certs.iter().enumerate().find(|(_, c)| !signature_listed(c.signature, &request.sigalgs))
    {
        return why.decide(
            StackOutcome::SendsEmpty,
            format!(
                "strict mode: {} is signed with {}, which the server's signature algorithms do not allow",
                which_cert(index),
                cert.signature_name
            ),
        );
    }
    if request.ca_names.is_empty() {
        return why.decide(StackOutcome::Sends, "strict mode, but the server lists no CA names".into());
    }
    match issuer_listed(request, ours, NameEquality::OpensslCanonical) {
        Some((index, name)) => why.decide(
            StackOutcome::Sends,
            format!("strict mode: {}'s issuer is listed as {}", which_cert(index), listed_name(request, name, style)),
        ),
        None => why.decide(
            StackOutcome::SendsEmpty,
            format!("strict mode compares names with X509_NAME_cmp: {}", why_not_listed(request, ours, style)),
        ),
    }
}

/// Go's `crypto/tls` (`SupportsCertificate`): a scheme for the key (TLS 1.2: filtered by the
/// certificate types), then the raw DER of any configured certificate's issuer.
fn go(mut why: Reasoning, request: &CertificateRequest, ours: &ChainFacts, style: NameStyle) -> StackPrediction {
    let offered: Vec<u16> = if request.tls13 {
        request.sigalgs.clone()
    } else {
        let rsa = request.certificate_types.contains(&1);
        let ec = request.certificate_types.contains(&64);
        request
            .sigalgs
            .iter()
            .copied()
            .filter(|&code| match Scheme::lookup(code).map(|s| s.key) {
                Some(SchemeKey::Ecdsa(_) | SchemeKey::Ed25519) => ec,
                Some(SchemeKey::RsaPkcs1 | SchemeKey::RsaPssRsae | SchemeKey::RsaPssPss) => rsa,
                _ => false,
            })
            .collect()
    };
    let go_policy = Policy { sha1: true, curve_bound_in_tls12: false };
    let filtered = CertificateRequest { sigalgs: offered, ..request.clone() };
    let Some(scheme) = usable_scheme(&filtered, ours.key, &go_policy)
        .filter(|&code| !matches!(Scheme::lookup(code).map(|s| s.key), Some(SchemeKey::RsaPssPss)))
    else {
        return why.decide(
            StackOutcome::SendsEmpty,
            format!(
                "Go finds no signature scheme for our {} key among the server's ({}): it sends an empty Certificate",
                ours.key.describe(),
                names(&request.sigalgs)
            ),
        );
    };
    why.step(format!("signature scheme {} fits our key", Scheme::name(scheme)));
    let sha1_note = if Scheme::lookup(scheme).is_some_and(|s| s.is_sha1()) {
        " (Go 1.25 and later refuse SHA-1 in TLS 1.2 by default and would send an empty Certificate)"
    } else {
        ""
    };
    if request.ca_names.is_empty() {
        return why
            .decide(StackOutcome::Sends, format!("Go sends the certificate: the server lists no CA names{sha1_note}"));
    }
    match issuer_listed(request, ours, NameEquality::RawDer) {
        Some((index, name)) => why.decide(
            StackOutcome::Sends,
            format!(
                "Go found {}'s issuer, byte for byte, among the CA names ({}){sha1_note}",
                which_cert(index),
                listed_name(request, name, style)
            ),
        ),
        None => why.decide(
            StackOutcome::SendsEmpty,
            format!("Go compares issuer DER byte for byte: {}", why_not_listed(request, ours, style)),
        ),
    }
}

/// Java JSSE: key types from the server's signature algorithms (TLS 1.2: and certificate
/// types), issuers compared as `X500Principal`s over the key-store chain; PKIX also requires
/// every chain certificate's signature to be one the server allows.
fn java(
    mut why: Reasoning,
    request: &CertificateRequest,
    ours: &ChainFacts,
    style: NameStyle,
    pkix: bool,
) -> StackPrediction {
    let supported: Vec<Scheme> = request
        .sigalgs
        .iter()
        .filter_map(|&c| Scheme::lookup(c))
        .filter(|s| s.key != SchemeKey::Dsa && !(request.tls13 && s.key == SchemeKey::RsaPkcs1))
        .filter(|s| !matches!(s.key, SchemeKey::Ecdsa(Some(Curve::Other)) | SchemeKey::Ecdsa(None)))
        .collect();
    if supported.is_empty() {
        return why.decide(
            StackOutcome::Aborts,
            format!(
                "Java supports none of the server's signature algorithms ({}): the handshake fails (handshake_failure, \"No supported signature algorithm\")",
                names(&request.sigalgs)
            ),
        );
    }
    let key_type = match ours.key {
        KeyKind::Rsa => "RSA",
        KeyKind::RsaPss => "RSASSA-PSS",
        KeyKind::Ec(_) => "EC",
        KeyKind::Ed25519 | KeyKind::Ed448 => "EdDSA",
        KeyKind::Other => "other",
    };
    let mut wanted: Vec<&str> = supported
        .iter()
        .filter(|s| {
            request.tls13
                || match s.key {
                    SchemeKey::Ecdsa(_) | SchemeKey::Ed25519 | SchemeKey::Ed448 => {
                        request.certificate_types.contains(&64)
                    }
                    _ => request.certificate_types.contains(&1),
                }
        })
        .map(|s| match s.key {
            SchemeKey::RsaPkcs1 | SchemeKey::RsaPssRsae => "RSA",
            SchemeKey::RsaPssPss => "RSASSA-PSS",
            SchemeKey::Ecdsa(_) => "EC",
            SchemeKey::Ed25519 | SchemeKey::Ed448 => "EdDSA",
            SchemeKey::Dsa => "DSA",
        })
        .collect();
    wanted.dedup();
    why.step(format!(
        "key types asked for: {}",
        if wanted.is_empty() { "none".to_string() } else { wanted.join(", ") }
    ));
    if !wanted.contains(&key_type) {
        return why.decide(
            StackOutcome::SendsEmpty,
            format!("Java's key manager finds no {key_type} key type among those the server asks for: no certificate selected, an empty Certificate is sent"),
        );
    }
    if pkix {
        let allowed: Vec<u16> = request.sigalgs_cert.clone().unwrap_or_else(|| request.sigalgs.clone());
        if let Some((index, cert)) =
            ours.certs.iter().enumerate().find(|(_, c)| !signature_listed(c.signature, &allowed))
        {
            why.step(format!("Ignore alias: {} is signed with {}", which_cert(index), cert.signature_name));
            return why.decide(
                StackOutcome::SendsEmpty,
                format!(
                    "Java's PKIX key manager drops our chain: {} is signed with {}, which the server's signature algorithms ({}) do not allow",
                    which_cert(index),
                    cert.signature_name,
                    names(&allowed)
                ),
            );
        }
    }
    // SHA-1 only: JDK 17 as shipped signs with it; a JDK whose jdk.tls.disabledAlgorithms
    // lists rsa_pkcs1_sha1 finds no signature algorithm and aborts instead.
    let mut sha1_note = if supported.iter().all(Scheme::is_sha1) {
        " (only SHA-1 is allowed: a JDK whose jdk.tls.disabledAlgorithms lists it aborts the handshake instead)"
            .to_string()
    } else {
        String::new()
    };
    // SunX509 picks by key type alone: an EC key whose curve no allowed scheme signs with is
    // sent, then the handshake dies at CertificateVerify.
    let curve_scheme = Policy { sha1: true, curve_bound_in_tls12: true };
    if matches!(ours.key, KeyKind::Ec(_)) && usable_scheme(request, ours.key, &curve_scheme).is_none() {
        sha1_note.push_str(&format!(
            "; then Java finds no CertificateVerify algorithm for our {} key and aborts (internal_error)",
            ours.key.describe()
        ));
    }
    if request.ca_names.is_empty() {
        return why.decide(
            StackOutcome::Sends,
            format!("Java sends the certificate: the server lists no CA names{sha1_note}"),
        );
    }
    match issuer_listed(request, ours, NameEquality::Java) {
        Some((index, name)) => why.decide(
            StackOutcome::Sends,
            format!(
                "Java's key manager found {}'s issuer among the CA names as {} (X500Principal equality){sha1_note}",
                which_cert(index),
                listed_name(request, name, style)
            ),
        ),
        None => {
            why.step("Ignore alias: issuers do not match");
            why.decide(
                StackOutcome::SendsEmpty,
                format!(
                    "Java compares X500Principals (PrintableString and UTF8String folded, other string types byte for byte): {}",
                    why_not_listed(request, ours, style)
                ),
            )
        }
    }
}

/// The GnuTLS library with one credential: its key must fit one of the server's schemes, and
/// with CA names listed, the raw issuer DN of a configured certificate must be one of them.
fn gnutls(mut why: Reasoning, request: &CertificateRequest, ours: &ChainFacts, style: NameStyle) -> StackPrediction {
    let policy = Policy { sha1: true, curve_bound_in_tls12: false };
    let Some(scheme) = usable_scheme(request, ours.key, &policy) else {
        return why.decide(
            StackOutcome::SendsEmpty,
            format!(
                "GnuTLS finds no signature algorithm for our {} key among {}",
                ours.key.describe(),
                names(&request.sigalgs)
            ),
        );
    };
    why.step(format!("signature algorithm {} fits our key", Scheme::name(scheme)));
    if request.ca_names.is_empty() {
        return why
            .decide(StackOutcome::Sends, "GnuTLS sends its one certificate: the server lists no CA names".into());
    }
    match issuer_listed(request, ours, NameEquality::RawDer) {
        Some((index, _)) => why.decide(
            StackOutcome::Sends,
            format!("GnuTLS found {}'s raw issuer DN among the CA names", which_cert(index)),
        ),
        None => why.decide(
            StackOutcome::SendsEmpty,
            format!("GnuTLS compares raw issuer DNs (memcmp): {}", why_not_listed(request, ours, style)),
        ),
    }
}

/// NSS's automatic selection: a key that fits a scheme, and an issuer whose string form equals
/// a listed name's (string type ignored; case and spacing matter).
fn nss(mut why: Reasoning, request: &CertificateRequest, ours: &ChainFacts, style: NameStyle) -> StackPrediction {
    let policy = Policy { sha1: true, curve_bound_in_tls12: false };
    let Some(scheme) = usable_scheme(request, ours.key, &policy) else {
        return why.decide(
            StackOutcome::SendsEmpty,
            format!(
                "NSS finds no signature scheme for our {} key among {}",
                ours.key.describe(),
                names(&request.sigalgs)
            ),
        );
    };
    why.step(format!("signature scheme {} fits our key", Scheme::name(scheme)));
    if request.ca_names.is_empty() {
        return why.decide(StackOutcome::Sends, "NSS offers the certificate: the server lists no CA names".into());
    }
    match issuer_listed(request, ours, NameEquality::StringForm) {
        Some((index, _)) => why.decide(
            StackOutcome::Sends,
            format!("NSS found {}'s issuer among the CA names (string forms equal)", which_cert(index)),
        ),
        None => why.decide(
            StackOutcome::SendsEmpty,
            format!(
                "NSS compares the string forms of names (case and spacing matter; with a nickname it would ignore the list): {}",
                why_not_listed(request, ours, style)
            ),
        ),
    }
}

/// .NET `SslStream` without a selection callback: issuer strings (ordinal, case-sensitive)
/// over the chain it builds, then OpenSSL's handshake on Linux.
fn dotnet(mut why: Reasoning, request: &CertificateRequest, ours: &ChainFacts, style: NameStyle) -> StackPrediction {
    if !request.ca_names.is_empty() && issuer_listed(request, ours, NameEquality::StringForm).is_none() {
        why.step("no chain element's issuer string is in the list");
        return why.decide(
            StackOutcome::SendsEmpty,
            format!(
                ".NET compares issuer strings ordinally over the chain it builds (system stores may add certificates): {}",
                why_not_listed(request, ours, style)
            ),
        );
    }
    match usable_scheme(request, ours.key, &OPENSSL) {
        Some(scheme) => why.decide(
            StackOutcome::Sends,
            format!(".NET selects the certificate and OpenSSL signs with {}", Scheme::name(scheme)),
        ),
        None => why.decide(
            StackOutcome::SendsEmpty,
            format!("no signature algorithm for our {} key among {}", ours.key.describe(), names(&request.sigalgs)),
        ),
    }
}

/// rustls's default resolver: the CA list is ignored; the key must offer one of the server's
/// schemes (ECDSA bound to its curve in every version, no SHA-1).
fn rustls(why: Reasoning, request: &CertificateRequest, ours: &ChainFacts) -> StackPrediction {
    let policy = Policy { sha1: false, curve_bound_in_tls12: true };
    match usable_scheme(request, ours.key, &policy) {
        Some(scheme) => why
            .decide(StackOutcome::Sends, format!("rustls ignores the CA list and signs with {}", Scheme::name(scheme))),
        None => why.decide(
            StackOutcome::SendsEmpty,
            format!(
                "rustls's key offers none of the server's schemes ({}) for our {} key: an empty Certificate",
                names(&request.sigalgs),
                ours.key.describe()
            ),
        ),
    }
}
