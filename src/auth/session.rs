//! The session state machine, free of any UI: restoring, signed out, signed in, offline with a
//! stored token, waiting for a second factor. `store` puts it in a Dioxus signal.

use std::sync::{Arc, Mutex};

use time::OffsetDateTime;
use tracing::{info, warn};

use super::body::{FormValues, Pressed};
use super::client::{KratosClient, LoginOptions, Submitted};
use super::error::AuthError;
use super::storage::{Persistence, StorageError, TokenStore};
use super::token::SessionToken;
use super::types::{Flow, FlowKind, Session, SessionGrant};

/// Why the app is signed out, for a message on the login screen.
#[derive(Clone, Debug, PartialEq)]
pub enum SignedOutReason {
    /// Nothing to say (first start, or after logout).
    None,
    /// The user logged out.
    LoggedOut,
    /// The stored session was revoked or expired.
    SessionEnded,
    /// The keychain could not be read; the detail is for the logs.
    KeychainUnavailable(String),
    /// The server changed; the old session stays with the old server.
    ServerChanged,
}

/// Where the app stands.
#[derive(Clone, Debug, PartialEq)]
pub enum AuthState {
    /// Checking a stored token with one `whoami`.
    Restoring,
    /// No session.
    SignedOut(SignedOutReason),
    /// A valid session.
    SignedIn {
        /// The session from Kratos.
        session: Box<Session>,
        /// The token, masked for display.
        masked_token: String,
        /// How long the token is kept on this device.
        persistence: Persistence,
        /// Why it is not kept, when saving it failed.
        storage_problem: Option<String>,
    },
    /// A token is stored but Kratos could not be asked about it; it is kept for a retry.
    Offline {
        /// What failed (for the message and the logs).
        reason: String,
    },
    /// Signed in with a first factor; Kratos requires a second one (`aal2`).
    SecondFactorRequired,
}

impl AuthState {
    /// Whether a session is active.
    pub fn is_signed_in(&self) -> bool {
        matches!(self, AuthState::SignedIn { .. })
    }

    /// The session, if signed in.
    pub fn session(&self) -> Option<&Session> {
        match self {
            AuthState::SignedIn { session, .. } => Some(session),
            _ => None,
        }
    }
}

/// What a submit led to.
#[derive(Debug)]
pub enum Outcome {
    /// Signed in (login, registration, a second factor, a refresh).
    SignedIn {
        /// The new state.
        state: AuthState,
        /// A verification flow registration started (its code is already sent).
        verification_flow: Option<String>,
    },
    /// The flow again, to render: a next step, a state change, or Kratos' messages.
    Flow(Box<Flow>),
}

/// Drives Kratos flows for one server and keeps the session token in a [`TokenStore`].
pub struct SessionManager {
    client: KratosClient,
    tokens: Arc<dyn TokenStore>,
    current: Mutex<Option<SessionToken>>,
}

impl SessionManager {
    /// A manager for `client`'s server, keeping tokens in `tokens`.
    pub fn new(client: KratosClient, tokens: Arc<dyn TokenStore>) -> Self {
        Self {
            client,
            tokens,
            current: Mutex::new(None),
        }
    }

    /// The Kratos client.
    pub fn client(&self) -> &KratosClient {
        &self.client
    }

    /// The current token, if any (held in memory for this run).
    pub fn token(&self) -> Option<SessionToken> {
        self.current.lock().ok().and_then(|t| t.clone())
    }

    fn set_token(&self, token: Option<SessionToken>) {
        if let Ok(mut current) = self.current.lock() {
            *current = token;
        }
    }

    async fn load_stored(&self) -> Result<Option<SessionToken>, StorageError> {
        let tokens = self.tokens.clone();
        let server = self.client.server().clone();
        run_blocking(self.tokens.may_block(), move || tokens.load(&server)).await
    }

    async fn save_stored(&self, token: SessionToken) -> Result<(), StorageError> {
        let tokens = self.tokens.clone();
        let server = self.client.server().clone();
        run_blocking(self.tokens.may_block(), move || {
            tokens.save(&server, &token)
        })
        .await
    }

