//! Server-side renders of the flow form from flows the real Kratos returns: the inputs, labels,
//! buttons and messages a flow implies, with the data-testid convention.

use dioxus::prelude::*;
use kratos_mobile::auth::{AuthError, Flow, FlowKind, Pressed};
use kratos_mobile::components::FlowForm;

use crate::kratos::{shared, unique_email};
use crate::support::{manager, register, values};

#[component]
fn Wrap(flow: Flow) -> Element {
    rsx! {
        FlowForm { flow, busy: false, on_submit: |_| {} }
    }
}

fn render(flow: Flow) -> String {
    let mut dom = VirtualDom::new_with_props(Wrap, WrapProps { flow });
    dom.rebuild_in_place();
    dioxus_ssr::render(&dom)
}

#[tokio::test]
async fn the_login_flow_renders_its_fields_labels_and_button() {
    let flow = shared()
        .client()
        .create_flow(FlowKind::Login, None)
        .await
        .unwrap();
    let html = render(flow);
    for needle in [
        r#"data-testid="identifier""#,
        r#"data-testid="password""#,
        r#"data-testid="field/identifier""#,
        r#"data-testid="field/method/password""#,
        r#"data-testid="submit-form""#,
        r#"type="password""#,
        r#"autocomplete="current-password""#,
        r#"inputmode="email""#,
        ">E-Mail<",
        ">Password<",
        "Sign in with password",
        r#"method="dialog""#,
        r#"data-testid="reveal/password""#,
    ] {
        assert!(html.contains(needle), "missing {needle} in {html}");
    }
    assert!(!html.contains(r#"data-testid="csrf_token" type="text""#));
}

#[tokio::test]
async fn both_registration_steps_render_what_kratos_asks_for() {
    let k = shared();
    let m = manager(k);
    let first = m.start(FlowKind::Registration).await.unwrap();
    let html = render(first.clone());
    assert!(
        html.contains(r#"data-testid="traits.email""#) && html.contains(r#"type="email""#),
        "{html}"
    );
    assert!(
        html.contains("First name"),
        "optional traits from the schema show up: {html}"
    );
    assert!(!html.contains(r#"data-testid="password""#));

    let email = unique_email();
    let second = match m
        .submit(
            &first,
            &values(&[("traits.email", &email)]),
            &Pressed::method("profile"),
        )
        .await
    {
        Err(AuthError::FlowRejected(flow)) => *flow,
        other => panic!("{other:?}"),
    };
    let html = render(second);
    assert!(
        html.contains(r#"data-testid="password""#)
            && html.contains(r#"autocomplete="new-password""#),
        "{html}"
    );
    assert!(
        html.contains(r#"data-testid="screen/previous""#),
        "the back button: {html}"
    );
    assert!(
        html.contains(&format!(r#"value="{email}""#)),
        "the email is kept as a hidden input: {html}"
    );
}

#[tokio::test]
async fn kratos_messages_render_above_the_form_and_under_their_field() {
    let k = shared();
    let email = unique_email();
    register(&manager(k), &email).await;
    let m = manager(k);
    let flow = m.start(FlowKind::Login).await.unwrap();
    let wrong = match m
        .submit(
            &flow,
            &values(&[("identifier", &email), ("password", "wrong-password-123")]),
            &Pressed::method("password"),
        )
        .await
    {
        Err(AuthError::FlowRejected(flow)) => *flow,
        other => panic!("{other:?}"),
    };
    let html = render(wrong);
    assert!(html.contains(r#"data-testid="form-messages""#), "{html}");
    assert!(
        html.contains(r#"data-testid="ui/message/4000006""#),
        "{html}"
    );

    let empty = match m
        .submit(&flow, &values(&[]), &Pressed::method("password"))
        .await
    {
        Err(AuthError::FlowRejected(flow)) => *flow,
        other => panic!("{other:?}"),
    };
    let html = render(empty);
    let field = html
        .find(r#"data-testid="field/identifier""#)
        .expect("identifier field");
    let message = html
        .find(r#"data-testid="ui/message/4000002""#)
        .expect("required message");
    assert!(message > field, "the field message sits under its field");
}
