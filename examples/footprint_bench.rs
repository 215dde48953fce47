//! Benchmark (prints figures, asserts nothing): the desktop app's footprint against the framework
//! floor, `examples/hello_world.rs`, both release builds — cold start to the first rendered frame,
//! the memory of the whole process tree once idle, and the stripped binary size. Ratios of medians
//! of interleaved runs; the order alternates every round, after one uncounted warm-up run of each.
//!
//! `scripts/bench.sh` builds both binaries, starts Kratos, Xvfb and a private D-Bus session and
//! runs this. By hand, inside `dbus-run-session` (the app reads its token store over D-Bus):
//!
//! ```sh
//! DISPLAY=:99 KRATOS_URL=http://127.0.0.1:4433 cargo run --example footprint_bench -- \
//!     --app target/release/kratos-mobile --hello target/release/examples/hello_world --runs 10
//! ```
//!
//! - **First frame** is a line each program prints from the `onmounted` of its root element
//!   (`kratos-mobile: first frame rendered`, `hello-world: first frame rendered`): the webview has
//!   applied the first edits. Start-up is spawn → that line.
//! - **Memory** is PSS (`/proc/<pid>/smaps_rollup`) summed over the process tree (descendants found
//!   through the parent pid in `/proc/*/stat`; WebKit's web and network processes hold most of it),
//!   read once the program is idle at its ready point — the app: `kratos-mobile: form ready` (the
//!   login form is shown), hello-world: its first frame — and the sum has settled (two reads 500 ms
//!   apart within 1 %, for at most 30 s).
//! - Every program runs in a process group of its own with a fresh HOME and XDG_* folders (a
//!   temporary folder), `DISPLAY`, `KRATOS_URL` and the D-Bus session of this process. The bench is
//!   a child subreaper, so WebKit processes that outlive their parent stay in its tree; after each
//!   run the group gets SIGKILL and the run only counts once no process of the tree is left.
//!
//! Exits 1 with a message if something can't be measured (a program that doesn't print its line
//! within 60 s, exits early, or leaves processes behind), 2 on bad arguments.

use std::collections::HashMap;
use std::fs;
use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long a program may take to print a line it is waited for.
const SIGNAL_DEADLINE: Duration = Duration::from_secs(60);
/// Memory: reads this far apart, equal within this fraction, for at most this long.
const SETTLE_INTERVAL: Duration = Duration::from_millis(500);
const SETTLE_TOLERANCE: f64 = 0.01;
const SETTLE_DEADLINE: Duration = Duration::from_secs(30);
/// How long the processes of a killed tree may take to disappear.
const EXIT_DEADLINE: Duration = Duration::from_secs(10);
/// Poll interval inside the loops that wait for a condition.
const POLL: Duration = Duration::from_millis(20);

type Result<T> = std::result::Result<T, String>;

/// One of the two programs.
struct Subject {
    name: &'static str,
    bin: PathBuf,
    /// Printed once the first frame is on screen.
    first_frame: &'static str,
    /// Printed once the program is idle where memory is read (may equal `first_frame`).
    ready: &'static str,
}

/// PSS in kB, by the role of the process.
#[derive(Clone, Copy, Default, Debug)]
struct Pss {
    main: u64,
    web: u64,
    network: u64,
    other: u64,
    processes: usize,
}

/// One part of a [`Pss`] (a role, or the total).
type Part = fn(&Pss) -> u64;

impl Pss {
    fn total(&self) -> u64 {
        self.main + self.web + self.network + self.other
    }
}

struct Sample {
    first_frame: Duration,
    ready: Duration,
    pss: Pss,
    settled: bool,
}

struct Args {
    app: PathBuf,
    hello: PathBuf,
    runs: usize,
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("footprint_bench: {e}");
            eprintln!("usage: footprint_bench [--app PATH] [--hello PATH] [--runs N]  (env: DISPLAY, KRATOS_URL, DBUS_SESSION_BUS_ADDRESS)");
            return ExitCode::from(2);
        }
    };
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("footprint_bench: could not measure: {e}");
            ExitCode::FAILURE
        }
    }
}

