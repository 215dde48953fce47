//! The Server screen: which Kratos the app uses and why, a connection check (reachability with a
//! deadline, Kratos' version, the base_url mismatch phones hit most — each with its fix), and
//! switching to another server, saved for the next launch.

use std::time::Duration;

use dioxus::prelude::*;
use tracing::warn;

use crate::app::{manager_for, Flash, Launch, Route, ServerSource};
use crate::auth::diagnose::{self, ServerReport, Unreachable};
use crate::auth::store::{use_auth, AuthStore};
use crate::auth::{AuthState, ServerUrl, SignedOutReason};
use crate::components::{explain, Alert, AlertKind, Spinner};
use crate::config::{self, Source};
use crate::settings::Settings;

/// How long the connection check may take in all.
const CHECK_DEADLINE: Duration = Duration::from_secs(8);

/// One line of the check's result.
#[derive(Clone, PartialEq)]
struct Finding {
    kind: AlertKind,
    testid: &'static str,
    message: String,
}

fn findings(report: &ServerReport) -> Vec<Finding> {
    let mut out = Vec::new();
    match &report.reachable {
        Err(Unreachable::NoAnswer(deadline)) => out.push(Finding {
            kind: AlertKind::Error,
            testid: "check/reachability",
            message: format!(
                "No answer from {} within {} seconds. Is Kratos running, listening on all interfaces (serve.public.host: 0.0.0.0 in kratos.yml), and does this computer's firewall allow port {}? The phone must be on the same network.",
                report.server,
                deadline.as_secs(),
                report.server.port()
            ),
        }),
        Err(Unreachable::Failed(e)) => out.push(Finding {
            kind: AlertKind::Error,
            testid: "check/reachability",
            message: explain(e),
        }),
        Ok(mismatch) => {
            out.push(Finding {
                kind: AlertKind::Success,
                testid: "check/reachability",
                message: format!("Kratos at {} answers.", report.server),
            });
            out.push(match mismatch {
                Some(m) => Finding {
                    kind: AlertKind::Error,
                    testid: "check/base-url",
                    message: m.explain(),
                },
                None => Finding {
                    kind: AlertKind::Success,
                    testid: "check/base-url",
                    message: "Its serve.public.base_url matches the address this device uses."
                        .into(),
                },
            });
        }
    }
    out.push(Finding {
        kind: AlertKind::Info,
        testid: "check/version",
        message: report.version_note(),
    });
    out
}

/// Switches to `url`, signed out of the old server (its token stays filed under it; nothing is
/// sent to the new one), saves the choice, and says on the next screen what couldn't be saved.
fn switch_to(
    mut store: AuthStore,
    launch: &Launch,
    mut source: Signal<Source>,
    mut flash: Signal<Option<String>>,
    url: ServerUrl,
    new_source: Source,
) {
    let saved = match &launch.settings {
        None => Some(format!(
            "Using {url} until the app closes (this build keeps no settings)."
        )),
        Some(file) => {
            let server = (new_source == Source::Saved).then(|| url.to_string());
            match file.save(&Settings { server }) {
                Ok(()) => None,
                Err(e) => {
                    warn!(error = %e, "settings not saved");
                    Some(format!(
                        "Using {url} for now, but it couldn't be saved, so the app will start with its previous server next time: {e}."
                    ))
                }
            }
        }
    };
    flash.set(saved);
    source.set(new_source);
    store.switch(
        manager_for(url, launch.tokens.clone()),
        AuthState::SignedOut(SignedOutReason::ServerChanged),
    );
    spawn(store.restore());
}

/// Show, check and change the Kratos URL.
#[component]
pub fn Server() -> Element {
    let store = use_auth();
    let launch = use_context::<Launch>();
    let ServerSource(source) = use_context::<ServerSource>();
    let Flash(flash) = use_context::<Flash>();
    let nav = use_navigator();
    let mut checking = use_signal(|| false);
    let mut result = use_signal(|| None::<Vec<Finding>>);
    let mut input_error = use_signal(|| None::<String>);
    let current = store.manager().client().server().clone();
    let default = config::default_server().ok();

    let check = move |_| {
        if checking() {
            return;
        }
        checking.set(true);
        result.set(None);
        spawn(async move {
            let manager = store.manager();
            let client = manager.client();
            let report = diagnose::check(
                client,
                diagnose::admin_guess(client.server()),
                CHECK_DEADLINE,
            )
            .await;
            result.set(Some(findings(&report)));
            checking.set(false);
        });
    };

    let onsubmit = {
        let launch = launch.clone();
        move |evt: FormEvent| {
            evt.prevent_default();
            let entered = match evt.get_first("server") {
                Some(FormValue::Text(s)) => s,
                _ => String::new(),
            };
            match ServerUrl::parse(&entered) {
                Err(e) => input_error.set(Some(e.to_string())),
                Ok(url) if url == *store.manager().client().server() => input_error.set(None),
                Ok(url) => {
                    input_error.set(None);
                    result.set(None);
                    switch_to(store, &launch, source, flash, url, Source::Saved);
                    nav.replace(Route::Login {});
                }
            }
        }
    };

    let use_default = {
        let launch = launch.clone();
        let default = default.clone();
        move |_| {
            if let Some((url, default_source)) = default.clone() {
                result.set(None);
                switch_to(store, &launch, source, flash, url, default_source);
                nav.replace(Route::Login {});
            }
        }
    };

    let env_set = std::env::var_os("KRATOS_URL").is_some_and(|v| !v.is_empty());
    let source_text = source().to_string();
    rsx! {
        section { class: "screen", "data-testid": "screen-server",
            h2 { class: "screen-title", "Server" }
            p {
                "This app talks to Kratos at "
                code { "data-testid": "server-url", "{current}" }
                " ("
                span { "data-testid": "server-source", "{source_text}" }
                ")."
            }
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
            if source() == Source::Saved {
                if let Some((url, _)) = default.clone() {
                    button {
                        class: "button button-secondary", "data-testid": "use-default",
                        onclick: use_default,
                        "Use the default ({url})"
                    }
                }
            }
            if env_set {
                p { class: "hint", "data-testid": "env-hint",
                    "KRATOS_URL is set for this run: at the next start it wins over the server chosen here."
                }
            }
            button { class: "button button-secondary", "data-testid": "check-server", disabled: checking(), onclick: check, "Check connection" }
            if checking() { Spinner { label: "Checking…" } }
            if let Some(found) = result() {
                div { "data-testid": "check-result",
                    for finding in found {
                        div { key: "{finding.testid}", "data-testid": "{finding.testid}",
                            Alert { kind: finding.kind, message: finding.message }
                        }
                    }
                }
            }
            p { class: "hint",
                "On a phone, use this computer's LAN address (e.g. http://192.168.1.20:4433), not 127.0.0.1. The Android emulator reaches the computer at http://10.0.2.2:4433."
            }
            Link { to: Route::Home {}, "data-testid": "link-home", "Back" }
        }
    }
}
