//! `--format csv`: one row per check for spreadsheets, with a header row. Lists (CA names,
//! problems, warnings, changes) are joined by line breaks inside their (quoted) cell.

use super::exporter::Exporter;
use super::summary::{client_auth_cell, our_ca_cell, problems, result_cell, verify_cell, with_cert_cell};
use crate::model::{CheckResult, Report};

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

fn row(r: &CheckResult) -> Vec<String> {
    let days = |d: Option<i64>| d.map(|d| d.to_string()).unwrap_or_default();
    let changes: Vec<&str> = r.changes.iter().flatten().map(|c| c.summary.as_str()).collect();
    vec![
        r.name.clone(),
        r.host.clone(),
        r.port.to_string(),
        r.address.clone().unwrap_or_default(),
        result_cell(r).to_string(),
        serde_json::to_value(r.status).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default(),
        r.client_auth.as_str().to_string(),
        client_auth_cell(r),
        r.protocol.clone().unwrap_or_default(),
        r.cipher.clone().unwrap_or_default(),
        verify_cell(r),
        r.cert_requested.to_string(),
        r.ca_names.len().to_string(),
        r.ca_names.join("\n"),
        our_ca_cell(r).to_string(),
        with_cert_cell(r),
        days(r.server_cert_days_left),
        days(r.client_cert_days_left),
        problems(r).join("\n"),
        r.warnings.iter().map(|w| w.message.as_str()).collect::<Vec<_>>().join("\n"),
        changes.join("\n"),
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

impl Exporter for CsvExporter {
    fn render(&self, report: &Report) -> String {
        let mut writer = csv::Writer::from_writer(Vec::new());
        // Writing records of strings into a Vec cannot fail.
        let _ = writer.write_record(HEADER);
        for r in &report.results {
            let _ = writer.write_record(row(r));
        }
        let bytes = writer.into_inner().unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    }
}
