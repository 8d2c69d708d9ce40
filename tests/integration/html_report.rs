//! `-o report.html` in a real browser: Debian's headless Chromium, in a network namespace with
//! no network, loads the report from disk. The DOM after the page's script ran is checked
//! (summary counts, rows, hostile names shown as text and never run, expanding, drift, sorting,
//! filtering, the SVG timeline), no request leaves the page, no script error or CSP violation
//! is logged, nothing overflows a phone's width, and screenshots at 1280 and 390 px are kept
//! under target/tmp/html-report/.

use std::path::PathBuf;

use serde_json::{Value, json};

use crate::support::chromium::Chromium;
use crate::support::runs::json_file;
use crate::support::varied_run::{HOSTILE_CHECK, VariedRun};

/// Where the screenshots are kept (CARGO_TARGET_TMPDIR is target/tmp).
fn artifacts() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("html-report");
    std::fs::create_dir_all(&dir).expect("artifact folder");
    dir
}

/// Width of a PNG from its IHDR chunk.
fn png_width(png: &[u8]) -> u32 {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    u32::from_be_bytes(png[16..20].try_into().expect("IHDR width"))
}

/// The names of the rows not filtered out, in table order.
const VISIBLE: &str = "[...document.querySelectorAll('tbody.check')].filter(b => !b.hidden).map(b => b.dataset.name)";

fn strings(value: &Value) -> Vec<String> {
    value.as_array().expect("a list").iter().map(|v| v.as_str().expect("a string").to_string()).collect()
}

/// JavaScript for the row of check `name` (found by data attribute, so any name works).
fn row(name: &str) -> String {
    format!("[...document.querySelectorAll('tbody.check')].find(b => b.dataset.name === {})", json!(name))
}

fn click(browser: &mut Chromium, selector_js: &str) {
    browser.eval(&format!("({selector_js}).click()"));
}

fn set_filter(browser: &mut Chromium, id: &str, value: &str, event: &str) {
    browser.eval(&format!(
        "(() => {{ const e = document.getElementById('{id}'); e.value = {}; e.dispatchEvent(new Event('{event}')); }})()",
        json!(value)
    ));
}

