//! The page: head (with the Content-Security-Policy that pins our own style and script), the
//! summary cards, the expiry timeline, and the table of checks with one expandable detail row
//! each. Rows carry their sort keys and filter values as `data-` attributes for the script.

use openssl::base64::encode_block;
use openssl::sha::sha256;

use super::detail::detail;
use super::escape::html;
use super::timeline::timeline;
use crate::model::{CheckResult, ClientAuth, Report};
use crate::report::exporter::Exporter;
use crate::report::summary::{ca_names_cell, client_auth_cell, counts, our_ca_cell, result_cell, with_cert_cell};

pub struct HtmlExporter;

const STYLE: &str = include_str!("report.css");
const SCRIPT: &str = include_str!("report.js");

/// The verdicts in the order the summary shows them, with the words people read.
const VERDICTS: [(ClientAuth, &str); 5] = [
    (ClientAuth::None, "1-way"),
    (ClientAuth::Optional, "2-way optional"),
    (ClientAuth::Required, "2-way required"),
    (ClientAuth::PostHandshake, "2-way after handshake"),
    (ClientAuth::Error, "error"),
];

/// The results in the order the summary shows them, with what each means.
const RESULTS: [(&str, &str); 4] = [
    ("OK", "probed, nothing expected"),
    ("PASS", "every expectation held"),
    ("FAIL", "an expectation failed"),
    ("ERROR", "could not be probed"),
];

/// The table's columns: header, sort type, and the label a narrow screen shows beside a value.
const COLUMNS: [(&str, &str); 10] = [
    ("check", "text"),
    ("target", "text"),
    ("TLS", "text"),
    ("client auth", "text"),
    ("CA names", "number"),
    ("our CA listed", "text"),
    ("with our cert", "text"),
    ("server cert days left", "number"),
    ("our cert days left", "number"),
    ("result", "text"),
];

/// `'sha256-…'` for a CSP source list.
fn csp_hash(text: &str) -> String {
    format!("'sha256-{}'", encode_block(&sha256(text.as_bytes())))
}

