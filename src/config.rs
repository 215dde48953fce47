//! Which Kratos the app talks to: `KRATOS_URL` at run time, else the URL baked in at build time
//! (`KRATOS_MOBILE_SERVER_URL`), else the platform's default for a development Kratos.

use crate::auth::{ServerUrl, ServerUrlError};

/// The URL a development Kratos has from this platform when nothing is configured: the Android
/// emulator reaches the host machine at 10.0.2.2; the iOS simulator and desktop at 127.0.0.1.
pub const PLATFORM_DEFAULT: &str = if cfg!(target_os = "android") {
    "http://10.0.2.2:4433"
} else {
    "http://127.0.0.1:4433"
};

/// The configured server URL, validated.
pub fn server_url() -> Result<ServerUrl, ServerUrlError> {
    let runtime = std::env::var("KRATOS_URL")
        .ok()
        .filter(|s| !s.trim().is_empty());
    let built_in = option_env!("KRATOS_MOBILE_SERVER_URL").map(str::to_string);
    ServerUrl::parse(
        &runtime
            .or(built_in)
            .unwrap_or_else(|| PLATFORM_DEFAULT.to_string()),
    )
}
