//! Headless Chromium through `chromedriver`, driven with fantoccini. What is ours: starting the
//! two programs with the flags this closed network needs, waiting for elements by CSS selector,
//! and reading the browser console, which standard WebDriver does not expose.
use std::ops::Deref;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::wd::{Capabilities, WebDriverCompatibleCommand};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use reqwest::{Method, Url};
use serde_json::json;

/// How long `find` waits for an element to appear.
const FIND_WAIT: Duration = Duration::from_secs(5);

/// Debian's `chromium` and `chromedriver`, if both are installed. Without them a browser test
/// says so and passes, so `cargo test` works anywhere; `.ci/run` installs both and sets
/// `THREADWISE_E2E_REQUIRED=1`, which turns their absence into a failure.
pub fn programs_or_skip(test: &str) -> Option<(PathBuf, PathBuf)> {
    let chromium = which::which("chromium").or_else(|_| which::which("chromium-browser"));
    let found = chromium.ok().zip(which::which("chromedriver").ok());
    if found.is_none() {
        assert!(
            std::env::var_os("THREADWISE_E2E_REQUIRED").is_none(),
            "THREADWISE_E2E_REQUIRED is set but chromium or chromedriver is missing"
        );
        eprintln!("SKIPPED {test}: install Debian's chromium and chromium-driver (.ci/run does)");
    }
    found
}

/// Where the browser tests save their screenshots: `target/e2e/`.
pub fn screenshots_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/e2e");
    std::fs::create_dir_all(&dir).expect("target/e2e can be created");
    dir
}

/// One Chromium session; `close` ends it. If a failing test never gets there, dropping this
/// kills chromedriver's whole process group, Chromium included.
pub struct Chrome {
    client: Client,
    chromedriver: Child,
    _profile: tempfile::TempDir,
}

impl Deref for Chrome {
    type Target = Client;

    fn deref(&self) -> &Client {
        &self.client
    }
}

impl Chrome {
    pub async fn start(chromium: &Path, chromedriver: &Path) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let profile = tempfile::tempdir().expect("a temporary profile directory");
        // No background connections to Google's hosts: this network is closed.
        let args = [
            "--headless".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--window-size=1280,1000".to_owned(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": chromium, "args": args },
            "goog:loggingPrefs": { "browser": "ALL" },
        });
        let capabilities: Capabilities =
            serde_json::from_value(capabilities).expect("the capabilities are a JSON object");
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        let client = loop {
            let connected = ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities.clone())
                .connect(&url)
                .await;
            match connected {
                Ok(client) => break client,
                Err(_) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(error) => panic!("chromedriver did not come up: {error}"),
            }
        };
        Self {
            client,
            chromedriver: child,
            _profile: profile,
        }
    }

    /// The first element matching a CSS selector, waiting for it to appear.
    pub async fn find(&self, css: &str) -> Element {
        let found = self
            .client
            .wait()
            .at_most(FIND_WAIT)
            .for_element(Locator::Css(css))
            .await;
        match found {
            Ok(element) => element,
            Err(error) => {
                let url = self.client.current_url().await.map(|u| u.to_string());
                let title = self.client.title().await;
                panic!("no element matches {css:?} ({error}) on {url:?}, titled {title:?}")
            }
        }
    }

    /// Waits for the page's source to contain `needle`: after a click that reloads the same
    /// page, elements of the old one still match every selector.
    pub async fn wait_for_source(&self, needle: &str) {
        let deadline = Instant::now() + FIND_WAIT;
        while !self.source().await.contains(needle) {
            assert!(
                Instant::now() < deadline,
                "no {needle:?} on {}",
                self.current_url().await
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Types into the first field matching `css`.
    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        field
            .send_keys(text)
            .await
            .expect("the field takes the text");
    }

    pub async fn click(&self, css: &str) {
        let element = self.find(css).await;
        element.click().await.expect("the element takes the click");
    }

    /// The rendered text of the first element matching `css`.
    pub async fn text(&self, css: &str) -> String {
        let element = self.find(css).await;
        element.text().await.expect("the element's text")
    }

    /// The current value of the first form field matching `css`.
    pub async fn value(&self, css: &str) -> String {
        let field = self.find(css).await;
        let value = field.prop("value").await.expect("the field's value");
        value.unwrap_or_default()
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.expect("the page loads");
    }

    pub async fn current_url(&self) -> String {
        self.client.current_url().await.expect("a URL").to_string()
    }

    pub async fn source(&self) -> String {
        self.client.source().await.expect("the page source")
    }

    /// Saves a PNG of the viewport.
    pub async fn screenshot(&self, path: &Path) {
        let png = self.client.screenshot().await.expect("a screenshot");
        std::fs::write(path, png).expect("the screenshot is written");
    }

    /// The browser console's messages since the last call (CSP violations land here).
    pub async fn console(&self) -> Vec<String> {
        let logs = self
            .client
            .issue_cmd(BrowserLog)
            .await
            .expect("chromedriver returns the browser log");
        logs.as_array()
            .map(|entries| {
                entries
                    .iter()
                    .map(|e| e["message"].as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Ends the session, which closes Chromium.
    pub async fn close(self) {
        self.client.clone().close().await.expect("the session ends");
    }
}

impl Drop for Chrome {
    fn drop(&mut self) {
        // The process group holds chromedriver and the Chromium it started.
        let group = format!("-{}", self.chromedriver.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.chromedriver.wait();
    }
}

/// chromedriver's (non-standard) `POST /session/{id}/se/log` for the browser console.
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(&self, base: &Url, session: Option<&str>) -> Result<Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &Url) -> (Method, Option<String>) {
        (Method::POST, Some(json!({ "type": "browser" }).to_string()))
    }
}
