//! String repetition in message templates (`{{ 'x' * 100000000 }}`): MiniJinja builds the
//! repeated string whole — while compiling, even, as it folds constants — before any output
//! cap can apply. So before a template is compiled, every `*` in it must multiply numbers:
//! each operand a number literal or a plain name (`record.amount`) that a judge says is a
//! number. Anything else (a string, a filter's result, a bracketed expression) could be a
//! string, and the template is refused. The check reads MiniJinja's own tokens, so it sees
//! the template as the engine will.

use minijinja::machinery::{tokenize, Token, WhitespaceConfig};

/// One operand of a `*`.
#[derive(Debug, Clone, PartialEq)]
enum Operand<'a> {
    Number,
    /// A dotted name, `record.amount` as `["record", "amount"]`.
    Name(Vec<&'a str>),
    /// Anything that may be a string.
    Other,
}

/// Block tags that bind names, after which a name may not mean what the context says.
const BINDING: [&str; 10] = [
    "set", "for", "with", "macro", "import", "from", "call", "filter", "include", "extends",
];

/// The byte range of the first `*` that may repeat a string, if any; `numeric` judges a
/// dotted name. Err when the template does not tokenize (compiling it will say why).
pub fn first_unsafe(
    template: &str,
    numeric: &dyn Fn(&[&str]) -> bool,
) -> Result<Option<(usize, usize)>, String> {
    let tokens: Vec<(Token<'_>, (usize, usize))> = tokenize(
        template,
        false,
        // The default syntax: a unit struct without MiniJinja's `custom_syntax` feature.
        Default::default(),
        WhitespaceConfig::default(),
    )
    .map(|t| t.map(|(tok, s)| (tok, (s.start_offset as usize, s.end_offset as usize))))
    .collect::<Result<_, _>>()
    .map_err(|e| e.to_string())?;
    let binds = tokens.windows(2).any(|w| {
        matches!((&w[0].0, &w[1].0), (Token::BlockStart, Token::Ident(k)) if BINDING.contains(k))
    });
    let safe = |o: &Operand| match o {
        Operand::Number => true,
        // A name rebound by the template is not the context's: refuse then.
        Operand::Name(path) => !binds && numeric(path),
        Operand::Other => false,
    };
    for (i, (t, span)) in tokens.iter().enumerate() {
        if matches!(t, Token::Mul) && !(safe(&left(&tokens, i)) && safe(&right(&tokens, i))) {
            return Ok(Some(*span));
        }
    }
    Ok(None)
}

type Toks<'a> = [(Token<'a>, (usize, usize))];

/// The operand before the `*` at `i`.
fn left<'a>(t: &Toks<'a>, i: usize) -> Operand<'a> {
    let Some(j) = i.checked_sub(1) else {
        return Operand::Other;
    };
    let (first, operand) = match &t[j].0 {
        Token::Int(_) | Token::Float(_) => (j, Operand::Number),
        Token::Ident(_) => {
            let mut path = vec![];
            let mut k = j;
            loop {
                let Token::Ident(name) = &t[k].0 else {
                    return Operand::Other;
                };
                path.push(*name);
                match k.checked_sub(2) {
                    Some(p) if matches!(t[k - 1].0, Token::Dot) => k = p,
                    _ => break,
                }
            }
            path.reverse();
            (k, Operand::Name(path))
        }
        _ => return Operand::Other,
    };
    // `x|length * 3` multiplies a filter's result; `a.0` and `x is y` are not plain either.
    match first.checked_sub(1).map(|p| &t[p].0) {
        Some(Token::Pipe | Token::Dot | Token::Ident("is")) => Operand::Other,
        _ => operand,
    }
}

/// The operand after the `*` at `i`.
fn right<'a>(t: &Toks<'a>, i: usize) -> Operand<'a> {
    let mut k = i + 1;
    while matches!(t.get(k).map(|x| &x.0), Some(Token::Minus | Token::Plus)) {
        k += 1;
    }
    let operand = match t.get(k).map(|x| &x.0) {
        Some(Token::Int(_) | Token::Float(_)) => Operand::Number,
        Some(Token::Ident(first)) => {
            let mut path = vec![*first];
            while let (Some(Token::Dot), Some(Token::Ident(n))) =
                (t.get(k + 1).map(|x| &x.0), t.get(k + 2).map(|x| &x.0))
            {
                path.push(*n);
                k += 2;
            }
            Operand::Name(path)
        }
        _ => return Operand::Other,
    };
    // What binds tighter than `*` after the operand makes it something else.
    match t.get(k + 1).map(|x| &x.0) {
        Some(
            Token::Pipe
            | Token::Dot
            | Token::ParenOpen
            | Token::BracketOpen
            | Token::Pow
            | Token::Ident("is"),
        ) => Operand::Other,
        _ => operand,
    }
}

/// The judge at render time: a name is a number in the context (or absent: nothing to repeat).
pub fn numeric_in(ctx: &serde_json::Value) -> impl Fn(&[&str]) -> bool + '_ {
    move |path| {
        let Some(mut v) = ctx.get(path[0]) else {
            return false;
        };
        for p in &path[1..] {
            match v.get(*p) {
                Some(x) => v = x,
                None => return v.is_object(),
            }
        }
        v.is_number() || v.is_null()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn unsafe_at(t: &str) -> Option<(usize, usize)> {
        let ctx = json!({"record": {"qty": 3, "price": 2.5, "note": "x", "empty": null}});
        let found = first_unsafe(t, &numeric_in(&ctx)).unwrap();
        found
    }

    #[test]
    fn numbers_multiply_and_strings_do_not() {
        for ok in [
            "{{ record.qty * record.price }}",
            "{{ 2 * -record.qty }} 件",
            "{{ record.missing * 2 }}{{ record.empty * 3 }}",
            "{% if record.qty * 2 > 3 and record.qty * 2 %}多{% endif %}",
            "no tags * at all",
        ] {
            assert_eq!(unsafe_at(ok), None, "{ok}");
        }
        assert_eq!(unsafe_at("{{ 'x' * 100000000 }}"), Some((7, 8)));
        for bad in [
            "{{ 100000000 * 'x' }}",
            "{{ record.note * 100000000 }}",
            "{{ record.qty * record.note }}",
            "{{ (record.qty ~ 'x') * 9 }}",
            "{{ record.qty|string * 9 }}",
            "{{ 9 * record.qty|string }}",
            "{{ record * 2 }}",
            "{{ loop * 2 }}",
            "{% set record = {'qty': 'x'} %}{{ record.qty * 100000000 }}",
            "{% macro f(s) %}{{ s * 100000000 }}{% endmacro %}{{ f('x') }}",
        ] {
            assert!(unsafe_at(bad).is_some(), "{bad}");
        }
        assert!(first_unsafe("{{ 'open", &|_| true).is_err());
    }
}
