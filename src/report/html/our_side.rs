//! Our side of the handshake in a check's detail: each of our identities and what the partner
//! did with it, whether the partner verifies client certificates (the impostor), and which
//! client stacks would send our certificate.

use std::collections::BTreeMap;

use super::escape::html;
use super::markup::{days, facts, or_dash, section};
use crate::model::{CheckResult, StackPrediction, Verification};

pub fn identities(r: &CheckResult) -> String {
    if r.identities.is_empty() {
        return String::new();
    }
    let rows: String = r
        .identities
        .iter()
        .map(|identity| {
            let listed = match identity.ca_name_match {
                Some(true) => "yes",
                Some(false) => "NO",
                None => "n/a",
            };
            let cells = [
                identity.name.clone(),
                or_dash(identity.client_cert_subject.as_deref()),
                listed.to_string(),
                format!(
                    "{}{}",
                    or_dash(identity.client_cert_not_after.as_deref()),
                    days(identity.client_cert_days_left)
                ),
                identity
                    .problem
                    .clone()
                    .map(|p| format!("not sent: {p}"))
                    .unwrap_or_else(|| identity.with_cert.summary()),
                identity.expected.clone(),
            ];
            let cells: String = cells.iter().map(|c| format!("<td>{}</td>", html(c))).collect();
            format!("<tr>{cells}</tr>")
        })
        .collect();
    let table = format!(
        "<div class=\"scroll\"><table class=\"small\"><thead><tr><th>identity</th><th>certificate</th>\
         <th>our CA listed</th><th>expires</th><th>with it</th><th>expected today</th></tr></thead>\
         <tbody>{rows}</tbody></table></div>"
    );
    section("identities", "Our identities", &table)
}

pub fn impostor(r: &CheckResult) -> String {
    let said = match r.client_cert_verification {
        Verification::Verified => "verified: it refused a forged certificate with our issuer's name",
        Verification::None => "NOT verified: it accepted a forged certificate (presence or issuer name only)",
        Verification::Unknown => return String::new(),
        Verification::Other(_) => r.client_cert_verification.as_str(),
    };
    let mut pairs = vec![("client certificates", said.to_string())];
    if let Some(attempt) = &r.impostor {
        pairs.push(("the forged certificate", attempt.summary()));
    }
    section("impostor", "Does the partner verify client certificates?", &facts(&pairs))
}

pub fn stacks(r: &CheckResult) -> String {
    let mut rows = String::new();
    let mut add = |whose: &str, predictions: &BTreeMap<String, StackPrediction>| {
        for (stack, prediction) in predictions {
            rows.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                html(whose),
                html(stack),
                html(prediction.outcome.as_str()),
                html(&prediction.reason)
            ));
        }
    };
    // With identities the top-level prediction is the first identity's: shown once, under it.
    if let Some(predictions) = r.client_stacks.as_ref().filter(|_| r.identities.is_empty()) {
        add("our certificate", predictions);
    }
    for identity in &r.identities {
        if let Some(predictions) = &identity.client_stacks {
            add(&identity.name, predictions);
        }
    }
    if rows.is_empty() {
        return String::new();
    }
    let table = format!(
        "<div class=\"scroll\"><table class=\"small\"><thead><tr><th>certificate</th><th>client stack</th>\
         <th>would</th><th>because</th></tr></thead><tbody>{rows}</tbody></table></div>"
    );
    section("stacks", &format!("Would our clients send it? (we run {})", html(&r.client)), &table)
}
