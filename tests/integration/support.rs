//! Small helpers shared by the test modules.

use std::sync::Arc;

use kratos_mobile::auth::{
    AuthError, AuthState, Flow, FlowKind, FormValues, MemoryStore, Outcome, Pressed,
    SessionManager, TokenStore,
};

use crate::kratos::Kratos;

pub const PASSWORD: &str = "correct-horse-battery-staple-42";

pub fn values(pairs: &[(&str, &str)]) -> FormValues {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

pub fn manager(k: &Kratos) -> SessionManager {
    SessionManager::new(k.client(), Arc::new(MemoryStore::new()))
}

pub fn manager_with(k: &Kratos, store: Arc<dyn TokenStore>) -> SessionManager {
    SessionManager::new(k.client(), store)
}

/// Registers `email` in one step and returns the signed-in state.
pub async fn register(m: &SessionManager, email: &str) -> AuthState {
    match m
        .register(serde_json::json!({"email": email}), PASSWORD)
        .await
    {
        Ok(Outcome::SignedIn { state, .. }) => state,
        other => panic!("registration of {email} failed: {other:?}"),
    }
}

pub fn email_of(state: &AuthState) -> String {
    state
        .session()
        .and_then(|s| s.identity.as_ref())
        .and_then(|i| i.traits.get("email"))
        .and_then(|e| e.as_str())
        .unwrap_or_default()
        .to_string()
}

/// Signs in with a new login flow: 2 requests.
pub async fn login(
    m: &SessionManager,
    identifier: &str,
    password: &str,
) -> Result<Outcome, AuthError> {
    let flow = m.start(FlowKind::Login).await?;
    m.submit(
        &flow,
        &values(&[("identifier", identifier), ("password", password)]),
        &Pressed::method("password"),
    )
    .await
}

/// Submits `pairs` with the method `method` and expects Kratos to answer with the flow again (a
/// code sent, a wrong code, a step passed, settings saved).
pub async fn submit_for_flow(
    m: &SessionManager,
    flow: &Flow,
    pairs: &[(&str, &str)],
    method: &str,
) -> Flow {
    match m
        .submit(flow, &values(pairs), &Pressed::method(method))
        .await
    {
        Ok(Outcome::Flow(f)) => *f,
        other => panic!("expected the {method} submit to return the flow, got {other:?}"),
    }
}
