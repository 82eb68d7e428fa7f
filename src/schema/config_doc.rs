//! The `sopctl.yaml` schema as editors see it, built from the lint rule registry: every rule
//! name under `lint.rules` with its own options, and every text in English and Chinese
//! (`markdownDescription`, shown by VS Code and the YAML language server; `description`
//! stays English for other tools). `schemas/sopctl-config.schema.json` is this document; a
//! test keeps them equal (`SOPCTL_BLESS=1` rewrites the file).

use serde_json::{json, Map, Value};

use crate::lint::{registry, Rule};

/// English and Chinese, as one Markdown text.
fn both(en: &str, zh: &str) -> String {
    format!("{en}\n\n{zh}")
}

fn described(mut v: Value, en: &str, zh: &str) -> Value {
    if let Some(o) = v.as_object_mut() {
        o.insert("description".into(), json!(en));
        o.insert("markdownDescription".into(), json!(both(en, zh)));
    }
    v
}

/// The Chinese text of a rule option.
fn option_zh(name: &str) -> &'static str {
    match name {
        "max" => "一个任务最多允许的检查项数。",
        "max_chars" => "一段操作指引最多允许的字数（按字符计，不按字节）。",
        _ => "规则选项。",
    }
}

/// What one rule accepts: a level, or `{ level, <its options> }`.
fn rule_schema(r: &Rule) -> Value {
    let mut props = Map::new();
    props.insert("level".into(), json!({ "$ref": "#/definitions/level" }));
    for o in r.options() {
        let en = format!(
            "{}{} Default {}.",
            o.doc[..1].to_uppercase(),
            &o.doc[1..],
            o.default
        );
        let zh = format!("{}默认 {}。", option_zh(o.name), o.default);
        let opt = json!({ "type": "integer", "minimum": 1, "default": o.default });
        props.insert(o.name.into(), described(opt, &en, &zh));
    }
    let takes = if r.options().is_empty() {
        "Only `level` can be set.".to_string()
    } else {
        let names: Vec<String> = r
            .options()
            .iter()
            .map(|o| format!("`{}`", o.name))
            .collect();
        format!("Options: {}.", names.join(", "))
    };
    let en = format!(
        "**{}**: {}. Default level: `{}`. {takes}",
        r.name(),
        r.doc.summary,
        r.default_level().as_str()
    );
    let zh = format!(
        "**{}**：{}。默认级别：`{}`。",
        r.name(),
        r.summary_zh,
        r.default_level().as_str()
    );
    let settings = json!({ "type": "object", "properties": props, "additionalProperties": false });
    described(
        json!({ "anyOf": [{ "$ref": "#/definitions/level" }, settings], "default": r.default_level().as_str() }),
        &en,
        &zh,
    )
}

fn lint_schema() -> Value {
    let rules: Map<String, Value> = registry()
        .iter()
        .map(|r| (r.name().to_string(), rule_schema(r)))
        .collect();
    let rules = described(
        json!({ "type": "object", "properties": rules, "additionalProperties": false }),
        "Lint rule → level (`off`, `warn`, `error`) or settings. E.g. `task-without-due: error`, `long-guide: { level: warn, max_chars: 400 }`.",
        "lint 规则 → 级别（`off` 关闭、`warn` 警告、`error` 错误）或设置。例如 `task-without-due: error`。",
    );
    let ignore = described(
        json!({
            "type": "object",
            "additionalProperties": { "type": "array", "items": { "enum": registry().iter().map(|r| r.name()).collect::<Vec<_>>() } }
        }),
        "Path glob → lint rules not reported for those files. E.g. `{ \"sops/legacy/**\": [missing-review] }`.",
        "路径通配 → 这些文件不报告的 lint 规则。例如 `{ \"sops/legacy/**\": [missing-review] }`。",
    );
    described(
        json!({ "type": "object", "properties": { "rules": rules, "ignore": ignore }, "additionalProperties": false }),
        "Lint rule levels and per-path exceptions.",
        "lint 规则的级别和按路径的例外。",
    )
}

fn level() -> Value {
    described(
        json!({
            "type": "string",
            "enum": ["off", "warn", "error"],
            "enumDescriptions": ["The rule is not run.", "Reported; fails only with --deny-warnings.", "Reported as an error: lint exits 1."],
            "markdownEnumDescriptions": [
                both("The rule is not run.", "不检查。"),
                both("Reported; fails only with `--deny-warnings`.", "报告为警告；只有加 `--deny-warnings` 时才算失败。"),
                both("Reported as an error: `sopctl lint` exits 1.", "报告为错误：`sopctl lint` 以 1 退出。"),
            ]
        }),
        "Level of a lint rule: `off`, `warn` (default) or `error`.",
        "lint 规则的级别：`off`（关闭）、`warn`（警告，默认）或 `error`（错误）。",
    )
}

fn language() -> Value {
    described(
        json!({
            "type": "string",
            "enum": ["zh", "en"],
            "enumDescriptions": ["Chinese", "English"],
            "markdownEnumDescriptions": [both("Chinese.", "中文。"), both("English.", "英文。")]
        }),
        "Language of handbook headings and of YAML syntax messages: `zh` or `en` (messages default to the locale).",
        "手册标题和 YAML 语法提示的语言：`zh` 或 `en`（提示默认跟随系统语言环境）。",
    )
}

