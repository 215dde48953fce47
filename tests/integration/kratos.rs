//! A real Kratos v1.3.1 for the tests: the shipped `config/kratos.yml` plus an override file for
//! ports, DSN and paths, on free loopback ports, stopped when dropped (also on panic) and, through
//! `PR_SET_PDEATHSIG`, when the test binary exits.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use kratos_mobile::auth::{KratosClient, ServerUrl};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The Kratos binary; the run fails (never skips) when it is missing.
pub fn kratos_bin() -> PathBuf {
    let bin = std::env::var_os("KRATOS_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".cache/bin/kratos"));
    assert!(
        bin.exists(),
        "Kratos binary not found at {}: build it with `scripts/kratos.sh build` (or run `scripts/test.sh`, which does)",
        bin.display()
    );
    bin
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Two free ports in a row (public, admin = public + 1: Kratos' default layout, which the app's
/// admin-API guess relies on).
pub fn free_port_pair() -> (u16, u16) {
    for _ in 0..100 {
        let first = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = first.local_addr().unwrap().port();
        if port < u16::MAX && TcpListener::bind(("127.0.0.1", port + 1)).is_ok() {
            return (port, port + 1);
        }
    }
    panic!("no two free ports in a row after 100 tries");
}

/// A name no other test uses.
pub fn unique(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "{prefix}-{}-{nanos}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

pub fn unique_email() -> String {
    format!("{}@example.com", unique("user").replace('-', "."))
}

pub fn temp_dir(prefix: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(unique(prefix));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Children are spawned from one thread that lives as long as the test binary, so that
/// `PR_SET_PDEATHSIG` (tied to the spawning thread) fires only when the binary exits.
pub fn spawn(mut cmd: Command) -> std::io::Result<Child> {
    type Job = (Command, mpsc::Sender<std::io::Result<Child>>);
    static SPAWNER: OnceLock<Mutex<mpsc::Sender<Job>>> = OnceLock::new();
    let tx = SPAWNER.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<Job>();
        std::thread::spawn(move || {
            for (mut cmd, reply) in rx {
                let _ = reply.send(cmd.spawn());
            }
        });
        Mutex::new(tx)
    });
    use std::os::unix::process::CommandExt;
    unsafe {
        cmd.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            Ok(())
        });
    }
    let (reply_tx, reply_rx) = mpsc::channel();
    tx.lock().unwrap().send((cmd, reply_tx)).unwrap();
    reply_rx.recv().unwrap()
}

/// How to run a Kratos.
#[derive(Clone, Default)]
pub struct Options {
    /// YAML merged over `config/kratos.yml` after the ports/paths override.
    pub extra_yaml: String,
    /// A DSN; default a SQLite file in the instance's folder.
    pub dsn: Option<String>,
    /// Another identity schema file.
    pub schema: Option<PathBuf>,
    /// Another `serve.public.base_url`.
    pub public_base_url: Option<String>,
    /// Keep these ports (a restart).
    pub ports: Option<(u16, u16)>,
    /// The interface the public API listens on (default 127.0.0.1; `0.0.0.0` for a test that
    /// reaches it over a LAN address).
    pub public_host: Option<String>,
}

pub struct Kratos {
    child: Option<Child>,
    pub public_port: u16,
    pub admin_port: u16,
    pub dir: PathBuf,
    options: Options,
}

impl Kratos {
    pub fn start(options: Options) -> Kratos {
        let dir = temp_dir("kratos");
        let (public_port, admin_port) = options.ports.unwrap_or_else(|| (free_port(), free_port()));
        let mut k = Kratos {
            child: None,
            public_port,
            admin_port,
            dir,
            options,
        };
        k.launch();
        k
    }

    fn launch(&mut self) {
        let bin = kratos_bin();
        let schema = self
            .options
            .schema
            .clone()
            .unwrap_or_else(|| repo().join("config/identity.schema.json"));
        let base = self
            .options
            .public_base_url
            .clone()
            .unwrap_or_else(|| format!("http://127.0.0.1:{}/", self.public_port));
        // A file database by default: in-memory SQLite's shared cache fails concurrent writes
        // ("table is locked") instead of waiting, and the tests register in parallel.
        let dsn = self.options.dsn.clone().unwrap_or_else(|| {
            format!(
                "sqlite://{}/kratos.db?_fk=true&mode=rwc&_busy_timeout=10000",
                self.dir.display()
            )
        });
        let overrides = format!(
            "dsn: \"{dsn}\"\nserve:\n  public:\n    host: {ph}\n    port: {pp}\n    base_url: \"{base}\"\n  admin:\n    host: 127.0.0.1\n    port: {ap}\n    base_url: \"http://127.0.0.1:{ap}/\"\nidentity:\n  default_schema_id: default\n  schemas:\n    - id: default\n      url: \"file://{schema}\"\ncourier:\n  smtp:\n    connection_uri: \"smtp://127.0.0.1:9/?disable_starttls=true\"\n",
            pp = self.public_port,
            ph = self.options.public_host.as_deref().unwrap_or("127.0.0.1"),
            ap = self.admin_port,
            schema = schema.display(),
        );
        let override_path = self.dir.join("override.yml");
        std::fs::write(&override_path, overrides).unwrap();
        let extra_path = self.dir.join("extra.yml");
        std::fs::write(&extra_path, &self.options.extra_yaml).unwrap();
        let config = repo().join("config/kratos.yml");

        if dsn.starts_with("sqlite") || dsn.starts_with("postgres") {
            let out = Command::new(&bin)
                .args(["migrate", "sql", "-e", "--yes", "-c"])
                .arg(&config)
                .arg("-c")
                .arg(&override_path)
                .env("DSN", &dsn)
                .output()
                .expect("run kratos migrate");
            assert!(
                out.status.success(),
                "kratos migrate failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }

        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join("kratos.log"))
            .unwrap();
        let mut cmd = Command::new(&bin);
        cmd.arg("serve")
            .arg("-c")
            .arg(&config)
            .arg("-c")
            .arg(&override_path);
        if !self.options.extra_yaml.trim().is_empty() {
            cmd.arg("-c").arg(&extra_path);
        }
        cmd.args(["--dev", "--watch-courier", "--sqa-opt-out"])
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log);
        self.child = Some(spawn(cmd).expect("start kratos"));
        self.wait_ready();
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        let url = format!("127.0.0.1:{}", self.public_port);
        loop {
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                panic!(
                    "kratos exited ({status}) before it was ready:\n{}",
                    self.log_tail()
                );
            }
            if http_get_status(&url, "/health/ready") == Some(200) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "kratos not ready within 60 s:\n{}",
                self.log_tail()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.dir.join("kratos.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }

    pub fn public_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.public_port)
    }

    pub fn server_url(&self) -> ServerUrl {
        ServerUrl::parse(&self.public_url()).unwrap()
    }

    pub fn client(&self) -> KratosClient {
        KratosClient::new(self.server_url()).unwrap()
    }

    /// Stops the server and waits until its port is closed.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same ports and data.
    pub fn restart(&mut self) {
        self.stop();
        self.options.ports = Some((self.public_port, self.admin_port));
        self.launch();
    }
}

impl Kratos {
    /// The 6-digit code last mailed to `email`, read from Kratos' courier (admin API, `--dev`).
    pub fn code_for(&self, email: &str) -> String {
        let mut code = None;
        wait_until(
            &format!("a code mailed to {email}"),
            Duration::from_secs(20),
            || {
                let path = format!("/admin/courier/messages?recipient={email}");
                code = http_get(&format!("127.0.0.1:{}", self.admin_port), &path)
                    .and_then(|(_, body)| six_digits(&body));
                code.is_some()
            },
        );
        code.unwrap()
    }
}

/// The first run of exactly six digits in the newest message's body.
fn six_digits(body: &str) -> Option<String> {
    let messages: serde_json::Value = serde_json::from_str(body).ok()?;
    let text = messages.as_array()?.first()?.get("body")?.as_str()?;
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(5))
        .find(|&i| {
            bytes[i..i + 6].iter().all(u8::is_ascii_digit)
                && (i == 0 || !bytes[i - 1].is_ascii_digit())
                && bytes.get(i + 6).is_none_or(|b| !b.is_ascii_digit())
        })
        .map(|i| text[i..i + 6].to_string())
}

