//! Serde models of Kratos' self-service payloads: flows and their `ui` nodes, sessions,
//! identities, `continue_with` and the error envelope. Field names are Kratos' own.

use std::fmt;

use serde::Deserialize;
use serde_json::Value;
use time::OffsetDateTime;

use super::token::SessionToken;

/// Kratos sends `null` for some empty lists (`continue_with` on login): read it as empty.
fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// The self-service flows this app drives, named as in Kratos' URLs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum FlowKind {
    /// `/self-service/login`
    #[default]
    Login,
    /// `/self-service/registration`
    Registration,
    /// `/self-service/settings`
    Settings,
    /// `/self-service/verification`
    Verification,
    /// `/self-service/recovery`
    Recovery,
}

impl FlowKind {
    /// The path segment after `/self-service/`.
    pub fn segment(self) -> &'static str {
        match self {
            FlowKind::Login => "login",
            FlowKind::Registration => "registration",
            FlowKind::Settings => "settings",
            FlowKind::Verification => "verification",
            FlowKind::Recovery => "recovery",
        }
    }
}

/// A self-service flow (login, registration, settings, verification or recovery) as Kratos
/// returns it. See <https://www.ory.sh/docs/kratos/self-service>.
#[derive(Clone, Deserialize, PartialEq)]
pub struct Flow {
    /// The flow id, sent back as `?flow=<id>` on submit.
    pub id: String,
    /// `api` for the native flows this app creates.
    #[serde(rename = "type", default)]
    pub flow_type: String,
    /// When the flow stops accepting submits.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
    /// When the flow was created.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub issued_at: Option<OffsetDateTime>,
    /// `choose_method`, `sent_email`, `passed_challenge`, `success`, …
    #[serde(default)]
    pub state: Option<String>,
    /// Login only: this is a re-authentication of an existing session.
    #[serde(default)]
    pub refresh: Option<bool>,
    /// Login only: `aal1` or `aal2`.
    #[serde(default)]
    pub requested_aal: Option<String>,
    /// The form to render.
    pub ui: Ui,
    /// What to do next (settings, verification and recovery answer it on the flow).
    #[serde(default, deserialize_with = "null_as_default")]
    pub continue_with: Vec<ContinueWith>,
    #[serde(skip)]
    pub(crate) kind: FlowKind,
}

impl Flow {
    /// Which self-service flow this is.
    pub fn kind(&self) -> FlowKind {
        self.kind
    }

    /// The flow's own messages (`ui.messages`).
    pub fn messages(&self) -> &[UiText] {
        &self.ui.messages
    }

    /// Every message on the flow and its nodes.
    pub fn all_messages(&self) -> impl Iterator<Item = &UiText> {
        self.ui
            .messages
            .iter()
            .chain(self.ui.nodes.iter().flat_map(|n| n.messages.iter()))
    }

    /// Whether any message has this Kratos message id.
    pub fn has_message(&self, id: u64) -> bool {
        self.all_messages().any(|m| m.id == id)
    }

    /// The input node with this `name`, if the flow has one.
    pub fn input(&self, name: &str) -> Option<&InputAttributes> {
        self.ui.nodes.iter().find_map(|n| match &n.attributes {
            NodeAttributes::Input(i) if i.name == name => Some(i),
            _ => None,
        })
    }

    /// The node groups present, in order, without repeats.
    pub fn groups(&self) -> Vec<String> {
        let mut groups: Vec<String> = Vec::new();
        for node in &self.ui.nodes {
            if !groups.contains(&node.group) {
                groups.push(node.group.clone());
            }
        }
        groups
    }
}

impl fmt::Debug for Flow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Node values can hold traits or a TOTP secret: only ids and counts are shown.
        f.debug_struct("Flow")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .field("state", &self.state)
            .field("nodes", &self.ui.nodes.len())
            .field(
                "message_ids",
                &self.all_messages().map(|m| m.id).collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// A flow's form: `ui.action`, `ui.method`, `ui.nodes` and `ui.messages`.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Ui {
    /// Absolute submit URL built from Kratos' `serve.public.base_url` — never used to send
    /// anything (a phone may not reach that host); kept for diagnostics.
    #[serde(default)]
    pub action: String,
    /// `POST`.
    #[serde(default)]
    pub method: String,
    /// The form's fields, texts, images and buttons.
    #[serde(default, deserialize_with = "null_as_default")]
    pub nodes: Vec<UiNode>,
    /// Messages about the whole flow.
    #[serde(default, deserialize_with = "null_as_default")]
    pub messages: Vec<UiText>,
}

/// One element of a flow's form.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct UiNode {
    /// `input`, `text`, `img`, `a`, `script`, `div`.
    #[serde(rename = "type", default)]
    pub node_type: String,
    /// `default`, `password`, `profile`, `code`, `totp`, `lookup_secret`, `oidc`, …
    #[serde(default)]
    pub group: String,
    /// What the node is, tagged by `node_type`.
    pub attributes: NodeAttributes,
    /// Messages about this field.
    #[serde(default, deserialize_with = "null_as_default")]
    pub messages: Vec<UiText>,
    /// The label.
    #[serde(default)]
    pub meta: NodeMeta,
}

