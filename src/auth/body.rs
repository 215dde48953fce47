//! Builds a submit body from a flow's nodes, the values a person entered and the button
//! they pressed; checks those values against the node attributes before a request is spent.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::types::{Flow, InputAttributes, NodeAttributes};

/// What a person entered, by input `name` (`traits.email`, `password`, `code`, …).
pub type FormValues = BTreeMap<String, String>;

/// The submit button pressed: its `name` and `value` (`method` = `password`).
#[derive(Clone, Debug, PartialEq)]
pub struct Pressed {
    /// The button's `name`.
    pub name: String,
    /// The button's `value`, as Kratos sent it (a string, or `true` for some buttons).
    pub value: Value,
}

impl Pressed {
    /// A button `name=value` with a string value.
    pub fn new(name: &str, value: &str) -> Self {
        Self {
            name: name.to_string(),
            value: Value::String(value.to_string()),
        }
    }

    /// The `method=<value>` button.
    pub fn method(value: &str) -> Self {
        Self::new("method", value)
    }
}

/// The group a pressed button belongs to in this flow (`password` for `method=password`).
fn pressed_group<'a>(flow: &'a Flow, pressed: &Pressed) -> Option<&'a str> {
    flow.ui.nodes.iter().find_map(|n| match &n.attributes {
        NodeAttributes::Input(i)
            if i.is_button()
                && i.name == pressed.name
                && i.value.as_ref() == Some(&pressed.value) =>
        {
            Some(n.group.as_str())
        }
        _ => None,
    })
}

/// The inputs a submit of `pressed` carries: those of the `default` group and of the pressed
/// button's group, without buttons.
fn submitted_inputs<'a>(flow: &'a Flow, pressed: &Pressed) -> Vec<&'a InputAttributes> {
    let group = pressed_group(flow, pressed);
    flow.ui
        .nodes
        .iter()
        .filter(|n| n.group == "default" || Some(n.group.as_str()) == group || group.is_none())
        .filter_map(|n| match &n.attributes {
            NodeAttributes::Input(i) if !i.is_button() => Some(i),
            _ => None,
        })
        .collect()
}

/// The JSON body for submitting `flow` with `values` by pressing `pressed`.
///
/// A value entered wins over the node's preset value; empty values are left out; dotted names
/// are nested (`traits.email` → `{"traits": {"email": …}}`); checkboxes become booleans and
/// number inputs numbers; the pressed button's `name=value` is added last.
pub fn build_body(flow: &Flow, values: &FormValues, pressed: &Pressed) -> Value {
    let mut root = Map::new();
    for input in submitted_inputs(flow, pressed) {
        let entered = values.get(&input.name).cloned();
        let value = match input.input_type.as_str() {
            "checkbox" => {
                let checked = entered
                    .as_deref()
                    .map(|v| matches!(v, "true" | "on" | "1"))
                    .or_else(|| input.value.as_ref().and_then(Value::as_bool))
                    .unwrap_or(false);
                Value::Bool(checked)
            }
            _ => {
                let text = entered.unwrap_or_else(|| input.value_text());
                if text.is_empty() && input.name != "csrf_token" {
                    continue;
                }
                if input.input_type == "number" {
                    text.parse::<f64>()
                        .ok()
                        .and_then(serde_json::Number::from_f64)
                        .map(Value::Number)
                        .unwrap_or(Value::String(text))
                } else {
                    Value::String(text)
                }
            }
        };
        insert_dotted(&mut root, &input.name, value);
    }
    insert_dotted(&mut root, &pressed.name, pressed.value.clone());
    Value::Object(root)
}

fn insert_dotted(root: &mut Map<String, Value>, name: &str, value: Value) {
    let mut parts = name.split('.').peekable();
    let mut map = root;
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            map.insert(part.to_string(), value);
            return;
        }
        let entry = map
            .entry(part.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if !entry.is_object() {
            *entry = Value::Object(Map::new());
        }
        map = entry.as_object_mut().expect("just made an object");
    }
}

/// A problem with a value, found before anything is sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldProblem {
    /// The input `name`.
    pub name: String,
    /// What is wrong, in plain words.
    pub message: String,
}

/// Checks the values a submit of `pressed` would send against the node attributes
/// (`required`, `type=email`, `pattern`, `maxlength`). Kratos' own checks still follow.
pub fn validate(flow: &Flow, values: &FormValues, pressed: &Pressed) -> Vec<FieldProblem> {
    let mut problems = Vec::new();
    for input in submitted_inputs(flow, pressed) {
        if input.input_type == "hidden" || input.disabled || input.input_type == "checkbox" {
            continue;
        }
        let value = values
            .get(&input.name)
            .cloned()
            .unwrap_or_else(|| input.value_text());
        let problem = if value.trim().is_empty() {
            input
                .required
                .then(|| "This field is required.".to_string())
        } else if input.input_type == "email" && !looks_like_email(value.trim()) {
            Some("Enter an email address like name@example.com.".to_string())
        } else if input
            .maxlength
            .is_some_and(|max| value.chars().count() > max)
        {
            Some(format!(
                "Use at most {} characters.",
                input.maxlength.unwrap_or_default()
            ))
        } else if input
            .pattern
            .as_deref()
            .is_some_and(|p| !simple_pattern_matches(p, &value))
        {
            Some("This doesn't have the expected format.".to_string())
        } else {
            None
        };
        if let Some(message) = problem {
            problems.push(FieldProblem {
                name: input.name.clone(),
                message,
            });
        }
    }
    problems
}

