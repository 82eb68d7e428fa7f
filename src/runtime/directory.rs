//! The directory: who the people are (name, roles, how to reach them, their language).
//! Read from `sopctl serve --users FILE` (strict YAML, SPEC 12), merged with the people invited
//! at run time (the database's `directory_users`) and, for tests and small setups, the users
//! the tokens file or `SOPCTL_USER_TOKENS` names. The server swaps in a new snapshot when the
//! file changes or on SIGHUP; a bad file keeps the last good one.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::SystemTime;

use serde::Deserialize;

/// One person. `invited` marks people added at run time (not in the file).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DirUser {
    pub name: String,
    pub roles: Vec<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub feishu: Option<String>,
    pub dingtalk: Option<String>,
    /// `zh` or `en`; None means "the process's language".
    pub language: Option<String>,
    pub invited: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Directory {
    pub users: BTreeMap<String, DirUser>,
}

/// A directory problem, located in the file when it can be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryError {
    pub message: String,
    pub help: String,
}

impl std::fmt::Display for DirectoryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (help: {})", self.message, self.help)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    users: BTreeMap<String, RawUser>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUser {
    name: String,
    #[serde(default)]
    roles: Vec<String>,
    email: Option<String>,
    phone: Option<String>,
    feishu: Option<String>,
    dingtalk: Option<String>,
    language: Option<String>,
}

const HELP: &str = "a user is `id: { name: 张三, roles: [sales], email: …, phone: …, feishu: …, \
                    dingtalk: …, language: zh|en }` under `users:`";

/// Whether `id` follows the identifier rule `^[a-z][a-z0-9_-]*$`.
pub fn is_identifier(id: &str) -> bool {
    let mut c = id.chars();
    c.next().is_some_and(|f| f.is_ascii_lowercase())
        && c.all(|x| x.is_ascii_lowercase() || x.is_ascii_digit() || x == '_' || x == '-')
}

/// `zh`, `zh-CN`, `en`, `en-US`… → `zh` or `en`; None for languages messages are not written in.
pub fn language_of(tag: &str) -> Option<&'static str> {
    let base = tag
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    match base.as_str() {
        "zh" => Some("zh"),
        "en" => Some("en"),
        _ => None,
    }
}

/// 1-based line and column of the first line whose key is `key` (for problems serde cannot
/// place, such as a bad user id).
fn locate(text: &str, key: &str) -> (usize, usize) {
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let rest = trimmed
            .strip_prefix(key)
            .or_else(|| trimmed.strip_prefix(&format!("\"{key}\"")))
            .or_else(|| trimmed.strip_prefix(&format!("'{key}'")));
        if rest.is_some_and(|r| r.trim_start().starts_with(':')) {
            return (i + 1, line.len() - trimmed.len() + 1);
        }
    }
    (1, 1)
}

