//! Fonts for the PDFs: the folders given with `--font-dir` / `render.fonts` first, then the
//! system's fonts (fontconfig's folders, as typst's own command line finds them). Typst
//! embeds a subset of each font it uses. Before anything is laid out, every character of the
//! text is checked against the fonts found, so a missing CJK font is one clear error and never
//! a page of empty boxes.

use std::collections::BTreeSet;
use std::path::PathBuf;

use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst_kit::fonts::FontStore;

use crate::render::RenderError;

/// The body fonts preferred, in order: Chinese first (they carry Latin letters too), then
/// Latin ones. Only those installed are used; typst falls back to any other installed font
/// that has a character none of these has.
const PREFERRED: &[&str] = &[
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Noto Sans SC",
    "Noto Serif CJK SC",
    "Source Han Serif SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Droid Sans Fallback",
    "AR PL UMing CN",
    "Noto Sans",
    "DejaVu Sans",
    "Liberation Sans",
];

/// The Debian package the error names, and what it installs.
pub const CJK_PACKAGE: &str = "fonts-noto-cjk";
pub const CJK_FAMILY: &str = "Noto Sans CJK SC";

pub struct Fonts {
    store: FontStore,
    /// The families the templates ask for (`data.fonts`), installed ones only.
    families: Vec<String>,
}

impl Fonts {
    /// Scans `dirs` (each recursively), then the system's fonts unless `system` is false.
    pub fn load(dirs: &[PathBuf], system: bool) -> Result<Fonts, RenderError> {
        let mut store = FontStore::new();
        let mut own: Vec<String> = Vec::new();
        for dir in dirs {
            if !dir.is_dir() {
                return Err(RenderError::Setup {
                    message: format!("font folder `{}` does not exist", dir.display()),
                    help: "pass an existing folder of .ttf/.otf/.ttc files to --font-dir (or fix \
                           `render.fonts` in sopctl.yaml)"
                        .into(),
                });
            }
            for (path, info) in typst_kit::fonts::scan(dir) {
                if !own.contains(&info.family) {
                    own.push(info.family.clone());
                }
                store.push((path, info));
            }
        }
        if system {
            store.extend(typst_kit::fonts::system());
        }
        let book = store.book();
        let mut families = own;
        for f in PREFERRED {
            if book.contains_family(&f.to_lowercase()) && !families.iter().any(|x| x == f) {
                families.push(f.to_string());
            }
        }
        Ok(Fonts { store, families })
    }

    pub fn book(&self) -> &LazyHash<FontBook> {
        self.store.book()
    }

    pub fn font(&self, index: usize) -> Option<Font> {
        self.store.font(index)
    }

    pub fn families(&self) -> &[String] {
        &self.families
    }

    /// Fails, naming the first characters no font has, when some text cannot be shown.
    pub fn check(&self, chars: &BTreeSet<char>, dirs: &[PathBuf]) -> Result<(), RenderError> {
        let book = self.store.book();
        let covered = |c: char| {
            (0..)
                .map_while(|i| book.info(i))
                .any(|info| info.coverage.contains(c as u32))
        };
        let mut missing: Vec<char> = chars
            .iter()
            .copied()
            .filter(|c| !c.is_whitespace() && !c.is_control() && !is_invisible(*c))
            .filter(|c| !covered(*c))
            .collect();
        // Chinese characters first, words before punctuation: when they are missing, the fix
        // is a CJK font, and the message should show them rather than the Latin letters or
        // the 、。《 a bare font folder also lacks.
        missing.sort_by_key(|c| (!crate::render::markdown::is_cjk(*c), !c.is_alphabetic()));
        if missing.is_empty() {
            return Ok(());
        }
        let shown: Vec<String> = missing
            .iter()
            .take(5)
            .map(|c| format!("「{c}」 (U+{:04X})", *c as u32))
            .collect();
        let more = match missing.len() {
            n if n > 5 => format!(" and {} more", n - 5),
            _ => String::new(),
        };
        let cjk = missing.iter().any(|c| crate::render::markdown::is_cjk(*c));
        let searched = searched(dirs);
        Err(RenderError::Setup {
            message: format!(
                "no installed font has the characters {}{more}: the PDFs would show empty boxes",
                shown.join(", ")
            ),
            help: if cjk {
                format!(
                    "install a Chinese font, e.g. {CJK_FAMILY} from Debian's `{CJK_PACKAGE}` \
                     (`apt-get install {CJK_PACKAGE}`), or pass a folder holding one with \
                     --font-dir (searched: {searched})"
                )
            } else {
                format!(
                    "install a font that has them, or pass a folder holding one with --font-dir \
                     (searched: {searched})"
                )
            },
        })
    }
}

/// Joiners, variation selectors and the like: never drawn, so no font needs them.
fn is_invisible(c: char) -> bool {
    matches!(c as u32, 0x200B..=0x200F | 0x2060..=0x206F | 0xFE00..=0xFE0F | 0xFEFF)
}

fn searched(dirs: &[PathBuf]) -> String {
    let mut v: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
    if !super::system_fonts_disabled() {
        v.push("the system's fonts".into());
    }
    if v.is_empty() {
        return "nothing".into();
    }
    v.join(", ")
}
