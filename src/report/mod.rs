//! Report exporters: one module per format behind [`Exporter`], all rendering the same
//! [`Report`] built from the verdicts.

mod csv;
mod json;
mod junit;
mod markdown;
pub mod output;
pub mod read;
mod sclient;
mod summary;
mod table;

use serde::{Deserialize, Serialize};

use crate::baseline::BaselineSummary;
use crate::shard::Shard;
use crate::verdict::{CheckResult, Status};

pub use self::csv::CsvExporter;
pub use json::JsonExporter;
pub use junit::JunitExporter;
pub use markdown::MarkdownExporter;
pub use sclient::{SClientExporter, is_volatile_line, s_client_lines};
pub use table::TableExporter;

/// The whole report: the JSON document's top level. Read back by `--baseline` and `merge`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    pub mtlscheck_version: String,
    /// The OpenSSL mtlscheck is linked with; names are printed the way its s_client prints them.
    pub openssl_version: String,
    /// When the run started (RFC 3339, UTC); null in reports of older versions.
    #[serde(default)]
    pub started_at: Option<String>,
    /// `K/N` when this report is one shard of a run (`--shard`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<Shard>,
    /// The `--baseline` report this run was compared with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineSummary>,
    pub results: Vec<CheckResult>,
}

impl Report {
    pub fn new(results: Vec<CheckResult>) -> Self {
        Report {
            mtlscheck_version: env!("CARGO_PKG_VERSION").to_string(),
            openssl_version: openssl::version::version().to_string(),
            started_at: Some(now_rfc3339()),
            shard: None,
            baseline: None,
            results,
        }
    }

    /// True when every check ran and every expectation held.
    pub fn all_passed(&self) -> bool {
        self.results.iter().all(|r| r.status == Status::Pass)
    }
}

/// Renders a report in one format.
pub trait Exporter {
    fn render(&self, report: &Report) -> String;
}

/// The current time as RFC 3339 UTC, to the second.
pub fn now_rfc3339() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
}

/// The formats `--format` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table for people, followed by each server's CA names as s_client prints them.
    Table,
    /// One JSON document (the stable contract described in README.md).
    Json,
    /// JUnit XML: one testcase per check, for Jenkins and GitLab.
    Junit,
    /// One CSV row per check, for spreadsheets.
    Csv,
    /// A Markdown table and sections, for wikis and merge-request comments.
    Markdown,
    /// What `openssl s_client` prints for each endpoint, then mtlscheck's verdict.
    Sclient,
}

impl Format {
    /// The exporter for files and pipes: no colour, plain ASCII borders.
    pub fn exporter(self) -> Box<dyn Exporter> {
        match self {
            Format::Table => Box::new(TableExporter::default()),
            Format::Json => Box::new(JsonExporter),
            Format::Junit => Box::new(JunitExporter::default()),
            Format::Csv => Box::new(CsvExporter),
            Format::Markdown => Box::new(MarkdownExporter),
            Format::Sclient => Box::new(SClientExporter::default()),
        }
    }

    /// The name `--format` and `--output FORMAT:FILE` use.
    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Junit => "junit",
            Format::Csv => "csv",
            Format::Markdown => "markdown",
            Format::Sclient => "sclient",
        }
    }
}
