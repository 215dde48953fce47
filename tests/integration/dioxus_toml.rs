//! Dioxus.toml as the Dioxus CLI 0.7.10 reads it (`packages/cli/src/config/*.rs` at tag v0.7.10):
//! only keys dx knows (it ignores the rest without a word), the ones `dx bundle` needs, icons that
//! exist at the sizes their names say, and the iOS local-network usage description a real phone
//! needs before the app may reach a Kratos on the LAN.

use std::path::{Path, PathBuf};

use toml::{Table, Value};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn dioxus_toml() -> Table {
    let path = root().join("Dioxus.toml");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    text.parse::<Table>()
        .unwrap_or_else(|e| panic!("{} is not valid TOML: {e}", path.display()))
}

fn section<'a>(config: &'a Table, name: &str) -> &'a Table {
    config
        .get(name)
        .and_then(Value::as_table)
        .unwrap_or_else(|| panic!("Dioxus.toml has no [{name}] table"))
}

fn string<'a>(table: &'a Table, section: &str, key: &str) -> &'a str {
    let value = table
        .get(key)
        .unwrap_or_else(|| panic!("[{section}] has no `{key}`"));
    let s = value
        .as_str()
        .unwrap_or_else(|| panic!("[{section}].{key} must be a string, not {value}"));
    assert!(!s.trim().is_empty(), "[{section}].{key} is empty");
    s
}

fn integer(table: &Table, section: &str, key: &str) -> i64 {
    let value = table
        .get(key)
        .unwrap_or_else(|| panic!("[{section}] has no `{key}`"));
    value
        .as_integer()
        .unwrap_or_else(|| panic!("[{section}].{key} must be an integer, not {value}"))
}

/// The fields of dx 0.7.10's `DioxusConfig` and of the structs behind the tables we use.
const TOP_LEVEL: &[&str] = &[
    "application",
    "web",
    "bundle",
    "components",
    "permissions",
    "deep_links",
    "background",
    "ios",
    "android",
    "macos",
    "windows",
    "linux",
];
const APPLICATION: &[&str] = &[
    "name",
    "asset_dir",
    "out_dir",
    "public_dir",
    "tailwind_input",
    "tailwind_output",
    "ios_info_plist",
    "macos_info_plist",
    "ios_entitlements",
    "macos_entitlements",
    "android_manifest",
    "android_main_activity",
    "android_min_sdk_version",
];
const BUNDLE: &[&str] = &[
    "identifier",
    "publisher",
    "icon",
    "resources",
    "copyright",
    "category",
    "short_description",
    "long_description",
    "external_bin",
    "deb",
    "macos",
    "windows",
    "android",
    "version",
    "file_version",
    "original_file_name",
    "trademark",
];
/// `[android]` and `[ios]` both start with the `[bundle]` overrides.
const BUNDLE_OVERRIDES: &[&str] = &[
    "identifier",
    "publisher",
    "icon",
    "resources",
    "copyright",
    "category",
    "short_description",
    "long_description",
];
const ANDROID: &[&str] = &[
    "signing",
    "min_sdk",
    "target_sdk",
    "compile_sdk",
    "lib_name",
    "features",
    "manifest",
    "gradle_dependencies",
    "gradle_plugins",
    "proguard_rules",
    "permissions",
    "raw",
    "application",
    "url_schemes",
    "intent_filters",
    "foreground_service_types",
    "queries",
];
const IOS: &[&str] = &[
    "deployment_target",
    "info_plist",
    "entitlements",
    "plist",
    "raw",
    "url_schemes",
    "background_modes",
    "document_types",
    "exported_type_identifiers",
    "imported_type_identifiers",
    "widget_extensions",
];
const PERMISSIONS: &[&str] = &[
    "location",
    "camera",
    "microphone",
    "notifications",
    "photos",
    "bluetooth",
    "background-location",
    "contacts",
    "calendar",
    "biometrics",
    "nfc",
    "motion",
    "health",
    "speech",
    "media-library",
    "siri",
    "homekit",
    "local-network",
    "nearby-wifi",
];

fn assert_known_keys(table: &Table, name: &str, known: &[&str]) {
    let unknown: Vec<&str> = table
        .keys()
        .map(String::as_str)
        .filter(|k| !known.contains(k))
        .collect();
    assert!(
        unknown.is_empty(),
        "{name} has keys dx 0.7.10 does not read (it would ignore them silently): {unknown:?}"
    );
}

