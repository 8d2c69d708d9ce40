//! Pure comparison of an operator's `openssl s_client` transcript with mtlscheck's live probe
//! of the same endpoint, field by field, by meaning: names as names (read in the spelling of
//! the version that wrote the transcript, so OpenSSL 1.0.2 to 4.0 and LibreSSL spellings of one
//! name agree), alerts by their number (`sslv3 alert handshake failure` of 3.0 is `tls alert
//! handshake failure` of 4.0), never as strings.

use crate::alerts;
use crate::model::{
    CheckResult, ComparedConnection, Comparison, ComparisonField, FieldComparison, Outcome, Stage, Status, Transcript,
};
use crate::names::{DistinguishedName, NameKey, NameStyle};

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

/// A name written in the transcript, read in its version's spelling when that is known.
fn written_key(t: &Transcript, text: &str) -> NameKey {
    match t.style.spelling {
        Some(spelling) => NameKey::of_text_as(text, spelling),
        None => NameKey::of_text(text),
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

/// The live attempt compared with a transcript taken over `connection`.
fn live_attempt<'a>(live: &'a CheckResult, connection: &ComparedConnection) -> Option<&'a crate::model::Attempt> {
    live.observation.as_deref().map(|o| match connection {
        ComparedConnection::WithCert => o.first_with_cert().unwrap_or(&o.without_cert),
        _ => &o.without_cert,
    })
}

/// Compares a parsed transcript with the live connection made the same way.
pub fn compare(file: &str, t: &Transcript, live: &CheckResult, connection: ComparedConnection) -> Comparison {
    if !t.shows_connection {
        return compare_error_only(file, t, live, connection);
    }
    let attempt = live_attempt(live, &connection);
    let info = attempt.and_then(|a| a.info.as_ref());
    // Live names are shown in the transcript's words, so the two columns read alike.
    let names = t.style.like.map(|style| style.name_style()).unwrap_or(NameStyle::Default);
    let shown = |name: &DistinguishedName| name.text(names);
    let mut fields = Vec::new();
    let mut field = |field, transcript: String, live: String, agree: bool, note: Option<String>| {
        fields.push(FieldComparison { field, transcript, live, agree, note });
    };

    let protocol = info.and_then(|i| i.protocol.clone()).or_else(|| live.protocol.clone());
    field(ComparisonField::Protocol, show(t.protocol.as_ref()), show(protocol.as_ref()), t.protocol == protocol, None);
    let cipher = info.and_then(|i| i.cipher.clone()).or_else(|| live.cipher.clone());
    field(ComparisonField::Cipher, show(t.cipher.as_ref()), show(cipher.as_ref()), t.cipher == cipher, None);
    let verify = info.filter(|i| !i.peer_chain.is_empty()).map(|i| i.verify_code).or(live.verify_code);
    match (t.verify_code, t.verification_ok) {
        (None, Some(ok)) => field(
            ComparisonField::VerifyCode,
            if ok { "OK".into() } else { "error".into() },
            show(verify),
            verify.is_some_and(|code| (code == 0) == ok),
            Some("the transcript shows only whether verification passed (-brief)".into()),
        ),
        _ => field(ComparisonField::VerifyCode, show(t.verify_code), show(verify), t.verify_code == verify, None),
    }

    let live_chain: Vec<(NameKey, NameKey, String)> = match info {
        Some(info) => info.peer_chain.iter().map(|c| (c.subject.key(), c.issuer.key(), shown(&c.subject))).collect(),
        None => live
            .peer_chain
            .iter()
            .map(|c| (NameKey::of_text(&c.subject), NameKey::of_text(&c.issuer), c.subject.clone()))
            .collect(),
    };
    let live_chain_text = if live_chain.is_empty() {
        "-".to_string()
    } else {
        live_chain.iter().map(|(_, _, text)| text.as_str()).collect::<Vec<_>>().join(" | ")
    };
    if t.brief {
        // -brief shows the leaf's subject only.
        let leaf = live_chain.first();
        let agree = match (&t.peer_subject, leaf) {
            (Some(written), Some((subject, _, _))) => written_key(t, written) == *subject,
            (None, None) => true,
            _ => false,
        };
        field(
            ComparisonField::ServerChain,
            show(t.peer_subject.as_ref()),
            leaf.map_or("-".to_string(), |(_, _, text)| text.clone()),
            agree,
            Some("-brief shows the server's certificate only".into()),
        );
    } else {
        let written_chain: Vec<(NameKey, NameKey)> =
            t.chain.iter().map(|(s, i)| (written_key(t, s), written_key(t, i))).collect();
        let chain_text = if t.chain.is_empty() {
            "-".to_string()
        } else {
            t.chain.iter().map(|(s, _)| s.as_str()).collect::<Vec<_>>().join(" | ")
        };
        let same = written_chain.len() == live_chain.len()
            && written_chain.iter().zip(&live_chain).all(|((ws, wi), (ls, li, _))| ws == ls && wi == li);
        field(ComparisonField::ServerChain, chain_text, live_chain_text, same, None);
    }

    field(
        ComparisonField::CertRequested,
        yes_no(t.cert_requested),
        yes_no(Some(live.cert_requested)),
        t.cert_requested.is_none_or(|requested| requested == live.cert_requested),
        t.cert_requested.is_none().then(|| "the transcript ends before the server could ask".to_string()),
    );
    compare_ca_names(t, live, info.map(|i| i.ca_names.as_slice()), names, &mut field);
    compare_rejection(t, attempt.map(|a| &a.outcome), &mut field);

    let agree = fields.iter().all(|f| f.agree);
    let transcript_style = Some(t.style.label.clone());
    Comparison { transcript_file: file.to_string(), transcript_style, connection, agree, fields }
}