fn plural(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

fn changed(r: &CheckResult) -> bool {
    r.changes.as_ref().is_some_and(|c| !c.is_empty())
}

fn title(report: &Report) -> String {
    let (pass, fail, error) = counts(&report.results);
    let total = plural(report.results.len(), "check", "checks");
    match (fail, error) {
        (0, 0) => format!("mtlscheck report: {total}, all passed"),
        _ => format!("mtlscheck report: {fail} failed, {}, {pass} passed of {total}", plural(error, "error", "errors")),
    }
}

fn head(report: &Report) -> String {
    let policy = format!(
        "default-src 'none'; style-src {}; script-src {}; img-src data:; base-uri 'none'; form-action 'none'",
        csp_hash(STYLE),
        csp_hash(SCRIPT)
    );
    format!(
        "<head>\n<meta charset=\"utf-8\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"{policy}\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"mtlscheck {}\">\n<link rel=\"icon\" href=\"data:,\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n",
        html(&report.mtlscheck_version),
        html(&title(report))
    )
}

fn run_facts(report: &Report) -> String {
    let mut facts = vec![
        format!("started {}", html(report.started_at.as_deref().unwrap_or("at an unknown time"))),
        format!("mtlscheck {}", html(&report.mtlscheck_version)),
        html(&report.openssl_version),
    ];
    if let Some(shard) = report.shard {
        facts.push(format!("shard {shard}"));
    }
    if !report.not_run.is_empty() {
        // A stopped run: the checks it did not probe are named, not silently missing.
        let names: Vec<&str> = report.not_run.iter().map(|check| check.name.as_str()).collect();
        facts.push(html(&format!(
            "{} not run ({}): {}",
            plural(names.len(), "check", "checks"),
            report.stopped.as_deref().unwrap_or("the run stopped early"),
            names.join(", ")
        )));
    }
    format!("<p class=\"facts\">{}</p>\n", facts.join(" · "))
}

fn card(filter: &str, value: &str, count: usize, label: &str, hint: &str) -> String {
    format!(
        "<button type=\"button\" class=\"card {filter}-{value}\" data-filter=\"{filter}\" data-value=\"{value}\" \
         title=\"show only these\"><span class=\"count\">{count}</span><span class=\"label\">{}</span>\
         <span class=\"hint\">{}</span></button>",
        html(label),
        html(hint)
    )
}

fn summary(report: &Report) -> String {
    let mut out =
        String::from("<section id=\"summary\" aria-label=\"Summary\">\n<div class=\"cards\" id=\"by-result\">");
    for (result, hint) in RESULTS {
        let count = report.results.iter().filter(|r| result_cell(r) == result).count();
        out.push_str(&card("result", &result.to_ascii_lowercase(), count, result, hint));
    }
    out.push_str("</div>\n<div class=\"cards\" id=\"by-verdict\">");
    for (verdict, label) in VERDICTS {
        let count = report.results.iter().filter(|r| r.client_auth == verdict).count();
        out.push_str(&card("verdict", verdict.as_str(), count, label, "client auth"));
    }
    out.push_str("</div>\n");
    out.push_str(&baseline_summary(report));
    let warnings: usize = report.results.iter().map(|r| r.warnings.len()).sum();
    if warnings > 0 {
        out.push_str(&format!(
            "<p class=\"warnings\">{} within the warning window (see the timeline).</p>\n",
            plural(warnings, "certificate expires", "certificates expire")
        ));
    }
    out.push_str("</section>\n");
    out
}

fn baseline_summary(report: &Report) -> String {
    let Some(baseline) = &report.baseline else {
        return "<p class=\"drift none\">Not compared with a baseline report.</p>\n".into();
    };
    let changed_count = report.results.iter().filter(|r| changed(r)).count();
    let mut out = format!(
        "<div class=\"drift{}\" id=\"drift\"><p><strong>{}</strong> since the baseline <code>{}</code>.",
        if changed_count > 0 { " changed" } else { "" },
        plural(changed_count, "check changed", "checks changed"),
        html(&baseline.file)
    );
    if changed_count > 0 {
        out.push_str(" <button type=\"button\" class=\"link\" id=\"show-changed\">Show only those</button>");
    }
    out.push_str("</p>");
    for (title, names) in
        [("New since the baseline", &baseline.new_checks), ("Gone since the baseline", &baseline.missing_checks)]
    {
        if !names.is_empty() {
            let items: String = names.iter().map(|n| format!("<li>{}</li>", html(n))).collect();
            out.push_str(&format!("<p>{title}:</p><ul class=\"names\">{items}</ul>"));
        }
    }
    out.push_str("</div>\n");
    out
}

fn controls(report: &Report) -> String {
    let results: String = RESULTS
        .iter()
        .map(|(result, _)| format!("<option value=\"{}\">{result}</option>", result.to_ascii_lowercase()))
        .collect();
    let verdicts: String = VERDICTS
        .iter()
        .map(|(verdict, label)| format!("<option value=\"{}\">{label}</option>", verdict.as_str()))
        .collect();
    let changed_filter = if report.baseline.is_some() {
        "<label><input type=\"checkbox\" id=\"filter-changed\"> changed since the baseline</label>"
    } else {
        ""
    };
    format!(
        "<div class=\"controls\" id=\"controls\" hidden>\
         <label>Filter <input type=\"search\" id=\"filter-text\" placeholder=\"name, target, CA name…\"></label>\
         <label>Result <select id=\"filter-result\"><option value=\"\">any</option>{results}</select></label>\
         <label>Client auth <select id=\"filter-verdict\"><option value=\"\">any</option>{verdicts}</select></label>\
         {changed_filter}\
         <button type=\"button\" id=\"expand-all\">Expand all</button>\
         <button type=\"button\" id=\"collapse-all\">Collapse all</button>\
         <span id=\"shown-count\" role=\"status\"></span></div>\n"
    )
}

/// A table cell: its narrow-screen label, an optional sort key, escaped content.
fn cell(column: usize, sort: Option<String>, content: &str) -> String {
    let sort = sort.map(|key| format!(" data-sort=\"{}\"", html(&key))).unwrap_or_default();
    format!("<td data-label=\"{}\"{sort}>{content}</td>", COLUMNS[column].0)
}

fn days_cell(column: usize, days: Option<i64>, warned: bool) -> String {
    match days {
        Some(days) => {
            let class = if days < 0 {
                "expired"
            } else if warned {
                "soon"
            } else {
                "fine"
            };
            cell(column, Some(days.to_string()), &format!("<span class=\"days {class}\">{days}</span>"))
        }
        None => cell(column, Some(String::new()), "-"),
    }
}

/// Lower-case text the filter box searches: name, target, verdict, CA names, error.
fn search_text(r: &CheckResult) -> String {
    let mut parts = vec![r.name.clone(), r.target(), client_auth_cell(r)];
    parts.extend(r.ca_names.iter().cloned());
    parts.extend(r.error.iter().cloned());
    parts.join("\n").to_lowercase()
}

fn check_body(index: usize, r: &CheckResult) -> String {
    let result = result_cell(r);
    let is_changed = changed(r);
    let detail_id = format!("detail-{index}");
    let warned = |kind| r.warnings.iter().any(|w| w.kind == kind);
    let ca_count = if r.cert_requested { Some(r.ca_names.len().to_string()) } else { Some("-1".into()) };
    let changed_badge = if is_changed { " <span class=\"badge changed\">changed</span>" } else { "" };
    let cells = [
        cell(
            0,
            Some(r.name.clone()),
            &format!(
                "<button type=\"button\" class=\"toggle\" aria-expanded=\"false\" aria-controls=\"{detail_id}\" \
                 title=\"details\"><span class=\"name\">{}</span></button>",
                html(&r.name)
            ),
        ),
        cell(1, None, &html(&r.target())),
        cell(2, None, &html(r.protocol.as_deref().unwrap_or("-"))),
        cell(
            3,
            None,
            &format!("<span class=\"verdict v-{}\">{}</span>", r.client_auth.as_str(), html(&verdict_cell(r))),
        ),
        cell(4, ca_count, &html(&ca_names_cell(r))),
        cell(5, None, our_ca_cell(r)),
        cell(6, None, &html(&with_cert_cell(r))),
        days_cell(7, r.server_cert_days_left, warned(crate::model::WarningKind::ServerCertExpiry)),
        days_cell(8, r.client_cert_days_left, warned(crate::model::WarningKind::ClientCertExpiry)),
        cell(
            9,
            Some(result.to_string()),
            &format!("<span class=\"badge result-{}\">{result}</span>{changed_badge}", result.to_ascii_lowercase()),
        ),
    ];
    format!(
        "<tbody class=\"check{}\" data-name=\"{}\" data-result=\"{}\" data-verdict=\"{}\" data-changed=\"{is_changed}\" \
         data-search=\"{}\">\n<tr class=\"row\">{}</tr>\n<tr class=\"detail\" id=\"{detail_id}\"><td colspan=\"{}\">{}</td></tr>\n</tbody>\n",
        if is_changed { " changed" } else { "" },
        html(&r.name),
        result.to_ascii_lowercase(),
        r.client_auth.as_str(),
        html(&search_text(r)),
        cells.concat(),
        COLUMNS.len(),
        detail(r)
    )
}

/// The verdict without the error text (errors are in the detail, not squeezed into a cell).
fn verdict_cell(r: &CheckResult) -> String {
    match r.client_auth {
        ClientAuth::Error => "error".into(),
        _ => client_auth_cell(r),
    }
}

fn table(report: &Report) -> String {
    let headers: String = COLUMNS
        .iter()
        .map(|(label, kind)| {
            format!(
                "<th scope=\"col\" data-type=\"{kind}\" aria-sort=\"none\"><button type=\"button\" class=\"sort\">{label}</button></th>"
            )
        })
        .collect();
    let bodies: String = report.results.iter().enumerate().map(|(index, r)| check_body(index, r)).collect();
    format!(
        "<section id=\"checks-section\" aria-label=\"Checks\">\n<h2>Checks</h2>\n{}<table id=\"checks\">\n\
         <thead><tr>{headers}</tr></thead>\n{bodies}</table>\n</section>\n",
        controls(report)
    )
}

impl Exporter for HtmlExporter {
    fn render(&self, report: &Report) -> String {
        let mut out = String::from("<!DOCTYPE html>\n<html lang=\"en\">\n");
        out.push_str(&head(report));
        out.push_str("<body>\n<header>\n<h1>mtlscheck report</h1>\n");
        out.push_str(&run_facts(report));
        out.push_str("</header>\n<main>\n");
        out.push_str(&summary(report));
        out.push_str(&timeline(report));
        out.push_str(&table(report));
        out.push_str("</main>\n");
        out.push_str(&format!("<script>{SCRIPT}</script>\n</body>\n</html>\n"));
        out
    }
}
