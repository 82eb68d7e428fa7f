//! `docs/reference/codes.md`, written from the registry (`SOPCTL_BLESS=1 cargo test --test
//! reference` rewrites the file; the test keeps the two equal).

use std::fmt::Write;

use super::{all, Doc, Kind};

fn yaml_block(out: &mut String, heading: &str, yaml: &str) {
    let _ = write!(out, "{heading}:\n\n```yaml\n{}\n```\n\n", yaml.trim_end());
}

fn section(out: &mut String, d: &Doc) {
    let _ = write!(
        out,
        "### {}\n\n**{}.** {}\n\n{}",
        d.code, d.summary, d.what, d.why
    );
    let (example, fixed) = match d.kind {
        Kind::Lint {
            default_level,
            options,
        } => {
            let _ = write!(out, "\n\nDefault level: `{}`.", default_level.as_str());
            for o in options {
                let _ = write!(
                    out,
                    " Option `{}` (default {}): {}",
                    o.name, o.default, o.doc
                );
            }
            ("Flagged", "Instead")
        }
        Kind::Validation | Kind::Meta => ("Fails", "Fixed"),
    };
    out.push_str("\n\n");
    yaml_block(out, example, d.example);
    yaml_block(out, fixed, d.fixed);
    let _ = write!(out, "How to fix: {}\n\n", d.help);
}

/// The whole page: an introduction, then one section per code, grouped by kind.
pub fn reference_markdown() -> String {
    let mut out = String::from(
        "# Codes\n\n<!-- Written by `SOPCTL_BLESS=1 cargo test --test reference` from the code \
         registry; `sopctl explain CODE` prints the same text. -->\n\nEvery finding names a \
         code. Validation codes are errors (`yaml-syntax` on a special file can be a warning); \
         lint rules are warnings unless `sopctl.yaml` says otherwise (see \
         [config.md](config.md)). The other codes are about sopctl's own inputs: \
         `sopctl.yaml`, scenarios and `metadata.lint.allow` entries.\n\n",
    );
    let mut group = "";
    for d in all() {
        if d.kind.group() != group {
            group = d.kind.group();
            let _ = write!(out, "## {}{}\n\n", &group[..1].to_uppercase(), &group[1..]);
        }
        section(&mut out, d);
    }
    out.trim_end().to_string() + "\n"
}

/// The validation codes table of the README (between `<!-- validation-codes:start -->` and
/// `<!-- validation-codes:end -->`), so that the two cannot drift apart.
pub fn readme_table() -> String {
    let mut out = String::from("| code | when |\n|---|---|\n");
    for d in super::validation() {
        let _ = writeln!(out, "| `{}` | {} |", d.code, d.summary);
    }
    out
}
