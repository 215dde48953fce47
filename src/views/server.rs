//! The Server screen: which Kratos the app uses, a connection check with the fix for what
//! phones hit most, and switching to another server.

use std::time::Duration;

use dioxus::prelude::*;

use crate::app::{manager_for, Launch, Route};
use crate::auth::store::use_auth;
use crate::auth::{AuthState, FlowKind, ServerUrl, SignedOutReason};
use crate::components::{explain, Alert, AlertKind, Spinner};

/// What a connection check found.
#[derive(Clone, PartialEq)]
enum Check {
    Ok(String),
    Problem(String),
}

/// Show, check and change the Kratos URL.
#[component]
pub fn Server() -> Element {
    let mut store = use_auth();
    let launch = use_context::<Launch>();
    let nav = use_navigator();
    let mut checking = use_signal(|| false);
    let mut result = use_signal(|| None::<Check>);
    let mut input_error = use_signal(|| None::<String>);
    let current = store.manager().client().server().to_string();

    let check = move |_| {
        if checking() {
            return;
        }
        checking.set(true);
        spawn(async move {
            let manager = store.manager();
            let client = manager.client();
            let outcome = tokio::time::timeout(Duration::from_secs(8), async {
                client.health_alive().await?;
                let flow = client.create_flow(FlowKind::Login, None).await?;
                Ok::<_, crate::auth::AuthError>(flow)
            })
            .await;
            let found = match outcome {
                Err(_) => Check::Problem(format!(
                    "No answer from {} within 8 seconds. Is Kratos running, bound to 0.0.0.0 (serve.public.host), and does the firewall allow port {}?",
                    client.server(),
                    client.server().port()
                )),
                Ok(Err(e)) => Check::Problem(explain(&e)),
                Ok(Ok(flow)) => match url::Url::parse(&flow.ui.action).ok().and_then(|u| u.host_str().map(str::to_string)) {
                    Some(host) if host != client.server().host() => Check::Problem(format!(
                        "Kratos answers, but its serve.public.base_url says {host}, while this app uses {}. Set serve.public.base_url in kratos.yml to {} so links and redirects work on this device.",
                        client.server().host(),
                        client.server()
                    )),
                    _ => Check::Ok(format!("Kratos at {} answers and its base_url matches.", client.server())),
                },
            };
            result.set(Some(found));
            checking.set(false);
        });
    };

    let onsubmit = move |evt: FormEvent| {
        evt.prevent_default();
        let entered = match evt.get_first("server") {
            Some(FormValue::Text(s)) => s,
            _ => String::new(),
        };
        match ServerUrl::parse(&entered) {
            Err(e) => input_error.set(Some(e.to_string())),
            Ok(url) if url.as_str() == store.manager().client().server().as_str() => {
                input_error.set(None);
            }
            Ok(url) => {
                input_error.set(None);
                result.set(None);
                // The old token stays filed under the old server; nothing is sent to the new one.
                store.switch(
                    manager_for(url, launch.tokens.clone()),
                    AuthState::SignedOut(SignedOutReason::ServerChanged),
                );
                spawn(store.restore());
                nav.replace(Route::Login {});
            }
        }
    };

    rsx! {
        section { class: "screen", "data-testid": "screen-server",
            h2 { class: "screen-title", "Server" }
            p { "This app talks to Kratos at " code { "data-testid": "server-url", "{current}" } "." }
            form { class: "flow-form", method: "dialog", novalidate: true, onsubmit,
                div { class: "field", "data-testid": "field/server",
                    label { class: "field-label", r#for: "input-server", "Kratos URL" }
                    input {
                        id: "input-server", class: "input", name: "server", r#type: "url",
                        initial_value: "{current}", inputmode: "url", autocomplete: "url",
                        autocapitalize: "none", spellcheck: "false", "data-testid": "server",
                    }
                    if let Some(message) = input_error() {
                        p { class: "message message-error", "data-testid": "ui/message/client", "{message}" }
                    }
                }
                button { class: "button button-primary", r#type: "submit", "data-testid": "submit-form", "Use this server" }
            }
            button { class: "button button-secondary", "data-testid": "check-server", disabled: checking(), onclick: check, "Check connection" }
            if checking() { Spinner { label: "Checking…" } }
            match result() {
                Some(Check::Ok(message)) => rsx! { Alert { kind: AlertKind::Success, message } },
                Some(Check::Problem(message)) => rsx! { Alert { kind: AlertKind::Error, message } },
                None => rsx! {},
            }
            p { class: "hint",
                "On a phone, use this computer's LAN address (e.g. http://192.168.1.20:4433), not 127.0.0.1. The Android emulator reaches the computer at http://10.0.2.2:4433."
            }
            Link { to: Route::Home {}, "data-testid": "link-home", "Back" }
        }
    }
}
