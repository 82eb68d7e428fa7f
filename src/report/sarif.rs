//! The `sarif` format: SARIF 2.1.0 as GitHub code scanning accepts it.

use std::collections::{BTreeMap, HashMap};

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::{prefixed_path, Indexed, Omitted, ReportOptions, RuleDoc};
use crate::diagnostic::{Diagnostic, Severity};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/sopctl/sopctl";

pub(super) fn render(
    diags: &[Diagnostic],
    sources: &Indexed,
    opts: &ReportOptions,
    omitted: &Omitted,
) -> String {
    // One rule per distinct code, sorted by id; a rule is an error if any of its results is.
    let mut levels: BTreeMap<&str, Severity> = BTreeMap::new();
    for d in diags {
        let level = levels.entry(&d.code).or_insert(d.severity);
        *level = (*level).min(d.severity);
    }
    let rule_index: HashMap<&str, usize> =
        levels.keys().enumerate().map(|(i, c)| (*c, i)).collect();
    let rules: Vec<Value> = levels
        .iter()
        .map(|(code, level)| rule(code, *level, (opts.rule_doc)(code)))
        .collect();

    // The n-th finding with the same hash in this run gets `:n`, so identical lines stay apart.
    let mut seen: HashMap<String, usize> = HashMap::new();
    let results: Vec<Value> = diags
        .iter()
        .map(|d| {
            let hash = line_hash(d, sources);
            let n = seen.entry(hash.clone()).or_insert(0);
            *n += 1;
            result(
                d,
                rule_index.get(d.code.as_str()).copied().unwrap_or(0),
                sources,
                opts,
            )
            .and_fingerprint(format!("{hash}:{n}"))
        })
        .collect();

    let mut sarif = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "sopctl",
                    "version": opts.tool_version,
                    "informationUri": INFORMATION_URI,
                    "rules": rules,
                }
            },
            "columnKind": "utf16CodeUnits",
            "results": results,
        }]
    });
    if omitted.total() > 0 {
        sarif["runs"][0]["properties"] = json!({ "omittedResults": omitted.total() });
    }
    // A `Value` always serializes.
    let mut out = serde_json::to_string_pretty(&sarif).unwrap_or_default();
    out.push('\n');
    out
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// The first non-empty text, so a missing or partial `RuleDoc` still gives readable rules.
fn first_text(candidates: &[&str]) -> String {
    candidates
        .iter()
        .find(|t| !t.trim().is_empty())
        .map_or_else(String::new, |t| t.to_string())
}

fn rule(code: &str, severity: Severity, doc: Option<RuleDoc>) -> Value {
    let doc = doc.unwrap_or_default();
    let summary = first_text(&[&doc.summary, code]);
    let full = first_text(&[&doc.full, &summary]);
    let help = first_text(&[&doc.help, &summary]);
    json!({
        "id": code,
        "name": camel_case(code),
        "helpUri": help_uri(code),
        "shortDescription": { "text": summary },
        "fullDescription": { "text": full },
        "help": { "text": help, "markdown": help },
        "defaultConfiguration": { "level": level(severity) },
    })
}

/// `unknown-status` → `UnknownStatus`: SARIF wants a name distinct from the id.
fn camel_case(code: &str) -> String {
    code.split(['-', '_'])
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect::<String>(),
                None => String::new(),
            }
        })
        .collect()
}

/// The code's entry in the reference of the repository sopctl comes from.
fn help_uri(code: &str) -> String {
    let repo = env!("CARGO_PKG_REPOSITORY").trim_end_matches('/');
    let base = if repo.is_empty() {
        INFORMATION_URI
    } else {
        repo
    };
    format!("{base}/blob/main/docs/reference/codes.md#{code}")
}

trait WithFingerprint {
    fn and_fingerprint(self, fingerprint: String) -> Value;
}

impl WithFingerprint for Value {
    fn and_fingerprint(mut self, fingerprint: String) -> Value {
        if let Some(obj) = self.as_object_mut() {
            obj.insert(
                "partialFingerprints".to_string(),
                json!({ "primaryLocationLineHash": fingerprint }),
            );
        }
        self
    }
}

fn result(d: &Diagnostic, rule_index: usize, sources: &Indexed, opts: &ReportOptions) -> Value {
    let text = match d.help.as_deref() {
        Some(help) if !help.is_empty() => format!("{}\n\n{}", d.message, help),
        _ => d.message.clone(),
    };
    let mut physical = json!({
        "artifactLocation": {
            "uri": percent_encode(&prefixed_path(opts.uri_prefix, &d.file)),
            "uriBaseId": "%SRCROOT%",
        }
    });
    if let (Some(region), Some(obj)) = (region(d, sources), physical.as_object_mut()) {
        obj.insert("region".to_string(), region);
    }
    json!({
        "ruleId": d.code,
        "ruleIndex": rule_index,
        "level": level(d.severity),
        "message": { "text": text },
        "locations": [{ "physicalLocation": physical }],
    })
}

