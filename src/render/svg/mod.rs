//! The status graph drawn as an inline SVG by the program, so that an HTML handbook shows it
//! without scripts or network. A small layered layout: edges that lead back are turned around,
//! statuses are put on rows by longest path (every end status on the last row), long edges
//! get waypoints on the rows they cross, rows are ordered by barycentres, and boxes are
//! placed near their neighbours. Text widths are estimated with unicode-width (CJK counts two
//! columns). The output depends only on the graph: the same process gives the same bytes.

mod coordinates;
mod layering;
mod ordering;
mod output;
mod routing;

use std::fmt::Write as _;

use unicode_width::UnicodeWidthStr;

use super::graph::{EdgeKind, Graph};
use coordinates::{node_rect, place, row_y};
use layering::{layers, vertices};
use routing::{place_labels, route, Drawn};

const FONT_SIZE: f64 = 14.0;
const LABEL_FONT_SIZE: f64 = 12.0;
/// Width of one terminal column at `FONT_SIZE` (a CJK character is two).
const COLUMN: f64 = 7.6;
const LABEL_COLUMN: f64 = 6.6;
const NODE_H: f64 = 38.0;
const NODE_PAD: f64 = 18.0;
const MIN_NODE_W: f64 = 84.0;
const DUMMY_W: f64 = 18.0;
const H_GAP: f64 = 36.0;
const ROW_GAP: f64 = 70.0;
const MARGIN: f64 = 24.0;
const START_SPACE: f64 = 40.0;
const END_SPACE: f64 = 36.0;

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn text_width(s: &str, column: f64) -> f64 {
    UnicodeWidthStr::width(s) as f64 * column
}

