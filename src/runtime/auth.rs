//! Bearer tokens: one admin token (bundles) and user tokens that carry a user id and roles.
//! From the environment (`SOPCTL_ADMIN_TOKEN`, `SOPCTL_USER_TOKENS` as
//! `token=user:role1,role2;token2=user2:role3`) or a file of the same entries, one a line
//! (`admin=TOKEN` names the admin token). These are for tests and small setups; people get
//! API tokens from `sopctl token create` (stored hashed, see `tokens.rs`).
//!
//! In the file, `#` starts a comment only at the start of a line or after a space or tab, so
//! a token may contain `#` (`admin=Sup3r#Secret` is the whole token).

use std::collections::HashMap;

use super::directory::DirUser;
use super::tokens::{ct_eq, hash};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub roles: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    Admin,
    User(User),
}

/// The static tokens, kept only as SHA-256 hashes so every comparison has one length.
#[derive(Debug, Clone, Default)]
pub struct Tokens {
    admin: Option<String>,
    users: HashMap<String, User>,
}

/// The token of an `Authorization: Bearer TOKEN` header; the scheme is case-insensitive
/// (RFC 9110).
pub fn bearer(header: Option<&str>) -> Option<&str> {
    let (scheme, token) = header?.trim_start().split_once([' ', '\t'])?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// The line without its comment: `#` at the start or after whitespace.
fn strip_comment(line: &str) -> &str {
    let mut prev_space = true;
    for (i, c) in line.char_indices() {
        if c == '#' && prev_space {
            return &line[..i];
        }
        prev_space = c.is_whitespace();
    }
    line
}

impl Tokens {
    /// Parses entries separated by `;` or newlines.
    pub fn parse(admin: Option<String>, entries: &str) -> Result<Tokens, String> {
        let mut t = Tokens {
            admin: admin.filter(|a| !a.is_empty()).map(|a| hash(&a)),
            users: HashMap::new(),
        };
        for entry in entries.lines().flat_map(|l| strip_comment(l).split(';')) {
            let entry = entry.trim();
            if entry.is_empty() {
                continue;
            }
            let shape = || "an entry is `token=user:role1,role2` or `admin=TOKEN`".to_string();
            let (token, who) = entry.split_once('=').ok_or_else(shape)?;
            let (token, who) = (token.trim(), who.trim());
            if token == "admin" {
                if who.is_empty() {
                    return Err("`admin=` names no token".into());
                }
                t.admin = Some(hash(who));
                continue;
            }
            let (user, roles) = who.split_once(':').unwrap_or((who, ""));
            if token.is_empty() || user.trim().is_empty() {
                return Err(shape());
            }
            let roles = roles
                .split(',')
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(String::from)
                .collect();
            let id = user.trim().to_string();
            t.users.insert(hash(token), User { id, roles });
        }
        Ok(t)
    }

    /// From `--tokens FILE` if given, else the environment.
    pub fn load(file: Option<&std::path::Path>) -> Result<Tokens, String> {
        let admin = std::env::var("SOPCTL_ADMIN_TOKEN").ok();
        match file {
            Some(f) => {
                let text = std::fs::read_to_string(f)
                    .map_err(|e| format!("cannot read {}: {e}", f.display()))?;
                Tokens::parse(admin, &text)
            }
            None => Tokens::parse(
                admin,
                &std::env::var("SOPCTL_USER_TOKENS").unwrap_or_default(),
            ),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.admin.is_none() && self.users.is_empty()
    }

    pub fn has_admin(&self) -> bool {
        self.admin.is_some()
    }

    /// The caller a bearer token names among these static tokens, if any.
    pub fn caller(&self, token: &str) -> Option<Caller> {
        let h = hash(token);
        if self
            .admin
            .as_deref()
            .is_some_and(|a| ct_eq(a.as_bytes(), h.as_bytes()))
        {
            return Some(Caller::Admin);
        }
        self.users
            .iter()
            .find(|(t, _)| ct_eq(t.as_bytes(), h.as_bytes()))
            .map(|(_, u)| Caller::User(u.clone()))
    }

    /// The users these tokens name, as directory entries (their name is their id).
    pub fn directory_users(&self) -> Vec<(String, DirUser)> {
        let mut out: Vec<(String, DirUser)> = vec![];
        for u in self.users.values() {
            let roles = u.roles.clone();
            match out.iter_mut().find(|(id, _)| *id == u.id) {
                Some((_, d)) => d.roles.extend(roles),
                None => out.push((
                    u.id.clone(),
                    DirUser {
                        name: u.id.clone(),
                        roles,
                        ..DirUser::default()
                    },
                )),
            }
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(t: &Tokens, header: &str) -> Option<Caller> {
        t.caller(bearer(Some(header))?)
    }

    #[test]
    fn parses_env_and_file_forms() {
        let t = Tokens::parse(
            Some("adm".into()),
            "t1=zhang:sales;t2=wang:sales-manager,finance",
        )
        .unwrap();
        assert_eq!(call(&t, "Bearer adm"), Some(Caller::Admin));
        let Some(Caller::User(u)) = call(&t, "Bearer t2") else {
            panic!()
        };
        assert_eq!(u.id, "wang");
        assert_eq!(u.roles, ["sales-manager", "finance"]);
        assert_eq!(call(&t, "Bearer nope"), None);
        assert_eq!(bearer(Some("t1")), None);
        assert_eq!(bearer(None), None);
        let f = Tokens::parse(None, "# tokens\nadmin=a\nt1 = li : finance\n\n").unwrap();
        assert_eq!(call(&f, "Bearer a"), Some(Caller::Admin));
        assert_eq!(f.directory_users()[0].1.roles, ["finance"]);
        assert!(Tokens::parse(None, "garbage").is_err());
        assert!(Tokens::parse(None, "").unwrap().is_empty());
    }

    #[test]
    fn a_hash_inside_a_token_is_part_of_it() {
        let f = Tokens::parse(None, "admin=Sup3r#Secret\nt#1=li:finance  # li's token\n").unwrap();
        assert_eq!(call(&f, "Bearer Sup3r#Secret"), Some(Caller::Admin));
        assert_eq!(call(&f, "Bearer Sup3r"), None);
        assert!(matches!(call(&f, "Bearer t#1"), Some(Caller::User(u)) if u.roles == ["finance"]));
        assert!(Tokens::parse(None, "admin=\n").is_err());
    }

    #[test]
    fn the_scheme_is_case_insensitive() {
        assert_eq!(bearer(Some("bearer abc")), Some("abc"));
        assert_eq!(bearer(Some("BEARER  abc ")), Some("abc"));
        assert_eq!(bearer(Some("Basic abc")), None);
        assert_eq!(bearer(Some("Bearer ")), None);
    }
}
