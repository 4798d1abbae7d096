//! A mail merge end to end: drafts for N recipients, then sending them to a
//! real SMTP server (aiosmtpd) on this machine, each against a baseline
//! measured in the same run.
//!
//! Run with `cargo bench --bench email` (500 recipients; `-- --quick` for
//! 100, `-- --recipients N` for N). The baselines are the same build
//! without `--eml`, `send` without DKIM against `send` signing each message
//! (median of three alternating runs, each to a fresh server), and Python's
//! smtplib sending the same drafts over one connection. Printed: wall time
//! and peak RSS of each step, the drafts' size against their PDFs, and the
//! ratios.

mod common;

use common::{Run, SmtpServer, measure, write_people};
use std::path::{Path, PathBuf};
use std::process::Command;

const FROM: &str = "Northfield Admissions <admissions@northfield.example>";

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let handout = PathBuf::from(env!("CARGO_BIN_EXE_handout"));
    let args: Vec<String> = std::env::args().collect();
    let n = match args.iter().position(|a| a == "--recipients") {
        Some(i) => args[i + 1].parse().expect("--recipients N"),
        None if args.iter().any(|a| a == "--quick") => 100,
        None => 500,
    };
    let status = Command::new(root.join("scripts/install-smtp-server"))
        .status()
        .expect("run scripts/install-smtp-server");
    assert!(status.success(), "cannot install the SMTP test server");
    let python = root.join(".tools/venv/bin/python");
    let work = tempfile::tempdir().unwrap();
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
    println!("{n} recipients of the seed, email edition, A4, --jobs {cores}\n");

    let people = work.path().join("people.csv");
    write_people(&people, n);
    let seed = root.join("content/ai-engineer-vs-ml-engineer.yaml");
    let build = |out: &Path, eml: bool| {
        let mut c = Command::new(&handout);
        c.args(["build", "-q", "-e", "email", "--recipients"])
            .arg(&people)
            .arg("-o")
            .arg(out)
            .arg(&seed);
        if eml {
            // A campaign as a school sends it: one-click unsubscribe with a
            // token per address.
            c.args(["--eml", "--from", FROM])
                .args([
                    "--unsubscribe",
                    "https://northfield.example/unsubscribe?e={email}&t={unsubscribe_token}",
                ])
                .env(
                    "HANDOUT_UNSUBSCRIBE_SECRET",
                    "a benchmark secret, 32 characters",
                );
        }
        measure(&mut c)
    };

    let plain_out = work.path().join("plain");
    let plain = build(&plain_out, false);
    row("build, PDFs only (baseline)", n, plain);
    let out = work.path().join("drafts");
    let drafts = build(&out, true);
    row("build --eml with unsubscribe, PDFs and drafts", n, drafts);
    let (mut eml_bytes, mut pdf_bytes) = (0u64, 0u64);
    for e in std::fs::read_dir(&out).unwrap() {
        let p = e.unwrap().path();
        let len = p.metadata().unwrap().len();
        match p.extension().and_then(|e| e.to_str()) {
            Some("eml") => eml_bytes += len,
            Some("pdf") => pdf_bytes += len,
            _ => {}
        }
    }

    let key = work.path().join("dkim.pem");
    let public = dkim_key(&key);
    let send_to = |name: &str, dkim: bool| {
        let server = SmtpServer::start(&root, work.path().join(name));
        let _ = std::fs::remove_file(out.join("sent.jsonl"));
        let mut c = Command::new(&handout);
        c.args(["send", "-q", "--tls", "none", "--smtp"])
            .arg(format!("smtp://127.0.0.1:{}", server.port))
            .arg(&out);
        if dkim {
            c.arg("--dkim-key")
                .arg(&key)
                .args(["--dkim-selector", "bench"]);
        }
        let run = measure(&mut c);
        assert_eq!(server.count(), n, "every draft arrives");
        (run, server, c)
    };
    let (mut plain_sends, mut signed_sends) = (Vec::new(), Vec::new());
    for i in 0..3 {
        plain_sends.push(send_to(&format!("plain-{i}"), false).0);
        let (run, server, mut again) = send_to(&format!("dkim-{i}"), true);
        signed_sends.push(run);
        if i == 0 {
            verify_sample(&python, &root, &server.maildir, &public);
            let rerun = measure(&mut again);
            assert_eq!(server.count(), n, "a rerun sends nothing");
            row("handout send again (sends nothing)", n, rerun);
        }
    }
    let send = median(plain_sends);
    row("handout send, no DKIM (baseline)", n, send);
    let signed = median(signed_sends);
    row("handout send, DKIM RSA-2048", n, signed);

    let baseline_server = SmtpServer::start(&root, work.path().join("mail-b"));
    let script = r#"
