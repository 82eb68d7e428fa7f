//! The documentation of every validation code of SPEC section 5, shown by `sopctl explain` and
//! carried into SARIF rules. Each example is a complete project file that produces its code;
//! each fixed version validates with no error, and a test of the main crate checks both.

use crate::report::RuleDoc;

/// One validation code, documented for the people who write and follow SOPs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeDoc {
    pub code: &'static str,
    /// One line, for SARIF `shortDescription`.
    pub summary: &'static str,
    /// What it means.
    pub what: &'static str,
    /// Why it matters, for the people following the SOP.
    pub why: &'static str,
    /// A complete YAML file that fails with this code.
    pub example: &'static str,
    /// The same file, fixed.
    pub fixed: &'static str,
    /// How to fix, one or two sentences.
    pub help: &'static str,
}

impl CodeDoc {
    /// The texts SARIF shows next to an alert of this code.
    pub fn rule_doc(&self) -> RuleDoc {
        RuleDoc {
            summary: self.summary.to_string(),
            full: format!("{} {}", self.what, self.why),
            help: self.help.to_string(),
        }
    }
}

/// Every code of SPEC section 5, in the order of its table, then those of SPEC 10.
pub const VALIDATION_CODES: &[CodeDoc] = &[
    CodeDoc {
        code: "yaml-syntax",
        summary: "The file is not valid YAML",
        what: "The file could not be parsed as YAML, so nothing in it was checked. sopctl \
            recognises the usual typing mistakes and names them at the place they are, with \
            the corrected line: a missing `:` after a key, the full-width `：` or `，` of a \
            Chinese input method, a tab in the indentation or after a colon, a key one or two \
            spaces off its siblings, an unclosed quote or bracket (reported where it opens), \
            and a key written twice in one mapping. Otherwise the position is where the parser \
            gave up, and the mistake is on that line or just before it, often a `: ` inside an \
            unquoted text.",
        why: "Until the file parses, none of its processes exist for sopctl: they are not \
            validated, built into the bundle or shown in the handbook, so the people following \
            them get nothing.",
        example: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    sales: { title: 销售 }
    warehouse: { title: 库管 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: shipping, title: 发货 }
spec:
  record: 发货单
  fields:
    tracking_no: { type: text, title: 物流单号 }
  statuses:
    pending:
      title: 待发货
      initial: true
      tasks:
        - id: ship
          title: 出库发货
          assignee: role:warehouse
          guide: 注意: 易碎品需加固包装
          complete: { fill: [tracking_no], then: shipped }
    shipped: { title: 已发货, terminal: true }
  transitions:
    - { from: pending, to: shipped, requires: [tracking_no] }
"#,
        fixed: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    sales: { title: 销售 }
    warehouse: { title: 库管 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: shipping, title: 发货 }
spec:
  record: 发货单
  fields:
    tracking_no: { type: text, title: 物流单号 }
  statuses:
    pending:
      title: 待发货
      initial: true
      tasks:
        - id: ship
          title: 出库发货
          assignee: role:warehouse
          guide: "注意: 易碎品需加固包装"
          complete: { fill: [tracking_no], then: shipped }
    shipped: { title: 已发货, terminal: true }
  transitions:
    - { from: pending, to: shipped, requires: [tracking_no] }
"#,
        help: "Fix the YAML at the position shown; quote any text that contains `: ` or starts \
            with a special character such as `{`, `[`, `*` or `#`.",
    },
    CodeDoc {
        code: "schema",
        summary: "A document does not match the sopctl/v1 schema",
        what: "A document is valid YAML but not a valid sopctl document: an unknown key, a value \
            of the wrong type, a missing required key, an identifier that breaks the naming \
            rules, or a value outside its allowed set (such as a field `type` or a \
            notification `channel`).",
        why: "sopctl cannot tell what a misspelled or unsupported setting was meant to do; \
            ignoring it silently would give people a process that differs from the one written \
            down.",
        example: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    sales: { title: 销售 }
    warehouse: { title: 库管 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: shipping, title: 发货 }
spec:
  record: 发货单
  fields:
    tracking_no: { type: text, title: 物流单号 }
    remark: { type: string, title: 备注 }
  statuses:
    pending:
      title: 待发货
      initial: true
      tasks:
        - id: ship
          title: 出库发货
          assignee: role:warehouse
          complete: { fill: [tracking_no], then: shipped }
    shipped: { title: 已发货, terminal: true }
  transitions:
    - { from: pending, to: shipped, requires: [tracking_no] }
"#,
        fixed: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    sales: { title: 销售 }
    warehouse: { title: 库管 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: shipping, title: 发货 }
spec:
  record: 发货单
  fields:
    tracking_no: { type: text, title: 物流单号 }
    remark: { type: text, title: 备注 }
  statuses:
    pending:
      title: 待发货
      initial: true
      tasks:
        - id: ship
          title: 出库发货
          assignee: role:warehouse
          complete: { fill: [tracking_no], then: shipped }
    shipped: { title: 已发货, terminal: true }
  transitions:
    - { from: pending, to: shipped, requires: [tracking_no] }
"#,
        help: "Correct the key or value named in the message; docs/reference/language.md lists \
            every key and allowed value (field types are text, longtext, number, money, bool, date, \
            datetime, user, users, file, files and choice).",
    },
    CodeDoc {
        code: "duplicate-name",
        summary: "Two things that must have distinct names share one",
        what: "Two documents of the same kind have the same `metadata.name`, a role id is defined \
            twice (possibly in two `Roles` documents), or two tasks of one process have the \
            same `id`.",
        why: "Names are how processes, roles and tasks are referred to: by other processes, by \
            scenarios, by the runtime's live records and by the handbook. With two of one \
            name, one of them would silently replace the other.",
        example: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    sales: { title: 销售 }
    warehouse: { title: 库管 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: shipping, title: 发货 }
spec:
  record: 发货单
  fields:
    tracking_no: { type: text, title: 物流单号 }
  statuses:
    pending:
      title: 待发货
      initial: true
      tasks:
        - { id: check, title: 核对发货清单, assignee: role:warehouse }
        - { id: check, title: 核对收货地址, assignee: role:sales }
        - id: ship
          title: 出库发货
          assignee: role:warehouse
          complete: { fill: [tracking_no], then: shipped }
    shipped: { title: 已发货, terminal: true }
  transitions:
    - { from: pending, to: shipped, requires: [tracking_no] }
"#,
        fixed: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    sales: { title: 销售 }
    warehouse: { title: 库管 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: shipping, title: 发货 }
spec:
  record: 发货单
  fields:
    tracking_no: { type: text, title: 物流单号 }
  statuses:
    pending:
      title: 待发货
      initial: true
      tasks:
        - { id: check, title: 核对发货清单, assignee: role:warehouse }
        - { id: check-address, title: 核对收货地址, assignee: role:sales }
        - id: ship
          title: 出库发货
          assignee: role:warehouse
          complete: { fill: [tracking_no], then: shipped }
    shipped: { title: 已发货, terminal: true }
  transitions:
    - { from: pending, to: shipped, requires: [tracking_no] }
"#,
        help: "Rename one of the two; if both are meant to be the same thing, delete the copy.",
    },
    CodeDoc {
        code: "unknown-status",
        summary: "A reference names a status the process does not have",
        what: "A transition's `from` or `to`, a task's `complete.then` or another status \
            reference names an id that is not under the process's `statuses`.",
        why: "A transition to or from nowhere can never be taken: the button is missing or the \
            record gets stuck, and people are left without the step the SOP promised them.",
        example: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    purchaser: { title: 采购员 }
    manager: { title: 部门经理 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: purchase, title: 采购申请 }
spec:
  record: 采购单
  fields:
    amount: { type: money, title: 金额, required: true }
  statuses:
    submitted: { title: 已提交, initial: true }
    approved: { title: 已批准 }
    purchased: { title: 已采购, terminal: true }
    cancelled: { title: 已取消, terminal: true }
  transitions:
    - { from: submitted, to: approved, by: [role:manager] }
    - { from: approved, to: purchased, by: [role:purchaser] }
    - { from: [submitted, aproved], to: cancelled, title: 取消 }
"#,
        fixed: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    purchaser: { title: 采购员 }
    manager: { title: 部门经理 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: purchase, title: 采购申请 }
spec:
  record: 采购单
  fields:
    amount: { type: money, title: 金额, required: true }
  statuses:
    submitted: { title: 已提交, initial: true }
    approved: { title: 已批准 }
    purchased: { title: 已采购, terminal: true }
    cancelled: { title: 已取消, terminal: true }
  transitions:
    - { from: submitted, to: approved, by: [role:manager] }
    - { from: approved, to: purchased, by: [role:purchaser] }
    - { from: [submitted, approved], to: cancelled, title: 取消 }
"#,
        help: "Use one of the ids under `statuses` (check the spelling), or add the missing \
            status.",
    },
    CodeDoc {
        code: "unknown-field",
        summary: "A reference names a field the process does not have",
        what: "A `requires`, `complete.fill`, `field:` reference, `start.with` pair or `when` \
            expression names a field id that is not under the process's `fields`.",
        why: "A requirement on a field that does not exist can never be met or is never asked \
            for, so records either get stuck or move on without the information the next \
            person needs.",
        example: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    sales: { title: 销售 }
    warehouse: { title: 库管 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: shipping, title: 发货 }
spec:
  record: 发货单
  fields:
    tracking_no: { type: text, title: 物流单号 }
  statuses:
    pending:
      title: 待发货
      initial: true
      tasks:
        - id: ship
          title: 出库发货
          assignee: role:warehouse
          complete: { fill: [tracking_no], then: shipped }
    shipped: { title: 已发货, terminal: true }
  transitions:
    - { from: pending, to: shipped, requires: [tracking_number] }
"#,
        fixed: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    sales: { title: 销售 }
    warehouse: { title: 库管 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: shipping, title: 发货 }
spec:
  record: 发货单
  fields:
    tracking_no: { type: text, title: 物流单号 }
  statuses:
    pending:
      title: 待发货
      initial: true
      tasks:
        - id: ship
          title: 出库发货
          assignee: role:warehouse
          complete: { fill: [tracking_no], then: shipped }
    shipped: { title: 已发货, terminal: true }
  transitions:
    - { from: pending, to: shipped, requires: [tracking_no] }
"#,
        help: "Use one of the ids under `fields` (check the spelling), or add the field.",
    },
    CodeDoc {
        code: "unknown-role",
        summary: "A reference names a role no Roles document defines",
        what: "A `role:` reference (an assignee, `by`, an approval step, an escalation, a \
            notification or the process `owner`) names a role id that no `Roles` document \
            defines.",
        why: "Nobody holds a role that does not exist: the task has no one to do it, the \
            approval no one to decide, and the record waits forever.",
        example: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    sales: { title: 销售 }
    warehouse: { title: 库管 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: shipping, title: 发货 }
spec:
  record: 发货单
  fields:
    tracking_no: { type: text, title: 物流单号 }
  statuses:
    pending:
      title: 待发货
      initial: true
      tasks:
        - id: ship
          title: 出库发货
          assignee: role:warehose
          complete: { fill: [tracking_no], then: shipped }
    shipped: { title: 已发货, terminal: true }
  transitions:
    - { from: pending, to: shipped, requires: [tracking_no] }
"#,
        fixed: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    sales: { title: 销售 }
    warehouse: { title: 库管 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: shipping, title: 发货 }
spec:
  record: 发货单
  fields:
    tracking_no: { type: text, title: 物流单号 }
  statuses:
    pending:
      title: 待发货
      initial: true
      tasks:
        - id: ship
          title: 出库发货
          assignee: role:warehouse
          complete: { fill: [tracking_no], then: shipped }
    shipped: { title: 已发货, terminal: true }
  transitions:
    - { from: pending, to: shipped, requires: [tracking_no] }
"#,
        help: "Use a role id defined under `spec.roles` of a `Roles` document, or define the role \
            there.",
    },
    CodeDoc {
        code: "unknown-process",
        summary: "A status starts a process that does not exist",
        what: "A status's `start` names a process (`metadata.name`) that no `Process` document in \
            the project has.",
        why: "The hand-off to the next team never happens: the child process is not started, so \
            nobody is told to do the follow-up work.",
        example: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    sales: { title: 销售 }
    implementer: { title: 实施人员 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: sales-order, title: 销售订单 }
spec:
  record: 订单
  fields:
    customer: { type: text, title: 客户 }
  statuses:
    signed:
      title: 已签约
      initial: true
      start: [{ process: install, with: { customer: customer } }]
    delivered: { title: 已交付, terminal: true }
  transitions:
    - { from: signed, to: delivered, by: [role:sales] }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: installation, title: 上门安装 }
spec:
  record: 安装单
  fields:
    customer: { type: text, title: 客户 }
  statuses:
    scheduled: { title: 待安装, initial: true }
    done: { title: 已安装, terminal: true }
  transitions:
    - { from: scheduled, to: done, by: [role:implementer] }
"#,
        fixed: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    sales: { title: 销售 }
    implementer: { title: 实施人员 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: sales-order, title: 销售订单 }
spec:
  record: 订单
  fields:
    customer: { type: text, title: 客户 }
  statuses:
    signed:
      title: 已签约
      initial: true
      start: [{ process: installation, with: { customer: customer } }]
    delivered: { title: 已交付, terminal: true }
  transitions:
    - { from: signed, to: delivered, by: [role:sales] }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: installation, title: 上门安装 }
