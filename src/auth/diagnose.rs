//! What goes wrong between a phone and a development Kratos, found with the requests the app
//! makes anyway: is Kratos reachable (`/health/alive`), which version it runs, and whether its
//! `serve.public.base_url` names the address this device uses — the trap phones hit most, since
//! Kratos' default and most tutorials' config say `localhost`.

use std::time::Duration;

use url::{Host, Url};

use super::client::KratosClient;
use super::error::AuthError;
use super::server_url::ServerUrl;
use super::types::{Flow, FlowKind};

/// The Kratos release this app is built and tested against.
pub const TESTED_KRATOS: &str = "v1.3.1";

/// Kratos' `serve.public.base_url` (seen in a flow's `ui.action`) names another place than the
/// URL this app uses: links in emails, redirects and passkeys would point there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaseUrlMismatch {
    /// The origin Kratos advertises, e.g. `http://localhost:4433`.
    pub advertised: String,
    /// The URL this app talks to, e.g. `http://192.168.1.20:4433`.
    pub used: String,
}

impl BaseUrlMismatch {
    /// The problem and its exact fix, in plain words.
    pub fn explain(&self) -> String {
        format!(
            "Kratos answers, but its serve.public.base_url says {advertised} while this device uses {used}: \
             links in emails and redirects would go to {advertised}. Fix: in config/kratos.yml set \
             serve.public.base_url: {used}/ (scripts/dev.sh puts this computer's LAN address there), keep \
             serve.public.host: 0.0.0.0 so other devices can connect, and restart Kratos.",
            advertised = self.advertised,
            used = self.used,
        )
    }
}

/// Compares a flow's `ui.action` with the server the app uses. Loopback names are the same
/// place for this purpose (`localhost` and `127.0.0.1` on one machine); anything else must
/// match in scheme, host and port. `None`: they agree, or the action isn't a URL (nothing to say).
pub fn base_url_mismatch(flow: &Flow, server: &ServerUrl) -> Option<BaseUrlMismatch> {
    let action = Url::parse(&flow.ui.action).ok()?;
    let used = Url::parse(server.as_str()).ok()?;
    let same_host = match (action.host(), used.host()) {
        (Some(a), Some(u)) => is_loopback(&a) && is_loopback(&u) || a == u,
        _ => return None,
    };
    let same = same_host
        && action.scheme() == used.scheme()
        && action.port_or_known_default() == used.port_or_known_default();
    if same {
        return None;
    }
    Some(BaseUrlMismatch {
        advertised: action.origin().ascii_serialization(),
        used: server.to_string(),
    })
}

fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => ip.is_loopback(),
        Host::Ipv6(ip) => ip.is_loopback(),
    }
}

/// Where a development Kratos' admin API usually is: the public port + 1 on the same host
/// (Kratos' defaults 4433/4434, and this project's scripts and compose file). Only for plain
/// `http` — a production Kratos never exposes its admin API next to the public one.
pub fn admin_guess(server: &ServerUrl) -> Option<Url> {
    let mut url = Url::parse(server.as_str()).ok()?;
    if url.scheme() != "http" {
        return None;
    }
    let port = url.port_or_known_default()?.checked_add(1)?;
    url.set_port(Some(port)).ok()?;
    url.set_path("");
    Some(url)
}

/// What [`check`] found.
#[derive(Debug)]
pub struct ServerReport {
    /// The server checked.
    pub server: ServerUrl,
    /// `/health/alive` and a login flow; `Err` with what failed. `Ok(None)`: fine.
    pub reachable: Result<Option<BaseUrlMismatch>, Unreachable>,
    /// Kratos' version, when it says.
    pub version: Option<String>,
}

/// Why the check couldn't talk to Kratos.
#[derive(Debug)]
pub enum Unreachable {
    /// A request failed.
    Failed(AuthError),
    /// Nothing came back within the check's deadline.
    NoAnswer(Duration),
}

