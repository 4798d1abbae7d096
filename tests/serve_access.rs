//! `handout serve` under attack: the access rule (token, Origin,
//! Sec-Fetch-Site), choices refused before rendering, bounded requests, and
//! memory that stays bounded whatever is asked.

// Uses tools from Debian packages (poppler, Chromium, aiosmtpd, bash, man)
// or Linux paths, which scripts/test installs: Linux only.
#![cfg(target_os = "linux")]

mod common;

use std::io::{Read, Write};

use common::serve::Serve;
use common::*;

fn status(answer: &str) -> u16 {
    answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {answer:?}"))
}

#[test]
fn every_branch_of_the_access_rule() {
    let serve = Serve::start(&[SEED]);
    assert!(
        serve.url.contains("/?token=") && serve.token.len() == 32,
        "{}",
        serve.url
    );
    let port = serve.port;
    let ask = |target: &str, headers: &str| {
        serve.raw(&format!(
            "GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{headers}Connection: close\r\n\r\n"
        ))
    };
    let token = &serve.token;
    let with = |path: &str| format!("{path}?token={token}");

    // The page and its assets need no token.
    for path in ["/", "/app.js", "/app.css"] {
        assert_eq!(status(&ask(path, "")), 200, "{path}");
    }
    // Everything else does: in the query or in a header.
    for path in [
        "/api/overview",
        "/api/render",
        "/api/page/0",
        "/api/pdf",
        "/events",
    ] {
        let refused = ask(path, "");
        assert_eq!(status(&refused), 403, "{path}: {refused}");
        assert!(refused.contains("token"), "{refused}");
        let wrong = if token.starts_with('0') { '1' } else { '0' };
        assert_eq!(
            status(&ask(&format!("{path}?token={wrong}{}", &token[1..]), "")),
            403
        );
    }
    assert_eq!(status(&ask(&with("/api/overview"), "")), 200);
    assert_eq!(
        status(&ask(
            "/api/overview",
            &format!("X-Handout-Token: {token}\r\n")
        )),
        200
    );
    // A browser on another site, or on another port of this machine, is
    // refused even with the token; the page's own requests are not.
    for (headers, expected) in [
        ("Origin: http://evil.example\r\n".to_string(), 403),
        (format!("Origin: http://127.0.0.1:{}\r\n", port + 1), 403),
        ("Origin: null\r\n".to_string(), 403),
        ("Sec-Fetch-Site: cross-site\r\n".to_string(), 403),
        ("Sec-Fetch-Site: same-site\r\n".to_string(), 403),
        (
            format!("Origin: http://127.0.0.1:{port}\r\nSec-Fetch-Site: same-origin\r\n"),
            200,
        ),
        ("Sec-Fetch-Site: none\r\n".to_string(), 200),
    ] {
        let answer = ask(&with("/api/overview"), &headers);
        assert_eq!(status(&answer), expected, "{headers:?}: {answer}");
    }
    // The Host check comes first, token or not.
    let rebinding = serve.raw(&format!(
        "GET {} HTTP/1.1\r\nHost: attacker.example:{port}\r\nConnection: close\r\n\r\n",
        with("/api/overview")
    ));
    assert_eq!(status(&rebinding), 421);
}

#[test]
fn unknown_choices_are_refused_before_rendering() {
    let serve = Serve::start(&[SEED]);
    for query in [
        "goal=astronaut",
        "layout=poster",
        "paper=folio",
        "edition=fax",
        "recipient=0",
        "file=x",
    ] {
        for path in ["/api/render", "/api/page/0", "/api/pdf"] {
            let answer = serve.get(&format!("{path}?{query}"), "");
            assert!(
                matches!(status(&answer), 400 | 409),
                "{path}?{query}: {answer}"
            );
        }
    }
    let answer = serve.get("/api/render?goal=astronaut", "");
    assert!(answer.contains("has no goal `astronaut`"), "{answer}");
    assert_eq!(
        status(&serve.get("/api/render?goal=modern-ai-systems", "")),
        200
    );
}

