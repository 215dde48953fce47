//! The launcher for the desktop window and the phone (iOS/Android) builds.

use kratos_mobile::app::{App, Launch};
use kratos_mobile::auth::default_store;

fn main() {
    kratos_mobile::logging::init();

    let settings = kratos_mobile::settings::SettingsFile::default_location();
    let resolved = match kratos_mobile::config::resolve(settings.as_ref()) {
        Ok(resolved) => resolved,
        Err(e) => {
            eprintln!("kratos-mobile: the Kratos URL is not usable: {e}");
            eprintln!("Set KRATOS_URL, e.g. KRATOS_URL=http://192.168.1.20:4433");
            std::process::exit(2);
        }
    };
    tracing::info!(server = %resolved.server, source = ?resolved.source, settings = ?settings.as_ref().map(|s| s.path()), "starting");
    let launch = Launch {
        server: resolved.server,
        source: resolved.source,
        tokens: default_store(),
        settings,
        notice: resolved.notice,
    };

    #[cfg(feature = "desktop")]
    {
        use dioxus::desktop::{Config, LogicalSize, WindowBuilder};
        let window = WindowBuilder::new()
            .with_title("Kratos Mobile")
            .with_inner_size(LogicalSize::new(420.0, 860.0))
            .with_min_inner_size(LogicalSize::new(320.0, 480.0));
        let config = Config::new()
            .with_window(window)
            .with_menu(None)
            .with_disable_context_menu(!cfg!(debug_assertions))
            .with_custom_head(format!("<style>{}</style>", kratos_mobile::app::STYLESHEET));
        dioxus::LaunchBuilder::desktop()
            .with_cfg(config)
            .with_context(launch)
            .launch(App);
    }

    #[cfg(all(feature = "mobile", not(feature = "desktop")))]
    {
        dioxus::LaunchBuilder::mobile()
            .with_context(launch)
            .launch(App);
    }
}
