//! The one error type of the `auth` module. Each variant is a case a person must be told
//! differently; the words they see are chosen at the view edge (`crate::components::alert`).

use super::server_url::ServerUrlError;
use super::types::Flow;

/// Everything that can go wrong talking to Kratos or the keychain.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// No connection could be made (refused, DNS, reset, TLS). The stored token is kept.
    #[error("can't reach Kratos at {server}: {detail}")]
    Unreachable {
        /// The configured server URL.
        server: String,
        /// The transport error, for the logs.
        detail: String,
    },
    /// Kratos did not answer in time. The stored token is kept.
    #[error("Kratos at {server} did not answer within {seconds} s")]
    Timeout {
        /// The configured server URL.
        server: String,
        /// The request timeout that ran out.
        seconds: u64,
    },
    /// Kratos answered 400 with the flow again: re-render it with its messages. (Also how the
    /// second step of Kratos' two-step registration arrives.)
    #[error("Kratos returned the form again (flow {}, messages {:?})", .0.id, .0.all_messages().map(|m| m.id).collect::<Vec<_>>())]
    FlowRejected(Box<Flow>),
    /// The flow expired and could not be continued; start a new one (the input is the caller's
    /// to keep).
    #[error("the {kind} flow expired")]
    FlowExpired {
        /// Which flow.
        kind: &'static str,
    },
    /// A session is already active for the token sent (`session_already_available`).
    #[error("already signed in")]
    AlreadySignedIn,
    /// The session token is missing, revoked or expired (401).
    #[error("the session is no longer valid")]
    SessionInactive,
    /// The session is too old for this change: sign in again (`session_refresh_required`).
    #[error("Kratos asks to confirm the password again")]
    RefreshRequired,
    /// The session needs a second factor (`session_aal2_required`).
    #[error("a second factor is required")]
    SecondFactorRequired,
    /// Kratos wants a browser (`browser_location_change_required`, 422): OIDC or a
    /// misconfigured flow.
    #[error("Kratos asks for a browser redirect")]
    BrowserRedirectRequired {
        /// Where the browser would go (for the logs).
        to: Option<String>,
    },
    /// Kratos answered with an error status.
    #[error("Kratos answered {status} ({})", id.as_deref().unwrap_or("no error id"))]
    Server {
        /// The HTTP status.
        status: u16,
        /// Kratos' error id, if any.
        id: Option<String>,
        /// Kratos' reason, for the logs.
        reason: Option<String>,
    },
    /// The answer was not what Kratos sends (an HTML page from a proxy, cut-off JSON, …).
    #[error("unexpected answer from {server} (status {status}): {detail}; body starts: {body}")]
    Undecodable {
        /// The configured server URL.
        server: String,
        /// The HTTP status.
        status: u16,
        /// The decode error.
        detail: String,
        /// The first few hundred characters of the body, for the logs.
        body: String,
    },
    /// The keychain could not be used.
    #[error("keychain: {0}")]
    Keychain(String),
    /// The server URL is not acceptable.
    #[error(transparent)]
    ServerUrl(#[from] ServerUrlError),
}

impl AuthError {
    /// Whether this is a transport failure (no answer): a stored token must survive it.
    pub fn is_transport(&self) -> bool {
        matches!(
            self,
            AuthError::Unreachable { .. } | AuthError::Timeout { .. }
        )
    }

    /// Whether the server sent something unusable or failed: also no reason to drop a token.
    pub fn is_server_fault(&self) -> bool {
        matches!(self, AuthError::Undecodable { .. })
            || matches!(self, AuthError::Server { status, .. } if *status >= 500)
    }
}
