//! Pure comparison of an operator's `openssl s_client` transcript with mtlscheck's live probe
//! of the same endpoint, field by field. Names are compared as names (so OpenSSL 1.0.2,
//! 1.1.1–3.1 and 3.2+ spellings of one name agree), never as strings.

use crate::model::{
    CheckResult, ComparedConnection, Comparison, ComparisonField, FieldComparison, Outcome, Stage, Status, Transcript,
};
use crate::names::{NameKey, difference};

fn show(value: Option<impl ToString>) -> String {
    value.map(|v| v.to_string()).unwrap_or_else(|| "-".into())
}

fn yes_no(value: Option<bool>) -> String {
    match value {
        Some(true) => "yes".into(),
        Some(false) => "no".into(),
        None => "-".into(),
    }
}

/// The live connection made the way the transcript was taken: with our certificate when the
/// operator ran `s_client -cert ...` (the transcript or the caller says so), else without.
pub fn connection_for(t: &Transcript, taken_with_cert: bool) -> ComparedConnection {
    if taken_with_cert || t.client_cert_sent == Some(true) {
        ComparedConnection::WithCert
    } else {
        ComparedConnection::WithoutCert
    }
}

/// Compares a parsed transcript with the live connection made the same way.
pub fn compare(file: &str, t: &Transcript, live: &CheckResult, connection: ComparedConnection) -> Comparison {
    let observation = live.observation.as_deref();
    let attempt = observation.map(|o| match connection {
        ComparedConnection::WithCert => o.first_with_cert().unwrap_or(&o.without_cert),
        _ => &o.without_cert,
    });
    let info = attempt.and_then(|a| a.info.as_ref());
    let mut fields = Vec::new();
    let mut field = |field, transcript: String, live: String, agree: bool, note: Option<String>| {
        fields.push(FieldComparison { field, transcript, live, agree, note });
    };

    let protocol = info.and_then(|i| i.protocol.clone()).or_else(|| live.protocol.clone());
    field(ComparisonField::Protocol, show(t.protocol.as_ref()), show(protocol.as_ref()), t.protocol == protocol, None);
    let cipher = info.and_then(|i| i.cipher.clone()).or_else(|| live.cipher.clone());
    field(ComparisonField::Cipher, show(t.cipher.as_ref()), show(cipher.as_ref()), t.cipher == cipher, None);
    let verify = info.filter(|i| !i.peer_chain.is_empty()).map(|i| i.verify_code).or(live.verify_code);
    field(ComparisonField::VerifyCode, show(t.verify_code), show(verify), t.verify_code == verify, None);

    let live_chain: Vec<(NameKey, NameKey)> = match info {
        Some(info) => info.peer_chain.iter().map(|c| (c.subject.key(), c.issuer.key())).collect(),
        None => live.peer_chain.iter().map(|c| (NameKey::of_text(&c.subject), NameKey::of_text(&c.issuer))).collect(),
    };
    let written_chain: Vec<(NameKey, NameKey)> =
        t.chain.iter().map(|(s, i)| (NameKey::of_text(s), NameKey::of_text(i))).collect();
    let chain_text = |chain: &[(String, String)]| {
        if chain.is_empty() {
            "-".to_string()
        } else {
            chain.iter().map(|(s, _)| s.as_str()).collect::<Vec<_>>().join(" | ")
        }
    };
    let live_chain_text: Vec<(String, String)> =
        live.peer_chain.iter().map(|c| (c.subject.clone(), c.issuer.clone())).collect();
    field(
        ComparisonField::ServerChain,
        chain_text(&t.chain),
        chain_text(&live_chain_text),
        written_chain == live_chain,
        None,
    );

    field(
        ComparisonField::CertRequested,
        yes_no(t.cert_requested),
        yes_no(Some(live.cert_requested)),
        t.cert_requested.is_none_or(|requested| requested == live.cert_requested),
        t.cert_requested.is_none().then(|| "the transcript ends before the server could ask".to_string()),
    );
    let sent = !t.ca_names.is_empty();
    field(
        ComparisonField::CaNamesSent,
        yes_no(Some(sent)),
        yes_no(Some(live.ca_names_sent)),
        sent == live.ca_names_sent,
        None,
    );

    let live_keys: Vec<NameKey> = match info.filter(|i| !i.ca_names.is_empty()) {
        Some(info) => info.ca_names.iter().map(|name| name.key()).collect(),
        None => live.ca_names.iter().map(|n| NameKey::of_text(n)).collect(),
    };
    let live_names: Vec<(&String, NameKey)> = live.ca_names.iter().zip(live_keys).collect();
    let written_names: Vec<(&String, NameKey)> = t.ca_names.iter().map(|n| (n, NameKey::of_text(n))).collect();
    let (missing, added) = difference(&written_names, &live_names);
    let mut note = Vec::new();
    if !missing.is_empty() {
        note.push(format!("no longer sent: {}", missing.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("; ")));
    }
    if !added.is_empty() {
        note.push(format!("newly sent: {}", added.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("; ")));
    }
    field(
        ComparisonField::CaNames,
        format!("{} names", t.ca_names.len()),
        format!("{} names", live.ca_names.len()),
        missing.is_empty() && added.is_empty() && t.ca_names.len() == live.ca_names.len(),
        (!note.is_empty()).then(|| note.join("; ")),
    );

    let (live_refused, live_alert, after_handshake) = match attempt.map(|a| &a.outcome) {
        Some(Outcome::Rejected { alert, stage, .. }) => (true, alert.clone(), *stage == Stage::AfterHandshake),
        _ => (false, None, false),
    };
    let (agree, note) = match (&t.rejection, live_refused) {
        (None, false) => (true, None),
        (Some(written), true) => {
            let same = live_alert.as_deref().is_none_or(|alert| alert == written);
            (same, (!same).then(|| "the server now refuses with a different alert".to_string()))
        }
        (None, true) if after_handshake => (
            true,
            Some("s_client often misses the TLS 1.3 late refusal: its stdin EOF races the server's alert".to_string()),
        ),
        (None, true) => (false, Some("the server now refuses this connection".to_string())),
        (Some(_), false) => (false, Some("the server now accepts this connection".to_string())),
    };
    let live_rejection = if live_refused { live_alert.unwrap_or_else(|| "refused".into()) } else { "-".into() };
    field(ComparisonField::Rejection, show(t.rejection.as_ref()), live_rejection, agree, note);

    let agree = fields.iter().all(|f| f.agree);
    Comparison { transcript_file: file.to_string(), connection, agree, fields }
}

/// Attaches a transcript comparison; a difference fails a check that would have passed.
pub fn attach(mut result: CheckResult, comparison: Comparison) -> CheckResult {
    if !comparison.agree && result.status == Status::Pass {
        result.status = Status::Fail;
    }
    result.comparison = Some(comparison);
    result
}
