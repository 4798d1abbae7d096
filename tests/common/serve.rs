//! A running `handout serve` for the tests, and raw requests to it.

use std::io::{BufRead, Read, Write};
use std::process::{Child, Command, Stdio};

use super::root;

/// A running `handout serve`, stopped when dropped.
pub struct Serve {
    pub child: Child,
    /// The address it printed, with its token.
    pub url: String,
    pub port: u16,
    pub token: String,
}

impl Serve {
    pub fn start(args: &[&str]) -> Self {
        Self::start_in(&root(), args)
    }

    /// A server started in `dir`, as staff start it in their project folder.
    pub fn start_in(dir: &std::path::Path, args: &[&str]) -> Self {
        Self::start_with(dir, args, &[])
    }

    /// A server started in `dir` with `env` set, as for a campaign's login.
    pub fn start_with(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_handout"))
            .current_dir(dir)
            .envs(env.iter().copied())
            .arg("serve")
            .args(["--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .strip_prefix("previewing at ")
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("serve did not start: {line:?}"))
            .to_string();
        let port = url
            .split('?')
            .next()
            .unwrap()
            .trim_end_matches('/')
            .rsplit(':')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let token = url
            .split_once("?token=")
            .map(|(_, t)| t.to_string())
            .unwrap_or_default();
        Self {
            child,
            url,
            port,
            token,
        }
    }

    /// What the server printed, once it is stopped: stdout after the
    /// first line, and stderr.
    pub fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut out = String::new();
        if let Some(mut e) = self.child.stderr.take() {
            let _ = e.read_to_string(&mut out);
        }
        out
    }

    /// The raw answer to a request written by hand, as an attacker would.
    pub fn raw(&self, request: &str) -> String {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        // A server that refuses a request may close before reading all of it.
        let _ = s.write_all(request.as_bytes());
        // Pictures are not text: read bytes, and show them as text.
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out);
        String::from_utf8_lossy(&out).into_owned()
    }

    /// A GET of `path` with the token and this server's own Host, as the
    /// page asks; `extra` adds header lines.
    pub fn get(&self, path: &str, extra: &str) -> String {
        let sep = if path.contains('?') { '&' } else { '?' };
        self.raw(&format!(
            "GET {path}{sep}token={} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n{extra}Connection: close\r\n\r\n",
            self.token, self.port
        ))
    }

    /// A POST of a JSON `body` to `path` from this server's own Host, with
    /// `extra` header lines (the token among them, or not).
    pub fn post(&self, path: &str, body: &str, extra: &str) -> String {
        self.raw(&format!(
            "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n{body}",
            self.port,
            body.len()
        ))
    }

    /// The header line that carries the token.
    pub fn token_header(&self) -> String {
        format!("X-Handout-Token: {}\r\n", self.token)
    }

    /// The job the page started last (`GET /api/runs`), as JSON.
    pub fn job(&self) -> serde_json::Value {
        body_json(&self.get("/api/runs", ""))["job"].clone()
    }

    /// Waits for the page's job to end; its last state.
    pub fn job_ended(&self) -> serde_json::Value {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(300);
        loop {
            let job = self.job();
            if job["state"] != "running" {
                return job;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the job did not end: {job}"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    /// Resident memory of the server, in bytes (Linux).
    pub fn rss(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let kb: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap();
        kb * 1024
    }
}

/// The JSON body of a raw HTTP answer.
pub fn body_json(answer: &str) -> serde_json::Value {
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
    serde_json::from_str(body).unwrap_or_else(|_| panic!("not JSON: {answer}"))
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
