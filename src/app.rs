//! The app: routes, the auth store in context, the embedded stylesheet and the first-frame
//! signal.

use std::sync::Arc;

use dioxus::prelude::*;

use crate::auth::store::AuthStore;
use crate::auth::{KratosClient, ServerUrl, SessionManager, TokenStore};
use crate::config::Source;
use crate::settings::SettingsFile;
use crate::views::{Home, Login, NotFound, Registration, Server};

/// The stylesheet, embedded so it applies however the app is built (`cargo` or `dx`).
pub const STYLESHEET: &str = include_str!("../assets/style.css");

/// What the launcher hands the app: the Kratos to use and where tokens are kept.
#[derive(Clone)]
pub struct Launch {
    /// The Kratos public API.
    pub server: ServerUrl,
    /// Where [`Launch::server`] came from.
    pub source: Source,
    /// The keychain (devices) or memory (browser preview, no keychain).
    pub tokens: Arc<dyn TokenStore>,
    /// Where the Server screen saves its choice; `None`: not kept across launches.
    pub settings: Option<SettingsFile>,
    /// Shown once on the first screen (a saved setting that couldn't be used).
    pub notice: Option<String>,
}

/// Where the server in use came from (changes when the Server screen switches).
#[derive(Clone, Copy)]
pub struct ServerSource(pub Signal<Source>);

/// A one-off message shown on the next screen ("That page doesn't exist").
#[derive(Clone, Copy)]
pub struct Flash(pub Signal<Option<String>>);

/// The screens.
#[derive(Routable, Clone, Debug, PartialEq)]
#[rustfmt::skip]
pub enum Route {
    #[layout(Shell)]
        #[route("/")]
        Home {},
        #[route("/login")]
        Login {},
        #[route("/registration")]
        Registration {},
        #[route("/server")]
        Server {},
        #[route("/:..segments")]
        NotFound { segments: Vec<String> },
}

/// Builds the session manager for a server.
pub fn manager_for(server: ServerUrl, tokens: Arc<dyn TokenStore>) -> Arc<SessionManager> {
    let client = KratosClient::new(server)
        .expect("the HTTP client can always be built with rustls and ring");
    Arc::new(SessionManager::new(client, tokens))
}

/// The root component. Expects a [`Launch`] in context.
#[component]
pub fn App() -> Element {
    let launch = use_context::<Launch>();
    let store = use_context_provider(|| {
        AuthStore::new(manager_for(launch.server.clone(), launch.tokens.clone()))
    });
    use_context_provider(|| Flash(Signal::new(launch.notice.clone())));
    use_context_provider(|| ServerSource(Signal::new(launch.source)));
    use_hook(move || {
        spawn(store.restore());
    });
    rsx! {
        document::Title { "Kratos Mobile" }
        document::Style { {STYLESHEET} }
        Router::<Route> {}
    }
}

/// The frame around every screen.
#[component]
fn Shell() -> Element {
    let mut first = use_signal(|| true);
    rsx! {
        div {
            class: "app",
            "data-testid": "app",
            onmounted: move |_| {
                if first() {
                    first.set(false);
                    // Read by the desktop test and the start-up benchmark.
                    println!("kratos-mobile: first frame rendered");
                }
            },
            header { class: "app-header",
                h1 { class: "app-title", "Kratos Mobile" }
                Link { class: "header-link", to: Route::Server {}, "data-testid": "link-server", "Server" }
            }
            main { class: "app-main", Outlet::<Route> {} }
        }
    }
}