impl Directory {
    /// Parses the YAML text of a directory file; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Directory, DirectoryError> {
        let raw: RawFile = serde_yaml::from_str(text).map_err(|e| {
            let (line, col) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
            let msg = e.to_string();
            let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
            DirectoryError {
                message: format!("{file}:{line}:{col}: {msg}"),
                help: HELP.into(),
            }
        })?;
        let mut users = BTreeMap::new();
        for (id, u) in raw.users {
            let at = |what: &str, help: &str| {
                let (line, col) = locate(text, &id);
                DirectoryError {
                    message: format!("{file}:{line}:{col}: {what}"),
                    help: help.into(),
                }
            };
            if !is_identifier(&id) {
                return Err(at(
                    &format!("`{id}` is not a user id"),
                    "a user id is lower-case letters, digits, `-` and `_`, starting with a letter",
                ));
            }
            if u.name.trim().is_empty() {
                return Err(at(&format!("user `{id}` has an empty name"), HELP));
            }
            if let Some(l) = u.language.as_deref().filter(|l| language_of(l).is_none()) {
                return Err(at(
                    &format!("user `{id}`: messages are not written in `{l}`"),
                    "write `language: zh` or `language: en`, or leave it out for the process's",
                ));
            }
            users.insert(
                id,
                DirUser {
                    name: u.name,
                    roles: u.roles,
                    email: u.email,
                    phone: u.phone,
                    feishu: u.feishu,
                    dingtalk: u.dingtalk,
                    language: u
                        .language
                        .as_deref()
                        .and_then(language_of)
                        .map(String::from),
                    invited: false,
                },
            );
        }
        Ok(Directory { users })
    }

    /// Reads and parses a directory file.
    pub fn load(path: &Path) -> Result<Directory, DirectoryError> {
        let text = std::fs::read_to_string(path).map_err(|e| DirectoryError {
            message: format!("cannot read {}: {e}", path.display()),
            help: "check the path given to --users".into(),
        })?;
        Directory::parse(&path.display().to_string(), &text)
    }

    /// This directory with `others` added: people already here keep their entry, except that
    /// roles from `others` are added (the tokens file may name roles for tests).
    pub fn merged(mut self, others: impl IntoIterator<Item = (String, DirUser)>) -> Directory {
        for (id, u) in others {
            match self.users.get_mut(&id) {
                Some(known) => {
                    for r in u.roles {
                        if !known.roles.contains(&r) {
                            known.roles.push(r);
                        }
                    }
                }
                None => {
                    self.users.insert(id, u);
                }
            }
        }
        self
    }

    pub fn get(&self, id: &str) -> Option<&DirUser> {
        self.users.get(id)
    }

    /// user id → role ids: what the engine's `World` needs.
    pub fn roles_map(&self) -> BTreeMap<String, BTreeSet<String>> {
        self.users
            .iter()
            .map(|(id, u)| (id.clone(), u.roles.iter().cloned().collect()))
            .collect()
    }

    /// Of `roles`, those nobody in the directory holds, in the given order.
    pub fn unheld<'a>(&self, roles: impl IntoIterator<Item = &'a str>) -> Vec<String> {
        roles
            .into_iter()
            .filter(|r| !self.users.values().any(|u| u.roles.iter().any(|x| x == r)))
            .map(String::from)
            .collect()
    }
}

/// The live directory of a server: the file (if any), the invited people and the tokens
/// file's users, swapped as a whole so a reader never sees half an update.
pub struct DirectoryHandle {
    path: Option<PathBuf>,
    file: Mutex<FileState>,
    /// Users that come from elsewhere than the file (invited, tokens file).
    extra: Mutex<Vec<(String, DirUser)>>,
    current: RwLock<Arc<Directory>>,
}

#[derive(Default)]
struct FileState {
    directory: Directory,
    mtime: Option<SystemTime>,
    len: u64,
}

fn stamp(path: &Path) -> Option<(SystemTime, u64)> {
    let m = std::fs::metadata(path).ok()?;
    Some((m.modified().ok()?, m.len()))
}

impl DirectoryHandle {
    /// No file: only the people added with [`DirectoryHandle::set_extra`].
    pub fn empty() -> DirectoryHandle {
        DirectoryHandle {
            path: None,
            file: Mutex::new(FileState::default()),
            extra: Mutex::new(vec![]),
            current: RwLock::new(Arc::new(Directory::default())),
        }
    }

    /// Loads the file now; a bad file at start is an error (the server refuses to start).
    pub fn open(path: Option<&Path>) -> Result<DirectoryHandle, DirectoryError> {
        let mut file = FileState::default();
        if let Some(p) = path {
            let st = stamp(p);
            file.directory = Directory::load(p)?;
            file.mtime = st.map(|s| s.0);
            file.len = st.map_or(0, |s| s.1);
        }
        let h = DirectoryHandle {
            path: path.map(Path::to_path_buf),
            current: RwLock::new(Arc::new(file.directory.clone())),
            file: Mutex::new(file),
            extra: Mutex::new(vec![]),
        };
        Ok(h)
    }

    /// The current snapshot.
    pub fn get(&self) -> Arc<Directory> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Replaces the users that do not come from the file (invited people, tokens file).
    pub fn set_extra(&self, extra: Vec<(String, DirUser)>) {
        let mut e = self.extra.lock().unwrap_or_else(|e| e.into_inner());
        if *e != extra {
            *e = extra;
            drop(e);
            self.publish();
        }
    }

