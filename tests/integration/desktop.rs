//! The desktop build in a real window (WebKitGTK under Xvfb, inside the D-Bus session
//! `scripts/test.sh` provides): it opens on the login screen, and a person typing with xdotool
//! signs in — the token then sits in the real keychain.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use kratos_mobile::auth::{KeychainStore, TokenStore};

use crate::kratos::{repo, shared, spawn, unique_email, wait_until};
use crate::support::{manager, register, PASSWORD};

struct Running(Vec<Child>);

impl Drop for Running {
    fn drop(&mut self) {
        for child in self.0.iter_mut().rev() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn screenshots() -> PathBuf {
    let dir = repo().join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A private X display; returns its name.
fn start_xvfb(running: &mut Running) -> String {
    let mut n = 90 + (std::process::id() % 400);
    while std::path::Path::new(&format!("/tmp/.X11-unix/X{n}")).exists() {
        n += 1;
    }
    let display = format!(":{n}");
    let mut cmd = Command::new("Xvfb");
    cmd.args([
        display.as_str(),
        "-screen",
        "0",
        "480x900x24",
        "-nolisten",
        "tcp",
    ])
    .stdout(Stdio::null())
    .stderr(Stdio::null());
    running
        .0
        .push(spawn(cmd).expect("Xvfb (apt-get install xvfb)"));
    wait_until("Xvfb to open its socket", Duration::from_secs(20), || {
        std::path::Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
    });
    display
}

fn xdotool(display: &str, args: &[&str]) -> String {
    let out = Command::new("xdotool")
        .args(args)
        .env("DISPLAY", display)
        .output()
        .expect("xdotool");
    assert!(
        out.status.success(),
        "xdotool {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn screenshot(display: &str, name: &str) -> PathBuf {
    let path = screenshots().join(name);
    let out = Command::new("import")
        .args(["-window", "root"])
        .arg(&path)
        .env("DISPLAY", display)
        .output()
        .expect("import (apt-get install imagemagick)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    path
}

/// A screenshot once two in a row are the same picture (the webview has painted; the home
/// screen has no animation, the pending spinner does).
fn settled_screenshot(display: &str, name: &str) -> PathBuf {
    let mut previous = Vec::new();
    let end = Instant::now() + Duration::from_secs(20);
    loop {
        let path = screenshot(display, name);
        let now = std::fs::read(&path).unwrap();
        if now == previous {
            return path;
        }
        assert!(Instant::now() < end, "the window never settled");
        previous = now;
        std::thread::sleep(Duration::from_millis(300));
    }
}

fn wait_for_line(lines: &mpsc::Receiver<String>, needle: &str, deadline: Duration) {
    let end = Instant::now() + deadline;
    loop {
        let left = end.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) if line.contains(needle) => return,
            Ok(_) => {}
            Err(_) => panic!("the app did not print {needle:?} within {deadline:?}"),
        }
    }
}

#[tokio::test]
async fn the_window_opens_on_the_login_screen_and_a_typed_sign_in_lands_in_the_keychain() {
    let k = shared();
    let email = unique_email();
    register(&manager(k), &email).await;

    let mut running = Running(Vec::new());
    let display = start_xvfb(&mut running);
    let mut app = Command::new(env!("CARGO_BIN_EXE_kratos-mobile"));
    app.env("DISPLAY", &display)
        .env("KRATOS_URL", k.public_url())
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = spawn(app).expect("start the desktop app");
    let stdout = child.stdout.take().unwrap();
    running.0.push(child);
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });

    wait_for_line(&lines, "first frame rendered", Duration::from_secs(60));
    wait_for_line(&lines, "form ready", Duration::from_secs(30));
    let window = xdotool(&display, &["search", "--sync", "--name", "^Kratos Mobile$"]);
    let window = window.lines().next().unwrap().to_string();
    let geometry = xdotool(&display, &["getwindowgeometry", &window]);
    assert!(
        geometry.contains("420x860"),
        "a phone-shaped window: {geometry}"
    );
    let login = screenshot(&display, "desktop-login.png");
    assert!(
        std::fs::metadata(&login).unwrap().len() > 10_000,
        "a real picture"
    );

    // Type as a person would: click the email field, type, tab to the password, type, Enter.
    // (The form's layout: the E-Mail input sits at about y=182 in a 420 px wide window.)
    xdotool(
        &display,
        &["mousemove", "--window", &window, "200", "182", "click", "1"],
    );
    xdotool(&display, &["type", "--delay", "12", &email]);
    xdotool(&display, &["key", "Tab"]);
    xdotool(&display, &["type", "--delay", "12", PASSWORD]);
    xdotool(&display, &["key", "Return"]);

    // Signed in: the token the app received is in the OS keychain, filed under this server.
    let keychain = KeychainStore::open().expect("the keychain of the test session");
    let server = k.server_url();
    wait_for_line(&lines, "home ready", Duration::from_secs(30));
    let token = keychain
        .load(&server)
        .unwrap()
        .expect("the app stored a session token after the typed sign-in");
    let session = k.client().whoami(&token).await.unwrap();
    assert_eq!(
        session.identity.unwrap().traits["email"],
        email.as_str(),
        "every typed character arrived"
    );
    settled_screenshot(&display, "desktop-home.png");
    keychain.delete(&server).unwrap();
}
