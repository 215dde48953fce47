//! Where the session token lives: the OS keychain (keyring-rs family) on devices, memory in the
//! browser preview. One entry per Kratos server URL, so a token never reaches another server.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tracing::warn;

use super::server_url::ServerUrl;
use super::token::SessionToken;

/// The keychain service name the app's entries are filed under.
pub const KEYCHAIN_SERVICE: &str = "kratos-mobile";

/// How long a stored token survives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Persistence {
    /// The OS keychain: across restarts and reboots.
    Keychain,
    /// The Linux kernel keyring: across app restarts, but not a reboot.
    UntilReboot,
    /// Memory only: gone when the app closes.
    Memory,
}

/// A token store failure (the keychain is locked, absent, or refused).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct StorageError(pub String);

/// Keeps one session token per Kratos server.
pub trait TokenStore: Send + Sync {
    /// The token stored for `server`, if any.
    fn load(&self, server: &ServerUrl) -> Result<Option<SessionToken>, StorageError>;
    /// Stores `token` for `server`, replacing any other.
    fn save(&self, server: &ServerUrl, token: &SessionToken) -> Result<(), StorageError>;
    /// Forgets the token for `server` (no error when there is none).
    fn delete(&self, server: &ServerUrl) -> Result<(), StorageError>;
    /// How long what this store keeps survives.
    fn persistence(&self) -> Persistence;
    /// Whether calls may block (D-Bus, keystore): then they run off the async threads.
    fn may_block(&self) -> bool {
        true
    }
}

/// Tokens in memory: the browser preview (one store per tab) and the no-keychain fallback.
#[derive(Default)]
pub struct MemoryStore {
    tokens: Mutex<HashMap<String, SessionToken>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl TokenStore for MemoryStore {
    fn load(&self, server: &ServerUrl) -> Result<Option<SessionToken>, StorageError> {
        Ok(self
            .tokens
            .lock()
            .map_err(|_| StorageError("poisoned".into()))?
            .get(server.as_str())
            .cloned())
    }
    fn save(&self, server: &ServerUrl, token: &SessionToken) -> Result<(), StorageError> {
        self.tokens
            .lock()
            .map_err(|_| StorageError("poisoned".into()))?
            .insert(server.as_str().to_string(), token.clone());
        Ok(())
    }
    fn delete(&self, server: &ServerUrl) -> Result<(), StorageError> {
        self.tokens
            .lock()
            .map_err(|_| StorageError("poisoned".into()))?
            .remove(server.as_str());
        Ok(())
    }
    fn persistence(&self) -> Persistence {
        Persistence::Memory
    }
    fn may_block(&self) -> bool {
        false
    }
}

/// A keyring-core credential store: the OS keychain.
pub struct KeychainStore {
    store: Arc<keyring_core::CredentialStore>,
    persistence: Persistence,
    service: String,
}

impl KeychainStore {
    /// The platform keychain: Secret Service on Linux (kernel keyutils as a fallback that does
    /// not survive a reboot), Apple's protected keychain on iOS/macOS, the Android keystore.
    pub fn open() -> Result<Self, StorageError> {
        Self::open_with_service(KEYCHAIN_SERVICE)
    }

    /// Like [`KeychainStore::open`] with another service name (tests use their own).
    pub fn open_with_service(service: &str) -> Result<Self, StorageError> {
        let (store, persistence) = platform_store()?;
        Ok(Self {
            store,
            persistence,
            service: service.to_string(),
        })
    }

    fn entry(&self, server: &ServerUrl) -> Result<keyring_core::Entry, StorageError> {
        keyring_core::Entry::new_in_store(&self.store, &self.service, server.as_str())
            .map_err(describe)
    }
}

impl TokenStore for KeychainStore {
    fn load(&self, server: &ServerUrl) -> Result<Option<SessionToken>, StorageError> {
        match self.entry(server)?.get_password() {
            Ok(token) => Ok(Some(SessionToken::new(token))),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(describe(e)),
        }
    }
    fn save(&self, server: &ServerUrl, token: &SessionToken) -> Result<(), StorageError> {
        self.entry(server)?
            .set_password(token.expose_secret())
            .map_err(describe)
    }
    fn delete(&self, server: &ServerUrl) -> Result<(), StorageError> {
        match self.entry(server)?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(describe(e)),
        }
    }
    fn persistence(&self) -> Persistence {
        self.persistence
    }
}

/// keyring errors never carry the secret, but `BadEncoding` carries the bytes read: those are
/// dropped here.
fn describe(e: keyring_core::Error) -> StorageError {
    StorageError(match e {
        keyring_core::Error::BadEncoding(_) => "the stored token is not text".to_string(),
        keyring_core::Error::BadDataFormat(_, _) => "the stored token is damaged".to_string(),
        other => other.to_string(),
    })
}

#[cfg(all(target_os = "linux", not(target_os = "android")))]
fn platform_store() -> Result<(Arc<keyring_core::CredentialStore>, Persistence), StorageError> {
    match dbus_secret_service_keyring_store::Store::new() {
        Ok(store) => {
            tracing::info!("token store: Secret Service");
            Ok((store, Persistence::Keychain))
        }
        Err(ss) => {
            warn!(error = %ss, "Secret Service unavailable; trying the kernel keyring");
            match linux_keyutils_keyring_store::Store::new() {
                Ok(store) => {
                    tracing::info!("token store: kernel keyutils (lost on reboot)");
                    Ok((store, Persistence::UntilReboot))
                }
                Err(ku) => Err(StorageError(format!(
                    "no keychain: Secret Service: {ss}; kernel keyring: {ku}"
                ))),
            }
        }
    }
}

#[cfg(target_os = "android")]
fn platform_store() -> Result<(Arc<keyring_core::CredentialStore>, Persistence), StorageError> {
    android_native_keyring_store::Store::new()
        .map(|s| {
            (
                s as Arc<keyring_core::CredentialStore>,
                Persistence::Keychain,
            )
        })
        .map_err(describe)
}

#[cfg(any(target_os = "ios", target_os = "macos"))]
fn platform_store() -> Result<(Arc<keyring_core::CredentialStore>, Persistence), StorageError> {
    apple_native_keyring_store::protected::Store::new()
        .map(|s| {
            (
                s as Arc<keyring_core::CredentialStore>,
                Persistence::Keychain,
            )
        })
        .map_err(describe)
}

#[cfg(target_os = "windows")]
fn platform_store() -> Result<(Arc<keyring_core::CredentialStore>, Persistence), StorageError> {
    windows_native_keyring_store::Store::new()
        .map(|s| {
            (
                s as Arc<keyring_core::CredentialStore>,
                Persistence::Keychain,
            )
        })
        .map_err(describe)
}

/// The store the app uses: the keychain if one is reachable, else memory (and the app says the
/// session won't be remembered). Never a file.
pub fn default_store() -> Arc<dyn TokenStore> {
    match KeychainStore::open() {
        Ok(store) => Arc::new(store),
        Err(e) => {
            warn!(error = %e, "no keychain; the session will not be remembered");
            Arc::new(MemoryStore::new())
        }
    }
}
