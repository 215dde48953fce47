//! The Kratos HTTP client: one `reqwest::Client`, native (API) self-service flows only.
//! See <https://www.ory.sh/docs/kratos/self-service#api-flows-native-mobile--desktop-apps-command-line-interfaces-smart-tvs-and-more>.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, CONTENT_TYPE};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;
use tracing::{debug, info, warn};
use url::Url;

use super::body::{build_body, FormValues, Pressed};
use super::error::AuthError;
use super::server_url::ServerUrl;
use super::token::SessionToken;
use super::types::{ErrorEnvelope, Flow, FlowKind, Session, SessionGrant};

/// How long to wait for Kratos.
#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    /// Establishing the TCP/TLS connection.
    pub connect: Duration,
    /// The whole request, answer included.
    pub request: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(5),
            request: Duration::from_secs(15),
        }
    }
}

/// Options for creating a login flow.
#[derive(Clone, Copy, Debug, Default)]
pub struct LoginOptions<'a> {
    /// `refresh=true`: re-authenticate the session of `token` (same token comes back).
    pub refresh: bool,
    /// `aal=aal2`: a second-factor login for the session of `token`.
    pub aal2: bool,
    /// The current session, required by `refresh` and `aal2`.
    pub token: Option<&'a SessionToken>,
}

/// What a submit answered with success.
#[derive(Debug)]
pub enum Submitted {
    /// Login or registration succeeded: a session (and, normally, its token).
    Session(Box<SessionGrant>),
    /// Settings, verification or recovery answered with the flow; read its `state` and messages.
    Flow(Box<Flow>),
}

/// One other session of the signed-in identity, from `GET /sessions`.
pub type OtherSession = Session;

/// The Kratos client. Cheap to clone (one shared connection pool).
#[derive(Clone)]
pub struct KratosClient {
    http: reqwest::Client,
    server: ServerUrl,
    timeouts: Timeouts,
}

impl std::fmt::Debug for KratosClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KratosClient")
            .field("server", &self.server)
            .finish()
    }
}

fn tls_roots() -> &'static [reqwest::Certificate] {
    static ROOTS: OnceLock<Vec<reqwest::Certificate>> = OnceLock::new();
    ROOTS.get_or_init(|| {
        webpki_root_certs::TLS_SERVER_ROOT_CERTS
            .iter()
            .filter_map(|der| reqwest::Certificate::from_der(der.as_ref()).ok())
            .collect()
    })
}

impl KratosClient {
    /// A client for the Kratos at `server` with default timeouts.
    pub fn new(server: ServerUrl) -> Result<Self, AuthError> {
        Self::with_timeouts(server, Timeouts::default())
    }

