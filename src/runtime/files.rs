//! Uploaded files: stored by the SHA-256 of their bytes under the server's data folder
//! (`--data DIR`, by default `<database file>.files/` beside the database), written to a
//! temporary file in the same folder, synced and renamed, so a file is whole or absent.
//! A `file` field holds one id (`sha256:<hex>`), a `files` field a list of them.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::storage::Store;
use crate::bundle::Process;
use crate::engine::{error as ecode, EngineError};

/// The default bound on one upload (`--max-upload`).
pub const DEFAULT_MAX_UPLOAD: usize = 20 * 1024 * 1024;

pub struct FileStore {
    dir: PathBuf,
    pub max_upload: usize,
}

/// `sha256:` and 64 lowercase hex digits.
pub fn is_file_id(s: &str) -> bool {
    s.strip_prefix("sha256:").is_some_and(|h| {
        h.len() == 64
            && h.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

impl FileStore {
    /// Opens (creating) the data folder.
    pub fn open(dir: &Path, max_upload: usize) -> std::io::Result<FileStore> {
        std::fs::create_dir_all(dir)?;
        Ok(FileStore {
            dir: dir.to_path_buf(),
            max_upload,
        })
    }

    /// The default data folder for a database file: `<db>.files` beside it.
    pub fn default_dir(db: &Path) -> PathBuf {
        let mut name = db.file_name().unwrap_or_default().to_os_string();
        name.push(".files");
        db.with_file_name(name)
    }

    /// Stores the bytes (once: the same bytes are the same file) and returns their id.
    pub fn put(&self, bytes: &[u8]) -> std::io::Result<String> {
        let hex = format!("{:x}", Sha256::digest(bytes));
        let path = self.dir.join(&hex);
        if !path.exists() {
            let mut tmp = tempfile::NamedTempFile::new_in(&self.dir)?;
            tmp.write_all(bytes)?;
            tmp.as_file().sync_all()?;
            tmp.persist(&path).map_err(|e| e.error)?;
            // The rename is durable once the folder is synced too.
            if let Ok(d) = std::fs::File::open(&self.dir) {
                let _ = d.sync_all();
            }
        }
        Ok(format!("sha256:{hex}"))
    }

    /// Where a stored file's bytes are; None for an id that is not one.
    pub fn path(&self, id: &str) -> Option<PathBuf> {
        is_file_id(id).then(|| self.dir.join(&id["sha256:".len()..]))
    }
}

/// The file ids a record's values hold, for the `file`/`files` fields of its process.
pub fn file_ids(p: &Process, fields: &BTreeMap<String, Value>) -> Vec<String> {
    let mut out = vec![];
    for f in p
        .fields
        .iter()
        .filter(|f| f.ty == "file" || f.ty == "files")
    {
        match fields.get(&f.id) {
            Some(Value::String(s)) => out.push(s.clone()),
            Some(Value::Array(a)) => {
                out.extend(a.iter().filter_map(Value::as_str).map(String::from))
            }
            _ => {}
        }
    }
    out
}

/// Every `file`/`files` value written must be the id of a stored file: the engine checks only
/// the shape, the store knows what was uploaded. An unknown id is `invalid-value` naming the
/// field.
pub fn check_values(
    store: &Store,
    p: &Process,
    fields: &BTreeMap<String, Value>,
) -> Result<(), EngineError> {
    for f in p
        .fields
        .iter()
        .filter(|f| f.ty == "file" || f.ty == "files")
    {
        let ids: Vec<&str> = match fields.get(&f.id) {
            None | Some(Value::Null) => continue,
            Some(Value::String(s)) => vec![s.as_str()],
            Some(Value::Array(a)) if f.ty == "files" => {
                a.iter().map(|v| v.as_str().unwrap_or("")).collect()
            }
            Some(_) => vec![""],
        };
        for id in ids {
            let known = is_file_id(id) && store.file(id).ok().flatten().is_some();
            if !known {
                let mut e = EngineError::new(
                    ecode::INVALID_VALUE,
                    format!(
                        "{} ({}) takes the id of an uploaded file (POST /v1/files), not `{id}`",
                        f.title, f.id
                    ),
                );
                e.fields = vec![f.title.clone()];
                return Err(e);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_content_addressed_and_written_whole() {
        let dir = tempfile::tempdir().unwrap();
        let fs = FileStore::open(&dir.path().join("data"), 10).unwrap();
        let a = fs.put(b"hello").unwrap();
        assert_eq!(a, fs.put(b"hello").unwrap());
        assert!(is_file_id(&a));
        assert_eq!(std::fs::read(fs.path(&a).unwrap()).unwrap(), b"hello");
        assert!(fs.path("sha256:../../etc/passwd").is_none());
        let leftovers = std::fs::read_dir(dir.path().join("data")).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file is left behind");
        assert_eq!(
            FileStore::default_dir(Path::new("/x/sopctl.db")),
            PathBuf::from("/x/sopctl.db.files")
        );
    }
}
