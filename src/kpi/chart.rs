//! One KPI as an SVG bar chart: a bar per period, a dashed line at the target, axis labels,
//! and `<title>`/`<desc>` for screen readers. Server-side, no script; `sopctl report` and the
//! owner's page draw the same picture.

use std::fmt::Write;

use super::words;
use super::{Kpi, KpiReport};

const W: f64 = 640.0;
const H: f64 = 240.0;
const LEFT: f64 = 84.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 28.0;
const BOTTOM: f64 = 40.0;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `2026-01` for months, `01-05` for weeks: the period's start as a short label.
fn label(start: &str, month: bool) -> String {
    let date = start.get(..10).unwrap_or(start);
    if month {
        date.get(..7).unwrap_or(date).to_string()
    } else {
        date.get(5..).unwrap_or(date).to_string()
    }
}

/// The SVG of one KPI's periods; `month` picks the period labels, `zh` the words.
pub fn svg(kpi: &Kpi, r: &KpiReport, month: bool, zh: bool) -> String {
    let target = kpi.target().map(|t| t.threshold());
    let max = r
        .periods
        .iter()
        .filter_map(|p| p.value)
        .chain(target)
        .fold(0.0_f64, f64::max);
    let top = if max > 0.0 { max * 1.15 } else { 1.0 };
    let plot_h = H - TOP - BOTTOM;
    let y = |v: f64| y_of(v, top);
    let mut s = String::new();
    let desc = description(kpi, r, zh);
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img" aria-labelledby="kpi-{id}-title kpi-{id}-desc" font-family="sans-serif" font-size="12">"#,
        id = esc(&r.id)
    );
    let _ = write!(
        s,
        r#"<title id="kpi-{id}-title">{}</title><desc id="kpi-{id}-desc">{}</desc>"#,
        esc(&r.title),
        esc(&desc),
        id = esc(&r.id)
    );
    let _ = write!(s, r##"<rect width="{W}" height="{H}" fill="#fff"/>"##);
    let _ = write!(
        s,
        r##"<text x="{LEFT}" y="18" font-size="14" font-weight="bold" fill="#222">{}</text>"##,
        esc(&r.title)
    );
    grid(&mut s, kpi, top, zh);
    bars(&mut s, kpi, r, top, month, zh);
    if let Some(t) = target {
        let _ = write!(
            s,
            r##"<line x1="{LEFT}" x2="{}" y1="{ty:.1}" y2="{ty:.1}" stroke="#222" stroke-dasharray="6 4" stroke-width="1.5"/><text x="{}" y="{:.1}" text-anchor="end" fill="#222">{} {}</text>"##,
            W - RIGHT,
            W - RIGHT,
            y(t) - 4.0,
            if zh { "目标" } else { "target" },
            esc(r.target.as_deref().unwrap_or("")),
            ty = y(t)
        );
    }
    let _ = write!(
        s,
        r##"<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{}" stroke="#555"/><line x1="{LEFT}" x2="{}" y1="{b}" y2="{b}" stroke="#555"/></svg>"##,
        TOP + plot_h,
        W - RIGHT,
        b = TOP + plot_h
    );
    s
}

/// The y coordinate of a value, with `top` the value at the top of the plot.
fn y_of(v: f64, top: f64) -> f64 {
    let plot_h = H - TOP - BOTTOM;
    TOP + plot_h - v / top * plot_h
}

/// Horizontal grid lines with the value of each, in the KPI's unit.
fn grid(s: &mut String, kpi: &Kpi, top: f64, zh: bool) {
    let y = |v: f64| y_of(v, top);
    for i in 0..=4 {
        let v = top * i as f64 / 4.0;
        let _ = write!(
            s,
            r##"<line x1="{LEFT}" x2="{}" y1="{y:.1}" y2="{y:.1}" stroke="#e5e5e5"/><text x="{}" y="{:.1}" text-anchor="end" fill="#555">{}</text>"##,
            W - RIGHT,
            LEFT - 6.0,
            y(v) + 4.0,
            esc(&words::value(kpi, v, zh)),
            y = y(v)
        );
    }
}

/// One bar per period with a value (red where the target was missed) and the period labels.
fn bars(s: &mut String, kpi: &Kpi, r: &KpiReport, top: f64, month: bool, zh: bool) {
    let y = |v: f64| y_of(v, top);
    let plot_h = H - TOP - BOTTOM;
    let slot = (W - LEFT - RIGHT) / r.periods.len().max(1) as f64;
    let every = (r.periods.len() / 12).max(1);
    for (i, p) in r.periods.iter().enumerate() {
        let x = LEFT + slot * i as f64 + slot * 0.15;
        if let Some(v) = p.value {
            let fill = match p.met {
                Some(false) => "#d9534f",
                _ => "#4a7bd0",
            };
            let _ = write!(
                s,
                r#"<rect x="{x:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{fill}"><title>{}: {}</title></rect>"#,
                y(v),
                slot * 0.7,
                (TOP + plot_h - y(v)).max(0.5),
                esc(&label(&p.start, month)),
                esc(&words::value(kpi, v, zh))
            );
        }
        if i % every == 0 {
            let _ = write!(
                s,
                r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#555">{}</text>"##,
                LEFT + slot * (i as f64 + 0.5),
                H - BOTTOM + 16.0,
                esc(&label(&p.start, month))
            );
        }
    }
}

/// What the chart shows, in a sentence per period (for `<desc>`).
fn description(kpi: &Kpi, r: &KpiReport, zh: bool) -> String {
    let parts: Vec<String> = r
        .periods
        .iter()
        .map(|p| {
            let v = p
                .value
                .map(|v| words::value(kpi, v, zh))
                .unwrap_or_else(|| {
                    if zh {
                        "无数据".into()
                    } else {
                        "no data".into()
                    }
                });
            format!(
                "{} {v} ({})",
                p.start.get(..10).unwrap_or(&p.start),
                p.count
            )
        })
        .collect();
    let target = r.target.as_deref().unwrap_or("—");
    if zh {
        format!("目标 {target}；各期：{}", parts.join("；"))
    } else {
        format!("target {target}; per period: {}", parts.join("; "))
    }
}
