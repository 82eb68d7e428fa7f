//! The three outputs of `diff`: human (grouped by process, coloured by severity), `json`
//! (SPEC section 8: exactly `process`, `kind`, `severity`, `message` per change) and
//! `markdown` (a pull-request comment: a summary table, then details by process).

use std::collections::BTreeMap;

use super::{Change, Impact};

fn counts(changes: &[&Change]) -> [usize; 3] {
    let mut n = [0; 3];
    for c in changes {
        n[c.severity as usize] += 1;
    }
    n
}

fn by_process(changes: &[Change]) -> BTreeMap<&str, Vec<&Change>> {
    let mut m: BTreeMap<&str, Vec<&Change>> = BTreeMap::new();
    for c in changes {
        m.entry(c.process.as_str()).or_default().push(c);
    }
    m
}

fn process_heading(name: &str) -> String {
    if name == super::role::PROJECT {
        "roles (project-wide)".into()
    } else {
        name.to_string()
    }
}

/// `{"changes":[…]}`, one line, with a final newline.
pub fn json(changes: &[Change]) -> String {
    let list: Vec<serde_json::Value> = changes
        .iter()
        .map(|c| {
            serde_json::json!({
                "process": c.process,
                "kind": c.kind,
                "severity": c.severity.as_str(),
                "message": c.message,
            })
        })
        .collect();
    let mut s = serde_json::json!({ "changes": list }).to_string();
    s.push('\n');
    s
}

fn emoji(s: Impact) -> &'static str {
    match s {
        Impact::Breaking => "🔴",
        Impact::Behavioral => "🟡",
        Impact::Cosmetic => "⚪",
    }
}

/// Escapes a table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// A pull-request comment.
pub fn markdown(changes: &[Change], base: &str, head: &str) -> String {
    let mut s = String::from("## SOP changes\n\n");
    s.push_str(&format!("`{}` → `{}`\n\n", cell(base), cell(head)));
    if changes.is_empty() {
        s.push_str("No semantic changes.\n");
        return s;
    }
    let all: Vec<&Change> = changes.iter().collect();
    let n = counts(&all);
    s.push_str("| severity | changes |\n|---|---:|\n");
    for sev in Impact::ALL {
        s.push_str(&format!(
            "| {} {} | {} |\n",
            emoji(sev),
            sev.as_str(),
            n[sev as usize]
        ));
    }
    s.push_str("\n| process | 🔴 breaking | 🟡 behavioral | ⚪ cosmetic |\n|---|---:|---:|---:|\n");
    let groups = by_process(changes);
    for (name, list) in &groups {
        let n = counts(list);
        s.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            cell(&process_heading(name)),
            n[0],
            n[1],
            n[2]
        ));
    }
    s.push_str("\n### Details\n");
    for (name, list) in &groups {
        s.push_str(&format!("\n#### {}\n\n", process_heading(name)));
        for c in list {
            s.push_str(&format!(
                "- {} **{}** `{}`: {}\n",
                emoji(c.severity),
                c.severity.as_str(),
                c.kind,
                c.message
            ));
        }
    }
    s
}

/// Grouped by process, coloured by severity (for stderr).
pub fn human(changes: &[Change], base: &str, head: &str, color: bool) -> String {
    let paint = |sev: Impact, text: &str| -> String {
        if !color {
            return text.to_string();
        }
        let code = match sev {
            Impact::Breaking => "1;31",
            Impact::Behavioral => "33",
            Impact::Cosmetic => "2",
        };
        format!("\x1b[{code}m{text}\x1b[0m")
    };
    let bold = |text: &str| {
        if color {
            format!("\x1b[1m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    };
    let mut s = String::new();
    if changes.is_empty() {
        s.push_str(&format!("no semantic changes from {base} to {head}\n"));
        return s;
    }
    for (name, list) in by_process(changes) {
        s.push_str(&bold(&process_heading(name)));
        s.push('\n');
        for c in list {
            let sev = format!("{:<10}", c.severity.as_str());
            s.push_str(&format!(
                "  {} {}  {}\n",
                paint(c.severity, &sev),
                c.kind,
                c.message
            ));
        }
        s.push('\n');
    }
    let all: Vec<&Change> = changes.iter().collect();
    let n = counts(&all);
    s.push_str(&format!(
        "{} from {base} to {head}: {} breaking, {} behavioral, {} cosmetic\n",
        if changes.len() == 1 {
            "1 change".to_string()
        } else {
            format!("{} changes", changes.len())
        },
        n[0],
        n[1],
        n[2]
    ));
    s
}