spec:
  record: 安装单
  fields:
    customer: { type: text, title: 客户 }
  statuses:
    scheduled: { title: 待安装, initial: true }
    done: { title: 已安装, terminal: true }
  transitions:
    - { from: scheduled, to: done, by: [role:implementer] }
"#,
        help: "Use the `metadata.name` of an existing process, or add that process to the \
            project.",
    },
    CodeDoc {
        code: "no-initial-status",
        summary: "No status is marked initial",
        what: "None of the process's statuses has `initial: true`.",
        why: "A new record must start somewhere. Without an initial status the process cannot be \
            started at all.",
        example: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    sales: { title: 销售 }
    warehouse: { title: 库管 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: shipping, title: 发货 }
spec:
  record: 发货单
  fields:
    tracking_no: { type: text, title: 物流单号 }
  statuses:
    pending: { title: 待发货 }
    shipped: { title: 已发货, terminal: true }
  transitions:
    - { from: pending, to: shipped, by: [role:warehouse], requires: [tracking_no] }
"#,
        fixed: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    sales: { title: 销售 }
    warehouse: { title: 库管 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: shipping, title: 发货 }
spec:
  record: 发货单
  fields:
    tracking_no: { type: text, title: 物流单号 }
  statuses:
    pending: { title: 待发货, initial: true }
    shipped: { title: 已发货, terminal: true }
  transitions:
    - { from: pending, to: shipped, by: [role:warehouse], requires: [tracking_no] }
"#,
        help: "Add `initial: true` to the status where a new record begins.",
    },
    CodeDoc {
        code: "multiple-initial-statuses",
        summary: "More than one status is marked initial",
        what: "Two or more statuses of one process have `initial: true`.",
        why: "A new record can only begin in one place; with several candidates nobody can tell \
            which status a new record starts in, or which tasks are created first.",
        example: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    purchaser: { title: 采购员 }
    manager: { title: 部门经理 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: purchase, title: 采购申请 }
spec:
  record: 采购单
  fields:
    amount: { type: money, title: 金额, required: true }
  statuses:
    draft: { title: 草稿, initial: true }
    submitted: { title: 待审批, initial: true }
    approved: { title: 已批准, terminal: true }
  transitions:
    - { from: draft, to: submitted, title: 提交, by: [role:purchaser] }
    - { from: submitted, to: draft, title: 退回修改, by: [role:manager] }
    - { from: submitted, to: approved, title: 批准, by: [role:manager] }
"#,
        fixed: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    purchaser: { title: 采购员 }
    manager: { title: 部门经理 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: purchase, title: 采购申请 }
spec:
  record: 采购单
  fields:
    amount: { type: money, title: 金额, required: true }
  statuses:
    draft: { title: 草稿, initial: true }
    submitted: { title: 待审批 }
    approved: { title: 已批准, terminal: true }
  transitions:
    - { from: draft, to: submitted, title: 提交, by: [role:purchaser] }
    - { from: submitted, to: draft, title: 退回修改, by: [role:manager] }
    - { from: submitted, to: approved, title: 批准, by: [role:manager] }
"#,
        help: "Keep `initial: true` on the one status where a new record begins and remove it \
            from the others.",
    },
    CodeDoc {
        code: "no-terminal-status",
        summary: "No status is marked terminal",
        what: "None of the process's statuses has `terminal: true`.",
        why: "Without an end, no record is ever finished: reports cannot tell open work from \
            done work and every record stays in someone's list forever.",
        example: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    sales: { title: 销售 }
    warehouse: { title: 库管 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: shipping, title: 发货 }
spec:
  record: 发货单
  fields:
    tracking_no: { type: text, title: 物流单号 }
  statuses:
    pending: { title: 待发货, initial: true }
    shipped: { title: 已发货 }
  transitions:
    - { from: pending, to: shipped, by: [role:warehouse], requires: [tracking_no] }
"#,
        fixed: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    sales: { title: 销售 }
    warehouse: { title: 库管 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: shipping, title: 发货 }
spec:
  record: 发货单
  fields:
    tracking_no: { type: text, title: 物流单号 }
  statuses:
    pending: { title: 待发货, initial: true }
    shipped: { title: 已发货, terminal: true }
  transitions:
    - { from: pending, to: shipped, by: [role:warehouse], requires: [tracking_no] }
"#,
        help: "Add `terminal: true` to the status (or statuses) where a record is finished.",
    },
    CodeDoc {
        code: "terminal-has-exit",
        summary: "A transition leaves a terminal status",
        what: "A transition's `from` is a status marked `terminal: true`. A terminal status means \
            the record is finished, so it can have no way out.",
        why: "A record counted as finished could still change, so closed work reopens unnoticed \
            and reports of finished work are wrong.",
        example: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    sales: { title: 销售 }
    warehouse: { title: 库管 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: shipping, title: 发货 }
spec:
  record: 发货单
  fields:
    tracking_no: { type: text, title: 物流单号 }
  statuses:
    pending: { title: 待发货, initial: true }
    shipped: { title: 已发货, terminal: true }
    returned: { title: 已退货, terminal: true }
  transitions:
    - { from: pending, to: shipped, by: [role:warehouse], requires: [tracking_no] }
    - { from: shipped, to: returned, title: 客户退货, by: [role:sales] }
"#,
        fixed: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    sales: { title: 销售 }
    warehouse: { title: 库管 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: shipping, title: 发货 }
spec:
  record: 发货单
  fields:
    tracking_no: { type: text, title: 物流单号 }
  statuses:
    pending: { title: 待发货, initial: true }
    shipped: { title: 已发货 }
    received: { title: 已签收, terminal: true }
    returned: { title: 已退货, terminal: true }
  transitions:
    - { from: pending, to: shipped, by: [role:warehouse], requires: [tracking_no] }
    - { from: shipped, to: received, title: 客户签收, by: [role:sales] }
    - { from: shipped, to: returned, title: 客户退货, by: [role:sales] }
"#,
        help: "If records really go on from that status, remove `terminal: true` from it and make \
            sure a terminal status can be reached from it; otherwise delete the transition.",
    },
    CodeDoc {
        code: "unreachable-status",
        summary: "A status cannot be reached from the initial status",
        what: "No chain of transitions leads from the initial status to this status, so no record \
            can ever be in it.",
        why: "Whatever the SOP says happens in that status (its tasks, notifications and checks) \
            never happens; usually a transition into it was forgotten.",
        example: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    sales: { title: 销售 }
    warehouse: { title: 库管 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: shipping, title: 发货 }
spec:
  record: 发货单
  fields:
    tracking_no: { type: text, title: 物流单号 }
  statuses:
    pending: { title: 待发货, initial: true }
    on_hold: { title: 暂缓发货 }
    shipped: { title: 已发货, terminal: true }
  transitions:
    - { from: pending, to: shipped, by: [role:warehouse], requires: [tracking_no] }
    - { from: on_hold, to: pending, title: 恢复发货, by: [role:sales] }
"#,
        fixed: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    sales: { title: 销售 }
    warehouse: { title: 库管 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: shipping, title: 发货 }
spec:
  record: 发货单
  fields:
    tracking_no: { type: text, title: 物流单号 }
  statuses:
    pending: { title: 待发货, initial: true }
    on_hold: { title: 暂缓发货 }
    shipped: { title: 已发货, terminal: true }
  transitions:
    - { from: pending, to: shipped, by: [role:warehouse], requires: [tracking_no] }
    - { from: pending, to: on_hold, title: 暂缓, by: [role:sales] }
    - { from: on_hold, to: pending, title: 恢复发货, by: [role:sales] }
"#,
        help: "Add a transition into the status from a status that is reachable, or delete the \
            status if it is no longer used.",
    },
    CodeDoc {
        code: "dead-end-status",
        summary: "No terminal status can be reached from a status",
        what: "A record in this status can never finish: no chain of transitions leads from it to \
            a terminal status.",
        why: "Records that reach this status are stuck for good: they stay open, keep showing up \
            as work to do, and nobody is told how to close them.",
        example: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    purchaser: { title: 采购员 }
    manager: { title: 部门经理 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: purchase, title: 采购申请 }
spec:
  record: 采购单
  fields:
    amount: { type: money, title: 金额, required: true }
  statuses:
    submitted: { title: 待审批, initial: true }
    approved: { title: 已批准, terminal: true }
    rejected: { title: 已驳回 }
  transitions:
    - { from: submitted, to: approved, title: 批准, by: [role:manager] }
    - { from: submitted, to: rejected, title: 驳回, by: [role:manager] }
"#,
        fixed: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    purchaser: { title: 采购员 }
    manager: { title: 部门经理 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: purchase, title: 采购申请 }
spec:
  record: 采购单
  fields:
    amount: { type: money, title: 金额, required: true }
  statuses:
    submitted: { title: 待审批, initial: true }
    approved: { title: 已批准, terminal: true }
    rejected: { title: 已驳回, terminal: true }
  transitions:
    - { from: submitted, to: approved, title: 批准, by: [role:manager] }
    - { from: submitted, to: rejected, title: 驳回, by: [role:manager] }
"#,
        help: "Add a transition out of the status towards a terminal status, or mark the status \
            `terminal: true` if the record is finished there.",
    },
    CodeDoc {
        code: "duplicate-transition",
        summary: "Two transitions connect the same pair of statuses",
        what: "More than one transition has the same (from, to) pair, counting each status of a \
            `from` list and of `from: \"*\"` separately.",
        why: "There is one way from one status to another, with one set of people who may take \
            it, one set of requirements and one approval chain; two definitions would \
            contradict each other.",
        example: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    purchaser: { title: 采购员 }
    manager: { title: 部门经理 }
    finance: { title: 财务 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: purchase, title: 采购申请 }
spec:
  record: 采购单
  fields:
    amount: { type: money, title: 金额, required: true }
  statuses:
    submitted: { title: 待审批, initial: true }
    approved: { title: 已批准, terminal: true }
  transitions:
    - { from: submitted, to: approved, title: 经理批准, by: [role:manager] }
    - { from: submitted, to: approved, title: 财务批准, by: [role:finance] }
"#,
        fixed: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    purchaser: { title: 采购员 }
    manager: { title: 部门经理 }
    finance: { title: 财务 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: purchase, title: 采购申请 }
spec:
  record: 采购单
  fields:
    amount: { type: money, title: 金额, required: true }
  statuses:
    submitted: { title: 待审批, initial: true }
    approved: { title: 已批准, terminal: true }
  transitions:
    - from: submitted
      to: approved
      title: 批准
      approval: [{ role: manager }, { role: finance }]
"#,
        help: "Merge the transitions into one: list every role in `by`, combine the `requires`, \
            or use sequential `approval` steps when several people must agree.",
    },
    CodeDoc {
        code: "task-then-without-transition",
        summary: "A task's complete.then has no transition to follow",
        what: "A task's `complete.then` names a status, but the process has no transition from \
            the task's own status to that status.",
        why: "Completing the task is meant to move the record on. Without the transition the \
            task is marked done but the record stays where it was, and the next step never \
            starts.",
        example: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    sales: { title: 销售 }
    warehouse: { title: 库管 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: shipping, title: 发货 }
spec:
  record: 发货单
  fields:
    tracking_no: { type: text, title: 物流单号 }
  statuses:
    pending:
      title: 待发货
      initial: true
      tasks:
        - id: pack
          title: 拣货打包
          assignee: role:warehouse
          complete: { then: shipped }
    packed:
      title: 已打包
      tasks:
        - id: ship
          title: 交付物流
          assignee: role:warehouse
          complete: { fill: [tracking_no], then: shipped }
    shipped: { title: 已发货, terminal: true }
  transitions:
    - { from: pending, to: packed }
    - { from: packed, to: shipped, requires: [tracking_no] }
"#,
        fixed: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    sales: { title: 销售 }
    warehouse: { title: 库管 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: shipping, title: 发货 }
spec:
  record: 发货单
  fields:
    tracking_no: { type: text, title: 物流单号 }
  statuses:
    pending:
      title: 待发货
      initial: true
      tasks:
        - id: pack
          title: 拣货打包
          assignee: role:warehouse
          complete: { then: packed }
    packed:
      title: 已打包
      tasks:
        - id: ship
          title: 交付物流
          assignee: role:warehouse
          complete: { fill: [tracking_no], then: shipped }
    shipped: { title: 已发货, terminal: true }
  transitions:
    - { from: pending, to: packed }
    - { from: packed, to: shipped, requires: [tracking_no] }
"#,
        help: "Point `then` at a status that a transition from the task's status leads to, or add \
            that transition.",
    },
    CodeDoc {
        code: "field-type-mismatch",
        summary: "A value has the wrong type for where it is used",
        what: "A type error: an expression compares or adds values of incompatible types (a \
            `money` field with a `'string'`), an assignee or other `field:` reference names a \
            field that is not `user` or `users`, or a `start.with` pair copies a field into a \
            child field of another type.",
        why: "A condition that compares a number with a text is never true as intended, a task \
            assigned to an amount has nobody to do it, and a child record would receive data \
            it cannot hold.",
        example: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    purchaser: { title: 采购员 }
    manager: { title: 部门经理 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: purchase, title: 采购申请 }
spec:
  record: 采购单
  fields:
    amount: { type: money, title: 金额, required: true }
  statuses:
    submitted: { title: 已提交, initial: true }
    review: { title: 经理审批 }
    approved: { title: 已批准, terminal: true }
  transitions:
    - { from: submitted, to: review, when: "amount > '5000'" }
    - { from: submitted, to: approved, title: 直接批准, by: [role:purchaser] }
    - { from: review, to: approved, title: 批准, by: [role:manager] }
"#,
        fixed: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    purchaser: { title: 采购员 }
    manager: { title: 部门经理 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: purchase, title: 采购申请 }
spec:
  record: 采购单
  fields:
    amount: { type: money, title: 金额, required: true }
  statuses:
    submitted: { title: 已提交, initial: true }
    review: { title: 经理审批 }
    approved: { title: 已批准, terminal: true }
  transitions:
    - { from: submitted, to: review, when: "amount > 5000" }
    - { from: submitted, to: approved, title: 直接批准, by: [role:purchaser] }
    - { from: review, to: approved, title: 批准, by: [role:manager] }
"#,
        help: "Compare like with like (write numbers and amounts without quotes), assign tasks \
            only to `user` or `users` fields, and pass fields of the same type in \
            `start.with`.",
    },
    CodeDoc {
        code: "bad-expression",
        summary: "A when condition does not parse",
        what: "An automatic transition's `when` is not a valid sopctl expression. Expressions use \
            field ids, literals, `now`, `+ -`, comparisons, `in [..]`, `and`, `or`, `not`, \
            parentheses and `is_set(field)`.",
        why: "An automatic transition whose condition cannot be read never fires, so records \
            wait for a move that should have happened on its own.",
        example: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    purchaser: { title: 采购员 }
    manager: { title: 部门经理 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: purchase, title: 采购申请 }
spec:
  record: 采购单
  fields:
    amount: { type: money, title: 金额, required: true }
    contract: { type: file, title: 合同 }
  statuses:
    submitted: { title: 已提交, initial: true }
    review: { title: 经理审批 }
    approved: { title: 已批准, terminal: true }
  transitions:
    - { from: submitted, to: review, when: "amount > 5000 && is_set(contract)" }
    - { from: submitted, to: approved, title: 直接批准, by: [role:purchaser] }
    - { from: review, to: approved, title: 批准, by: [role:manager] }
"#,
        fixed: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    purchaser: { title: 采购员 }
    manager: { title: 部门经理 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: purchase, title: 采购申请 }
spec:
  record: 采购单
  fields:
    amount: { type: money, title: 金额, required: true }
    contract: { type: file, title: 合同 }
  statuses:
    submitted: { title: 已提交, initial: true }
    review: { title: 经理审批 }
    approved: { title: 已批准, terminal: true }
  transitions:
    - { from: submitted, to: review, when: "amount > 5000 and is_set(contract)" }
    - { from: submitted, to: approved, title: 直接批准, by: [role:purchaser] }
    - { from: review, to: approved, title: 批准, by: [role:manager] }
"#,
        help: "Fix the syntax at the position shown: use `and`, `or`, `not` (not `&&`, `||`, \
            `!`), `==` for equality, and single quotes for text.",
    },
    CodeDoc {
        code: "bad-duration",
        summary: "A duration does not parse",
        what: "A duration (in `remind_before`, `escalate.after`, `review.every` or an expression) \
            is not an integer followed by one of the units `m`, `h`, `d`, `w` or `bd` \
            (business days).",
        why: "Reminders, escalations and review dates built on an unreadable duration never \
            happen, so late work goes unnoticed.",
        example: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    sales: { title: 销售 }
    warehouse: { title: 库管 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: shipping, title: 发货 }
spec:
  record: 发货单
  fields:
    tracking_no: { type: text, title: 物流单号 }
  statuses:
    pending:
      title: 待发货
      initial: true
      tasks:
        - id: ship
          title: 出库发货
          assignee: role:warehouse
          due: today 18:00
          remind_before: [1h, 30min]
          complete: { fill: [tracking_no], then: shipped }
    shipped: { title: 已发货, terminal: true }
  transitions:
    - { from: pending, to: shipped, requires: [tracking_no] }
"#,
        fixed: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    sales: { title: 销售 }
    warehouse: { title: 库管 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: shipping, title: 发货 }
spec:
  record: 发货单
  fields:
    tracking_no: { type: text, title: 物流单号 }
  statuses:
    pending:
      title: 待发货
      initial: true
      tasks:
        - id: ship
          title: 出库发货
          assignee: role:warehouse
          due: today 18:00
          remind_before: [1h, 30m]
          complete: { fill: [tracking_no], then: shipped }
    shipped: { title: 已发货, terminal: true }
  transitions:
    - { from: pending, to: shipped, requires: [tracking_no] }
"#,
        help: "Write an integer and a unit: `30m`, `2h`, `1d`, `1w` or `3bd`.",
    },
    CodeDoc {
        code: "bad-due",
        summary: "A task's due date does not parse",
        what: "A task's `due` is not one of `today HH:MM`, `tomorrow HH:MM`, `+<duration>` (after \
            the task is created) or `<date or datetime field> + <duration>`.",
        why: "Without a due time the task is never overdue: no reminders, no escalation, and \
            nobody notices when it is late.",
        example: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    sales: { title: 销售 }
    warehouse: { title: 库管 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: shipping, title: 发货 }
spec:
  record: 发货单
  fields:
    tracking_no: { type: text, title: 物流单号 }
  statuses:
    pending:
      title: 待发货
      initial: true
      tasks:
        - id: ship
          title: 出库发货
          assignee: role:warehouse
          due: tomorrow 6pm
          complete: { fill: [tracking_no], then: shipped }
    shipped: { title: 已发货, terminal: true }
  transitions:
    - { from: pending, to: shipped, requires: [tracking_no] }
"#,
        fixed: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    sales: { title: 销售 }
    warehouse: { title: 库管 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: shipping, title: 发货 }
spec:
  record: 发货单
  fields:
    tracking_no: { type: text, title: 物流单号 }
  statuses:
    pending:
      title: 待发货
      initial: true
      tasks:
        - id: ship
          title: 出库发货
          assignee: role:warehouse
          due: tomorrow 18:00
          complete: { fill: [tracking_no], then: shipped }
    shipped: { title: 已发货, terminal: true }
  transitions:
    - { from: pending, to: shipped, requires: [tracking_no] }
"#,
        help: "Use a 24-hour time such as `tomorrow 18:00`, a duration such as `+2h`, or a date \
            field plus a duration such as `delivery_date + 1d`.",
    },
    CodeDoc {
        code: "bad-template",
        summary: "A notification message is not a valid template",
        what: "A notification `message` is not a valid MiniJinja template, uses a variable \
            other than `record.<field>`, `record.id`, `process.title` and `status.title`, or \
            multiplies something that may be text: `*` on a string repeats it, and MiniJinja \
            builds `{{ 'x' * 100000000 }}` whole before any bound applies, so `*` may only \
            multiply number literals, `record.id` and number or money fields.",
        why: "A message that cannot be rendered is not sent, so the people who should act on it \
            never hear about it.",
        example: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    sales: { title: 销售 }
    warehouse: { title: 库管 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: shipping, title: 发货 }
spec:
  record: 发货单
  fields:
    owner: { type: user, title: 负责人, required: true }
    tracking_no: { type: text, title: 物流单号 }
  statuses:
    pending: { title: 待发货, initial: true }
    shipped:
      title: 已发货
      terminal: true
      notify:
        - to: [field:owner]
          message: "订单 {{ record.id } 已发货，物流单号 {{ record.tracking_no }}"
  transitions:
    - { from: pending, to: shipped, by: [role:warehouse], requires: [tracking_no] }
"#,
        fixed: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    sales: { title: 销售 }
    warehouse: { title: 库管 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: shipping, title: 发货 }
spec:
  record: 发货单
  fields:
    owner: { type: user, title: 负责人, required: true }
    tracking_no: { type: text, title: 物流单号 }
  statuses:
    pending: { title: 待发货, initial: true }
    shipped:
      title: 已发货
      terminal: true
      notify:
        - to: [field:owner]
          message: "订单 {{ record.id }} 已发货，物流单号 {{ record.tracking_no }}"
  transitions:
    - { from: pending, to: shipped, by: [role:warehouse], requires: [tracking_no] }
"#,
        help: "Close every `{{` with `}}` and `{%` with `%}`, and use only `record.<field>`, \
            `record.id`, `process.title` and `status.title`.",
    },
    CodeDoc {
        code: "asset-missing",
        summary: "A media file does not exist",
        what: "A task's `media` lists a path, relative to the SOP file, where there is no file.",
        why: "The guide promises a picture or video that the handbook and the runtime cannot \
            show, so people do the step without the instructions meant for them.",
        example: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    sales: { title: 销售 }
    warehouse: { title: 库管 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: shipping, title: 发货 }
spec:
  record: 发货单
  fields:
    tracking_no: { type: text, title: 物流单号 }
  statuses:
    pending:
      title: 待发货
      initial: true
      tasks:
        - id: ship
          title: 出库发货
          assignee: role:warehouse
          guide: 按装箱规范打包后出库。
          media: [guides/装箱规范.png]
          complete: { fill: [tracking_no], then: shipped }
    shipped: { title: 已发货, terminal: true }
  transitions:
    - { from: pending, to: shipped, requires: [tracking_no] }
"#,
        fixed: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    sales: { title: 销售 }
    warehouse: { title: 库管 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: shipping, title: 发货 }
spec:
  record: 发货单
  fields:
    tracking_no: { type: text, title: 物流单号 }
  statuses:
    pending:
      title: 待发货
      initial: true
      tasks:
        - id: ship
          title: 出库发货
          assignee: role:warehouse
          guide: 按装箱规范打包后出库。
          complete: { fill: [tracking_no], then: shipped }
    shipped: { title: 已发货, terminal: true }
  transitions:
    - { from: pending, to: shipped, requires: [tracking_no] }
"#,
        help: "Add the file at that path (relative to the SOP file), correct the path, or remove \
            the entry.",
    },
    CodeDoc {
        code: "asset-outside-project",
        summary: "A media path leaves the project folder",
        what: "A task's `media` path, resolved relative to the SOP file, points outside the \
            project folder (for example through `..`).",
        why: "Only files inside the project are versioned with the SOP and shipped in the \
            handbook; a file elsewhere is missing for everyone else, and reading outside the \
            project is unsafe.",
        example: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    sales: { title: 销售 }
    warehouse: { title: 库管 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: shipping, title: 发货 }
spec:
  record: 发货单
  fields:
    tracking_no: { type: text, title: 物流单号 }
  statuses:
    pending:
      title: 待发货
      initial: true
      tasks:
        - id: ship
          title: 出库发货
          assignee: role:warehouse
          guide: 按装箱规范打包后出库。
          media: [../../etc/passwd]
          complete: { fill: [tracking_no], then: shipped }
    shipped: { title: 已发货, terminal: true }
  transitions:
    - { from: pending, to: shipped, requires: [tracking_no] }
"#,
        fixed: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    sales: { title: 销售 }
    warehouse: { title: 库管 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: shipping, title: 发货 }
spec:
  record: 发货单
  fields:
    tracking_no: { type: text, title: 物流单号 }
  statuses:
    pending:
      title: 待发货
      initial: true
      tasks:
        - id: ship
          title: 出库发货
          assignee: role:warehouse
          guide: 按装箱规范打包后出库。
          complete: { fill: [tracking_no], then: shipped }
    shipped: { title: 已发货, terminal: true }
  transitions:
    - { from: pending, to: shipped, requires: [tracking_no] }
"#,
        help: "Copy the file into the project and refer to it from there, or link to it with an \
            `https://` URL.",
    },
    CodeDoc {
        code: "invalid-move-parent",
        summary: "move_parent cannot move any parent record",
        what: "A status's `move_parent` is on a process that no process starts, or names a status \
            that the starting (parent) process does not have.",
        why: "The parent record is meant to move on when the child work is done; if it cannot, \
            the parent stays behind and the people waiting on it are never told to go on.",
        example: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    sales: { title: 销售 }
    implementer: { title: 实施人员 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: sales-order, title: 销售订单 }
spec:
  record: 订单
  fields:
    customer: { type: text, title: 客户 }
  statuses:
    signed:
      title: 已签约
      initial: true
      start: [{ process: installation, with: { customer: customer } }]
    delivered: { title: 已交付, terminal: true }
  transitions:
    - { from: signed, to: delivered, by: [role:sales] }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: installation, title: 上门安装 }
