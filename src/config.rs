//! Which Kratos the app talks to, first match wins: `KRATOS_URL` at run time (development,
//! tests), the server chosen on the Server screen (the settings file), the URL baked in at build
//! time (`KRATOS_MOBILE_SERVER_URL`), the platform's default for a development Kratos.

use std::fmt;

use crate::auth::{ServerUrl, ServerUrlError};
use crate::settings::SettingsFile;

/// The URL a development Kratos has from this platform when nothing is configured: the Android
/// emulator reaches the host machine at 10.0.2.2; the iOS simulator and desktop at 127.0.0.1.
pub const PLATFORM_DEFAULT: &str = if cfg!(target_os = "android") {
    "http://10.0.2.2:4433"
} else {
    "http://127.0.0.1:4433"
};

/// Where the server URL came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// `KRATOS_URL` in the environment.
    Environment,
    /// Chosen on the Server screen and saved.
    Saved,
    /// `KRATOS_MOBILE_SERVER_URL` when the app was built.
    BuiltIn,
    /// [`PLATFORM_DEFAULT`].
    Platform,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Source::Environment => "set by KRATOS_URL for this run",
            Source::Saved => "chosen on this screen",
            Source::BuiltIn => "built into this app",
            Source::Platform => "this platform's default",
        })
    }
}

/// The server to start with, where it came from, and anything the person should be told
/// (a saved URL or settings file that couldn't be used — the app then falls back, never stops).
#[derive(Clone, Debug)]
pub struct Resolved {
    pub server: ServerUrl,
    pub source: Source,
    pub notice: Option<String>,
}

/// The URL the app uses when nothing was chosen on the Server screen: the build-time URL, else
/// the platform's default.
pub fn default_server() -> Result<(ServerUrl, Source), ServerUrlError> {
    match option_env!("KRATOS_MOBILE_SERVER_URL").filter(|s| !s.trim().is_empty()) {
        Some(built_in) => ServerUrl::parse(built_in).map(|s| (s, Source::BuiltIn)),
        None => ServerUrl::parse(PLATFORM_DEFAULT).map(|s| (s, Source::Platform)),
    }
}

/// Resolves the server. Errs only when `KRATOS_URL` or the build-time URL is unusable (the
/// developer's mistake, reported at start); a bad saved choice becomes a notice.
pub fn resolve(settings: Option<&SettingsFile>) -> Result<Resolved, ServerUrlError> {
    resolve_with(std::env::var("KRATOS_URL").ok(), settings)
}

/// [`resolve`] with `KRATOS_URL`'s value given.
pub fn resolve_with(
    kratos_url: Option<String>,
    settings: Option<&SettingsFile>,
) -> Result<Resolved, ServerUrlError> {
    if let Some(runtime) = kratos_url.filter(|s| !s.trim().is_empty()) {
        return Ok(Resolved {
            server: ServerUrl::parse(&runtime)?,
            source: Source::Environment,
            notice: None,
        });
    }
    let mut notice = None;
    if let Some(file) = settings {
        match file.load() {
            Ok(saved) => {
                if let Some(url) = saved.server {
                    match ServerUrl::parse(&url) {
                        Ok(server) => {
                            return Ok(Resolved {
                                server,
                                source: Source::Saved,
                                notice: None,
                            })
                        }
                        Err(e) => {
                            tracing::warn!(path = %file.path().display(), error = %e, "saved server unusable");
                            notice = Some(format!(
                                "The saved server {url:?} can't be used ({e}). Using the default instead; choose a server on the Server screen."
                            ));
                        }
                    }
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "settings unreadable");
                notice = Some(format!(
                    "Your saved settings couldn't be read, so the default server is used: {e}."
                ));
            }
        }
    }
    let (server, source) = default_server()?;
    Ok(Resolved {
        server,
        source,
        notice,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Settings;

    #[test]
    fn environment_then_saved_then_default_and_a_bad_saved_choice_is_a_notice() {
        let dir = std::env::temp_dir().join(format!("kratos-mobile-config-{}", std::process::id()));
        let file = SettingsFile::at(dir.join("settings.json"));
        let (default, _) = default_server().unwrap();

        let r = resolve_with(None, Some(&file)).unwrap();
        assert_eq!(
            (r.server.clone(), r.notice.is_none()),
            (default.clone(), true)
        );

        file.save(&Settings {
            server: Some("http://192.168.1.20:4433".into()),
        })
        .unwrap();
        let r = resolve_with(None, Some(&file)).unwrap();
        assert_eq!(r.server.as_str(), "http://192.168.1.20:4433");
        assert_eq!(r.source, Source::Saved);

        let r = resolve_with(Some("http://10.0.2.2:4433".into()), Some(&file)).unwrap();
        assert_eq!(
            (r.server.as_str(), r.source),
            ("http://10.0.2.2:4433", Source::Environment)
        );
        assert!(resolve_with(Some("ftp://x".into()), Some(&file)).is_err());

        // A hand-edited, unusable URL: the default, and the person is told.
        file.save(&Settings {
            server: Some("http://auth.example.com".into()),
        })
        .unwrap();
        let r = resolve_with(None, Some(&file)).unwrap();
        assert_eq!(r.server, default);
        assert!(r.notice.unwrap().contains("http://auth.example.com"));

        std::fs::write(file.path(), b"not json").unwrap();
        let r = resolve_with(None, Some(&file)).unwrap();
        assert_eq!(r.server, default);
        assert!(r.notice.unwrap().contains("settings.json"));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
