//! `all_addresses`: the results of every address of one host joined into one, with any
//! disagreement between them failing the check (clients land on any node of a pool).

use serde_json::json;

use crate::model::{AddressResult, CheckResult, ExpectationField, ExpectationResult, Status};

/// One address's verdict, as the `addresses` list shows it.
fn address_result(r: &CheckResult) -> AddressResult {
    AddressResult {
        address: r.address.clone(),
        client_auth: r.client_auth,
        protocol: r.protocol.clone(),
        cipher: r.cipher.clone(),
        ca_names: r.ca_names.clone(),
        peer_chain: r.peer_chain.clone(),
        with_cert: r.with_cert.summary(),
        error: r.error.clone(),
    }
}

/// Joins the results of every address of one host: the first is the check's result; the
/// others are listed, and any disagreement (client auth, CA names, protocol, chain, with-cert
/// outcome) fails the check, since clients land on any node of a pool.
pub fn combine_addresses(mut results: Vec<CheckResult>) -> Option<CheckResult> {
    if results.is_empty() {
        return None;
    }
    let addresses: Vec<AddressResult> = results.iter().map(address_result).collect();
    let mut combined = results.swap_remove(0);
    let first = &addresses[0];
    let mut differing: Vec<&str> = Vec::new();
    for other in &addresses[1..] {
        let checks: [(&str, bool); 5] = [
            ("client_auth", other.client_auth != first.client_auth),
            ("ca_names", other.ca_names != first.ca_names),
            ("protocol", other.protocol != first.protocol),
            ("peer_chain", other.peer_chain != first.peer_chain),
            ("with_cert", other.with_cert != first.with_cert),
        ];
        for (field, differs) in checks {
            if differs && !differing.contains(&field) {
                differing.push(field);
            }
        }
    }
    if addresses.len() > 1 {
        combined.expectations.push(ExpectationResult {
            field: ExpectationField::AddressesAgree,
            expected: json!([]),
            actual: json!(differing),
            ok: differing.is_empty(),
            detail: (!differing.is_empty()).then(|| "the addresses of this host answer differently".to_string()),
            identity: None,
        });
        if !differing.is_empty() && combined.status == Status::Pass {
            combined.status = Status::Fail;
        }
    }
    combined.addresses = addresses;
    Some(combined)
}