impl UiNode {
    /// The node's label text, if it has one.
    pub fn label(&self) -> Option<&str> {
        self.meta.label.as_ref().map(|l| l.text.as_str())
    }
}

/// A node's `meta`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct NodeMeta {
    /// The field or button label.
    #[serde(default)]
    pub label: Option<UiText>,
}

/// A node's attributes, tagged by `node_type`; an unknown type decodes to `Unknown`.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(tag = "node_type", rename_all = "lowercase")]
pub enum NodeAttributes {
    /// A form field or button.
    Input(InputAttributes),
    /// Text to show, e.g. the TOTP secret or the lookup codes.
    Text(TextAttributes),
    /// An image, e.g. the TOTP QR code (a `data:` URL).
    Img(ImageAttributes),
    /// A link.
    A(AnchorAttributes),
    /// A script (WebAuthn); the app does not run scripts.
    Script(ScriptAttributes),
    /// A node type this app does not know yet.
    #[serde(other)]
    Unknown,
}

/// Attributes of an `input` node.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct InputAttributes {
    /// The field name, dotted for nested values (`traits.email`).
    pub name: String,
    /// `text`, `email`, `password`, `hidden`, `submit`, `button`, `checkbox`, `number`, …
    #[serde(rename = "type", default)]
    pub input_type: String,
    /// The preset value (a hidden field, a submit button's value, a pre-filled trait).
    #[serde(default)]
    pub value: Option<Value>,
    /// Must not be empty.
    #[serde(default)]
    pub required: bool,
    /// Shown but not editable.
    #[serde(default)]
    pub disabled: bool,
    /// A regular expression the value must match.
    #[serde(default)]
    pub pattern: Option<String>,
    /// The longest value accepted.
    #[serde(default)]
    pub maxlength: Option<usize>,
    /// The HTML `autocomplete` hint.
    #[serde(default)]
    pub autocomplete: Option<String>,
}

impl InputAttributes {
    /// Whether this input is a button (`submit` or `button`).
    pub fn is_button(&self) -> bool {
        matches!(self.input_type.as_str(), "submit" | "button")
    }

    /// The preset value as text (`""` when none).
    pub fn value_text(&self) -> String {
        match &self.value {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
        }
    }
}

/// Attributes of a `text` node.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct TextAttributes {
    /// The node id, e.g. `totp_secret_key`, `lookup_secret_codes`.
    pub id: String,
    /// The text; secrets are in its `context`.
    pub text: UiText,
}

/// Attributes of an `img` node.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct ImageAttributes {
    /// The node id, e.g. `totp_qr`.
    pub id: String,
    /// The image source, a `data:` URL for the QR code.
    pub src: String,
    /// Width in CSS pixels.
    #[serde(default)]
    pub width: Option<u32>,
    /// Height in CSS pixels.
    #[serde(default)]
    pub height: Option<u32>,
}

/// Attributes of an `a` node.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct AnchorAttributes {
    /// The node id.
    pub id: String,
    /// The link target.
    pub href: String,
    /// The link text.
    pub title: UiText,
}

/// Attributes of a `script` node.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct ScriptAttributes {
    /// The node id.
    #[serde(default)]
    pub id: String,
}

/// A message or label: `{id, text, type, context}`. Ids are Kratos' stable message ids
/// (4000006 bad credentials, 4000007 duplicate account, …).
#[derive(Clone, Deserialize, PartialEq)]
pub struct UiText {
    /// The stable message id.
    pub id: u64,
    /// English text from Kratos.
    #[serde(default)]
    pub text: String,
    /// `info`, `error` or `success`.
    #[serde(rename = "type", default)]
    pub message_type: String,
    /// Values the text refers to (for some nodes, secrets such as lookup codes).
    #[serde(default)]
    pub context: Option<Value>,
}

impl UiText {
    /// Whether this is an error message.
    pub fn is_error(&self) -> bool {
        self.message_type == "error"
    }
}

impl fmt::Debug for UiText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `context` may carry a TOTP secret or recovery codes: never printed.
        f.debug_struct("UiText")
            .field("id", &self.id)
            .field("type", &self.message_type)
            .finish()
    }
}

/// A Kratos session (`/sessions/whoami`).
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Session {
    /// The session id.
    pub id: String,
    /// Whether the session is active.
    #[serde(default)]
    pub active: bool,
    /// When it ends.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
    /// When the user last proved who they are.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub authenticated_at: Option<OffsetDateTime>,
    /// `aal1` or `aal2`.
    #[serde(default)]
    pub authenticator_assurance_level: Option<String>,
    /// How the user signed in.
    #[serde(default, deserialize_with = "null_as_default")]
    pub authentication_methods: Vec<AuthenticationMethod>,
    /// Who is signed in.
    pub identity: Option<Identity>,
}

/// One entry of a session's `authentication_methods`.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct AuthenticationMethod {
    /// `password`, `totp`, `lookup_secret`, `code`, …
    #[serde(default)]
    pub method: String,
    /// The level this method reached.
    #[serde(default)]
    pub aal: Option<String>,
    /// When.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub completed_at: Option<OffsetDateTime>,
}

