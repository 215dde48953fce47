//! The session token in the real OS keychain (Secret Service under `scripts/test.sh`), what
//! happens when no keychain can be used, and that no log line ever carries a secret.

use std::io::Write;
use std::sync::{Arc, Mutex};

use kratos_mobile::auth::{
    AuthState, FlowKind, KeychainStore, Outcome, Persistence, Pressed, ServerUrl, SessionManager,
    SessionToken, StorageError, TokenStore,
};

use crate::kratos::{shared, unique, unique_email};
use crate::support::{email_of, login, manager, register, values, PASSWORD};

#[test]
fn the_token_round_trips_through_the_os_keychain() {
    let store = KeychainStore::open_with_service(&unique("kratos-mobile-test")).expect(
        "a keychain (scripts/test.sh runs the tests in a D-Bus session with gnome-keyring)",
    );
    assert_eq!(
        store.persistence(),
        Persistence::Keychain,
        "Secret Service expected, not a fallback"
    );
    let server = ServerUrl::parse("http://127.0.0.1:4433").unwrap();
    let other = ServerUrl::parse("http://192.168.1.20:4433").unwrap();
    let token = SessionToken::new("ory_st_roundtrip_0123456789abcdef");
    store.save(&server, &token).unwrap();
    assert_eq!(store.load(&server).unwrap(), Some(token));
    assert_eq!(store.load(&other).unwrap(), None, "one entry per server");
    store.delete(&server).unwrap();
    assert_eq!(store.load(&server).unwrap(), None);
    store.delete(&server).expect("deleting nothing is fine");
}

#[tokio::test]
async fn a_session_stored_in_the_keychain_is_restored_after_a_restart() {
    let k = shared();
    let service = unique("kratos-mobile-test");
    let keychain: Arc<dyn TokenStore> =
        Arc::new(KeychainStore::open_with_service(&service).unwrap());
    let email = unique_email();
    let state = register(&SessionManager::new(k.client(), keychain.clone()), &email).await;
    assert!(
        matches!(
            state,
            AuthState::SignedIn {
                persistence: Persistence::Keychain,
                storage_problem: None,
                ..
            }
        ),
        "{state:?}"
    );

    // A new process: nothing in memory, only what the keychain kept.
    let reopened: Arc<dyn TokenStore> =
        Arc::new(KeychainStore::open_with_service(&service).unwrap());
    let restored = SessionManager::new(k.client(), reopened.clone())
        .restore()
        .await;
    assert_eq!(email_of(&restored), email);
    reopened.delete(&k.server_url()).unwrap();
}

/// A keychain that refuses everything, as a locked or missing Secret Service does.
struct RefusingKeychain;

impl TokenStore for RefusingKeychain {
    fn load(&self, _: &ServerUrl) -> Result<Option<SessionToken>, StorageError> {
        Err(StorageError(
            "Platform secure storage failure: no Secret Service".into(),
        ))
    }
    fn save(&self, _: &ServerUrl, _: &SessionToken) -> Result<(), StorageError> {
        Err(StorageError(
            "Platform secure storage failure: no Secret Service".into(),
        ))
    }
    fn delete(&self, _: &ServerUrl) -> Result<(), StorageError> {
        Err(StorageError(
            "Platform secure storage failure: no Secret Service".into(),
        ))
    }
    fn persistence(&self) -> Persistence {
        Persistence::Keychain
    }
}

#[tokio::test]
async fn without_a_keychain_sign_in_still_works_but_is_not_remembered() {
    let k = shared();
    let m = SessionManager::new(k.client(), Arc::new(RefusingKeychain));
    let restored = m.restore().await;
    assert!(
        matches!(
            restored,
            AuthState::SignedOut(kratos_mobile::auth::SignedOutReason::KeychainUnavailable(_))
        ),
        "{restored:?}"
    );
    let state = register(&m, &unique_email()).await;
    match state {
        AuthState::SignedIn {
            persistence,
            storage_problem,
            ..
        } => {
            assert_eq!(persistence, Persistence::Memory);
            assert!(storage_problem.is_some());
        }
        other => panic!("{other:?}"),
    }
    assert!(m.token().is_some(), "signed in for this run");
}

#[test]
fn with_no_session_bus_the_app_falls_back_to_memory_or_the_kernel_keyring_never_a_file() {
    // A child process of this test binary, with no D-Bus session and an empty HOME.
    if std::env::var_os("KM_NO_BUS_CHILD").is_some() {
        let store = kratos_mobile::auth::default_store();
        println!("PERSISTENCE={:?}", store.persistence());
        return;
    }
    let home = crate::kratos::temp_dir("no-bus-home");
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "keychain::with_no_session_bus_the_app_falls_back_to_memory_or_the_kernel_keyring_never_a_file", "--nocapture"])
        .env("KM_NO_BUS_CHILD", "1")
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .env("HOME", &home)
        .env("XDG_DATA_HOME", home.join("data"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("PERSISTENCE=Memory") || stdout.contains("PERSISTENCE=UntilReboot"),
        "{stdout}"
    );
    let written: Vec<_> = walk(&home);
    assert!(
        written.is_empty(),
        "files written without a keychain: {written:?}"
    );
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = entry.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn no_token_or_password_reaches_the_logs_of_a_full_register_login_logout_run() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let k = shared();
    let m = manager(k);
    let email = unique_email();
    register(&m, &email).await;
    let first = m.token().unwrap();
    m.logout().await.unwrap();
    let outcome = login(&m, &email, PASSWORD).await.unwrap();
    assert!(matches!(outcome, Outcome::SignedIn { .. }));
    let second = m.token().unwrap();
    // A failed login logs too.
    let flow = m.client().create_flow(FlowKind::Login, None).await.unwrap();
    let _ = m
        .client()
        .submit(
            &flow,
            &values(&[("identifier", &email), ("password", "wrong-password-999")]),
            &Pressed::method("password"),
            None,
        )
        .await;
    tracing::info!(?first, "debug of a token");
    m.logout().await.unwrap();

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("flow submitted"),
        "the run was logged: {logs}"
    );
    assert!(logs.contains("SessionToken([redacted])"));
    for secret in [
        first.expose_secret(),
        second.expose_secret(),
        PASSWORD,
        "wrong-password-999",
        "ory_st_",
    ] {
        assert!(!logs.contains(secret), "a secret reached the logs");
    }
    assert!(!logs.contains(&email), "traits reached the logs");
}
