//! `sopctl report [--server URL] [--from DATE] [--to DATE] [-o FILE] [--format markdown|html]`:
//! the periodic review (定期复盘) from a runtime. It reads the bundle the runtime runs and
//! `GET /v1/kpis` of each process, and writes one document: Markdown with the charts as SVG
//! files in `<FILE stem>.assets/` beside it, or one HTML page with the charts inline. Files are
//! written atomically. Without `-o` the document goes to stdout (Markdown then has no charts).
//! Exit 0 written, 2 usage, no token, or a runtime that cannot be reached or refuses.

use std::path::Path;

use super::{fail, Exit, Global, Step};
use crate::apply::client::{Client, ClientError};
use crate::apply::{DEFAULT_SERVER, TOKEN_ENV};
use crate::bundle::Bundle;
use crate::cli::{ReportArgs, ReviewFormat};
use crate::fsutil::write_atomic;
use crate::kpi::review::{self, Block};
use crate::report::Format;

/// Query-string escaping for the few characters dates and names carry (`+` of an offset).
fn q(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b':' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub fn run(g: &Global, args: &ReportArgs) -> Step<Exit> {
    let html = args.format.unwrap_or_default() == ReviewFormat::Html;
    let config = g.config(Format::Human)?;
    let server = args
        .server
        .clone()
        .or_else(|| config.apply_server.clone())
        .unwrap_or_else(|| DEFAULT_SERVER.to_string());
    let Some(token) = std::env::var(TOKEN_ENV).ok().filter(|t| !t.is_empty()) else {
        fail(
            &format!("{TOKEN_ENV} is not set"),
            &format!("set {TOKEN_ENV} to a token of the runtime (an internal user's, or the admin token)"),
        );
        return Err(Exit::Error);
    };
    let blocks = Client::new(&server, &token)
        .and_then(|c| fetch(&c, args))
        .map_err(|e| {
            fail(&e.message, &e.help);
            Exit::Error
        })?;
    write(&blocks, args.output.as_deref(), html).map_err(|e| {
        fail(&e, "check that the folder of -o exists and can be written");
        Exit::Error
    })?;
    Ok(Exit::Ok)
}

/// The document's blocks: a heading, then each process of the running bundle.
fn fetch(c: &Client, args: &ReportArgs) -> Result<Vec<Block>, ClientError> {
    let b = c.get_json("/v1/bundle", "reading the bundle")?;
    let bundle = Bundle::from_json(&b.to_string()).map_err(|e| ClientError {
        message: format!("{} runs a bundle this sopctl cannot read: {e}", c.server),
        help: "use the sopctl version the runtime runs".into(),
    })?;
    let mut range = String::new();
    for (k, v) in [("from", args.from.as_deref()), ("to", args.to.as_deref())] {
        if let Some(v) = v {
            range.push_str(&format!("&{k}={}", q(v)));
        }
    }
    let mut blocks = Vec::new();
    let mut heading = None;
    for p in &bundle.processes {
        let path = format!("/v1/kpis?process={}{range}", q(&p.name));
        let mut answer = c.get_json(&path, "reading the KPIs")?;
        // Week periods for a short range, months for a review of a quarter or more.
        let (from, to) = (answer["from"].as_str(), answer["to"].as_str());
        if let (Some(f), Some(t)) = (
            from.and_then(crate::engine::DateTime::parse),
            to.and_then(crate::engine::DateTime::parse),
        ) {
            heading.get_or_insert((f, t));
            if t.secs - f.secs <= 62 * 86400 {
                answer = c.get_json(&format!("{path}&period=week"), "reading the KPIs")?;
            }
        }
        let month = answer["period"] == "month";
        blocks.extend(review::process_blocks(&bundle, p, &answer, month));
    }
    let title = match heading {
        Some((f, t)) => format!(
            "定期复盘 · Periodic review: {} – {}",
            &f.to_string()[..10],
            &t.to_string()[..10]
        ),
        None => "定期复盘 · Periodic review".to_string(),
    };
    blocks.insert(0, Block::Para(format!("`{}`", c.server)));
    blocks.insert(0, Block::H1(title));
    Ok(blocks)
}

fn write(blocks: &[Block], out: Option<&Path>, html: bool) -> Result<(), String> {
    let title = match blocks.first() {
        Some(Block::H1(t)) => t.clone(),
        _ => String::new(),
    };
    let Some(out) = out else {
        let text = if html {
            review::html(blocks, "zh", &title)
        } else {
            review::markdown(blocks, None)
        };
        print!("{text}");
        return Ok(());
    };
    let text = if html {
        review::html(blocks, "zh", &title)
    } else {
        let stem = out
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        let assets = format!("{stem}.assets");
        let dir = out.with_file_name(&assets);
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        for b in blocks {
            if let Block::Chart { name, svg, .. } = b {
                let f = dir.join(format!("{name}.svg"));
                write_atomic(&f, svg.as_bytes())
                    .map_err(|e| format!("cannot write {}: {e}", f.display()))?;
            }
        }
        review::markdown(blocks, Some(&assets))
    };
    write_atomic(out, text.as_bytes()).map_err(|e| format!("cannot write {}: {e}", out.display()))
}