/// A Kratos identity.
#[derive(Clone, Deserialize, PartialEq)]
pub struct Identity {
    /// The identity id.
    pub id: String,
    /// The identity schema it follows.
    #[serde(default)]
    pub schema_id: String,
    /// `active` or `inactive`.
    #[serde(default)]
    pub state: Option<String>,
    /// The traits, shaped by the identity schema (email, name, …).
    #[serde(default)]
    pub traits: Value,
    /// Addresses that can be verified.
    #[serde(default, deserialize_with = "null_as_default")]
    pub verifiable_addresses: Vec<VerifiableAddress>,
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Traits are personal data: never printed.
        f.debug_struct("Identity")
            .field("id", &self.id)
            .field("schema_id", &self.schema_id)
            .finish_non_exhaustive()
    }
}

/// An address Kratos can verify.
#[derive(Clone, Deserialize, PartialEq)]
pub struct VerifiableAddress {
    /// The address.
    #[serde(default)]
    pub value: String,
    /// Whether it is verified.
    #[serde(default)]
    pub verified: bool,
    /// `email`.
    #[serde(default)]
    pub via: String,
}

impl fmt::Debug for VerifiableAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifiableAddress")
            .field("verified", &self.verified)
            .finish_non_exhaustive()
    }
}

/// A `continue_with` item: what the app should do after a successful submit.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum ContinueWith {
    /// A new session token (registration, recovery).
    SetOrySessionToken {
        /// The token.
        ory_session_token: SessionToken,
    },
    /// Show the verification flow (registration sends the code itself).
    ShowVerificationUi {
        /// The verification flow.
        flow: ContinueWithFlow,
    },
    /// Show the settings flow (after recovery: set a new password).
    ShowSettingsUi {
        /// The settings flow.
        flow: ContinueWithFlow,
    },
    /// Show the recovery flow.
    ShowRecoveryUi {
        /// The recovery flow.
        flow: ContinueWithFlow,
    },
    /// A browser redirect; ignored by a native app.
    RedirectBrowserTo {
        /// Where.
        #[serde(default)]
        redirect_browser_to: String,
    },
    /// An action this app does not know yet.
    #[serde(other)]
    Unknown,
}

/// The flow a `continue_with` item points to.
#[derive(Clone, Deserialize, PartialEq)]
pub struct ContinueWithFlow {
    /// The flow id.
    pub id: String,
    /// The address a verification code was sent to.
    #[serde(default)]
    pub verifiable_address: Option<String>,
}

impl fmt::Debug for ContinueWithFlow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ContinueWithFlow")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// A successful login or registration: the session and its token.
#[derive(Clone, Debug, Deserialize)]
pub struct SessionGrant {
    /// The new token (absent when registration has no `session` hook).
    #[serde(default)]
    pub session_token: Option<SessionToken>,
    /// The session.
    #[serde(default)]
    pub session: Option<Session>,
    /// Registration: the new identity.
    #[serde(default)]
    pub identity: Option<Identity>,
    /// What to do next.
    #[serde(default, deserialize_with = "null_as_default")]
    pub continue_with: Vec<ContinueWith>,
}

impl SessionGrant {
    /// The token, from `session_token` or a `set_ory_session_token` item.
    pub fn token(&self) -> Option<&SessionToken> {
        self.session_token.as_ref().or_else(|| {
            self.continue_with.iter().find_map(|c| match c {
                ContinueWith::SetOrySessionToken { ory_session_token } => Some(ory_session_token),
                _ => None,
            })
        })
    }

    /// The verification flow registration started, if any.
    pub fn verification_flow_id(&self) -> Option<&str> {
        self.continue_with.iter().find_map(|c| match c {
            ContinueWith::ShowVerificationUi { flow } => Some(flow.id.as_str()),
            _ => None,
        })
    }
}

/// Kratos' JSON error envelope: `{"error": {...}}`, plus `use_flow_id` on a 410.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ErrorEnvelope {
    /// The error (absent when the answer is not an error envelope at all).
    #[serde(default)]
    pub error: Option<ErrorBody>,
    /// A 410 on submit: the flow that replaces the expired one.
    #[serde(default)]
    pub use_flow_id: Option<String>,
    /// A 422: where a browser would go.
    #[serde(default)]
    pub redirect_browser_to: Option<String>,
}

/// The `error` object of the envelope.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ErrorBody {
    /// A stable id such as `session_refresh_required`, `self_service_flow_expired`.
    #[serde(default)]
    pub id: Option<String>,
    /// The HTTP status code.
    #[serde(default)]
    pub code: Option<u16>,
    /// The HTTP status text.
    #[serde(default)]
    pub status: Option<String>,
    /// Why, in English.
    #[serde(default)]
    pub reason: Option<String>,
    /// A generic message.
    #[serde(default)]
    pub message: Option<String>,
    /// More data (`use_flow_id` also appears here on a 410).
    #[serde(default)]
    pub details: Option<Value>,
}