    async fn delete_stored(&self) -> Result<(), StorageError> {
        let tokens = self.tokens.clone();
        let server = self.client.server().clone();
        run_blocking(self.tokens.may_block(), move || tokens.delete(&server)).await
    }

    /// On start: read the stored token and ask Kratos about it once (`whoami`).
    ///
    /// A revoked or expired session signs out and forgets the token; no answer at all
    /// (network, timeout, a broken proxy) is **not** a logout: the token stays.
    pub async fn restore(&self) -> AuthState {
        let token = match self.token() {
            Some(t) => Some(t),
            None => match self.load_stored().await {
                Ok(t) => t,
                Err(e) => {
                    warn!(error = %e, "could not read the keychain");
                    return AuthState::SignedOut(SignedOutReason::KeychainUnavailable(e.0));
                }
            },
        };
        let Some(token) = token else {
            return AuthState::SignedOut(SignedOutReason::None);
        };
        self.set_token(Some(token.clone()));
        self.check(&token).await
    }

    /// Asks Kratos about the current token again (pull to refresh, retry when offline).
    pub async fn refresh(&self) -> AuthState {
        match self.token() {
            Some(token) => self.check(&token).await,
            None => self.restore().await,
        }
    }

    async fn check(&self, token: &SessionToken) -> AuthState {
        match self.client.whoami(token).await {
            Ok(session) => self.signed_in(session, token, None),
            Err(AuthError::SessionInactive) => {
                info!("stored session is no longer valid");
                self.forget().await;
                AuthState::SignedOut(SignedOutReason::SessionEnded)
            }
            Err(AuthError::SecondFactorRequired) => AuthState::SecondFactorRequired,
            Err(e) => {
                warn!(error = %e, "could not check the session; keeping the token");
                AuthState::Offline {
                    reason: e.to_string(),
                }
            }
        }
    }

    fn signed_in(
        &self,
        session: Session,
        token: &SessionToken,
        storage_problem: Option<String>,
    ) -> AuthState {
        let persistence = if storage_problem.is_some() {
            Persistence::Memory
        } else {
            self.tokens.persistence()
        };
        AuthState::SignedIn {
            session: Box::new(session),
            masked_token: token.masked(),
            persistence,
            storage_problem,
        }
    }

    async fn forget(&self) {
        self.set_token(None);
        if let Err(e) = self.delete_stored().await {
            warn!(error = %e, "could not delete the stored token");
        }
    }

    /// Creates a flow. Login and registration while a session exists answer
    /// `AuthError::AlreadySignedIn`; settings send the token.
    pub async fn start(&self, kind: FlowKind) -> Result<Flow, AuthError> {
        let token = self.token();
        match kind {
            FlowKind::Settings => {
                let token = token.ok_or(AuthError::SessionInactive)?;
                self.client.create_flow(kind, Some(&token)).await
            }
            FlowKind::Login | FlowKind::Registration => {
                self.client.create_flow(kind, token.as_ref()).await
            }
            _ => self.client.create_flow(kind, None).await,
        }
    }

    /// Creates a login flow for the current session: `refresh=true` (confirm the password) or
    /// `aal=aal2` (second factor).
    pub async fn start_login(&self, refresh: bool, aal2: bool) -> Result<Flow, AuthError> {
        let token = self.token();
        self.client
            .create_login_flow(LoginOptions {
                refresh,
                aal2,
                token: token.as_ref(),
            })
            .await
    }

    /// Fetches a flow by id (e.g. the verification flow `continue_with` named).
    pub async fn resume(&self, kind: FlowKind, id: &str) -> Result<Flow, AuthError> {
        let token = if kind == FlowKind::Settings {
            self.token()
        } else {
            None
        };
        self.client.get_flow(kind, id, token.as_ref()).await
    }

