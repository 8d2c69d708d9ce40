//! Which client stacks would send our certificate in answer to the server's
//! CertificateRequest: OpenSSL (plain and strict), Go, Java (SunX509 and PKIX), GnuTLS, NSS,
//! .NET and rustls, each by its own rules (signature algorithms, certificate types, and how —
//! or whether — it compares the CA names with our chain's issuers).

mod facts;
mod issuers;
mod predict;
mod schemes;

use std::collections::BTreeMap;

use crate::certificate_request::CertificateRequest;
use crate::model::{ClientIdentity, ClientStack, StackPrediction};
use crate::names::NameStyle;

/// Every stack's prediction for one identity, keyed by the stack's name.
pub fn predict_all(
    request: &CertificateRequest,
    identity: &ClientIdentity,
    style: NameStyle,
) -> BTreeMap<String, StackPrediction> {
    let ours = facts::ChainFacts::of(identity);
    ClientStack::ALL
        .iter()
        .map(|&stack| (stack.as_str().to_string(), predict::predict(stack, request, &ours, style)))
        .collect()
}
