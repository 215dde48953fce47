//! The sign-in screen.

use dioxus::prelude::*;

use crate::app::{Flash, Route};
use crate::auth::store::use_auth;
use crate::auth::{AuthState, FlowKind, SignedOutReason};
use crate::components::{Alert, AlertKind};
use crate::views::FlowScreen;

/// Sign in with the login flow; says why the person is here when there is a reason.
#[component]
pub fn Login() -> Element {
    let store = use_auth();
    let state = store.state();
    let nav = use_navigator();
    let Flash(mut flash) = use_context::<Flash>();
    let flashed = use_hook(move || flash.take());
    use_effect(move || {
        if state.read().is_signed_in() {
            nav.replace(Route::Home {});
        }
    });
    let reason = match &*state.read() {
        AuthState::SignedOut(SignedOutReason::SessionEnded) => {
            Some((AlertKind::Info, "Your session has ended. Please sign in again.".to_string()))
        }
        AuthState::SignedOut(SignedOutReason::LoggedOut) => Some((AlertKind::Success, "You're signed out.".to_string())),
        AuthState::SignedOut(SignedOutReason::ServerChanged) => Some((
            AlertKind::Info,
            "You switched servers. Sign in to this one; your session on the other server stays there.".to_string(),
        )),
        AuthState::SignedOut(SignedOutReason::KeychainUnavailable(_)) => Some((
            AlertKind::Info,
            "This device's keychain isn't available, so you'll stay signed in only until the app closes.".to_string(),
        )),
        _ => None,
    };
    rsx! {
        section { class: "screen", "data-testid": "screen-login",
            h2 { class: "screen-title", "Sign in" }
            if let Some(message) = flashed {
                Alert { kind: AlertKind::Info, message }
            }
            if let Some((kind, message)) = reason {
                Alert { kind, message }
            }
            FlowScreen { kind: FlowKind::Login }
            p { class: "switch",
                "New here? "
                Link { to: Route::Registration {}, "data-testid": "link-registration", "Create an account" }
            }
        }
    }
}
