//! Ory Kratos' native (API) self-service flows, the session state machine and the token's
//! storage. Knows nothing of rendering: views reach it through [`store::AuthStore`].

pub mod body;
pub mod client;
pub mod diagnose;
pub mod error;
pub mod server_url;
pub mod session;
pub mod storage;
pub mod store;
pub mod token;
pub mod types;

pub use body::{build_body, validate, FieldProblem, FormValues, Pressed};
pub use client::{KratosClient, LoginOptions, Submitted, Timeouts};
pub use error::AuthError;
pub use server_url::{ServerUrl, ServerUrlError};
pub use session::{AuthState, Outcome, SessionManager, SignedOutReason};
pub use storage::{
    default_store, KeychainStore, MemoryStore, Persistence, StorageError, TokenStore,
};
pub use token::SessionToken;
pub use types::*;