fn parse_args() -> Result<Args> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    let mut args = Args {
        app: target.join("release/kratos-mobile"),
        hello: target.join("release/examples/hello_world"),
        runs: 10,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--app" => args.app = value()?.into(),
            "--hello" => args.hello = value()?.into(),
            "--runs" => {
                args.runs = value()?
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or("--runs wants a number above 0")?
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(args)
}

fn need_env(name: &str, why: &str) -> Result<String> {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .ok_or_else(|| format!("{name} is not set: {why}"))
}

fn run(args: Args) -> Result<()> {
    let display = need_env(
        "DISPLAY",
        "start an X server (e.g. `Xvfb :99 -screen 0 480x900x24 &`) and export DISPLAY=:99",
    )?;
    let kratos_url = need_env(
        "KRATOS_URL",
        "the app's login screen needs a Kratos (scripts/bench.sh starts one)",
    )?;
    need_env(
        "DBUS_SESSION_BUS_ADDRESS",
        "run inside a private D-Bus session (`dbus-run-session -- …`, as scripts/bench.sh does), so the app's token store never reaches your own keychain",
    )?;
    let [app_bin, hello_bin] = [&args.app, &args.hello].map(|bin| {
        fs::canonicalize(bin).map_err(|e| {
            format!(
                "{}: {e} (build it: cargo build --release --bin kratos-mobile --example hello_world)",
                bin.display()
            )
        })
    });
    let (app_bin, hello_bin) = (app_bin?, hello_bin?);
    // Orphans (a WebKit process whose parent died first) become our children, not init's, so
    // the tree walk still finds them and they can be reaped.
    // SAFETY: prctl with integer arguments only.
    if unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) } != 0 {
        return Err(format!(
            "prctl(PR_SET_CHILD_SUBREAPER): {}",
            std::io::Error::last_os_error()
        ));
    }

    let app = Subject {
        name: "kratos-mobile",
        bin: app_bin,
        first_frame: "kratos-mobile: first frame rendered",
        ready: "kratos-mobile: form ready",
    };
    let hello = Subject {
        name: "hello-world",
        bin: hello_bin,
        first_frame: "hello-world: first frame rendered",
        ready: "hello-world: first frame rendered",
    };
    let scratch = Scratch::new()?;
    let env = ChildEnv {
        display: display.clone(),
        kratos_url: kratos_url.clone(),
        runtime_dir: match std::env::var_os("XDG_RUNTIME_DIR") {
            Some(dir) => PathBuf::from(dir),
            None => {
                let dir = scratch.0.join("runtime");
                fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
                set_mode_700(&dir)?;
                dir
            }
        },
    };

    println!(
        "footprint: {} interleaved cold starts of each (order alternates every round; one warm-up run of each first, not counted), DISPLAY={display}, KRATOS_URL={kratos_url}",
        args.runs
    );
    let mut store_line = None;
    for subject in [&app, &hello] {
        let (sample, stderr) = run_once(subject, &env, &scratch, "warm-up")?;
        if subject.name == app.name {
            store_line = token_store_line(&stderr);
        }
        println!(
            "  warm-up   {:<13} first frame {:>7.1} ms, ready {:>7.1} ms, PSS {:>6.1} MiB",
            subject.name,
            ms(sample.first_frame),
            ms(sample.ready),
            mib(sample.pss.total())
        );
    }
    match &store_line {
        Some(line) => println!("  the app's token store (its log): {line}"),
        None => println!("  the app logged no token-store line"),
    }

    let mut samples: HashMap<&str, Vec<Sample>> = HashMap::new();
    for round in 0..args.runs {
        let order = if round % 2 == 0 {
            [&app, &hello]
        } else {
            [&hello, &app]
        };
        for subject in order {
            let (sample, _) = run_once(subject, &env, &scratch, &format!("run-{round}"))?;
            println!(
                "  run {:>2}/{} {:<13} first frame {:>7.1} ms, ready {:>7.1} ms, PSS {:>6.1} MiB in {} processes{}",
                round + 1,
                args.runs,
                subject.name,
                ms(sample.first_frame),
                ms(sample.ready),
                mib(sample.pss.total()),
                sample.pss.processes,
                if sample.settled { "" } else { " (not settled within 30 s: last read)" }
            );
            samples.entry(subject.name).or_default().push(sample);
        }
    }
    leftovers_check()?;

    let a = &samples[app.name];
    let h = &samples[hello.name];
    let start_a = median(a.iter().map(|s| ms(s.first_frame)).collect());
    let start_h = median(h.iter().map(|s| ms(s.first_frame)).collect());
    let ready_a = median(a.iter().map(|s| ms(s.ready)).collect());
    let pss = |v: &[Sample], f: Part| median(v.iter().map(|s| mib(f(&s.pss))).collect());
    let mem_a = pss(a, Pss::total);
    let mem_h = pss(h, Pss::total);
    let size_a = binary_size(&app.bin)?;
    let size_h = binary_size(&hello.bin)?;
    let n = args.runs;

    println!();
    println!(
        "  start-up spread (min … max): kratos-mobile {:.1} … {:.1} ms, hello-world {:.1} … {:.1} ms; the app's login form ready at {:.1} ms (median)",
        min(a.iter().map(|s| ms(s.first_frame))),
        max(a.iter().map(|s| ms(s.first_frame))),
        min(h.iter().map(|s| ms(s.first_frame))),
        max(h.iter().map(|s| ms(s.first_frame))),
        ready_a
    );
    println!();
    println!("| PSS by process (median of {n}) | kratos-mobile | hello-world | difference |");
    println!("|---|---|---|---|");
    let rows: [(&str, Part); 5] = [
        ("main process", |p| p.main),
        ("WebKitWebProcess", |p| p.web),
        ("WebKitNetworkProcess", |p| p.network),
        ("other processes", |p| p.other),
        ("the whole tree", Pss::total),
    ];
    for (label, f) in rows {
        let (x, y) = (pss(a, f), pss(h, f));
        println!("| {label} | {x:.1} MiB | {y:.1} MiB | {:+.1} MiB |", x - y);
    }
    println!();
    println!("| figure | ours | floor | ratio | goal | result |");
    println!("|---|---|---|---|---|---|");
    row(
        &format!("desktop cold start → first rendered frame (Xvfb), vs hello-world, median of {n} interleaved"),
        format!("{start_a:.1} ms"),
        format!("{start_h:.1} ms"),
        start_a / start_h,
        1.2,
    );
    row(
        &format!("memory (PSS of the process tree) idle after the first frame — the app on its login screen — vs hello-world, median of {n}"),
        format!("{mem_a:.1} MiB"),
        format!("{mem_h:.1} MiB"),
        mem_a / mem_h,
        1.15,
    );
    row(
        "release binary size, stripped (lto, codegen-units = 1), vs hello-world",
        format!("{:.2} MiB", size_a as f64 / 1048576.0),
        format!("{:.2} MiB", size_h as f64 / 1048576.0),
        size_a as f64 / size_h as f64,
        1.5,
    );
    Ok(())
}

