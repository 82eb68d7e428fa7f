//! QR codes on task cards and posters: the runtime's pages they lead to, drawn as SVG by the
//! `qrcode` crate and placed as vector graphics by typst.

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// The longest server address accepted (a QR code should stay small enough to scan from a
/// card).
const MAX_SERVER_LEN: usize = 200;

/// Checks `render.server` / `--server`: an `http(s)://` address without query or fragment.
/// Returns it without a trailing `/`.
pub fn server(url: &str) -> Result<String, String> {
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    let host_ok = rest.is_some_and(|r| {
        let host = r.split('/').next().unwrap_or("");
        !host.is_empty()
    });
    if !host_ok {
        return Err(format!("`{url}` is not an http:// or https:// address"));
    }
    if url.len() > MAX_SERVER_LEN {
        return Err(format!(
            "the server address is longer than {MAX_SERVER_LEN} characters"
        ));
    }
    if url
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '?' | '#' | '"' | '<' | '>'))
    {
        return Err(format!(
            "`{url}` has a space, `?`, `#`, quote or angle bracket: give the address where \
             `sopctl serve` answers, nothing more"
        ));
    }
    Ok(url.trim_end_matches('/').to_string())
}

/// Where a person scanning a task card lands: their own work list ("我的工作"). Tasks exist
/// per record, so the runtime has no page for a task in general; the work list shows every
/// open instance of it that is theirs.
pub fn task_url(server: &str) -> String {
    format!("{server}/")
}

/// The runtime's page that creates a record of `process` (the "scan to start" poster).
pub fn new_record_url(server: &str, process: &str) -> String {
    format!("{server}/new/{process}")
}

/// The QR code of `url` as an SVG document (black on white, with the quiet zone).
pub fn svg(url: &str) -> Result<String, String> {
    let code = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M)
        .map_err(|e| format!("cannot make a QR code of `{url}`: {e}"))?;
    Ok(code
        .render::<svg::Color>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn servers() {
        assert_eq!(
            server("https://sop.example.com/").as_deref(),
            Ok("https://sop.example.com")
        );
        assert_eq!(
            server("http://127.0.0.1:7070/sop").as_deref(),
            Ok("http://127.0.0.1:7070/sop")
        );
        assert!(server("sop.example.com").is_err());
        assert!(server("https://").is_err());
        assert!(server("https://x/?a=1").is_err());
        assert!(server("ftp://x").is_err());
    }

    #[test]
    fn codes_are_svg() {
        let s = svg(&new_record_url("https://x", "sales-delivery")).unwrap();
        assert!(s.contains("<svg") && s.contains("<path"));
    }
}