import json, smtplib, sys
d, port = sys.argv[1], int(sys.argv[2])
with smtplib.SMTP("127.0.0.1", port) as s:
    for line in open(d + "/outbox.jsonl"):
        e = json.loads(line)
        s.sendmail(e["from"], [e["recipient"]], open(d + "/" + e["file"], "rb").read())
"#;
    let smtplib = measure(
        Command::new(&python)
            .arg("-c")
            .arg(script)
            .arg(&out)
            .arg(baseline_server.port.to_string()),
    );
    assert_eq!(baseline_server.count(), n);
    row("python smtplib, one connection (baseline)", n, smtplib);

    println!("\nratios");
    println!(
        "  build --eml / build without drafts:          {:.2}   (target at most 1.9)",
        drafts.wall.as_secs_f64() / plain.wall.as_secs_f64()
    );
    println!(
        "  draft size / PDF size:                       {:.2}   ({} KB per draft; target at most 2.2)",
        eml_bytes as f64 / pdf_bytes as f64,
        eml_bytes / n as u64 / 1024
    );
    println!(
        "  send with DKIM / send without:               {:.2}   (target at most 1.3)",
        signed.wall.as_secs_f64() / send.wall.as_secs_f64()
    );
    println!(
        "  handout send / smtplib:                      {:.2}",
        send.wall.as_secs_f64() / smtplib.wall.as_secs_f64()
    );
    println!(
        "  build --eml and send {n} with DKIM, total:    {:.1} s",
        (drafts.wall + signed.wall).as_secs_f64()
    );
}

fn median(mut runs: Vec<Run>) -> Run {
    runs.sort_by_key(|r| r.wall);
    runs.swap_remove(runs.len() / 2)
}

/// Writes a fresh RSA-2048 key; returns its DNS record.
fn dkim_key(path: &Path) -> String {
    use base64::Engine;
    use rsa::pkcs1::EncodeRsaPrivateKey;
    use rsa::pkcs8::EncodePublicKey;
    let key = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048).unwrap();
    key.write_pkcs1_pem_file(path, rsa::pkcs1::LineEnding::LF)
        .unwrap();
    let public = key.to_public_key().to_public_key_der().unwrap();
    format!(
        "v=DKIM1; k=rsa; p={}",
        base64::engine::general_purpose::STANDARD.encode(public.as_bytes())
    )
}

/// dkimpy checks the first messages received, so that what was timed is a
/// signature a receiver accepts.
fn verify_sample(python: &Path, root: &Path, maildir: &Path, record: &str) {
    let mut files: Vec<PathBuf> = std::fs::read_dir(maildir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    files.sort();
    files.truncate(5);
    let out = Command::new(python)
        .arg(root.join("tests/smtp/dkim_verify.py"))
        .arg("bench._domainkey.northfield.example")
        .arg(record)
        .args(&files)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        text.matches("\"ok\": true").count(),
        files.len(),
        "dkimpy: {text}"
    );
}

fn row(name: &str, n: usize, run: Run) {
    println!(
        "{name:<44} {:>7.2} s  {:>7.1} ms/message  {:>6.1} CPU ms/message  peak RSS {:>4} MB",
        run.wall.as_secs_f64(),
        run.wall.as_secs_f64() * 1000.0 / n as f64,
        run.cpu.as_secs_f64() * 1000.0 / n as f64,
        run.peak_rss_kb / 1024
    );
}
