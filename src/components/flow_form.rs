//! The one renderer for every Kratos flow: it draws `ui.nodes` (the form is data), checks the
//! values against the node attributes, and hands the values plus the pressed button to the
//! view. Inputs are uncontrolled — read on submit — so fast typing never loses a character.

use std::collections::HashSet;

use dioxus::prelude::*;

use crate::auth::{
    validate, FieldProblem, Flow, FormValues, InputAttributes, NodeAttributes, Pressed, UiNode,
    UiText,
};

/// Renders `flow` as a form. `on_submit` receives what was entered and the button pressed,
/// only once the client-side checks pass. While `busy`, every input and button is disabled.
#[component]
pub fn FlowForm(flow: Flow, busy: bool, on_submit: EventHandler<(FormValues, Pressed)>) -> Element {
    let mut pressed = use_signal(|| None::<Pressed>);
    let mut problems = use_signal(Vec::<FieldProblem>::new);
    let revealed = use_signal(HashSet::<String>::new);
    let flow_for_submit = flow.clone();

    let onsubmit = move |evt: FormEvent| {
        evt.prevent_default();
        let values: FormValues = evt
            .values()
            .into_iter()
            .filter_map(|(name, value)| match value {
                FormValue::Text(text) => Some((name, text)),
                _ => None,
            })
            .collect();
        let button = pressed.take().or_else(|| default_button(&flow_for_submit));
        let Some(button) = button else { return };
        let found = validate(&flow_for_submit, &values, &button);
        if !found.is_empty() {
            problems.set(found);
            return;
        }
        problems.set(Vec::new());
        on_submit.call((values, button));
    };

    let problems_now = problems.read().clone();
    rsx! {
        form {
            class: "flow-form",
            method: "dialog",
            novalidate: true,
            "data-testid": "flow-form",
            onmounted: move |_| {
                // A line for the desktop test: the form can take input now.
                println!("kratos-mobile: form ready");
            },
            onsubmit,
            if !flow.ui.messages.is_empty() {
                div { class: "form-messages", "data-testid": "form-messages",
                    for message in flow.ui.messages.iter() {
                        Message { key: "{message.id}", message: message.clone() }
                    }
                }
            }
            for node in flow.ui.nodes.iter().cloned() {
                Node {
                    key: "{node_key(&node)}",
                    node: node.clone(),
                    busy,
                    problems: problems_now.iter().filter(|p| node_name(&node) == Some(p.name.as_str())).cloned().collect::<Vec<_>>(),
                    revealed,
                    on_press: move |p: Pressed| pressed.set(Some(p)),
                }
            }
        }
    }
}

fn node_name(node: &UiNode) -> Option<&str> {
    match &node.attributes {
        NodeAttributes::Input(i) => Some(i.name.as_str()),
        _ => None,
    }
}

fn node_key(node: &UiNode) -> String {
    match &node.attributes {
        NodeAttributes::Input(i) if i.is_button() => {
            format!("{}/{}/{}", node.group, i.name, i.value_text())
        }
        NodeAttributes::Input(i) => i.name.clone(),
        NodeAttributes::Text(t) => format!("text/{}", t.id),
        NodeAttributes::Img(i) => format!("img/{}", i.id),
        NodeAttributes::A(a) => format!("a/{}", a.id),
        NodeAttributes::Script(s) => format!("script/{}", s.id),
        NodeAttributes::Unknown => format!("unknown/{}", node.group),
    }
}

/// The button an implicit submission (Enter) presses: the first submit button that isn't a
/// "back" button.
fn default_button(flow: &Flow) -> Option<Pressed> {
    flow.ui.nodes.iter().find_map(|n| match &n.attributes {
        NodeAttributes::Input(i) if i.input_type == "submit" && i.name == "method" => {
            Some(Pressed {
                name: i.name.clone(),
                value: i.value.clone().unwrap_or_default(),
            })
        }
        _ => None,
    })
}

#[component]
fn Message(message: UiText) -> Element {
    let class = match message.message_type.as_str() {
        "error" => "message message-error",
        "success" => "message message-success",
        _ => "message message-info",
    };
    rsx! {
        p { class, "data-testid": "ui/message/{message.id}", "{message.text}" }
    }
}

