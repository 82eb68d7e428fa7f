//! The plain words of YAML typing mistakes, in the process language: Chinese or English, from
//! `render.language` of sopctl.yaml, else from the locale.

use crate::render::i18n::Lang;

/// The language of loader messages: `render.language` when set, else the locale (`LC_ALL`,
/// `LC_MESSAGES`, `LANG`, the first one set): Chinese for `zh…`, English otherwise.
pub fn message_lang(configured: Option<&str>) -> Lang {
    if let Some(lang) = configured.and_then(Lang::parse) {
        return lang;
    }
    let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .find(|v| !v.is_empty())
        .unwrap_or_default();
    if locale.starts_with("zh") {
        Lang::Zh
    } else {
        Lang::En
    }
}

/// A file the loader refuses before reading it as YAML, or a structure it will not build.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// It contains a NUL byte.
    Binary,
    NotUtf8,
    TooLarge {
        bytes: u64,
        max_bytes: u64,
    },
    TooDeep {
        max: usize,
    },
}

/// The message and help of a refusal, in `lang`.
pub fn refusal(r: &Refusal, lang: Lang) -> (String, String) {
    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
    let (message, help) = match (r, lang) {
        (Refusal::Binary, Lang::En) => (
            "this is a binary file, not YAML text (it contains a NUL byte)".to_string(),
            "remove it from the SOP folder, or narrow `sources` in sopctl.yaml",
        ),
        (Refusal::Binary, Lang::Zh) => (
            "这是二进制文件，不是 YAML 文本（其中有 NUL 字节）".to_string(),
            "把它移出 SOP 文件夹，或在 sopctl.yaml 里收窄 `sources`",
        ),
        (Refusal::NotUtf8, Lang::En) => (
            "this file is not valid UTF-8 text".to_string(),
            "save the file as UTF-8 (for example, convert it from GBK with `iconv -f GBK -t UTF-8`)",
        ),
        (Refusal::NotUtf8, Lang::Zh) => (
            "这个文件不是有效的 UTF-8 文本".to_string(),
            "请把文件另存为 UTF-8 编码（例如用 `iconv -f GBK -t UTF-8` 从 GBK 转换）",
        ),
        (Refusal::TooLarge { bytes, max_bytes }, Lang::En) => (
            format!(
                "this file is {:.1} MiB; SOP files may be at most {} MiB",
                mib(*bytes),
                max_bytes / (1024 * 1024)
            ),
            "split the file into one file per process, or exclude it with `sources` in sopctl.yaml",
        ),
        (Refusal::TooLarge { bytes, max_bytes }, Lang::Zh) => (
            format!(
                "这个文件有 {:.1} MiB；SOP 文件最大 {} MiB",
                mib(*bytes),
                max_bytes / (1024 * 1024)
            ),
            "把文件拆成每个流程一个文件，或在 sopctl.yaml 的 `sources` 里排除它",
        ),
        (Refusal::TooDeep { max }, Lang::En) => (
            format!("nesting deeper than {max} levels (or than the YAML parser allows)"),
            "an SOP never needs this depth; check for a runaway indentation or bracket",
        ),
        (Refusal::TooDeep { max }, Lang::Zh) => (
            format!("嵌套超过 {max} 层（或超过 YAML 解析器允许的深度）"),
            "SOP 不会用到这么深的嵌套；请检查是否有失控的缩进或括号",
        ),
    };
    (message, help.to_string())
}

/// A typing mistake the loader recognised, with what it needs to be told.
#[derive(Debug, Clone, PartialEq)]
pub enum Mistake {
    TabIndent {
        spaces: usize,
    },
    TabAfterColon {
        key: String,
    },
    FullWidthColon {
        key: String,
    },
    FullWidthComma,
    MissingColon {
        key: String,
    },
    /// `key` stands `by` columns right (`more`) or left of `sibling` on `sibling_line`.
    Indent {
        key: String,
        by: usize,
        more: bool,
        sibling: String,
        sibling_line: usize,
        parent: Option<String>,
        spaces: usize,
    },
    UnclosedQuote {
        quote: char,
    },
    UnclosedBracket {
        open: char,
        close: char,
    },
    DuplicateKey {
        key: String,
        first_line: usize,
    },
}

/// The message and help of a mistake; `fixed` is the corrected line (without indentation).
pub fn describe(m: &Mistake, fixed: &str, lang: Lang) -> (String, String) {
    match lang {
        Lang::Zh => zh(m, fixed),
        Lang::En => en(m, fixed),
    }
}