    /// A client with explicit timeouts.
    ///
    /// TLS is rustls with the `ring` provider and the Mozilla roots compiled in (no platform
    /// verifier: it panics on Android without JNI set-up). No cookie store: API flows reject
    /// cookies. No `Origin` header is ever set.
    pub fn with_timeouts(server: ServerUrl, timeouts: Timeouts) -> Result<Self, AuthError> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .user_agent(concat!("kratos-mobile/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(timeouts.connect)
            .timeout(timeouts.request)
            .redirect(reqwest::redirect::Policy::none())
            .tls_certs_only(tls_roots().iter().cloned())
            .build()
            .map_err(|e| AuthError::Unreachable {
                server: server.to_string(),
                detail: format!("could not set up HTTP: {e}"),
            })?;
        Ok(Self {
            http,
            server,
            timeouts,
        })
    }

    /// The server every request goes to.
    pub fn server(&self) -> &ServerUrl {
        &self.server
    }

    fn request(&self, method: Method, path: &str, token: Option<&SessionToken>) -> RequestBuilder {
        let mut req = self.http.request(method, self.server.join(path));
        if let Some(token) = token {
            match HeaderValue::from_str(token.expose_secret()) {
                Ok(mut value) => {
                    value.set_sensitive(true);
                    req = req.header("X-Session-Token", value);
                }
                Err(_) => warn!("stored session token is not a valid header value; not sent"),
            }
        }
        req
    }

    /// Sends a request and reads the whole answer; transport failures become `Unreachable` or
    /// `Timeout`.
    async fn send(&self, req: RequestBuilder) -> Result<(StatusCode, bytes_body::Body), AuthError> {
        let started = std::time::Instant::now();
        let response = req.send().await.map_err(|e| self.transport_error(&e))?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|e| self.transport_error(&e))?;
        debug!(
            status = status.as_u16(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "kratos answered"
        );
        Ok((status, bytes_body::Body(body.to_vec())))
    }

    fn transport_error(&self, e: &reqwest::Error) -> AuthError {
        if e.is_timeout() {
            warn!(server = %self.server, "kratos request timed out");
            AuthError::Timeout {
                server: self.server.to_string(),
                seconds: self.timeouts.request.as_secs(),
            }
        } else {
            let mut detail = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(s) = source {
                detail.push_str(": ");
                detail.push_str(&s.to_string());
                source = s.source();
            }
            warn!(server = %self.server, %detail, "kratos unreachable");
            AuthError::Unreachable {
                server: self.server.to_string(),
                detail,
            }
        }
    }

    fn decode<T: DeserializeOwned>(
        &self,
        status: StatusCode,
        body: &bytes_body::Body,
    ) -> Result<T, AuthError> {
        serde_json::from_slice(&body.0).map_err(|e| self.undecodable(status, body, &e))
    }

    fn undecodable(
        &self,
        status: StatusCode,
        body: &bytes_body::Body,
        e: &serde_json::Error,
    ) -> AuthError {
        warn!(status = status.as_u16(), error = %e, "kratos answer could not be decoded");
        AuthError::Undecodable {
            server: self.server.to_string(),
            status: status.as_u16(),
            detail: e.to_string(),
            body: body.trimmed(),
        }
    }

    /// Maps a non-success answer to the error a person must be told about.
    fn error_from(
        &self,
        kind: Option<FlowKind>,
        status: StatusCode,
        body: &bytes_body::Body,
    ) -> AuthError {
        if status == StatusCode::BAD_REQUEST {
            if let Some(kind) = kind {
                if let Ok(mut flow) = serde_json::from_slice::<Flow>(&body.0) {
                    flow.kind = kind;
                    info!(flow = %flow.id, messages = ?flow.all_messages().map(|m| m.id).collect::<Vec<_>>(), "kratos returned the flow again");
                    return AuthError::FlowRejected(Box::new(flow));
                }
            }
        }
        let envelope: ErrorEnvelope = match serde_json::from_slice::<ErrorEnvelope>(&body.0) {
            Ok(env) if env.error.is_some() => env,
            Ok(_) => {
                return AuthError::Undecodable {
                    server: self.server.to_string(),
                    status: status.as_u16(),
                    detail: "neither a flow nor an error".to_string(),
                    body: body.trimmed(),
                }
            }
            Err(e) if status.is_server_error() && !looks_like_json(&body.0) => {
                warn!(
                    status = status.as_u16(),
                    "kratos failed without a JSON body"
                );
                return AuthError::Server {
                    status: status.as_u16(),
                    id: None,
                    reason: Some(e.to_string()),
                };
            }
            Err(e) => return self.undecodable(status, body, &e),
        };
        let error = envelope.error.clone().unwrap_or_default();
        let id = error.id.clone();
        info!(
            status = status.as_u16(),
            error_id = id.as_deref().unwrap_or("-"),
            "kratos error"
        );
        match (status.as_u16(), id.as_deref()) {
            (_, Some("session_already_available")) => AuthError::AlreadySignedIn,
            (_, Some("session_refresh_required")) => AuthError::RefreshRequired,
            (_, Some("session_aal2_required")) => AuthError::SecondFactorRequired,
            (_, Some("browser_location_change_required")) | (422, _) => {
                AuthError::BrowserRedirectRequired {
                    to: envelope.redirect_browser_to.clone(),
                }
            }
            (401, _) | (_, Some("session_inactive")) => AuthError::SessionInactive,
            (410, _) | (_, Some("self_service_flow_expired")) => AuthError::FlowExpired {
                kind: kind.map(FlowKind::segment).unwrap_or("self-service"),
            },
            (status, id) => AuthError::Server {
                status,
                id: id.map(str::to_string),
                reason: error.reason.clone(),
            },
        }
    }

    /// `GET /health/ready`: Kratos is up and its database reachable.
    pub async fn health_ready(&self) -> Result<(), AuthError> {
        let (status, body) = self
            .send(self.request(Method::GET, "/health/ready", None))
            .await?;
        if status.is_success() {
            Ok(())
        } else {
            Err(self.error_from(None, status, &body))
        }
    }

    /// `GET /health/alive`: Kratos answers HTTP.
    pub async fn health_alive(&self) -> Result<(), AuthError> {
        let (status, body) = self
            .send(self.request(Method::GET, "/health/alive", None))
            .await?;
        if status.is_success() {
            Ok(())
        } else {
            Err(self.error_from(None, status, &body))
        }
    }

    /// Kratos' version, if it says: `GET /version` on the public API (Kratos v1.3.1 answers 404
    /// there; some deployments route it), else `GET <admin>/admin/version` when an admin URL is
    /// given. Only `{"version": "..."}` answers count; anything else is `None` (logged).
    pub async fn version(&self, admin: Option<&Url>) -> Option<String> {
        #[derive(Deserialize)]
        struct Version {
            version: String,
        }
        let mut urls = vec![self.server.join("/version")];
        if let Some(admin) = admin {
            let mut url = admin.clone();
            let base = admin.path().trim_end_matches('/').to_string();
            url.set_path(&format!("{base}/admin/version"));
            urls.push(url);
        }
        for url in urls {
            match self.send(self.http.get(url.clone())).await {
                Ok((status, body)) if status.is_success() => {
                    match serde_json::from_slice::<Version>(&body.0) {
                        Ok(v) if !v.version.trim().is_empty() => return Some(v.version),
                        _ => debug!(%url, "no version in the answer"),
                    }
                }
                Ok((status, _)) => debug!(%url, status = status.as_u16(), "no version here"),
                Err(e) => debug!(%url, error = %e, "version not reachable"),
            }
        }
        None
    }

    /// Creates a native flow: `GET /self-service/<kind>/api`.
    /// See <https://www.ory.sh/docs/reference/api#tag/frontend>.
    pub async fn create_flow(
        &self,
        kind: FlowKind,
        token: Option<&SessionToken>,
    ) -> Result<Flow, AuthError> {
        self.create_flow_with_query(kind, &[], token).await
    }

    /// Creates a login flow, optionally `refresh=true` or `aal=aal2` for the given session.
    pub async fn create_login_flow(&self, options: LoginOptions<'_>) -> Result<Flow, AuthError> {
        let mut query: Vec<(&str, &str)> = Vec::new();
        if options.refresh {
            query.push(("refresh", "true"));
        }
        if options.aal2 {
            query.push(("aal", "aal2"));
        }
        self.create_flow_with_query(FlowKind::Login, &query, options.token)
            .await
    }

    async fn create_flow_with_query(
        &self,
        kind: FlowKind,
        query: &[(&str, &str)],
        token: Option<&SessionToken>,
    ) -> Result<Flow, AuthError> {
        let path = format!("/self-service/{}/api", kind.segment());
        let req = self.request(Method::GET, &path, token).query(query);
        let (status, body) = self.send(req).await?;
        if !status.is_success() {
            return Err(self.error_from(None, status, &body));
        }
        let mut flow: Flow = self.decode(status, &body)?;
        flow.kind = kind;
        info!(kind = kind.segment(), flow = %flow.id, "flow created");
        Ok(flow)
    }

    /// Fetches an existing flow: `GET /self-service/<kind>/flows?id=<id>`.
    pub async fn get_flow(
        &self,
        kind: FlowKind,
        id: &str,
        token: Option<&SessionToken>,
    ) -> Result<Flow, AuthError> {
        let path = format!("/self-service/{}/flows", kind.segment());
        let req = self.request(Method::GET, &path, token).query(&[("id", id)]);
        let (status, body) = self.send(req).await?;
        if !status.is_success() {
            return Err(self.error_from(Some(kind), status, &body));
        }
        let mut flow: Flow = self.decode(status, &body)?;
        flow.kind = kind;
        Ok(flow)
    }

    /// Submits a flow with what the person entered and the button they pressed.
    ///
    /// The URL is built from the configured server (never from `ui.action`). When Kratos
    /// answers 410 with `use_flow_id`, the submit continues once on that new flow with the same
    /// input; the flow that answered is in the result or the `FlowRejected` error.
    pub async fn submit(
        &self,
        flow: &Flow,
        values: &FormValues,
        pressed: &Pressed,
        token: Option<&SessionToken>,
    ) -> Result<Submitted, AuthError> {
        match self
            .submit_body(flow, &build_body(flow, values, pressed), token)
            .await
        {
            Err(Expired(Some(new_id))) => {
                info!(old = %flow.id, new = %new_id, "flow expired; continuing on the new flow");
                let fresh = self.get_flow(flow.kind, &new_id, token).await?;
                self.submit_body(&fresh, &build_body(&fresh, values, pressed), token)
                    .await
                    .map_err(|e| e.into_auth(flow.kind))
            }
            other => other.map_err(|e| e.into_auth(flow.kind)),
        }
    }

    /// Posts a body built elsewhere, e.g. a one-step registration
    /// `{method: "password", traits, password}` on the first registration flow.
    pub async fn submit_json(
        &self,
        flow: &Flow,
        body: &Value,
        token: Option<&SessionToken>,
    ) -> Result<Submitted, AuthError> {
        self.submit_body(flow, body, token)
            .await
            .map_err(|e| e.into_auth(flow.kind))
    }

    /// Posts a prepared body to `POST /self-service/<kind>?flow=<id>`.
    async fn submit_body(
        &self,
        flow: &Flow,
        body: &Value,
        token: Option<&SessionToken>,
    ) -> Result<Submitted, SubmitError> {
        let path = format!("/self-service/{}", flow.kind.segment());
        let req = self
            .request(Method::POST, &path, token)
            .query(&[("flow", flow.id.as_str())])
            .header(CONTENT_TYPE, "application/json")
            .body(serde_json::to_vec(body).unwrap_or_default());
        let (status, answer) = self.send(req).await.map_err(SubmitError::Auth)?;
        info!(kind = flow.kind.segment(), flow = %flow.id, status = status.as_u16(), "flow submitted");
        if status == StatusCode::GONE {
            let env: ErrorEnvelope = serde_json::from_slice(&answer.0).unwrap_or_default();
            let id = env.use_flow_id.clone().or_else(|| {
                env.error
                    .as_ref()
                    .and_then(|e| e.details.as_ref())
                    .and_then(|d| d.get("use_flow_id"))
                    .and_then(Value::as_str)
                    .map(str::to_string)
            });
            return Err(Expired(id));
        }
        if !status.is_success() {
            return Err(SubmitError::Auth(self.error_from(
                Some(flow.kind),
                status,
                &answer,
            )));
        }
        match flow.kind {
            FlowKind::Login | FlowKind::Registration => {
                let grant: SessionGrant =
                    self.decode(status, &answer).map_err(SubmitError::Auth)?;
                Ok(Submitted::Session(Box::new(grant)))
            }
            _ => {
                let mut next: Flow = self.decode(status, &answer).map_err(SubmitError::Auth)?;
                next.kind = flow.kind;
                Ok(Submitted::Flow(Box::new(next)))
            }
        }
    }

    /// `GET /sessions/whoami`: the session of `token`.
    /// See <https://www.ory.sh/docs/reference/api#tag/frontend/operation/toSession>.
    pub async fn whoami(&self, token: &SessionToken) -> Result<Session, AuthError> {
        let (status, body) = self
            .send(self.request(Method::GET, "/sessions/whoami", Some(token)))
            .await?;
        if !status.is_success() {
            return Err(self.error_from(None, status, &body));
        }
        self.decode(status, &body)
    }

    /// `DELETE /self-service/logout/api` with `{session_token}`: revokes the session.
    /// A token Kratos no longer knows (403) counts as logged out.
    pub async fn logout(&self, token: &SessionToken) -> Result<(), AuthError> {
        #[derive(serde::Serialize)]
        struct Body<'a> {
            session_token: &'a str,
        }
        let req = self
            .request(Method::DELETE, "/self-service/logout/api", None)
            .header(CONTENT_TYPE, "application/json")
            .body(
                serde_json::to_vec(&Body {
                    session_token: token.expose_secret(),
                })
                .unwrap_or_default(),
            );
        let (status, body) = self.send(req).await?;
        match status.as_u16() {
            204 => Ok(()),
            200 if body.0.is_empty() => Ok(()),
            200 => Err(AuthError::Undecodable {
                server: self.server.to_string(),
                status: 200,
                detail: "not Kratos' logout answer (204 expected)".to_string(),
                body: body.trimmed(),
            }),
            401 | 403 => {
                info!("logout: kratos no longer knows this session");
                Ok(())
            }
            _ => Err(self.error_from(None, status, &body)),
        }
    }