#[component]
fn Node(
    node: UiNode,
    busy: bool,
    problems: Vec<FieldProblem>,
    revealed: Signal<HashSet<String>>,
    on_press: EventHandler<Pressed>,
) -> Element {
    let messages = rsx! {
        for message in node.messages.iter() {
            Message { key: "{message.id}", message: message.clone() }
        }
        for problem in problems.iter() {
            p { class: "message message-error", "data-testid": "ui/message/client", "{problem.message}" }
        }
    };
    match &node.attributes {
        NodeAttributes::Input(input) if input.input_type == "hidden" => rsx! {
            input { r#type: "hidden", name: "{input.name}", value: "{input.value_text()}", "data-testid": "{input.name}" }
        },
        NodeAttributes::Input(input) if input.is_button() => {
            let label = node.label().unwrap_or("Continue").to_string();
            let value = input.value.clone().unwrap_or_default();
            let pressed = Pressed {
                name: input.name.clone(),
                value,
            };
            let value_text = input.value_text();
            let primary = input.name == "method";
            let testid = if primary {
                "submit-form".to_string()
            } else {
                format!("{}/{}", input.name, value_text)
            };
            rsx! {
                div { class: "field field-submit", "data-testid": "field/{input.name}/{value_text}",
                    button {
                        class: if primary { "button button-primary" } else { "button button-secondary" },
                        r#type: "submit",
                        name: "{input.name}",
                        value: "{value_text}",
                        disabled: busy || input.disabled,
                        "data-testid": "{testid}",
                        onclick: move |_| on_press.call(pressed.clone()),
                        "{label}"
                    }
                    {messages}
                }
            }
        }
        NodeAttributes::Input(input) => {
            let input = input.clone();
            rsx! {
                div { class: "field", "data-testid": "field/{input.name}",
                    InputField { input: input.clone(), label: node.label().map(str::to_string), busy, revealed, invalid: !problems.is_empty() || node.messages.iter().any(|m| m.is_error()) }
                    {messages}
                }
            }
        }
        NodeAttributes::Text(text) => {
            let secrets = text
                .text
                .context
                .as_ref()
                .and_then(|c| c.get("secrets"))
                .and_then(|s| s.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s.get("text").and_then(|t| t.as_str()).map(str::to_string))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default();
            rsx! {
                div { class: "field field-text", "data-testid": "field/{text.id}/text",
                    if let Some(label) = node.label() { p { class: "field-label", "{label}" } }
                    if secrets.is_empty() {
                        p { class: "node-text", "{text.text.text}" }
                    } else {
                        ul { class: "codes",
                            for code in secrets { li { key: "{code}", code { "{code}" } } }
                        }
                    }
                    {messages}
                }
            }
        }
        NodeAttributes::Img(img) => rsx! {
            div { class: "field field-image", "data-testid": "field/{img.id}/img",
                if let Some(label) = node.label() { p { class: "field-label", "{label}" } }
                img { src: "{img.src}", width: img.width.map(|w| w.to_string()), height: img.height.map(|h| h.to_string()), alt: node.label().unwrap_or("") }
                {messages}
            }
        },
        NodeAttributes::A(a) => rsx! {
            div { class: "field field-link", "data-testid": "field/{a.id}/a",
                a { href: "{a.href}", "{a.title.text}" }
            }
        },
        NodeAttributes::Script(_) | NodeAttributes::Unknown => rsx! {},
    }
}

/// An uncontrolled input: the DOM keeps what is typed; it is read on submit.
#[component]
fn InputField(
    input: InputAttributes,
    label: Option<String>,
    busy: bool,
    revealed: Signal<HashSet<String>>,
    invalid: bool,
) -> Element {
    let mut revealed = revealed;
    let id = format!("input-{}", input.name.replace('.', "-"));
    let is_password = input.input_type == "password";
    let shown = revealed.read().contains(&input.name);
    let html_type = match input.input_type.as_str() {
        "password" if shown => "text",
        "" => "text",
        other => other,
    }
    .to_string();
    let (inputmode, autocomplete, autocapitalize) = hints(&input);
    let name = input.name.clone();
    let label = label.unwrap_or_else(|| input.name.clone());
    rsx! {
        label { class: "field-label", r#for: "{id}", "{label}" }
        div { class: "input-row",
            input {
                id: "{id}",
                class: if invalid { "input input-invalid" } else { "input" },
                name: "{input.name}",
                r#type: "{html_type}",
                initial_value: "{input.value_text()}",
                required: input.required,
                disabled: busy || input.disabled,
                maxlength: input.maxlength.map(|m| m.to_string()),
                autocomplete: "{autocomplete}",
                inputmode: "{inputmode}",
                autocapitalize: "{autocapitalize}",
                spellcheck: "false",
                "aria-invalid": if invalid { "true" } else { "false" },
                "data-testid": "{input.name}",
            }
            if is_password {
                button {
                    class: "reveal",
                    r#type: "button",
                    "data-testid": "reveal/{name}",
                    "aria-label": if shown { "Hide password" } else { "Show password" },
                    onclick: move |_| {
                        let mut set = revealed.write();
                        if !set.remove(&name) {
                            set.insert(name.clone());
                        }
                    },
                    if shown { "Hide" } else { "Show" }
                }
            }
        }
    }
}

/// The keyboard, autofill and capitalisation for an input, from its type and name.
fn hints(input: &InputAttributes) -> (&'static str, String, &'static str) {
    let given = input.autocomplete.clone();
    match (input.input_type.as_str(), input.name.as_str()) {
        ("email", _) => ("email", given.unwrap_or_else(|| "email".into()), "none"),
        (_, "identifier") => ("email", given.unwrap_or_else(|| "username".into()), "none"),
        ("password", _) => (
            "text",
            given.unwrap_or_else(|| "current-password".into()),
            "none",
        ),
        (_, "code" | "totp_code") => ("numeric", "one-time-code".into(), "none"),
        (_, "lookup_secret") => ("text", "one-time-code".into(), "none"),
        ("number", _) => ("decimal", given.unwrap_or_else(|| "off".into()), "none"),
        ("tel", _) => ("tel", given.unwrap_or_else(|| "tel".into()), "none"),
        _ => ("text", given.unwrap_or_else(|| "on".into()), "sentences"),
    }
}
