//! What is checked about our credentials before any network traffic: the key belongs to the
//! certificate, every certificate we send is within its dates, and the chain links leaf to
//! issuer (names and signatures). Each message names the file and the fix.

use std::cmp::Ordering;

use openssl::asn1::{Asn1Time, Asn1TimeRef};
use openssl::x509::{X509, X509NameRef};

use super::loaded::Loaded;
use crate::names::{DistinguishedName, NameStyle};

/// A certificate that expires within this many days is a warning.
pub const EXPIRY_WARNING_DAYS: u32 = 30;

#[derive(Debug, Default)]
pub struct Findings {
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
}

pub fn validate(loaded: &Loaded) -> Findings {
    let mut findings = Findings::default();
    key_matches(loaded, &mut findings);
    dates(loaded, &mut findings);
    chain_links(loaded, &mut findings);
    findings
}

/// A name as s_client prints it, for messages.
pub fn one_line(name: &X509NameRef) -> String {
    DistinguishedName::from_name(name).text(NameStyle::Default)
}

fn key_matches(loaded: &Loaded, findings: &mut Findings) {
    let Ok(key) = &loaded.key else { return };
    if loaded.leaf.public_key().is_ok_and(|public| public.public_eq(key)) {
        return;
    }
    findings.errors.push(if loaded.field == "p12" {
        format!(
            "the private key in p12 {} does not match its certificate: re-export the .p12 from the certificate and the \
             key it was issued for",
            loaded.leaf_path.display()
        )
    } else {
        format!(
            "the private key {} does not match the certificate {}: use the key the certificate was issued for",
            loaded.key_path.display(),
            loaded.leaf_path.display()
        )
    });
}

fn dates(loaded: &Loaded, findings: &mut Findings) {
    let (Ok(now), Ok(soon)) = (Asn1Time::days_from_now(0), Asn1Time::days_from_now(EXPIRY_WARNING_DAYS)) else {
        return;
    };
    let leaf = std::iter::once((&loaded.leaf, &loaded.leaf_path, true));
    let chain = loaded.chain.iter().map(|c| (&c.cert, &c.path, false));
    for (cert, path, is_leaf) in leaf.chain(chain) {
        let what = if is_leaf {
            format!("our client certificate in {}", path.display())
        } else {
            format!("the chain certificate '{}' in {}", one_line(cert.subject_name()), path.display())
        };
        let renew = if is_leaf {
            format!("renew it and point `{}` at the new file", loaded.field)
        } else {
            "get the current intermediate from the CA that issued our certificate".to_string()
        };
        if before(&now, cert.not_before()) {
            findings.errors.push(format!(
                "{what} is not valid before {}: check this machine's clock, or use a certificate valid now",
                cert.not_before()
            ));
        } else if before(cert.not_after(), &now) {
            findings.errors.push(format!("{what} expired on {}: {renew}", cert.not_after()));
        } else if before(cert.not_after(), &soon) {
            let days = now.diff(cert.not_after()).map(|d| d.days).unwrap_or(0);
            let when = match days {
                0 => "today".to_string(),
                1 => "in 1 day".to_string(),
                n => format!("in {n} days"),
            };
            findings.warnings.push(format!("{what} expires {when} (on {}): {renew} before then", cert.not_after()));
        }
    }
}

fn before(a: &Asn1TimeRef, b: &Asn1TimeRef) -> bool {
    a.compare(b).is_ok_and(|o| o == Ordering::Less)
}

/// Each certificate after the leaf must have issued the one before it: its subject is that
/// certificate's issuer, and its key verifies that certificate's signature.
fn chain_links(loaded: &Loaded, findings: &mut Findings) {
    let mut previous: &X509 = &loaded.leaf;
    let mut previous_label = format!("our client certificate ('{}')", one_line(loaded.leaf.subject_name()));
    for (index, next) in loaded.chain.iter().enumerate() {
        let label = format!(
            "chain certificate {} ('{}') in {}",
            index + 1,
            one_line(next.cert.subject_name()),
            next.path.display()
        );
        let names_match = next.cert.subject_name().try_cmp(previous.issuer_name()).is_ok_and(|o| o.is_eq());
        if !names_match {
            findings.errors.push(format!(
                "the chain does not link: {label} is not the issuer of {previous_label}, which names '{}' as its issuer: \
                 list each certificate right after the one it issued, our certificate first",
                one_line(previous.issuer_name())
            ));
        } else if !next.cert.public_key().and_then(|key| previous.verify(&key)).unwrap_or(false) {
            findings.errors.push(format!(
                "the chain does not link: {label} has the name of the issuer of {previous_label} but its key did not sign \
                 it (a re-issued CA?): get the intermediate that issued our certificate from that CA"
            ));
        }
        previous = &next.cert;
        previous_label = label;
    }
}
