//! Pure comparison of an operator's `openssl s_client` transcript with mtlscheck's live probe
//! of the same endpoint, field by field. Names are compared as attribute lists (so OpenSSL
//! 1.0.2, 1.1.1–3.1 and 3.2+ spellings of one name agree), never as strings.

use serde::{Deserialize, Serialize};

use crate::probe::{Attempt, DistinguishedName, Observation, WithCert};
use crate::transcript::{self, Transcript};
use crate::verdict::CheckResult;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldComparison {
    #[serde(deserialize_with = "crate::report::read::interned")]
    pub field: crate::report::read::Interned,
    pub transcript: String,
    pub live: String,
    pub agree: bool,
    /// Why values that look different still agree, or what a difference means.
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    pub transcript_file: String,
    pub agree: bool,
    pub fields: Vec<FieldComparison>,
}

type Name = Vec<(String, String)>;

fn live_name(dn: &DistinguishedName) -> Name {
    transcript::canonical(&dn.entries())
}

fn written_name(text: &str) -> Name {
    transcript::canonical(&transcript::parse_name(text).unwrap_or_default())
}

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

/// The connection the transcript corresponds to: with our certificate when the probe had one
/// (the operator ran `s_client -cert ...`), else without.
fn shown_attempt(observation: &Observation) -> &Attempt {
    match &observation.with_cert {
        Some(WithCert::Done(attempt)) => attempt,
        _ => &observation.without_cert,
    }
}

/// Compares a parsed transcript with a live result.
pub fn compare(file: &str, t: &Transcript, live: &CheckResult) -> Comparison {
    let observation = live.observation.as_deref();
    let attempt = observation.map(shown_attempt);
    let info = attempt.and_then(|a| a.info.as_ref());
    let mut fields = Vec::new();
    let mut field = |field, transcript: String, live: String, agree: bool, note: Option<String>| {
        fields.push(FieldComparison { field, transcript, live, agree, note });
    };

    let protocol = info.and_then(|i| i.protocol.clone()).or_else(|| live.protocol.clone());
    field("protocol", show(t.protocol.as_ref()), show(protocol.as_ref()), t.protocol == protocol, None);
    let cipher = info.and_then(|i| i.cipher.clone()).or_else(|| live.cipher.clone());
    field("cipher", show(t.cipher.as_ref()), show(cipher.as_ref()), t.cipher == cipher, None);
    let verify = info.filter(|i| !i.peer_chain.is_empty()).map(|i| i.verify_code).or(live.verify_code);
    field("verify_code", show(t.verify_code), show(verify), t.verify_code == verify, None);

    let live_chain: Vec<(Name, Name)> = match info {
        Some(info) => info.peer_chain.iter().map(|c| (live_name(&c.subject), live_name(&c.issuer))).collect(),
        None => live.peer_chain.iter().map(|c| (written_name(&c.subject), written_name(&c.issuer))).collect(),
    };
    let written_chain: Vec<(Name, Name)> = t.chain.iter().map(|(s, i)| (written_name(s), written_name(i))).collect();
    let chain_text = |chain: &[(String, String)]| {
        if chain.is_empty() {
            "-".to_string()
        } else {
            chain.iter().map(|(s, _)| s.as_str()).collect::<Vec<_>>().join(" | ")
        }
    };
    let live_chain_text: Vec<(String, String)> =
        live.peer_chain.iter().map(|c| (c.subject.clone(), c.issuer.clone())).collect();
    field("server_chain", chain_text(&t.chain), chain_text(&live_chain_text), written_chain == live_chain, None);

    field(
        "cert_requested",
        yes_no(t.cert_requested),
        yes_no(Some(live.cert_requested)),
        t.cert_requested.is_none_or(|requested| requested == live.cert_requested),
        t.cert_requested.is_none().then(|| "the transcript ends before the server could ask".to_string()),
    );
    let sent = !t.ca_names.is_empty();
    field("ca_names_sent", yes_no(Some(sent)), yes_no(Some(live.ca_names_sent)), sent == live.ca_names_sent, None);

    let live_names: Vec<Name> = match info.filter(|i| !i.ca_names.is_empty()) {
        Some(info) => info.ca_names.iter().map(live_name).collect(),
        None => live.ca_names.iter().map(|n| written_name(n)).collect(),
    };
    let written_names: Vec<Name> = t.ca_names.iter().map(|n| written_name(n)).collect();
    let missing: Vec<&String> =
        t.ca_names.iter().zip(&written_names).filter(|(_, n)| !live_names.contains(n)).map(|(text, _)| text).collect();
    let added: Vec<&String> = live
        .ca_names
        .iter()
        .zip(&live_names)
        .filter(|(_, n)| !written_names.contains(n))
        .map(|(text, _)| text)
        .collect();
    let mut note = Vec::new();
    if !missing.is_empty() {
        note.push(format!("no longer sent: {}", missing.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("; ")));
    }
    if !added.is_empty() {
        note.push(format!("newly sent: {}", added.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("; ")));
    }
    field(
        "ca_names",
        format!("{} names", t.ca_names.len()),
        format!("{} names", live.ca_names.len()),
        missing.is_empty() && added.is_empty() && t.ca_names.len() == live.ca_names.len(),
        (!note.is_empty()).then(|| note.join("; ")),
    );

    let (live_refused, live_alert, after_handshake) = match attempt.map(|a| &a.outcome) {
        Some(crate::probe::Outcome::Rejected { alert, stage, .. }) => {
            (true, alert.clone(), *stage == crate::probe::Stage::AfterHandshake)
        }
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
    field("rejection", show(t.rejection.as_ref()), live_rejection, agree, note);

    let agree = fields.iter().all(|f| f.agree);
    Comparison { transcript_file: file.to_string(), agree, fields }
}