spec:
  record: 安装单
  fields:
    customer: { type: text, title: 客户 }
  statuses:
    scheduled: { title: 待安装, initial: true }
    done: { title: 已安装, terminal: true, move_parent: accepted }
  transitions:
    - { from: scheduled, to: done, by: [role:implementer] }
"#,
        fixed: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    sales: { title: 销售 }
    implementer: { title: 实施人员 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: sales-order, title: 销售订单 }
spec:
  record: 订单
  fields:
    customer: { type: text, title: 客户 }
  statuses:
    signed:
      title: 已签约
      initial: true
      start: [{ process: installation, with: { customer: customer } }]
    delivered: { title: 已交付, terminal: true }
  transitions:
    - { from: signed, to: delivered, by: [role:sales] }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: installation, title: 上门安装 }
spec:
  record: 安装单
  fields:
    customer: { type: text, title: 客户 }
  statuses:
    scheduled: { title: 待安装, initial: true }
    done: { title: 已安装, terminal: true, move_parent: delivered }
  transitions:
    - { from: scheduled, to: done, by: [role:implementer] }
"#,
        help: "Name a status of the parent process that the parent has a transition into, or \
            start this process from the parent's `start`.",
    },
    CodeDoc {
        code: "start-cycle",
        summary: "Processes start each other in a loop",
        what: "Following `start` from process to process comes back to a process already on the \
            way: A starts B and B starts A, directly or through others.",
        why: "Each record would start another without end, flooding people with tasks; a loop \
            usually means a hand-back was modelled as a new start.",
        example: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    purchaser: { title: 采购员 }
    warehouse: { title: 库管 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: purchase, title: 采购 }
spec:
  record: 采购单
  fields:
    item: { type: text, title: 物品 }
  statuses:
    ordered: { title: 已下单, initial: true, start: [{ process: receiving }] }
    done: { title: 已完成, terminal: true }
  transitions:
    - { from: ordered, to: done, by: [role:purchaser] }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: receiving, title: 到货验收 }
