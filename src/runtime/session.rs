//! Sign-in links and browser sessions for the pages (SPEC 12 "Tokens and sessions").
//!
//! - A login link carries a random token; only its SHA-256 is stored, with the user, the page
//!   to open after signing in, an expiry (default 7 days) and whether it was used. `GET` of
//!   the link only shows a button (chat previews and link scanners fetch links); the `POST`
//!   spends it.
//! - A session is a random id in an `HttpOnly; SameSite=Lax` cookie (`Secure` behind https),
//!   stored hashed like the links, with its own CSRF token that every form must send back.
//!   It ends 7 days after sign-in, or 24 hours after the person last acted (a `GET` never
//!   writes, so reading pages does not extend it), or at sign-out.

use axum::http::HeaderMap;
use base64::Engine as _;
use sha2::{Digest, Sha256};

/// How long a login link works, unless `--expires` says otherwise.
pub const LINK_TTL_SECS: i64 = 7 * 24 * 3600;
/// A session ends this long after sign-in, whatever happens.
pub const SESSION_ABSOLUTE_SECS: i64 = 7 * 24 * 3600;
/// A session ends this long after the person last acted (signed in or sent a form).
pub const SESSION_IDLE_SECS: i64 = 24 * 3600;
/// The cookie's name.
pub const COOKIE: &str = "sopctl_session";

/// A fresh random token: 32 bytes from the OS, URL-safe Base64 (43 characters).
pub fn new_token() -> String {
    let mut b = [0u8; 32];
    // The OS generator failing means no secret can be made safely: say so instead of
    // making a weak one.
    getrandom::fill(&mut b).expect("the operating system's random generator works");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// What the database keeps of a token: its SHA-256, hex.
pub fn hash(token: &str) -> String {
    let d = Sha256::digest(token.as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares without stopping at the first difference (CSRF tokens).
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Whether the request came over https (directly or through a proxy that says so).
pub fn is_https(h: &HeaderMap, public_url: &str) -> bool {
    let forwarded = h
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"));
    forwarded || public_url.starts_with("https://")
}

/// The `Set-Cookie` value that starts a session.
pub fn cookie(token: &str, secure: bool) -> String {
    format!(
        "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={SESSION_ABSOLUTE_SECS}{}",
        if secure { "; Secure" } else { "" }
    )
}

/// The `Set-Cookie` value that ends one.
pub fn clear_cookie(secure: bool) -> String {
    format!(
        "{COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
        if secure { "; Secure" } else { "" }
    )
}

/// The session token the request's cookies carry, if any.
pub fn from_cookies(h: &HeaderMap) -> Option<String> {
    h.get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, v)| *k == COOKIE && !v.is_empty())
        .map(|(_, v)| v.to_string())
}

/// Only paths on this server may follow a sign-in (no `//host` or `https://…`).
pub fn safe_next(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next
    } else {
        "/"
    }
}

/// `7d`, `12h`, `30m` → seconds (for `sopctl login-link --expires`).
pub fn parse_ttl(s: &str) -> Option<i64> {
    let s = s.trim();
    let unit = s.chars().last()?;
    let n: i64 = s[..s.len() - unit.len_utf8()].parse().ok()?;
    let secs = match unit {
        'm' => 60,
        'h' => 3600,
        'd' => 86400,
        'w' => 7 * 86400,
        _ => return None,
    };
    (n > 0).then(|| n.saturating_mul(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_stored_hashed() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(hash(&a).len(), 64);
        assert_ne!(hash(&a), a);
        assert_eq!(hash(&a), hash(&a));
    }

    #[test]
    fn cookies_are_http_only_lax_and_secure_behind_https() {
        let c = cookie("abc", false);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && !c.contains("Secure"));
        assert!(cookie("abc", true).ends_with("; Secure"));
        let mut h = HeaderMap::new();
        h.insert("cookie", "a=1; sopctl_session=tok; b=2".parse().unwrap());
        assert_eq!(from_cookies(&h).as_deref(), Some("tok"));
        assert!(!is_https(&h, "http://x"));
        h.insert("x-forwarded-proto", "https".parse().unwrap());
        assert!(is_https(&h, "http://x"));
        assert!(clear_cookie(false).contains("Max-Age=0"));
    }

    #[test]
    fn next_pages_stay_on_this_server() {
        assert_eq!(safe_next("/t/1/ship"), "/t/1/ship");
        assert_eq!(safe_next("//evil.example"), "/");
        assert_eq!(safe_next("https://evil.example"), "/");
        assert_eq!(safe_next("/\\evil"), "/");
    }

    #[test]
    fn ttls() {
        assert_eq!(parse_ttl("7d"), Some(7 * 86400));
        assert_eq!(parse_ttl("12h"), Some(12 * 3600));
        assert_eq!(parse_ttl("0d"), None);
        assert_eq!(parse_ttl("7"), None);
        assert_eq!(parse_ttl("天"), None);
        assert!(same("abc", "abc") && !same("abc", "abd") && !same("abc", "ab"));
    }
}
