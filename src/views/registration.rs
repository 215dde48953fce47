//! The sign-up screen: Kratos' registration flow, one or two steps as the server decides.

use dioxus::prelude::*;

use crate::app::Route;
use crate::auth::FlowKind;
use crate::views::FlowScreen;

/// Create an account.
#[component]
pub fn Registration() -> Element {
    rsx! {
        section { class: "screen", "data-testid": "screen-registration",
            h2 { class: "screen-title", "Create an account" }
            FlowScreen { kind: FlowKind::Registration }
            p { class: "switch",
                "Already have an account? "
                Link { to: Route::Login {}, "data-testid": "link-login", "Sign in" }
            }
        }
    }
}
