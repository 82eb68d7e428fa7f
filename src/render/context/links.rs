//! Relative links between pages and to files beside the SOPs.

use super::*;

/// `a/b/../c` → `a/c`, lexically.
pub(super) fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// `to` relative to the folder `from`, both absolute.
pub(super) fn relative(from: &Path, to: &Path) -> PathBuf {
    let from: Vec<_> = normalize(from)
        .components()
        .map(|c| c.as_os_str().to_owned())
        .collect();
    let to: Vec<_> = normalize(to)
        .components()
        .map(|c| c.as_os_str().to_owned())
        .collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    for c in &to[common..] {
        out.push(c);
    }
    out
}

/// A path as a link target: `/` separators, the characters Markdown and URLs give meaning to
/// percent-encoded.
pub(super) fn href(p: &Path) -> String {
    let s = p
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/");
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            ' ' => out.push_str("%20"),
            '(' => out.push_str("%28"),
            ')' => out.push_str("%29"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            '"' => out.push_str("%22"),
            '#' => out.push_str("%23"),
            '?' => out.push_str("%3F"),
            '%' => out.push_str("%25"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        assert_eq!(
            relative(Path::new("/p/dist/handbook"), Path::new("/p/sops/a/g.md")),
            PathBuf::from("../../sops/a/g.md")
        );
        assert_eq!(
            relative(
                Path::new("/p/dist/handbook/roles"),
                Path::new("/p/dist/x.md")
            ),
            PathBuf::from("../../x.md")
        );
        assert_eq!(href(Path::new("a b/c(1).md")), "a%20b/c%281%29.md");
    }
}