    /// `GET /sessions`: the identity's other sessions (not the current one).
    pub async fn list_sessions(
        &self,
        token: &SessionToken,
    ) -> Result<Vec<OtherSession>, AuthError> {
        let (status, body) = self
            .send(self.request(Method::GET, "/sessions", Some(token)))
            .await?;
        if !status.is_success() {
            return Err(self.error_from(None, status, &body));
        }
        self.decode(status, &body)
    }

    /// `DELETE /sessions/{id}`: revokes one other session.
    pub async fn revoke_session(&self, token: &SessionToken, id: &str) -> Result<(), AuthError> {
        let path = format!("/sessions/{id}");
        let (status, body) = self
            .send(self.request(Method::DELETE, &path, Some(token)))
            .await?;
        if status.is_success() {
            Ok(())
        } else {
            Err(self.error_from(None, status, &body))
        }
    }

    /// `DELETE /sessions`: revokes all other sessions; returns how many.
    pub async fn revoke_other_sessions(&self, token: &SessionToken) -> Result<u64, AuthError> {
        #[derive(Deserialize)]
        struct Count {
            count: u64,
        }
        let (status, body) = self
            .send(self.request(Method::DELETE, "/sessions", Some(token)))
            .await?;
        if !status.is_success() {
            return Err(self.error_from(None, status, &body));
        }
        Ok(self.decode::<Count>(status, &body)?.count)
    }
}