/// The region in UTF-16 columns; `None` for a finding about a whole file (line 0).
fn region(d: &Diagnostic, sources: &Indexed) -> Option<Value> {
    let line = d.line();
    if line == 0 {
        return None;
    }
    let located = sources.locate(&d.file, d.span);
    let (start, end) = match located {
        Some(l) => (l.utf16_column(l.start_char), l.utf16_column(l.end_char)),
        None => {
            // Without the text, character columns are the best there is.
            let start = d.column().max(1);
            let end = if d.span.end.line == line && d.span.end.column > start {
                d.span.end.column
            } else {
                start + 1
            };
            (start, end)
        }
    };
    Some(json!({
        "startLine": line,
        "startColumn": start,
        "endLine": line,
        "endColumn": end,
    }))
}

/// sha256 of the code, the file and the trimmed source line, so an alert keeps its identity
/// when lines above it move. Without the text, the message stands in for the line.
fn line_hash(d: &Diagnostic, sources: &Indexed) -> String {
    let line = sources
        .locate(&d.file, d.span)
        .map_or(d.message.as_str(), |l| l.line_text.trim());
    let mut hasher = Sha256::new();
    for part in [d.code.as_str(), d.file.as_str(), line] {
        hasher.update(part.as_bytes());
        // A separator that cannot occur in the parts keeps ("ab","c") apart from ("a","bc").
        hasher.update([0u8]);
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// RFC 3986 path encoding: unreserved characters and `/` stay, every other byte of the UTF-8
/// text becomes `%XX`, so spaces, Chinese names, `:` and `#` cannot be misread.
fn percent_encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Pos, Span};
    use crate::report::tests::sources;
    use crate::report::SourceText;

    fn doc(code: &str) -> Option<RuleDoc> {
        (code == "unknown-status").then(|| RuleDoc {
            summary: "A reference names no status".into(),
            full: "A status id that no status of the process has.".into(),
            help: "Use one of the ids under `statuses`.".into(),
        })
    }

    fn sarif(diags: &[Diagnostic], srcs: &dyn SourceText, prefix: &str) -> Value {
        let opts = ReportOptions {
            color: false,
            tool_version: "1.2.3",
            uri_prefix: prefix,
            rule_doc: &doc,
        };
        let out = render(
            diags,
            &crate::report::Indexed::new(srcs),
            &opts,
            &Omitted::default(),
        );
        assert!(out.ends_with("}\n"));
        serde_json::from_str(&out).unwrap()
    }

    const TEXT: &str = "transitions:\n  - { from: 待审😀, to: shiped }\n";

    fn diags() -> Vec<Diagnostic> {
        vec![
            Diagnostic::error(
                "unknown-status",
                "sops/销售 发货.yaml",
                Span::new(Pos::new(2, 22), Pos::new(2, 28)),
                "unknown status `shiped`",
            )
            .with_help("did you mean `shipped`?"),
            Diagnostic::warning(
                "missing-owner",
                "sops/销售 发货.yaml",
                Span::default(),
                "no owner",
            ),
            Diagnostic::error(
                "bad-due",
                "sops/销售 发货.yaml",
                Span::point(Pos::new(2, 5)),
                "bad due",
            ),
        ]
    }

    #[test]
    fn required_structure() {
        let v = sarif(&diags(), &sources("sops/销售 发货.yaml", TEXT), "docs/p/");
        assert_eq!(v["$schema"], SCHEMA);
        assert_eq!(v["version"], "2.1.0");
        let run = &v["runs"][0];
        assert_eq!(v["runs"].as_array().unwrap().len(), 1);
        assert_eq!(run["columnKind"], "utf16CodeUnits");
        let driver = &run["tool"]["driver"];
        assert_eq!(driver["name"], "sopctl");
        assert_eq!(driver["version"], "1.2.3");
        assert!(driver["informationUri"]
            .as_str()
            .unwrap()
            .starts_with("https://"));
        let ids: Vec<&str> = driver["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["bad-due", "missing-owner", "unknown-status"]);
        for rule in driver["rules"].as_array().unwrap() {
            let id = rule["id"].as_str().unwrap();
            let name = rule["name"].as_str().unwrap();
            assert_ne!(name, id);
            assert_eq!(name.to_lowercase(), id.replace('-', ""));
            assert!(rule["helpUri"]
                .as_str()
                .unwrap()
                .ends_with(&format!("/docs/reference/codes.md#{id}")));
            for key in ["shortDescription", "fullDescription", "help"] {
                assert!(rule[key]["text"].is_string(), "{key}");
            }
            assert!(rule["help"]["markdown"].is_string());
        }
        let status_rule = &driver["rules"][2];
        assert_eq!(
            status_rule["shortDescription"]["text"],
            "A reference names no status"
        );
        assert_eq!(status_rule["defaultConfiguration"]["level"], "error");
        let owner_rule = &driver["rules"][1];
        assert_eq!(owner_rule["shortDescription"]["text"], "missing-owner");
        assert_eq!(owner_rule["defaultConfiguration"]["level"], "warning");

        let results = run["results"].as_array().unwrap();
        assert_eq!(results.len(), 3);
        let r = &results[0];
        assert_eq!(r["ruleId"], "unknown-status");
        assert_eq!(r["ruleIndex"], 2);
        assert_eq!(r["level"], "error");
        assert_eq!(
            r["message"]["text"],
            "unknown status `shiped`\n\ndid you mean `shipped`?"
        );
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(
            loc["artifactLocation"]["uri"],
            "docs/p/sops/%E9%94%80%E5%94%AE%20%E5%8F%91%E8%B4%A7.yaml"
        );
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        let hash = r["partialFingerprints"]["primaryLocationLineHash"]
            .as_str()
            .unwrap();
        assert!(hash.ends_with(":1") && hash.len() == 66, "{hash}");
        // A file-level finding has no region.
        assert_eq!(results[1]["level"], "warning");
        assert!(results[1]["locations"][0]["physicalLocation"]
            .get("region")
            .is_none());
    }

    #[test]
    fn utf16_columns_after_cjk_and_emoji() {
        let v = sarif(&diags(), &sources("sops/销售 发货.yaml", TEXT), "");
        // `  - { from: ` is 12 units, 待审 2, 😀 2 (a surrogate pair), `, to: ` 6: `shiped` at 23
        // although it is the 22nd character.
        let region = &v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
        assert_eq!(region["startLine"], 2);
        assert_eq!(region["startColumn"], 23);
        assert_eq!(region["endLine"], 2);
        assert_eq!(region["endColumn"], 29);
        // An empty span covers the token at its start: `{`.
        let region = &v["runs"][0]["results"][2]["locations"][0]["physicalLocation"]["region"];
        assert_eq!(
            (region["startColumn"].clone(), region["endColumn"].clone()),
            (json!(5), json!(6))
        );
    }

    #[test]
    fn character_columns_without_text() {
        let v = sarif(&diags(), &(), "");
        let region = &v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
        assert_eq!(region["startColumn"], 22);
        assert_eq!(region["endColumn"], 28);
    }

    #[test]
    fn fingerprints_survive_line_shifts_and_stay_distinct() {
        let d = |line| {
            Diagnostic::error(
                "bad-due",
                "a.yaml",
                Span::point(Pos::new(line, 3)),
                "bad due",
            )
        };
        let fp = |v: &Value, i: usize| {
            v["runs"][0]["results"][i]["partialFingerprints"]["primaryLocationLineHash"].clone()
        };
        let before = sarif(&[d(1)], &sources("a.yaml", "  due: soon\n"), "");
        let after = sarif(
            &[d(3)],
            &sources("a.yaml", "a: 1\nb: 2\n    due: soon\n"),
            "",
        );
        assert_eq!(fp(&before, 0), fp(&after, 0));
        let twice = sarif(&[d(1), d(2)], &sources("a.yaml", "due: x\ndue: x\n"), "");
        let (a, b) = (fp(&twice, 0), fp(&twice, 1));
        assert_ne!(a, b);
        assert_eq!(a.as_str().unwrap()[..64], b.as_str().unwrap()[..64]);
        assert!(b.as_str().unwrap().ends_with(":2"));
    }

    #[test]
    fn empty_run() {
        let v = sarif(&[], &(), "");
        assert_eq!(v["runs"][0]["results"], json!([]));
        assert_eq!(v["runs"][0]["tool"]["driver"]["rules"], json!([]));
    }

    #[test]
    fn percent_encoding() {
        assert_eq!(percent_encode("sops/a-b_c.~1.yaml"), "sops/a-b_c.~1.yaml");
        assert_eq!(percent_encode("a b,c:#%.yaml"), "a%20b%2Cc%3A%23%25.yaml");
        assert_eq!(percent_encode("发"), "%E5%8F%91");
    }
}
