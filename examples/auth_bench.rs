//! Benchmark (prints figures, asserts nothing): the `auth` module's login and restore against the
//! same Kratos as plain `reqwest` doing the same requests — medians of interleaved runs, as ratios.
//!
//! `scripts/bench.sh` starts a Kratos and runs this; by hand: `KRATOS_URL=http://127.0.0.1:4433
//! cargo run --example auth_bench -- [runs]`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use kratos_mobile::auth::{
    FlowKind, KratosClient, MemoryStore, Outcome, Pressed, ServerUrl, SessionManager, TokenStore,
};
use serde_json::{json, Value};

const PASSWORD: &str = "benchmark-password-4711-xyz";

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
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

    let values = [
        ("identifier".to_string(), email.clone()),
        ("password".to_string(), PASSWORD.to_string()),
    ]
    .into_iter()
    .collect();
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
                let flow: Value = plain
                    .get(format!("{base}/self-service/login/api"))
                    .header("Accept", "application/json")
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                let id = flow["id"].as_str().unwrap();
                let out: Value = plain
                    .post(format!("{base}/self-service/login?flow={id}"))
                    .header("Accept", "application/json")
                    .json(&json!({"method": "password", "identifier": email, "password": PASSWORD, "csrf_token": ""}))
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
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
                let session: Value = plain
                    .get(format!("{base}/sessions/whoami"))
                    .header("X-Session-Token", token.expose_secret())
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
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
    println!(
        "| figure ({runs} interleaved runs each, medians) | auth | plain reqwest | ratio | goal |"
    );
    println!("|---|---|---|---|---|");
    println!(
        "| login (create flow + submit) | {:.2} ms | {:.2} ms | {:.3}× | ≤ 1.05× |",
        ms(al),
        ms(pl),
        ms(al) / ms(pl)
    );
    println!(
        "| restore (keychain read + whoami) | {:.2} ms | {:.2} ms | {:.3}× | ≤ 1.05× |",
        ms(ar),
        ms(pr),
        ms(ar) / ms(pr)
    );
}