spec:
  record: 验收单
  fields:
    item: { type: text, title: 物品 }
  statuses:
    arrived: { title: 已到货, initial: true }
    accepted: { title: 已入库, terminal: true }
    rejected:
      title: 验收不合格
      terminal: true
      start: [{ process: purchase, with: { item: item } }]
  transitions:
    - { from: arrived, to: accepted, by: [role:warehouse] }
    - { from: arrived, to: rejected, by: [role:warehouse] }
"#,
        fixed: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    purchaser: { title: 采购员 }
    warehouse: { title: 库管 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: purchase, title: 采购 }
spec:
  record: 采购单
  fields:
    item: { type: text, title: 物品 }
  statuses:
    ordered: { title: 已下单, initial: true, start: [{ process: receiving }] }
    done: { title: 已完成, terminal: true }
  transitions:
    - { from: ordered, to: done, by: [role:purchaser] }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: receiving, title: 到货验收 }
spec:
  record: 验收单
  fields:
    item: { type: text, title: 物品 }
  statuses:
    arrived: { title: 已到货, initial: true }
    accepted: { title: 已入库, terminal: true }
    rejected:
      title: 验收不合格
      terminal: true
      notify: [{ to: [role:purchaser], message: "{{ record.item }} 验收不合格" }]
  transitions:
    - { from: arrived, to: accepted, by: [role:warehouse] }
    - { from: arrived, to: rejected, by: [role:warehouse] }
