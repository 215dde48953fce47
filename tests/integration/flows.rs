//! The `auth` module against the real Kratos: the stories a person can reach, and every bad
//! input surfacing as the message Kratos sent.

use std::sync::Arc;
use std::time::Duration;

use kratos_mobile::auth::{
    AuthError, AuthState, FlowKind, MemoryStore, Outcome, Pressed, SignedOutReason, TokenStore,
};

use crate::kratos::{shared, unique_email, wait_until, Kratos, Options};
use crate::support::{
    email_of, login, manager, manager_with, register, submit_for_flow, values, PASSWORD,
};

fn rejected(result: Result<Outcome, AuthError>) -> Box<kratos_mobile::auth::Flow> {
    match result {
        Err(AuthError::FlowRejected(flow)) => flow,
        other => panic!("expected Kratos to return the flow with messages, got {other:?}"),
    }
}

fn field_message_ids(flow: &kratos_mobile::auth::Flow, name: &str) -> Vec<u64> {
    flow.ui
        .nodes
        .iter()
        .filter(|n| matches!(&n.attributes, kratos_mobile::auth::NodeAttributes::Input(i) if i.name == name))
        .flat_map(|n| n.messages.iter().map(|m| m.id))
        .collect()
}

#[tokio::test]
async fn registers_then_whoami_then_logs_out_then_the_old_token_is_rejected_then_signs_in() {
    let k = shared();
    let m = manager(k);
    let email = unique_email();
    let state = register(&m, &email).await;
    assert_eq!(email_of(&state), email);
    let token = m.token().expect("a token after registration");

    let session = k.client().whoami(&token).await.unwrap();
    assert_eq!(session.identity.unwrap().traits["email"], email.as_str());

    assert_eq!(
        m.logout().await.unwrap(),
        AuthState::SignedOut(SignedOutReason::LoggedOut)
    );
    assert!(m.token().is_none());
    assert!(matches!(
        k.client().whoami(&token).await,
        Err(AuthError::SessionInactive)
    ));

    match login(&m, &email, PASSWORD).await.unwrap() {
        Outcome::SignedIn { state, .. } => assert_eq!(email_of(&state), email),
        other => panic!("login failed: {other:?}"),
    }
    let new_token = m.token().unwrap();
    assert_ne!(new_token, token);
}

#[tokio::test]
async fn two_step_registration_asks_for_the_password_second() {
    let k = shared();
    let m = manager(k);
    let email = unique_email();
    let first = m.start(FlowKind::Registration).await.unwrap();
    assert!(first.input("traits.email").is_some());
    assert!(
        first.input("password").is_none(),
        "Kratos' default registration is two-step"
    );

    let second = rejected(
        m.submit(
            &first,
            &values(&[("traits.email", &email)]),
            &Pressed::method("profile"),
        )
        .await,
    );
    assert!(
        second.input("password").is_some(),
        "step two carries the password field"
    );
    assert_eq!(second.input("traits.email").unwrap().value_text(), email);

    match m
        .submit(
            &second,
            &values(&[("password", PASSWORD)]),
            &Pressed::method("password"),
        )
        .await
        .unwrap()
    {
        Outcome::SignedIn {
            state,
            verification_flow,
        } => {
            assert_eq!(email_of(&state), email);
            assert!(
                verification_flow.is_some(),
                "registration starts email verification"
            );
        }
        other => panic!("step two failed: {other:?}"),
    }
}

#[tokio::test]
async fn a_wrong_password_shows_kratos_message_4000006() {
    let k = shared();
    let email = unique_email();
    register(&manager(k), &email).await;
    let flow = rejected(login(&manager(k), &email, "not-the-password-123").await);
    assert!(flow.has_message(4000006), "{flow:?}");
}

#[tokio::test]
async fn a_duplicate_account_shows_kratos_message_4000007() {
    let k = shared();
    let email = unique_email();
    register(&manager(k), &email).await;
    match manager(k)
        .register(serde_json::json!({"email": email}), PASSWORD)
        .await
    {
        Err(AuthError::FlowRejected(flow)) => assert!(flow.has_message(4000007), "{flow:?}"),
        other => panic!("expected the duplicate to be refused, got {other:?}"),
    }
}

#[tokio::test]
async fn weak_passwords_show_kratos_field_messages() {
    let k = shared();
    let email = unique_email();
    let too_short = match manager(k)
        .register(serde_json::json!({"email": email}), "abc12")
        .await
    {
        Err(AuthError::FlowRejected(flow)) => flow,
        other => panic!("short password accepted? {other:?}"),
    };
    assert!(
        field_message_ids(&too_short, "password").contains(&4000032),
        "{too_short:?}"
    );

    let similar = match manager(k)
        .register(serde_json::json!({"email": email}), &email)
        .await
    {
        Err(AuthError::FlowRejected(flow)) => flow,
        other => panic!("password equal to the email accepted? {other:?}"),
    };
    assert!(
        field_message_ids(&similar, "password").contains(&4000031),
        "{similar:?}"
    );
}

