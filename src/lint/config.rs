//! The `lint` section of `sopctl.yaml` (SPEC section 9):
//!
//! ```yaml
//! lint:
//!   rules:
//!     task-without-due: error                     # off | warn | error
//!     long-guide: { level: warn, max_chars: 400 } # level and the rule's options
//!   ignore: { "sops/legacy/**": [missing-review] }
//! ```
//!
//! The config schema has already checked the shapes; this adds what the schema cannot know:
//! rule names and the options each rule takes. Every problem is a `config` diagnostic at the
//! key at fault (exit 2).

use std::collections::HashMap;

use globset::{GlobBuilder, GlobMatcher};

use super::{lookup, registry, Level, Rule, ALLOW_BAD_RULE, ALLOW_WITHOUT_REASON};
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::load::{Node, Value};
use crate::suggest::did_you_mean;

#[derive(Debug, Clone, Default)]
struct RuleSetting {
    level: Option<Level>,
    options: HashMap<String, u64>,
}

#[derive(Debug, Clone)]
struct Ignore {
    matcher: GlobMatcher,
    rules: Vec<String>,
}

/// Levels, options and ignores, as configured.
#[derive(Debug, Clone, Default)]
pub struct LintConfig {
    rules: HashMap<String, RuleSetting>,
    ignore: Vec<Ignore>,
}

fn config_error(file: &str, node: &Node, message: String, help: String) -> Diagnostic {
    crate::codes::CONFIG
        .error(file, node.span, message)
        .with_help(help)
}

/// The help for an unknown rule name: a did-you-mean and the list of rules.
fn unknown_rule_help(name: &str) -> String {
    let names = registry().iter().map(|r| r.name());
    let mut help = match did_you_mean(name, names.clone()) {
        Some(s) => format!("did you mean `{s}`? "),
        None => String::new(),
    };
    help.push_str("lint rules: ");
    help.push_str(&names.collect::<Vec<_>>().join(", "));
    help
}

/// Checks that `key` names a configurable rule; returns the problem otherwise.
fn check_rule_name(file: &str, key: &Node, name: &str, place: &str) -> Option<Diagnostic> {
    if lookup(name).is_some() {
        return None;
    }
    if [ALLOW_WITHOUT_REASON, ALLOW_BAD_RULE]
        .iter()
        .any(|d| d.code == name)
    {
        return Some(config_error(
            file,
            key,
            format!("`{name}` in {place} cannot be configured"),
            format!("`{name}` reports a problem in a `metadata.lint.allow` entry and is always a warning; fix the entry instead"),
        ));
    }
    Some(config_error(
        file,
        key,
        format!("`{name}` in {place} is not a lint rule"),
        unknown_rule_help(name),
    ))
}

impl LintConfig {
    /// Reads the `lint` section of a loaded `sopctl.yaml` (no section: all defaults).
    pub fn from_config(config: &Config) -> Result<LintConfig, Vec<Diagnostic>> {
        let file = config.source.as_ref().map_or_else(
            || crate::config::FILE_NAME.to_string(),
            |s| s.path.to_string(),
        );
        LintConfig::parse(&file, config.lint.as_ref())
    }

    /// Reads a `lint` node; `file` is the config file's project-relative path.
    pub fn parse(file: &str, lint: Option<&Node>) -> Result<LintConfig, Vec<Diagnostic>> {
        let mut cfg = LintConfig::default();
        let mut errors = Vec::new();
        let Some(lint) = lint else {
            return Ok(cfg);
        };
        for (key, value) in lint.get("rules").and_then(Node::as_map).unwrap_or(&[]) {
            let Some(name) = key.as_str() else { continue };
            if let Some(e) = check_rule_name(file, key, name, "`lint.rules`") {
                errors.push(e);
                continue;
            }
            let Some(rule) = lookup(name) else { continue };
            let setting = rule_setting(file, rule, value, &mut errors);
            cfg.rules.insert(name.to_string(), setting);
        }
        for (key, value) in lint.get("ignore").and_then(Node::as_map).unwrap_or(&[]) {
            if let Some(ignore) = ignore_entry(file, key, value, &mut errors) {
                cfg.ignore.push(ignore);
            }
        }
        if errors.is_empty() {
            Ok(cfg)
        } else {
            Err(errors)
        }
    }