"#,
        help: "Break the loop: hand work back with `move_parent` or a notification instead of \
            starting the earlier process again.",
    },
    CodeDoc {
        code: "invalid-each",
        summary: "each or for_each is not on a users field",
        what: "A task says `each: true` but its assignee is not a `users` field, or it fills a \
            field that is not `files`, `users` or `longtext`; or a `start` says `for_each` on \
            something that is not a `users` field.",
        why: "One task (or one child record) per person needs a list of people to count from, \
            and what each person hands in must add up: a number or a single file filled by \
            every person would keep only the last one, and the others' work would be lost.",
        example: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    pm: { title: 项目经理 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: translation, title: 翻译项目 }
spec:
  record: 项目
  fields:
    translators: { type: users, title: 译员, required: true }
    draft: { type: file, title: 译稿 }
  statuses:
    working:
      title: 翻译中
      initial: true
      tasks:
        - { id: translate, title: 提交译稿, assignee: field:translators, each: true, complete: { fill: [draft], then: done } }
    done: { title: 完成, terminal: true }
  transitions:
    - { from: working, to: done, by: [role:pm] }
"#,
        fixed: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    pm: { title: 项目经理 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: translation, title: 翻译项目 }
spec:
  record: 项目
  fields:
    translators: { type: users, title: 译员, required: true }
    drafts: { type: files, title: 译稿 }
  statuses:
    working:
      title: 翻译中
      initial: true
      tasks:
        - { id: translate, title: 提交译稿, assignee: field:translators, each: true, complete: { fill: [drafts], then: done } }
    done: { title: 完成, terminal: true }
  transitions:
    - { from: working, to: done, by: [role:pm] }
"#,
        help: "Point `each` and `for_each` at a `users` field, and let `each` tasks fill only \
            `files`, `users` or `longtext` fields, which add up person by person.",
    },
    CodeDoc {
        code: "bad-kpi",
        summary: "A KPI's target does not parse or does not fit its measure",
        what: "A KPI in `spec.kpis` has no measure or several, a `share` with both or neither of \
            `reached` and `where`, or a `target` that is not `[p50|p90|p95|avg] <op> <value>` or \
            does not fit the measure: a `time` target needs a statistic and a duration (`p90 <= \
            1d`), `share` and `on_time` a percentage (`>= 95%`), `average` a number (`>= 4.5`).",
        why: "A KPI is how the owner sees whether the process works. A target that cannot be \
            compared with what is measured would show every period as met or missed for no \
            reason, and the periodic review would argue about numbers that mean nothing.",
        example: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    warehouse: { title: 库管 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: shipping, title: 发货 }
spec:
  record: 发货单
  statuses:
    pending:
      title: 待发货
      initial: true
      tasks:
        - { id: ship, title: 出库发货, assignee: role:warehouse, due: +1d, complete: { then: shipped } }
    shipped: { title: 已发货, terminal: true }
  transitions:
    - { from: pending, to: shipped, by: [role:warehouse] }
  kpis:
    - { id: ship-lead-time, title: 发货时长, time: { from: pending, to: shipped }, target: "<= 95%" }
"#,
        fixed: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    warehouse: { title: 库管 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: shipping, title: 发货 }
spec:
  record: 发货单
  statuses:
    pending:
      title: 待发货
      initial: true
      tasks:
        - { id: ship, title: 出库发货, assignee: role:warehouse, due: +1d, complete: { then: shipped } }
    shipped: { title: 已发货, terminal: true }
  transitions:
    - { from: pending, to: shipped, by: [role:warehouse] }
  kpis:
    - { id: ship-lead-time, title: 发货时长, time: { from: pending, to: shipped }, target: "p90 <= 1d" }
"#,
        help: "Write the target as `p90 <= 1d` for a time, `>= 95%` for a share or on-time \
            rate, `>= 4.5` for an average.",
    },
    CodeDoc {
        code: "unknown-task",
        summary: "An `on_time` KPI names a task the process does not have",
        what: "A KPI's `on_time: <task>` names a task id that no status of the process defines.",
        why: "The KPI would never count a completion: the owner's chart stays empty and the \
            review cannot tell whether the work is done on time.",
        example: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    warehouse: { title: 库管 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: shipping, title: 发货 }
spec:
  record: 发货单
  statuses:
    pending:
      title: 待发货
      initial: true
      tasks:
        - { id: ship, title: 出库发货, assignee: role:warehouse, due: +1d, complete: { then: shipped } }
    shipped: { title: 已发货, terminal: true }
  transitions:
    - { from: pending, to: shipped, by: [role:warehouse] }
  kpis:
    - { id: on-time, title: 按时发货率, on_time: shipping, target: ">= 95%" }
"#,
        fixed: r#"apiVersion: sopctl/v1
kind: Roles
metadata: { name: company }
spec:
  roles:
    warehouse: { title: 库管 }
---
apiVersion: sopctl/v1
kind: Process
metadata: { name: shipping, title: 发货 }
spec:
  record: 发货单
  statuses:
    pending:
      title: 待发货
      initial: true
      tasks:
        - { id: ship, title: 出库发货, assignee: role:warehouse, due: +1d, complete: { then: shipped } }
    shipped: { title: 已发货, terminal: true }
  transitions:
    - { from: pending, to: shipped, by: [role:warehouse] }
  kpis:
    - { id: on-time, title: 按时发货率, on_time: ship, target: ">= 95%" }
"#,
        help: "Name a task id of this process (the `id` of a task under a status).",
    },
];

