//! One check's expanded row: what went wrong, what changed since the baseline, the verdict in
//! full, the CA names, the server's chain, expiry dates, both connections, our side of the
//! handshake ([`super::our_side`]), expectations, every address, notes, and what
//! `openssl s_client` prints for the endpoint.

use super::escape::html;
use super::markup::{days, facts, list, or_dash, section};
use super::our_side::{identities, impostor, stacks};
use crate::model::{AttemptReport, CheckResult, HandshakeState};
use crate::report::sclient::check_view;
use crate::report::summary::{NONE_SENT, client_auth_cell, our_ca_cell, problems, verify_cell, with_cert_cell};

fn verdict(r: &CheckResult) -> String {
    let mut pairs = vec![
        ("client auth", client_auth_cell(r)),
        ("server verify", verify_cell(r)),
        ("protocol", or_dash(r.protocol.as_deref())),
        ("cipher", or_dash(r.cipher.as_deref())),
        ("our CA listed", our_ca_cell(r).to_string()),
        ("with our cert", with_cert_cell(r)),
        ("address", or_dash(r.address.as_deref())),
        ("tries", r.tries.to_string()),
        ("probe time", format!("{} ms", r.elapsed_ms)),
    ];
    if let Some(servername) = &r.servername {
        pairs.insert(6, ("SNI", servername.clone()));
    }
    if let Some(proxy) = &r.proxy {
        pairs.push(("proxy", proxy.clone()));
    }
    if let Some(starttls) = &r.starttls {
        pairs.push(("STARTTLS", starttls.clone()));
    }
    section("verdict", "Verdict", &facts(&pairs))
}

fn changes(r: &CheckResult) -> String {
    let Some(changes) = r.changes.as_ref().filter(|c| !c.is_empty()) else { return String::new() };
    let items: String = changes
        .iter()
        .map(|change| {
            let added: String = change.added.iter().map(|n| format!("<li><ins>+ {}</ins></li>", html(n))).collect();
            let removed: String = change.removed.iter().map(|n| format!("<li><del>− {}</del></li>", html(n))).collect();
            let names = if added.is_empty() && removed.is_empty() {
                String::new()
            } else {
                format!("<ul class=\"names\">{added}{removed}</ul>")
            };
            format!("<li>{}{names}</li>", html(&change.summary))
        })
        .collect();
    section("changes", "Changed since the baseline", &format!("<ul>{items}</ul>"))
}

fn ca_names(r: &CheckResult) -> String {
    let body = match (r.cert_requested, r.ca_names.is_empty()) {
        (false, _) => "<p>No certificate was requested.</p>".to_string(),
        (true, true) => format!("<p>{}</p>", html(NONE_SENT)),
        (true, false) => {
            let items: String = r
                .ca_names
                .iter()
                .map(|name| {
                    let matched = r.matched_ca_name.as_deref() == Some(name.as_str());
                    let class = if matched { " class=\"matched\" title=\"our certificate's issuer\"" } else { "" };
                    format!("<li{class}><code>{}</code></li>", html(name))
                })
                .collect();
            format!("<ol class=\"names\">{items}</ol>")
        }
    };
    section("ca-names", &format!("Acceptable client certificate CA names ({})", r.ca_names.len()), &body)
}

fn chain(r: &CheckResult) -> String {
    if r.peer_chain.is_empty() {
        return String::new();
    }
    let items: String = r
        .peer_chain
        .iter()
        .map(|entry| {
            format!(
                "<li><dl><dt>subject</dt><dd><code>{}</code></dd><dt>issuer</dt><dd><code>{}</code></dd>\
                 <dt>not after</dt><dd>{}</dd></dl></li>",
                html(&entry.subject),
                html(&entry.issuer),
                html(entry.not_after.as_deref().unwrap_or("-"))
            )
        })
        .collect();
    section("chain", "Server certificate chain", &format!("<ol start=\"0\">{items}</ol>"))
}

fn expiry(r: &CheckResult) -> String {
    let server_not_after = r.peer_chain.first().and_then(|c| c.not_after.as_deref());
    let mut pairs =
        vec![("server certificate", format!("{}{}", or_dash(server_not_after), days(r.server_cert_days_left)))];
    if let Some(subject) = &r.client_cert_subject {
        pairs.push(("our certificate", subject.clone()));
        pairs.push(("its issuer", or_dash(r.client_cert_issuer.as_deref())));
        pairs.push((
            "it expires",
            format!("{}{}", or_dash(r.client_cert_not_after.as_deref()), days(r.client_cert_days_left)),
        ));
    }
    section("expiry", "Expiry", &facts(&pairs))
}

