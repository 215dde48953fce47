//! End to end in Chromium: the browser preview (`src/bin/preview.rs`) against a real Kratos,
//! driven over WebDriver through Debian's chromedriver. Every wait polls a condition up to a
//! deadline; every process is killed when its owner is dropped (also on panic).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, OnceLock};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use kratos_mobile::auth::Outcome;
use serde_json::{json, Value};

use crate::diagnostics::{lan_url, localhost_base_url_kratos};
use crate::kratos::{self, free_port, repo, shared, temp_dir, unique_email, Kratos, Options};
use crate::support::{manager, register, PASSWORD};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";
/// How long any one thing may take to show up (generous: two cores, tests in parallel).
const WAIT: Duration = Duration::from_secs(30);

// ---------------------------------------------------------------------------------------------
// Paths

/// `target/<profile>` of this test binary (`target/debug/deps/integration-*` → `target/debug`).
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    exe.parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| repo().join("target/debug"))
}

/// The preview binary: `PREVIEW_BIN`, else the one cargo built beside this test binary
/// (`cargo test --features preview` builds it, fresh), else `target/<profile>/preview`. The run
/// fails (never skips) when it is missing.
fn preview_bin() -> PathBuf {
    let bin = std::env::var_os("PREVIEW_BIN")
        .map(PathBuf::from)
        .or_else(|| option_env!("CARGO_BIN_EXE_preview").map(PathBuf::from))
        .unwrap_or_else(|| profile_dir().join("preview"));
    assert!(
        bin.exists(),
        "preview binary not found at {}: run the tests with `cargo test --features preview` \
         (scripts/test.sh does), or point PREVIEW_BIN at it",
        bin.display()
    );
    bin
}

fn screenshot_dir() -> PathBuf {
    let dir = profile_dir()
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| repo().join("target"))
        .join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

// ---------------------------------------------------------------------------------------------
// The preview server

/// A running preview, killed when dropped.
struct Preview {
    child: Child,
    /// `http://127.0.0.1:<port>`, as the preview printed it.
    url: String,
    log: PathBuf,
}

impl Preview {
    fn start(kratos: &Kratos) -> Preview {
        Preview::start_with(Some(&kratos.public_url()), None)
    }

    /// A preview with `KRATOS_URL` (or none: the server comes from the settings file or the
    /// default) and a settings file (`KRATOS_MOBILE_SETTINGS`).
    fn start_with(kratos_url: Option<&str>, settings: Option<&Path>) -> Preview {
        let bin = preview_bin();
        let log = temp_dir("preview").join("preview.log");
        let mut cmd = Command::new(&bin);
        match kratos_url {
            Some(url) => cmd.env("KRATOS_URL", url),
            None => cmd.env_remove("KRATOS_URL"),
        };
        match settings {
            Some(path) => cmd.env("KRATOS_MOBILE_SETTINGS", path),
            None => cmd.env_remove("KRATOS_MOBILE_SETTINGS"),
        };
        cmd.env("PREVIEW_PORT", "0")
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap());
        let mut child = kratos::spawn(cmd)
            .unwrap_or_else(|e| panic!("cannot start the preview {}: {e}", bin.display()));

        // A thread reads stdout for as long as the preview runs (so it never blocks on a full
        // pipe) and hands the lines over while we are listening.
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel::<String>();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let _ = tx.send(line);
            }
        });

        let deadline = Instant::now() + WAIT;
        let url = loop {
            match rx.recv_timeout(Duration::from_millis(100)) {
                Ok(line) => {
                    if let Some(url) = line.strip_prefix("preview listening on ") {
                        break url.trim().to_string();
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    let status = child.wait().unwrap();
                    panic!(
                        "the preview exited ({status}) before printing its address; its log:\n{}",
                        tail(&log, 30)
                    );
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
            }
            if let Some(status) = child.try_wait().unwrap() {
                panic!(
                    "the preview exited ({status}) before printing its address; its log:\n{}",
                    tail(&log, 30)
                );
            }
            assert!(
                Instant::now() < deadline,
                "the preview printed no `preview listening on …` line within {WAIT:?}; its log:\n{}",
                tail(&log, 30)
            );
        };
        assert!(
            url.starts_with("http://127.0.0.1:"),
            "the preview must serve on 127.0.0.1 only, it printed {url}"
        );
        Preview { child, url, log }
    }
}

