//! What the person chose in the app and wants kept across launches — today the Kratos URL picked
//! on the Server screen — in a small plain JSON file in the app's data directory. Nothing secret
//! goes here: the session token lives in the keychain.
//!
//! Writes are atomic (a temporary file in the same folder, flushed to disk, then renamed over the
//! old one), so a crash or a full disk leaves either the old settings or the new ones, never half
//! a file. A file that can't be read is reported and left alone until the person saves new
//! settings.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The app's id (`[bundle].identifier` in Dioxus.toml): Android keeps each app's private files
/// under `/data/data/<id>/files`. A test checks that the two agree.
pub const APP_ID: &str = "dev.kratosmobile.app";

/// The file's format version, written into every file.
const FORMAT: u32 = 1;

/// The settings themselves.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// The Kratos public URL chosen on the Server screen; `None`: the built-in default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct OnDisk {
    format: u32,
    #[serde(flatten)]
    settings: Settings,
}

/// Why the settings couldn't be read or written. The message names the file and what to do.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("couldn't read the settings at {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the settings at {path} aren't valid ({source}); they are left as they are and replaced when you save new ones")]
    Invalid {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("the settings at {path} were written by a newer version of the app (format {found}); update the app, or save new settings to replace them")]
    Newer { path: PathBuf, found: u32 },
    #[error("couldn't save the settings to {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The settings file at one path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SettingsFile {
    path: PathBuf,
}

impl SettingsFile {
    /// A settings file at `path` (its folder is created on the first save).
    pub fn at(path: impl Into<PathBuf>) -> Self {
        SettingsFile { path: path.into() }
    }

    /// Where this platform keeps the app's settings: `KRATOS_MOBILE_SETTINGS` if set (tests, a
    /// second profile), else `settings.json` in the app's data directory — on Linux
    /// `$XDG_DATA_HOME/kratos-mobile` (`~/.local/share/kratos-mobile`), on macOS and iOS
    /// `Library/Application Support/kratos-mobile` in the (sandbox) home, on Windows
    /// `%APPDATA%\kratos-mobile`, on Android the app's private `files` folder. `None` when the
    /// platform has no such place (then nothing is kept across launches).
    pub fn default_location() -> Option<Self> {
        if let Some(path) = std::env::var_os("KRATOS_MOBILE_SETTINGS").filter(|p| !p.is_empty()) {
            return Some(Self::at(path));
        }
        let dir = if cfg!(target_os = "android") {
            Some(PathBuf::from(format!("/data/data/{APP_ID}/files")))
        } else {
            dirs::data_dir().map(|d| d.join("kratos-mobile"))
        };
        dir.map(|d| Self::at(d.join("settings.json")))
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The saved settings; the defaults when nothing was saved yet.
    pub fn load(&self) -> Result<Settings, SettingsError> {
        let bytes = match std::fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Settings::default()),
            Err(source) => {
                return Err(SettingsError::Read {
                    path: self.path.clone(),
                    source,
                })
            }
        };
        let on_disk: OnDisk =
            serde_json::from_slice(&bytes).map_err(|source| SettingsError::Invalid {
                path: self.path.clone(),
                source,
            })?;
        if on_disk.format > FORMAT {
            return Err(SettingsError::Newer {
                path: self.path.clone(),
                found: on_disk.format,
            });
        }
        Ok(on_disk.settings)
    }

    /// Replaces the saved settings with `settings`, atomically.
    pub fn save(&self, settings: &Settings) -> Result<(), SettingsError> {
        let fail = |source| SettingsError::Write {
            path: self.path.clone(),
            source,
        };
        let dir = self
            .path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(fail)?;
        let mut json = serde_json::to_vec_pretty(&OnDisk {
            format: FORMAT,
            settings: settings.clone(),
        })
        .expect("settings always serialize");
        json.push(b'\n');

        let name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "settings.json".into());
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let written = (|| {
            let mut file = std::fs::File::create(&tmp)?;
            file.write_all(&json)?;
            file.sync_all()?;
            std::fs::rename(&tmp, &self.path)?;
            // The rename itself is durable once the folder is synced (where that's possible).
            if let Ok(d) = std::fs::File::open(dir) {
                let _ = d.sync_all();
            }
            Ok(())
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        written.map_err(fail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp() -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "kratos-mobile-settings-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn missing_file_is_the_defaults_and_a_save_reads_back() {
        let dir = temp();
        let file = SettingsFile::at(dir.join("nested/settings.json"));
        assert_eq!(file.load().unwrap(), Settings::default());
        let chosen = Settings {
            server: Some("http://192.168.1.20:4433/".into()),
        };
        file.save(&chosen).unwrap();
        assert_eq!(file.load().unwrap(), chosen);
        let text = std::fs::read_to_string(file.path()).unwrap();
        assert!(text.contains("\"format\": 1"), "{text}");
        // Only the settings file is left in the folder: no temporary file.
        let names: Vec<_> = std::fs::read_dir(dir.join("nested"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("settings.json")]);
        file.save(&Settings::default()).unwrap();
        assert_eq!(file.load().unwrap(), Settings::default());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_damaged_or_newer_file_is_reported_and_left_alone() {
        let dir = temp();
        let path = dir.join("settings.json");
        std::fs::write(&path, b"{\"format\": 1, \"server\": \"http://10.0").unwrap();
        let file = SettingsFile::at(&path);
        let err = file.load().unwrap_err();
        assert!(matches!(err, SettingsError::Invalid { .. }), "{err:?}");
        assert!(err.to_string().contains(&*path.to_string_lossy()), "{err}");
        assert_eq!(
            std::fs::read(&path).unwrap(),
            b"{\"format\": 1, \"server\": \"http://10.0"
        );

        std::fs::write(&path, b"{\"format\": 7}").unwrap();
        assert!(matches!(
            file.load().unwrap_err(),
            SettingsError::Newer { found: 7, .. }
        ));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_failed_save_keeps_the_old_file() {
        let dir = temp();
        let path = dir.join("settings.json");
        let file = SettingsFile::at(&path);
        let old = Settings {
            server: Some("http://10.0.2.2:4433/".into()),
        };
        file.save(&old).unwrap();
        // A folder where the temporary file would go makes the write fail midway.
        let tmp = dir.join(format!(".settings.json.{}.tmp", std::process::id()));
        std::fs::create_dir(&tmp).unwrap();
        let err = file
            .save(&Settings {
                server: Some("http://192.168.1.20:4433/".into()),
            })
            .unwrap_err();
        assert!(matches!(err, SettingsError::Write { .. }), "{err:?}");
        assert_eq!(file.load().unwrap(), old);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
