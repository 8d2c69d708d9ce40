//! Report exporters: one module per format behind [`Exporter`], all rendering the same
//! [`Report`] built from the verdicts.

mod json;
mod sclient;
mod table;

use serde::Serialize;

use crate::verdict::{CheckResult, Status};

pub use json::JsonExporter;
pub use sclient::{SClientExporter, is_volatile_line, s_client_lines};
pub use table::TableExporter;

/// The whole report: the JSON document's top level.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub mtlscheck_version: &'static str,
    /// The OpenSSL mtlscheck is linked with; names are printed the way its s_client prints them.
    pub openssl_version: &'static str,
    pub results: Vec<CheckResult>,
}

impl Report {
    pub fn new(results: Vec<CheckResult>) -> Self {
        Report { mtlscheck_version: env!("CARGO_PKG_VERSION"), openssl_version: openssl::version::version(), results }
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

/// The formats `--format` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table for people, followed by each server's CA names as s_client prints them.
    Table,
    /// One JSON document (the stable contract described in README.md).
    Json,
    /// What `openssl s_client` prints for each endpoint, then mtlscheck's verdict.
    Sclient,
}

impl Format {
    pub fn exporter(self) -> Box<dyn Exporter> {
        match self {
            Format::Table => Box::new(TableExporter::default()),
            Format::Json => Box::new(JsonExporter),
            Format::Sclient => Box::new(SClientExporter::default()),
        }
    }
}
