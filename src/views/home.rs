//! Home: who is signed in, how, until when; the masked token; logout. The auth gate: a person
//! who is not signed in is sent to Login.

use dioxus::prelude::*;
use serde_json::Value;
use time::OffsetDateTime;

use crate::app::{Flash, Route};
use crate::auth::store::use_auth;
use crate::auth::{AuthState, Persistence, Session};
use crate::components::{explain, Alert, AlertKind, Spinner};

/// The signed-in screen.
#[component]
pub fn Home() -> Element {
    let store = use_auth();
    let state = store.state();
    let nav = use_navigator();
    let mut busy = use_signal(|| false);
    let mut error = use_signal(|| None::<String>);
    // A one-off message (e.g. saved settings that couldn't be used) is shown here once signed
    // in; when signed out, the Login screen shows it instead.
    let Flash(mut flash) = use_context::<Flash>();
    let mut flashed = use_signal(|| None::<String>);

    use_effect(move || {
        if matches!(*state.read(), AuthState::SignedOut(_)) {
            nav.replace(Route::Login {});
        } else if state.read().is_signed_in() && flash.peek().is_some() {
            flashed.set(flash.take());
        }
    });

    let logout = move |_| {
        if busy() {
            return;
        }
        busy.set(true);
        error.set(None);
        spawn(async move {
            if let Err(e) = store.logout().await {
                error.set(Some(format!("You're still signed in: {}", explain(&e))));
            }
            busy.set(false);
        });
    };
    let retry = move |_| {
        spawn(store.refresh());
    };

    let current = state.read().clone();
    rsx! {
        section { class: "screen", "data-testid": "screen-home",
            match current {
                AuthState::Restoring => rsx! { Spinner { label: "Checking your session…" } },
                AuthState::SignedOut(_) => rsx! { Spinner { label: "Signing out…" } },
                AuthState::Offline { .. } => rsx! {
                    Alert { kind: AlertKind::Error, message: "Can't reach Kratos right now, so your session couldn't be checked. You're still signed in on this device." }
                    button { class: "button button-primary", "data-testid": "retry", onclick: retry, "Try again" }
                    Link { class: "button button-secondary", to: Route::Server {}, "Check the server" }
                },
                AuthState::SecondFactorRequired => rsx! {
                    Alert { kind: AlertKind::Info, message: "Your account is protected with a second factor. This app version can't ask for it yet; sign out and use another device, or remove the second factor." }
                    button { class: "button button-secondary", "data-testid": "logout", disabled: busy(), onclick: logout, "Sign out" }
                },
                AuthState::SignedIn { session, masked_token, persistence, storage_problem } => rsx! {
                    h2 { class: "screen-title", "You're signed in" }
                    if let Some(message) = flashed() {
                        Alert { kind: AlertKind::Info, message }
                    }
                    if let Some(message) = error() {
                        Alert { kind: AlertKind::Error, message }
                    }
                    if storage_problem.is_some() {
                        Alert { kind: AlertKind::Info, message: "This device's keychain isn't available, so you'll need to sign in again after closing the app." }
                    } else if persistence == Persistence::Memory {
                        Alert { kind: AlertKind::Info, message: "Your session is kept in memory only: closing the app (or this browser tab) signs you out." }
                    }
                    if persistence == Persistence::UntilReboot {
                        Alert { kind: AlertKind::Info, message: "Your session is kept until this device restarts (no system keychain was found)." }
                    }
                    SessionCard { session: *session, masked_token }
                    button { class: "button button-secondary", "data-testid": "logout", disabled: busy(), onclick: logout, "Sign out" }
                    if busy() { Spinner { label: "Signing out…" } }
                },
            }
        }
    }
}

#[component]
fn SessionCard(session: Session, masked_token: String) -> Element {
    let traits = session
        .identity
        .as_ref()
        .map(|i| flatten_traits(&i.traits))
        .unwrap_or_default();
    let aal = session
        .authenticator_assurance_level
        .clone()
        .unwrap_or_else(|| "aal1".into());
    let methods = session
        .authentication_methods
        .iter()
        .map(|m| m.method.clone())
        .collect::<Vec<_>>()
        .join(", ");
    let expires = session
        .expires_at
        .map(describe_expiry)
        .unwrap_or_else(|| "unknown".into());
    rsx! {
        dl {
            class: "session",
            "data-testid": "session-content",
            onmounted: move |_| {
                // A line for the desktop test: the signed-in screen is up.
                println!("kratos-mobile: home ready");
            },
            for (name, value) in traits {
                div { class: "session-row", key: "{name}",
                    dt { "{name}" }
                    dd { "data-testid": "session-trait/{name}", "{value}" }
                }
            }
            div { class: "session-row",
                dt { "Assurance level" }
                dd { "data-testid": "session-aal", "{aal}" }
            }
            div { class: "session-row",
                dt { "Signed in with" }
                dd { "data-testid": "session-methods", "{methods}" }
            }
            div { class: "session-row",
                dt { "Session ends" }
                dd { "data-testid": "session-expires", "{expires}" }
            }
            div { class: "session-row",
                dt { "Session token" }
                dd { code { "data-testid": "session-token", "{masked_token}" } }
            }
        }
    }
}

/// `{email, name: {first}}` → `[("email", …), ("name.first", …)]`.
fn flatten_traits(traits: &Value) -> Vec<(String, String)> {
    fn walk(prefix: &str, value: &Value, out: &mut Vec<(String, String)>) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    let name = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(&name, v, out);
                }
            }
            Value::Null => {}
            Value::String(s) => out.push((prefix.to_string(), s.clone())),
            other => out.push((prefix.to_string(), other.to_string())),
        }
    }
    let mut out = Vec::new();
    walk("", traits, &mut out);
    out
}

fn describe_expiry(at: OffsetDateTime) -> String {
    let left = at - OffsetDateTime::now_utc();
    let when = at
        .format(time::macros::format_description!(
            "[year]-[month]-[day] [hour]:[minute] UTC"
        ))
        .unwrap_or_default();
    if left.is_negative() {
        format!("expired ({when})")
    } else if left.whole_hours() >= 1 {
        format!(
            "in {} h {} min ({when})",
            left.whole_hours(),
            left.whole_minutes() % 60
        )
    } else {
        format!("in {} min ({when})", left.whole_minutes())
    }
}