impl Drop for Kratos {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The Kratos shared by the tests that need no special configuration. It runs on PostgreSQL:
/// the tests register in parallel, and Kratos on SQLite then fails now and then with "database
/// is locked" in its post-registration hooks (seen here with WAL and a 30 s busy timeout).
pub fn shared() -> &'static Kratos {
    static SHARED: OnceLock<Kratos> = OnceLock::new();
    SHARED.get_or_init(|| {
        Kratos::start(Options {
            dsn: Some(shared_postgres()),
            ..Options::default()
        })
    })
}

static PG_DIR: OnceLock<PathBuf> = OnceLock::new();

fn pg_script() -> PathBuf {
    std::env::var_os("PG_SCRIPT")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("scripts/pg.sh"))
}

/// Starts a throwaway PostgreSQL (`scripts/pg.sh start`) in a new folder; returns the folder and
/// the DSN. [`stop_postgres`] stops it.
pub fn start_postgres(prefix: &str) -> (PathBuf, String) {
    let dir = temp_dir(prefix);
    let out = Command::new(pg_script())
        .arg("start")
        .arg(&dir)
        .arg(free_port().to_string())
        .output()
        .expect("run scripts/pg.sh");
    assert!(
        out.status.success(),
        "scripts/pg.sh start failed (apt-get install postgresql?):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dsn = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(
        dsn.starts_with("postgres://"),
        "scripts/pg.sh printed {dsn:?}, not a DSN"
    );
    (dir, dsn)
}

