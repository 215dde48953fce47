//! Logs to stderr, filtered by `RUST_LOG` (`info`, `kratos_mobile=debug,info`, …; default
//! `info`). A target/level list rather than tracing-subscriber's `EnvFilter`, which would link a
//! regex engine into every build for a syntax this app doesn't need.

use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// The filter `RUST_LOG` asks for; `info` when unset, and `info` (with a warning printed) when
/// it can't be read.
pub fn filter_from(rust_log: Option<&str>) -> (Targets, Option<String>) {
    let default = || Targets::new().with_default(tracing::Level::INFO);
    match rust_log.map(str::trim).filter(|s| !s.is_empty()) {
        None => (default(), None),
        Some(spec) => match spec.parse::<Targets>() {
            Ok(targets) => (targets, None),
            Err(e) => (
                default(),
                Some(format!(
                    "RUST_LOG={spec:?} isn't a list like `info` or `kratos_mobile=debug,info` ({e}); logging at info"
                )),
            ),
        },
    }
}

/// Installs the stderr logger. Call once, first thing in `main`.
pub fn init() {
    let (filter, problem) = filter_from(std::env::var("RUST_LOG").ok().as_deref());
    tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .with(filter)
        .init();
    if let Some(problem) = problem {
        tracing::warn!("{problem}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing::Level;

    #[test]
    fn rust_log_lists_and_bad_values() {
        let (f, p) = filter_from(None);
        assert!(p.is_none() && f.would_enable("kratos_mobile", &Level::INFO));
        assert!(!f.would_enable("kratos_mobile", &Level::DEBUG));

        let (f, p) = filter_from(Some("kratos_mobile=debug,warn"));
        assert!(p.is_none());
        assert!(f.would_enable("kratos_mobile::auth::client", &Level::DEBUG));
        assert!(!f.would_enable("tao", &Level::INFO));
        assert!(f.would_enable("tao", &Level::WARN));

        let (f, p) = filter_from(Some("kratos_mobile=loud"));
        assert!(p.unwrap().contains("kratos_mobile=loud"));
        assert!(f.would_enable("kratos_mobile", &Level::INFO));
    }
}
