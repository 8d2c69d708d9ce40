//! The expiry timeline: an inline SVG with one bar per certificate (each server's leaf, and
//! each of our client certificates once however many checks use it) from today to its
//! expiry, soonest first. The axis is capped so a 20-year certificate does not squash the rest;
//! a capped bar ends in an arrow and every bar is labelled with its exact days left.

use super::escape::html;
use crate::model::{CheckResult, Report, WarningKind};

/// One bar.
struct Bar {
    label: String,
    /// The tooltip: whose certificate, when it expires.
    detail: String,
    days: i64,
    ours: bool,
    warned: bool,
}

const WIDTH: i64 = 960;
const LABEL_WIDTH: i64 = 300;
const PLOT_START: i64 = LABEL_WIDTH + 10;
const PLOT_END: i64 = WIDTH - 70;
const ROW: i64 = 22;
const TOP: i64 = 34;
/// Bars longer than this (in days) are capped; beyond it the axis would squash the rest.
const LONGEST_AXIS: i64 = 825;
/// Expired certificates further back than this are capped too.
const EARLIEST_AXIS: i64 = -90;

fn warned(r: &CheckResult, kind: WarningKind) -> bool {
    r.warnings.iter().any(|w| w.kind == kind)
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let kept: String = text.chars().take(max - 1).collect();
    format!("{kept}…")
}

fn bars(report: &Report) -> Vec<Bar> {
    let mut bars = Vec::new();
    for r in &report.results {
        if let Some(days) = r.server_cert_days_left {
            let not_after = r.peer_chain.first().and_then(|c| c.not_after.clone()).unwrap_or_default();
            bars.push(Bar {
                label: r.name.clone(),
                detail: format!("server certificate of {} ({}): not after {not_after}", r.name, r.target()),
                days,
                ours: false,
                warned: warned(r, WarningKind::ServerCertExpiry),
            });
        }
    }
    // Our certificates (each check's, each of its identities'), once each: many checks share one.
    let mut ours: Vec<(String, String, i64, bool, Vec<String>)> = Vec::new();
    for r in &report.results {
        let identities =
            r.identities.iter().map(|i| (&i.client_cert_subject, i.client_cert_days_left, &i.client_cert_not_after));
        let certificates = std::iter::once((&r.client_cert_subject, r.client_cert_days_left, &r.client_cert_not_after))
            .chain(identities);
        for (subject, days, not_after) in certificates {
            let (Some(subject), Some(days)) = (subject, days) else { continue };
            let not_after = not_after.clone().unwrap_or_default();
            match ours.iter_mut().find(|(s, n, ..)| s == subject && *n == not_after) {
                Some(entry) if entry.4.contains(&r.name) => {}
                Some(entry) => entry.4.push(r.name.clone()),
                None => ours.push((
                    subject.clone(),
                    not_after,
                    days,
                    warned(r, WarningKind::ClientCertExpiry),
                    vec![r.name.clone()],
                )),
            }
        }
    }
    for (subject, not_after, days, warned, checks) in ours {
        bars.push(Bar {
            label: format!("ours: {subject}"),
            detail: format!("our certificate {subject}: not after {not_after}; used by {}", checks.join(", ")),
            days,
            ours: true,
            warned,
        });
    }
    bars.sort_by_key(|b| b.days);
    bars
}

/// A step between ticks that gives at most about eight of them.
fn tick_step(span: i64) -> i64 {
    [7, 30, 90, 180, 365, 730].into_iter().find(|step| span / step <= 8).unwrap_or(1825)
}

