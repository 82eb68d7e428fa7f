//! `asset-missing`: a media file does not exist.

use crate::check::shared::{media, resolve};
use crate::check::Ctx;
use crate::check::{Check, CodeDef};
use crate::codes::{Code, Doc, Kind};
use crate::diagnostic::Diagnostic;
use crate::model::Process;

pub const CODE: Code = &Doc {
    code: "asset-missing",
    kind: Kind::Validation,
    summary: "A media file does not exist",
    what: "A task's `media` lists a path, relative to the SOP file, where there is no file.",
    why: "The guide promises a picture or video that the handbook and the runtime cannot \
        show, so people do the step without the instructions meant for them.",
    example: include_str!("asset_missing/bad.yaml"),
    fixed: include_str!("asset_missing/fixed.yaml"),
    help: "Add the file at that path (relative to the SOP file), correct the path, or remove \
        the entry.",
};

pub const DEF: CodeDef = CodeDef {
    code: CODE,
    check: Check {
        project: None,
        process: Some(asset_missing),
    },
};

pub fn asset_missing(ctx: &Ctx, p: &Process) -> Vec<Diagnostic> {
    media(p)
        .filter_map(|(task, m)| {
            let rel = resolve(&p.file, &m.v)?;
            if ctx.root.join(&rel).is_file() {
                return None;
            }
            Some(ctx.error(
                CODE,
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

#[cfg(test)]
mod tests {
    #[test]
    fn example_fails_with_the_code_and_fixed_passes() {
        crate::check::testing::example_and_fix(super::CODE);
    }
}
