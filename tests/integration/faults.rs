//! Through a fault-injecting proxy in front of the real Kratos: every failure is a clear error,
//! nothing panics, and a stored token is never lost. The same proxy counts requests.

use std::sync::Arc;
use std::time::Duration;

use kratos_mobile::auth::{
    AuthError, AuthState, FlowKind, KratosClient, MemoryStore, Outcome, ServerUrl, SessionManager,
    Timeouts, TokenStore,
};

use crate::kratos::{shared, unique_email};
use crate::proxy::{Fault, Proxy};
use crate::support::{email_of, login, PASSWORD};

fn via(proxy: &Proxy, store: Arc<dyn TokenStore>) -> SessionManager {
    let timeouts = Timeouts {
        connect: Duration::from_secs(2),
        request: Duration::from_secs(2),
    };
    let client =
        KratosClient::with_timeouts(ServerUrl::parse(&proxy.url()).unwrap(), timeouts).unwrap();
    SessionManager::new(client, store)
}

#[tokio::test]
async fn every_fault_is_a_clear_error_and_the_stored_token_survives() {
    let k = shared();
    let proxy = Proxy::start(k.public_port).await;
    let store: Arc<dyn TokenStore> = Arc::new(MemoryStore::new());
    let email = unique_email();
    let m = via(&proxy, store.clone());
    crate::support::register(&m, &email).await;
    let server = ServerUrl::parse(&proxy.url()).unwrap();
    let stored = store.load(&server).unwrap().expect("token stored");

    type Expect = fn(&AuthError) -> bool;
    let cases: [(Fault, Expect); 5] = [
        (Fault::Stall, |e| matches!(e, AuthError::Timeout { .. })),
        (Fault::Status500, |e| {
            matches!(e, AuthError::Server { status: 500, .. })
        }),
        (Fault::HtmlPage, |e| {
            matches!(e, AuthError::Undecodable { status: 200, .. })
        }),
        (Fault::TruncateJson, |e| {
            matches!(e, AuthError::Undecodable { .. })
        }),
        (Fault::Drop, |e| matches!(e, AuthError::Unreachable { .. })),
    ];
    for (fault, expected) in cases {
        proxy.set(fault.clone());
        // Restoring on start: offline, not signed out; the token stays.
        let restarted = via(&proxy, store.clone());
        let state = restarted.restore().await;
        assert!(
            matches!(state, AuthState::Offline { .. }),
            "{fault:?}: {state:?}"
        );
        assert_eq!(
            store.load(&server).unwrap().as_ref(),
            Some(&stored),
            "{fault:?} lost the token"
        );

        // Starting a login: the error says what kind of failure it was.
        let fresh = via(&proxy, Arc::new(MemoryStore::new()));
        let err = fresh
            .start(FlowKind::Login)
            .await
            .expect_err("a fault must surface");
        assert!(expected(&err), "{fault:?} gave {err:?}");

        // Logging out through a fault keeps the session: nothing is lost. (Logout answers 204
        // with no body, so there is nothing to truncate: that fault lets it through.)
        if fault == Fault::TruncateJson {
            continue;
        }
        let err = restarted
            .logout()
            .await
            .expect_err(&format!("logout through {fault:?} must fail"));
        assert!(expected(&err), "{fault:?} logout gave {err:?}");
        assert!(
            store.load(&server).unwrap().is_some(),
            "{fault:?}: logout failure dropped the token"
        );
    }

    proxy.set(Fault::None);
    let back = via(&proxy, store.clone()).restore().await;
    assert_eq!(email_of(&back), email);
}

#[tokio::test]
async fn login_and_registration_take_two_requests_restore_and_logout_one() {
    let k = shared();
    let proxy = Proxy::start(k.public_port).await;
    let store: Arc<dyn TokenStore> = Arc::new(MemoryStore::new());
    let email = unique_email();

    let m = via(&proxy, store.clone());
    proxy.reset();
    crate::support::register(&m, &email).await;
    assert_eq!(proxy.count(), 2, "registration: {:?}", proxy.seen());

    proxy.reset();
    m.logout().await.unwrap();
    assert_eq!(
        proxy.seen(),
        vec!["DELETE /self-service/logout/api".to_string()]
    );

    proxy.reset();
    let outcome = login(&m, &email, PASSWORD).await.unwrap();
    assert!(matches!(outcome, Outcome::SignedIn { .. }));
    assert_eq!(proxy.count(), 2, "login: {:?}", proxy.seen());

    proxy.reset();
    let restored = via(&proxy, store.clone()).restore().await;
    assert_eq!(email_of(&restored), email);
    assert_eq!(proxy.seen(), vec!["GET /sessions/whoami".to_string()]);
}
