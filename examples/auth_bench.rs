//! Benchmark (prints figures, asserts nothing): the `auth` module's login and restore against the
//! same Kratos as plain `reqwest` doing the same requests — medians of interleaved runs, as ratios —
//! and the requests each operation sends, counted where they reach Kratos: by the counting proxy of
//! the integration tests (`tests/integration/proxy.rs`) in front of the real server.
//!
//! `scripts/bench.sh` starts a Kratos and runs this (a release build: in the dev profile this
//! package is at opt-level 0 and reqwest at 1, which alone costs `auth` about 5 %); by hand:
//! `KRATOS_URL=http://127.0.0.1:4433 cargo run --release --example auth_bench -- [runs]`.
//!
//! The timed restores read a memory token store (plain reqwest reads none). The counted restore
//! reads the real keychain only when `AUTH_BENCH_KEYCHAIN=1` (scripts/bench.sh sets it inside its
//! private D-Bus session with a throwaway gnome-keyring), under the service name
//! `kratos-mobile-bench`, and deletes the entry afterwards; otherwise a memory store.

use std::sync::Arc;
use std::time::{Duration, Instant};

use kratos_mobile::auth::{
    FlowKind, FormValues, KeychainStore, KratosClient, MemoryStore, Outcome, Persistence, Pressed,
    ServerUrl, SessionManager, TokenStore,
};
use serde_json::{json, Value};

// The proxy serves the tests too; only its counting is used here.
#[allow(dead_code)]
#[path = "../tests/integration/proxy.rs"]
mod proxy;

