//! Small pieces of markup the detail sections share: `list` and `facts` escape the values
//! given; `section` wraps markup already built.

use super::escape::html;

/// `<section class=…><h3>title</h3>body</section>`; title and body are markup.
pub fn section(class: &str, title: &str, body: &str) -> String {
    format!("<section class=\"{class}\"><h3>{title}</h3>{body}</section>")
}

/// A `<ul>` of escaped items.
pub fn list(items: impl IntoIterator<Item = String>) -> String {
    let items: String = items.into_iter().map(|item| format!("<li>{}</li>", html(&item))).collect();
    format!("<ul>{items}</ul>")
}

/// A definition list of label / value pairs; values are escaped here.
pub fn facts(pairs: &[(&str, String)]) -> String {
    let rows: String = pairs.iter().map(|(label, value)| format!("<dt>{label}</dt><dd>{}</dd>", html(value))).collect();
    format!("<dl>{rows}</dl>")
}

/// The value, or `-` when there is none.
pub fn or_dash(value: Option<&str>) -> String {
    value.unwrap_or("-").to_string()
}

/// ` (N days left)` or ` (expired N days ago)`, or nothing when not known.
pub fn days(days: Option<i64>) -> String {
    match days {
        Some(d) if d < 0 => format!(" (expired {} days ago)", -d),
        Some(d) => format!(" ({d} days left)"),
        None => String::new(),
    }
}
