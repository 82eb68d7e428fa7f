//! The periodic review (定期复盘) as a document: per process, its KPIs against target with a
//! chart and a table each, the tasks most often late, who waited longest for whom and the
//! load. Built as blocks, then written as Markdown or HTML; `sopctl report` fetches the data.

use serde_json::Value;

use super::words::{self, Names};
use super::{chart, KpiReport};
use crate::bundle::{Bundle, Process, Ref};

/// One piece of the document.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    H1(String),
    H2(String),
    H3(String),
    Para(String),
    Table {
        head: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// `name` is a file-safe name for the SVG when it is written beside the document.
    Chart {
        name: String,
        alt: String,
        svg: String,
    },
}

struct T {
    zh: bool,
}

impl T {
    fn w<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        if self.zh {
            zh
        } else {
            en
        }
    }
}

fn num(v: &Value) -> Option<f64> {
    v.as_f64()
}

/// The blocks of one process's review from its `GET /v1/kpis` answer.
pub fn process_blocks(b: &Bundle, p: &Process, answer: &Value, month: bool) -> Vec<Block> {
    let t = T {
        zh: p.language.as_deref() != Some("en"),
    };
    let mut out = vec![Block::H2(format!("{} (`{}`)", p.title, p.name))];
    out.push(Block::Para(review_line(b, p, &t)));
    out.push(Block::H3(
        t.w("这个流程怎样算做得好", "What good looks like").into(),
    ));
    let reports: Vec<KpiReport> =
        serde_json::from_value(answer["kpis"].clone()).unwrap_or_default();
    if p.kpis.is_empty() {
        out.push(Block::Para(
            t.w(
                "这个流程还没有 KPI：在 `spec.kpis` 里写下怎样算做得好。",
                "This process has no KPIs yet: write what good looks like under `spec.kpis`.",
            )
            .into(),
        ));
    }
    for k in &p.kpis {
        let Some(r) = reports.iter().find(|r| r.id == k.id) else {
            continue;
        };
        out.extend(kpi_blocks(p, k, r, month, &t));
    }
    out.extend(late_blocks(answer, &t));
    out.extend(wait_blocks(answer, &t));
    out.extend(load_blocks(answer, &t));
    out
}

fn review_line(b: &Bundle, p: &Process, t: &T) -> String {
    let owner = match &p.owner {
        Some(Ref::Role(id)) => b
            .roles
            .iter()
            .find(|r| &r.id == id)
            .map(|r| r.title.clone())
            .unwrap_or_else(|| id.clone()),
        Some(Ref::Field(id)) => id.clone(),
        None => t.w("未指定", "none").into(),
    };
    let every = match &p.review {
        Some(r) if t.zh => format!("复盘周期：每 {}", r.every.duration().describe_zh()),
        Some(r) => format!("review every {}", r.every.duration().describe_en()),
        None => t
            .w(
                "没有规定复盘周期（`metadata.review.every`）",
                "no review period set (`metadata.review.every`)",
            )
            .into(),
    };
    format!("{}{owner} · {every}", t.w("责任人：", "Owner: "))
}

