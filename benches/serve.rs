//! The live preview against `typst watch`, measured through the browser.
//!
//! Run with `cargo bench --bench serve` (`-- --quick` for 5 edits instead
//! of 20). It starts `handout serve` on a copy of the seed with headless
//! Chromium (through ChromeDriver) showing it, and `typst watch` on the
//! seed's ejected project. Each edit changes the title in both, taking
//! turns, and times from the write to the page drawn in Chromium (the page
//! records when it drew) and to typst's PDF written. Then edits of the title
//! take turns between a text editor's save and Ctrl+Enter in the page's
//! editor, each timed to the page drawn. Then it times switching
//! goal, paper and edition, and the server at rest: CPU over 10 s and
//! memory with the seed open.

#[path = "../tests/common/webdriver.rs"]
#[allow(dead_code)]
mod webdriver;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::json;

/// Debian's Chromium, for the WebDriver helper.
fn chromium() -> Option<PathBuf> {
    Some(PathBuf::from("chromium"))
}

fn now_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
        * 1000.0
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let handout = PathBuf::from(env!("CARGO_BIN_EXE_handout"));
    let edits = if std::env::args().any(|a| a == "--quick") {
        5
    } else {
        20
    };
    let typst = install(&root, "scripts/install-typst");
    install(&root, "scripts/install-chromium");
    let work = tempfile::tempdir().unwrap();
    let yaml = work.path().join("seed.yaml");
    std::fs::copy(root.join("content/ai-engineer-vs-ml-engineer.yaml"), &yaml).unwrap();
    let project = work.path().join("ejected");
    let ok = Command::new(&handout)
        .current_dir(&root)
        .arg("eject")
        .arg(&yaml)
        .arg("--out")
        .arg(&project)
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );

    let mut serve = Command::new(&handout)
        .current_dir(&root)
        .args(["serve", "--port", "0"])
        .arg(&yaml)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let url = first_line(&mut serve)
        .split_whitespace()
        .nth(2)
        .unwrap()
        .to_string();
    let pdf = project.join("out.pdf");
    let mut watch = Command::new(&typst)
        .args(["watch", "--ignore-system-fonts", "--font-path"])
        .arg(project.join("fonts"))
        .args(["--pdf-standard", "ua-1"])
        .arg(project.join("main.typ"))
        .arg(&pdf)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let b = webdriver::Browser::start().expect("chromium and chromedriver");
    b.open(&url);
    // Polled only once the first load has had its time.
    std::thread::sleep(Duration::from_secs(2));
    b.wait_for(
        "the pages",
        "return document.body.dataset.state === 'ok'",
        json!([]),
    );
    wait_until(|| pdf.exists());
    println!(
        "{edits} edits of the seed's title, 2 cores; typst: {}\n",
        typst.display()
    );

    let original = std::fs::read_to_string(&yaml).unwrap();
    let data = project.join("data.json");
    let original_data = std::fs::read_to_string(&data).unwrap();
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for i in 0..edits {
        let title = format!("AI Engineer vs ML Engineer {i}");
        let drawn = b.run("return window.handoutDrawn.length", json!([]));
        let start = now_ms();
        std::fs::write(
            &yaml,
            original.replacen("AI Engineer vs ML Engineer", &title, 1),
        )
        .unwrap();
        let at = b.wait_for(
            "the edit drawn",
            "const d = window.handoutDrawn; return d.length > arguments[0] && d[d.length-1].at",
            json!([drawn]),
        );
        ours.push(at.as_f64().unwrap() - start);
        std::thread::sleep(Duration::from_millis(300));

        let before = std::fs::metadata(&pdf).unwrap().modified().unwrap();
        let start = Instant::now();
        std::fs::write(
            &data,
            original_data.replacen("AI Engineer vs ML Engineer", &title, 1),
        )
        .unwrap();
        wait_until(|| {
            std::fs::metadata(&pdf)
                .and_then(|m| m.modified())
                .is_ok_and(|m| m != before)
        });
        theirs.push(start.elapsed().as_secs_f64() * 1000.0);
        std::thread::sleep(Duration::from_millis(300));
    }
    let (ours, theirs) = (median(ours), median(theirs));
    println!("save to page drawn in Chromium (handout serve), median: {ours:>6.0} ms");
    println!("save to PDF written (typst watch, ejected), median:    {theirs:>6.0} ms");
    println!("ratio: {:.2}   (target at most 1.0)\n", ours / theirs);

    let (page, editor) = edits_on_the_page(&b, &yaml, edits);
    println!("Ctrl+Enter on the page to page drawn, median:          {page:>6.0} ms");
    println!("text editor's save to page drawn (same run), median:   {editor:>6.0} ms");
    println!("ratio: {:.2}   (target at most 1.2)\n", page / editor);

    for (id, value) in [
        ("goal", "modern-ai-systems"),
        ("paper", "us-letter"),
        ("edition", "email"),
        ("layout", "flyer"),
    ] {
        let drawn = b.run("return window.handoutDrawn.length", json!([]));
        b.run(
            "const s = document.getElementById(arguments[0]); s.value = arguments[1]; s.dispatchEvent(new Event('change'));",
            json!([id, value]),
        );
        let ms = b.wait_for(
            "the switch drawn",
            "const d = window.handoutDrawn; return d.length > arguments[0] && d[d.length-1].ms",
            json!([drawn]),
        );
        println!(
            "switch {id} to {value:<18} drawn in {:>5} ms (target 300)",
            ms
        );
    }

    std::thread::sleep(Duration::from_secs(2));
    let pid = serve.id();
    let (cpu0, t0) = (cpu_ticks(pid), Instant::now());
    std::thread::sleep(Duration::from_secs(10));
    let cpu = (cpu_ticks(pid) - cpu0) as f64 / 100.0 / t0.elapsed().as_secs_f64();
    println!(
        "\nat rest: {:.2}% of a core, {} MB resident (targets: under 1%, under 150 MB)",
        cpu * 100.0,
        rss_kb(pid) / 1024
    );
    drop(b);
    let _ = watch.kill();
    let _ = serve.kill();
    let _ = (watch.wait(), serve.wait());
}