#[test]
fn dioxus_toml_uses_only_keys_dx_0_7_10_reads() {
    let config = dioxus_toml();
    assert_known_keys(&config, "Dioxus.toml", TOP_LEVEL);
    assert_known_keys(
        section(&config, "application"),
        "[application]",
        APPLICATION,
    );
    assert_known_keys(section(&config, "bundle"), "[bundle]", BUNDLE);
    let android: Vec<&str> = BUNDLE_OVERRIDES.iter().chain(ANDROID).copied().collect();
    assert_known_keys(section(&config, "android"), "[android]", &android);
    let ios: Vec<&str> = BUNDLE_OVERRIDES.iter().chain(IOS).copied().collect();
    assert_known_keys(section(&config, "ios"), "[ios]", &ios);
    assert_known_keys(
        section(&config, "permissions"),
        "[permissions]",
        PERMISSIONS,
    );
}

#[test]
fn the_app_is_called_kratos_mobile() {
    let config = dioxus_toml();
    assert_eq!(
        string(section(&config, "application"), "application", "name"),
        "kratos-mobile"
    );
}

#[test]
fn the_bundle_identifier_is_reverse_dns_that_android_and_ios_both_accept() {
    let config = dioxus_toml();
    let id = string(section(&config, "bundle"), "bundle", "identifier");
    let segments: Vec<&str> = id.split('.').collect();
    // dx 0.7.10 falls back to com.example.<app> unless there is a dot and no empty segment;
    // Android wants every segment to start with a letter and hold only letters, digits and '_';
    // iOS allows letters, digits, '-' and '.': lowercase letters and digits satisfy all three.
    assert!(
        segments.len() >= 2,
        "{id:?} needs at least two dot-separated parts, e.g. dev.kratosmobile.app"
    );
    for segment in &segments {
        let mut chars = segment.chars();
        assert!(
            chars.next().is_some_and(|c| c.is_ascii_lowercase())
                && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()),
            "segment {segment:?} of {id:?} must be a lowercase letter then lowercase letters or digits"
        );
    }
}

#[test]
fn the_settings_file_goes_where_android_keeps_this_apps_files() {
    // On Android the settings path is built from the app id; the APK gets the bundle identifier.
    let config = dioxus_toml();
    let id = string(section(&config, "bundle"), "bundle", "identifier");
    assert_eq!(
        kratos_mobile::settings::APP_ID,
        id,
        "src/settings.rs APP_ID must equal [bundle].identifier"
    );
}

#[test]
fn dx_bundle_finds_the_publisher_it_insists_on() {
    let config = dioxus_toml();
    string(section(&config, "bundle"), "bundle", "publisher");
}

/// Width, height, bit depth and colour type from a PNG's IHDR chunk.
fn png_header(bytes: &[u8]) -> Option<(u32, u32, u8, u8)> {
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    if bytes.len() < 26 || &bytes[..8] != SIGNATURE || &bytes[12..16] != b"IHDR" {
        return None;
    }
    let be = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    Some((be(16), be(20), bytes[24], bytes[25]))
}

/// dx 0.7.10's bundlers decode every icon and accept only 8-bit RGBA PNGs (colour type 6): a
/// palette or grey PNG stops `dx bundle` with "The PNG is not in RGBA format!".
fn assert_rgba(what: &str, bytes: &[u8]) {
    let (_, _, depth, colour) = png_header(bytes).unwrap_or_else(|| panic!("{what} is not a PNG"));
    assert_eq!(
        (depth, colour),
        (8, 6),
        "{what} is {depth}-bit colour type {colour}; dx bundle needs 8-bit RGBA (type 6)"
    );
}

/// The PNG images inside a Windows .ico (entries may also be BMPs, which dx decodes as they are).
fn ico_png_entries(bytes: &[u8]) -> Vec<&[u8]> {
    let le16 = |at: usize| u16::from_le_bytes(bytes[at..at + 2].try_into().unwrap()) as usize;
    let le32 = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
    (0..le16(4))
        .map(|i| 6 + 16 * i)
        .map(|entry| {
            let (size, offset) = (le32(entry + 8), le32(entry + 12));
            &bytes[offset..offset + size]
        })
        .filter(|data| data.starts_with(b"\x89PNG"))
        .collect()
}

