//! The Kratos session token: a secret that is only ever read through an explicit accessor.

use std::fmt;

use serde::{Deserialize, Deserializer};
use zeroize::Zeroizing;

/// A Kratos session token (`ory_st_…`), as returned by a native login or registration.
///
/// Its `Debug` prints `[redacted]`, it has no `Display` and no `Serialize`, and its memory is
/// zeroed when it is dropped. The only way to the value is [`SessionToken::expose_secret`].
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(Zeroizing<String>);

impl SessionToken {
    /// Wraps a token read from the keychain or from Kratos.
    pub fn new(token: impl Into<String>) -> Self {
        Self(Zeroizing::new(token.into()))
    }

    /// The token itself, for the `X-Session-Token` header and the keychain. Never log it.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }

    /// A form that can be shown on screen: the `ory_st_` prefix, then dots and the last four characters.
    pub fn masked(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        if chars.len() < 16 {
            return "••••".to_string();
        }
        let prefix: String = if self.0.starts_with("ory_st_") {
            "ory_st_".to_string()
        } else {
            String::new()
        };
        let tail: String = chars[chars.len() - 4..].iter().collect();
        format!("{prefix}••••{tail}")
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken([redacted])")
    }
}

impl<'de> Deserialize<'de> for SessionToken {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(SessionToken::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_mask_never_show_the_secret() {
        let token = SessionToken::new("ory_st_abcdefghijklmnopqrstuvwxyz123456");
        assert_eq!(format!("{token:?}"), "SessionToken([redacted])");
        assert_eq!(token.masked(), "ory_st_••••3456");
        assert!(!token.masked().contains("abcdefgh"));
        assert_eq!(SessionToken::new("short").masked(), "••••");
    }
}