/// A number for the SVG: one decimal, no `-0.0`.
fn n(x: f64) -> String {
    let r = (x * 10.0).round() / 10.0;
    if r == 0.0 {
        "0".into()
    } else if r.fract() == 0.0 {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Rect {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
}

impl Rect {
    fn around(cx: f64, cy: f64, w: f64, h: f64) -> Rect {
        Rect {
            x0: cx - w / 2.0,
            y0: cy - h / 2.0,
            x1: cx + w / 2.0,
            y1: cy + h / 2.0,
        }
    }
    fn overlaps(&self, o: &Rect) -> bool {
        self.x0 < o.x1 && o.x0 < self.x1 && self.y0 < o.y1 && o.y0 < self.y1
    }
}

/// One vertex of the layered graph: a status or a waypoint of a long edge.
struct Vertex {
    layer: usize,
    width: f64,
    x: f64,
    up: Vec<usize>,
    down: Vec<usize>,
}

/// The diagram as an `<svg>` element. `id` prefixes the ids inside (one page may hold several).
pub fn draw(g: &Graph, id: &str, title: &str) -> String {
    if g.nodes.is_empty() {
        return String::new();
    }
    let (layer, reversed) = layers(g);
    let (mut vs, chains) = vertices(g, &layer, &reversed);
    let rows_n = layer.iter().copied().max().unwrap_or(0) + 1;
    let rows = ordering::rows(&vs, rows_n);
    place(g, &mut vs, &rows, &reversed);
    let drawn = route(g, &vs, &chains, &reversed);
    let labels = place_labels(g, &vs, &drawn);
    output::svg(g, &vs, &drawn, &labels, (id, title))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::graph::{Edge, Node};

    fn node(t: &str, initial: bool, terminal: bool) -> Node {
        Node {
            title: t.into(),
            initial,
            terminal,
        }
    }

    fn edge(from: usize, to: usize, label: &str, kind: EdgeKind, transition: usize) -> Edge {
        Edge {
            from,
            to,
            label: label.into(),
            kind,
            transition,
        }
    }

    fn sample() -> Graph {
        Graph {
            nodes: vec![
                node("待审批", true, false),
                node("已审批", false, false),
                node("已发货 <&>", false, false),
                node("已取消", false, true),
                node("已退货", false, true),
            ],
            edges: vec![
                edge(0, 1, "提交审批", EdgeKind::Approval, 0),
                edge(1, 2, "确认发货", EdgeKind::Manual, 1),
                edge(2, 0, "退回", EdgeKind::Manual, 2),
                edge(0, 3, "取消", EdgeKind::Manual, 3),
                edge(1, 3, "取消", EdgeKind::Manual, 3),
                edge(0, 4, "退货", EdgeKind::Automatic, 4),
                edge(1, 4, "退货", EdgeKind::Automatic, 4),
                edge(2, 4, "退货", EdgeKind::Automatic, 4),
                edge(2, 2, "自检", EdgeKind::Manual, 5),
            ],
        }
    }

    #[test]
    fn layers_put_ends_last_and_turn_back_edges() {
        let g = sample();
        let (layer, reversed) = layers(&g);
        assert_eq!(layer, vec![0, 1, 2, 3, 3]);
        assert_eq!(
            reversed,
            vec![false, false, true, false, false, false, false, false, false]
        );
    }

    #[test]
    fn draws_every_status_escaped_and_deterministically() {
        let g = sample();
        let a = draw(&g, "d1", "流程 <x>");
        assert_eq!(a, draw(&g, "d1", "流程 <x>"));
        assert!(a.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(a.ends_with("</svg>"));
        assert!(a.contains("已发货 &lt;&amp;&gt;"));
        assert!(a.contains("<title id=\"d1-title\">流程 &lt;x&gt;</title>"));
        assert_eq!(a.matches("<g class=\"state\">").count(), 5);
        assert!(a.contains("提交审批 ✔"));
        assert!(!a.contains("NaN") && !a.contains("inf"));
    }

    #[test]
    fn wide_titles_make_wide_boxes() {
        let narrow = Graph {
            nodes: vec![node("甲", true, true)],
            edges: vec![],
        };
        let wide = Graph {
            nodes: vec![node("一个非常非常非常长的状态标题", true, true)],
            edges: vec![],
        };
        let width = |s: &str| {
            let at = s.find("width=\"").unwrap() + 7;
            s[at..].split('"').next().unwrap().parse::<f64>().unwrap()
        };
        assert!(width(&draw(&wide, "a", "")) > width(&draw(&narrow, "a", "")) + 150.0);
    }

    /// The label boxes of a drawing: (x, y, width, height).
    fn label_boxes(svg: &str) -> Vec<(f64, f64, f64, f64)> {
        svg.split("<g class=\"label\"><rect ")
            .skip(1)
            .map(|part| {
                let attr = |name: &str| -> f64 {
                    let at = part.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
                    part[at..at + part[at..].find('"').unwrap()]
                        .parse()
                        .unwrap()
                };
                (attr("x"), attr("y"), attr("width"), attr("height"))
            })
            .collect()
    }

    #[test]
    fn opposite_transitions_with_long_labels_do_not_cover_each_other() {
        let g = Graph {
            nodes: vec![
                node("待提交", true, false),
                node("待审核", false, false),
                node("已完成", false, true),
            ],
            edges: vec![
                edge(0, 1, "提交完成审核", EdgeKind::Manual, 0),
                edge(1, 0, "退回实施人员重做", EdgeKind::Manual, 1),
                edge(1, 2, "审核通过", EdgeKind::Approval, 2),
            ],
        };
        let svg = draw(&g, "d", "翻译任务");
        let boxes = label_boxes(&svg);
        assert_eq!(boxes.len(), 3, "{svg}");
        for (i, a) in boxes.iter().enumerate() {
            for b in &boxes[i + 1..] {
                let apart =
                    a.0 + a.2 <= b.0 || b.0 + b.2 <= a.0 || a.1 + a.3 <= b.1 || b.1 + b.3 <= a.1;
                assert!(apart, "labels overlap: {a:?} {b:?}");
            }
        }
        // Whole labels, never cut.
        assert!(svg.contains(">提交完成审核</text>") && svg.contains(">退回实施人员重做</text>"));
    }
}