/// A submit's failure before it is mapped: a 410 may carry the flow to continue on.
enum SubmitError {
    Auth(AuthError),
    Expired(Option<String>),
}
use SubmitError::Expired;

impl SubmitError {
    fn into_auth(self, kind: FlowKind) -> AuthError {
        match self {
            SubmitError::Auth(e) => e,
            SubmitError::Expired(_) => AuthError::FlowExpired {
                kind: kind.segment(),
            },
        }
    }
}

/// Replaces what follows each `ory_st_` (and any `"session_token":"…"` value) with `[redacted]`.
fn redact_tokens(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let next = [rest.find("ory_st_"), rest.find("session_token\":\"")]
            .into_iter()
            .flatten()
            .min();
        let Some(at) = next else {
            out.push_str(rest);
            return out;
        };
        let marker = if rest[at..].starts_with("ory_st_") {
            "ory_st_"
        } else {
            "session_token\":\""
        };
        out.push_str(&rest[..at + marker.len()]);
        out.push_str("[redacted]");
        rest = &rest[at + marker.len()..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(rest.len());
        rest = &rest[end..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logged_bodies_never_carry_a_session_token() {
        let body = bytes_body::Body(
            br#"{"session_token":"ory_st_C6OshnTO5xHWdIEZ","x":1,"continue_with":[{"ory_session_token":"ory_st_abcDEF123"}],"other_token":"session_token":"plain123"}"#.to_vec(),
        );
        let trimmed = body.trimmed();
        assert!(!trimmed.contains("C6OshnTO5xHWdIEZ"), "{trimmed}");
        assert!(!trimmed.contains("abcDEF123"), "{trimmed}");
        assert!(!trimmed.contains("plain123"), "{trimmed}");
        assert!(trimmed.contains("[redacted]"));
        assert!(trimmed.contains(r#""x":1"#));
    }
}

fn looks_like_json(body: &[u8]) -> bool {
    body.iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{' || *b == b'[')
}

mod bytes_body {
    /// An answer body.
    pub struct Body(pub Vec<u8>);

    impl Body {
        /// At most 300 characters of the body, for the logs, with every session token in it
        /// (`ory_st_…`) redacted: a success answer that fails to decode carries one.
        pub fn trimmed(&self) -> String {
            let text = super::redact_tokens(&String::from_utf8_lossy(&self.0));
            let mut out: String = text.chars().take(300).collect();
            if text.chars().count() > 300 {
                out.push('…');
            }
            out.replace(['\n', '\r'], " ")
        }
    }
}

/// A shared client handle.
pub type SharedClient = Arc<KratosClient>;
