//! Report exporters: one module per format behind [`Exporter`], all rendering the same
//! [`crate::model::Report`] built by the verdicts, plus where reports are written
//! ([`output`]). Nothing here decides anything about an endpoint.

mod csv;
mod exporter;
mod format;
mod html;
mod json;
mod junit;
mod markdown;
mod metrics;
pub mod output;
mod sclient;
mod sclient_view;
mod summary;
mod table;
mod trace;

pub use self::csv::CsvExporter;
pub use exporter::Exporter;
pub use format::Format;
pub use html::HtmlExporter;
pub use json::JsonExporter;
pub use junit::JunitExporter;
pub use markdown::MarkdownExporter;
pub use metrics::MetricsExporter;
pub use sclient::{SClientExporter, check_view};
pub use sclient_view::{View, is_volatile_line, s_client_lines};
pub use table::TableExporter;
