//! A WebDriver session with headless Chromium through ChromeDriver, both
//! from Debian (`scripts/install-chromium`). Scripts run in the page do
//! the looking; clicks are real clicks.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// Chromium's arguments for running headless here: no window, no GPU and
/// no calls home, which this machine's closed network would refuse.
pub const HEADLESS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

pub struct Browser {
    driver: Child,
    base: String,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// None when ChromeDriver is not installed.
    pub fn start() -> Option<Self> {
        Self::start_with(&[])
    }

    /// With Chromium arguments besides the usual ones, such as
    /// `--blink-settings=imagesEnabled=false`.
    pub fn start_with(extra: &[&str]) -> Option<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let base = format!("http://127.0.0.1:{port}");
        let profile = tempfile::tempdir().unwrap();
        let mut args: Vec<String> = HEADLESS
            .iter()
            .chain(&["--window-size=1300,1000"])
            .chain(extra)
            .map(|a| a.to_string())
            .collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": on_path(&super::chromium()?)?.to_string_lossy(),
                "args": args
            }
        }}});
        let deadline = Instant::now() + Duration::from_secs(20);
        let session = loop {
            match post(&format!("{base}/session"), &caps) {
                Ok(v) => break v["sessionId"].as_str().unwrap().to_string(),
                Err(e) if Instant::now() > deadline => panic!("ChromeDriver did not start: {e}"),
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        };
        Some(Self {
            driver,
            base: format!("{base}/session/{session}"),
            _profile: profile,
        })
    }

    /// Sets the window's size in CSS pixels.
    pub fn resize(&self, width: u32, height: u32) {
        post(
            &format!("{}/window/rect", self.base),
            &json!({ "width": width, "height": height }),
        )
        .unwrap();
    }

    pub fn open(&self, url: &str) {
        post(&format!("{}/url", self.base), &json!({ "url": url })).unwrap();
    }

    /// Runs `script` (a function body; `arguments` as usual) in the page.
    pub fn run(&self, script: &str, args: Value) -> Value {
        post(
            &format!("{}/execute/sync", self.base),
            &json!({"script": script, "args": args}),
        )
        .unwrap_or_else(|e| panic!("{e}\n{script}"))
    }

    /// Polls `script` until it returns something truthy, for up to 30 s.
    pub fn wait_for(&self, what: &str, script: &str, args: Value) -> Value {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let v = self.run(script, args.clone());
            let truthy = !(v.is_null() || v == json!(false) || v == json!("") || v == json!(0));
            if truthy {
                return v;
            }
            if Instant::now() > deadline {
                let page = self.run(
                    "return [document.getElementById('status')?.textContent, document.body.dataset.state, location.href, JSON.stringify(window.handoutDrawn), [...document.querySelectorAll('.page img')].map(i => [i.complete, i.naturalWidth])]",
                    json!([]),
                );
                panic!("waited 30 s for {what}; the page: {page}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Clicks the element `css` finds, as a person would.
    pub fn click(&self, css: &str) {
        let found = post(
            &format!("{}/element", self.base),
            &json!({"using": "css selector", "value": css}),
        )
        .unwrap_or_else(|e| panic!("no element {css}: {e}"));
        let id = found
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap()
            .to_string();
        post(&format!("{}/element/{id}/click", self.base), &json!({})).unwrap();
    }

    /// Clicks `css` as `click` does; false when the element is gone or was
    /// replaced meanwhile (a page that redrew), for the caller to find it
    /// again.
    pub fn try_click(&self, css: &str) -> bool {
        let Ok(found) = post(
            &format!("{}/element", self.base),
            &json!({"using": "css selector", "value": css}),
        ) else {
            return false;
        };
        let Some(id) = found
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
        else {
            return false;
        };
        post(&format!("{}/element/{id}/click", self.base), &json!({})).is_ok()
    }

    /// Clears the field `css` finds and types `text` into it, as a person
    /// would (WebDriver key codes such as Control are `\u{E009}`).
    pub fn type_into(&self, css: &str, clear: bool, text: &str) {
        let id = self.element(css);
        if clear {
            post(&format!("{}/element/{id}/clear", self.base), &json!({})).unwrap();
        }
        post(
            &format!("{}/element/{id}/value", self.base),
            &json!({ "text": text }),
        )
        .unwrap();
    }

    fn element(&self, css: &str) -> String {
        let found = post(
            &format!("{}/element", self.base),
            &json!({"using": "css selector", "value": css}),
        )
        .unwrap_or_else(|e| panic!("no element {css}: {e}"));
        found
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap()
            .to_string()
    }

    /// A PNG of the window.
    pub fn screenshot(&self) -> Vec<u8> {
        use base64::Engine;
        let v: Value = ureq::get(&format!("{}/screenshot", self.base))
            .call()
            .unwrap()
            .body_mut()
            .read_json()
            .unwrap();
        base64::engine::general_purpose::STANDARD
            .decode(v["value"].as_str().unwrap())
            .unwrap()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = ureq::delete(&self.base).call();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// The absolute path of a program found on PATH.
fn on_path(name: &std::path::Path) -> Option<std::path::PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

fn post(url: &str, body: &Value) -> Result<Value, String> {
    let mut response = ureq::post(url)
        .config()
        .http_status_as_error(false)
        .build()
        .send_json(body)
        .map_err(|e| e.to_string())?;
    let status = response.status();
    let v: Value = response.body_mut().read_json().map_err(|e| e.to_string())?;
    if status.is_success() {
        Ok(v["value"].clone())
    } else {
        Err(format!("{status}: {}", v["value"]))
    }
}
