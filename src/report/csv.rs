//! `--format csv`: one row per check for spreadsheets, with a header row. Lists (CA names,
//! problems, warnings, changes) are joined by line breaks inside their (quoted) cell. Checks
//! a stopped run did not probe come last, with the result `NOT RUN`.

use super::exporter::Exporter;
use super::summary::{
    client_auth_cell, not_run_reason, our_ca_cell, printable, problems, result_cell, verify_cell, with_cert_cell,
};
use crate::model::{CheckResult, NotRun, Report};

pub struct CsvExporter;

pub const HEADER: [&str; 25] = [
    "name",
    "host",
    "port",
    "address",
    "result",
    "status",
    "client_auth",
    "client_auth_detail",
    "protocol",
    "cipher",
    "server_verify",
    "cert_requested",
    "ca_names_count",
    "ca_names",
    "our_ca_listed",
    "with_cert",
    "server_cert_days_left",
    "client_cert_days_left",
    "problems",
    "warnings",
    "changes",
    "elapsed_ms",
    "client_cert_verification",
    "client",
    "our_client_sends",
];

/// A cell: its control characters made visible.
fn text(value: &str) -> String {
    printable(value).into_owned()
}

/// A cell holding a list: one item per line, each item's own control characters made visible.
fn lines<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    items.into_iter().map(text).collect::<Vec<_>>().join("\n")
}

fn row(r: &CheckResult) -> Vec<String> {
    let days = |d: Option<i64>| d.map(|d| d.to_string()).unwrap_or_default();
    let problems = problems(r);
    vec![
        text(&r.name),
        text(&r.host),
        r.port.to_string(),
        text(r.address.as_deref().unwrap_or_default()),
        result_cell(r).to_string(),
        serde_json::to_value(r.status).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default(),
        r.client_auth.as_str().to_string(),
        text(&client_auth_cell(r)),
        text(r.protocol.as_deref().unwrap_or_default()),
        text(r.cipher.as_deref().unwrap_or_default()),
        text(&verify_cell(r)),
        r.cert_requested.to_string(),
        r.ca_names.len().to_string(),
        lines(r.ca_names.iter().map(String::as_str)),
        our_ca_cell(r).to_string(),
        text(&with_cert_cell(r)),
        days(r.server_cert_days_left),
        days(r.client_cert_days_left),
        lines(problems.iter().map(String::as_str)),
        lines(r.warnings.iter().map(|w| w.message.as_str())),
        lines(r.changes.iter().flatten().map(|c| c.summary.as_str())),
        r.elapsed_ms.to_string(),
        r.client_cert_verification.to_string(),
        r.client.clone(),
        r.client_stacks
            .as_ref()
            .and_then(|stacks| stacks.get(&r.client))
            .map(|p| p.outcome.as_str().to_string())
            .unwrap_or_default(),
    ]
}

/// A row for a check that has no result: its name and target, `NOT RUN`, and why.
fn not_run_row(check: &NotRun) -> Vec<String> {
    let mut row = vec![String::new(); HEADER.len()];
    row[0] = text(&check.name);
    row[1] = text(&check.host);
    row[2] = check.port.to_string();
    row[4] = "NOT RUN".into();
    row[5] = "not_run".into();
    row[18] = not_run_reason(&check.reason);
    row
}

impl Exporter for CsvExporter {
    fn render(&self, report: &Report) -> String {
        let mut writer = csv::Writer::from_writer(Vec::new());
        // Writing records of strings into a Vec cannot fail.
        let _ = writer.write_record(HEADER);
        for r in &report.results {
            let _ = writer.write_record(row(r));
        }
        for check in &report.not_run {
            let _ = writer.write_record(not_run_row(check));
        }
        let bytes = writer.into_inner().unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    }
}