    /// Submits a flow. A session granted by login or registration is taken: its token goes to
    /// the keychain (if that fails the person is still signed in, for this run only).
    pub async fn submit(
        &self,
        flow: &Flow,
        values: &FormValues,
        pressed: &Pressed,
    ) -> Result<Outcome, AuthError> {
        let send_token = match flow.kind() {
            FlowKind::Settings => self.token(),
            FlowKind::Login
                if flow.refresh == Some(true) || flow.requested_aal.as_deref() == Some("aal2") =>
            {
                self.token()
            }
            _ => None,
        };
        match self
            .client
            .submit(flow, values, pressed, send_token.as_ref())
            .await?
        {
            Submitted::Session(grant) => self.accept(&grant).await,
            Submitted::Flow(next) => {
                if let Some(token) = next.continue_with.iter().find_map(|c| match c {
                    super::types::ContinueWith::SetOrySessionToken { ory_session_token } => {
                        Some(ory_session_token.clone())
                    }
                    _ => None,
                }) {
                    // Recovery: a new session to change the password with.
                    self.set_token(Some(token.clone()));
                    if let Err(e) = self.save_stored(token).await {
                        warn!(error = %e, "could not store the recovery session token");
                    }
                }
                Ok(Outcome::Flow(next))
            }
        }
    }

    /// One-step registration: `{method: "password", traits, password}` on a new registration
    /// flow (2 requests), for callers that collect traits and password together.
    pub async fn register(
        &self,
        traits: serde_json::Value,
        password: &str,
    ) -> Result<Outcome, AuthError> {
        let flow = self
            .client
            .create_flow(FlowKind::Registration, None)
            .await?;
        let body =
            serde_json::json!({"method": "password", "traits": traits, "password": password});
        match self.client.submit_json(&flow, &body, None).await? {
            Submitted::Session(grant) => self.accept(&grant).await,
            Submitted::Flow(next) => Ok(Outcome::Flow(next)),
        }
    }

    /// Takes the session of a successful login or registration.
    pub async fn accept(&self, grant: &SessionGrant) -> Result<Outcome, AuthError> {
        let verification_flow = grant.verification_flow_id().map(str::to_string);
        let Some(token) = grant.token().cloned() else {
            // Registration without the `session` hook: an account, but no session.
            warn!(
                "kratos granted no session token (is the registration `session` hook configured?)"
            );
            return Ok(Outcome::SignedIn {
                state: AuthState::SignedOut(SignedOutReason::None),
                verification_flow,
            });
        };
        self.set_token(Some(token.clone()));
        let storage_problem = match self.save_stored(token.clone()).await {
            Ok(()) => None,
            Err(e) => {
                warn!(error = %e, "could not store the session token; it lasts for this run only");
                Some(e.0)
            }
        };
        let state = match grant.session.clone() {
            Some(session) if session.identity.is_some() => {
                self.signed_in(session, &token, storage_problem)
            }
            _ => match self.client.whoami(&token).await {
                Ok(session) => self.signed_in(session, &token, storage_problem),
                Err(AuthError::SecondFactorRequired) => AuthState::SecondFactorRequired,
                Err(e) => return Err(e),
            },
        };
        Ok(Outcome::SignedIn {
            state,
            verification_flow,
        })
    }

    /// Logs out: `DELETE /self-service/logout/api`, then forgets the token. When Kratos can't be
    /// reached the session stays (nothing is lost) and the error says why.
    pub async fn logout(&self) -> Result<AuthState, AuthError> {
        if let Some(token) = self.token() {
            self.client.logout(&token).await?;
        }
        self.forget().await;
        Ok(AuthState::SignedOut(SignedOutReason::LoggedOut))
    }

    /// When the session ends, if Kratos said.
    pub fn expires_at(state: &AuthState) -> Option<OffsetDateTime> {
        state.session().and_then(|s| s.expires_at)
    }
}

/// Runs a keychain call off the async threads when it may block (D-Bus and keystore calls do).
async fn run_blocking<T: Send + 'static>(
    may_block: bool,
    f: impl FnOnce() -> Result<T, StorageError> + Send + 'static,
) -> Result<T, StorageError> {
    match tokio::runtime::Handle::try_current() {
        Ok(handle) if may_block => handle
            .spawn_blocking(f)
            .await
            .unwrap_or_else(|e| Err(StorageError(format!("keychain task failed: {e}")))),
        _ => f(),
    }
}