fn row(figure: &str, ours: String, floor: String, ratio: f64, goal: f64) {
    let result = if ratio <= goal { "pass" } else { "miss" };
    println!("| {figure} | {ours} | {floor} | {ratio:.3}× | ≤ {goal}× | {result} |");
}

/// What every child gets in its environment besides HOME and XDG_* (fresh per run).
struct ChildEnv {
    display: String,
    kratos_url: String,
    runtime_dir: PathBuf,
}

/// The bench's temporary folder, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Result<Self> {
        let dir = std::env::temp_dir().join(format!("footprint-bench-{}", std::process::id()));
        fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn set_mode_700(dir: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
        .map_err(|e| format!("chmod 700 {}: {e}", dir.display()))
}

/// A running program: its process group is killed and the tree waited for on drop, so an early
/// return never leaves a window behind. `finish` does the same and reports what lingered.
struct Running {
    child: Option<Child>,
}

impl Running {
    fn pid(&self) -> i32 {
        self.child.as_ref().map_or(0, |c| c.id() as i32)
    }

    fn finish(&mut self) -> Result<()> {
        let Some(mut child) = self.child.take() else {
            return Ok(());
        };
        let pid = child.id() as i32;
        // One program runs at a time, so everything below the bench is its tree, orphans that
        // were handed to the bench included.
        let me = std::process::id() as i32;
        let tree: Vec<Proc> = descendants(me)
            .into_iter()
            .filter(|p| p.pid != me)
            .collect();
        // SAFETY: kill(2) with a pid and a signal number. The group is the child's own
        // (process_group(0)); members that left it are signalled one by one, after checking
        // each is still the process that was listed (not a reused pid).
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
        for p in &tree {
            if read_stat(p.pid).is_some_and(|s| s.start_time == p.start_time) {
                unsafe {
                    libc::kill(p.pid, libc::SIGKILL);
                }
            }
        }
        let _ = child.wait();
        let end = Instant::now() + EXIT_DEADLINE;
        loop {
            reap_orphans();
            let alive: Vec<&Proc> = tree
                .iter()
                .filter(|p| {
                    read_stat(p.pid).is_some_and(|s| s.start_time == p.start_time && s.state != 'Z')
                })
                .collect();
            if alive.is_empty() {
                return Ok(());
            }
            if Instant::now() >= end {
                let names: Vec<String> = alive
                    .iter()
                    .map(|p| format!("{} ({})", p.pid, p.name))
                    .collect();
                return Err(format!(
                    "still running {}s after SIGKILL: {}",
                    EXIT_DEADLINE.as_secs(),
                    names.join(", ")
                ));
            }
            std::thread::sleep(POLL);
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.finish();
    }
}

/// Reaps every exited child (orphans handed to us as subreaper included); the bench's own
/// `Child` has been waited for already.
fn reap_orphans() {
    loop {
        let mut status = 0;
        // SAFETY: waitpid with a valid out pointer.
        let pid = unsafe { libc::waitpid(-1, &mut status, libc::WNOHANG) };
        if pid <= 0 {
            return;
        }
    }
}

/// After all runs: nothing of any run may be left below this process.
fn leftovers_check() -> Result<()> {
    reap_orphans();
    let me = std::process::id() as i32;
    let left: Vec<String> = descendants(me)
        .into_iter()
        .filter(|p| p.pid != me && read_stat(p.pid).is_some_and(|s| s.state != 'Z'))
        .map(|p| format!("{} ({})", p.pid, p.name))
        .collect();
    if left.is_empty() {
        Ok(())
    } else {
        Err(format!("processes left behind: {}", left.join(", ")))
    }
}

/// Starts `subject`, waits for its first-frame and ready lines, reads the tree's memory once it
/// has settled, kills the tree. Returns the sample and the program's stderr.
fn run_once(
    subject: &Subject,
    env: &ChildEnv,
    scratch: &Scratch,
    tag: &str,
) -> Result<(Sample, String)> {
    let dir = scratch.0.join(format!("{tag}-{}", subject.name));
    let home = dir.join("home");
    for sub in ["", ".config", ".cache", ".local/share", ".local/state"] {
        let d = home.join(sub);
        fs::create_dir_all(&d).map_err(|e| format!("creating {}: {e}", d.display()))?;
    }
    let stderr_path = dir.join("stderr.log");
    let stderr = fs::File::create(&stderr_path)
        .map_err(|e| format!("creating {}: {e}", stderr_path.display()))?;

    let mut cmd = Command::new(&subject.bin);
    cmd.env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("XDG_STATE_HOME", home.join(".local/state"))
        .env("XDG_RUNTIME_DIR", &env.runtime_dir)
        .env("DISPLAY", &env.display)
        .env("KRATOS_URL", &env.kratos_url)
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .env_remove("WAYLAND_DISPLAY")
        .current_dir(&home)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(stderr))
        .process_group(0);
    // SAFETY: prctl with integer arguments only, between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            Ok(())
        });
    }
    let started = Instant::now();
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("starting {}: {e}", subject.bin.display()))?;
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut running = Running { child: Some(child) };
    let (tx, lines) = mpsc::channel::<(Instant, String)>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(|l| l.ok()) {
            let _ = tx.send((Instant::now(), line));
        }
    });

    let stderr_tail = || tail(&stderr_path, 15);
    let mut first_frame = None;
    let mut ready = None;
    let end = started + SIGNAL_DEADLINE;
    while first_frame.is_none() || ready.is_none() {
        match lines.recv_timeout(end.saturating_duration_since(Instant::now())) {
            Ok((at, line)) => {
                if first_frame.is_none() && line.contains(subject.first_frame) {
                    first_frame = Some(at - started);
                }
                if ready.is_none() && line.contains(subject.ready) {
                    ready = Some(at - started);
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let missing = if first_frame.is_none() {
                    subject.first_frame
                } else {
                    subject.ready
                };
                return Err(format!(
                    "{} ({tag}) did not print {missing:?} within {} s; its stderr ends with:\n{}",
                    subject.name,
                    SIGNAL_DEADLINE.as_secs(),
                    stderr_tail()
                ));
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                let status = running
                    .child
                    .as_mut()
                    .and_then(|c| c.try_wait().ok().flatten())
                    .map_or_else(|| "still running".to_string(), |s| s.to_string());
                return Err(format!(
                    "{} ({tag}) closed its stdout ({status}) before printing {:?}; its stderr ends with:\n{}",
                    subject.name,
                    subject.ready,
                    stderr_tail()
                ));
            }
        }
    }
    let (first_frame, ready) = (first_frame.unwrap(), ready.unwrap());

    // Idle at the ready point: read until two reads agree.
    let pid = running.pid();
    let mut last = tree_pss(pid);
    let settle_end = Instant::now() + SETTLE_DEADLINE;
    let mut settled = false;
    while Instant::now() < settle_end {
        std::thread::sleep(SETTLE_INTERVAL);
        if running
            .child
            .as_mut()
            .is_some_and(|c| matches!(c.try_wait(), Ok(Some(_))))
        {
            return Err(format!(
                "{} ({tag}) exited while idle; its stderr ends with:\n{}",
                subject.name,
                stderr_tail()
            ));
        }
        let now = tree_pss(pid);
        let (a, b) = (last.total() as f64, now.total() as f64);
        last = now;
        if a > 0.0 && (a - b).abs() / a <= SETTLE_TOLERANCE {
            settled = true;
            break;
        }
    }
    running
        .finish()
        .map_err(|e| format!("{} ({tag}): {e}", subject.name))?;
    let stderr = fs::read_to_string(&stderr_path).unwrap_or_default();
    let _ = fs::remove_dir_all(&dir);
    Ok((
        Sample {
            first_frame,
            ready,
            pss: last,
            settled,
        },
        stderr,
    ))
}

