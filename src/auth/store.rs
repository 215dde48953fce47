//! The session store: the [`SessionManager`]'s state in a Dioxus signal, provided once through
//! context and read with [`use_auth`].

use std::sync::Arc;

use dioxus::prelude::*;

use super::body::{FormValues, Pressed};
use super::error::AuthError;
use super::session::{AuthState, Outcome, SessionManager};
use super::types::{Flow, FlowKind};

/// The app-wide auth store. `Copy`: pass it into closures and tasks freely.
#[derive(Clone, Copy, PartialEq)]
pub struct AuthStore {
    state: Signal<AuthState>,
    manager: Signal<Arc<SessionManager>>,
}

impl AuthStore {
    /// Creates the store (inside a component) for `manager`, starting in `Restoring`.
    pub fn new(manager: Arc<SessionManager>) -> Self {
        Self {
            state: Signal::new(AuthState::Restoring),
            manager: Signal::new(manager),
        }
    }

    /// The current state (subscribes the caller).
    pub fn state(&self) -> ReadSignal<AuthState> {
        self.state.into()
    }

    /// The manager behind the store.
    pub fn manager(&self) -> Arc<SessionManager> {
        self.manager.peek().clone()
    }

    /// Replaces the manager (another server). The old session stays with the old server.
    pub fn switch(&mut self, manager: Arc<SessionManager>, reason: AuthState) {
        self.manager.set(manager);
        self.state.set(reason);
    }

    /// Checks the stored token with one `whoami`.
    pub async fn restore(mut self) {
        self.state.set(AuthState::Restoring);
        let state = self.manager().restore().await;
        self.state.set(state);
    }

    /// Checks the current token again.
    pub async fn refresh(mut self) {
        let state = self.manager().refresh().await;
        self.state.set(state);
    }

    /// Creates a flow.
    pub async fn start(self, kind: FlowKind) -> Result<Flow, AuthError> {
        self.manager().start(kind).await
    }

    /// Submits a flow; a granted session updates the state.
    pub async fn submit(
        mut self,
        flow: Flow,
        values: FormValues,
        pressed: Pressed,
    ) -> Result<Outcome, AuthError> {
        let outcome = self.manager().submit(&flow, &values, &pressed).await?;
        if let Outcome::SignedIn { state, .. } = &outcome {
            self.state.set(state.clone());
        }
        Ok(outcome)
    }

    /// Logs out; on failure the state stays and the error says why.
    pub async fn logout(mut self) -> Result<(), AuthError> {
        let state = self.manager().logout().await?;
        self.state.set(state);
        Ok(())
    }

    /// Sets the state directly (e.g. `SignedOut` after Kratos said the session ended).
    pub fn set(&mut self, state: AuthState) {
        self.state.set(state);
    }
}

/// The auth store provided by the app root.
pub fn use_auth() -> AuthStore {
    use_context::<AuthStore>()
}