    /// The level of `rule` for findings in `file` (project-relative, `/` separators).
    pub fn level(&self, rule: &str, file: &str) -> Level {
        if self
            .ignore
            .iter()
            .any(|i| i.rules.iter().any(|r| r == rule) && i.matcher.is_match(file))
        {
            return Level::Off;
        }
        self.rules
            .get(rule)
            .and_then(|s| s.level)
            .or_else(|| lookup(rule).map(|r| r.default_level()))
            .unwrap_or(Level::Off)
    }

    /// A configured option of a rule, if set.
    pub fn option(&self, rule: &str, name: &str) -> Option<u64> {
        self.rules.get(rule)?.options.get(name).copied()
    }
}

/// A rule's setting under `lint.rules`: a level (`warn`), or `{ level, <option>: N }`.
fn rule_setting(
    file: &str,
    rule: &'static Rule,
    value: &Node,
    errors: &mut Vec<Diagnostic>,
) -> RuleSetting {
    let mut setting = RuleSetting::default();
    match &value.value {
        Value::Str(level) => setting.level = Level::parse(level),
        Value::Map(pairs) => {
            for (k, v) in pairs {
                let Some(opt) = k.as_str() else { continue };
                if opt == "level" {
                    setting.level = v.as_str().and_then(Level::parse);
                    continue;
                }
                match rule_option(file, rule, opt, k, v) {
                    Ok(n) => {
                        setting.options.insert(opt.to_string(), n);
                    }
                    Err(e) => errors.push(e),
                }
            }
        }
        _ => {}
    }
    setting
}

/// One numeric option of a rule, which must be one the rule has and a whole number ≥ 1.
fn rule_option(
    file: &str,
    rule: &'static Rule,
    opt: &str,
    key: &Node,
    value: &Node,
) -> Result<u64, Diagnostic> {
    let name = rule.name();
    let Some(option) = rule.option(opt) else {
        let takes = if rule.options().is_empty() {
            format!("`{name}` takes no options, only `level`")
        } else {
            let names: Vec<String> = rule
                .options()
                .iter()
                .map(|o| format!("`{}`", o.name))
                .collect();
            format!("`{name}` takes `level` and {}", names.join(", "))
        };
        let msg = format!("rule `{name}` has no option `{opt}`");
        return Err(config_error(file, key, msg, takes));
    };
    match value.value {
        Value::Int(n) if n >= 1 => Ok(n as u64),
        _ => Err(config_error(
            file,
            value,
            format!("`{opt}` of rule `{name}` must be a whole number of at least 1"),
            format!("e.g. `{name}: {{ {opt}: {} }}`", option.default),
        )),
    }
}

