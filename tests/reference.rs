//! The reference in `docs/reference/` stays complete: `codes.md` and `commands.md` are written
//! from the code registry and the command-line definition (`SOPCTL_BLESS=1` rewrites them),
//! and the hand-written `language.md` and `config.md` name every key of the schemas.

mod common;

use std::collections::BTreeSet;
use std::fmt::Write;
use std::path::PathBuf;

use clap::CommandFactory;
use common::*;

fn reference(name: &str) -> PathBuf {
    repo_root().join("docs").join("reference").join(name)
}

/// Compares a generated page with the file, or writes it under `SOPCTL_BLESS=1`.
fn check_generated(name: &str, text: &str) {
    let path = reference(name);
    if std::env::var_os("SOPCTL_BLESS").is_some() {
        std::fs::write(&path, text).unwrap();
        return;
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == text,
        "{name} is out of date: run `SOPCTL_BLESS=1 cargo test --test reference`"
    );
}

fn command_md(out: &mut String, cmd: &clap::Command, path: &str) {
    let name = if path.is_empty() {
        cmd.get_name().to_string()
    } else {
        format!("{path} {}", cmd.get_name())
    };
    let depth = name.split(' ').count().min(3) + 1;
    let _ = write!(out, "{} `{name}`\n\n", "#".repeat(depth));
    if let Some(about) = cmd.get_long_about().or(cmd.get_about()) {
        let _ = write!(out, "{about}\n\n");
    }
    let args: Vec<&clap::Arg> = cmd
        .get_arguments()
        .filter(|a| !a.is_hide_set() && a.get_id() != "help" && a.get_id() != "version")
        .collect();
    if !args.is_empty() {
        out.push_str("| argument | what it does |\n|---|---|\n");
        for a in args {
            let shown = match (a.get_long(), a.get_short()) {
                (Some(l), Some(s)) => format!("`-{s}`, `--{l}`"),
                (Some(l), None) => format!("`--{l}`"),
                (None, Some(s)) => format!("`-{s}`"),
                (None, None) => format!("`{}`", a.get_id().as_str().to_uppercase()),
            };
            let help = a
                .get_long_help()
                .or(a.get_help())
                .map(|h| h.to_string().replace('\n', " ").replace('|', "\\|"))
                .unwrap_or_default();
            let global = if a.is_global_set() {
                " (every command)"
            } else {
                ""
            };
            let _ = writeln!(out, "| {shown} | {help}{global} |");
        }
        out.push('\n');
    }
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        command_md(out, sub, &name);
    }
}

fn commands_md() -> String {
    let mut cmd = sopctl::cli::Cli::command().disable_help_subcommand(true);
    cmd.build();
    let mut out = String::from(
        "# Commands\n\n<!-- Written by `SOPCTL_BLESS=1 cargo test --test reference` from the \
         command-line definition; `sopctl COMMAND --help` and `sopctl man` show the same. -->\n\n\
         Exit codes, for every command: `0` done (nothing to report), `1` findings that fail the \
         command (validation errors, a failing scenario, a breaking change with `--fail-on`), `2` \
         usage, I/O or configuration error. Human output goes to stderr, machine formats to \
         stdout. The environment variables sopctl reads are listed in `sopctl man` (ENVIRONMENT).\n\n",
    );
    command_md(&mut out, &cmd, "");
    out.trim_end().to_string() + "\n"
}

#[test]
fn codes_and_commands_are_current() {
    check_generated("codes.md", &sopctl::codes::reference_markdown());
    check_generated("commands.md", &commands_md());
}

/// Every property name of a JSON schema, however deep.
fn property_names(schema: &serde_json::Value, out: &mut BTreeSet<String>) {
    match schema {
        serde_json::Value::Object(map) => {
            if let Some(props) = map.get("properties").and_then(|p| p.as_object()) {
                out.extend(props.keys().cloned());
            }
            for v in map.values() {
                property_names(v, out);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| property_names(v, out)),
        _ => {}
    }
}

fn names_every_key(schema: &str, doc: &str) {
    let schema: serde_json::Value = serde_json::from_str(schema).unwrap();
    let mut keys = BTreeSet::new();
    property_names(&schema, &mut keys);
    let text = std::fs::read_to_string(reference(doc)).unwrap();
    let missing: Vec<&String> = keys
        .iter()
        .filter(|k| !text.contains(&format!("`{k}`")))
        .collect();
    assert!(missing.is_empty(), "{doc} does not describe: {missing:?}");
}

#[test]
fn the_language_reference_names_every_key() {
    names_every_key(sopctl::schema::SOP_SCHEMA, "language.md");
    names_every_key(sopctl::schema::CONFIG_SCHEMA, "config.md");
}

#[test]
fn the_readme_and_the_help_point_to_the_reference() {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    assert!(readme.contains("(docs/reference/README.md)"));
    let out = run_in(&repo_root(), &["validate", "--help"]);
    assert!(stdout(&out).contains("docs/reference/"), "{}", stdout(&out));
    for page in [
        "language.md",
        "config.md",
        "commands.md",
        "codes.md",
        "scenarios.md",
    ] {
        assert!(reference(page).is_file(), "{page}");
    }
}
