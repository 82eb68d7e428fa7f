//! `asset-missing`, `asset-outside-project`: `media` paths are relative to the SOP file and
//! must stay inside the project folder. Links (`https://…`) are not checked.

use std::path::{Component, Path, PathBuf};

use super::Ctx;
use crate::diagnostic::Diagnostic;
use crate::model::{Process, Sp};

pub(super) fn is_link(s: &str) -> bool {
    s.contains("://")
}

/// The project-relative path of a media entry, or None when it leaves the project.
fn resolve(file: &str, media: &str) -> Option<PathBuf> {
    if Path::new(media).is_absolute() || media.starts_with('/') || media.starts_with('\\') {
        return None;
    }
    let mut parts: Vec<String> = Path::new(file)
        .parent()
        .map(|d| {
            d.components()
                .filter_map(|c| c.as_os_str().to_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    for c in Path::new(media).components() {
        match c {
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(parts.iter().collect())
}

fn media(p: &Process) -> impl Iterator<Item = (&str, &Sp<String>)> {
    p.tasks().flat_map(|(_, t)| {
        t.media
            .iter()
            .filter(|m| !is_link(&m.v))
            .map(move |m| (t.id.v.as_str(), m))
    })
}

pub fn asset_missing(ctx: &Ctx, p: &Process) -> Vec<Diagnostic> {
    media(p)
        .filter_map(|(task, m)| {
            let rel = resolve(&p.file, &m.v)?;
            if ctx.root.join(&rel).is_file() {
                return None;
            }
            Some(ctx.error(
                "asset-missing",
                &p.file,
                m.span,
                format!(
                    "task `{task}` shows `{}`, but there is no such file ({})",
                    m.v,
                    rel.display()
                ),
                "media paths are relative to the SOP file: add the file, or fix the path".into(),
            ))
        })
        .collect()
}

pub fn asset_outside_project(ctx: &Ctx, p: &Process) -> Vec<Diagnostic> {
    let root = ctx.root.canonicalize().ok();
    media(p)
        .filter_map(|(task, m)| {
            let escapes = match resolve(&p.file, &m.v) {
                None => true,
                // A link inside the project that points outside it escapes too.
                Some(rel) => match (ctx.root.join(rel).canonicalize(), &root) {
                    (Ok(real), Some(root)) => !real.starts_with(root),
                    _ => false,
                },
            };
            escapes.then(|| {
                ctx.error(
                    "asset-outside-project",
                    &p.file,
                    m.span,
                    format!("task `{task}` shows `{}`, which is outside the project folder", m.v),
                    "copy the file into the project (e.g. next to the SOP) and refer to it with a relative path, or use an https:// link".into(),
                )
            })
        })
        .collect()
}
