//! Printed manuals: `sopctl render --format pdf|cards` on the shipped SOPs, read back with
//! poppler-utils (`pdftotext`, `pdfinfo`, `pdffonts`, `pdftoppm`) and zbar-tools (`zbarimg`),
//! which `.ci/install-render-tools.sh` installs. Without them the tests that need them print
//! "skipped: …"; with `CI=true` a missing tool fails them. What is checked against comes from
//! the bundle `sopctl build` writes, not from the PDFs' own templates.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::*;
use serde_json::Value;

const SERVER: &str = "http://127.0.0.1:7070";

/// Runs `sopctl ARGS` in `dir` without git; returns (exit code, stderr).
fn run(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = sopctl()
        .current_dir(dir)
        .env("SOPCTL_NO_GIT", "1")
        .args(args)
        .output()
        .expect("sopctl runs");
    (out.status.code().unwrap_or(-1), stderr(&out))
}

/// The shipped SOPs printed once for all tests: (project, manuals folder, cards folder).
fn printed() -> &'static (tempfile::TempDir, PathBuf, PathBuf) {
    static P: OnceLock<(tempfile::TempDir, PathBuf, PathBuf)> = OnceLock::new();
    P.get_or_init(|| {
        let dir = shipped_project();
        let (code, err) = run(dir.path(), &["render", "--format", "pdf", "-o", "pdf"]);
        assert_eq!(code, 0, "{err}");
        let (code, err) = run(
            dir.path(),
            &[
                "render", "--format", "cards", "-o", "cards", "--server", SERVER,
            ],
        );
        assert_eq!(code, 0, "{err}");
        let (m, c) = (dir.path().join("pdf"), dir.path().join("cards/cards"));
        (dir, m, c)
    })
}

/// The bundle of the shipped SOPs: the ground truth of titles and checklists.
fn bundle() -> &'static Value {
    static B: OnceLock<Value> = OnceLock::new();
    B.get_or_init(|| {
        let dir = shipped_project();
        let (code, err) = run(dir.path(), &["build", "-o", "dist"]);
        assert_eq!(code, 0, "{err}");
        let text = std::fs::read_to_string(dir.path().join("dist/bundle.json")).unwrap();
        serde_json::from_str(&text).unwrap()
    })
}

fn processes() -> &'static [Value] {
    bundle()["processes"].as_array().unwrap()
}

fn tasks(p: &Value) -> Vec<&Value> {
    p["statuses"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["tasks"].as_array().unwrap())
        .collect()
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Whether a poppler/zbar tool is there; fails under `CI=true` when it is not.
fn have(tools: &[&str], what: &str) -> bool {
    for tool in tools {
        // Spawning is enough: each prints its version or usage.
        if Command::new(tool).arg("-v").output().is_err() {
            let why = format!("{tool} is not installed");
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("{what}: {why}; CI must run .ci/install-render-tools.sh first");
            }
            eprintln!("skipped: {what}: {why} (run .ci/install-render-tools.sh)");
            return false;
        }
    }
    true
}