/// The timeline section, or a sentence when no certificate dates are known.
pub fn timeline(report: &Report) -> String {
    let bars = bars(report);
    let heading = "<h2 id=\"timeline-title\">Certificate expiry</h2>\n";
    if bars.is_empty() {
        return format!(
            "<section id=\"timeline-section\" aria-labelledby=\"timeline-title\">\n{heading}<p>No certificate dates \
             were seen.</p>\n</section>\n"
        );
    }
    let lowest = bars.iter().map(|b| b.days).min().unwrap_or(0).clamp(EARLIEST_AXIS, 0);
    let highest = bars.iter().map(|b| b.days).max().unwrap_or(0).clamp(30, LONGEST_AXIS);
    let span = highest - lowest;
    let x = |days: i64| PLOT_START + (days.clamp(lowest, highest) - lowest) * (PLOT_END - PLOT_START) / span;
    let height = TOP + ROW * i64::try_from(bars.len()).unwrap_or(i64::MAX / ROW) + 10;

    let mut svg = format!(
        "<svg id=\"timeline\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" aria-labelledby=\"timeline-title\" \
         xmlns=\"http://www.w3.org/2000/svg\">\n"
    );
    let step = tick_step(span);
    let first_tick = lowest.div_euclid(step) * step;
    for tick in (first_tick..=highest).step_by(usize::try_from(step).unwrap_or(30)).filter(|t| *t >= lowest) {
        let label = if tick == 0 { "today".to_string() } else { format!("{tick} d") };
        let class = if tick == 0 { "tick today" } else { "tick" };
        svg.push_str(&format!(
            "<g class=\"{class}\"><line x1=\"{0}\" x2=\"{0}\" y1=\"{1}\" y2=\"{2}\"/><text x=\"{0}\" y=\"{3}\">{label}</text></g>\n",
            x(tick),
            TOP - 6,
            height - 6,
            TOP - 12
        ));
    }
    for (row, bar) in bars.iter().enumerate() {
        let y = TOP + ROW * i64::try_from(row).unwrap_or(0);
        let (start, end) = if bar.days < 0 { (x(bar.days), x(0)) } else { (x(0), x(bar.days)) };
        let state = if bar.days < 0 {
            "expired"
        } else if bar.warned {
            "soon"
        } else {
            "fine"
        };
        let capped = bar.days > highest || bar.days < lowest;
        let arrow = if capped { " »" } else { "" };
        let whose = if bar.ours { "ours" } else { "server" };
        let days_text = if bar.days < 0 { format!("expired {} d ago", -bar.days) } else { format!("{} d", bar.days) };
        svg.push_str(&format!(
            "<g class=\"cert {whose} {state}\" data-days=\"{days}\"><title>{title}</title>\
             <text class=\"label\" x=\"{label_x}\" y=\"{text_y}\">{label}</text>\
             <rect x=\"{start}\" y=\"{bar_y}\" width=\"{width}\" height=\"{bar_h}\" rx=\"3\"/>\
             <text class=\"value\" x=\"{value_x}\" y=\"{text_y}\">{days_text}{arrow}</text></g>\n",
            days = bar.days,
            title = html(&format!("{} ({days_text})", bar.detail)),
            label_x = LABEL_WIDTH,
            text_y = y + 15,
            label = html(&shorten(&bar.label, 44)),
            bar_y = y + 4,
            width = (end - start).max(2),
            bar_h = ROW - 8,
            value_x = end.max(x(0)) + 6,
        ));
    }
    svg.push_str("</svg>");
    format!(
        "<section id=\"timeline-section\" aria-labelledby=\"timeline-title\">\n{heading}<p class=\"legend\">\
         <span class=\"key fine\"></span>valid <span class=\"key soon\"></span>within the warning window \
         <span class=\"key expired\"></span>expired · bars with » run past the axis</p>\n\
         <div class=\"scroll\">{svg}</div>\n</section>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_stay_few_and_labels_are_shortened() {
        assert_eq!(tick_step(30), 7);
        assert_eq!(tick_step(400), 90);
        assert_eq!(tick_step(915), 180);
        assert_eq!(shorten("abcdef", 4), "abc…");
        assert_eq!(shorten("abc", 4), "abc");
    }
}