#[test]
fn html_report_renders_sorts_filters_and_expands_in_headless_chromium_without_network() {
    let run = VariedRun::start();
    run.run(&["report.html", "report.json"]);
    let file = run.pki.path("report.html");
    let text = std::fs::read_to_string(&file).expect("report.html");
    let report = json_file(&run.pki.path("report.json"));
    let names: Vec<String> = strings(&json!(
        report["results"].as_array().expect("results").iter().map(|r| r["name"].clone()).collect::<Vec<_>>()
    ));

    // Self-contained: nothing to fetch, hostile text only escaped.
    let urls: Vec<&str> =
        text.match_indices("://").map(|(at, _)| &text[at.saturating_sub(4)..(at + 30).min(text.len())]).collect();
    assert!(
        urls.iter().all(|u| u.starts_with("http://www.w3.org/2000/svg")),
        "the page names something outside itself: {urls:?}"
    );
    for raw in ["<script>window", "<img", "<b id=injected"] {
        assert!(!text.contains(raw), "{raw} was not escaped");
    }

    let url = format!("file://{}", file.display());
    let mut browser = Chromium::launch();
    browser.open(&url, 1280, 900);

    // The page's own script ran (controls shown, details folded) and nothing hostile did.
    assert_eq!(browser.eval("document.getElementById('controls').hidden"), json!(false));
    assert_eq!(browser.eval("[...document.querySelectorAll('tr.detail')].every(r => r.hidden)"), json!(true));
    assert_eq!(browser.eval("typeof window.pwned"), json!("undefined"));
    assert_eq!(browser.eval("document.scripts.length"), json!(1));
    assert_eq!(browser.eval("document.images.length + (document.getElementById('injected') ? 1 : 0)"), json!(0));
    let links = browser.eval("[...document.querySelectorAll('[src], [href]')].map(e => e.outerHTML)");
    assert_eq!(links, json!(["<link rel=\"icon\" href=\"data:,\">"]), "the only link is the empty favicon");

    // One row per check, in the report's order, names shown as text.
    assert_eq!(strings(&browser.eval(VISIBLE)), names);
    assert!(names.iter().any(|n| n == HOSTILE_CHECK));
    assert_eq!(
        browser.eval(&format!("{}.querySelector('button.toggle').textContent", row(HOSTILE_CHECK))),
        json!(HOSTILE_CHECK)
    );
    assert!(browser.eval("document.title").as_str().is_some_and(|t| t.contains("1 failed, 1 error")));

    // The summary counts what the JSON report says.
    let count = |browser: &mut Chromium, card: &str| {
        browser.eval(&format!("document.querySelector('.card.{card} .count').textContent"))
    };
    let by_status =
        |status: &str| report["results"].as_array().expect("results").iter().filter(|r| r["status"] == status).count();
    assert_eq!(count(&mut browser, "result-fail"), json!(by_status("fail").to_string()));
    assert_eq!(count(&mut browser, "result-error"), json!("1"));
    assert_eq!(count(&mut browser, "verdict-required"), json!("2"), "the hostile server and tonight's drifting one");
    assert_eq!(count(&mut browser, "verdict-error"), json!("1"));

    // Drift since the baseline: highlighted row, summary, and what changed in its detail.
    assert_eq!(
        strings(&browser.eval("[...document.querySelectorAll('tbody.check.changed')].map(b => b.dataset.name)")),
        ["drifting"]
    );
    let drift = browser.eval("document.getElementById('drift').textContent");
    assert!(drift.as_str().is_some_and(|d| d.contains("1 check changed") && d.contains("baseline.json")), "{drift}");
    click(&mut browser, &format!("{}.querySelector('button.toggle')", row("drifting")));
    let changes = browser.eval(&format!("{}.querySelector('section.changes').textContent", row("drifting")));
    assert!(
        changes.as_str().is_some_and(|c| c.contains("client auth") && c.contains("optional") && c.contains("required")),
        "{changes}"
    );

    // Expanding the hostile check shows its names, chain, expectations and s_client view as text.
    let toggle = format!("{}.querySelector('button.toggle')", row(HOSTILE_CHECK));
    click(&mut browser, &toggle);
    assert_eq!(browser.eval(&format!("{toggle}.getAttribute('aria-expanded')")), json!("true"));
    assert_eq!(browser.eval(&format!("{}.querySelector('tr.detail').hidden", row(HOSTILE_CHECK))), json!(false));
    let ca_names = strings(&browser.eval(&format!(
        "[...{}.querySelectorAll('section.ca-names li')].map(li => li.textContent)",
        row(HOSTILE_CHECK)
    )));
    assert_eq!(ca_names.len(), 1, "{ca_names:?}");
    // Printed as OpenSSL prints it (quoted, inner quotes escaped), markup intact as text.
    assert!(ca_names[0].contains("<img src=x onerror=") && ca_names[0].contains("</script><script>"), "{ca_names:?}");
    let chain = browser.eval(&format!("{}.querySelector('section.chain').textContent", row(HOSTILE_CHECK)));
    assert!(chain.as_str().is_some_and(|c| c.contains("<b id=injected>")), "{chain}");
    let failed =
        browser.eval(&format!("{}.querySelector('section.expectations tr.failed').textContent", row(HOSTILE_CHECK)));
    assert!(failed.as_str().is_some_and(|f| f.starts_with("ca_name_match")), "{failed}");
    let s_client = browser.eval(&format!("{}.querySelector('section.sclient pre').textContent", row(HOSTILE_CHECK)));
    let s_client = s_client.as_str().expect("s_client text");
    assert!(
        s_client.contains("Acceptable client certificate CA names") && s_client.contains("<img src=x onerror="),
        "{s_client}"
    );
    let problems = browser.eval(&format!("{}.querySelector('section.problems').textContent", row(HOSTILE_CHECK)));
    assert!(problems.as_str().is_some_and(|p| p.contains("expected ca_name_match = true, got false")), "{problems}");

    // The timeline: each server's certificate and ours once, coloured by how soon they expire.
    assert_eq!(browser.eval("document.querySelectorAll('#timeline g.cert.server').length"), json!(4));
    assert_eq!(
        browser.eval("document.querySelectorAll('#timeline g.cert.ours').length"),
        json!(2),
        "ours and the next one"
    );
    let first_bar = browser.eval("document.querySelector('#timeline g.cert').getAttribute('class')");
    assert_eq!(first_bar, json!("cert server expired"), "soonest first: the expired certificate");
    let soon = browser.eval("document.querySelectorAll('#timeline g.cert.server.soon').length");
    assert_eq!(soon, json!(1), "the hostile server's certificate is inside the warning window");

    assert_eq!(browser.eval("document.documentElement.scrollWidth <= window.innerWidth"), json!(true));
    let png = browser.screenshot();
    assert_eq!(png_width(&png), 1280);
    std::fs::write(artifacts().join("report-1280.png"), &png).expect("keep the screenshot");

    // Sorting by a number: soonest server expiry first, checks without a date last either way.
    let days_header = "document.querySelectorAll('#checks thead th')[7]";
    click(&mut browser, &format!("{days_header}.querySelector('button')"));
    let ascending = strings(&browser.eval(VISIBLE));
    assert_eq!(&ascending[..2], ["expired-server", HOSTILE_CHECK]);
    assert_eq!(ascending.last().map(String::as_str), Some("unreachable"));
    assert_eq!(browser.eval(&format!("{days_header}.getAttribute('aria-sort')")), json!("ascending"));
    click(&mut browser, &format!("{days_header}.querySelector('button')"));
    let descending = strings(&browser.eval(VISIBLE));
    assert_eq!(&descending[2..], [HOSTILE_CHECK, "expired-server", "unreachable"]);
    assert_eq!(browser.eval(&format!("{days_header}.getAttribute('aria-sort')")), json!("descending"));
    // And by text, both ways.
    click(&mut browser, "document.querySelector('#checks thead th button')");
    let by_name = strings(&browser.eval(VISIBLE));
    let plain: Vec<&String> = by_name.iter().filter(|n| *n != HOSTILE_CHECK).collect();
    assert_eq!(plain, ["drifting", "expired-server", "one-way", "unreachable"]);
    click(&mut browser, "document.querySelector('#checks thead th button')");
    let reversed: Vec<String> = by_name.iter().rev().cloned().collect();
    assert_eq!(strings(&browser.eval(VISIBLE)), reversed);

    // Filtering: text, result, verdict (from a summary card), changed only.
    set_filter(&mut browser, "filter-text", "drift", "input");
    assert_eq!(strings(&browser.eval(VISIBLE)), ["drifting"]);
    assert_eq!(browser.eval("document.getElementById('shown-count').textContent"), json!("1 of 5 checks shown"));
    set_filter(&mut browser, "filter-text", "", "input");
    set_filter(&mut browser, "filter-result", "fail", "change");
    assert_eq!(strings(&browser.eval(VISIBLE)), [HOSTILE_CHECK]);
    set_filter(&mut browser, "filter-result", "", "change");
    click(&mut browser, "document.querySelector('.card.verdict-error')");
    assert_eq!(strings(&browser.eval(VISIBLE)), ["unreachable"]);
    click(&mut browser, "document.querySelector('.card.verdict-error')");
    assert_eq!(strings(&browser.eval(VISIBLE)).len(), 5, "a second click on the card clears its filter");
    click(&mut browser, "document.getElementById('show-changed')");
    assert_eq!(strings(&browser.eval(VISIBLE)), ["drifting"]);

    // A phone: nothing wider than the screen, the whole page in the screenshot.
    browser.open(&url, 390, 844);
    click(&mut browser, &toggle);
    assert_eq!(browser.eval("document.documentElement.scrollWidth <= window.innerWidth"), json!(true));
    let png = browser.screenshot();
    assert_eq!(png_width(&png), 390);
    std::fs::write(artifacts().join("report-390.png"), &png).expect("keep the screenshot");

    // Nothing left the page: its own file was the only request; no error, no CSP report.
    let requests: Vec<String> = browser
        .events_named("Network.requestWillBeSent")
        .iter()
        .map(|e| e["params"]["request"]["url"].as_str().unwrap_or_default().to_string())
        .collect();
    assert!(requests.contains(&url), "{requests:?}");
    assert!(requests.iter().all(|u| *u == url || u.starts_with("data:")), "requests left the page: {requests:?}");
    assert!(browser.events_named("Network.loadingFailed").is_empty());
    assert!(
        browser.events_named("Runtime.exceptionThrown").is_empty(),
        "{:#?}",
        browser.events_named("Runtime.exceptionThrown")
    );
    let logged: Vec<&Value> = browser.events_named("Log.entryAdded");
    assert!(logged.iter().all(|e| e["params"]["entry"]["level"] != "error"), "{logged:#?}");
    eprintln!("screenshots kept in {}", artifacts().display());
}
