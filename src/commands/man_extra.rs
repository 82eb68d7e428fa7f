//! The man page sections clap does not know: EXIT STATUS, ENVIRONMENT, EXAMPLES and SEE ALSO,
//! per command, in roff (escaped by the `roff` crate).

use roff::{bold, roman, Roff};

/// The environment variables sopctl reads, with what they do.
const ENVIRONMENT: [(&str, &str); 8] = [
    ("NO_COLOR", "When set and not empty, human output is never coloured (as with --color never)."),
    ("LC_ALL, LC_MESSAGES, LANG", "The first one set chooses the language of YAML syntax messages when sopctl.yaml sets no render.language: Chinese for zh…, English otherwise."),
    ("SOPCTL_NOW", "An RFC 3339 date-time that lint (stale-review) takes as now, for reproducible runs."),
    ("SOPCTL_NO_GIT", "When set and not empty, render reads no git history (reproducible handbooks)."),
    ("SOPCTL_ADMIN_TOKEN", "The admin token of serve: it may do everything, including apply."),
    ("SOPCTL_TOKEN", "The token apply and review send to the runtime (the admin token, or a person's)."),
    ("SOPCTL_USER_TOKENS", "For tests and small setups: serve's people tokens as token=user:role1,role2;…"),
    ("SOPCTL_BUILD_COMMIT", "At build time only: the commit recorded in the version when built outside git."),
];

/// What each exit code means for a command (by its name as clap knows it).
fn exit_status(command: &str) -> [(&'static str, String); 3] {
    let one = match command {
        "sopctl" => "findings that fail the command (see each command's page)",
        "validate" => "a validation error was found",
        "lint" => "a validation error or an error-level lint finding (or any warning with --deny-warnings)",
        "build" => "the sources do not validate, so nothing was written; with --check, the bundle is stale",
        "render" => "the SOPs do not validate, so no handbook was written",
        "diff" => "a change at or above the --fail-on severity",
        "test" => "a scenario failed, or coverage is below --min-coverage",
        "apply" => "the runtime refused the bundle, or a change needs confirming",
        _ => "the command could not do what was asked (see its message)",
    };
    [
        ("0", "Success: nothing to report.".to_string()),
        ("1", format!("{}{}.", one[..1].to_uppercase(), &one[1..])),
        ("2", "Usage, I/O or configuration error (a broken sopctl.yaml, a missing file): nothing was checked.".to_string()),
    ]
}

/// Command lines worth copying, with a sentence each.
fn examples(command: &str) -> Vec<(&'static str, &'static str)> {
    match command {
        "sopctl" => vec![
            (
                "sopctl init my-sops",
                "Start a project that passes validate, lint and test.",
            ),
            (
                "sopctl validate && sopctl lint",
                "Check every SOP of the project in the current folder.",
            ),
            (
                "sopctl explain unknown-status",
                "Explain a finding's code, with a failing and a fixed example.",
            ),
        ],
        "validate" => vec![
            ("sopctl validate", "Check the whole project."),
            (
                "sopctl validate sops/采购/采购申请.yaml",
                "Show only the findings of one file (the project is still loaded).",
            ),
            (
                "sopctl validate --format sarif > validate.sarif",
                "Findings for GitHub code scanning.",
            ),
        ],
        "lint" => vec![
            ("sopctl lint --deny-warnings", "Fail on warnings too."),
            (
                "sopctl lint --format sarif > sopctl.sarif",
                "Validation and lint findings in one SARIF file.",
            ),
        ],
        "build" => vec![
            ("sopctl build", "Write dist/bundle.json."),
            (
                "sopctl build --check dist/bundle.json",
                "Verify that a committed bundle matches the sources.",
            ),
        ],
        "render" => vec![(
            "sopctl render --format html -o site",
            "Self-contained HTML handbooks in site/.",
        )],
        "diff" => vec![
            (
                "sopctl diff --base origin/main --fail-on breaking",
                "What a branch changes, failing on a breaking change.",
            ),
            (
                "sopctl diff --base HEAD~1 --format markdown",
                "The last commit's changes as Markdown.",
            ),
        ],
        "test" => vec![(
            "sopctl test --min-coverage 100",
            "Run every scenario; every transition must be taken.",
        )],
        "explain" => vec![(
            "sopctl explain yaml-syntax",
            "The documentation of one code.",
        )],
        "serve" => vec![(
            "SOPCTL_ADMIN_TOKEN=secret sopctl serve --listen 127.0.0.1:7070",
            "Run the runtime on the project's bundle.",
        )],
        "init" => vec![("sopctl init my-sops", "Create the project in my-sops/.")],
        _ => vec![],
    }
}

/// The extra sections of one command's page.
pub fn sections(command: &str) -> String {
    let mut r = Roff::new();
    r.control("SH", ["EXIT STATUS"]);
    for (code, meaning) in exit_status(command) {
        r.control("TP", [])
            .text([bold(code)])
            .text([roman(meaning)]);
    }
    r.control("SH", ["ENVIRONMENT"]);
    for (name, meaning) in ENVIRONMENT {
        r.control("TP", [])
            .text([bold(name)])
            .text([roman(meaning)]);
    }
    let ex = examples(command);
    if !ex.is_empty() {
        r.control("SH", ["EXAMPLES"]);
        for (line, what) in ex {
            r.control("TP", []).text([bold(line)]).text([roman(what)]);
        }
    }
    r.control("SH", ["SEE ALSO"]);
    r.text([roman(
        "The language and command reference in the sopctl repository: docs/reference/ (language.md, config.md, commands.md, codes.md, scenarios.md); sopctl explain CODE for one finding.",
    )]);
    // `render` defines the apostrophe string again: harmless, and "don't" stays an apostrophe.
    r.render()
}
