//! The `--format` of each command: a typed value listing only what that command prints, so
//! `--help` and shell completion offer exactly those and anything else is a usage error (2).

use std::ffi::OsStr;
use std::marker::PhantomData;

use clap::builder::{PossibleValue, TypedValueParser};
use clap::error::ErrorKind;
use clap::ValueEnum;

use crate::report::Format;

/// A command's `--format` values, and how its usage error names them.
pub trait FormatValue: ValueEnum + Clone + Send + Sync + 'static {
    /// Completes "--format xml is not …", e.g. `a findings format`; `{cmd}` stands for the
    /// command, e.g. `sopctl log`.
    const WHAT: &'static str;
}

/// Parses a [`FormatValue`]; an unknown value fails with the command's own wording.
#[derive(Clone)]
pub struct FormatParser<E>(PhantomData<E>);

impl<E: FormatValue> FormatParser<E> {
    pub fn new() -> Self {
        FormatParser(PhantomData)
    }
}

impl<E: FormatValue> Default for FormatParser<E> {
    fn default() -> Self {
        Self::new()
    }
}

/// `human, json, sarif or github`.
fn listed<E: FormatValue>() -> String {
    let names: Vec<String> = E::value_variants()
        .iter()
        .filter_map(|v| v.to_possible_value())
        .map(|v| v.get_name().to_string())
        .collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

impl<E: FormatValue> TypedValueParser for FormatParser<E> {
    type Value = E;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<E, clap::Error> {
        let text = value.to_string_lossy();
        E::from_str(&text, false).map_err(|_| {
            let command = cmd.get_bin_name().unwrap_or(cmd.get_name());
            let message = format!(
                "--format {text} is not {}\n\n  help: use {}\n",
                E::WHAT.replace("{cmd}", command),
                listed::<E>()
            );
            clap::Error::raw(ErrorKind::InvalidValue, message).with_cmd(cmd)
        })
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(
            E::value_variants()
                .iter()
                .filter_map(|v| v.to_possible_value()),
        ))
    }
}

/// Findings: `validate`, `lint`, `build`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum FindingsFormat {
    /// Grouped by file with snippets, on stderr (the default).
    #[default]
    Human,
    /// One JSON report on stdout.
    Json,
    /// SARIF 2.1.0 on stdout, for code scanning.
    Sarif,
    /// GitHub workflow annotations on stdout.
    Github,
}

impl FormatValue for FindingsFormat {
    const WHAT: &'static str = "a findings format";
}

impl From<FindingsFormat> for Format {
    fn from(f: FindingsFormat) -> Format {
        match f {
            FindingsFormat::Human => Format::Human,
            FindingsFormat::Json => Format::Json,
            FindingsFormat::Sarif => Format::Sarif,
            FindingsFormat::Github => Format::Github,
        }
    }
}

/// Human text on stderr, or one JSON object on stdout: `test`, `log`, `apply`, `init`, `token`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum HumanOrJson {
    /// Text for people, on stderr (the default).
    #[default]
    Human,
    /// One JSON object on stdout.
    Json,
}

impl HumanOrJson {
    pub fn is_json(self) -> bool {
        self == HumanOrJson::Json
    }
}

impl From<HumanOrJson> for Format {
    fn from(f: HumanOrJson) -> Format {
        match f {
            HumanOrJson::Human => Format::Human,
            HumanOrJson::Json => Format::Json,
        }
    }
}

impl FormatValue for HumanOrJson {
    const WHAT: &'static str = "an output format of `{cmd}`";
}

/// The pages of `render`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum HandbookFormat {
    /// Markdown pages (the default).
    #[default]
    #[value(alias = "md")]
    Markdown,
    /// Self-contained HTML pages.
    Html,
    /// Printed manuals: one PDF per process, a booklet per role, the index.
    Pdf,
    /// A6 task cards with QR codes: one PDF per process (per role with `--role`).
    Cards,
}

impl FormatValue for HandbookFormat {
    const WHAT: &'static str = "a handbook format";
}

/// The periodic review of `report`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum ReviewFormat {
    /// Markdown, charts as SVG files beside `-o` (the default).
    #[default]
    Markdown,
    /// One HTML page with the charts inline.
    Html,
}

impl FormatValue for ReviewFormat {
    const WHAT: &'static str = "a report format";
}

/// The changes of `diff`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// Grouped by process, on stderr (the default).
    #[default]
    Human,
    /// One JSON object on stdout.
    Json,
    /// A Markdown table, e.g. for a pull request's summary.
    Markdown,
}

impl FormatValue for DiffFormat {
    const WHAT: &'static str = "a diff format";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_values_as_a_sentence() {
        assert_eq!(listed::<FindingsFormat>(), "human, json, sarif or github");
        assert_eq!(listed::<HumanOrJson>(), "human or json");
    }

    #[test]
    fn refuses_other_values_in_the_commands_words() {
        let cmd = clap::Command::new("render");
        let p = FormatParser::<HandbookFormat>::new();
        assert_eq!(
            p.parse_ref(&cmd, None, OsStr::new("md")).unwrap(),
            HandbookFormat::Markdown
        );
        let e = p.parse_ref(&cmd, None, OsStr::new("sarif")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidValue);
        assert!(e
            .to_string()
            .contains("--format sarif is not a handbook format"));
    }
}
