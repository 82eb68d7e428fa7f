//! The pages' templates (shipped in the binary, overridable with `sopctl serve --templates
//! DIR`) and the helpers that turn a page's context into an HTML answer.

use std::path::Path;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde_json::Value;

use super::words::{catalogue, Lang};

/// The shipped page templates and assets, by file name.
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "base.html.j2",
        include_str!("../../../templates/app/base.html.j2"),
    ),
    (
        "macros.html.j2",
        include_str!("../../../templates/app/macros.html.j2"),
    ),
    (
        "work.html.j2",
        include_str!("../../../templates/app/work.html.j2"),
    ),
    (
        "task.html.j2",
        include_str!("../../../templates/app/task.html.j2"),
    ),
    (
        "approval.html.j2",
        include_str!("../../../templates/app/approval.html.j2"),
    ),
    (
        "record.html.j2",
        include_str!("../../../templates/app/record.html.j2"),
    ),
    (
        "new.html.j2",
        include_str!("../../../templates/app/new.html.j2"),
    ),
    (
        "board.html.j2",
        include_str!("../../../templates/app/board.html.j2"),
    ),
    (
        "login.html.j2",
        include_str!("../../../templates/app/login.html.j2"),
    ),
    (
        "message.html.j2",
        include_str!("../../../templates/app/message.html.j2"),
    ),
    ("app.css", include_str!("../../../templates/app/app.css")),
    ("app.js", include_str!("../../../templates/app/app.js")),
];

/// The template environment: shipped templates, then the files of `dir` replacing those of
/// the same name. A broken override is an error naming its file, found at start-up.
pub fn environment(dir: Option<&Path>) -> Result<Environment<'static>, String> {
    let mut env = Environment::new();
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_undefined_behavior(UndefinedBehavior::Chainable);
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".j2") {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    // Escape what HTML needs (`& < > " '`), not `/`: links stay readable in the source.
    env.set_formatter(|out, state, value| {
        if state.auto_escape() == AutoEscape::None || value.is_safe() {
            return minijinja::escape_formatter(out, state, value);
        }
        if value.is_none() || value.is_undefined() {
            return Ok(());
        }
        let text = value.to_string();
        let mut s = String::with_capacity(text.len());
        for c in text.chars() {
            match c {
                '&' => s.push_str("&amp;"),
                '<' => s.push_str("&lt;"),
                '>' => s.push_str("&gt;"),
                '"' => s.push_str("&quot;"),
                '\'' => s.push_str("&#39;"),
                c => s.push(c),
            }
        }
        out.write_str(&s).map_err(minijinja::Error::from)
    });
    let mut texts: Vec<(String, String)> = TEMPLATES
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
    if let Some(dir) = dir {
        for (name, text) in &mut texts {
            let path = dir.join(&*name);
            if path.is_file() {
                *text = std::fs::read_to_string(&path)
                    .map_err(|e| format!("cannot read template {}: {e}", path.display()))?;
            }
        }
    }
    for (name, text) in texts {
        let shown = dir.map(|d| d.join(&name).display().to_string());
        env.add_template_owned(name.clone(), text).map_err(|e| {
            format!(
                "template {} line {}: {e}",
                shown.unwrap_or(name),
                e.line().unwrap_or(0)
            )
        })?;
    }
    Ok(env)
}

/// A page answer: the template rendered with `ctx` plus the words of `lang`.
pub fn page(
    env: &Environment,
    name: &str,
    lang: Lang,
    mut ctx: Value,
    status: StatusCode,
) -> Response {
    ctx["t"] = serde_json::to_value(catalogue(lang)).unwrap_or_default();
    ctx["lang"] = Value::from(lang.code());
    match render(env, name, &ctx) {
        Ok(html) => (
            status,
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            html,
        )
            .into_response(),
        Err(e) => {
            eprintln!("page {name}: {e}");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                format!("the page template {name} failed: {e}"),
            )
                .into_response()
        }
    }
}

/// Renders one template to a string (also what the bench measures).
pub fn render(env: &Environment, name: &str, ctx: &Value) -> Result<String, String> {
    env.get_template(name)
        .and_then(|t| t.render(minijinja::Value::from_serialize(ctx)))
        .map_err(|e| match e.line() {
            Some(l) => format!("{e} (line {l})"),
            None => e.to_string(),
        })
}

/// A static asset from the environment's sources (CSS, JS), cached for a day.
pub fn asset(env: &Environment, name: &str, mime: &'static str) -> Response {
    let text = env
        .get_template(name)
        .ok()
        .map(|t| t.source().to_string())
        .unwrap_or_default();
    (
        [
            (header::CONTENT_TYPE, mime),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        text,
    )
        .into_response()
}

/// "See other": where a form sends the browser after it acted.
pub fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}
