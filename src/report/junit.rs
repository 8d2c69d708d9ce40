//! `--format junit`: Ant-style JUnit XML, the dialect Jenkins' and GitLab's JUnit readers share
//! (validated against `tests/JUnit.xsd`). One `<testsuite>`, one `<testcase>` per check; a
//! failed check has a `<failure>` saying which expectations did not hold (or what changed, with
//! `--fail-on-change`), a check that could not be probed an `<error>`. The verdict of every
//! check is in the suite's `<system-out>` (Ant's schema allows no output per testcase; Jenkins
//! shows the suite's output for a testcase that has none).

use std::io::{self, Write};

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use super::exporter::Exporter;
use super::summary::{counts, not_run_reason, problems, verdict_line};
use crate::model::{CheckResult, NotRun, Report, Status};

pub struct JunitExporter {
    /// The suite's `hostname` attribute: the machine that ran the probes.
    pub hostname: String,
}

impl Default for JunitExporter {
    fn default() -> Self {
        JunitExporter { hostname: this_host() }
    }
}

fn this_host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|name| name.trim().to_string())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "localhost".into())
}

/// XML 1.0 cannot carry most control characters, even escaped; OpenSSL error text and names
/// from a hostile server could contain them. DEL, the C1 controls and the bidirectional
/// controls (which reorder a name on a Jenkins page) are replaced too.
fn xml_safe(text: &str) -> String {
    let unsafe_char = |c: char| {
        (c < ' ' && !matches!(c, '\t' | '\n' | '\r'))
            || ('\u{7f}'..='\u{9f}').contains(&c)
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    };
    text.chars().map(|c| if unsafe_char(c) { '\u{FFFD}' } else { c }).collect()
}

/// An attribute value on one line (parsers fold line breaks in attributes into spaces anyway).
fn one_line(text: &str) -> String {
    xml_safe(&text.replace('\n', "; "))
}

fn seconds(ms: u64) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

/// Ant's schema wants `YYYY-MM-DDTHH:MM:SS` without a zone; the report's times are UTC.
fn junit_timestamp(report: &Report) -> String {
    let started = report.started_at.clone().unwrap_or_else(crate::dates::now_rfc3339);
    started.trim_end_matches('Z').chars().take(19).collect()
}

/// Everything a person needs to see about a failed or broken check, for the element's body.
fn details(r: &CheckResult) -> String {
    let mut lines = vec![verdict_line(r)];
    lines.extend(problems(r));
    if let Some(changes) = r.changes.as_ref().filter(|c| !c.is_empty()) {
        lines.push("changed since baseline:".into());
        lines.extend(changes.iter().map(|c| format!("  {}", c.summary)));
    }
    if !r.ca_names.is_empty() {
        lines.push("Acceptable client certificate CA names:".into());
        lines.extend(r.ca_names.iter().map(|n| format!("  {n}")));
    }
    lines.extend(r.warnings.iter().map(|w| format!("warning: {}", w.message)));
    xml_safe(&lines.join("\n"))
}

fn write_testcase<W: Write>(w: &mut Writer<W>, r: &CheckResult) -> io::Result<()> {
    let time = seconds(r.elapsed_ms);
    let testcase = w.create_element("testcase").with_attributes([
        ("name", xml_safe(&r.name).as_str()),
        ("classname", "mtlscheck"),
        ("time", time.as_str()),
    ]);
    let (element, kind, message) = match r.status {
        Status::Pass => {
            testcase.write_empty()?;
            return Ok(());
        }
        Status::Fail => {
            let kind = if r.expectations.iter().any(|e| !e.ok) {
                "expectation"
            } else if r.comparison.as_ref().is_some_and(|c| !c.agree) {
                "transcript_difference"
            } else {
                "changed"
            };
            ("failure", kind, problems(r).join("; "))
        }
        Status::Error => ("error", "probe_error", r.error.clone().unwrap_or_else(|| "unknown error".into())),
    };
    let message = one_line(&message);
    testcase.write_inner_content(|w| {
        w.create_element(element)
            .with_attributes([("message", message.as_str()), ("type", kind)])
            .write_text_content(BytesText::new(&details(r)))?;
        Ok(())
    })?;
    Ok(())
}

