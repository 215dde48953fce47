//! Integration tests against a real Ory Kratos v1.3.1 (built by `scripts/kratos.sh build`),
//! in one binary so it links once.

mod browser;
mod desktop;
mod diagnostics;
mod dioxus_toml;
mod docker;
mod faults;
mod flows;
mod keychain;
mod kratos;
mod postgres;
mod proxy;
mod render;
mod server;
mod support;
