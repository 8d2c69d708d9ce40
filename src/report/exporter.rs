//! The one interface every output format implements.

use crate::model::Report;

/// Renders a report in one format.
pub trait Exporter {
    fn render(&self, report: &Report) -> String;
}