/// Edits of the title taking turns: written by a text editor (the file
/// saved), then on the page (Ctrl+Enter in its editor); each timed to the
/// page drawn. The medians, page first.
fn edits_on_the_page(b: &webdriver::Browser, yaml: &Path, edits: usize) -> (f64, f64) {
    let (mut page, mut editor) = (Vec::new(), Vec::new());
    let drawn_after = |drawn: &serde_json::Value| {
        b.wait_for(
            "the edit drawn",
            "const d = window.handoutDrawn; return d.length > arguments[0] && d[d.length-1].at",
            json!([drawn]),
        )
        .as_f64()
        .unwrap()
    };
    for i in 0..edits {
        let text = std::fs::read_to_string(yaml).unwrap();
        let title_line = text
            .lines()
            .find(|l| l.starts_with("title: "))
            .unwrap()
            .to_string();
        let drawn = b.run("return window.handoutDrawn.length", json!([]));
        let start = now_ms();
        std::fs::write(
            yaml,
            text.replacen(&title_line, &format!("title: Saved title {i}"), 1),
        )
        .unwrap();
        editor.push(drawn_after(&drawn) - start);
        std::thread::sleep(Duration::from_millis(300));

        // Open the title's editor as a person does: click the title.
        loop {
            b.run(
                "const s = [...document.querySelectorAll('.text span')].find(s => s.textContent.startsWith('Saved title') && s.dataset.src !== undefined); document.querySelectorAll('#target').forEach(t => t.removeAttribute('id')); if (s) s.id = 'target';",
                json!([]),
            );
            if b.try_click("#target") {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        b.wait_for(
            "the editor",
            "return document.activeElement.id === 'edit-value' && document.getElementById('edit-value').value.startsWith('Saved title')",
            json!([]),
        );
        b.type_into("#edit-value", true, &format!("Page title {i}"));
        let drawn = b.run("return window.handoutDrawn.length", json!([]));
        b.type_into("#edit-value", false, "\u{E009}\u{E007}\u{E000}");
        let at = drawn_after(&drawn);
        // From the key press, as the page saw it.
        let asked = b.run("return window.handoutSaveAsked", json!([]));
        page.push(at - asked.as_f64().unwrap());
        std::thread::sleep(Duration::from_millis(300));
    }
    (median(page), median(editor))
}

fn install(root: &Path, script: &str) -> PathBuf {
    let out = Command::new(root.join(script))
        .current_dir(root)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{script}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let path = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    if path.is_relative() {
        root.join(path)
    } else {
        path
    }
}

fn first_line(child: &mut Child) -> String {
    use std::io::BufRead;
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    line
}

fn wait_until(mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(Instant::now() < deadline, "waited a minute");
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// User and system time of a process, in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap()
        .split_whitespace()
        .collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

fn rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}