/// A check without a result: an `<error type="not_run">` saying why.
fn write_not_run<W: Write>(w: &mut Writer<W>, check: &NotRun, stopped: Option<&str>) -> io::Result<()> {
    let reason = not_run_reason(&check.reason);
    let details = match stopped {
        Some(stopped) => format!("{reason} ({stopped})"),
        None => reason.clone(),
    };
    w.create_element("testcase")
        .with_attributes([("name", xml_safe(&check.name).as_str()), ("classname", "mtlscheck"), ("time", "0.000")])
        .write_inner_content(|w| {
            w.create_element("error")
                .with_attributes([("message", one_line(&reason).as_str()), ("type", "not_run")])
                .write_text_content(BytesText::new(&xml_safe(&details)))?;
            Ok(())
        })?;
    Ok(())
}

fn write_report<W: Write>(report: &Report, hostname: &str, out: W) -> io::Result<W> {
    let mut w = Writer::new_with_indent(out, b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let (_, failures, errors) = counts(&report.results);
    let total_ms: u64 = report.results.iter().map(|r| r.elapsed_ms).sum();
    // A check a stopped run did not probe is an error: nobody knows how its endpoint is.
    let (tests, errors) = (report.results.len() + report.not_run.len(), errors + report.not_run.len());
    let (tests, failures, errors) = (tests.to_string(), failures.to_string(), errors.to_string());
    let (timestamp, time, hostname) = (junit_timestamp(report), seconds(total_ms), one_line(hostname));
    let mut properties = vec![
        ("mtlscheck_version", report.mtlscheck_version.clone()),
        ("openssl_version", report.openssl_version.clone()),
    ];
    if let Some(shard) = report.shard {
        properties.push(("shard", shard.to_string()));
    }
    if let Some(baseline) = &report.baseline {
        properties.push(("baseline", baseline.file.clone()));
    }
    if let Some(stopped) = &report.stopped {
        properties.push(("stopped", stopped.clone()));
    }
    w.create_element("testsuite")
        .with_attributes([
            ("name", "mtlscheck"),
            ("timestamp", timestamp.as_str()),
            ("hostname", hostname.as_str()),
            ("tests", tests.as_str()),
            ("failures", failures.as_str()),
            ("errors", errors.as_str()),
            ("time", time.as_str()),
        ])
        .write_inner_content(|w| {
            w.create_element("properties").write_inner_content(|w| {
                for (name, value) in &properties {
                    w.create_element("property")
                        .with_attributes([("name", *name), ("value", one_line(value).as_str())])
                        .write_empty()?;
                }
                Ok(())
            })?;
            for r in &report.results {
                write_testcase(w, r)?;
            }
            for check in &report.not_run {
                write_not_run(w, check, report.stopped.as_deref())?;
            }
            let summary: Vec<String> = report.results.iter().map(verdict_line).collect();
            w.create_element("system-out").write_text_content(BytesText::new(&xml_safe(&summary.join("\n"))))?;
            w.create_element("system-err").write_empty()?;
            Ok(())
        })?;
    Ok(w.into_inner())
}

impl Exporter for JunitExporter {
    fn render(&self, report: &Report) -> String {
        // Writing into a Vec cannot fail.
        let bytes = write_report(report, &self.hostname, Vec::new()).unwrap_or_default();
        let mut text = String::from_utf8_lossy(&bytes).into_owned();
        text.push('\n');
        text
    }

    /// Streamed: a JUnit file of 20,000 checks is never held in memory.
    fn write_to(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        write_report(report, &self.hostname, &mut *out)?.write_all(b"\n")
    }
}
