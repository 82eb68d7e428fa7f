//! `sopctl log PROCESS`: the history of one process through git. Walks the first-parent
//! history from `HEAD`; a commit is shown when the semantic diff of the process between its
//! parent and it is not empty (the sources are rebuilt only when the project folder's tree
//! changed, and each tree is built once). Stops at the commit that added the process.

use std::collections::HashMap;

use git2::Oid;

use super::{fail, Exit, Global, Step};
use crate::bundle::Bundle;
use crate::cli::LogArgs;
use crate::diff::source::{RepoProject, SideError};
use crate::diff::{self, render, Change};
use crate::lint::time::format_date;
use crate::report::Format;

struct Entry {
    commit: String,
    date: String,
    author: String,
    subject: String,
    changes: Vec<Change>,
}

pub fn run(g: &Global, a: &LogArgs) -> Step<Exit> {
    let json = a.format.unwrap_or_default().is_json();
    let config = g.config(Format::Human)?;
    // A long history takes a while: a spinner counts the commits read (terminal only).
    let progress = g.progress(!json, 0, "reading history");
    let walked = walk(&config.root, &a.process, a.max_count, &progress);
    progress.finish();
    let entries = walked.map_err(|e| {
        fail(&e.message, &e.help);
        Exit::Error
    })?;
    if json {
        print!("{}", to_json(&entries));
    } else {
        eprint!("{}", to_human(&entries, g.color_stderr()));
    }
    Ok(Exit::Ok)
}

fn walk(
    root: &std::path::Path,
    name: &str,
    max_count: Option<usize>,
    progress: &crate::progress::Progress,
) -> Result<Vec<Entry>, SideError> {
    let repo = RepoProject::open(root)?;
    let mut cache: HashMap<Option<Oid>, Bundle> = HashMap::new();
    let mut build = |c: &git2::Commit| -> Result<Bundle, SideError> {
        let key = repo.project_tree_id(c);
        if let Some(b) = cache.get(&key) {
            return Ok(b.clone());
        }
        let b = repo.side(c, c.id().to_string())?.bundle;
        cache.insert(key, b.clone());
        Ok(b)
    };
    let mut commit = repo.commit("HEAD")?;
    let mut current = build(&commit)?;
    if current.process(name).is_none() {
        let names: Vec<&str> = current.processes.iter().map(|p| p.name.as_str()).collect();
        let help = match crate::suggest::did_you_mean(name, names.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None if names.is_empty() => "there are no processes at HEAD".to_string(),
            None => format!("the processes at HEAD are: {}", names.join(", ")),
        };
        return Err(SideError {
            message: format!("no process `{name}` at HEAD"),
            help,
        });
    }
    let mut entries = Vec::new();
    loop {
        if max_count.is_some_and(|n| entries.len() >= n) {
            break;
        }
        let parent = match commit.parent(0) {
            Ok(p) => Some(p),
            Err(_) if commit.parent_count() > 0 => {
                eprintln!(
                    "note: history stops at {} (a shallow clone; fetch with `git fetch --unshallow` for more)",
                    &commit.id().to_string()[..7]
                );
                break;
            }
            Err(_) => None,
        };
        let same_tree = parent
            .as_ref()
            .is_some_and(|p| repo.project_tree_id(p) == repo.project_tree_id(&commit));
        let before = match (&parent, same_tree) {
            (Some(p), false) => Some(build(p)?),
            _ => None,
        };
        if !same_tree {
            let empty = Bundle::empty();
            let before_ref = before.as_ref().unwrap_or(&empty);
            let changes = diff::diff_process(before_ref, &current, name);
            if !changes.is_empty() {
                let author = commit.author();
                entries.push(Entry {
                    commit: commit.id().to_string(),
                    date: format_date(commit.time().seconds(), commit.time().offset_minutes()),
                    author: author.name().unwrap_or("").to_string(),
                    subject: commit.summary().unwrap_or("").to_string(),
                    changes,
                });
            }
            if before_ref.process(name).is_none() {
                break;
            }
        }
        progress.inc();
        match parent {
            Some(p) => {
                if let Some(b) = before {
                    current = b;
                }
                commit = p;
            }
            None => break,
        }
    }
    Ok(entries)
}

fn to_human(entries: &[Entry], color: bool) -> String {
    let mut s = String::new();
    for e in entries {
        let id = &e.commit[..7];
        let id = if color {
            format!("\x1b[33m{id}\x1b[0m")
        } else {
            id.to_string()
        };
        s.push_str(&format!("{id} {} {}  {}\n", e.date, e.author, e.subject));
        for c in &e.changes {
            s.push_str(&format!(
                "  {:<10}  {}  {}\n",
                c.severity.as_str(),
                c.kind,
                c.message
            ));
        }
    }
    if entries.is_empty() {
        s.push_str("no changes to this process in the history\n");
    }
    s
}

fn to_json(entries: &[Entry]) -> String {
    let commits: Vec<serde_json::Value> = entries
        .iter()
        .map(|e| {
            let changes: serde_json::Value =
                serde_json::from_str(&render::json(&e.changes)).expect("json");
            serde_json::json!({
                "commit": e.commit,
                "date": e.date,
                "author": e.author,
                "subject": e.subject,
                "changes": changes["changes"],
            })
        })
        .collect();
    let mut s = serde_json::json!({ "commits": commits }).to_string();
    s.push('\n');
    s
}
