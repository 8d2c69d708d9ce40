//! `--format table`: one row per check, then the details a person needs to act: each server's
//! CA names as s_client prints them, failed expectations and errors.

use comfy_table::{ContentArrangement, Table, presets};

use super::{Exporter, Report};
use crate::verdict::{CheckResult, ClientAuth, Status};

#[derive(Default)]
pub struct TableExporter {
    /// Box-drawing characters (for a terminal) instead of plain ASCII (for logs and files).
    pub unicode: bool,
}

const HEADER: [&str; 9] =
    ["check", "target", "TLS", "server verify", "client auth", "CA names", "our CA listed", "with cert", "result"];

/// Said when a server asks for a certificate without naming CAs.
pub const NONE_SENT: &str = "none sent: clients may offer any certificate";

fn client_auth_cell(r: &CheckResult) -> String {
    match r.client_auth {
        ClientAuth::None => "1-way".into(),
        ClientAuth::Optional => "2-way optional".into(),
        ClientAuth::Required if r.enforced_at == Some("http") => {
            format!("2-way required (enforced at HTTP: {})", http_status(r))
        }
        ClientAuth::Required if r.rejection_stage == Some("after_handshake") => {
            "2-way required (refused after handshake)".into()
        }
        ClientAuth::Required => "2-way required".into(),
        ClientAuth::PostHandshake => match r.enforced_at {
            Some("http") => format!("2-way after handshake (HTTP {})", http_status(r)),
            Some(_) => "2-way after handshake (refused)".into(),
            None => "2-way after handshake (not enforced)".into(),
        },
        ClientAuth::Error => format!("error: {}", r.error.as_deref().unwrap_or("unknown")),
    }
}

fn http_status(r: &CheckResult) -> String {
    r.without_cert.http_status.map(|s| s.to_string()).unwrap_or_else(|| "-".into())
}

fn ca_names_cell(r: &CheckResult) -> String {
    match (r.cert_requested, r.ca_names.len()) {
        (false, _) => "-".into(),
        (true, 0) => NONE_SENT.into(),
        (true, n) => n.to_string(),
    }
}

fn our_ca_cell(r: &CheckResult) -> &'static str {
    match r.ca_name_match {
        Some(true) => "yes",
        Some(false) => "NO",
        None => "n/a",
    }
}

fn verify_cell(r: &CheckResult) -> String {
    match (&r.verify_code, &r.verify_error) {
        (Some(0), _) => "ok".into(),
        (Some(code), Some(text)) => format!("{text} ({code})"),
        _ => "-".into(),
    }
}

fn result_cell(r: &CheckResult) -> &'static str {
    match r.status {
        Status::Pass if r.expectations.is_empty() => "OK",
        Status::Pass => "PASS",
        Status::Fail => "FAIL",
        Status::Error => "ERROR",
    }
}

fn with_cert_cell(r: &CheckResult) -> String {
    // A check whose credentials could not be loaded has no subject either, but it has a reason.
    if r.client_cert_subject.is_none() && r.with_cert.error.is_none() {
        return "no cert configured".into();
    }
    r.with_cert.summary()
}

impl Exporter for TableExporter {
    fn render(&self, report: &Report) -> String {
        let mut table = Table::new();
        table.load_style(if self.unicode { presets::UTF8_FULL_CONDENSED } else { presets::ASCII_FULL_CONDENSED });
        table.set_content_arrangement(ContentArrangement::Dynamic);
        table.set_header(HEADER);
        for r in &report.results {
            table.add_row(vec![
                r.name.clone(),
                r.target(),
                r.protocol.clone().unwrap_or_else(|| "-".into()),
                verify_cell(r),
                client_auth_cell(r),
                ca_names_cell(r),
                our_ca_cell(r).to_string(),
                with_cert_cell(r),
                result_cell(r).to_string(),
            ]);
        }
        let mut out = table.to_string();
        out.push('\n');
        out.push_str(&details(report));
        out
    }
}

/// The lines under the table.
fn details(report: &Report) -> String {
    let mut out = String::new();
    for r in &report.results {
        if !r.ca_names.is_empty() {
            out.push_str(&format!("\n{} ({}): Acceptable client certificate CA names\n", r.name, r.target()));
            for name in &r.ca_names {
                out.push_str(name);
                out.push('\n');
            }
            if let Some(matched) = &r.matched_ca_name {
                out.push_str(&format!("  our CA is listed as: {matched}\n"));
            } else if r.ca_name_match == Some(false) {
                out.push_str(&format!(
                    "  our CA ({}) is NOT listed: browsers, curl/NSS and Java will not offer our certificate\n",
                    r.client_cert_issuer.as_deref().unwrap_or("?")
                ));
            }
        }
    }
    for r in &report.results {
        if let Some(comparison) = &r.comparison {
            out.push_str(&format!("\n{} ({}): compared with {}\n", r.name, r.target(), comparison.transcript_file));
            out.push_str(&comparison_table(comparison));
            out.push('\n');
        }
    }
    let problems: Vec<String> = report
        .results
        .iter()
        .flat_map(|r| {
            let mut lines: Vec<String> = r
                .expectations
                .iter()
                .filter(|e| !e.ok)
                .map(|e| format!("{}: expected {} = {}, got {}", r.name, e.field, e.expected, e.actual))
                .collect();
            if let Some(comparison) = r.comparison.as_ref().filter(|c| !c.agree) {
                let differing: Vec<&str> = comparison.fields.iter().filter(|f| !f.agree).map(|f| f.field).collect();
                lines.push(format!(
                    "{}: differs from {}: {}",
                    r.name,
                    comparison.transcript_file,
                    differing.join(", ")
                ));
            }
            if let Some(error) = &r.error {
                lines.push(format!("{}: error: {error}", r.name));
            }
            lines
        })
        .collect();
    let notes: Vec<String> =
        report.results.iter().flat_map(|r| r.notes.iter().map(move |n| format!("{}: {n}", r.name))).collect();
    if !notes.is_empty() {
        out.push_str("\nNotes:\n");
        for line in notes {
            out.push_str(&format!("  {line}\n"));
        }
    }
    if !problems.is_empty() {
        out.push_str("\nProblems:\n");
        for line in problems {
            out.push_str(&format!("  {line}\n"));
        }
    }
    let (pass, fail, error) = report.results.iter().fold((0, 0, 0), |(p, f, e), r| match r.status {
        Status::Pass => (p + 1, f, e),
        Status::Fail => (p, f + 1, e),
        Status::Error => (p, f, e + 1),
    });
    out.push_str(&format!(
        "\n{} checks: {pass} ok, {fail} failed, {error} errors (OpenSSL: {})\n",
        report.results.len(),
        report.openssl_version
    ));
    out
}

fn comparison_table(comparison: &crate::compare::Comparison) -> String {
    let mut table = Table::new();
    table.load_style(presets::ASCII_FULL_CONDENSED);
    table.set_content_arrangement(ContentArrangement::Dynamic);
    table.set_header(["field", "transcript", "live", "agree", "note"]);
    for f in &comparison.fields {
        table.add_row(vec![
            f.field.to_string(),
            f.transcript.clone(),
            f.live.clone(),
            if f.agree { "yes".into() } else { "NO".into() },
            f.note.clone().unwrap_or_default(),
        ]);
    }
    table.to_string()
}
