//! Bearer tokens: one admin token (bundles) and user tokens that carry a user id and roles.
//! From the environment (`SOPCTL_ADMIN_TOKEN`, `SOPCTL_USER_TOKENS` as
//! `token=user:role1,role2;token2=user2:role3`) or a file of the same entries, one a line
//! (`admin=TOKEN` names the admin token; `#` starts a comment).

use std::collections::{BTreeMap, BTreeSet, HashMap};

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

#[derive(Debug, Clone, Default)]
pub struct Tokens {
    admin: Option<String>,
    users: HashMap<String, User>,
}

impl Tokens {
    /// Parses entries separated by `;` or newlines.
    pub fn parse(admin: Option<String>, entries: &str) -> Result<Tokens, String> {
        let mut t = Tokens {
            admin: admin.filter(|a| !a.is_empty()),
            users: HashMap::new(),
        };
        for entry in entries.split([';', '\n']) {
            let entry = entry.split('#').next().unwrap_or("").trim();
            if entry.is_empty() {
                continue;
            }
            let (token, who) = entry
                .split_once('=')
                .ok_or_else(|| format!("`{entry}` is not `token=user:roles`"))?;
            let (token, who) = (token.trim(), who.trim());
            if token == "admin" {
                t.admin = Some(who.to_string());
                continue;
            }
            let (user, roles) = who.split_once(':').unwrap_or((who, ""));
            if token.is_empty() || user.trim().is_empty() {
                return Err(format!("`{entry}` is not `token=user:roles`"));
            }
            let roles = roles
                .split(',')
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(String::from)
                .collect();
            t.users.insert(
                token.to_string(),
                User {
                    id: user.trim().to_string(),
                    roles,
                },
            );
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

    /// The caller an `Authorization` header names, if any.
    pub fn caller(&self, header: Option<&str>) -> Option<Caller> {
        let token = header?.strip_prefix("Bearer ")?.trim();
        if self.admin.as_deref().is_some_and(|a| ct_eq(a, token)) {
            return Some(Caller::Admin);
        }
        self.users
            .iter()
            .find(|(t, _)| ct_eq(t, token))
            .map(|(_, u)| Caller::User(u.clone()))
    }

    /// The user directory (user → roles) the engine needs.
    pub fn directory(&self) -> BTreeMap<String, BTreeSet<String>> {
        let mut d: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for u in self.users.values() {
            d.entry(u.id.clone())
                .or_default()
                .extend(u.roles.iter().cloned());
        }
        d
    }
}

/// Compares without stopping at the first difference.
fn ct_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_env_and_file_forms() {
        let t = Tokens::parse(
            Some("adm".into()),
            "t1=zhang:sales;t2=wang:sales-manager,finance",
        )
        .unwrap();
        assert_eq!(t.caller(Some("Bearer adm")), Some(Caller::Admin));
        let Some(Caller::User(u)) = t.caller(Some("Bearer t2")) else {
            panic!()
        };
        assert_eq!(u.id, "wang");
        assert_eq!(u.roles, ["sales-manager", "finance"]);
        assert_eq!(t.caller(Some("Bearer nope")), None);
        assert_eq!(t.caller(Some("t1")), None);
        assert_eq!(t.caller(None), None);
        let f = Tokens::parse(None, "# tokens\nadmin=a\nt1 = li : finance\n\n").unwrap();
        assert_eq!(f.caller(Some("Bearer a")), Some(Caller::Admin));
        assert_eq!(f.directory()["li"].len(), 1);
        assert!(Tokens::parse(None, "garbage").is_err());
        assert!(Tokens::parse(None, "").unwrap().is_empty());
    }
}
