//! A screen driven by one Kratos flow (login, registration): load the flow, render it, submit
//! it, and follow where Kratos leads — the next step, the messages, or Home.

use dioxus::prelude::*;
use tracing::info;

use crate::app::Route;
use crate::auth::diagnose::base_url_mismatch;
use crate::auth::store::use_auth;
use crate::auth::{AuthError, Flow, FlowKind, FormValues, Outcome, Pressed};
use crate::components::{explain, Alert, AlertKind, FlowForm, Spinner};

/// Loads a `kind` flow and drives it to its end.
#[component]
pub fn FlowScreen(kind: FlowKind) -> Element {
    let store = use_auth();
    let nav = use_navigator();
    let mut flow = use_signal(|| None::<Flow>);
    let mut error = use_signal(|| None::<String>);
    let mut notice = use_signal(|| None::<String>);
    let mut busy = use_signal(|| false);
    let mut loading = use_signal(|| true);

    let load = move || {
        spawn(async move {
            loading.set(true);
            match store.start(kind).await {
                Ok(f) => {
                    error.set(None);
                    flow.set(Some(f));
                }
                Err(AuthError::AlreadySignedIn) => {
                    store.refresh().await;
                    nav.replace(Route::Home {});
                }
                Err(e) => error.set(Some(explain(&e))),
            }
            loading.set(false);
        });
    };
    use_hook(load);

    let on_submit = move |(values, pressed): (FormValues, Pressed)| {
        // The guard lives in state the handler checks: a double tap delivers two events before
        // `disabled` reaches the screen.
        if busy() {
            return;
        }
        let Some(current) = flow() else { return };
        busy.set(true);
        error.set(None);
        notice.set(None);
        spawn(async move {
            match store.submit(current, values, pressed).await {
                Ok(Outcome::SignedIn { state, .. }) if state.is_signed_in() => {
                    nav.replace(Route::Home {});
                }
                Ok(Outcome::SignedIn { .. }) => {
                    notice.set(Some("Your account was created. Please sign in.".into()));
                    nav.replace(Route::Login {});
                }
                Ok(Outcome::Flow(next)) | Err(AuthError::FlowRejected(next)) => {
                    flow.set(Some(*next))
                }
                Err(AuthError::AlreadySignedIn) => {
                    store.refresh().await;
                    nav.replace(Route::Home {});
                }
                Err(e @ AuthError::FlowExpired { .. }) => {
                    info!("flow expired without a successor; loading a new one");
                    notice.set(Some(explain(&e)));
                    load();
                }
                Err(e) => error.set(Some(explain(&e))),
            }
            busy.set(false);
        });
    };

    // The flow's action names Kratos' base_url: say so when a phone would be sent elsewhere.
    let mismatch = flow
        .read()
        .as_ref()
        .and_then(|f| base_url_mismatch(f, store.manager().client().server()));

    rsx! {
        if let Some(m) = mismatch {
            div { "data-testid": "base-url-warning",
                Alert { kind: AlertKind::Info, message: m.explain() }
            }
        }
        if let Some(message) = notice() {
            Alert { kind: AlertKind::Info, message }
        }
        if let Some(message) = error() {
            Alert { kind: AlertKind::Error, message }
            Link { class: "header-link", to: Route::Server {}, "data-testid": "link-check-server", "Check the server" }
        }
        if loading() && flow.read().is_none() {
            Spinner { label: "Loading…" }
        } else if let Some(current) = flow() {
            FlowForm { flow: current, busy: busy(), on_submit }
            if busy() {
                Spinner { label: "Talking to Kratos…" }
            }
        } else {
            button {
                class: "button button-secondary",
                "data-testid": "retry",
                onclick: move |_| load(),
                "Try again"
            }
        }
    }
}