fn tool(name: &str, args: &[&str]) -> String {
    let out = Command::new(name).args(args).output().expect("tool runs");
    assert!(
        out.status.success(),
        "{name} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The text of each page, without white space (line breaks fall anywhere in CJK text).
fn pages(pdf: &Path) -> Vec<String> {
    let text = tool("pdftotext", &["-enc", "UTF-8", pdf.to_str().unwrap(), "-"]);
    let mut pages: Vec<String> = text.split('\x0c').map(squash).collect();
    if pages.last().is_some_and(String::is_empty) {
        pages.pop();
    }
    pages
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn page_count(pdf: &Path) -> usize {
    let info = tool("pdfinfo", &[pdf.to_str().unwrap()]);
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no page count in {info}"))
}

fn page_size(pdf: &Path) -> String {
    let info = tool("pdfinfo", &[pdf.to_str().unwrap()]);
    info.lines()
        .find_map(|l| l.strip_prefix("Page size:"))
        .unwrap_or_default()
        .trim()
        .to_string()
}

// ---------------------------------------------------------------------------------------------
// Process manuals

#[test]
fn every_title_status_task_and_checklist_item_is_in_its_process_pdf() {
    if !have(&["pdftotext"], "PDF text check") {
        return;
    }
    let (_, dir, _) = printed();
    for p in processes() {
        let name = p["name"].as_str().unwrap();
        let text = pages(&dir.join(format!("{name}.pdf"))).concat();
        let mut want = vec![p["title"].as_str().unwrap().to_string()];
        for s in p["statuses"].as_array().unwrap() {
            want.push(s["title"].as_str().unwrap().to_string());
        }
        for t in tasks(p) {
            want.push(t["title"].as_str().unwrap().to_string());
            want.extend(strs(&t["checklist"]));
        }
        for w in want {
            assert!(text.contains(&squash(&w)), "{name}.pdf lacks 「{w}」");
        }
    }
}

#[test]
fn no_task_is_split_across_pages() {
    if !have(&["pdftotext"], "PDF page check") {
        return;
    }
    let (_, dir, _) = printed();
    let mut checked = 0;
    for p in processes() {
        let name = p["name"].as_str().unwrap();
        let pages = pages(&dir.join(format!("{name}.pdf")));
        for t in tasks(p) {
            let title = squash(t["title"].as_str().unwrap());
            let items = strs(&t["checklist"]);
            let (Some(first), Some(last)) = (items.first(), items.last()) else {
                continue;
            };
            let together = pages.iter().position(|pg| {
                pg.contains(&title) && pg.contains(&squash(first)) && pg.contains(&squash(last))
            });
            assert!(
                together.is_some(),
                "{name}.pdf: task 「{title}」 and its checklist are not on one page"
            );
            checked += 1;
        }
    }
    assert!(checked > 50, "only {checked} tasks had a checklist");
}

#[test]
fn page_counts_stay_within_a_bound_and_pages_are_a4() {
    if !have(&["pdfinfo"], "PDF page count") {
        return;
    }
    let (_, dir, _) = printed();
    for p in processes() {
        let name = p["name"].as_str().unwrap();
        let pdf = dir.join(format!("{name}.pdf"));
        let with_tasks = p["statuses"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["tasks"].as_array().is_some_and(|t| !t.is_empty()))
            .count();
        let n = page_count(&pdf);
        // Cover, contents and overview, then a page for each status with tasks (it starts
        // one), then fields and the rest. Measured on the shipped SOPs: 3 + with_tasks plus 1
        // or 2 (a status with a long attachment, the fields table); one more page is slack.
        assert!(
            (3 + with_tasks..=6 + with_tasks).contains(&n),
            "{name}.pdf has {n} pages for {with_tasks} statuses with tasks"
        );
        assert!(page_size(&pdf).contains("(A4)"), "{}", page_size(&pdf));
    }
    assert!(page_count(&dir.join("index.pdf")) <= 3);
}

#[test]
fn fonts_are_embedded_subsets_and_chinese_is_set_in_a_cjk_font() {
    if !have(&["pdffonts"], "PDF font check") {
        return;
    }
    let (_, dir, _) = printed();
    for file in ["sales-delivery.pdf", "roles/warehouse.pdf", "index.pdf"] {
        let out = tool("pdffonts", &[dir.join(file).to_str().unwrap()]);
        let rows: Vec<&str> = out.lines().skip(2).collect();
        assert!(!rows.is_empty(), "{file}: no fonts\n{out}");
        for row in &rows {
            // name type encoding emb sub uni object ID: "emb" and "sub" are the yes/no pair
            // before "uni".
            let cols: Vec<&str> = row.split_whitespace().collect();
            let n = cols.len();
            assert!(n >= 7, "{file}: {row}");
            assert_eq!(cols[n - 5], "yes", "{file}: font not embedded: {row}");
            assert_eq!(cols[n - 4], "yes", "{file}: font not subset: {row}");
        }
        assert!(
            rows.iter().any(|r| r.contains("CJK")),
            "{file}: no CJK font\n{out}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Role booklets and the index

#[test]
fn the_warehouse_booklet_lists_every_warehouse_task() {
    if !have(&["pdftotext"], "booklet check") {
        return;
    }
    let (_, dir, _) = printed();
    let text = pages(&dir.join("roles/warehouse.pdf")).concat();
    assert!(text.contains("库管"), "{text}");
    let mut n = 0;
    for p in processes() {
        for t in tasks(p) {
            if t["assignee"]["role"] == "warehouse" {
                let title = t["title"].as_str().unwrap();
                assert!(text.contains(&squash(title)), "booklet lacks 「{title}」");
                for item in strs(&t["checklist"]) {
                    assert!(text.contains(&squash(&item)), "booklet lacks 「{item}」");
                }
                n += 1;
            }
        }
    }
    assert!(n >= 8, "only {n} warehouse tasks found in the bundle");
}

#[test]
fn booklets_include_tasks_of_the_person_named_on_the_record() {
    if !have(&["pdftotext"], "booklet check") {
        return;
    }
    let (_, dir, _) = printed();
    // 客户验收 goes to the record's owner; completing it takes a move only sales may make.
    let sales = pages(&dir.join("roles/sales.pdf")).concat();
    let delivery = processes()
        .iter()
        .find(|p| p["name"] == "sales-delivery")
        .unwrap();
    let owner_tasks: Vec<&str> = tasks(delivery)
        .into_iter()
        .filter(|t| t["assignee"]["field"] == "owner")
        .map(|t| t["title"].as_str().unwrap())
        .collect();
    assert!(!owner_tasks.is_empty());
    for t in owner_tasks {
        assert!(sales.contains(&squash(t)), "sales booklet lacks 「{t}」");
    }
}

#[test]
fn the_index_names_every_process_and_its_file() {
    if !have(&["pdftotext"], "index check") {
        return;
    }
    let (_, dir, _) = printed();
    let text = pages(&dir.join("index.pdf")).concat();
    for p in processes() {
        let name = p["name"].as_str().unwrap();
        assert!(
            text.contains(&squash(p["title"].as_str().unwrap())),
            "{name}"
        );
        assert!(dir.join(format!("{name}.pdf")).is_file(), "{name}.pdf");
    }
}

// ---------------------------------------------------------------------------------------------
// Task cards

/// The non-bot tasks of a process: the ones with a card.
fn people_tasks(p: &Value) -> Vec<&Value> {
    let bots: BTreeSet<&str> = bundle()["roles"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["bot"] == true)
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    tasks(p)
        .into_iter()
        .filter(|t| {
            !t["assignee"]["role"]
                .as_str()
                .is_some_and(|r| bots.contains(r))
        })
        .collect()
}

#[test]
fn every_card_is_a6_and_shows_its_task() {
    if !have(&["pdftotext", "pdfinfo"], "card check") {
        return;
    }
    let (_, _, cards) = printed();
    for p in processes() {
        let name = p["name"].as_str().unwrap();
        let pdf = cards.join(format!("{name}.pdf"));
        // A6 is 105 × 148 mm: 297.64 × 419.53 pt (pdfinfo names A4 but not A6).
        assert!(
            page_size(&pdf).starts_with("297.638 x 419.528 pts"),
            "{}",
            page_size(&pdf)
        );
        let pages = pages(&pdf);
        let record = p["record"].as_str().unwrap_or("单据");
        assert!(
            pages[0].contains(&squash(&format!("扫码新建{record}"))),
            "{}",
            pages[0]
        );
        for t in people_tasks(p) {
            let title = squash(t["title"].as_str().unwrap());
            // Past the poster, which names the first tasks too.
            let at = 1 + pages[1..]
                .iter()
                .position(|pg| pg.contains(&title))
                .unwrap_or_else(|| panic!("no card for 「{title}」 in {name}"));
            let page = &pages[at];
            // A card whose guide is long continues on the next page, the back of the card.
            let card = format!("{page}{}", pages.get(at + 1).map_or("", |p| p.as_str()));
            for item in strs(&t["checklist"]) {
                assert!(
                    card.contains(&squash(&item)),
                    "card 「{title}」 lacks 「{item}」"
                );
            }
            assert!(page.contains("什么时候轮到你"), "{page}");
        }
    }
}

/// Every QR code of a PDF, decoded, page by page.
fn qr_codes(pdf: &Path, tmp: &Path) -> Vec<Vec<String>> {
    let prefix = tmp.join(pdf.file_stem().unwrap());
    tool(
        "pdftoppm",
        &[
            "-png",
            "-r",
            "150",
            pdf.to_str().unwrap(),
            prefix.to_str().unwrap(),
        ],
    );
    let mut pngs: Vec<PathBuf> = std::fs::read_dir(tmp)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|x| x == "png")
                && p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with(&*pdf.file_stem().unwrap().to_string_lossy())
        })
        .collect();
    pngs.sort();
    pngs.iter()
        .map(|png| {
            // zbarimg exits 4 when a page has no code.
            let out = Command::new("zbarimg")
                .args(["--raw", "-q", "-Sdisable", "-Sqrcode.enable"])
                .arg(png)
                .output()
                .expect("zbarimg runs");
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .map(str::to_string)
                .collect()
        })
        .collect()
}

#[test]
fn every_qr_code_on_the_cards_decodes_to_its_runtime_page() {
    if !have(&["pdftoppm", "zbarimg"], "QR code check") {
        return;
    }
    let (_, _, cards) = printed();
    let tmp = tempfile::tempdir().unwrap();
    for p in processes() {
        let name = p["name"].as_str().unwrap();
        let codes = qr_codes(&cards.join(format!("{name}.pdf")), tmp.path());
        assert_eq!(
            codes[0],
            vec![format!("{SERVER}/new/{name}")],
            "the poster of {name}"
        );
        let on_cards: Vec<&String> = codes[1..].iter().flatten().collect();
        let want = people_tasks(p).len();
        assert_eq!(on_cards.len(), want, "{name}: {codes:?}");
        assert!(
            on_cards.iter().all(|u| *u == &format!("{SERVER}/")),
            "{name}: {codes:?}"
        );
    }
}

#[test]
fn cards_of_one_role_across_processes() {
    if !have(&["pdftotext"], "role cards check") {
        return;
    }
    let dir = shipped_project();
    let (code, err) = run(
        dir.path(),
        &[
            "render",
            "--format",
            "cards",
            "--role",
            "warehouse",
            "-o",
            "out",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let pdf = dir.path().join("out/cards/roles/warehouse.pdf");
    let pages = pages(&pdf);
    let warehouse: Vec<String> = processes()
        .iter()
        .flat_map(|p| tasks(p))
        .filter(|t| t["assignee"]["role"] == "warehouse")
        .map(|t| squash(t["title"].as_str().unwrap()))
        .collect();
    for t in &warehouse {
        assert!(pages.iter().any(|pg| pg.contains(t)), "no card for 「{t}」");
    }
    // Without a server there are no posters and no codes.
    assert!(!pages.concat().contains("扫码"));
}

// ---------------------------------------------------------------------------------------------
// Setup, errors, templates, build

#[test]
fn without_a_font_for_the_text_it_fails_naming_the_font_to_install() {
    let dir = shipped_project();
    let fonts = tempfile::tempdir().unwrap();
    let out = sopctl()
        .current_dir(dir.path())
        .env("SOPCTL_NO_GIT", "1")
        .env("SOPCTL_NO_SYSTEM_FONTS", "1")
        .args(["render", "--format", "pdf", "-o", "out", "--font-dir"])
        .arg(fonts.path())
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("no installed font has the characters"),
        "{err}"
    );
    assert!(
        err.contains("fonts-noto-cjk") && err.contains("Noto Sans CJK SC"),
        "{err}"
    );
    // With no font at all, Latin letters are missing too; the ones shown are Chinese.
    let first = err.split('「').nth(1).and_then(|s| s.chars().next());
    assert!(
        first.is_some_and(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c)),
        "{err}"
    );
    assert!(!dir.path().join("out").exists(), "nothing is written");
}

#[test]
fn a_missing_font_folder_is_a_usage_error() {
    let dir = shipped_project();
    let (code, err) = run(
        dir.path(),
        &["render", "--format", "pdf", "--font-dir", "no-such-fonts"],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("font folder") && err.contains("no-such-fonts"),
        "{err}"
    );
}

#[test]
fn a_bad_server_address_is_refused() {
    let dir = shipped_project();
    let (code, err) = run(
        dir.path(),
        &["render", "--format", "cards", "--server", "sop.example.com"],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not an http:// or https:// address"), "{err}");
    std::fs::write(
        dir.path().join("sopctl.yaml"),
        "render:\n  server: \"https://x/?a=1\"\n",
    )
    .unwrap();
    let (code, err) = run(dir.path(), &["render", "--format", "cards"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("render.server") && err.contains("sopctl.yaml:2:11"),
        "{err}"
    );
}

#[test]
fn the_same_sops_give_the_same_bytes() {
    let dir = shipped_project();
    let args = ["render", "--format", "cards", "-o", "a", "--server", SERVER];
    assert_eq!(run(dir.path(), &args).0, 0);
    let mut again = args;
    again[4] = "b";
    assert_eq!(run(dir.path(), &again).0, 0);
    let a = std::fs::read(dir.path().join("a/cards/sales-delivery.pdf")).unwrap();
    let b = std::fs::read(dir.path().join("b/cards/sales-delivery.pdf")).unwrap();
    assert!(a.starts_with(b"%PDF-"));
    assert!(a == b, "two renders differ");
}

#[test]
fn user_text_is_shown_never_run_as_typst() {
    if !have(&["pdftotext"], "escaping check") {
        return;
    }
    let dir = shipped_project();
    let file = dir.path().join("sops/销售/销售发货.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    let evil = "#panic(\"boom\") ] } $x$ <lbl> @ref *粗* `#set page(width: 1pt)`";
    let text = text.replacen(
        "          checklist:\n            - 对照销售订单核对发货明细",
        &format!(
            "          checklist:\n            - '{}'",
            evil.replace('\'', "''")
        ),
        1,
    );
    assert!(text.contains("#panic"));
    std::fs::write(&file, text).unwrap();
    let (code, err) = run(dir.path(), &["render", "--format", "pdf", "-o", "out"]);
    assert_eq!(code, 0, "{err}");
    let pdf = pages(&dir.path().join("out/sales-delivery.pdf")).concat();
    assert!(pdf.contains(&squash(evil)), "{pdf}");
}

/// A copy of the shipped project with the print template `name` in `folder/pdf/`.
fn with_print_template(folder: &str, name: &str, text: &str) -> tempfile::TempDir {
    let dir = shipped_project();
    let t = dir.path().join(folder).join("pdf");
    std::fs::create_dir_all(&t).unwrap();
    std::fs::write(t.join(name), text).unwrap();
    dir
}

#[test]
fn a_print_template_in_templates_pdf_overrides_the_shipped_one() {
    if !have(&["pdftotext"], "template override check") {
        return;
    }
    let dir = with_print_template(
        "my-templates",
        "index.typ",
        "#import \"common.typ\": *\n#show: setup.with(title: \"x\")\n= 自定义目录\n#for p in data.index.processes [- #p.title]\n",
    );
    let (code, err) = run(
        dir.path(),
        &[
            "render",
            "--format",
            "pdf",
            "-o",
            "out",
            "--templates",
            "my-templates",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let text = pages(&dir.path().join("out/index.pdf")).concat();
    assert!(
        text.contains("自定义目录") && text.contains("销售发货"),
        "{text}"
    );
}

#[test]
fn a_print_template_error_names_its_file_and_line() {
    let dir = with_print_template(
        "tpl",
        "role.typ",
        "#import \"common.typ\": *\n\n#data.role.no_such_key\n",
    );
    let (code, err) = run(
        dir.path(),
        &[
            "render",
            "--format",
            "pdf",
            "--role",
            "warehouse",
            "--templates",
            "tpl",
        ],
    );
    assert_eq!(code, 2, "{err}");
    let want = format!(
        "template {}:3:",
        dir.path().join("tpl/pdf/role.typ").display()
    );
    assert!(err.contains(&want), "{err}");
    assert!(err.contains("no_such_key"), "{err}");
    assert!(err.contains("fix the template"), "{err}");
}

#[test]
fn build_writes_the_pdfs_beside_the_bundle_when_sopctl_yaml_asks() {
    let dir = shipped_project();
    std::fs::write(
        dir.path().join("sopctl.yaml"),
        format!("render:\n  pdf: true\n  cards: true\n  server: {SERVER}\n"),
    )
    .unwrap();
    let (code, err) = run(dir.path(), &["build", "-o", "dist"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("PDFs in dist/handbook"), "{err}");
    let h = dir.path().join("dist/handbook");
    for f in [
        "index.md",
        "index.pdf",
        "sales-delivery.pdf",
        "roles/warehouse.pdf",
        "cards/sales-delivery.pdf",
    ] {
        assert!(h.join(f).is_file(), "{f} missing");
    }
}

#[test]
fn screenshots_of_a_process_page_a_booklet_page_and_a_card() {
    if !have(&["pdftoppm", "pdftotext"], "PDF screenshots") {
        return;
    }
    let (_, dir, cards) = printed();
    let docs = repo_root().join("docs/screenshots");
    std::fs::create_dir_all(&docs).unwrap();
    // The page of 销售发货's second task, the booklet's first task page, a card.
    let delivery = dir.join("sales-delivery.pdf");
    let p = processes()
        .iter()
        .find(|p| p["name"] == "sales-delivery")
        .unwrap();
    let task = squash(tasks(p)[1]["title"].as_str().unwrap());
    // Past the cover and the contents, which names the task too.
    let page = pages(&delivery)
        .iter()
        .enumerate()
        .skip(2)
        .find(|(_, pg)| pg.contains(&task))
        .map(|(i, _)| i + 1)
        .unwrap();
    let booklet = dir.join("roles/warehouse.pdf");
    let shots = [
        (delivery, page, "pdf-process"),
        (booklet, 3, "pdf-booklet"),
        (cards.join("sales-delivery.pdf"), 3, "pdf-card"),
    ];
    for (pdf, n, name) in shots {
        let n = n.to_string();
        let prefix = docs.join(name);
        tool(
            "pdftoppm",
            &[
                "-png",
                "-r",
                "60",
                "-singlefile",
                "-f",
                &n,
                "-l",
                &n,
                pdf.to_str().unwrap(),
                prefix.to_str().unwrap(),
            ],
        );
        let png = docs.join(format!("{name}.png"));
        assert!(
            std::fs::metadata(&png).unwrap().len() > 5_000,
            "{name}.png is empty"
        );
    }
}
