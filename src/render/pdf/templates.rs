//! The typst templates of the printed manuals: shipped ones compiled into the binary, and any
//! `.typ` file in `<templates>/pdf/` replacing the shipped one of the same name (or adding a
//! module the others may import).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::render::RenderError;

/// The shipped print templates, by file name.
pub const SHIPPED: &[(&str, &str)] = &[
    (
        "common.typ",
        include_str!("../../../templates/pdf/common.typ"),
    ),
    (
        "process.typ",
        include_str!("../../../templates/pdf/process.typ"),
    ),
    ("role.typ", include_str!("../../../templates/pdf/role.typ")),
    (
        "index.typ",
        include_str!("../../../templates/pdf/index.typ"),
    ),
    (
        "cards.typ",
        include_str!("../../../templates/pdf/cards.typ"),
    ),
];

/// Overrides are read from this sub-folder of `--templates` / `render.templates`.
pub const SUBDIR: &str = "pdf";

/// At most this many bytes are read from one override (a template, not a data file).
const MAX_TEMPLATE_BYTES: u64 = 1024 * 1024;

pub struct Templates {
    texts: BTreeMap<String, String>,
    overridden: BTreeMap<String, PathBuf>,
}

impl Templates {
    /// The shipped templates with the `.typ` files of `dir/pdf/` over them (when it exists).
    pub fn load(dir: Option<&Path>) -> Result<Templates, RenderError> {
        let mut t = Templates {
            texts: SHIPPED
                .iter()
                .map(|(n, s)| (n.to_string(), s.to_string()))
                .collect(),
            overridden: BTreeMap::new(),
        };
        let Some(dir) = dir.map(|d| d.join(SUBDIR)).filter(|d| d.is_dir()) else {
            return Ok(t);
        };
        let entries = std::fs::read_dir(&dir).map_err(|e| RenderError::Setup {
            message: format!("cannot read the templates folder `{}`: {e}", dir.display()),
            help: "check the folder's permissions".into(),
        })?;
        let mut files: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        files.sort();
        for path in files {
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if !path.is_file() || !name.ends_with(".typ") {
                continue;
            }
            let name = name.to_string();
            t.texts.insert(name.clone(), read(&path)?);
            t.overridden.insert(name, path);
        }
        Ok(t)
    }

    pub fn all(&self) -> impl Iterator<Item = (&str, &str)> {
        self.texts.iter().map(|(n, s)| (n.as_str(), s.as_str()))
    }

    /// The file an override was read from.
    pub fn overridden(&self, name: &str) -> Option<&Path> {
        self.overridden.get(name).map(PathBuf::as_path)
    }
}

fn read(path: &Path) -> Result<String, RenderError> {
    let too_big = std::fs::metadata(path).is_ok_and(|m| m.len() > MAX_TEMPLATE_BYTES);
    if too_big {
        return Err(RenderError::Setup {
            message: format!("template `{}` is larger than 1 MiB", path.display()),
            help: "a print template is typst markup; keep data in the SOPs".into(),
        });
    }
    std::fs::read_to_string(path).map_err(|e| RenderError::Setup {
        message: format!("cannot read template `{}`: {e}", path.display()),
        help: "templates are UTF-8 text files".into(),
    })
}
