//! The project index: every place an id is defined or named, exactly on the id's characters,
//! so that definition, references, rename and hover answer from one list.

use std::collections::HashMap;
use std::sync::Arc;

use crate::diagnostic::{Pos, Span};
use crate::expr::{Due, Expr, ExprKind};
use crate::load::node::sub_span;
use crate::load::{Document, Node};
use crate::model::{Cond, From, KpiMeasure, Process, Project, Ref, RefKind, Sp};

/// Something with an id. Statuses, fields and tasks belong to a process.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Symbol {
    Status { process: String, id: String },
    Field { process: String, id: String },
    Task { process: String, id: String },
    Role(String),
    Process(String),
}

impl Symbol {
    /// The id as written.
    pub fn id(&self) -> &str {
        match self {
            Symbol::Status { id, .. } | Symbol::Field { id, .. } | Symbol::Task { id, .. } => id,
            Symbol::Role(id) | Symbol::Process(id) => id,
        }
    }

    /// The same kind of symbol in the same scope, with another id.
    pub fn with_id(&self, new: &str) -> Symbol {
        let id = new.to_string();
        match self {
            Symbol::Status { process, .. } => Symbol::Status {
                process: process.clone(),
                id,
            },
            Symbol::Field { process, .. } => Symbol::Field {
                process: process.clone(),
                id,
            },
            Symbol::Task { process, .. } => Symbol::Task {
                process: process.clone(),
                id,
            },
            Symbol::Role(_) => Symbol::Role(id),
            Symbol::Process(_) => Symbol::Process(id),
        }
    }
}

/// One place an id is written.
#[derive(Debug, Clone, PartialEq)]
pub struct Occurrence {
    pub file: Arc<str>,
    /// The id's characters, on one line.
    pub span: Span,
    pub symbol: Symbol,
    pub definition: bool,
}

#[derive(Default)]
pub struct Index {
    occurrences: Vec<Occurrence>,
    by_file: HashMap<Arc<str>, Vec<usize>>,
}

impl Index {
    /// Indexes the model, plus the scenario documents (whose steps the model does not keep).
    pub fn build<'a>(project: &Project, documents: impl Iterator<Item = &'a Document>) -> Index {
        let mut b = Builder::default();
        for r in &project.roles {
            b.sp(&r.file, &r.id, Symbol::Role(r.id.v.clone()), true);
        }
        let parents = parents(project);
        for p in &project.processes {
            process(&mut b, p, parents.get(p.name.v.as_str()));
        }
        for doc in documents.filter(|d| d.kind() == Some("Scenario")) {
            scenario(&mut b, doc);
        }
        let mut index = Index {
            occurrences: b.out,
            by_file: HashMap::new(),
        };
        for (i, o) in index.occurrences.iter().enumerate() {
            index.by_file.entry(o.file.clone()).or_default().push(i);
        }
        index
    }

    /// The occurrence under a position (the position just after an id counts too).
    pub fn at(&self, file: &str, pos: Pos) -> Option<&Occurrence> {
        self.by_file
            .get(file)?
            .iter()
            .map(|&i| &self.occurrences[i])
            .find(|o| o.span.start <= pos && pos <= o.span.end)
    }

    /// Every occurrence of a symbol, definitions first, then in file order.
    pub fn of(&self, symbol: &Symbol) -> Vec<&Occurrence> {
        let mut v: Vec<&Occurrence> = self
            .occurrences
            .iter()
            .filter(|o| &o.symbol == symbol)
            .collect();
        v.sort_by(|a, b| {
            (!a.definition, &a.file, a.span.start).cmp(&(!b.definition, &b.file, b.span.start))
        });
        v
    }
}

/// The processes that start each process (`move_parent` names a status of those).
fn parents(project: &Project) -> HashMap<&str, Vec<&str>> {
    let mut out: HashMap<&str, Vec<&str>> = HashMap::new();
    for p in &project.processes {
        for s in &p.statuses {
            for l in &s.start {
                out.entry(l.process.v.as_str())
                    .or_default()
                    .push(p.name.v.as_str());
            }
        }
    }
    out
}

#[derive(Default)]
struct Builder {
    out: Vec<Occurrence>,
}

impl Builder {
    fn push(&mut self, file: &Arc<str>, span: Span, symbol: Symbol, definition: bool) {
        // Ids never span lines; a block scalar has no exact columns.
        if span.start.line == span.end.line && span.start.line > 0 {
            self.out.push(Occurrence {
                file: file.clone(),
                span,
                symbol,
                definition,
            });
        }
    }

    /// A scalar that is exactly the id (keys and plain values).
    fn sp(&mut self, file: &Arc<str>, s: &Sp<String>, symbol: Symbol, definition: bool) {
        let n = s.v.chars().count();
        self.push(file, s.sub_span(0, n), symbol, definition);
    }