/// The whole schema document.
pub fn document() -> Value {
    let sources = described(
        json!({ "type": "array", "items": { "type": "string" } }),
        "Globs of the SOP files, relative to the project root (default: `*.yaml`/`*.yml` under `sops/`). E.g. `[\"sops/**/*.yaml\"]`.",
        "SOP 文件的通配路径，相对于项目根目录（默认：`sops/` 下的 `*.yaml`/`*.yml`）。",
    );
    let render = described(
        json!({
            "type": "object",
            "properties": {
                "language": { "$ref": "#/definitions/language" },
                "templates": described(json!({ "type": "string" }),
                    "Folder of MiniJinja templates overriding the built-in ones by name. E.g. `templates`.",
                    "MiniJinja 模板目录，按文件名替换内置模板。例如 `templates`。"),
                "pdf": described(json!({ "type": "boolean" }),
                    "`sopctl build` also writes the printed manuals (one PDF per process, a booklet per role, the index) to `DIR/handbook/`. Default false.",
                    "`sopctl build` 同时生成打印版手册（每个流程一份 PDF、每个角色一本小册子、目录），写入 `DIR/handbook/`。默认 false。"),
                "cards": described(json!({ "type": "boolean" }),
                    "`sopctl build` also writes the A6 task cards to `DIR/handbook/cards/`. Default false.",
                    "`sopctl build` 同时生成 A6 任务卡，写入 `DIR/handbook/cards/`。默认 false。"),
                "server": described(json!({ "type": "string" }),
                    "Address of the runtime (`sopctl serve`) the QR codes on task cards and posters lead to. E.g. `https://sop.example.com`.",
                    "任务卡和海报上二维码指向的运行时（`sopctl serve`）地址。例如 `https://sop.example.com`。"),
                "fonts": described(json!({ "type": "string" }),
                    "Folder of fonts (.ttf/.otf/.ttc) for the PDFs, relative to the project root, used before the system's fonts. E.g. `fonts`.",
                    "PDF 所用字体（.ttf/.otf/.ttc）的目录，相对于项目根目录，优先于系统字体。例如 `fonts`。"),
            },
            "additionalProperties": false
        }),
        "Handbook rendering defaults.",
        "手册生成的默认设置。",
    );
    let apply = described(
        json!({
            "type": "object",
            "properties": {
                "server": described(json!({ "type": "string" }),
                    "URL of the runtime to push bundles to. E.g. `http://127.0.0.1:7070`.",
                    "`sopctl apply` 推送流程包的运行时地址。例如 `http://127.0.0.1:7070`。"),
            },
            "additionalProperties": false
        }),
        "Defaults for `sopctl apply`.",
        "`sopctl apply` 的默认设置。",
    );
    json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": "https://sopctl.dev/schemas/sopctl-config.schema.json",
        "title": "sopctl project configuration",
        "description": "The optional `sopctl.yaml` at the root of a sopctl project: sources, lint levels, rendering and the runtime server. See docs/reference/config.md.",
        "markdownDescription": both(
            "The optional `sopctl.yaml` at the root of a sopctl project: sources, lint levels, rendering and the runtime server. See docs/reference/config.md.",
            "sopctl 项目根目录下可选的 `sopctl.yaml`：源文件、lint 级别、手册生成和运行时地址。详见 docs/reference/config.md。",
        ),
        "type": "object",
        "properties": { "sources": sources, "lint": lint_schema(), "render": render, "apply": apply },
        "additionalProperties": false,
        "definitions": { "level": level(), "language": language() }
    })
}

/// The schema sopctl validates `sopctl.yaml` with: the same, except that rule names and
/// options under `lint` are left to the lint stage, which explains a wrong one better (a
/// did-you-mean, "cannot be configured", "takes no options").
pub fn lenient(mut doc: Value) -> Value {
    let lint = &mut doc["properties"]["lint"]["properties"];
    let settings = json!({
        "type": "object",
        "properties": { "level": { "$ref": "#/definitions/level" } },
        "additionalProperties": { "type": "integer", "minimum": 1 }
    });
    lint["rules"] = json!({
        "type": "object",
        "additionalProperties": {
            "if": { "type": "string" },
            "then": { "$ref": "#/definitions/level" },
            "else": settings
        }
    });
    lint["ignore"] = json!({ "type": "object", "additionalProperties": { "type": "array", "items": { "type": "string" } } });
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_file_is_this_document() {
        let text = serde_json::to_string_pretty(&document()).unwrap() + "\n";
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/schemas/sopctl-config.schema.json"
        );
        if std::env::var_os("SOPCTL_BLESS").is_some() {
            std::fs::write(path, &text).unwrap();
            return;
        }
        assert!(
            super::super::CONFIG_SCHEMA == text,
            "schemas/sopctl-config.schema.json is out of date: SOPCTL_BLESS=1 cargo test --lib schema::config_doc"
        );
    }

    #[test]
    fn every_rule_and_option_is_enumerated_in_both_languages() {
        let doc = document();
        let rules = &doc["properties"]["lint"]["properties"]["rules"];
        assert_eq!(rules["additionalProperties"], false);
        for r in registry() {
            let rule = &rules["properties"][r.name()];
            let md = rule["markdownDescription"].as_str().unwrap();
            assert!(
                md.contains(r.doc.summary) && md.contains(r.summary_zh),
                "{}",
                r.name()
            );
            assert_ne!(r.summary_zh, "lint 规则", "{} has Chinese words", r.name());
            for o in r.options() {
                assert!(
                    rule["anyOf"][1]["properties"][o.name].is_object(),
                    "{}",
                    o.name
                );
                assert_ne!(option_zh(o.name), "规则选项。");
            }
        }
        assert_eq!(
            doc["definitions"]["level"]["enumDescriptions"]
                .as_array()
                .unwrap()
                .len(),
            3
        );
    }
}
