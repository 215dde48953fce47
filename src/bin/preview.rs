//! The browser preview: the same `App`, served by Dioxus liveview on 127.0.0.1, with the native
//! `auth` code running in this process and an in-memory token store per browser tab.
//!
//! `KRATOS_URL` (default: as the app resolves it, `http://127.0.0.1:4433` unless a server was
//! saved) is the Kratos public API; `KRATOS_MOBILE_SETTINGS`, if set, the settings file the Server
//! screen saves to (unset: the preview keeps nothing across runs); `PREVIEW_PORT`
//! (default 8080, 0 = any free port) the port. Once bound it prints one line to stdout,
//! `preview listening on http://127.0.0.1:<port>`; logs go to stderr (`RUST_LOG`, default info).

use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::sync::Arc;

use axum::extract::ws::WebSocketUpgrade;
use axum::response::Html;
use axum::routing::get;
use axum::Router;
use dioxus::prelude::*;
use dioxus_liveview::{axum_socket, interpreter_glue, LiveViewPool};
use kratos_mobile::app::{App, Launch};
use kratos_mobile::auth::MemoryStore;
use kratos_mobile::settings::SettingsFile;

const DEFAULT_PORT: u16 = 8080;

#[tokio::main]
async fn main() -> ExitCode {
    kratos_mobile::logging::init();

    let settings = std::env::var_os("KRATOS_MOBILE_SETTINGS")
        .filter(|p| !p.is_empty())
        .map(SettingsFile::at);
    let resolved = match kratos_mobile::config::resolve(settings.as_ref()) {
        Ok(resolved) => resolved,
        Err(e) => {
            eprintln!("preview: KRATOS_URL is not a usable Kratos URL: {e}");
            return ExitCode::from(2);
        }
    };
    let kratos = resolved.server.clone();
    let port = match std::env::var("PREVIEW_PORT") {
        Err(_) => DEFAULT_PORT,
        Ok(p) => {
            match p.trim().parse::<u16>() {
                Ok(port) => port,
                Err(_) => {
                    eprintln!("preview: PREVIEW_PORT={p:?} is not a port number (0-65535; 0 = any free port)");
                    return ExitCode::from(2);
                }
            }
        }
    };

    let listener =
        match tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).await {
            Ok(listener) => listener,
            Err(e) => {
                eprintln!("preview: cannot listen on 127.0.0.1:{port}: {e}");
                return ExitCode::from(1);
            }
        };
    let addr = listener
        .local_addr()
        .expect("a bound socket has an address");

    let pool = LiveViewPool::new();
    let index = || async { Html(index_page()) };
    let app = Router::new()
        .route(
            "/ws",
            get(move |ws: WebSocketUpgrade| {
                let pool = pool.clone();
                let resolved = resolved.clone();
                let settings = settings.clone();
                async move {
                    ws.on_upgrade(move |socket| async move {
                        // One VirtualDom per websocket, that is per browser tab, each with its own
                        // token store: tabs never share a session.
                        let result = pool
                            .launch_virtualdom(axum_socket(socket), move || {
                                // Each tab is a launch: it reads the settings file afresh.
                                let resolved = kratos_mobile::config::resolve(settings.as_ref())
                                    .unwrap_or(resolved);
                                VirtualDom::new(App).with_root_context(Launch {
                                    server: resolved.server,
                                    source: resolved.source,
                                    tokens: Arc::new(MemoryStore::new()),
                                    settings,
                                    notice: resolved.notice,
                                })
                            })
                            .await;
                        if let Err(e) = result {
                            tracing::debug!("liveview connection ended: {e:?}");
                        }
                    })
                }
            }),
        )
        // `/` explicitly: the catch-all below does not match the empty path under axum 0.8.
        .route("/", get(index))
        // Deep links (/login, /registration, ...) get the same page; the router reads the URL.
        .fallback(get(index));

    tracing::info!(kratos = %kratos, "serving the preview on http://{addr}");
    println!("preview listening on http://{addr}");

    if let Err(e) = axum::serve(listener, app).await {
        eprintln!("preview: server error: {e}");
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}

fn index_page() -> String {
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<title>Kratos Mobile (preview)</title>
</head>
<body>
<div id="main"></div>
{}
</body>
</html>"#,
        interpreter_glue("/ws")
    )
}