fn kpi_blocks(p: &Process, k: &super::Kpi, r: &KpiReport, month: bool, t: &T) -> Vec<Block> {
    let status = |id: &str| {
        p.statuses
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.title.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let task = |id: &str| {
        p.statuses
            .iter()
            .flat_map(|s| s.tasks.iter())
            .find(|x| x.id == id)
            .map(|x| x.title.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let field = |id: &str| {
        p.fields
            .iter()
            .find(|f| f.id == id)
            .map(|f| f.title.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let record = p
        .record
        .clone()
        .unwrap_or_else(|| t.w("记录", "record").into());
    let names = Names {
        record: &record,
        status: &status,
        task: &task,
        field: &field,
    };
    let goal =
        words::target(k, &names, t.zh).unwrap_or_else(|| t.w("没有目标", "no target").into());
    let met = r.periods.iter().filter(|x| x.met == Some(true)).count();
    let measured = r.periods.iter().filter(|x| x.met.is_some()).count();
    let mut out = vec![
        Block::Para(format!(
            "**{}** — {goal}{}",
            r.title,
            if measured > 0 {
                format!(
                    "{}{met}/{measured}{}",
                    t.w("（", " ("),
                    t.w(" 期达标）", " periods met)")
                )
            } else {
                String::new()
            }
        )),
        Block::Chart {
            name: format!("{}-{}", p.name, k.id),
            alt: format!("{}: {goal}", r.title),
            svg: chart::svg(k, r, month, t.zh),
        },
    ];
    let rows = r
        .periods
        .iter()
        .map(|x| {
            vec![
                x.start.get(..10).unwrap_or(&x.start).to_string(),
                x.value
                    .map(|v| words::value(k, v, t.zh))
                    .unwrap_or_else(|| "—".into()),
                x.count.to_string(),
                match x.met {
                    Some(true) => t.w("达标", "met").into(),
                    Some(false) => t.w("未达标", "missed").into(),
                    None => "—".into(),
                },
            ]
        })
        .collect();
    out.push(Block::Table {
        head: [
            t.w("期间", "Period"),
            t.w("值", "Value"),
            t.w("数量", "Count"),
            t.w("达标", "Met"),
        ]
        .map(String::from)
        .to_vec(),
        rows,
    });
    out
}

fn secs(v: &Value, t: &T) -> String {
    num(v)
        .map(|s| words::duration(s, t.zh))
        .unwrap_or_else(|| "—".into())
}

fn late_blocks(answer: &Value, t: &T) -> Vec<Block> {
    let rows: Vec<Vec<String>> = answer["late_tasks"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|x| {
            vec![
                x["title"]
                    .as_str()
                    .or(x["task"].as_str())
                    .unwrap_or("")
                    .to_string(),
                x["completed"].to_string(),
                x["late"].to_string(),
                num(&x["late_share"])
                    .map(words::percent)
                    .unwrap_or_else(|| "—".into()),
                secs(&x["avg_late"], t),
                x["open_overdue"].to_string(),
            ]
        })
        .collect();
    let mut out = vec![Block::H3(
        t.w("最常延误的任务", "Tasks most often late").into(),
    )];
    if rows.is_empty() {
        out.push(Block::Para(
            t.w(
                "这段时间没有延误的任务。",
                "No task was late in this range.",
            )
            .into(),
        ));
    } else {
        out.push(Block::Table {
            head: [
                t.w("任务", "Task"),
                t.w("完成", "Done"),
                t.w("延误", "Late"),
                t.w("延误率", "Late share"),
                t.w("平均延误", "Average delay"),
                t.w("当前逾期", "Overdue now"),
            ]
            .map(String::from)
            .to_vec(),
            rows,
        });
    }
    out
}

fn wait_blocks(answer: &Value, t: &T) -> Vec<Block> {
    let rows: Vec<Vec<String>> = answer["approvals"]["waits"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|x| {
            vec![
                x["requester"].as_str().unwrap_or("—").to_string(),
                x["role"].as_str().unwrap_or("").to_string(),
                secs(&x["waited"], t),
                if x["pending"] == true {
                    t.w("仍在等", "still waiting").into()
                } else {
                    t.w("已决定", "decided").into()
                },
            ]
        })
        .collect();
    let mut out = vec![Block::H3(
        t.w("谁在等谁", "Who waited longest for whom").into(),
    )];
    if rows.is_empty() {
        out.push(Block::Para(
            t.w("这段时间没有审批。", "No approval in this range.")
                .into(),
        ));
    } else {
        out.push(Block::Table {
            head: [
                t.w("申请人", "Requester"),
                t.w("审批角色", "Approver role"),
                t.w("等了", "Waited"),
                t.w("状态", "State"),
            ]
            .map(String::from)
            .to_vec(),
            rows,
        });
    }
    out
}

fn load_blocks(answer: &Value, t: &T) -> Vec<Block> {
    let rows: Vec<Vec<String>> = answer["load"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|x| {
            vec![
                x["title"]
                    .as_str()
                    .or(x["assignee"].as_str())
                    .unwrap_or("")
                    .to_string(),
                x["open"].to_string(),
                x["overdue"].to_string(),
            ]
        })
        .collect();
    if rows.is_empty() {
        return vec![];
    }
    vec![
        Block::H3(t.w("手上的工作", "Open work").into()),
        Block::Table {
            head: [
                t.w("谁", "Who"),
                t.w("未完成", "Open"),
                t.w("逾期", "Overdue"),
            ]
            .map(String::from)
            .to_vec(),
            rows,
        },
    ]
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// Markdown; charts are `![alt](<assets>/<name>.svg)` when `assets` is given, else left out.
pub fn markdown(blocks: &[Block], assets: Option<&str>) -> String {
    let mut s = String::new();
    for b in blocks {
        match b {
            Block::H1(x) => s.push_str(&format!("# {x}\n\n")),
            Block::H2(x) => s.push_str(&format!("## {x}\n\n")),
            Block::H3(x) => s.push_str(&format!("### {x}\n\n")),
            Block::Para(x) => s.push_str(&format!("{x}\n\n")),
            Block::Table { head, rows } => {
                s.push_str(&format!(
                    "| {} |\n",
                    head.iter()
                        .map(|h| md_cell(h))
                        .collect::<Vec<_>>()
                        .join(" | ")
                ));
                s.push_str(&format!("|{}\n", "---|".repeat(head.len())));
                for r in rows {
                    s.push_str(&format!(
                        "| {} |\n",
                        r.iter().map(|c| md_cell(c)).collect::<Vec<_>>().join(" | ")
                    ));
                }
                s.push('\n');
            }
            Block::Chart { name, alt, .. } => {
                if let Some(dir) = assets {
                    s.push_str(&format!("![{}]({dir}/{name}.svg)\n\n", md_cell(alt)));
                }
            }
        }
    }
    s
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Inline `**bold**` and `` `code` `` of the paragraphs, escaped.
fn inline(s: &str) -> String {
    let mut out = String::new();
    let (mut bold, mut code) = (false, false);
    let mut rest = s;
    while let Some(i) = rest.find(['*', '`']) {
        out.push_str(&esc(&rest[..i]));
        if rest[i..].starts_with("**") && !code {
            out.push_str(if bold { "</strong>" } else { "<strong>" });
            bold = !bold;
            rest = &rest[i + 2..];
        } else if rest[i..].starts_with('`') {
            out.push_str(if code { "</code>" } else { "<code>" });
            code = !code;
            rest = &rest[i + 1..];
        } else {
            out.push('*');
            rest = &rest[i + 1..];
        }
    }
    out.push_str(&esc(rest));
    out
}

/// One HTML page with the charts inline (no script, no outside asset).
pub fn html(blocks: &[Block], lang: &str, title: &str) -> String {
    let mut s = format!(
        "<!doctype html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{}</title><style>body{{font-family:sans-serif;max-width:720px;margin:1em auto;padding:0 1em}}table{{border-collapse:collapse;margin:.5em 0 1.5em}}td,th{{border:1px solid #ccc;padding:.2em .5em;text-align:left}}svg{{max-width:100%;height:auto}}</style></head><body>\n",
        esc(title)
    );
    for b in blocks {
        match b {
            Block::H1(x) => s.push_str(&format!("<h1>{}</h1>\n", inline(x))),
            Block::H2(x) => s.push_str(&format!("<h2>{}</h2>\n", inline(x))),
            Block::H3(x) => s.push_str(&format!("<h3>{}</h3>\n", inline(x))),
            Block::Para(x) => s.push_str(&format!("<p>{}</p>\n", inline(x))),
            Block::Table { head, rows } => {
                s.push_str("<table><thead><tr>");
                for h in head {
                    s.push_str(&format!("<th scope=\"col\">{}</th>", esc(h)));
                }
                s.push_str("</tr></thead><tbody>");
                for r in rows {
                    s.push_str("<tr>");
                    for c in r {
                        s.push_str(&format!("<td>{}</td>", esc(c)));
                    }
                    s.push_str("</tr>");
                }
                s.push_str("</tbody></table>\n");
            }
            Block::Chart { svg, .. } => s.push_str(&format!("<figure>{svg}</figure>\n")),
        }
    }
    s.push_str("</body></html>\n");
    s
}
