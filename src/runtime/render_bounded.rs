//! Every message template the runtime renders goes through [`render`]: MiniJinja with a fuel
//! budget (loops and recursive macros stop) and a cap on the output (a message cannot grow
//! the database by gigabytes). A bundle that passed `validate` is still untrusted input here.

use std::io::Write;

use super::template_guard::{first_unsafe, numeric_in};

/// Instructions one render may execute: a real message uses a few hundred.
pub const FUEL: u64 = 100_000;
/// The longest message kept, in bytes; longer ones are cut at a character boundary.
pub const MAX_OUTPUT: usize = 16 * 1024;
/// Appended to a message that was cut.
pub const CUT_MARK: &str = "…(cut)";

/// Renders `template` with `ctx`. Undefined values print empty (`record.a.b` on a missing `a`
/// too). A template that does not parse is shown as written; one that runs out of fuel or
/// output keeps what it wrote, marked as cut.
pub fn render(template: &str, ctx: &serde_json::Value) -> String {
    try_render(template, ctx).unwrap_or_else(|| cut(template.as_bytes()))
}

/// [`render`], but None for a template that does not parse or fails (an unknown filter, a bad
/// operand), so the caller can say something else instead.
pub fn try_render(template: &str, ctx: &serde_json::Value) -> Option<String> {
    // A `*` that may repeat a string is refused before compiling (see `template_guard`):
    // the template is shown as written, marked as cut.
    match first_unsafe(template, &numeric_in(ctx)) {
        Ok(None) => {}
        Ok(Some(_)) => return Some(cut_marked(template.as_bytes())),
        Err(_) => return None,
    }
    let mut env = minijinja::Environment::new();
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
    env.set_keep_trailing_newline(true);
    env.set_fuel(Some(FUEL));
    let mut out = Capped::default();
    let t = env.template_from_str(template).ok()?;
    let result = t
        .render_captured_to(minijinja::Value::from_serialize(ctx), &mut out)
        .map(|_| ());
    match result {
        Ok(()) if !out.full => Some(String::from_utf8_lossy(&out.buf).into_owned()),
        Ok(()) => Some(cut(&out.buf)),
        Err(e) if out.full || e.kind() == minijinja::ErrorKind::OutOfFuel => {
            Some(cut_marked(&out.buf))
        }
        Err(_) => None,
    }
}

/// Whether a template parses and multiplies only numbers (what the bundle check asks);
/// `numeric` says which names are numbers.
pub fn parses(template: &str, numeric: &dyn Fn(&[&str]) -> bool) -> Result<(), String> {
    if let Some((a, _)) = first_unsafe(template, numeric)? {
        let shown: String = template.chars().take(80).collect();
        return Err(format!(
            "the `*` at byte {a} of `{shown}` may repeat a string: a message multiplies only \
             numbers (number literals, `record.id`, number and money fields)"
        ));
    }
    let env = minijinja::Environment::new();
    env.template_from_str(template)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// The text, cut to [`MAX_OUTPUT`] and marked when it was longer.
fn cut(bytes: &[u8]) -> String {
    if bytes.len() <= MAX_OUTPUT {
        return String::from_utf8_lossy(bytes).into_owned();
    }
    cut_marked(bytes)
}

fn cut_marked(bytes: &[u8]) -> String {
    let mut end = bytes.len().min(MAX_OUTPUT - CUT_MARK.len());
    // Back up to a character boundary (UTF-8 continuation bytes are 0b10xxxxxx).
    while end > 0 && end < bytes.len() && (bytes[end] & 0xC0) == 0x80 {
        end -= 1;
    }
    let mut s = String::from_utf8_lossy(&bytes[..end]).into_owned();
    s.push_str(CUT_MARK);
    s
}

/// A writer that keeps [`MAX_OUTPUT`] bytes and then fails, which stops the render.
#[derive(Default)]
struct Capped {
    buf: Vec<u8>,
    full: bool,
}

impl Write for Capped {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        let room = MAX_OUTPUT + 1 - self.buf.len().min(MAX_OUTPUT + 1);
        if data.len() > room {
            self.buf.extend_from_slice(&data[..room]);
            self.full = true;
            return Err(std::io::Error::other("message too long"));
        }
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn plain_and_templated_messages_render() {
        let ctx = json!({"record": {"id": 7}});
        assert_eq!(render("单号 {{ record.id }}\n", &ctx), "单号 7\n");
        assert_eq!(render("{{ record.none.deeper }}x", &ctx), "x");
        assert_eq!(render("{% if %}", &ctx), "{% if %}");
    }

    #[test]
    fn loops_recursion_and_huge_output_stop() {
        let ctx = json!({});
        let loops = "{% for a in range(100) %}{% for b in range(100) %}{% for c in range(100) %}\
                     {% for d in range(100) %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}";
        let t = std::time::Instant::now();
        assert_eq!(render(loops, &ctx), CUT_MARK);
        let rec = "{% macro f(n) %}{% if n > 0 %}{{ f(n-1) }}{{ f(n-1) }}{% endif %}{% endmacro %}{{ f(40) }}";
        let _ = render(rec, &ctx);
        assert!(t.elapsed() < std::time::Duration::from_secs(2));
        let big = render("{{ 'x' * 100000000 }}", &ctx);
        assert!(
            big.len() <= MAX_OUTPUT && big.ends_with(CUT_MARK),
            "{}",
            big.len()
        );
        let cjk = render("{{ '中' * 100000 }}", &ctx);
        assert!(cjk.len() <= MAX_OUTPUT && cjk.ends_with(CUT_MARK));
    }
}