#[test]
fn request_lines_and_heads_are_bounded() {
    let serve = Serve::start(&[SEED]);
    let long_line = serve.raw(&format!(
        "GET /{} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n",
        "a".repeat(9 * 1024),
        serve.port
    ));
    assert_eq!(status(&long_line), 414, "{long_line}");
    let big_head = serve.raw(&format!(
        "GET / HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n{}\r\n",
        serve.port,
        "X-Filler: yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\r\n"
            .repeat(1000)
    ));
    assert_eq!(status(&big_head), 431, "{big_head}");

    // 300 MB of headers, streamed: refused at 64 KB, and the memory
    // stays where it was.
    let before = serve.rss();
    let mut s = std::net::TcpStream::connect(("127.0.0.1", serve.port)).unwrap();
    let _ = s
        .write_all(format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nX-A: ", serve.port).as_bytes());
    let chunk = vec![b'x'; 1024 * 1024];
    let mut sent = 0;
    while sent < 300 && s.write_all(&chunk).is_ok() {
        sent += 1;
    }
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    assert!(sent < 300, "the server read 300 MB of headers");
    assert!(answer.is_empty() || status(&answer) == 431, "{answer}");
    let after = serve.rss();
    assert!(after < before + 16 * 1024 * 1024, "{before} -> {after}");
    // And it still answers.
    assert_eq!(status(&serve.get("/api/overview", "")), 200);
}

/// A page of another site with many `<img>` tags, or a script, asking for
/// every scale, generation and goal: 1,000 distinct requests keep the
/// server under 300 MB.
#[test]
fn a_thousand_distinct_requests_keep_memory_bounded() {
    let serve = Serve::start(&[SEED]);
    let goals: Vec<String> = goals_of(&root().join(SEED))
        .into_iter()
        .map(|(id, _, _)| id)
        .collect();
    let papers = ["a4", "us-letter", "a5", "half-letter"];
    let layouts = ["handout", "flyer"];
    let mut peak = 0;
    for i in 0..1000 {
        let n = i / 5;
        let path = match i % 5 {
            0 => format!("/api/page/{}?s={}.{i:03}&v={i}", i % 5, 1 + i % 3),
            1 => format!(
                "/api/page/0?goal={}&paper=us-letter&s=2.{i}",
                goals[i % goals.len()]
            ),
            2 => format!("/api/render?goal=nope-{i}"),
            3 => format!(
                "/api/render?edition=email&v={i}&goal={}",
                goals[i % goals.len()]
            ),
            // Every valid variant in turn: each a document of its own.
            _ => format!(
                "/api/render?goal={}&paper={}&edition={}&layout={}",
                goals[n % goals.len()],
                papers[n / goals.len() % 4],
                ["print", "email"][n / goals.len() / 4 % 2],
                layouts[n / goals.len() / 8 % 2]
            ),
        };
        let answer = serve.get(&path, "");
        assert!(!answer.is_empty(), "no answer to {path} (request {i})");
        assert!(
            matches!(status(&answer), 200 | 400 | 404),
            "{path}: {answer}"
        );
        if i % 50 == 0 {
            peak = peak.max(serve.rss());
        }
    }
    peak = peak.max(serve.rss());
    eprintln!("peak resident memory: {} MB", peak / 1024 / 1024);
    assert!(peak < 300 * 1024 * 1024, "{} MB", peak / 1024 / 1024);
}

/// Two fields with the same text: each run on the page is traced to its
/// own field, by position and order, even when the file lists the
/// subtitle first.
#[test]
fn repeated_text_is_traced_to_each_field_in_turn() {
    let dir = tempfile::tempdir().unwrap();
    let seed = std::fs::read_to_string(root().join(SEED)).unwrap();
    let same = "AI Engineer vs ML Engineer";
    let edited = seed.replacen(&format!("title: {same}\n"), "", 1).replacen(
        "subtitle: Modern AI Systems or Classical ML Engineering?",
        &format!("subtitle: {same}\ntitle: {same}"),
        1,
    );
    assert_ne!(edited, seed);
    let yaml = dir.path().join("same.yaml");
    std::fs::write(&yaml, &edited).unwrap();
    let serve = Serve::start(&[yaml.to_str().unwrap()]);
    let answer = serve.get("/api/render", "");
    let body = &answer[answer.find("\r\n\r\n").unwrap() + 4..];
    let json: serde_json::Value = serde_json::from_str(body).unwrap();
    let origins = json["origins"].as_array().unwrap();
    let traced: Vec<(String, String)> = json["pages"][0]["runs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r[4].as_str().unwrap().trim() == same)
        .map(|r| {
            let o = &origins[r[5].as_u64().unwrap() as usize];
            (
                o["path"].as_str().unwrap().to_string(),
                o["line"].to_string(),
            )
        })
        .take(2)
        .collect();
    let line =
        |key: &str| (edited.lines().position(|l| l.starts_with(key)).unwrap() + 1).to_string();
    assert_eq!(
        traced,
        [
            ("title".to_string(), line("title:")),
            ("subtitle".to_string(), line("subtitle:"))
        ]
    );
}

/// The JSON body of a GET, with the token.
fn body(serve: &Serve, path: &str) -> serde_json::Value {
    let answer = serve.get(path, "");
    serde_json::from_str(&answer[answer.find("\r\n\r\n").unwrap() + 4..]).unwrap()
}

/// Waits until the overview's generation passes `seen`.
fn next_generation(serve: &Serve, seen: u64) -> serde_json::Value {
    for _ in 0..500 {
        let o = body(serve, "/api/overview");
        if o["generation"].as_u64().unwrap() > seen {
            return o;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    panic!("the server never read the change");
}

#[test]
fn one_broken_file_shows_its_own_error_and_the_others_still_draw() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.yaml");
    let b = dir.path().join("b.yaml");
    std::fs::copy(root().join(SEED), &a).unwrap();
    std::fs::copy(fixture("three-options.yaml"), &b).unwrap();
    let mut serve = Serve::start(&[dir.path().to_str().unwrap()]);
    let seen = body(&serve, "/api/overview")["generation"]
        .as_u64()
        .unwrap();

    std::fs::write(&b, "title: [unclosed\n").unwrap();
    let overview = next_generation(&serve, seen);
    assert!(
        overview["errors"].as_array().unwrap().is_empty(),
        "{overview}"
    );
    let files = overview["files"].as_array().unwrap();
    assert_eq!(files.len(), 2, "{overview}");
    assert_eq!(files[1]["title"], "(has errors)");
    let good = body(&serve, "/api/render?file=0");
    assert!(
        good["pages"].as_array().is_some_and(|p| !p.is_empty()),
        "{good}"
    );
    let broken = body(&serve, "/api/render?file=1");
    let errors = broken["errors"].to_string();
    assert!(
        errors.contains("b.yaml:2:1") && errors.contains("invalid YAML"),
        "{errors}"
    );

    // Every file gone: one error, said once.
    let seen = overview["generation"].as_u64().unwrap();
    std::fs::remove_file(&a).unwrap();
    std::fs::remove_file(&b).unwrap();
    let mut overview = next_generation(&serve, seen);
    while overview["errors"].to_string().contains("b.yaml") {
        let seen = overview["generation"].as_u64().unwrap();
        overview = next_generation(&serve, seen);
    }
    let errors = overview["errors"].to_string();
    assert!(errors.contains("no content files found"), "{errors}");
    assert!(!errors.contains("error: error:"), "{errors}");

    // SIGTERM: said plainly, with nothing about files.
    unsafe { libc::kill(serve.child.id() as i32, libc::SIGTERM) };
    let status = serve.child.wait().unwrap();
    assert_eq!(status.code(), Some(143));
    let mut err = String::new();
    serve
        .child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(
        err.contains("stopped by sigterm") && !err.contains("files"),
        "{err}"
    );
}

/// Connections beyond 256 at once are answered 503 and dropped; once the
/// others close, the server answers again.
#[test]
fn connections_past_the_limit_are_refused_and_counted_off_when_closed() {
    let serve = Serve::start(&[SEED]);
    let idle: Vec<std::net::TcpStream> = (0..256)
        .map(|_| std::net::TcpStream::connect(("127.0.0.1", serve.port)).unwrap())
        .collect();
    // Each is counted once its thread starts; give them a moment.
    let mut refused = String::new();
    for _ in 0..100 {
        refused = serve.get("/api/overview", "");
        if status(&refused) == 503 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(status(&refused), 503, "{refused}");
    drop(idle);
    let mut answered = 0;
    for _ in 0..100 {
        answered = status(&serve.get("/api/overview", ""));
        if answered == 200 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(answered, 200);
}