/// A transcript that is only an error line (`-brief` of a failed handshake): the alert is all
/// there is to compare.
fn compare_error_only(file: &str, t: &Transcript, live: &CheckResult, connection: ComparedConnection) -> Comparison {
    let attempt = live_attempt(live, &connection);
    let mut fields = Vec::new();
    let mut field = |field, transcript: String, live: String, agree: bool, note: Option<String>| {
        fields.push(FieldComparison { field, transcript, live, agree, note });
    };
    compare_rejection(t, attempt.map(|a| &a.outcome), &mut field);
    let note = "the transcript shows only an error line (e.g. -brief of a failed handshake)";
    if let Some(rejection) = fields.first_mut() {
        rejection.note = rejection.note.take().or_else(|| Some(note.to_string()));
    }
    let agree = fields.iter().all(|f| f.agree);
    let transcript_style = Some(t.style.label.clone());
    Comparison { transcript_file: file.to_string(), transcript_style, connection, agree, fields }
}

fn compare_ca_names(
    t: &Transcript,
    live: &CheckResult,
    live_names: Option<&[DistinguishedName]>,
    style: NameStyle,
    field: &mut impl FnMut(ComparisonField, String, String, bool, Option<String>),
) {
    if !t.shows_ca_names {
        let note = Some("-brief does not show CA names".to_string());
        field(ComparisonField::CaNamesSent, "-".into(), yes_no(Some(live.ca_names_sent)), true, note.clone());
        field(ComparisonField::CaNames, "-".into(), names_count(live.ca_names.len()), true, note);
        return;
    }
    let sent = !t.ca_names.is_empty();
    field(
        ComparisonField::CaNamesSent,
        yes_no(Some(sent)),
        yes_no(Some(live.ca_names_sent)),
        sent == live.ca_names_sent,
        None,
    );
    let live_keyed: Vec<(String, NameKey)> = match live_names.filter(|names| !names.is_empty()) {
        Some(names) => names.iter().map(|name| (name.text(style), name.key())).collect(),
        None => live.ca_names.iter().map(|n| (n.clone(), NameKey::of_text(n))).collect(),
    };
    let written: Vec<(&String, NameKey)> = t.ca_names.iter().map(|n| (n, written_key(t, n))).collect();
    let (missing, added) = crate::names::difference(&written, &live_keyed);
    let mut note = Vec::new();
    if !missing.is_empty() {
        note.push(format!("no longer sent: {}", missing.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("; ")));
    }
    if !added.is_empty() {
        note.push(format!("newly sent: {}", added.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("; ")));
    }
    field(
        ComparisonField::CaNames,
        names_count(t.ca_names.len()),
        names_count(live_keyed.len()),
        missing.is_empty() && added.is_empty() && t.ca_names.len() == live_keyed.len(),
        (!note.is_empty()).then(|| note.join("; ")),
    );
}

fn compare_rejection(
    t: &Transcript,
    outcome: Option<&Outcome>,
    field: &mut impl FnMut(ComparisonField, String, String, bool, Option<String>),
) {
    let (live_refused, live_alert, after_handshake) = match outcome {
        Some(Outcome::Rejected { alert, stage, .. }) => (true, alert.clone(), *stage == Stage::AfterHandshake),
        _ => (false, None, false),
    };
    // The live alert in the transcript's words.
    let live_rejection = match (live_refused, &live_alert) {
        (false, _) => "-".to_string(),
        (true, Some(alert)) => match t.style.like {
            Some(style) => alerts::restyle(alert, style),
            None => alert.clone(),
        },
        (true, None) => "refused".to_string(),
    };
    let written_code = t.rejection_code.or_else(|| t.rejection.as_deref().and_then(alerts::code_of));
    let (agree, note) = match (&t.rejection, live_refused) {
        (None, false) => (true, None),
        (Some(written), true) => {
            let same = live_alert.as_deref().is_none_or(|alert| match (written_code, alerts::code_of(alert)) {
                (Some(a), Some(b)) => a == b,
                _ => alerts::same_alert(written, alert),
            });
            let note = if !same {
                Some("the server now refuses with a different alert".to_string())
            } else if live_alert.is_some() && live_rejection != *written {
                Some("the same alert: OpenSSL versions name it differently".to_string())
            } else {
                None
            };
            (same, note)
        }
        (None, true) if after_handshake => (
            true,
            Some("s_client often misses the TLS 1.3 late refusal: its stdin EOF races the server's alert".to_string()),
        ),
        (None, true) => (false, Some("the server now refuses this connection".to_string())),
        (Some(_), false) => (false, Some("the server now accepts this connection".to_string())),
    };
    field(ComparisonField::Rejection, show(t.rejection.as_ref()), live_rejection, agree, note);
}

/// `1 name`, `3 names`.
fn names_count(n: usize) -> String {
    format!("{n} name{}", if n == 1 { "" } else { "s" })
}

/// Attaches a transcript comparison; a difference fails a check that would have passed.
pub fn attach(mut result: CheckResult, comparison: Comparison) -> CheckResult {
    if !comparison.agree && result.status == Status::Pass {
        result.status = Status::Fail;
    }
    result.comparison = Some(comparison);
    result
}