fn looks_like_email(value: &str) -> bool {
    let Some((local, domain)) = value.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.is_empty()
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !value.chars().any(char::is_whitespace)
}

/// Kratos' patterns are simple (digits of a length, e.g. `[0-9]+`); unknown syntax passes and is
/// left to Kratos.
fn simple_pattern_matches(pattern: &str, value: &str) -> bool {
    let p = pattern.trim_start_matches('^').trim_end_matches('$');
    match p {
        "[0-9]+" | "\\d+" => !value.is_empty() && value.chars().all(|c| c.is_ascii_digit()),
        "[0-9]*" | "\\d*" => value.chars().all(|c| c.is_ascii_digit()),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn flow(nodes: Value) -> Flow {
        serde_json::from_value(json!({"id": "f", "type": "api", "ui": {"action": "", "method": "POST", "nodes": nodes}}))
            .unwrap()
    }

    fn input(group: &str, name: &str, ty: &str, value: Option<Value>, required: bool) -> Value {
        let mut attrs =
            json!({"node_type": "input", "name": name, "type": ty, "required": required});
        if let Some(v) = value {
            attrs["value"] = v;
        }
        json!({"type": "input", "group": group, "attributes": attrs, "messages": [], "meta": {}})
    }

    #[test]
    fn dotted_names_nest_and_only_the_pressed_group_is_sent() {
        let f = flow(json!([
            input("default", "csrf_token", "hidden", Some(json!("")), true),
            input("default", "traits.email", "email", None, true),
            input("default", "traits.name.first", "text", None, false),
            input("password", "password", "password", None, true),
            input(
                "password",
                "method",
                "submit",
                Some(json!("password")),
                false
            ),
            input("profile", "method", "submit", Some(json!("profile")), false),
            input("totp", "totp_code", "text", None, false),
        ]));
        let values: FormValues = [
            ("traits.email", "a@example.com"),
            ("traits.name.first", "Ada"),
            ("password", "pw"),
            ("totp_code", "123456"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let body = build_body(&f, &values, &Pressed::method("password"));
        assert_eq!(
            body,
            json!({"csrf_token": "", "traits": {"email": "a@example.com", "name": {"first": "Ada"}}, "password": "pw", "method": "password"})
        );
        let profile = build_body(&f, &values, &Pressed::method("profile"));
        assert!(profile.get("password").is_none());
        assert_eq!(profile["method"], "profile");
    }

    #[test]
    fn boolean_buttons_and_checkboxes_keep_their_json_type() {
        let f = flow(json!([
            input(
                "lookup_secret",
                "lookup_secret_regenerate",
                "submit",
                Some(json!(true)),
                false
            ),
            input("default", "remember", "checkbox", None, false),
        ]));
        let pressed = Pressed {
            name: "lookup_secret_regenerate".into(),
            value: json!(true),
        };
        let body = build_body(&f, &FormValues::new(), &pressed);
        assert_eq!(
            body,
            json!({"remember": false, "lookup_secret_regenerate": true})
        );
    }

    #[test]
    fn validation_follows_the_node_attributes() {
        let mut email = input("default", "traits.email", "email", None, true);
        email["attributes"]["maxlength"] = json!(20);
        let mut code = input("code", "code", "text", None, false);
        code["attributes"]["pattern"] = json!("[0-9]+");
        let f = flow(json!([
            email,
            input("password", "password", "password", None, true),
            input(
                "password",
                "method",
                "submit",
                Some(json!("password")),
                false
            ),
            code,
            input("code", "method", "submit", Some(json!("code")), false),
        ]));
        let empty = validate(&f, &FormValues::new(), &Pressed::method("password"));
        assert_eq!(empty.len(), 2);
        let bad: FormValues = [("traits.email", "not-an-email"), ("password", "x")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let problems = validate(&f, &bad, &Pressed::method("password"));
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].name, "traits.email");
        let long: FormValues = [
            ("traits.email", "averyveryverylong@example.com"),
            ("password", "x"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert!(validate(&f, &long, &Pressed::method("password"))[0]
            .message
            .contains("20"));
        let letters: FormValues = [("code", "12a"), ("traits.email", "a@example.com")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(validate(&f, &letters, &Pressed::method("code")).len(), 1);
    }
}