    /// Re-reads the file when it changed since the last read (or always, with `force`: SIGHUP).
    /// A bad file keeps the last good directory; the reason goes to stderr.
    pub fn reload(&self, force: bool) {
        let Some(path) = &self.path else { return };
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        let st = stamp(path);
        if !force && st.map(|s| s.0) == file.mtime && st.map_or(0, |s| s.1) == file.len {
            return;
        }
        file.mtime = st.map(|s| s.0);
        file.len = st.map_or(0, |s| s.1);
        match Directory::load(path) {
            Ok(d) => {
                let n = d.users.len();
                file.directory = d;
                drop(file);
                self.publish();
                eprintln!("directory reloaded from {}: {n} user(s)", path.display());
            }
            Err(e) => eprintln!(
                "directory not reloaded, keeping the last good one: {} (help: {})",
                e.message, e.help
            ),
        }
    }

    fn publish(&self) {
        let base = self
            .file
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .directory
            .clone();
        let extra = self.extra.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let merged = Arc::new(base.merged(extra));
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = merged;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "users:\n  zhangsan: { name: 张三, roles: [sales], email: z@example.com, \
                        phone: \"13800000000\", feishu: ou_1, dingtalk: \"01\", language: zh }\n  \
                        lisa: { name: Lisa Wang, roles: [translator-ext], language: en-US }\n  \
                        track-bot: { name: 物流查询机器人, roles: [logistics-bot] }\n";

    #[test]
    fn parses_the_spec_example() {
        let d = Directory::parse("users.yaml", FILE).unwrap();
        assert_eq!(d.users.len(), 3);
        assert_eq!(d.users["zhangsan"].name, "张三");
        assert_eq!(d.users["zhangsan"].phone.as_deref(), Some("13800000000"));
        assert_eq!(d.users["lisa"].language.as_deref(), Some("en"));
        assert_eq!(d.users["track-bot"].language, None);
        assert_eq!(d.roles_map()["lisa"].len(), 1);
        assert_eq!(d.unheld(["sales", "boss"]), ["boss"]);
    }

    #[test]
    fn strict_keys_ids_and_languages_name_the_line() {
        let e = Directory::parse("u.yaml", "users:\n  li: { name: 李, emial: x }\n").unwrap_err();
        assert!(e.message.starts_with("u.yaml:2:"), "{}", e.message);
        assert!(e.message.contains("emial"), "{}", e.message);
        let e = Directory::parse("u.yaml", "users:\n  ok: { name: a }\n  Li: { name: 李 }\n")
            .unwrap_err();
        assert!(e.message.starts_with("u.yaml:3:3:"), "{}", e.message);
        let e =
            Directory::parse("u.yaml", "users:\n  li: { name: 李, language: fr }\n").unwrap_err();
        assert!(e.message.contains("`fr`"), "{}", e.message);
        assert!(Directory::parse("u.yaml", "people: {}\n").is_err());
    }

    #[test]
    fn merging_adds_people_and_roles_but_keeps_the_file_entry() {
        let d = Directory::parse("u.yaml", FILE).unwrap();
        let extra = DirUser {
            name: "x".into(),
            roles: vec!["finance".into()],
            ..DirUser::default()
        };
        let m = d.merged([("lisa".into(), extra.clone()), ("wang".into(), extra)]);
        assert_eq!(m.users["lisa"].name, "Lisa Wang");
        assert_eq!(m.users["lisa"].roles, ["translator-ext", "finance"]);
        assert_eq!(m.users["wang"].roles, ["finance"]);
    }

    #[test]
    fn reload_keeps_the_last_good_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("users.yaml");
        std::fs::write(&p, FILE).unwrap();
        let h = DirectoryHandle::open(Some(&p)).unwrap();
        assert_eq!(h.get().users.len(), 3);
        std::fs::write(&p, "users: { li: { name: 李, rolez: [] } }\n").unwrap();
        h.reload(true);
        assert_eq!(h.get().users.len(), 3);
        std::fs::write(&p, "users: { li: { name: 李, roles: [sales] } }\n").unwrap();
        h.reload(true);
        assert_eq!(h.get().users.keys().collect::<Vec<_>>(), ["li"]);
        h.set_extra(vec![("zhang".into(), DirUser::default())]);
        assert_eq!(h.get().users.len(), 2);
    }
}
