//! The first end-to-end check, with plain reqwest and no app code: the Kratos the tests run
//! answers the native-flow contract this app is built on.

use serde_json::{json, Value};

use crate::kratos::{shared, unique_email};

#[tokio::test]
async fn kratos_registers_answers_whoami_and_logs_out_over_plain_http() {
    let k = shared();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    let base = k.public_url();

    let ready = http
        .get(format!("{base}/health/ready"))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);

    let flow: Value = http
        .get(format!("{base}/self-service/registration/api"))
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = flow["id"].as_str().expect("flow id");

    let email = unique_email();
    let registered = http
        .post(format!("{base}/self-service/registration?flow={id}"))
        .header("Accept", "application/json")
        .json(&json!({"method": "password", "traits": {"email": email}, "password": crate::support::PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(registered.status(), 200);
    let registered: Value = registered.json().await.unwrap();
    let token = registered["session_token"]
        .as_str()
        .expect("session hook returns a token")
        .to_string();

    let whoami = http
        .get(format!("{base}/sessions/whoami"))
        .header("X-Session-Token", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(whoami.status(), 200);
    let whoami: Value = whoami.json().await.unwrap();
    assert_eq!(whoami["identity"]["traits"]["email"], email.as_str());

    let logout = http
        .delete(format!("{base}/self-service/logout/api"))
        .json(&json!({"session_token": token}))
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), 204);

    let after = http
        .get(format!("{base}/sessions/whoami"))
        .header("X-Session-Token", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 401);
}