/// The app's log line that says which token store it opened (no secrets in it).
fn token_store_line(stderr: &str) -> Option<String> {
    stderr
        .lines()
        .find(|l| l.contains("token store:") || l.contains("no keychain"))
        .map(|l| {
            l.split_once("kratos_mobile")
                .map_or(l, |(_, rest)| rest.trim_start_matches(|c: char| c != ' '))
                .trim()
                .to_string()
        })
}

fn tail(path: &Path, n: usize) -> String {
    let text = fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    if lines.is_empty() {
        return "  | (nothing)".to_string();
    }
    let from = lines.len().saturating_sub(n);
    lines[from..]
        .iter()
        .map(|l| format!("  | {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A process as listed in /proc.
struct Proc {
    pid: i32,
    start_time: u64,
    name: String,
}

struct Stat {
    ppid: i32,
    state: char,
    start_time: u64,
    comm: String,
}

/// `/proc/<pid>/stat`: the comm sits in parentheses and may contain anything, so the fields are
/// counted from the last `)`.
fn read_stat(pid: i32) -> Option<Stat> {
    let text = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let open = text.find('(')?;
    let close = text.rfind(')')?;
    let comm = text[open + 1..close].to_string();
    let rest: Vec<&str> = text[close + 1..].split_whitespace().collect();
    // rest[0] = state (field 3), rest[1] = ppid (4), rest[19] = starttime (22).
    Some(Stat {
        state: rest.first()?.chars().next()?,
        ppid: rest.get(1)?.parse().ok()?,
        start_time: rest.get(19)?.parse().ok()?,
        comm,
    })
}

/// `root` and every process below it, found through the parent pids in /proc/*/stat.
fn descendants(root: i32) -> Vec<Proc> {
    let mut children: HashMap<i32, Vec<(i32, Stat)>> = HashMap::new();
    let mut root_stat = None;
    if let Ok(entries) = fs::read_dir("/proc") {
        for entry in entries.flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|s| s.parse::<i32>().ok())
            else {
                continue;
            };
            let Some(stat) = read_stat(pid) else { continue };
            if pid == root {
                root_stat = Some(stat);
            } else {
                children.entry(stat.ppid).or_default().push((pid, stat));
            }
        }
    }
    let mut out = Vec::new();
    if let Some(stat) = root_stat {
        out.push(Proc {
            pid: root,
            start_time: stat.start_time,
            name: stat.comm,
        });
    }
    let mut i = 0;
    let mut frontier = vec![root];
    while i < frontier.len() {
        if let Some(kids) = children.remove(&frontier[i]) {
            for (pid, stat) in kids {
                frontier.push(pid);
                out.push(Proc {
                    pid,
                    start_time: stat.start_time,
                    name: stat.comm,
                });
            }
        }
        i += 1;
    }
    out
}

/// PSS of `root`'s tree, by role: the program itself, WebKit's web and network processes, the
/// rest (e.g. a bubblewrap sandbox or dbus proxy, if WebKit starts one).
fn tree_pss(root: i32) -> Pss {
    let mut pss = Pss::default();
    for p in descendants(root) {
        let Some(kb) = pss_kb(p.pid) else { continue };
        pss.processes += 1;
        if p.pid == root {
            pss.main += kb;
            continue;
        }
        let exe = fs::read(format!("/proc/{}/cmdline", p.pid))
            .ok()
            .and_then(|c| {
                c.split(|b| *b == 0)
                    .next()
                    .map(|a| String::from_utf8_lossy(a).into_owned())
            })
            .unwrap_or_default();
        let exe = exe.rsplit('/').next().unwrap_or_default();
        if exe.starts_with("WebKitWebProcess") || p.name.starts_with("WebKitWebProces") {
            pss.web += kb;
        } else if exe.starts_with("WebKitNetworkProcess") || p.name.starts_with("WebKitNetworkPr") {
            pss.network += kb;
        } else {
            pss.other += kb;
        }
    }
    pss
}

fn pss_kb(pid: i32) -> Option<u64> {
    let text = fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix("Pss:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// The file's size; fails if it still has a symbol table (not stripped).
fn binary_size(path: &Path) -> Result<u64> {
    let bytes = fs::read(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    if has_symtab(&bytes) {
        return Err(format!(
            "{} is not stripped (it has a .symtab): build it with the package's [profile.release] (strip = true)",
            path.display()
        ));
    }
    Ok(bytes.len() as u64)
}

/// Whether a 64-bit little-endian ELF file has a `.symtab` section.
fn has_symtab(elf: &[u8]) -> bool {
    let u16_at = |o: usize| {
        elf.get(o..o + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]) as usize)
    };
    let u64_at = |o: usize| {
        elf.get(o..o + 8)
            .map(|b| u64::from_le_bytes(b.try_into().unwrap()) as usize)
    };
    if elf.get(0..4) != Some(b"\x7fELF") || elf.get(4) != Some(&2) {
        return false;
    }
    let (Some(shoff), Some(shentsize), Some(shnum), Some(shstrndx)) =
        (u64_at(0x28), u16_at(0x3a), u16_at(0x3c), u16_at(0x3e))
    else {
        return false;
    };
    let section = |i: usize| shoff + i * shentsize;
    let Some(strtab) = u64_at(section(shstrndx) + 0x18) else {
        return false;
    };
    (0..shnum).any(|i| {
        let Some(name) = elf
            .get(section(i)..section(i) + 4)
            .map(|b| u32::from_le_bytes(b.try_into().unwrap()) as usize)
        else {
            return false;
        };
        elf.get(strtab + name..strtab + name + 8) == Some(b".symtab\0")
    })
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn min(v: impl Iterator<Item = f64>) -> f64 {
    v.fold(f64::INFINITY, f64::min)
}

fn max(v: impl Iterator<Item = f64>) -> f64 {
    v.fold(f64::NEG_INFINITY, f64::max)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn mib(kb: u64) -> f64 {
    kb as f64 / 1024.0
}
