//! The table's columns and which of them fit: short cells only (a word or two each), the
//! longer texts go under the table. At 80 columns the table has the check, its target, TLS,
//! client auth, the CA-name count, what happened to our certificate and the result; wider
//! terminals add whether our CA is listed, whether our client stack sends our certificate and
//! the server's verification.

use unicode_width::UnicodeWidthStr;

use crate::model::{CheckResult, ClientAuth, ExpectationField, HandshakeState, IdentityResult};
use crate::report::summary::{our_ca_cell, our_client_cell, printable, result_cell};

pub(super) struct Column {
    pub header: &'static str,
    cell: fn(&CheckResult) -> String,
    /// Columns without a rank are always shown; the others are added, lowest rank first,
    /// while the table still fits.
    rank: Option<u8>,
}

/// Every column, in the order they are shown.
const COLUMNS: [Column; 10] = [
    Column { header: "check", cell: |r| printable(&r.name).into_owned(), rank: None },
    Column { header: "target", cell: |r| printable(&r.target()).into_owned(), rank: None },
    Column { header: "TLS", cell: tls_cell, rank: None },
    Column { header: "client auth", cell: client_auth_word, rank: None },
    Column { header: "CA names", cell: ca_count_cell, rank: None },
    Column { header: "our CA listed", cell: |r| our_ca_cell(r).into(), rank: Some(1) },
    Column { header: "our client sends", cell: our_client_cell, rank: Some(2) },
    Column { header: "our cert", cell: our_cert_cell, rank: None },
    Column { header: "server verify", cell: verify_word, rank: Some(3) },
    Column { header: "result", cell: |r| result_cell(r).into(), rank: None },
];

const CHECK: usize = 0;
const TARGET: usize = 1;

/// The columns chosen for one report, with the width of each one's content.
pub(super) struct Layout {
    shown: Vec<usize>,
    /// The target is printed under the check's name, in the first column.
    target_under_name: bool,
    /// Content widths (without padding) of the shown columns.
    pub widths: Vec<usize>,
    /// The first column is narrower than some names: they are broken after a `-`, `.`, `_`,
    /// `/` or space where one falls in the line.
    narrowed: bool,
}

/// `| a | b |`: one border per column and one more, a space each side of every cell.
fn table_width(widths: &[usize]) -> usize {
    widths.iter().map(|w| w + 3).sum::<usize>() + 1
}

impl Layout {
    /// The most detailed table that fits in `limit` columns (every column when `None`).
    pub fn choose(results: &[CheckResult], limit: Option<usize>) -> Layout {
        let mut content = [0usize; COLUMNS.len()];
        let mut name_and_target = "check".width();
        for (index, column) in COLUMNS.iter().enumerate() {
            content[index] = column.header.width();
        }
        for r in results {
            for (index, column) in COLUMNS.iter().enumerate() {
                content[index] = content[index].max((column.cell)(r).width());
            }
        }
        name_and_target = name_and_target.max(content[CHECK]).max(content[TARGET]);
        let fits = |shown: &[usize], merged: bool| {
            let widths = Self::widths_of(shown, merged, &content, name_and_target);
            limit.is_none_or(|limit| table_width(&widths) <= limit)
        };
        let mut shown: Vec<usize> = (0..COLUMNS.len()).filter(|&i| COLUMNS[i].rank.is_none()).collect();
        let target_under_name = !fits(&shown, false);
        let mut extras: Vec<usize> = (0..COLUMNS.len()).filter(|&i| COLUMNS[i].rank.is_some()).collect();
        extras.sort_by_key(|&i| COLUMNS[i].rank);
        for extra in extras {
            let mut wider = shown.clone();
            wider.push(extra);
            wider.sort_unstable();
            if fits(&wider, target_under_name) {
                shown = wider;
            }
        }
        if target_under_name {
            shown.retain(|&i| i != TARGET);
        }
        let mut widths = Self::widths_of(&shown, target_under_name, &content, name_and_target);
        // Still too wide (long check names): the first column takes what is left.
        let mut narrowed = false;
        if let Some(limit) = limit
            && table_width(&widths) > limit
        {
            let others = table_width(&widths[1..]);
            widths[0] = limit.saturating_sub(others + 3).max(8);
            narrowed = true;
        }
        Layout { shown, target_under_name, widths, narrowed }
    }

    fn widths_of(shown: &[usize], merged: bool, content: &[usize], name_and_target: usize) -> Vec<usize> {
        shown
            .iter()
            .filter(|&&i| !(merged && i == TARGET))
            .map(|&i| if merged && i == CHECK { name_and_target } else { content[i] })
            .collect()
    }

