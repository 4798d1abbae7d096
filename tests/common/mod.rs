//! Helpers shared by the integration tests: running the binary and reading
//! PDFs back with poppler's tools.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use base64::Engine;

use serde_yaml::Value;

pub mod serve;
pub mod webdriver;

pub const SEED: &str = "content/ai-engineer-vs-ml-engineer.yaml";
pub const SEED_ID: &str = "ai-engineer-vs-ml-engineer";

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures").join(name)
}

pub fn handout(args: &[&dyn AsRef<std::ffi::OsStr>]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_handout"));
    cmd.current_dir(root()).env_remove("SOURCE_DATE_EPOCH");
    for a in args {
        cmd.arg(a);
    }
    cmd.output().expect("the binary runs")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts that the command printed `needle` on stderr, showing all of it
/// when it did not.
#[track_caller]
pub fn assert_stderr_has(o: &Output, needle: &str) {
    let err = stderr(o);
    assert!(err.contains(needle), "no {needle:?} in stderr:\n{err}");
}

/// Reads a JSON file, such as a build report.
#[track_caller]
pub fn read_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// The `status` of every document of a build report, in plan order.
pub fn report_statuses(report: &serde_json::Value) -> Vec<String> {
    report["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["status"].as_str().unwrap().to_string())
        .collect()
}

/// A layouts folder in `dir` whose `handout.typ` is `source`, for `--layouts`.
pub fn handout_layout(dir: &Path, source: &str) -> PathBuf {
    let layouts = dir.join("layouts");
    std::fs::create_dir(&layouts).unwrap();
    std::fs::write(layouts.join("handout.typ"), source).unwrap();
    layouts
}

pub fn assert_ok(o: &Output) {
    assert!(
        o.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        stderr(o)
    );
}

pub fn tool(name: &str, args: &[&dyn AsRef<std::ffi::OsStr>]) -> String {
    let mut cmd = Command::new(name);
    for a in args {
        cmd.arg(a);
    }
    let o = cmd
        .output()
        .unwrap_or_else(|e| panic!("{name} is needed for the tests (run scripts/test): {e}"));
    assert!(o.status.success(), "{name} failed: {}", stderr(&o));
    // Debian 12's poppler (22.02) wrongly rejects `/Suspects false` in the
    // MarkInfo of tagged PDFs, a valid boolean; anything else is a problem.
    let problems: Vec<_> = stderr(&o)
        .lines()
        .filter(|l| !l.contains("Suspects object is wrong type (boolean)"))
        .map(str::to_string)
        .collect();
    assert!(
        problems.is_empty(),
        "{name} reported problems: {problems:?}"
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Text in content-stream order, which keeps table cells whole.
pub fn pdf_text(pdf: &Path, pages: Option<(usize, usize)>) -> String {
    match pages {
        Some((f, l)) => tool(
            "pdftotext",
            &[
                &"-raw",
                &"-f",
                &f.to_string(),
                &"-l",
                &l.to_string(),
                &pdf,
                &"-",
            ],
        ),
        None => tool("pdftotext", &[&"-raw", &pdf, &"-"]),
    }
}

pub fn page_count(pdf: &Path) -> usize {
    let info = tool("pdfinfo", &[&pdf]);
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("pdfinfo reports pages")
}

/// Whitespace is removed entirely: line breaks may fall anywhere, including
/// after a hyphen. So are the zero-width spaces layouts put into very long
/// words to let them break.
pub fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{200B}')
        .collect()
}

/// Every reader-facing string: all scalars except ids, references, URLs,
/// dates and language tags, and except mapping keys.
pub fn reader_strings(v: &Value, key: Option<&str>, out: &mut Vec<String>) {
    const SKIP: &[&str] = &[
        "id", "option", "course", "url", "base_url", "updated", "lang",
    ];
    match v {
        Value::String(s) if !key.is_some_and(|k| SKIP.contains(&k)) => out.push(s.clone()),
        Value::Sequence(items) => items.iter().for_each(|i| reader_strings(i, None, out)),
        Value::Mapping(m) => {
            for (k, v) in m {
                reader_strings(v, k.as_str(), out);
            }
        }
        _ => {}
    }
}

pub fn strings_of(yaml: &Path) -> Vec<String> {
    let v: Value = serde_yaml::from_str(&std::fs::read_to_string(yaml).unwrap()).unwrap();
    let mut out = Vec::new();
    reader_strings(&v, None, &mut out);
    out
}

/// As [`squash`], and without hyphens: a language that hyphenates breaks
/// words at line ends, and the hyphen it adds is not in the content.
pub fn squash_hyphens(s: &str) -> String {
    squash(s)
        .chars()
        .filter(|c| !matches!(c, '-' | '\u{2010}' | '\u{00AD}'))
        .collect()
}

pub fn assert_all_strings_present(yaml: &Path, pdf: &Path) {
    let text = squash_hyphens(&pdf_text(pdf, None));
    let missing: Vec<_> = strings_of(yaml)
        .into_iter()
        .filter(|s| !text.contains(&squash_hyphens(s)))
        .collect();
    assert!(
        missing.is_empty(),
        "{} lacks these strings from {}:\n{missing:#?}",
        pdf.display(),
        yaml.display()
    );
}

pub fn goals_of(yaml: &Path) -> Vec<(String, String, Option<String>)> {
    let v: Value = serde_yaml::from_str(&std::fs::read_to_string(yaml).unwrap()).unwrap();
    v["career_mapping"]["goals"]
        .as_sequence()
        .map(|gs| {
            gs.iter()
                .map(|g| {
                    (
                        g["id"].as_str().unwrap().to_string(),
                        g["goal"].as_str().unwrap().to_string(),
                        g["course"].as_str().map(str::to_string),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

pub fn course_names(yaml: &Path) -> Vec<(String, String)> {
    let v: Value = serde_yaml::from_str(&std::fs::read_to_string(yaml).unwrap()).unwrap();
    v["course_fit"]["courses"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_string(),
                c["name"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

pub fn pdfs_in(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    v.sort();
    v
}

/// Width, height and pixels of a PNG, as RGB composited onto white.
pub fn png_rgb(path: &Path) -> (usize, usize, Vec<[u8; 3]>) {
    let file = std::io::BufReader::new(std::fs::File::open(path).unwrap());
    let mut decoder = png::Decoder::new(file);
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let pixels = buf[..info.buffer_size()]
        .chunks(channels)
        .map(|px| {
            if channels < 3 {
                return [px[0]; 3];
            }
            let a = if channels == 4 { u32::from(px[3]) } else { 255 };
            let mix = |c: u8| ((u32::from(c) * a + 255 * (255 - a)) / 255) as u8;
            [mix(px[0]), mix(px[1]), mix(px[2])]
        })
        .collect();
    (info.width as usize, info.height as usize, pixels)
}

/// A layouts folder whose handout compiles quickly for three options and
/// never finishes for two (minimal.yaml), for timeouts and interrupts.
pub fn endless_for_two_options(dir: &Path) -> PathBuf {
    handout_layout(
        dir,
        "#let data = json(\"/data.json\")\n\
         #let n = 0\n\
         #if data.content.options.len() == 2 { for i in range(100000) { for j in range(100000) { n += 1 } } }\n\
         #n\n",
    )
}

/// `typst` from PATH or from `.tools/bin`, where scripts/test installs it.
pub fn typst_cli() -> Option<PathBuf> {
    let local = root().join(".tools/bin/typst");
    if local.exists() {
        return Some(local);
    }
    Command::new("typst")
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|_| PathBuf::from("typst"))
}

/// A real SMTP server (aiosmtpd, installed by `scripts/test`) on a free port
/// of this machine, stopped when dropped.
pub struct SmtpServer {
    child: std::process::Child,
    pub port: u16,
    pub maildir: tempfile::TempDir,
}

/// One message the server accepted.
pub struct Received {
    pub bytes: Vec<u8>,
    /// The envelope's recipients.
    pub to: Vec<String>,
}

impl SmtpServer {
    /// Refuses `refuse` with 550; offers and requires STARTTLS with `tls`
    /// (certificate and key PEM files).
    pub fn start(refuse: &[&str], tls: Option<(&Path, &Path)>) -> Self {
        let mut args: Vec<std::ffi::OsString> = Vec::new();
        for r in refuse {
            args.extend(["--refuse".into(), r.into()]);
        }
        if let Some((cert, key)) = tls {
            args.extend(["--cert".into(), cert.into(), "--key".into(), key.into()]);
        }
        Self::launch(args)
    }

    /// A server that keeps every message but answers the end of its data
    /// `seconds` late, for messages to `to` (all when empty).
    pub fn slow(seconds: f64, to: &[&str]) -> Self {
        let mut args: Vec<std::ffi::OsString> = vec!["--slow".into(), seconds.to_string().into()];
        for t in to {
            args.extend(["--slow-to".into(), t.into()]);
        }
        Self::launch(args)
    }

    /// A server that answers 451 (try again later) to `address` the first
    /// `times` times, as a provider's rate limit does.
    pub fn deferring(address: &str, times: u32) -> Self {
        Self::launch(vec![
            "--defer".into(),
            address.into(),
            "--defer-times".into(),
            times.to_string().into(),
        ])
    }

    /// A server that keeps the message to `address`, then drops the
    /// connection before answering its end of data (once).
    pub fn dropping_after_data(address: &str) -> Self {
        Self::launch(vec!["--drop-after-data".into(), address.into()])
    }

    /// A server that offers SMTPUTF8, for addresses with a non-ASCII local
    /// part.
    pub fn with_smtputf8() -> Self {
        Self::launch(vec!["--smtputf8".into()])
    }

    /// A server that requires an XOAUTH2 login with `token`.
    pub fn with_oauth(token: &str) -> Self {
        Self::launch(vec!["--oauth".into(), token.into()])
    }

    /// A server that requires the login `user:password`.
    pub fn with_login(user_password: &str) -> Self {
        Self::launch(vec!["--auth".into(), user_password.into()])
    }

    fn launch(args: Vec<std::ffi::OsString>) -> Self {
        use std::io::BufRead;
        let python = root().join(".tools/venv/bin/python");
        assert!(
            python.exists(),
            "the SMTP test server needs aiosmtpd: run ./scripts/install-smtp-server (./scripts/test does)"
        );
        let maildir = tempfile::tempdir().unwrap();
        let mut cmd = Command::new(python);
        cmd.arg(root().join("tests/smtp/server.py"))
            .arg("--maildir")
            .arg(maildir.path())
            .args(args);
        let mut child = cmd
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("start the SMTP test server");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .strip_prefix("ready ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("the SMTP test server did not start: {line:?}"));
        Self {
            child,
            port,
            maildir,
        }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// `handout send DIR` to this server, in plain text, with `extra`.
    pub fn send(&self, dir: &Path, extra: &[&str]) -> Output {
        let url = self.url();
        let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> =
            vec![&"send", &dir, &"--smtp", &url, &"--tls", &"none"];
        for e in extra {
            args.push(e);
        }
        handout(&args)
    }

    /// Every message received so far, in order.
    pub fn received(&self) -> Vec<Received> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(self.maildir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        names.sort();
        names
            .into_iter()
            .map(|p| {
                let envelope = read_json(&p.with_extension("json"));
                Received {
                    bytes: std::fs::read(&p).unwrap(),
                    to: envelope["to"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|v| v.as_str().unwrap().to_string())
                        .collect(),
                }
            })
            .collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Edits fixture text, and fails when the text to replace is not there: a
/// fixture that changed must not silently turn a test into a no-op.
pub trait Patch {
    fn patched(&self, from: &str, to: impl AsRef<str>) -> String;
}

impl Patch for str {
    #[track_caller]
    fn patched(&self, from: &str, to: impl AsRef<str>) -> String {
        assert!(
            self.contains(from),
            "the fixture no longer holds {from:?}; update the test with it"
        );
        self.replace(from, to.as_ref())
    }
}

/// A test that needs something beyond cargo (a font, a tool) which is
/// missing. Under `CI`, which scripts/test sets and where it installs what
/// tests need, that is a failure; elsewhere the test says plainly that it
/// checked nothing, since cargo will still list it as passed.
#[track_caller]
pub fn not_checked(why: &str) {
    if std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "0" && v != "false") {
        panic!("{why}; with CI set this is a failure: run scripts/test, which installs it");
    }
    eprintln!("NOT CHECKED, although cargo lists it as passed: {why}");
}

/// The page's serious and critical accessibility violations, as axe-core
/// finds them (installed by scripts/install-axe).
pub fn serious_violations(b: &webdriver::Browser) -> Vec<String> {
    let axe = root().join(".tools/axe/node_modules/axe-core/axe.min.js");
    let Ok(source) = std::fs::read_to_string(&axe) else {
        not_checked("axe-core is not installed: run scripts/install-axe");
        return Vec::new();
    };
    b.run(&format!("{source}\nreturn true;"), serde_json::json!([]));
    b.run(
        "window.axeFound = null; axe.run(document, {resultTypes: ['violations']}).then(r => { window.axeFound = r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => v.id + ': ' + v.help + ' (' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', ') + ')'); });",
        serde_json::json!([]),
    );
    let found = b.wait_for(
        "axe-core",
        "return window.axeFound && JSON.stringify(window.axeFound)",
        serde_json::json!([]),
    );
    serde_json::from_str(found.as_str().unwrap()).unwrap()
}

/// An Ed25519 private key PEM and the `p=` of its DNS record.
pub fn ed25519_key() -> (String, String) {
    use ed25519_dalek::pkcs8::EncodePrivateKey;
    use rand_core::RngCore;
    let mut seed = [0u8; 32];
    rand_core::OsRng.fill_bytes(&mut seed);
    let key = ed25519_dalek::SigningKey::from_bytes(&seed);
    let pem = key.to_pkcs8_pem(Default::default()).unwrap();
    (
        pem.to_string(),
        base64::engine::general_purpose::STANDARD.encode(key.verifying_key().to_bytes()),
    )
}

/// dkimpy's verdict on each file, with `record` published at `name`.
pub fn dkim_verify(
    name: &str,
    record: &str,
    files: &[std::path::PathBuf],
) -> Vec<serde_json::Value> {
    let out = std::process::Command::new(root().join(".tools/venv/bin/python"))
        .arg(root().join("tests/smtp/dkim_verify.py"))
        .arg(name)
        .arg(record)
        .args(files)
        .output()
        .expect("dkimpy is installed by ./scripts/install-smtp-server");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Debian's Chromium, installed by `scripts/install-chromium` (which
/// `scripts/test` runs).
pub fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser"].into_iter().find_map(|b| {
        Command::new(b)
            .arg("--version")
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|_| PathBuf::from(b))
    })
}

/// Headless Chromium with a fresh profile and no calls home, which this
/// machine's closed network would refuse.
pub fn headless(browser: &Path, profile: &Path) -> Command {
    let mut cmd = Command::new(browser);
    cmd.args(webdriver::HEADLESS)
        .arg(format!("--user-data-dir={}", profile.display()));
    cmd
}

/// The seed with its FAQ eight times over, as `path`: longer than the
/// print handout's four pages at any density it picks by itself.
#[allow(dead_code)]
pub fn write_long_seed(path: &Path) {
    let mut yaml: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(root().join(SEED)).unwrap()).unwrap();
    let entries = yaml["faq"]["entries"].as_sequence_mut().unwrap();
    let copies: Vec<_> = entries
        .iter()
        .cycle()
        .take(entries.len() * 7)
        .cloned()
        .collect();
    entries.extend(copies);
    std::fs::write(path, serde_yaml::to_string(&yaml).unwrap()).unwrap();
}

/// The entries of an output folder, without the report the build keeps
/// there for the next one (`.handout/`).
pub fn out_entries(dir: &Path) -> impl Iterator<Item = std::io::Result<std::fs::DirEntry>> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter(|e| e.as_ref().map_or(true, |e| e.file_name() != ".handout"))
}