/// Stops a PostgreSQL from [`start_postgres`] and removes its folder.
pub fn stop_postgres(dir: &Path) {
    let _ = Command::new(pg_script()).arg("stop").arg(dir).output();
    let _ = std::fs::remove_dir_all(dir);
}

extern "C" fn stop_shared_postgres() {
    if let Some(dir) = PG_DIR.get() {
        stop_postgres(dir);
    }
}

/// A throwaway PostgreSQL for this test binary, stopped when it exits.
fn shared_postgres() -> String {
    let (dir, dsn) = start_postgres("pg-shared");
    PG_DIR.set(dir).unwrap();
    // SAFETY: registers a plain function to run at process exit.
    unsafe {
        libc::atexit(stop_shared_postgres);
    }
    dsn
}

/// A tiny HTTP/1.1 GET over std, used before any client exists.
pub fn http_get_status(addr: &str, path: &str) -> Option<u16> {
    let (status, _) = http_get(addr, path)?;
    Some(status)
}

fn http_get(addr: &str, path: &str) -> Option<(u16, String)> {
    let mut stream =
        std::net::TcpStream::connect_timeout(&addr.parse().ok()?, Duration::from_secs(2)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: application/json\r\nConnection: close\r\n\r\n").ok()?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let status = line.split_whitespace().nth(1)?.parse().ok()?;
    let mut rest = String::new();
    let mut chunked = false;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).ok()? == 0 || h == "\r\n" {
            break;
        }
        if h.to_ascii_lowercase()
            .starts_with("transfer-encoding: chunked")
        {
            chunked = true;
        }
    }
    std::io::Read::read_to_string(&mut reader, &mut rest).ok()?;
    if chunked {
        rest = dechunk(&rest);
    }
    Some((status, rest))
}

fn dechunk(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || tail.len() < n {
            break;
        }
        out.push_str(&tail[..n]);
        rest = tail[n..].trim_start_matches("\r\n");
    }
    out
}

pub fn wait_until(what: &str, deadline: Duration, mut cond: impl FnMut() -> bool) {
    let end = Instant::now() + deadline;
    while !cond() {
        assert!(Instant::now() < end, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}
