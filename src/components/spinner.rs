//! A loading spinner.

use dioxus::prelude::*;

/// A spinner with a label for screen readers.
#[component]
pub fn Spinner(label: String) -> Element {
    rsx! {
        div { class: "spinner-row", role: "status", "data-testid": "spinner",
            div { class: "spinner", "aria-hidden": "true" }
            span { class: "spinner-label", "{label}" }
        }
    }
}