#[tokio::test]
async fn missing_identifier_password_and_a_malformed_email_show_field_messages() {
    let k = shared();
    let no_identifier = rejected(login(&manager(k), "", PASSWORD).await);
    assert!(
        field_message_ids(&no_identifier, "identifier").contains(&4000002),
        "{no_identifier:?}"
    );

    let no_password = rejected(login(&manager(k), &unique_email(), "").await);
    assert!(
        field_message_ids(&no_password, "password").contains(&4000002),
        "{no_password:?}"
    );

    let m = manager(k);
    let flow = m.start(FlowKind::Registration).await.unwrap();
    let bad = rejected(
        m.submit(
            &flow,
            &values(&[("traits.email", "not-an-email")]),
            &Pressed::method("profile"),
        )
        .await,
    );
    // Kratos v1.3.1 reports a malformed email as 4000001 ("is not valid \"email\""), not 4000004.
    assert!(
        field_message_ids(&bad, "traits.email").contains(&4000001),
        "{bad:?}"
    );
}

#[tokio::test]
async fn an_expired_login_flow_continues_on_the_new_flow_with_the_input_kept() {
    let k = Kratos::start(Options {
        extra_yaml: "selfservice:\n  flows:\n    login:\n      lifespan: 2s\n".into(),
        ..Options::default()
    });
    let email = unique_email();
    register(&manager(&k), &email).await;

    let m = manager(&k);
    let flow = m.start(FlowKind::Login).await.unwrap();
    let expires = flow.expires_at.expect("flow has an expiry");
    wait_until("the login flow to expire", Duration::from_secs(10), || {
        time::OffsetDateTime::now_utc() > expires + time::Duration::milliseconds(200)
    });
    let outcome = m
        .submit(
            &flow,
            &values(&[("identifier", &email), ("password", PASSWORD)]),
            &Pressed::method("password"),
        )
        .await
        .expect("the submit continues on the flow Kratos names in use_flow_id");
    match outcome {
        Outcome::SignedIn { state, .. } => assert_eq!(email_of(&state), email),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_signed_in_user_creating_a_login_flow_is_told_they_are_signed_in() {
    let k = shared();
    let m = manager(k);
    register(&m, &unique_email()).await;
    assert!(matches!(
        m.start(FlowKind::Login).await,
        Err(AuthError::AlreadySignedIn)
    ));
}

#[tokio::test]
async fn restoring_a_revoked_session_signs_out_and_forgets_the_token() {
    let k = shared();
    let store: Arc<dyn TokenStore> = Arc::new(MemoryStore::new());
    let m = manager_with(k, store.clone());
    register(&m, &unique_email()).await;
    let token = m.token().unwrap();
    k.client().logout(&token).await.unwrap();

    let restarted = manager_with(k, store.clone());
    assert_eq!(
        restarted.restore().await,
        AuthState::SignedOut(SignedOutReason::SessionEnded)
    );
    assert!(store.load(&k.server_url()).unwrap().is_none());
}

#[tokio::test]
async fn restoring_while_kratos_is_down_keeps_the_token_and_signs_in_once_it_is_back() {
    // The default file database outlives the restart.
    let mut k = Kratos::start(Options::default());
    let store: Arc<dyn TokenStore> = Arc::new(MemoryStore::new());
    let email = unique_email();
    register(&manager_with(&k, store.clone()), &email).await;

    k.stop();
    let offline = manager_with(&k, store.clone()).restore().await;
    assert!(matches!(offline, AuthState::Offline { .. }), "{offline:?}");
    assert!(
        store.load(&k.server_url()).unwrap().is_some(),
        "no network is not a logout"
    );

    k.restart();
    let back = manager_with(&k, store.clone()).restore().await;
    assert_eq!(email_of(&back), email);
}

#[tokio::test]
async fn tokens_are_kept_per_server_and_never_sent_to_another() {
    let k = shared();
    let store: Arc<dyn TokenStore> = Arc::new(MemoryStore::new());
    register(&manager_with(k, store.clone()), &unique_email()).await;
    let other = kratos_mobile::auth::ServerUrl::parse("http://127.0.0.2:4433").unwrap();
    assert!(store.load(&other).unwrap().is_none());
    assert!(store.load(&k.server_url()).unwrap().is_some());
}

#[tokio::test]
async fn registration_starts_verification_and_the_mailed_code_verifies_the_address() {
    let k = shared();
    let m = manager(k);
    let email = unique_email();
    let flow_id = match m
        .register(serde_json::json!({"email": email}), PASSWORD)
        .await
        .unwrap()
    {
        Outcome::SignedIn {
            verification_flow, ..
        } => verification_flow.expect("continue_with names a verification flow"),
        other => panic!("{other:?}"),
    };
    let flow = m.resume(FlowKind::Verification, &flow_id).await.unwrap();
    assert_eq!(flow.state.as_deref(), Some("sent_email"));

    // A wrong code answers 200 with the flow again and message 4070006.
    let wrong = submit_for_flow(&m, &flow, &[("code", "000000")], "code").await;
    assert!(wrong.has_message(4070006), "{wrong:?}");

    let code = k.code_for(&email);
    let passed = submit_for_flow(&m, &wrong, &[("code", &code)], "code").await;
    assert_eq!(
        passed.state.as_deref(),
        Some("passed_challenge"),
        "{passed:?}"
    );
    let session = k.client().whoami(&m.token().unwrap()).await.unwrap();
    assert!(session
        .identity
        .unwrap()
        .verifiable_addresses
        .iter()
        .any(|a| a.verified));
}

#[tokio::test]
async fn other_sessions_are_listed_and_revoked_but_the_current_one_stays() {
    let k = shared();
    let email = unique_email();
    let first = manager(k);
    register(&first, &email).await;
    let second = manager(k);
    assert!(matches!(
        login(&second, &email, PASSWORD).await.unwrap(),
        Outcome::SignedIn { .. }
    ));
    let third = manager(k);
    assert!(matches!(
        login(&third, &email, PASSWORD).await.unwrap(),
        Outcome::SignedIn { .. }
    ));

    let token = first.token().unwrap();
    let others = k.client().list_sessions(&token).await.unwrap();
    assert_eq!(others.len(), 2, "the two other devices");
    k.client()
        .revoke_session(&token, &others[0].id)
        .await
        .unwrap();
    let left: Vec<_> = k
        .client()
        .list_sessions(&token)
        .await
        .unwrap()
        .into_iter()
        .filter(|s| s.active)
        .collect();
    assert_eq!(left.len(), 1, "one other device left");
    // Kratos v1.3.1 counts the already revoked session too.
    assert!(k.client().revoke_other_sessions(&token).await.unwrap() >= 1);
    assert!(k
        .client()
        .list_sessions(&token)
        .await
        .unwrap()
        .iter()
        .all(|s| !s.active));
    assert!(
        k.client().whoami(&token).await.is_ok(),
        "the current session stays"
    );
    assert!(matches!(
        k.client().whoami(&second.token().unwrap()).await,
        Err(AuthError::SessionInactive)
    ));
    assert!(matches!(
        k.client().whoami(&third.token().unwrap()).await,
        Err(AuthError::SessionInactive)
    ));
}

#[tokio::test]
async fn recovery_by_code_gives_a_session_that_sets_a_new_password() {
    let k = shared();
    let email = unique_email();
    register(&manager(k), &email).await;

    let m = manager(k);
    let flow = m.start(FlowKind::Recovery).await.unwrap();
    let sent = submit_for_flow(&m, &flow, &[("email", &email)], "code").await;
    assert_eq!(sent.state.as_deref(), Some("sent_email"));
    let code = k.code_for(&email);
    let passed = submit_for_flow(&m, &sent, &[("code", &code)], "code").await;
    assert_eq!(
        passed.state.as_deref(),
        Some("passed_challenge"),
        "{passed:?}"
    );
    assert!(
        m.token().is_some(),
        "recovery hands the app a session token"
    );
    let settings_id = passed
        .continue_with
        .iter()
        .find_map(|c| match c {
            kratos_mobile::auth::ContinueWith::ShowSettingsUi { flow } => Some(flow.id.clone()),
            _ => None,
        })
        .expect("continue_with show_settings_ui");

    let settings = m.resume(FlowKind::Settings, &settings_id).await.unwrap();
    let new_password = "a-brand-new-password-2026";
    let saved = submit_for_flow(&m, &settings, &[("password", new_password)], "password").await;
    assert_eq!(saved.state.as_deref(), Some("success"), "{saved:?}");

    let fresh = manager(k);
    assert!(matches!(
        login(&fresh, &email, PASSWORD).await,
        Err(AuthError::FlowRejected(_))
    ));
    assert!(matches!(
        login(&fresh, &email, new_password).await.unwrap(),
        Outcome::SignedIn { .. }
    ));
}

#[tokio::test]
async fn confirming_the_password_refreshes_the_session_and_keeps_the_token() {
    let k = shared();
    let m = manager(k);
    let email = unique_email();
    let before = register(&m, &email).await;
    let token = m.token().unwrap();
    let flow = m.start_login(true, false).await.unwrap();
    assert_eq!(flow.refresh, Some(true));
    let after = match m
        .submit(
            &flow,
            &values(&[("identifier", &email), ("password", PASSWORD)]),
            &Pressed::method("password"),
        )
        .await
        .unwrap()
    {
        Outcome::SignedIn { state, .. } => state,
        other => panic!("{other:?}"),
    };
    assert_eq!(m.token().unwrap(), token, "the same token comes back");
    let at = |s: &AuthState| s.session().and_then(|s| s.authenticated_at).unwrap();
    assert!(at(&after) > at(&before), "authenticated_at moved forward");
}