const PASSWORD: &str = "benchmark-password-4711-xyz";

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Sends a plain reqwest request and reads its JSON answer (the floor does no more than this).
async fn json_of(req: reqwest::RequestBuilder) -> Value {
    req.send().await.unwrap().json().await.unwrap()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn ratio_row(figure: &str, ours: Duration, floor: Duration, goal: f64) {
    let ratio = ms(ours) / ms(floor);
    let result = if ratio <= goal { "pass" } else { "miss" };
    println!(
        "| {figure} | {:.2} ms | {:.2} ms | {ratio:.3}× | ≤ {goal}× | {result} |",
        ms(ours),
        ms(floor)
    );
}

fn count_row(figure: &str, counted: &Counted, goal: usize) {
    let result = if counted.0 == goal { "pass" } else { "miss" };
    println!("| {figure} | {} | — | — | {goal} | {result} |", counted.0);
}

fn values_for(email: &str) -> FormValues {
    [
        ("identifier".to_string(), email.to_string()),
        ("password".to_string(), PASSWORD.to_string()),
    ]
    .into_iter()
    .collect()
}

/// Requests the proxy counted, and their method and path.
struct Counted(usize, Vec<String>);

struct Counts {
    registration: Counted,
    logout: Counted,
    login: Counted,
    restore: Counted,
    store: &'static str,
}

fn taken(proxy: &proxy::Proxy) -> Counted {
    let counted = Counted(proxy.count(), proxy.seen());
    proxy.reset();
    counted
}

/// A fresh identity through the counting proxy: one-step registration, logout, login, then a
/// restore by a new manager on the same token store (as on the app's next start), then a logout
/// that only cleans up.
async fn count_requests(upstream: &ServerUrl) -> Counts {
    let proxy = proxy::Proxy::start(upstream.port()).await;
    let via = ServerUrl::parse(&proxy.url()).expect("the proxy's URL");
    let client = KratosClient::new(via).expect("an HTTP client");
    let memory = || -> Arc<dyn TokenStore> { Arc::new(MemoryStore::new()) };
    let (store, store_name) = if std::env::var("AUTH_BENCH_KEYCHAIN").as_deref() == Ok("1") {
        match KeychainStore::open_with_service("kratos-mobile-bench") {
            Ok(k) if k.persistence() == Persistence::Keychain => {
                (Arc::new(k) as Arc<dyn TokenStore>, "keychain")
            }
            _ => {
                eprintln!("auth_bench: AUTH_BENCH_KEYCHAIN=1 but no Secret Service in this D-Bus session: counting with a memory token store");
                (memory(), "memory token store")
            }
        }
    } else {
        (memory(), "memory token store")
    };
    let email = format!("bench.count.{}@example.com", std::process::id());
    let m = SessionManager::new(client.clone(), store.clone());

    proxy.reset();
    match m.register(json!({"email": email}), PASSWORD).await {
        Ok(Outcome::SignedIn { .. }) => {}
        other => panic!("one-step registration through the proxy failed: {other:?}"),
    }
    let registration = taken(&proxy);
    m.logout().await.expect("logout through the proxy");
    let logout = taken(&proxy);
    let flow = m
        .start(FlowKind::Login)
        .await
        .expect("a login flow through the proxy");
    match m
        .submit(&flow, &values_for(&email), &Pressed::method("password"))
        .await
    {
        Ok(Outcome::SignedIn { .. }) => {}
        other => panic!("login through the proxy failed: {other:?}"),
    }
    let login = taken(&proxy);
    let next_start = SessionManager::new(client, store);
    let state = next_start.restore().await;
    assert!(
        state.is_signed_in(),
        "restore through the proxy did not sign in: {state:?}"
    );
    let restore = taken(&proxy);
    // Not counted: removes the session and the stored token.
    next_start.logout().await.expect("the cleaning-up logout");
    Counts {
        registration,
        logout,
        login,
        restore,
        store: store_name,
    }
}

#[tokio::main]
async fn main() {
    let url = std::env::var("KRATOS_URL").unwrap_or_else(|_| "http://127.0.0.1:4433".into());
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(30);
    let server = ServerUrl::parse(&url).expect("KRATOS_URL");
    let client = KratosClient::new(server.clone()).unwrap();
    let plain = reqwest::Client::builder().build().unwrap();
    let base = server.as_str().to_string();

    let email = format!("bench.{}@example.com", std::process::id());
    let store: Arc<dyn TokenStore> = Arc::new(MemoryStore::new());
    let manager = SessionManager::new(client.clone(), store.clone());
    match manager.register(json!({"email": email}), PASSWORD).await {
        Ok(Outcome::SignedIn { .. }) => {}
        other => panic!("could not register the benchmark identity: {other:?}"),
    }
    let token = manager.token().unwrap();

    let values = values_for(&email);
    let (mut auth_login, mut plain_login, mut auth_restore, mut plain_restore) =
        (vec![], vec![], vec![], vec![]);
    // Warm both connection pools first.
    let _ = client.health_ready().await;
    let _ = plain.get(format!("{base}/health/ready")).send().await;

    for i in 0..runs {
        // Alternate which goes first, so neither always gets the warmer moment.
        for turn in 0..2 {
            if (i + turn) % 2 == 0 {
                let t = Instant::now();
                let flow = client.create_flow(FlowKind::Login, None).await.unwrap();
                let out = client
                    .submit(&flow, &values, &Pressed::method("password"), None)
                    .await
                    .unwrap();
                auth_login.push(t.elapsed());
                drop(out);
            } else {
                let t = Instant::now();
                let flow = json_of(
                    plain
                        .get(format!("{base}/self-service/login/api"))
                        .header("Accept", "application/json"),
                )
                .await;
                let id = flow["id"].as_str().unwrap();
                let out = json_of(
                    plain
                    .post(format!("{base}/self-service/login?flow={id}"))
                    .header("Accept", "application/json")
                    .json(&json!({"method": "password", "identifier": email, "password": PASSWORD, "csrf_token": ""})),
                )
                .await;
                plain_login.push(t.elapsed());
                assert!(out["session_token"].is_string());
            }
        }
        for turn in 0..2 {
            if (i + turn) % 2 == 0 {
                let fresh = SessionManager::new(client.clone(), store.clone());
                let t = Instant::now();
                let state = fresh.restore().await;
                auth_restore.push(t.elapsed());
                assert!(state.is_signed_in());
            } else {
                let t = Instant::now();
                let session = json_of(
                    plain
                        .get(format!("{base}/sessions/whoami"))
                        .header("X-Session-Token", token.expose_secret()),
                )
                .await;
                plain_restore.push(t.elapsed());
                assert!(session["active"].as_bool().unwrap_or(false));
            }
        }
    }
    let (al, pl, ar, pr) = (
        median(auth_login),
        median(plain_login),
        median(auth_restore),
        median(plain_restore),
    );

    let counts = count_requests(&server).await;

    println!("| figure | ours | floor | ratio | goal | result |");
    println!("|---|---|---|---|---|---|");
    ratio_row(
        &format!(
            "`auth` login (create flow + submit) vs plain reqwest, median of {runs} interleaved"
        ),
        al,
        pl,
        1.05,
    );
    ratio_row(
        &format!("`auth` restore (memory token store read + whoami) vs plain reqwest, median of {runs} interleaved"),
        ar,
        pr,
        1.05,
    );
    count_row(
        "requests per login (create flow + submit), counted at the proxy",
        &counts.login,
        2,
    );
    count_row(
        "requests per one-step registration (`SessionManager::register`), counted at the proxy",
        &counts.registration,
        2,
    );
    count_row(
        &format!(
            "requests per restore ({} read + whoami), counted at the proxy",
            counts.store
        ),
        &counts.restore,
        1,
    );
    count_row(
        "requests per logout, counted at the proxy",
        &counts.logout,
        1,
    );
    println!();
    println!("requests that reached Kratos (method and path, through tests/integration/proxy.rs):");
    for (what, seen) in [
        ("login", &counts.login),
        ("one-step registration", &counts.registration),
        ("restore", &counts.restore),
        ("logout", &counts.logout),
    ] {
        println!("  {what}: {}", seen.1.join(", "));
    }
}