    /// A `role:`/`field:` reference, or a bare role id read as one (approval steps).
    fn reference(&mut self, file: &Arc<str>, p: &str, r: &Ref) {
        let symbol = match r.kind {
            RefKind::Role => Symbol::Role(r.id.clone()),
            RefKind::Field => Symbol::Field {
                process: p.to_string(),
                id: r.id.clone(),
            },
        };
        let id = r.id.chars().count();
        let prefix = match r.kind {
            RefKind::Role => "role:".len(),
            RefKind::Field => "field:".len(),
        };
        let width = r.span.end.column.saturating_sub(r.span.start.column);
        // The span covers the id, the quoted id, `kind:id` or `"kind:id"`.
        let skip = [0, 1, prefix, prefix + 1]
            .into_iter()
            .find(|&s| width == id + s + usize::from(s == 1 || s == prefix + 1));
        if let Some(skip) = skip {
            let start = Pos::new(r.span.start.line, r.span.start.column + skip);
            let end = Pos::new(start.line, start.column + id);
            self.push(file, Span::new(start, end), symbol, false);
        }
    }

    /// The field ids of a condition.
    fn condition(&mut self, file: &Arc<str>, p: &str, c: &Cond) {
        let Ok(expr) = &c.parsed else { return };
        let chars: Vec<char> = c.source.v.chars().collect();
        let mut stack: Vec<&Expr> = vec![expr];
        while let Some(e) = stack.pop() {
            stack.extend(e.children());
            let (name, start) = match &e.kind {
                ExprKind::Field(f) => (f, e.start),
                ExprKind::IsSet { field } => {
                    // `is_set( field )`: the id starts after the parenthesis and any spaces.
                    let open = (e.start..e.end).find(|&i| chars.get(i) == Some(&'('));
                    let Some(open) = open else { continue };
                    let first = (open + 1..e.end).find(|&i| chars.get(i) != Some(&' '));
                    let Some(first) = first else { continue };
                    (field, first)
                }
                _ => continue,
            };
            let span = c.source.sub_span(start, start + name.chars().count());
            self.push(file, span, field(p, name), false);
        }
    }
}

fn status(p: &str, id: &str) -> Symbol {
    Symbol::Status {
        process: p.to_string(),
        id: id.to_string(),
    }
}

fn field(p: &str, id: &str) -> Symbol {
    Symbol::Field {
        process: p.to_string(),
        id: id.to_string(),
    }
}

fn task(p: &str, id: &str) -> Symbol {
    Symbol::Task {
        process: p.to_string(),
        id: id.to_string(),
    }
}

fn process(b: &mut Builder, p: &Process, parents: Option<&Vec<&str>>) {
    let (f, name) = (&p.file, p.name.v.as_str());
    b.sp(f, &p.name, Symbol::Process(name.to_string()), true);
    for fd in &p.fields {
        b.sp(f, &fd.id, field(name, &fd.id.v), true);
    }
    for r in crate::lint::all_refs(p) {
        b.reference(f, name, &r);
    }
    for s in &p.statuses {
        b.sp(f, &s.id, status(name, &s.id.v), true);
        for r in &s.requires {
            b.sp(f, r, field(name, &r.v), false);
        }
        if let Some(m) = &s.move_parent {
            for parent in parents.into_iter().flatten() {
                b.sp(f, m, status(parent, &m.v), false);
            }
        }
        for l in &s.start {
            b.sp(f, &l.process, Symbol::Process(l.process.v.clone()), false);
            for (child, parent) in &l.with {
                b.sp(f, child, field(&l.process.v, &child.v), false);
                if !(l.for_each.is_some() && parent.v == crate::model::EACH) {
                    b.sp(f, parent, field(name, &parent.v), false);
                }
            }
        }
        for n in &s.notify {
            template_fields(b, f, name, &n.message);
        }
        for t in &s.tasks {
            task_occurrences(b, f, name, t);
        }
    }
    for t in &p.transitions {
        if let From::List(ids) = &t.from {
            for id in ids {
                b.sp(f, id, status(name, &id.v), false);
            }
        }
        b.sp(f, &t.to, status(name, &t.to.v), false);
        for r in &t.requires {
            b.sp(f, r, field(name, &r.v), false);
        }
        if let Some(c) = &t.when {
            b.condition(f, name, c);
        }
    }
    kpi_occurrences(b, p);
}

/// The statuses, tasks and fields the KPIs measure.
fn kpi_occurrences(b: &mut Builder, p: &Process) {
    let (f, name) = (&p.file, p.name.v.as_str());
    for k in &p.kpis {
        for m in &k.measures {
            match m {
                KpiMeasure::Time { from, to } => {
                    b.sp(f, from, status(name, &from.v), false);
                    b.sp(f, to, status(name, &to.v), false);
                }
                KpiMeasure::Share { reached, when, .. } => {
                    if let Some(r) = reached {
                        b.sp(f, r, status(name, &r.v), false);
                    }
                    if let Some(c) = when {
                        b.condition(f, name, c);
                    }
                }
                KpiMeasure::OnTime(t) => b.sp(f, t, task(name, &t.v), false),
                KpiMeasure::Average(x) => b.sp(f, x, field(name, &x.v), false),
            }
        }
    }
}

