//! Alerts, and the plain words a person is shown for each [`AuthError`].

use dioxus::prelude::*;

use crate::auth::AuthError;

/// How an alert looks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlertKind {
    /// Something to know.
    Info,
    /// Something went right.
    Success,
    /// Something to act on.
    Error,
}

impl AlertKind {
    fn class(self) -> &'static str {
        match self {
            AlertKind::Info => "alert alert-info",
            AlertKind::Success => "alert alert-success",
            AlertKind::Error => "alert alert-error",
        }
    }
}

/// A message box.
#[component]
pub fn Alert(kind: AlertKind, message: String) -> Element {
    let role = if kind == AlertKind::Error {
        "alert"
    } else {
        "status"
    };
    rsx! {
        div { class: kind.class(), role, "data-testid": "alert", "{message}" }
    }
}

/// What a person is told when `err` happens, in plain words with what to do next. Details stay
/// in the logs.
pub fn explain(err: &AuthError) -> String {
    match err {
        AuthError::Unreachable { server, .. } => format!(
            "Can't reach Kratos at {server} — is it running and bound to 0.0.0.0 (serve.public.host in kratos.yml), does the computer's firewall let port {port} through, and is this device on the same network? Check the address on the Server screen.",
            port = url::Url::parse(server).ok().and_then(|u| u.port_or_known_default()).unwrap_or(4433)
        ),
        AuthError::Timeout { server, seconds } => format!(
            "Kratos at {server} didn't answer within {seconds} seconds. Check your connection and try again."
        ),
        AuthError::FlowRejected(_) => "Please check the highlighted fields.".to_string(),
        AuthError::FlowExpired { .. } => {
            "This form timed out. We loaded a fresh one — your input is kept; submit again.".to_string()
        }
        AuthError::AlreadySignedIn => "You're already signed in.".to_string(),
        AuthError::SessionInactive => "Your session has ended. Please sign in again.".to_string(),
        AuthError::RefreshRequired => {
            "For your security, please confirm your password to make this change.".to_string()
        }
        AuthError::SecondFactorRequired => {
            "Your account needs a second factor (an authenticator code) to continue.".to_string()
        }
        AuthError::BrowserRedirectRequired { .. } => {
            "Kratos wants to continue in a web browser, which this app doesn't support for this flow. Check the Kratos configuration (feature_flags.use_continue_with_transitions).".to_string()
        }
        AuthError::Server { status, id, .. } if *status >= 500 => format!(
            "Kratos had a problem ({status}{}). Try again in a moment; if it keeps happening, check the Kratos logs.",
            id.as_deref().map(|i| format!(", {i}")).unwrap_or_default()
        ),
        AuthError::Server { status, id, .. } => format!(
            "Kratos refused the request ({status}{}). Try again; if it keeps happening, check the Kratos logs.",
            id.as_deref().map(|i| format!(", {i}")).unwrap_or_default()
        ),
        AuthError::Undecodable { server, .. } => format!(
            "The server at {server} answered with something that isn't Kratos — a proxy, a captive portal or the wrong port? Check the address on the Server screen."
        ),
        AuthError::Keychain(_) => {
            "The device keychain isn't available, so you'll need to sign in again next time.".to_string()
        }
        AuthError::ServerUrl(e) => e.to_string(),
    }
}
