//! API tokens made by `sopctl token create`: random, shown once, stored only as their SHA-256.
//! The server finds a token by its hash and compares the hash in constant time, so neither
//! the database nor timing gives a token away.

use sha2::{Digest, Sha256};

/// What every API token starts with, so a leaked one is easy to recognise (and to scan for).
pub const PREFIX: &str = "sopctl_";

/// A new random token: the prefix and 32 random bytes, base64url without padding.
pub fn generate() -> Result<String, String> {
    use base64::Engine as _;
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| format!("no random source: {e}"))?;
    Ok(format!(
        "{PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    ))
}

/// The lower-case hex SHA-256 of a token: what is stored and looked up.
pub fn hash(token: &str) -> String {
    let d = Sha256::digest(token.as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares two byte strings without stopping at the first difference.
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `90d`, `12h`, `30m`, `2w` → seconds.
pub fn parse_lifetime(s: &str) -> Option<i64> {
    let s = s.trim();
    let unit = s.chars().last()?;
    let n: i64 = s[..s.len() - unit.len_utf8()].parse().ok()?;
    let per = match unit {
        'm' => 60,
        'h' => 3600,
        'd' => 86400,
        'w' => 7 * 86400,
        _ => return None,
    };
    (n > 0).then_some(n).and_then(|n| n.checked_mul(per))
}

/// A stored token, as `sopctl token list` shows it (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: i64,
    pub user: String,
    pub created: i64,
    pub expires: Option<i64>,
    pub revoked: Option<i64>,
}

impl ApiToken {
    /// Whether the token lets its user in at `now` (unix seconds).
    pub fn valid_at(&self, now: i64) -> bool {
        self.revoked.is_none() && self.expires.is_none_or(|e| now < e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_prefixed_and_hashed() {
        let (a, b) = (generate().unwrap(), generate().unwrap());
        assert_ne!(a, b);
        assert!(a.starts_with(PREFIX) && a.len() == PREFIX.len() + 43, "{a}");
        assert_eq!(hash("abc").len(), 64);
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(ct_eq(b"same", b"same") && !ct_eq(b"same", b"sane") && !ct_eq(b"a", b"ab"));
    }

    #[test]
    fn lifetimes_and_validity() {
        assert_eq!(parse_lifetime("90d"), Some(90 * 86400));
        assert_eq!(parse_lifetime("12h"), Some(12 * 3600));
        assert_eq!(parse_lifetime("2w"), Some(14 * 86400));
        for bad in ["", "d", "0d", "-1d", "3y", "1.5d"] {
            assert_eq!(parse_lifetime(bad), None, "{bad}");
        }
        let t = ApiToken {
            id: 1,
            user: "li".into(),
            created: 0,
            expires: Some(100),
            revoked: None,
        };
        assert!(t.valid_at(99) && !t.valid_at(100));
        assert!(!ApiToken {
            revoked: Some(5),
            ..t.clone()
        }
        .valid_at(0));
    }
}
