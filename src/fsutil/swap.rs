//! Writing a folder of pages so that an interrupted run leaves the old folder or the new one,
//! never a mix: the pages go into a hidden sibling folder (a `Stage`), which then takes the
//! old one's place in one rename.

use std::io;
use std::path::{Path, PathBuf};

use super::stage::Stage;

/// Files a handbook folder may hold. A folder with anything else (say `-o .` or `-o docs`) is
/// not swapped away: its pages are written in place instead.
const PAGE_EXTENSIONS: [&str; 6] = ["md", "html", "css", "svg", "png", "pdf"];

/// Writes `pages` (paths relative to `dir`) so that `dir` holds the old pages or all the new
/// ones. Pages already in `dir` that are not rewritten are kept.
pub fn write_pages<T: AsRef<[u8]>>(dir: &Path, pages: &[(PathBuf, T)]) -> io::Result<()> {
    let stage = Stage::begin(dir)?;
    for (rel, bytes) in pages {
        stage.write(rel, bytes.as_ref())?;
    }
    stage.commit()
}

/// True when every file below `dir` looks like a rendered page.
pub(super) fn is_page_folder(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().all(|e| match e.file_type() {
        Ok(t) if t.is_dir() => is_page_folder(&e.path()),
        Ok(t) if t.is_file() => e
            .path()
            .extension()
            .and_then(|x| x.to_str())
            .is_some_and(|x| PAGE_EXTENSIONS.contains(&x)),
        _ => false,
    })
}

/// Mirrors `from` into `to` with hard links (copies where links are not possible), so the
/// new folder keeps the pages this run does not rewrite. Rewriting a page replaces its link,
/// so the old folder's files are never changed.
pub(super) fn link_tree(from: &Path, to: &Path) -> io::Result<()> {
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let (src, dst) = (e.path(), to.join(e.file_name()));
        if e.file_type()?.is_dir() {
            std::fs::create_dir_all(&dst)?;
            link_tree(&src, &dst)?;
        } else if std::fs::hard_link(&src, &dst).is_err() {
            std::fs::copy(&src, &dst)?;
        }
    }
    Ok(())
}

/// A temporary folder is private (0700); the output gets the mode of the folder it replaces,
/// or the usual 0755.
pub(super) fn set_mode(stage: &Path, like: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(like)
            .map(|m| m.permissions().mode() & 0o7777)
            .unwrap_or(0o755);
        std::fs::set_permissions(stage, std::fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = (stage, like);
    Ok(())
}

/// Swaps two folders in one step where the system can (Linux `RENAME_EXCHANGE`), otherwise
/// in two renames, which leave a moment with only the old folder set aside.
pub(super) fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::ffi::CString;
        use std::os::unix::ffi::OsStrExt;
        let ca = CString::new(a.as_os_str().as_bytes())?;
        let cb = CString::new(b.as_os_str().as_bytes())?;
        // SAFETY: both are valid NUL-terminated paths; AT_FDCWD resolves them as given.
        let rc = unsafe {
            libc::renameat2(
                libc::AT_FDCWD,
                ca.as_ptr(),
                libc::AT_FDCWD,
                cb.as_ptr(),
                libc::RENAME_EXCHANGE,
            )
        };
        if rc == 0 {
            return Ok(());
        }
        let err = io::Error::last_os_error();
        if !matches!(err.raw_os_error(), Some(libc::EINVAL) | Some(libc::ENOSYS)) {
            return Err(err);
        }
    }
    let aside = a.with_extension("old");
    std::fs::rename(b, &aside)?;
    std::fs::rename(a, b)?;
    std::fs::rename(&aside, a)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pages(names: &[&str], text: &str) -> Vec<(PathBuf, String)> {
        names
            .iter()
            .map(|n| (PathBuf::from(n), text.to_string()))
            .collect()
    }

    fn leftovers(parent: &Path) -> Vec<String> {
        std::fs::read_dir(parent)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with('.'))
            .collect()
    }

    #[test]
    fn new_folder_then_swapped_folder_without_leftovers() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("handbook");
        write_pages(&dir, &pages(&["a.md", "roles/x.md"], "one")).unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.join("roles/x.md")).unwrap(),
            "one"
        );
        write_pages(&dir, &pages(&["a.md"], "two")).unwrap();
        assert_eq!(std::fs::read_to_string(dir.join("a.md")).unwrap(), "two");
        // A page this run did not write is kept, unchanged.
        assert_eq!(
            std::fs::read_to_string(dir.join("roles/x.md")).unwrap(),
            "one"
        );
        assert!(
            leftovers(tmp.path()).is_empty(),
            "{:?}",
            leftovers(tmp.path())
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o755);
        }
    }

    #[test]
    fn a_folder_with_other_files_is_written_in_place() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("notes.txt"), "mine").unwrap();
        write_pages(tmp.path(), &pages(&["a.md"], "x")).unwrap();
        assert_eq!(
            std::fs::read_to_string(tmp.path().join("notes.txt")).unwrap(),
            "mine"
        );
        assert_eq!(
            std::fs::read_to_string(tmp.path().join("a.md")).unwrap(),
            "x"
        );
    }
}