impl Drop for Preview {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One preview against the shared Kratos, for the tests that need nothing special. Each browser
/// gets its own tab, so its own VirtualDom and token store: the tests don't see each other.
fn shared_preview() -> &'static Preview {
    static PREVIEW: OnceLock<Preview> = OnceLock::new();
    PREVIEW.get_or_init(|| Preview::start(shared()))
}

// ---------------------------------------------------------------------------------------------
// Chromium over WebDriver

/// One chromedriver with one headless Chromium on a fresh profile. chromedriver runs in its own
/// process group, which Chromium and its helpers join: dropping kills the whole group.
struct Browser {
    client: Client,
    driver: Child,
    profile: PathBuf,
    base: String,
    preview_log: PathBuf,
    name: &'static str,
}

impl Browser {
    async fn open(preview: &Preview, name: &'static str) -> Browser {
        assert!(
            Path::new(CHROMEDRIVER).exists() && Path::new(CHROMIUM).exists(),
            "{CHROMEDRIVER} or {CHROMIUM} missing: apt-get install -y chromium chromium-driver"
        );
        let profile = temp_dir("chromium");
        let (driver, port) = start_chromedriver(&profile);
        let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--window-size=420,860",
                    format!("--user-data-dir={}", profile.join("user-data").display()),
                ],
                // A headless window is at least 500 px wide and its 860 px include the browser's
                // own frame; the emulated viewport is exactly the phone-sized 420 × 860.
                "mobileEmulation": {
                    "deviceMetrics": { "width": 420, "height": 860, "pixelRatio": 1.0, "touch": false },
                },
            },
        });
        let Value::Object(caps) = caps else {
            unreachable!()
        };
        let connected =
            ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(caps)
                .connect(&format!("http://127.0.0.1:{port}"))
                .await;
        let mut driver = driver;
        let client = match connected {
            Ok(client) => client,
            Err(e) => {
                kill_group(&mut driver);
                panic!(
                    "chromedriver could not start Chromium: {e}\nchromedriver log:\n{}",
                    tail(&profile.join("chromedriver.log"), 30)
                );
            }
        };
        Browser {
            client,
            driver,
            profile,
            base: preview.url.clone(),
            preview_log: preview.log.clone(),
            name,
        }
    }

    /// Opens a path of the preview and waits for the app to be on screen.
    async fn goto(&self, path: &str) {
        let url = format!("{}{path}", self.base);
        if let Err(e) = self.client.goto(&url).await {
            panic!("{}", self.failure(&format!("cannot open {url}: {e}")).await);
        }
        self.wait_visible("[data-testid=\"app\"]").await;
    }

    /// Everything one needs to see why a wait failed: screenshot, URL, the page's text, logs.
    async fn diagnose(&self) -> String {
        let shot = screenshot_dir().join(format!("failure-{}.png", self.name));
        let saved = match self.client.screenshot().await {
            Ok(png) => std::fs::write(&shot, png)
                .map(|_| shot.display().to_string())
                .unwrap_or_default(),
            Err(e) => format!("(no screenshot: {e})"),
        };
        let url = self
            .client
            .current_url()
            .await
            .map(|u| u.to_string())
            .unwrap_or_default();
        let text = self
            .client
            .execute(
                "return document.body ? document.body.innerText : ''",
                vec![],
            )
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let html = self
            .client
            .execute(
                "const m = document.getElementById('main'); return m ? m.innerHTML : ''",
                vec![],
            )
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let html: String = html.chars().take(4000).collect();
        format!(
            "\n  url: {url}\n  screenshot: {saved}\n  page text:\n{text}\n  #main html (first 4000 chars):\n{html}\n  preview log (tail):\n{}",
            tail(&self.preview_log, 20)
        )
    }

    /// A failure message with the diagnosis appended: `panic!("{}", b.failure(..).await)`.
    async fn failure(&self, what: &str) -> String {
        format!("{what}{}", self.diagnose().await)
    }

    /// Polls `script` (a function body returning a value) until it returns something truthy.
    async fn wait_js(&self, what: &str, script: &str, args: Vec<Value>) -> Value {
        let deadline = Instant::now() + WAIT;
        loop {
            match self.client.execute(script, args.clone()).await {
                Ok(v) if truthy(&v) => return v,
                Ok(_) => {}
                Err(e) => panic!(
                    "{}",
                    self.failure(&format!("script for {what:?} failed: {e}"))
                        .await
                ),
            }
            if Instant::now() >= deadline {
                panic!(
                    "{}",
                    self.failure(&format!("timed out after {WAIT:?} waiting for {what}"))
                        .await
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until an element matching `css` is present and rendered (not `display: none`).
    async fn wait_visible(&self, css: &str) -> Element {
        let script = "const e = document.querySelector(arguments[0]); \
                      return !!(e && e.getClientRects().length > 0);";
        self.wait_js(&format!("{css} to be visible"), script, vec![json!(css)])
            .await;
        match self.client.find(Locator::Css(css)).await {
            Ok(e) => e,
            Err(e) => panic!(
                "{}",
                self.failure(&format!("{css} was visible but cannot be found: {e}"))
                    .await
            ),
        }
    }

    /// Waits until `css` is visible and enabled, then clicks it.
    async fn click(&self, css: &str) {
        let script = "const e = document.querySelector(arguments[0]); \
                      return !!(e && e.getClientRects().length > 0 && !e.disabled);";
        self.wait_js(&format!("{css} to be clickable"), script, vec![json!(css)])
            .await;
        let el = self.wait_visible(css).await;
        if let Err(e) = el.click().await {
            panic!(
                "{}",
                self.failure(&format!("clicking {css} failed: {e}")).await
            );
        }
    }

    /// Waits for the input `data-testid=<testid>` to be enabled, then types `text` into it.
    async fn type_into(&self, testid: &str, text: &str) -> Element {
        let css = testid_css(testid);
        let script = "const e = document.querySelector(arguments[0]); \
                      return !!(e && e.getClientRects().length > 0 && !e.disabled);";
        self.wait_js(&format!("{css} to take input"), script, vec![json!(css)])
            .await;
        let el = self.wait_visible(&css).await;
        if let Err(e) = el.send_keys(text).await {
            panic!(
                "{}",
                self.failure(&format!("typing into {css} failed: {e}"))
                    .await
            );
        }
        el
    }

    /// The live `.value` of an input, read in the page.
    async fn value_of(&self, testid: &str) -> String {
        let css = testid_css(testid);
        match self
            .client
            .execute(
                "const e = document.querySelector(arguments[0]); return e ? e.value : null;",
                vec![json!(css)],
            )
            .await
        {
            Ok(Value::String(s)) => s,
            other => panic!(
                "{}",
                self.failure(&format!("cannot read the value of {css}: {other:?}"))
                    .await
            ),
        }
    }

    /// Waits until the text of `css` contains `needle`; returns the whole text.
    async fn wait_text(&self, css: &str, needle: &str) -> String {
        let script = "const e = document.querySelector(arguments[0]); \
                      return e && e.getClientRects().length > 0 && e.innerText.includes(arguments[1]) ? e.innerText : null;";
        let v = self
            .wait_js(
                &format!("{css} to show {needle:?}"),
                script,
                vec![json!(css), json!(needle)],
            )
            .await;
        v.as_str().unwrap_or_default().to_string()
    }

    /// Waits until the browser's path is `path`.
    async fn wait_path(&self, path: &str) {
        self.wait_js(
            &format!("the URL path to become {path}"),
            "return location.pathname === arguments[0];",
            vec![json!(path)],
        )
        .await;
    }

    async fn url(&self) -> String {
        match self.client.current_url().await {
            Ok(u) => u.to_string(),
            Err(e) => panic!(
                "{}",
                self.failure(&format!("cannot read the URL: {e}")).await
            ),
        }
    }

    async fn exists(&self, css: &str) -> bool {
        self.client
            .execute(
                "return !!document.querySelector(arguments[0]);",
                vec![json!(css)],
            )
            .await
            .map(|v| truthy(&v))
            .unwrap_or(false)
    }

    async fn screenshot(&self, file: &str) -> PathBuf {
        let path = screenshot_dir().join(file);
        match self.client.screenshot().await {
            Ok(png) => std::fs::write(&path, png).unwrap(),
            Err(e) => panic!("{}", self.failure(&format!("screenshot failed: {e}")).await),
        }
        path
    }

    async fn sign_in(&self, identifier: &str, password: &str) {
        self.type_into("identifier", identifier).await;
        self.type_into("password", password).await;
        self.click(&submit("password")).await;
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        kill_group(&mut self.driver);
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

fn start_chromedriver(dir: &Path) -> (Child, u16) {
    let log = dir.join("chromedriver.log");
    for _attempt in 0..3 {
        let port = free_port();
        let mut cmd = Command::new(CHROMEDRIVER);
        cmd.arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        let mut child = kratos::spawn(cmd).expect("start chromedriver");
        let deadline = Instant::now() + WAIT;
        loop {
            if child.try_wait().unwrap().is_some() {
                break; // the port was taken in between: try another
            }
            if chromedriver_ready(port) {
                return (child, port);
            }
            if Instant::now() >= deadline {
                kill_group(&mut child);
                panic!(
                    "chromedriver not ready within {WAIT:?}:\n{}",
                    tail(&log, 30)
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    panic!(
        "chromedriver exited three times on start:\n{}",
        tail(&log, 30)
    );
}

/// `GET /status` answers 200. Only the status line is read: chromedriver keeps the connection
/// open after its answer, whatever `Connection: close` says.
fn chromedriver_ready(port: u16) -> bool {
    use std::io::Write;
    let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    if write!(
        stream,
        "GET /status HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .is_err()
    {
        return false;
    }
    let mut line = String::new();
    BufReader::new(stream).read_line(&mut line).is_ok()
        && line.split_whitespace().nth(1) == Some("200")
}

/// Kills chromedriver and everything in its process group (Chromium and its helpers).
fn kill_group(child: &mut Child) {
    let pgid = child.id() as libc::pid_t;
    unsafe {
        libc::kill(-pgid, libc::SIGKILL);
    }
    let _ = child.kill();
    let _ = child.wait();
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::String(s) => !s.is_empty(),
        Value::Number(n) => n.as_f64() != Some(0.0),
        _ => true,
    }
}

fn testid_css(testid: &str) -> String {
    format!("[data-testid=\"{testid}\"]")
}

/// The submit button of the group `method` (STYLE.md: wrapper `field/method/<value>`).
fn submit(method: &str) -> String {
    format!("[data-testid=\"field/method/{method}\"] [data-testid=\"submit-form\"]")
}

/// The longest run of letters and digits: a masked token has only short ones.
fn longest_alnum_run(s: &str) -> usize {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .map(str::len)
        .max()
        .unwrap_or(0)
}

/// POSTs to `/self-service/registration` that Kratos logged.
fn registration_posts(k: &Kratos) -> usize {
    std::fs::read_to_string(k.dir.join("kratos.log"))
        .unwrap_or_default()
        .lines()
        .filter(|l| {
            // Kratos' text log: `... msg=started handling request http_request=map[... method:POST
            // path:/self-service/registration query:...]` (the flow start is `/registration/api`).
            l.contains("msg=started handling request")
                && l.contains(" method:POST path:/self-service/registration ")
        })
        .count()
}

// ---------------------------------------------------------------------------------------------
// The stories

#[tokio::test]
async fn registers_then_home_shows_the_email_then_logout_then_signs_in_again() {
    let b = Browser::open(shared_preview(), "register-logout-login").await;
    let email = unique_email();

    // Signed out, Home sends us to Login.
    b.goto("/").await;
    b.wait_path("/login").await;
    b.wait_visible(&testid_css("identifier")).await;
    b.wait_visible(&submit("password")).await;
    let shot = b.screenshot("preview-login.png").await;
    eprintln!("saved {}", shot.display());

    // Login → Registration: first the traits, then the password.
    b.click(&testid_css("link-registration")).await;
    b.wait_path("/registration").await;
    b.type_into("traits.email", &email).await;
    b.click(&submit("profile")).await;
    b.type_into("password", PASSWORD).await;
    b.click(&submit("password")).await;

    // Home shows who is signed in, and only a masked token.
    b.wait_text(&testid_css("session-content"), &email).await;
    b.wait_path("/").await;
    let token = b.wait_text(&testid_css("session-token"), "").await;
    assert!(
        !token.trim().is_empty() && longest_alnum_run(&token) < 8,
        "the session token must be shown masked, Home shows {token:?}"
    );
    let shot = b.screenshot("preview-home.png").await;
    eprintln!("saved {}", shot.display());

    // Logout → Login → Home again.
    b.click(&testid_css("logout")).await;
    b.wait_path("/login").await;
    b.sign_in(&email, PASSWORD).await;
    b.wait_text(&testid_css("session-content"), &email).await;
    b.wait_path("/").await;
}

#[tokio::test]
async fn a_wrong_password_shows_kratos_message() {
    let k = shared();
    let email = unique_email();
    register(&manager(k), &email).await;

    let b = Browser::open(shared_preview(), "wrong-password").await;
    b.goto("/login").await;
    b.sign_in(&email, "not-the-password-at-all").await;
    b.wait_visible("[data-testid=\"form-messages\"] [data-testid=\"ui/message/4000006\"]")
        .await;
    assert!(
        !b.exists(&testid_css("session-content")).await,
        "a wrong password must not sign in"
    );
    b.wait_path("/login").await;
}

#[tokio::test]
async fn an_empty_email_shows_the_field_message() {
    // Its own Kratos, so that its log shows every registration request this test caused.
    let k = Kratos::start(Options::default());
    let preview = Preview::start(&k);
    let b = Browser::open(&preview, "empty-email").await;

    b.goto("/registration").await;
    b.wait_visible(&testid_css("traits.email")).await;
    b.click(&submit("profile")).await;
    b.wait_visible("[data-testid=\"field/traits.email\"] [data-testid=\"ui/message/client\"]")
        .await;
    assert!(
        !b.exists("[data-testid^=\"ui/message/4\"]").await,
        "the message must come from the app's own check, not from Kratos"
    );
    assert!(
        !b.exists(&testid_css("password")).await && b.exists(&submit("profile")).await,
        "an empty email must keep the first registration screen"
    );
    assert_eq!(
        registration_posts(&k),
        0,
        "an empty email must not send a request to Kratos; its log:\n{}",
        k.log_tail()
    );

    // The count above is real: a filled-in email does reach Kratos.
    b.type_into("traits.email", &unique_email()).await;
    b.click(&submit("profile")).await;
    b.wait_visible(&testid_css("password")).await;
    assert!(
        registration_posts(&k) >= 1,
        "the first screen's submit should have reached Kratos; its log:\n{}",
        k.log_tail()
    );
}

/// The URL holds no form data — no query string, no fragment, none of the values typed — and the
/// page is the same document it was (a native form submission would load a new one, dropping the
/// marker `window.__noNavigation`).
///
/// Dioxus liveview 0.7.10 itself rewrites the URL on connect to `pathname + "?" + search + "#" +
/// hash` (`dioxus-liveview/src/history.rs`), so a bare `/login?#` is the framework's, not a
/// submission's: the check is on the parsed query and fragment, which must be empty.
async fn assert_no_form_data_in_url(b: &Browser, step: &str, typed: &[&str]) {
    let raw = b.url().await;
    let url = url::Url::parse(&raw).unwrap();
    assert!(
        url.query().unwrap_or_default().is_empty() && url.fragment().unwrap_or_default().is_empty(),
        "after {step} the URL carries a query or fragment: {raw}"
    );
    for value in typed {
        let encoded: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
        assert!(
            !raw.contains(value) && !raw.contains(&encoded),
            "after {step} the URL carries a typed value ({value:?}): {raw}"
        );
    }
    let marker = b
        .client
        .execute("return window.__noNavigation === true;", vec![])
        .await
        .unwrap();
    assert_eq!(
        marker,
        json!(true),
        "after {step} the page was reloaded (a native form submit?), URL {raw}"
    );
}

#[tokio::test]
async fn no_field_ever_reaches_the_url() {
    const WRONG: &str = "a-wrong-password-typed-here";
    let b = Browser::open(shared_preview(), "no-field-in-url").await;
    let email = unique_email();
    b.goto("/registration").await;
    b.client
        .execute("window.__noNavigation = true;", vec![])
        .await
        .unwrap();
    b.type_into("traits.email", &email).await;
    b.click(&submit("profile")).await;
    b.wait_visible(&testid_css("password")).await;
    assert_no_form_data_in_url(&b, "the first registration screen's submit", &[&email]).await;

    // Enter in the password field submits the second screen.
    let enter = format!("{PASSWORD}{}", char::from(Key::Enter));
    b.type_into("password", &enter).await;
    b.wait_text(&testid_css("session-content"), &email).await;
    assert_no_form_data_in_url(
        &b,
        "Enter in the registration password",
        &[&email, PASSWORD],
    )
    .await;

    b.click(&testid_css("logout")).await;
    b.wait_path("/login").await;
    assert_no_form_data_in_url(&b, "logout", &[&email, PASSWORD]).await;

    b.type_into("identifier", &email).await;
    b.type_into("password", &enter).await;
    b.wait_text(&testid_css("session-content"), &email).await;
    assert_no_form_data_in_url(&b, "Enter in the login password", &[&email, PASSWORD]).await;

    b.click(&testid_css("logout")).await;
    b.wait_path("/login").await;
    b.type_into("identifier", &email).await;
    b.type_into("password", WRONG).await;
    b.click(&submit("password")).await;
    b.wait_visible(&testid_css("ui/message/4000006")).await;
    assert_no_form_data_in_url(&b, "a rejected sign-in", &[&email, WRONG]).await;
}

#[tokio::test]
async fn typing_fast_loses_no_character() {
    // 40 characters each, typed by chromedriver with no delay between keys.
    let unique = unique_email().replace("@example.com", "").replace('.', "");
    let email = format!("fast{}@example.com", &unique[unique.len() - 24..]);
    let password = "Tr0ub4dor&3-Correct_Horse!Battery$Staple";
    let wrong = "Wr0ng-Passw0rd_typed!quickly#into$field9";
    assert_eq!((email.len(), password.len(), wrong.len()), (40, 40, 40));
    match manager(shared())
        .register(json!({ "email": email }), password)
        .await
    {
        Ok(Outcome::SignedIn { .. }) => {}
        other => panic!("registering {email} through the API failed: {other:?}"),
    }

    let b = Browser::open(shared_preview(), "fast-typing").await;
    b.goto("/login").await;
    b.type_into("identifier", &email).await;
    b.type_into("password", wrong).await;
    assert_eq!(
        b.value_of("identifier").await,
        email,
        "identifier right after typing"
    );
    assert_eq!(
        b.value_of("password").await,
        wrong,
        "password right after typing"
    );

    // A round trip through the server and Kratos: anything the app echoes back into the inputs
    // has arrived by the time Kratos' answer is on screen.
    b.click(&submit("password")).await;
    b.wait_visible(&testid_css("ui/message/4000006")).await;
    assert_eq!(
        b.value_of("identifier").await,
        email,
        "identifier after a round trip"
    );

    // The right 40 characters sign in: the server received every one of them.
    let field = b.wait_visible(&testid_css("password")).await;
    field.clear().await.unwrap();
    b.type_into("password", password).await;
    assert_eq!(
        b.value_of("password").await,
        password,
        "password right after typing"
    );
    b.click(&submit("password")).await;
    b.wait_text(&testid_css("session-content"), &email).await;
}

#[tokio::test]
async fn the_stylesheet_applies() {
    let b = Browser::open(shared_preview(), "stylesheet").await;
    b.goto("/login").await;
    let styles = b
        .wait_js(
            "the app's stylesheet to apply",
            "const app = document.querySelector('[data-testid=app]'); \
             const s = getComputedStyle(app); \
             const body = getComputedStyle(document.body).backgroundColor; \
             return s.maxWidth === '480px' && body !== 'rgba(0, 0, 0, 0)' && body !== 'transparent' \
                 ? { maxWidth: s.maxWidth, body } : null;",
            vec![],
        )
        .await;
    assert_eq!(styles["maxWidth"], "480px");
}

#[tokio::test]
async fn an_extra_trait_in_the_identity_schema_shows_up_and_registers() {
    let dir = temp_dir("schema");
    let mut schema: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("config/identity.schema.json")).unwrap(),
    )
    .unwrap();
    let traits = &mut schema["properties"]["traits"];
    traits["properties"]["nickname"] = json!({
        "type": "string",
        "title": "Nickname",
        "minLength": 1,
        "maxLength": 40
    });
    traits["required"]
        .as_array_mut()
        .unwrap()
        .push(json!("nickname"));
    let path = dir.join("identity.schema.json");
    std::fs::write(&path, serde_json::to_string_pretty(&schema).unwrap()).unwrap();

    let k = Kratos::start(Options {
        schema: Some(path),
        ..Options::default()
    });
    let preview = Preview::start(&k);
    let b = Browser::open(&preview, "extra-trait").await;

    b.goto("/registration").await;
    b.wait_visible(&testid_css("traits.nickname")).await;
    b.wait_text(&testid_css("field/traits.nickname"), "Nickname")
        .await;

    let email = unique_email();
    let nickname = "Zaphod-42";
    b.type_into("traits.email", &email).await;
    b.type_into("traits.nickname", nickname).await;
    b.click(&submit("profile")).await;
    b.type_into("password", PASSWORD).await;
    b.click(&submit("password")).await;

    let home = b.wait_text(&testid_css("session-content"), &email).await;
    assert!(
        home.contains(nickname),
        "Home should show the nickname trait, it shows:\n{home}"
    );
}

#[tokio::test]
async fn an_unknown_page_lands_on_the_sign_in_screen_with_a_message() {
    let b = Browser::open(shared_preview(), "unknown-page").await;
    b.goto("/no/such/page").await;
    b.wait_path("/login").await;
    b.wait_text(&testid_css("alert"), "doesn't exist").await;
    b.wait_visible(&testid_css("identifier")).await;
}

#[tokio::test]
async fn the_server_screen_saves_a_lan_server_diagnoses_its_base_url_and_goes_back_to_the_default()
{
    let settings = temp_dir("settings").join("settings.json");
    // A server chosen earlier: the preview starts with it, no KRATOS_URL.
    std::fs::write(
        &settings,
        format!(
            "{{\"format\": 1, \"server\": \"{}\"}}\n",
            shared().public_url()
        ),
    )
    .unwrap();
    let preview = Preview::start_with(None, Some(&settings));
    let b = Browser::open(&preview, "server-screen").await;
    b.goto("/server").await;
    b.wait_text(&testid_css("server-url"), &shared().public_url())
        .await;
    b.wait_text(&testid_css("server-source"), "chosen on this screen")
        .await;

    // Switch to a Kratos reached over this machine's LAN address whose base_url says localhost.
    let lan = localhost_base_url_kratos();
    let phone_url = lan_url(lan.public_port);
    let input = b.wait_visible(&testid_css("server")).await;
    input.clear().await.unwrap();
    b.type_into("server", &phone_url).await;
    b.click("[data-testid=\"screen-server\"] [data-testid=\"submit-form\"]")
        .await;
    b.wait_path("/login").await;
    // The sign-in screen works (the app posts to the URL it uses) and says what's wrong.
    b.wait_visible(&submit("password")).await;
    let warning = b
        .wait_text(&testid_css("base-url-warning"), "serve.public.base_url")
        .await;
    assert!(
        warning.contains(&format!("http://localhost:{}", lan.public_port))
            && warning.contains(&format!("serve.public.base_url: {phone_url}/")),
        "{warning}"
    );
    let saved = std::fs::read_to_string(&settings).unwrap();
    assert!(
        saved.contains(&format!("\"server\": \"{phone_url}\"")),
        "{saved}"
    );

    // The connection check: reachable, the mismatch with its fix, and the version note.
    b.click(&testid_css("link-server")).await;
    b.wait_text(&testid_css("server-url"), &phone_url).await;
    b.click(&testid_css("check-server")).await;
    b.wait_text(&testid_css("check/reachability"), "answers")
        .await;
    let base = b
        .wait_text(&testid_css("check/base-url"), "serve.public.base_url says")
        .await;
    assert!(base.contains("serve.public.host: 0.0.0.0"), "{base}");
    b.wait_text(&testid_css("check/version"), "admin API").await;
    b.screenshot("preview-server-check.png").await;
    drop(b);
    drop(preview);

    // A new start keeps the choice, and "Use the default" forgets it.
    let preview = Preview::start_with(None, Some(&settings));
    let b = Browser::open(&preview, "server-screen-restart").await;
    b.goto("/server").await;
    b.wait_text(&testid_css("server-url"), &phone_url).await;
    b.click(&testid_css("use-default")).await;
    b.wait_path("/login").await;
    b.click(&testid_css("link-server")).await;
    let (default, _) = kratos_mobile::config::default_server().unwrap();
    b.wait_text(&testid_css("server-url"), default.as_str())
        .await;
    b.wait_text(&testid_css("server-source"), "default").await;
    let saved = std::fs::read_to_string(&settings).unwrap();
    assert!(!saved.contains("\"server\""), "{saved}");
}