fn attempt_cells(attempt: &AttemptReport) -> String {
    let handshake = match attempt.handshake {
        HandshakeState::Ok => "completed",
        HandshakeState::Failed => "failed",
        HandshakeState::Skipped => "skipped",
        HandshakeState::Other(_) => attempt.handshake.as_str(),
    };
    let accepted = match attempt.accepted {
        Some(true) => "yes",
        Some(false) => "no",
        None => "-",
    };
    let said = attempt
        .http_status_line
        .as_deref()
        .or(attempt.postgres_reply.as_deref())
        .or(attempt.alert.as_deref())
        .or(attempt.error.as_deref())
        .unwrap_or("-");
    let cells = [
        handshake.to_string(),
        accepted.to_string(),
        attempt.decided_by.as_ref().map(|d| d.as_str().replace('_', " ")).unwrap_or_else(|| "-".into()),
        said.to_string(),
        attempt.elapsed_ms.map(|ms| format!("{ms} ms")).unwrap_or_else(|| "-".into()),
    ];
    cells.iter().map(|c| format!("<td>{}</td>", html(c))).collect()
}

fn connections(r: &CheckResult) -> String {
    let mut rows = format!("<tr><th scope=\"row\">without a certificate</th>{}</tr>", attempt_cells(&r.without_cert));
    if r.client_cert_subject.is_some() || r.with_cert.handshake != HandshakeState::Skipped {
        rows.push_str(&format!("<tr><th scope=\"row\">with our certificate</th>{}</tr>", attempt_cells(&r.with_cert)));
    }
    let table = format!(
        "<div class=\"scroll\"><table class=\"small\"><thead><tr><th>connection</th><th>handshake</th><th>accepted</th>\
         <th>decided by</th><th>server said</th><th>time</th></tr></thead><tbody>{rows}</tbody></table></div>"
    );
    section("connections", "Connections", &table)
}

fn expectations(r: &CheckResult) -> String {
    if r.expectations.is_empty() {
        return String::new();
    }
    let rows: String = r
        .expectations
        .iter()
        .map(|e| {
            let (class, word) = if e.ok { ("held", "held") } else { ("failed", "FAILED") };
            format!(
                "<tr class=\"{class}\"><td>{}</td><td><code>{}</code></td><td><code>{}</code></td><td>{word}{}</td></tr>",
                html(&match &e.identity {
                    Some(identity) => format!("{} ({identity})", e.field.as_str()),
                    None => e.field.as_str().to_string(),
                }),
                html(&e.expected.to_string()),
                html(&e.actual.to_string()),
                e.detail.as_deref().map(|d| format!(": {}", html(d))).unwrap_or_default()
            )
        })
        .collect();
    let table = format!(
        "<div class=\"scroll\"><table class=\"small\"><thead><tr><th>field</th><th>expected</th><th>seen</th>\
         <th>outcome</th></tr></thead><tbody>{rows}</tbody></table></div>"
    );
    section("expectations", "Expectations", &table)
}

fn addresses(r: &CheckResult) -> String {
    if r.addresses.is_empty() {
        return String::new();
    }
    let items = r.addresses.iter().map(|a| {
        let what = a.error.as_deref().map(|e| format!("error: {e}")).unwrap_or_else(|| {
            format!("{}, {} CA names, with our cert: {}", a.client_auth.as_str(), a.ca_names.len(), a.with_cert)
        });
        format!("{}: {what}", a.address.as_deref().unwrap_or("?"))
    });
    section("addresses", "Every address", &list(items))
}

fn notes(r: &CheckResult) -> String {
    let lines: Vec<String> = r.warnings.iter().map(|w| w.message.clone()).chain(r.notes.iter().cloned()).collect();
    if lines.is_empty() { String::new() } else { section("notes", "Warnings and notes", &list(lines)) }
}

fn s_client(r: &CheckResult) -> String {
    let lines = check_view(r);
    let note = if r.observation.is_none() {
        "<p class=\"hint\">The s_client lines are only in reports written by the run itself (not after merge); \
         the verdict is.</p>"
    } else {
        ""
    };
    section(
        "sclient",
        "What <code>openssl s_client</code> prints",
        &format!("{note}<pre>{}</pre>", html(&lines.join("\n"))),
    )
}

/// The detail of one check, inside its expandable row.
pub fn detail(r: &CheckResult) -> String {
    let problems = problems(r);
    let problems =
        if problems.is_empty() { String::new() } else { section("problems", "Why it did not pass", &list(problems)) };
    let parts = [
        problems,
        changes(r),
        verdict(r),
        ca_names(r),
        chain(r),
        expiry(r),
        connections(r),
        identities(r),
        impostor(r),
        stacks(r),
        expectations(r),
        addresses(r),
        notes(r),
        s_client(r),
    ];
    let parts: Vec<String> = parts.into_iter().filter(|p| !p.is_empty()).collect();
    format!("<div class=\"detail-body\">\n{}\n</div>", parts.join("\n"))
}
