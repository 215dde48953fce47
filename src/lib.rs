//! kratos-mobile: a Dioxus app that signs people in with Ory Kratos' native flows.
//!
//! Layers, top to bottom, each using only what is below it: the launchers (`main.rs`) → the app
//! (routes, context) → views → components → `auth` (Kratos, no UI).

pub mod auth;
