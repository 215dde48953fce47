//! Unknown routes land on Login with a message.

use dioxus::prelude::*;

use crate::app::{Flash, Route};

/// Redirects to Login, saying the page doesn't exist.
#[component]
pub fn NotFound(segments: Vec<String>) -> Element {
    let nav = use_navigator();
    let Flash(mut flash) = use_context::<Flash>();
    use_effect(move || {
        flash.set(Some(
            "That page doesn't exist, so you're on the sign-in screen.".to_string(),
        ));
        nav.replace(Route::Login {});
    });
    rsx! {}
}
