//! `-o report.html`: one self-contained page for people who would rather look than read: a
//! summary, the checks as a sortable and filterable table whose rows expand to everything the
//! probe saw, drift since the baseline highlighted, and an SVG timeline of certificate expiry.
//! Styles and script are inline and pinned by hash in the page's Content-Security-Policy, so no
//! request leaves it. Everything that came from a server or a checks file is escaped
//! ([`escape`]); the script touches the DOM only through `textContent` and attributes.

mod detail;
mod escape;
mod markup;
mod our_side;
mod page;
mod timeline;

pub use page::HtmlExporter;
