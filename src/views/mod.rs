//! One file per screen.

mod flow_screen;
mod home;
mod login;
mod not_found;
mod registration;
mod server;

pub use flow_screen::FlowScreen;
pub use home::Home;
pub use login::Login;
pub use not_found::NotFound;
pub use registration::Registration;
pub use server::Server;
