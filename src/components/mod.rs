//! Shared widgets: the one flow-form renderer, the spinner, alerts and the words for errors.

pub mod alert;
pub mod flow_form;
pub mod spinner;

pub use alert::{explain, Alert, AlertKind};
pub use flow_form::FlowForm;
pub use spinner::Spinner;
