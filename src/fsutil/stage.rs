//! A folder of pages filled while they are rendered and put in place whole at the end, so
//! that pages need not be held in memory until the last one is done. Until `commit` nothing
//! the user sees changes; a stage dropped uncommitted (a template error, an interrupt)
//! removes everything it made, including the output's parent folders it had to create.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::swap::{exchange, is_page_folder, link_tree, set_mode};

/// The mode of a page that replaces none (a temporary file would be private, 0600).
const PAGE_MODE: u32 = 0o644;

pub struct Stage {
    /// The output folder.
    dir: PathBuf,
    /// The hidden folder being filled; `None` once committed and kept.
    tmp: Option<tempfile::TempDir>,
    /// `dir` holds files other than pages (say `-o .`): it is never swapped away, the pages
    /// are moved into it one by one instead, from a stage inside it.
    in_place: bool,
    /// The pages written so far, relative to the stage.
    written: Mutex<Vec<PathBuf>>,
    /// Folders created to hold the stage, outermost first: removed again when uncommitted.
    made: Vec<PathBuf>,
}

impl Stage {
    /// Starts filling a new version of `dir`. When `dir` is a folder of pages its pages are
    /// linked into the stage first, so pages this run does not rewrite are kept.
    pub fn begin(dir: &Path) -> io::Result<Stage> {
        let in_place = dir.exists() && !is_page_folder(dir);
        let home = if in_place {
            dir.to_path_buf()
        } else {
            match dir.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            }
        };
        let made = make_dirs(&home)?;
        let name = dir
            .file_name()
            .map_or("out".into(), |n| n.to_string_lossy());
        let tmp = tempfile::Builder::new()
            .prefix(&format!(".{name}.new."))
            .tempdir_in(&home);
        let mut stage = Stage {
            dir: dir.to_path_buf(),
            tmp: None,
            in_place,
            written: Mutex::new(Vec::new()),
            made,
        };
        // From here on, dropping `stage` removes what was made.
        stage.tmp = Some(tmp?);
        if !in_place && dir.is_dir() {
            link_tree(dir, stage.path())?;
        }
        Ok(stage)
    }

    fn path(&self) -> &Path {
        self.tmp.as_ref().map_or(&self.dir, |t| t.path())
    }

    /// Writes one page (`rel` relative to the output folder). Safe to call from several
    /// threads at once for different pages.
    pub fn write(&self, rel: &Path, bytes: &[u8]) -> io::Result<()> {
        let path = self.path().join(rel);
        // Most pages sit at the top of the stage, which exists: no `mkdir` for them.
        if let Some(parent) = rel.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(self.path().join(parent))?;
        }
        let mode = unlink_old(&path)?;
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)?;
        file.write_all(bytes)?;
        set_file_mode(&file, mode)?;
        self.written
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(rel.to_path_buf());
        Ok(())
    }

    /// Puts the pages in place: every page is on disk first, then the stage takes the old
    /// folder's place in one rename (or, in place, each page replaces its file in one).
    pub fn commit(mut self) -> io::Result<()> {
        let mut rel = std::mem::take(self.written.get_mut().unwrap_or_else(|p| p.into_inner()));
        rel.sort();
        rel.dedup();
        let stage = self.path().to_path_buf();
        let staged: Vec<PathBuf> = rel.iter().map(|r| stage.join(r)).collect();
        if self.in_place {
            return self.move_in(&rel, &staged);
        }
        super::sync::sync_files(&staged)?;
        set_mode(&stage, &self.dir)?;
        if self.dir.exists() {
            // The stage now names the old folder, removed when `self` is dropped.
            exchange(&stage, &self.dir)?;
        } else {
            std::fs::rename(&stage, &self.dir)?;
            // The folder is in place: keep it.
            if let Some(tmp) = self.tmp.take() {
                let _ = tmp.keep();
            }
        }
        self.made.clear();
        Ok(())
    }

    /// Moves each staged page over its file in the output folder, which keeps its mode.
    fn move_in(mut self, rel: &[PathBuf], staged: &[PathBuf]) -> io::Result<()> {
        for (r, from) in rel.iter().zip(staged) {
            let file = std::fs::File::open(from)?;
            set_file_mode(&file, mode_of(&self.dir.join(r))?)?;
        }
        super::sync::sync_files(staged)?;
        self.made.clear();
        for (r, from) in rel.iter().zip(staged) {
            let to = self.dir.join(r);
            if let Some(parent) = to.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::rename(from, &to)?;
        }
        Ok(())
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        // The stage (or, after an exchange, the old folder) goes first, then the folders
        // made for it, innermost first; one that is no longer empty is someone else's now.
        drop(self.tmp.take());
        for d in self.made.iter().rev() {
            let _ = std::fs::remove_dir(d);
        }
    }
}