fn task_occurrences(b: &mut Builder, f: &Arc<str>, p: &str, t: &crate::model::Task) {
    b.sp(f, &t.id, task(p, &t.id.v), true);
    for x in &t.fill {
        b.sp(f, x, field(p, &x.v), false);
    }
    if let Some(then) = &t.then {
        b.sp(f, then, status(p, &then.v), false);
    }
    if let (
        Some(due),
        Some(Ok(Due::FieldPlus {
            field: id,
            field_start,
            field_end,
            ..
        })),
    ) = (&t.due, &t.due_parsed)
    {
        b.push(
            f,
            due.sub_span(*field_start, *field_end),
            field(p, id),
            false,
        );
    }
}

/// `{{ record.<field> }}` in a notification message.
fn template_fields(b: &mut Builder, f: &Arc<str>, p: &str, message: &Sp<String>) {
    let chars: Vec<char> = message.v.chars().collect();
    let word = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_';
    let pattern: Vec<char> = "record.".chars().collect();
    let mut i = 0;
    while i + pattern.len() <= chars.len() {
        let before_ok = i == 0 || !word(chars[i - 1]);
        if before_ok && chars[i..i + pattern.len()] == pattern[..] {
            let start = i + pattern.len();
            let end = (start..chars.len())
                .find(|&j| !word(chars[j]))
                .unwrap_or(chars.len());
            if end > start {
                let id: String = chars[start..end].iter().collect();
                b.push(f, message.sub_span(start, end), field(p, &id), false);
            }
            i = end.max(i + 1);
        } else {
            i += 1;
        }
    }
}

/// A scalar node that names a symbol.
fn node(b: &mut Builder, f: &Arc<str>, n: &Node, symbol: impl Fn(&str) -> Symbol) {
    if let Some(s) = n.as_str() {
        let span = sub_span(n.span, n.style, 0, s.chars().count());
        b.push(f, span, symbol(s), false);
    }
}

/// Each item of a list node (or the node itself when it is one scalar).
fn nodes(b: &mut Builder, f: &Arc<str>, n: Option<&Node>, symbol: impl Fn(&str) -> Symbol) {
    let Some(n) = n else { return };
    match n.as_seq() {
        Some(items) => items.iter().for_each(|i| node(b, f, i, &symbol)),
        None => node(b, f, n, &symbol),
    }
}

/// The keys of a mapping node.
fn keys(b: &mut Builder, f: &Arc<str>, n: Option<&Node>, symbol: impl Fn(&str) -> Symbol) {
    for (k, _) in n.and_then(Node::as_map).unwrap_or(&[]) {
        node(b, f, k, &symbol);
    }
}

/// A scenario's references: its process, the users' roles, and what its steps name.
fn scenario(b: &mut Builder, doc: &Document) {
    let f = &doc.file;
    let Some(spec) = doc.root.get("spec") else {
        return;
    };
    let main = spec.get("process").and_then(Node::as_str).unwrap_or("");
    nodes(b, f, spec.get("process"), |s| Symbol::Process(s.into()));
    for (_, roles) in spec.get("users").and_then(Node::as_map).unwrap_or(&[]) {
        nodes(b, f, Some(roles), |s| Symbol::Role(s.into()));
    }
    for step in spec.get("steps").and_then(Node::as_seq).unwrap_or(&[]) {
        let p = step.get("on").and_then(Node::as_str).unwrap_or(main);
        nodes(b, f, step.get("on"), |s| Symbol::Process(s.into()));
        match step.get("move") {
            // `move: { to, fill }` sends fields with the move.
            Some(m) if m.as_map().is_some() => {
                nodes(b, f, m.get("to"), |s| status(p, s));
                keys(b, f, m.get("fill"), |s| field(p, s));
            }
            other => nodes(b, f, other, |s| status(p, s)),
        }
        keys(b, f, step.get("create"), |s| field(p, s));
        keys(b, f, step.get("set"), |s| field(p, s));
        if let Some(c) = step.get("complete") {
            nodes(b, f, c.get("task"), |s| task(p, s));
            keys(b, f, c.get("fill"), |s| field(p, s));
        }
        let Some(expect) = step.get("expect") else {
            continue;
        };
        nodes(b, f, expect.get("status"), |s| status(p, s));
        for key in ["open_tasks", "overdue_tasks", "reopened"] {
            nodes(b, f, expect.get(key), |s| task(p, s));
        }
        nodes(b, f, expect.get("awaiting_approval"), |s| {
            Symbol::Role(s.into())
        });
        for (k, v) in expect.get("children").and_then(Node::as_map).unwrap_or(&[]) {
            node(b, f, k, |s| Symbol::Process(s.into()));
            if let Some(child) = k.as_str() {
                nodes(b, f, v.get("status"), |s| status(child, s));
            }
        }
    }
}
