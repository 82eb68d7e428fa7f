//! The status graph as a Mermaid `stateDiagram-v2`. State ids are generated (`s0`, `s1`, … in
//! display order), never the status ids: Mermaid ids cannot contain `-` or be keywords. Titles
//! go in `state "标题" as s0`, with the characters Mermaid gives meaning to replaced.

use super::graph::{EdgeKind, Graph};

/// A title or label Mermaid reads literally: no quotes, no `;` (ends a statement), no `#`
/// (starts an entity), no `:` (separates a label), no `%%` comments, no line breaks, no
/// angle brackets or braces.
pub fn label(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push('\''),
            ';' => out.push('；'),
            '#' => out.push('＃'),
            ':' => out.push('：'),
            '%' => out.push('％'),
            '<' => out.push('‹'),
            '>' => out.push('›'),
            '{' => out.push('（'),
            '}' => out.push('）'),
            '[' => out.push('［'),
            ']' => out.push('］'),
            '\\' => out.push('＼'),
            '`' => out.push('\''),
            c if c.is_control() || c == '\u{2028}' || c == '\u{2029}' => out.push(' '),
            c => out.push(c),
        }
    }
    let collapsed = out.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.is_empty() {
        "–".to_string()
    } else {
        collapsed
    }
}

/// The marker after a transition label.
pub fn marker(kind: EdgeKind) -> &'static str {
    match kind {
        EdgeKind::Manual => "",
        EdgeKind::Approval => " ✔",
        EdgeKind::Automatic => " ⚡",
    }
}

/// The diagram source, one statement per line.
pub fn diagram(g: &Graph) -> String {
    let mut out = String::from("stateDiagram-v2\n");
    for (i, n) in g.nodes.iter().enumerate() {
        out.push_str(&format!("    state \"{}\" as s{i}\n", label(&n.title)));
    }
    if let Some(init) = g.nodes.iter().position(|n| n.initial) {
        out.push_str(&format!("    [*] --> s{init}\n"));
    }
    for e in &g.edges {
        out.push_str(&format!(
            "    s{} --> s{} : {}{}\n",
            e.from,
            e.to,
            label(&e.label),
            marker(e.kind)
        ));
    }
    for (i, n) in g.nodes.iter().enumerate() {
        if n.terminal {
            out.push_str(&format!("    s{i} --> [*]\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::graph::{Edge, Node};

    #[test]
    fn labels_lose_what_mermaid_reads() {
        assert_eq!(label("a;b\"c\"#d:e\nf"), "a；b'c'＃d：e f");
        assert_eq!(label("  "), "–");
        assert_eq!(label("50%%off <b>"), "50％％off ‹b›");
    }

    #[test]
    fn generated_ids_and_markers() {
        let g = Graph {
            nodes: vec![
                Node {
                    title: "待审批".into(),
                    initial: true,
                    terminal: false,
                },
                Node {
                    title: "state".into(),
                    initial: false,
                    terminal: true,
                },
            ],
            edges: vec![Edge {
                from: 0,
                to: 1,
                label: "提交;审批".into(),
                kind: EdgeKind::Approval,
                transition: 0,
            }],
        };
        assert_eq!(
            diagram(&g),
            "stateDiagram-v2\n    state \"待审批\" as s0\n    state \"state\" as s1\n    [*] --> s0\n    s0 --> s1 : 提交；审批 ✔\n    s1 --> [*]\n"
        );
    }
}