/// Creates `dir` and its missing parents, returning the folders created, outermost first.
fn make_dirs(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut missing = Vec::new();
    let mut at = Some(dir);
    while let Some(d) = at.filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
        missing.push(d.to_path_buf());
        at = d.parent();
    }
    missing.reverse();
    if let Err(e) = std::fs::create_dir_all(dir) {
        for d in missing.iter().rev() {
            let _ = std::fs::remove_dir(d);
        }
        return Err(e);
    }
    Ok(missing)
}

/// Removes the page at `path` if there is one (a link to the old folder's page, which must
/// not be written through) and returns the mode the new page keeps.
fn unlink_old(path: &Path) -> io::Result<u32> {
    let mode = mode_of(path)?;
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(mode),
    }
}

/// The mode of the file a page replaces, else the usual one for pages.
fn mode_of(path: &Path) -> io::Result<u32> {
    match std::fs::metadata(path) {
        #[cfg(unix)]
        Ok(m) => {
            use std::os::unix::fs::PermissionsExt;
            Ok(m.permissions().mode() & 0o7777)
        }
        #[cfg(not(unix))]
        Ok(_) => Ok(PAGE_MODE),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(PAGE_MODE),
        Err(e) => Err(e),
    }
}

fn set_file_mode(file: &std::fs::File, mode: u32) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = (file, mode);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn an_uncommitted_stage_leaves_nothing_not_even_the_parents_it_made() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("dist/x/handbook");
        let stage = Stage::begin(&dir).unwrap();
        stage.write(Path::new("roles/a.md"), b"a").unwrap();
        drop(stage);
        assert!(names(tmp.path()).is_empty(), "{:?}", names(tmp.path()));
    }

    #[test]
    fn the_old_folder_is_untouched_until_commit() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("handbook");
        let stage = Stage::begin(&dir).unwrap();
        stage.write(Path::new("a.md"), b"one").unwrap();
        stage.commit().unwrap();
        let stage = Stage::begin(&dir).unwrap();
        stage.write(Path::new("a.md"), b"two").unwrap();
        // Written through a link, the old page would already say "two".
        assert_eq!(std::fs::read(dir.join("a.md")).unwrap(), b"one");
        drop(stage);
        assert_eq!(std::fs::read(dir.join("a.md")).unwrap(), b"one");
        assert_eq!(names(tmp.path()), ["handbook"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_page_keeps_the_mode_of_the_page_it_replaces() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        for dir in [tmp.path().join("handbook"), tmp.path().to_path_buf()] {
            let stage = Stage::begin(&dir).unwrap();
            stage.write(Path::new("a.md"), b"one").unwrap();
            stage.commit().unwrap();
            assert_eq!(mode(&dir.join("a.md")), PAGE_MODE);
            let perms = std::fs::Permissions::from_mode(0o664);
            std::fs::set_permissions(dir.join("a.md"), perms).unwrap();
            let stage = Stage::begin(&dir).unwrap();
            stage.write(Path::new("a.md"), b"two").unwrap();
            stage.commit().unwrap();
            assert_eq!(mode(&dir.join("a.md")), 0o664);
            assert_eq!(std::fs::read(dir.join("a.md")).unwrap(), b"two");
        }
    }

    #[test]
    fn in_place_pages_move_in_and_the_stage_goes() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("notes.txt"), "mine").unwrap();
        let stage = Stage::begin(tmp.path()).unwrap();
        stage.write(Path::new("roles/r.md"), b"r").unwrap();
        stage.write(Path::new("a.md"), b"a").unwrap();
        assert_eq!(names(tmp.path()).len(), 2, "notes.txt and the stage");
        stage.commit().unwrap();
        assert_eq!(names(tmp.path()), ["a.md", "notes.txt", "roles"]);
        assert_eq!(std::fs::read(tmp.path().join("roles/r.md")).unwrap(), b"r");
    }
}
