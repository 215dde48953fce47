//! The framework floor for `scripts/bench.sh`: the smallest Dioxus 0.7.10 desktop app, with the
//! same window as `src/main.rs` (420×860, no menu bar) and one component (a heading and a
//! paragraph). Built like the app, `cargo build --release --example hello_world` (the package's
//! `[profile.release]`, the default `desktop` feature), so what the app costs beyond this is ours.
//!
//! Prints `hello-world: first frame rendered` on stdout once, from the root element's
//! `onmounted` — the same signal, from the same place, as the app's
//! `kratos-mobile: first frame rendered` (src/app.rs) — which `examples/footprint_bench.rs` reads.

use std::io::Write;

use dioxus::desktop::{Config, LogicalSize, WindowBuilder};
use dioxus::prelude::*;

fn main() {
    let window = WindowBuilder::new()
        .with_title("Hello World")
        .with_inner_size(LogicalSize::new(420.0, 860.0))
        .with_min_inner_size(LogicalSize::new(320.0, 480.0));
    let config = Config::new()
        .with_window(window)
        .with_menu(None)
        .with_disable_context_menu(!cfg!(debug_assertions));
    dioxus::LaunchBuilder::desktop()
        .with_cfg(config)
        .launch(HelloWorld);
}

#[component]
fn HelloWorld() -> Element {
    let mut first = use_signal(|| true);
    rsx! {
        div {
            onmounted: move |_| {
                if first() {
                    first.set(false);
                    let mut out = std::io::stdout().lock();
                    let _ = writeln!(out, "hello-world: first frame rendered");
                    let _ = out.flush();
                }
            },
            h1 { "Hello, world" }
            p { "The smallest Dioxus desktop app: the floor the benchmark measures the app against." }
        }
    }
}
