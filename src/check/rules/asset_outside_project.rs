//! `asset-outside-project`: a media path leaves the project folder.

use crate::check::shared::{media, resolve};
use crate::check::Ctx;
use crate::check::{Check, CodeDef};
use crate::codes::{Code, Doc, Kind};
use crate::diagnostic::Diagnostic;
use crate::model::Process;

pub const CODE: Code = &Doc {
    code: "asset-outside-project",
    kind: Kind::Validation,
    summary: "A media path leaves the project folder",
    what: "A task's `media` path, resolved relative to the SOP file, points outside the \
        project folder (for example through `..`).",
    why: "Only files inside the project are versioned with the SOP and shipped in the \
        handbook; a file elsewhere is missing for everyone else, and reading outside the \
        project is unsafe.",
    example: include_str!("asset_outside_project/bad.yaml"),
    fixed: include_str!("asset_outside_project/fixed.yaml"),
    help: "Copy the file into the project and refer to it from there, or link to it with an \
        `https://` URL.",
};

pub const DEF: CodeDef = CodeDef {
    code: CODE,
    check: Check {
        project: None,
        process: Some(asset_outside_project),
    },
};

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
                    CODE,
                    &p.file,
                    m.span,
                    format!("task `{task}` shows `{}`, which is outside the project folder", m.v),
                    "copy the file into the project (e.g. next to the SOP) and refer to it with a relative path, or use an https:// link".into(),
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn example_fails_with_the_code_and_fixed_passes() {
        crate::check::testing::example_and_fix(super::CODE);
    }
}
