//! kratos-mobile: a Dioxus app that signs people in with Ory Kratos' native flows.
//!
//! Layers, top to bottom, each using only what is below it: the launchers (`main.rs`,
//! `bin/preview.rs`) → [`app`] (routes, context) → [`views`] → [`components`] and [`config`] →
//! [`auth`] (Kratos, no UI).

pub mod app;
pub mod auth;
pub mod components;
pub mod config;
pub mod logging;
pub mod settings;
pub mod views;