#[test]
fn every_bundle_icon_exists_and_is_the_image_its_name_says() {
    let config = dioxus_toml();
    let icons = section(&config, "bundle")
        .get("icon")
        .and_then(Value::as_array)
        .expect("[bundle].icon must be an array of paths");
    assert!(!icons.is_empty(), "[bundle].icon lists no icons");
    let mut pngs = 0;
    for icon in icons {
        let rel = icon.as_str().expect("[bundle].icon entries are strings");
        let path = root().join(rel);
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("icon {}: {e}", path.display()));
        match Path::new(rel).extension().and_then(|e| e.to_str()) {
            Some("png") => {
                let (w, h, _, _) =
                    png_header(&bytes).unwrap_or_else(|| panic!("{rel} is not a PNG"));
                assert_rgba(rel, &bytes);
                assert_eq!(w, h, "{rel} is {w}x{h}: icons are square");
                let stem = Path::new(rel).file_stem().unwrap().to_str().unwrap();
                assert_eq!(stem, format!("{w}x{h}"), "{rel} is really {w}x{h}");
                pngs += 1;
            }
            Some("ico") => {
                assert!(
                    bytes.starts_with(&[0, 0, 1, 0]),
                    "{rel} is not a Windows .ico"
                );
                for (i, png) in ico_png_entries(&bytes).into_iter().enumerate() {
                    assert_rgba(&format!("{rel} PNG entry {i}"), png);
                }
            }
            _ => panic!("{rel}: dx 0.7.10 bundles .png, .ico (or .icns/.svg) icons"),
        }
    }
    assert!(
        pngs > 0,
        "macOS and Linux bundles need at least one PNG icon"
    );
}

#[test]
fn the_android_sdk_levels_are_ordered_and_the_library_is_linked_for_the_minimum() {
    let config = dioxus_toml();
    let android = section(&config, "android");
    let min = integer(android, "android", "min_sdk");
    let target = integer(android, "android", "target_sdk");
    let compile = integer(android, "android", "compile_sdk");
    assert!(
        (24..=36).contains(&min),
        "[android].min_sdk {min}: 24 (Android 7) or newer"
    );
    assert!(
        min <= target && target <= compile,
        "[android] needs min_sdk {min} <= target_sdk {target} <= compile_sdk {compile}"
    );
    // dx links the Rust library for [application].android_min_sdk_version (default 28), not for
    // [android].min_sdk (default 24): a lower manifest minimum would install where it can't load.
    let linked = integer(
        section(&config, "application"),
        "application",
        "android_min_sdk_version",
    );
    assert_eq!(
        linked, min,
        "[application].android_min_sdk_version {linked} must equal [android].min_sdk {min}"
    );
}

#[test]
fn the_ios_deployment_target_is_a_version_number() {
    let config = dioxus_toml();
    let target = string(section(&config, "ios"), "ios", "deployment_target");
    let parts: Vec<&str> = target.split('.').collect();
    assert!(
        (1..=3).contains(&parts.len())
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())),
        "[ios].deployment_target {target:?} must look like \"16.0\""
    );
    let major: u32 = parts[0].parse().unwrap();
    assert!(
        major >= 14,
        "[ios].deployment_target {target:?}: the local-network prompt exists from iOS 14"
    );
}

#[test]
fn an_iphone_is_told_why_the_app_wants_the_local_network() {
    let config = dioxus_toml();
    // dx 0.7.10 turns [permissions.local-network].description into NSLocalNetworkUsageDescription.
    let local_network = section(&config, "permissions")
        .get("local-network")
        .and_then(Value::as_table)
        .expect("Dioxus.toml has no [permissions.local-network] table");
    let description = string(local_network, "permissions.local-network", "description");
    assert!(
        description.len() >= 20,
        "the local-network description {description:?} is too short to tell anyone anything"
    );
    // dx pastes the text into the plist's XML without escaping it.
    assert!(
        !description.contains(['&', '<', '>']),
        "the local-network description {description:?} must not contain &, < or >"
    );
}

#[test]
fn nothing_replaces_the_info_plist_that_carries_the_description() {
    let config = dioxus_toml();
    // In dx 0.7.10 [application].ios_info_plist replaces the generated Info.plist wholesale
    // (no merge), which would drop the [permissions] entries; a second NSLocalNetworkUsageDescription
    // in [ios.plist] would be a duplicate key.
    assert!(
        section(&config, "application")
            .get("ios_info_plist")
            .is_none(),
        "[application].ios_info_plist would replace the Info.plist dx generates"
    );
    let duplicated = config
        .get("ios")
        .and_then(|ios| ios.get("plist"))
        .and_then(|plist| plist.get("NSLocalNetworkUsageDescription"))
        .is_some();
    assert!(
        !duplicated,
        "set the description once, in [permissions.local-network], not in [ios.plist]"
    );
}