/// One `lint.ignore` entry: a glob and the rules switched off for the files it matches.
fn ignore_entry(
    file: &str,
    key: &Node,
    value: &Node,
    errors: &mut Vec<Diagnostic>,
) -> Option<Ignore> {
    let glob = key.as_str()?;
    let matcher = match GlobBuilder::new(glob).literal_separator(true).build() {
        Ok(g) => g.compile_matcher(),
        Err(e) => {
            errors.push(config_error(
                file,
                key,
                format!("`{glob}` in `lint.ignore` is not a valid glob: {e}"),
                "write a glob relative to the project folder, such as `sops/legacy/**`".into(),
            ));
            return None;
        }
    };
    let mut rules = Vec::new();
    for item in value.as_seq().unwrap_or(&[]) {
        let Some(name) = item.as_str() else { continue };
        match check_rule_name(file, item, name, "`lint.ignore`") {
            Some(e) => errors.push(e),
            None => rules.push(name.to_string()),
        }
    }
    Some(Ignore { matcher, rules })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{decode, parse_source};

    fn parse(yaml: &str) -> Result<LintConfig, Vec<Diagnostic>> {
        let src = decode("sopctl.yaml", yaml.as_bytes().to_vec()).unwrap();
        let docs = parse_source(&src).unwrap();
        LintConfig::parse("sopctl.yaml", docs[0].root.get("lint"))
    }

    fn errors(yaml: &str) -> Vec<(usize, usize, String, String)> {
        parse(yaml)
            .unwrap_err()
            .into_iter()
            .map(|d| (d.line(), d.column(), d.message, d.help.unwrap_or_default()))
            .collect()
    }

    #[test]
    fn levels_options_and_ignores() {
        let c = parse(
            "lint:
  rules:
    task-without-due: error
    missing-owner: off
    long-guide: { level: warn, max_chars: 400 }
    long-checklist: { max: 3 }
  ignore: { \"sops/legacy/**\": [missing-review, task-without-due] }
",
        )
        .unwrap();
        assert_eq!(c.level("task-without-due", "sops/a.yaml"), Level::Error);
        assert_eq!(
            c.level("task-without-due", "sops/legacy/a.yaml"),
            Level::Off
        );
        assert_eq!(
            c.level("missing-review", "sops/legacy/x/b.yaml"),
            Level::Off
        );
        assert_eq!(c.level("missing-review", "sops/a.yaml"), Level::Warn);
        assert_eq!(c.level("missing-owner", "sops/a.yaml"), Level::Off);
        assert_eq!(c.level("long-checklist", "sops/a.yaml"), Level::Warn);
        assert_eq!(c.option("long-guide", "max_chars"), Some(400));
        assert_eq!(c.option("long-checklist", "max"), Some(3));
        assert_eq!(c.option("long-checklist", "max_chars"), None);
    }

    #[test]
    fn separators_are_literal_in_ignore_globs() {
        let c = parse("lint:\n  ignore: { \"sops/*.yaml\": [missing-review] }\n").unwrap();
        assert_eq!(c.level("missing-review", "sops/a.yaml"), Level::Off);
        assert_eq!(c.level("missing-review", "sops/sub/a.yaml"), Level::Warn);
    }

    #[test]
    fn no_section_means_defaults() {
        let c = LintConfig::parse("sopctl.yaml", None).unwrap();
        assert_eq!(c.level("idle-status", "sops/a.yaml"), Level::Warn);
        assert_eq!(c.level("no-such-rule", "sops/a.yaml"), Level::Off);
    }

    #[test]
    fn unknown_rules_are_errors_at_the_key() {
        let e = errors(
            "lint:
  rules:
    task-without-dua: error
    long-guide: { max: 3 }
    missing-owner: { max_chars: 10 }
  ignore: { \"sops/**\": [idle-stat] }
",
        );
        assert_eq!(e.len(), 4, "{e:?}");
        assert_eq!((e[0].0, e[0].1), (3, 5));
        assert!(e[0].2.contains("`task-without-dua`"));
        assert!(e[0].3.starts_with("did you mean `task-without-due`?"));
        assert_eq!((e[1].0, e[1].1), (4, 19));
        assert_eq!(e[1].3, "`long-guide` takes `level` and `max_chars`");
        assert_eq!((e[2].0, e[2].1), (5, 22));
        assert_eq!(e[2].3, "`missing-owner` takes no options, only `level`");
        assert_eq!((e[3].0, e[3].1), (6, 25));
        assert!(e[3].3.starts_with("did you mean `idle-status`?"));
    }

    #[test]
    fn allow_codes_cannot_be_configured() {
        let e = errors("lint:\n  rules:\n    lint-allow-without-reason: off\n");
        assert!(e[0].2.contains("cannot be configured"), "{e:?}");
    }
}
