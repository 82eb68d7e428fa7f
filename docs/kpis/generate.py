"""A generated quarter (2026-01-01 to 2026-04-01, +08:00) of activity for the shipped SOPs,
written straight into a `sopctl serve` database that already runs the shipped bundle: the
rows the runtime keeps for KPIs. Used to make the example review in the README.

    python3 docs/kpis/generate.py DB_FILE
"""
import json, random, sqlite3, sys

random.seed(19)
H, D = 3600, 86400
START = 1767196800  # 2026-01-01T00:00:00+08:00
db = sqlite3.connect(sys.argv[1])
hash_ = db.execute("SELECT hash FROM bundles WHERE active = 1").fetchone()[0]
next_id = [db.execute("SELECT COALESCE(MAX(id), 0) FROM records").fetchone()[0] + 1]

def record(process, path, tasks, fields):
    """path: [(status, at)]; tasks: [(task, kind, assignees, requester, opened, due, closed)]"""
    rid = next_id[0]; next_id[0] += 1
    last = path[-1][0]
    state = {"id": rid, "process": process, "status": last, "fields": fields, "tasks": [],
             "approval": None, "parent": None, "children": [], "history": []}
    db.execute("INSERT INTO records (id, process, bundle_hash, state_json, version, status, terminal) VALUES (?,?,?,?,1,?,1)",
               (rid, process, hash_, json.dumps(state, ensure_ascii=False), last))
    for s, at in path:
        db.execute("INSERT INTO kpi_status_entries VALUES (?,?,?,?)", (rid, process, s, at))
    for task, kind, who, req, opened, due, closed in tasks:
        db.execute("INSERT INTO kpi_tasks (record, process, kind, task, assignees, requester, opened, due, closed, done) VALUES (?,?,?,?,?,?,?,?,?,1)",
                   (rid, process, kind, task, who, req, opened, due, closed))
    for k, v in fields.items():
        if isinstance(v, (int, float)):
            db.execute("INSERT INTO kpi_values VALUES (?,?,?,?,?)", (rid, process, k, v, path[-1][1]))

def day_start(i):
    return START + i * D + 9 * H + random.randint(0, 8 * H)

for i in range(90):
    # Sales delivery: ~6 a day; shipping gets slower in February, returns stay rare.
    for _ in range(random.randint(4, 8)):
        t0 = day_start(i)
        asked = t0 + random.randint(1, 3) * H
        mgr = asked + random.randint(1, 6) * H
        fin = mgr + random.randint(1, 10) * H
        slow = 1.8 if 31 <= i < 59 else 1.0
        shipped = fin + int(random.expovariate(1 / (8 * H * slow)))
        due = fin + 20 * H
        delivered = shipped + random.randint(1, 3) * D
        end = "returned" if random.random() < 0.025 else "accepted"
        record("sales-delivery",
               [("pending", t0), ("approved", fin), ("shipped", shipped), ("delivered", delivered), (end, delivered + 2 * D)],
               [("submit-delivery", "task", "zhang", None, t0, t0 + 4 * H, asked),
                ("approve#0", "approval", "sales-manager", "zhang", asked, None, mgr),
                ("approve#1", "approval", "finance", "zhang", mgr, None, fin),
                ("ship-and-report", "task", "warehouse", None, fin, due, shipped)],
               {"amount": random.randint(5, 80) * 100})
    # Order management: ~4 a day.
    for _ in range(random.randint(2, 6)):
        t0 = day_start(i)
        shipping = t0 + int(random.expovariate(1 / (40 * H)))
        dispatched = shipping + random.randint(1, 12) * H
        sat = random.choices(["非常满意", "满意", "一般", "不满意"], [50, 38, 9, 3])[0]
        issue = "退货" if random.random() < 0.02 else None
        f = {"satisfaction": sat}
        if issue:
            f["issue_type"] = issue
        record("order-management",
               [("received", t0), ("shipping", shipping), ("completed", dispatched + 3 * D), ("closed", dispatched + 5 * D)],
               [("dispatch", "task", "logistics", None, shipping, shipping + 9 * H, dispatched)], f)
    # Repair: ~2 a day.
    for _ in range(random.randint(1, 3)):
        t0 = day_start(i)
        repairing = t0 + random.randint(2, 30) * H
        repaired = repairing + int(random.expovariate(1 / (2 * D)))
        sat = random.choices(["非常满意", "满意", "一般", "不满意"], [40, 40, 14, 6])[0]
        record("repair",
               [("reported", t0), ("repairing", repairing), ("delivering", repaired), ("closed", repaired + 4 * D)],
               [("repair-and-log", "task", "li", None, repairing, repairing + 3 * D, repaired)], {"satisfaction": sat})
    # Order-to-project: one every other day.
    if i % 2 == 0:
        t0 = day_start(i)
        started = t0 + D
        done = started + random.randint(10, 40) * D
        due = started + 30 * D
        record("order-to-project", [("created", t0), ("in-progress", started), ("delivering", done - D), ("done", done)],
               [("confirm-delivery", "task", "wang", None, done - D, due, done)], {"amount": 20000})
db.commit()
print("records:", next_id[0] - 1)