fn en(m: &Mistake, fixed: &str) -> (String, String) {
    match m {
        Mistake::TabIndent { spaces } => (
            "this line is indented with a tab; YAML indents with spaces only".into(),
            format!("replace the tab with {spaces} spaces: `{fixed}`"),
        ),
        Mistake::TabAfterColon { key } => (
            format!("a tab follows the `:` of `{key}`; YAML needs a space there"),
            format!("put a space after the colon: `{fixed}`"),
        ),
        Mistake::FullWidthColon { key } => (
            format!("`{key}` is followed by the full-width colon `：`; YAML only knows the ASCII colon `:`"),
            format!("type the colon in English input mode, followed by a space: `{fixed}`"),
        ),
        Mistake::FullWidthComma => (
            "the full-width comma `，` separates these items; YAML only knows the ASCII comma `,`".into(),
            format!("type the comma in English input mode: `{fixed}`"),
        ),
        Mistake::MissingColon { key } => (
            format!("the `:` after `{key}` is missing"),
            format!("write a key, a colon and a space, then the value: `{fixed}`"),
        ),
        Mistake::Indent { key, by, more, sibling, sibling_line, parent, spaces } => {
            let side = if *more { "more" } else { "less" };
            let s = if *by == 1 { "" } else { "s" };
            let owner = match parent {
                Some(p) => format!("it seems to belong to `{p}`, like `{sibling}`"),
                None => format!("it seems to belong with `{sibling}`"),
            };
            (
                format!("`{key}` is indented {by} space{s} {side} than `{sibling}` on line {sibling_line}; {owner}"),
                format!("line it up with `{sibling}`, {spaces} spaces from the left: `{fixed}`"),
            )
        }
        Mistake::UnclosedQuote { quote } => (
            format!("the quote `{quote}` opened here is never closed"),
            format!("end the text with the same quote: `{fixed}`"),
        ),
        Mistake::UnclosedBracket { open, close } => (
            format!("the `{open}` opened here is never closed with `{close}`"),
            format!("close it on this line: `{fixed}`"),
        ),
        Mistake::DuplicateKey { key, first_line } => (
            format!("the key `{key}` appears twice in this mapping (first on line {first_line}); YAML keeps only one of them"),
            format!("delete this line or merge it into line {first_line}, which reads `{fixed}`"),
        ),
    }
}

fn zh(m: &Mistake, fixed: &str) -> (String, String) {
    match m {
        Mistake::TabIndent { spaces } => (
            "这一行用 Tab 键缩进；YAML 只能用空格缩进".into(),
            format!("把 Tab 换成 {spaces} 个空格：`{fixed}`"),
        ),
        Mistake::TabAfterColon { key } => (
            format!("`{key}` 的冒号后面是 Tab；YAML 要求冒号后面是空格"),
            format!("在冒号后面打一个空格：`{fixed}`"),
        ),
        Mistake::FullWidthColon { key } => (
            format!("`{key}` 后面用了中文全角冒号“：”；YAML 只认英文冒号 `:`"),
            format!("切换到英文输入法输入冒号，冒号后面加一个空格：`{fixed}`"),
        ),
        Mistake::FullWidthComma => (
            "这里用中文全角逗号“，”分隔；YAML 只认英文逗号 `,`".into(),
            format!("切换到英文输入法输入逗号：`{fixed}`"),
        ),
        Mistake::MissingColon { key } => (
            format!("`{key}` 后面缺少冒号 `:`"),
            format!("键和值之间要写冒号和一个空格：`{fixed}`"),
        ),
        Mistake::Indent { key, by, more, sibling, sibling_line, parent, spaces } => {
            let side = if *more { "多" } else { "少" };
            let owner = match parent {
                Some(p) => format!("看起来它和 `{sibling}` 一样属于 `{p}`"),
                None => format!("看起来它和 `{sibling}` 是同一层"),
            };
            (
                format!("`{key}` 比第 {sibling_line} 行的 `{sibling}` {side}缩进了 {by} 个空格；{owner}"),
                format!("和 `{sibling}` 对齐，前面 {spaces} 个空格：`{fixed}`"),
            )
        }
        Mistake::UnclosedQuote { quote } => (
            format!("这里开始的引号 `{quote}` 没有结束"),
            format!("在文字末尾补上同样的引号：`{fixed}`"),
        ),
        Mistake::UnclosedBracket { open, close } => (
            format!("这里的 `{open}` 没有对应的 `{close}`"),
            format!("在这一行补上 `{close}`：`{fixed}`"),
        ),
        Mistake::DuplicateKey { key, first_line } => (
            format!("键 `{key}` 在同一层里出现了两次（第一次在第 {first_line} 行）；YAML 只会保留其中一个"),
            format!("删除这一行，或把它合并到第 {first_line} 行：`{fixed}`"),
        ),
    }
}

/// The parser's own words, for a mistake not recognised: English keeps them as they were.
pub fn parser_error(parser: &str, lang: Lang) -> (String, String) {
    match lang {
        Lang::En => (
            parser.to_string(),
            "check the indentation and quoting here: a value that contains `: ` or ` #`, or starts with `*`, `&`, `!`, `{`, `[`, `%`, `@` or a quote, must be quoted".into(),
        ),
        Lang::Zh => (
            format!("YAML 格式有误（{parser}）"),
            "检查这里的缩进和引号：值里含有 `: ` 或 ` #`，或以 `*`、`&`、`!`、`{`、`[`、`%`、`@`、引号开头时，要用引号括起来".into(),
        ),
    }
}