    pub fn headers(&self) -> Vec<&'static str> {
        self.shown.iter().map(|&i| COLUMNS[i].header).collect()
    }

    /// The cells of one row; the last is the result.
    pub fn cells(&self, r: &CheckResult) -> Vec<String> {
        self.shown
            .iter()
            .map(|&i| match i {
                CHECK if self.target_under_name => {
                    format!("{}\n{}", self.first(&printable(&r.name)), self.first(&printable(&r.target())))
                }
                CHECK => self.first(&printable(&r.name)),
                i => (COLUMNS[i].cell)(r),
            })
            .collect()
    }

    /// A name for the first column, broken where a narrowed column needs it.
    fn first(&self, text: &str) -> String {
        if self.narrowed { break_name(text, self.widths[0]) } else { text.to_string() }
    }
}

/// `text` in lines at most `width` columns wide, broken after a `-`, `.`, `_`, `/` or space
/// (the last one that fits), or anywhere when a piece has none.
fn break_name(text: &str, width: usize) -> String {
    let width = width.max(1);
    let mut lines: Vec<String> = Vec::new();
    let mut rest = text;
    while rest.width() > width {
        let mut fits = 0; // bytes of `rest` that fit in the line
        let mut used = 0;
        let mut last_break = None;
        for (at, c) in rest.char_indices() {
            used += c.to_string().width();
            if used > width {
                break;
            }
            fits = at + c.len_utf8();
            if matches!(c, '-' | '.' | '_' | '/' | ' ') {
                last_break = Some(fits);
            }
        }
        let cut = last_break.unwrap_or(fits.max(rest.chars().next().map_or(1, char::len_utf8)));
        lines.push(rest[..cut].trim_end().to_string());
        rest = &rest[cut..];
    }
    lines.push(rest.to_string());
    lines.join("\n")
}

/// `1.3` for TLSv1.3: the header says TLS.
fn tls_cell(r: &CheckResult) -> String {
    match r.protocol.as_deref() {
        Some(protocol) => printable(protocol.strip_prefix("TLSv").unwrap_or(protocol)).into_owned(),
        None => "-".into(),
    }
}

/// The verdict in two words; where it was enforced goes under the table.
pub(super) fn client_auth_word(r: &CheckResult) -> String {
    match r.client_auth {
        ClientAuth::None => "1-way",
        ClientAuth::Optional => "2-way optional",
        ClientAuth::Required => "2-way required",
        ClientAuth::PostHandshake => "2-way post-handshake",
        ClientAuth::Error => "error",
    }
    .into()
}

/// How many CA names the server sent: `-` when it asked for no certificate.
fn ca_count_cell(r: &CheckResult) -> String {
    match (r.cert_requested, r.ca_names.len()) {
        (false, _) => "-".into(),
        (true, 0) => "none".into(),
        (true, n) => n.to_string(),
    }
}

/// What the partner did with our certificate, in a word: `ok`, `REFUSED`, `not sent` (our
/// credentials are unusable), `no cert`, `-` (not tried); one mark per identity.
pub(super) fn our_cert_cell(r: &CheckResult) -> String {
    if !r.identities.is_empty() {
        return r.identities.iter().map(identity_mark).collect::<Vec<_>>().join(" ");
    }
    if r.expectations.iter().any(|e| e.field == ExpectationField::Credentials && !e.ok) {
        return "not sent".into();
    }
    if r.client_cert_subject.is_none() && r.with_cert.error.is_none() {
        return "no cert".into();
    }
    match (&r.with_cert.handshake, r.with_cert.accepted) {
        (HandshakeState::Skipped, _) => "-".into(),
        (_, Some(true)) => "ok".into(),
        (_, Some(false)) => "REFUSED".into(),
        (_, None) => "error".into(),
    }
}

/// `current ✔`, `next ✘`, `old ?` (no answer), `spare ✘` (unusable credentials).
fn identity_mark(identity: &IdentityResult) -> String {
    let mark = match (&identity.problem, identity.with_cert.accepted) {
        (None, Some(true)) => "✔",
        (None, None) => "?",
        _ => "✘",
    };
    format!("{} {mark}", printable(&identity.name))
}

/// `ok`, `FAILED (20)`, or `-` when there was no handshake; the reason goes under the table.
fn verify_word(r: &CheckResult) -> String {
    match r.verify_code {
        Some(0) => "ok".into(),
        Some(code) => format!("FAILED ({code})"),
        None => "-".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::break_name;

    #[test]
    fn names_break_after_separators_and_only_where_needed() {
        assert_eq!(break_name("partner-a", 20), "partner-a");
        assert_eq!(
            break_name("settlement-gateway-of-a-partner-with-a-long-name", 22),
            "settlement-gateway-of-\na-partner-with-a-long-\nname"
        );
        assert_eq!(break_name("api.partner.example.com:443", 16), "api.partner.\nexample.com:443");
        assert_eq!(break_name("abcdefghij", 4), "abcd\nefgh\nij");
    }
}