pub fn lookup(code: &str) -> Option<&'static CodeDoc> {
    VALIDATION_CODES.iter().find(|d| d.code == code)
}

/// Prose is wrapped to this many columns; YAML is printed as is so it can be copied.
const TEXT_WIDTH: usize = 80;

/// Plain text for a terminal: the code and summary, then one section per part.
pub fn explain_text(doc: &CodeDoc) -> String {
    let mut out = format!("{} — {}\n", doc.code, doc.summary);
    for (heading, text) in [("What it means", doc.what), ("Why it matters", doc.why)] {
        out.push_str(&format!("\n{heading}\n{}", wrap(text)));
    }
    for (heading, yaml) in [("Example (fails)", doc.example), ("Fixed", doc.fixed)] {
        out.push_str(&format!("\n{heading}\n\n{}", yaml.trim_end()));
        out.push('\n');
    }
    out.push_str(&format!("\nHow to fix\n{}", wrap(doc.help)));
    out
}

/// Word-wrap `text` with a two-space indent; each line ends with a newline.
pub(crate) fn wrap(text: &str) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let width = unicode_width::UnicodeWidthStr::width(line.as_str());
        if !line.is_empty()
            && width + 1 + unicode_width::UnicodeWidthStr::width(word) > TEXT_WIDTH - 2
        {
            out.push_str(&format!("  {line}\n"));
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        out.push_str(&format!("  {line}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The codes of SPEC section 5, in the table's order.
    const SPEC_CODES: [&str; 27] = [
        "yaml-syntax",
        "schema",
        "duplicate-name",
        "unknown-status",
        "unknown-field",
        "unknown-role",
        "unknown-process",
        "no-initial-status",
        "multiple-initial-statuses",
        "no-terminal-status",
        "terminal-has-exit",
        "unreachable-status",
        "dead-end-status",
        "duplicate-transition",
        "task-then-without-transition",
        "field-type-mismatch",
        "bad-expression",
        "bad-duration",
        "bad-due",
        "bad-template",
        "asset-missing",
        "asset-outside-project",
        "invalid-move-parent",
        "start-cycle",
        "invalid-each",
        "bad-kpi",
        "unknown-task",
    ];

    #[test]
    fn every_code_in_spec_order() {
        let codes: Vec<&str> = VALIDATION_CODES.iter().map(|d| d.code).collect();
        assert_eq!(codes, SPEC_CODES);
    }

    #[test]
    fn lookup_finds_codes() {
        assert_eq!(lookup("start-cycle").map(|d| d.code), Some("start-cycle"));
        assert!(lookup("no-such-code").is_none());
        assert!(lookup("").is_none());
    }

    #[test]
    fn texts_are_filled_in() {
        for d in VALIDATION_CODES {
            for (part, text) in [("summary", d.summary), ("what", d.what), ("why", d.why)] {
                assert!(!text.trim().is_empty(), "{}: empty {part}", d.code);
            }
            assert!(
                !d.summary.contains('\n') && !d.summary.ends_with('.'),
                "{}",
                d.code
            );
            assert!(
                d.help.ends_with('.') && !d.help.contains('\n'),
                "{}",
                d.code
            );
            assert!(
                !d.what.contains("  ") && !d.why.contains("  "),
                "{}",
                d.code
            );
        }
    }

    #[test]
    fn examples_are_small_complete_files() {
        for d in VALIDATION_CODES {
            for (which, yaml) in [("example", d.example), ("fixed", d.fixed)] {
                let lines = yaml.lines().count();
                assert!(
                    (10..=40).contains(&lines),
                    "{} {which}: {lines} lines",
                    d.code
                );
                assert!(
                    yaml.starts_with("apiVersion: sopctl/v1\nkind: Roles\n"),
                    "{}",
                    d.code
                );
                assert!(yaml.contains("\n---\napiVersion: sopctl/v1\nkind: Process\n"));
                assert!(
                    yaml.ends_with('\n') && !yaml.ends_with("\n\n"),
                    "{} {which}",
                    d.code
                );
                assert!(!yaml.contains('\t'), "{} {which}", d.code);
                assert!(
                    yaml.lines().all(|l| l == l.trim_end()),
                    "{} {which}",
                    d.code
                );
                let docs = yaml.split("\n---\n").count();
                assert_eq!(docs, yaml.matches("apiVersion: sopctl/v1").count());
            }
            assert_ne!(d.example, d.fixed, "{}", d.code);
        }
    }

    #[test]
    fn explain_has_every_section() {
        let d = lookup("unknown-status").unwrap();
        let text = explain_text(d);
        assert!(text.starts_with(
            "unknown-status — A reference names a status the process does not have\n\nWhat it means\n  "
        ));
        let order = [
            "What it means",
            "Why it matters",
            "Example (fails)",
            "Fixed",
            "How to fix",
        ];
        let positions: Vec<usize> = order.iter().map(|h| text.find(h).unwrap()).collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]));
        // The YAML is printed unindented, so it can be copied into a file.
        assert!(text.contains(&format!("Example (fails)\n\n{}\nFixed", d.example)));
        assert!(text.contains(&format!("Fixed\n\n{}\nHow to fix", d.fixed)));
        assert!(text.ends_with(".\n"));
        let prose_width = text
            .lines()
            .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
            .map(unicode_width::UnicodeWidthStr::width)
            .max();
        assert!(prose_width <= Some(TEXT_WIDTH));
    }

    #[test]
    fn wrap_keeps_words_whole() {
        let long = "word ".repeat(40);
        let wrapped = wrap(&long);
        assert!(wrapped
            .lines()
            .all(|l| l.len() <= TEXT_WIDTH && l.starts_with("  word")));
        assert_eq!(wrapped.split_whitespace().count(), 40);
        assert_eq!(wrap(""), "");
    }

    #[test]
    fn rule_docs_come_from_the_table() {
        let doc = lookup("bad-due").unwrap().rule_doc();
        assert_eq!(doc.summary, "A task's due date does not parse");
        assert!(doc.full.starts_with("A task's `due` is not one of"));
        assert!(doc.help.starts_with("Use a 24-hour time"));
    }
}