impl ServerReport {
    /// What the person reads about the version.
    pub fn version_note(&self) -> String {
        match self.version.as_deref() {
            Some(v) if v == TESTED_KRATOS => format!("Kratos {v} (the version this app is tested with)."),
            Some(v) => format!(
                "Kratos {v}. This app is tested with {TESTED_KRATOS}; forms and errors may differ. Run Kratos {TESTED_KRATOS} (scripts/kratos.sh or docker/compose.yml) if something doesn't work."
            ),
            None => format!(
                "Kratos' version isn't known: it's published on the admin API only, which a phone shouldn't reach. On the computer, `scripts/kratos.sh version` shows it (this app is tested with {TESTED_KRATOS})."
            ),
        }
    }
}

/// Checks the server with a deadline: reachability and base_url (one `/health/alive`, one new
/// login flow) and, at the same time, the version (`/version` on the public API, else
/// `<admin>/admin/version`, each given at most 3 seconds).
pub async fn check(client: &KratosClient, admin: Option<Url>, deadline: Duration) -> ServerReport {
    let reach = async {
        let result = tokio::time::timeout(deadline, async {
            client.health_alive().await?;
            client.create_flow(FlowKind::Login, None).await
        })
        .await;
        match result {
            Err(_) => Err(Unreachable::NoAnswer(deadline)),
            Ok(Err(e)) => Err(Unreachable::Failed(e)),
            Ok(Ok(flow)) => Ok(base_url_mismatch(&flow, client.server())),
        }
    };
    let version = async {
        let wait = deadline.min(Duration::from_secs(3));
        tokio::time::timeout(wait, client.version(admin.as_ref()))
            .await
            .ok()
            .flatten()
    };
    let (reachable, version) = tokio::join!(reach, version);
    ServerReport {
        server: client.server().clone(),
        reachable,
        version,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flow(action: &str) -> Flow {
        serde_json::from_value(serde_json::json!({
            "id": "f", "type": "api",
            "ui": {"action": action, "method": "POST", "nodes": []}
        }))
        .unwrap()
    }

    fn server(url: &str) -> ServerUrl {
        ServerUrl::parse(url).unwrap()
    }

    #[test]
    fn base_url_comparison() {
        let lan = server("http://192.168.1.20:4433");
        let localhost = flow("http://localhost:4433/self-service/login?flow=f");
        let m = base_url_mismatch(&localhost, &lan).expect("localhost vs LAN is a mismatch");
        assert_eq!(m.advertised, "http://localhost:4433");
        assert_eq!(m.used, "http://192.168.1.20:4433");
        assert!(m
            .explain()
            .contains("serve.public.base_url: http://192.168.1.20:4433/"));
        assert!(m.explain().contains("serve.public.host: 0.0.0.0"));

        // The same machine under two loopback names: fine.
        assert_eq!(
            base_url_mismatch(&localhost, &server("http://127.0.0.1:4433")),
            None
        );
        // Same host, other port or scheme: a mismatch.
        assert!(base_url_mismatch(&localhost, &server("http://127.0.0.1:4455")).is_some());
        assert!(base_url_mismatch(
            &flow("https://192.168.1.20:4433/self-service/login?flow=f"),
            &lan
        )
        .is_some());
        // Matching, with a path prefix on the server.
        assert_eq!(
            base_url_mismatch(
                &flow("http://192.168.1.20:4433/self-service/login?flow=f"),
                &lan
            ),
            None
        );
        // An emulator reaching the host at 10.0.2.2 while Kratos says 127.0.0.1.
        assert!(base_url_mismatch(
            &flow("http://127.0.0.1:4433/self-service/login?flow=f"),
            &server("http://10.0.2.2:4433")
        )
        .is_some());
        // No URL in the action: nothing to say.
        assert_eq!(base_url_mismatch(&flow(""), &lan), None);
    }

    #[test]
    fn admin_is_guessed_next_to_the_public_port_for_http_only() {
        assert_eq!(
            admin_guess(&server("http://192.168.1.20:4433"))
                .unwrap()
                .as_str(),
            "http://192.168.1.20:4434/"
        );
        assert_eq!(admin_guess(&server("https://auth.example.com")), None);
    }
}
