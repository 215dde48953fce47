//! docker/compose.yml, checked offline with the real Docker Compose v2 CLI.
//!
//! No Docker engine runs on our machines, but `docker-compose config` parses, validates (it rejects
//! unknown keys) and resolves the file without one. What it does not check is checked here: every
//! image pinned, Kratos exactly v1.3.1, the ports a phone and a developer use, bind-mounted paths that
//! exist in this repo, SQLite on a named volume, and that the shared config/kratos.yml points at files
//! the container can see.
//!
//! The CLI is built by `scripts/compose.sh build` into `.cache/bin/docker-compose`
//! (`DOCKER_COMPOSE_BIN` overrides the path). A missing binary fails the test: it is never skipped.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Map, Value};

/// compose.yml requires the LAN IP. A documentation-only address (RFC 5737): nothing is sent to it.
const TEST_HOST_IP: &str = "192.0.2.10";
const KRATOS_IMAGE: &str = "oryd/kratos:v1.3.1";
/// Where the containers see ../config.
const CONFIG_MOUNT: &str = "/etc/config/kratos";
/// Where the SQLite file lives inside the Kratos containers.
const SQLITE_DIR: &str = "/var/lib/sqlite";

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn compose_bin() -> PathBuf {
    let bin = std::env::var_os("DOCKER_COMPOSE_BIN")
        .filter(|path| !path.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join(".cache/bin/docker-compose"));
    assert!(
        bin.is_file(),
        "the Docker Compose CLI is missing at {}: build it with `scripts/compose.sh build` \
         (Compose v2.40.3 from the Go module proxy, about 70 s the first time)",
        bin.display()
    );
    bin
}

/// `docker-compose -f docker/compose.yml [--profile P]... config --format json`, with `KRATOS_HOST_IP`
/// set to `host_ip` (or removed) and none of the caller's COMPOSE_* settings.
fn run_compose_config(profiles: &[&str], host_ip: Option<&str>) -> Output {
    let root = repo_root();
    let bin = compose_bin();
    let mut cmd = Command::new(&bin);
    cmd.current_dir(&root)
        .env_remove("COMPOSE_FILE")
        .env_remove("COMPOSE_PROFILES")
        .env_remove("COMPOSE_PROJECT_NAME")
        .arg("-f")
        .arg(root.join("docker/compose.yml"));
    for profile in profiles {
        cmd.arg("--profile").arg(profile);
    }
    cmd.args(["config", "--format", "json"]);
    match host_ip {
        Some(ip) => cmd.env("KRATOS_HOST_IP", ip),
        None => cmd.env_remove("KRATOS_HOST_IP"),
    };
    cmd.output()
        .unwrap_or_else(|e| panic!("running {}: {e}", bin.display()))
}

/// The resolved compose model; panics with Compose's own error when the file does not validate.
fn compose_config(profiles: &[&str]) -> Value {
    let out = run_compose_config(profiles, Some(TEST_HOST_IP));
    let args = profiles
        .iter()
        .fold(String::new(), |args, p| args + " --profile " + p);
    assert!(
        out.status.success(),
        "`docker-compose -f docker/compose.yml{args} config` rejected the file ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("`docker-compose{args} config --format json` printed no JSON: {e}")
    })
}

/// The default services, and the same with every profile.
fn every_profile() -> Vec<(&'static str, Value)> {
    vec![
        ("default", compose_config(&[])),
        ("--profile postgres", compose_config(&["postgres"])),
    ]
}

fn services(config: &Value) -> &Map<String, Value> {
    config["services"]
        .as_object()
        .expect("the compose model has services")
}

fn service<'a>(config: &'a Value, name: &str) -> &'a Value {
    services(config)
        .get(name)
        .unwrap_or_else(|| panic!("docker/compose.yml has no service `{name}`"))
}

fn is_kratos(svc: &Value) -> bool {
    svc["image"]
        .as_str()
        .is_some_and(|image| image.starts_with("oryd/kratos"))
}

/// The Kratos services that run `serve` (not the one-shot migrations).
fn kratos_servers(config: &Value) -> Vec<(&String, &Value)> {
    services(config)
        .iter()
        .filter(|(_, svc)| {
            is_kratos(svc) && command(svc).first().map(String::as_str) == Some("serve")
        })
        .collect()
}

fn command(svc: &Value) -> Vec<String> {
    svc["command"]
        .as_array()
        .map(|args| {
            args.iter()
                .filter_map(|a| a.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn env_var<'a>(svc: &'a Value, name: &str) -> Option<&'a str> {
    svc["environment"][name].as_str()
}

fn mounts(svc: &Value) -> &[Value] {
    svc["volumes"].as_array().map(Vec::as_slice).unwrap_or(&[])
}

/// `(host_ip, published, target)` of every published port.
fn published_ports(svc: &Value) -> Vec<(String, String, u64)> {
    let Some(ports) = svc["ports"].as_array() else {
        return Vec::new();
    };
    ports
        .iter()
        .map(|p| {
            let published = match &p["published"] {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => String::new(),
            };
            let host_ip = p["host_ip"].as_str().unwrap_or("").to_owned();
            (host_ip, published, p["target"].as_u64().unwrap_or(0))
        })
        .collect()
}

/// Panics unless `image` names a version: a tag with a digit in it (v1.3.1, 15.10), or a digest.
fn assert_pinned(profile: &str, service: &str, image: &str) {
    if image.contains("@sha256:") {
        return;
    }
    // A registry host may carry a port (host:5000/name:tag): the tag is after the last '/'.
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.split_once(':').map(|(_, tag)| tag) {
        None => panic!("[{profile}] service `{service}` uses `{image}` without a tag: pin a version"),
        Some("" | "latest") => {
            panic!("[{profile}] service `{service}` uses `{image}`: `latest` is not a version, pin one")
        }
        Some(tag) => assert!(
            tag.chars().any(|c| c.is_ascii_digit()),
            "[{profile}] service `{service}` uses `{image}`: the tag `{tag}` names no version, pin one"
        ),
    }
}

/// A path inside the container under CONFIG_MOUNT, as a file of this repo's config/.
fn config_file_for(container_path: &str) -> Option<PathBuf> {
    container_path
        .strip_prefix(CONFIG_MOUNT)
        .and_then(|rest| rest.strip_prefix('/'))
        .map(|rest| repo_root().join("config").join(rest))
}

fn kratos_yml() -> String {
    let path = repo_root().join("config/kratos.yml");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

#[test]
fn compose_file_pins_images_and_mounts_existing_config() {
    let root = repo_root();
    for (profile, config) in every_profile() {
        for (name, svc) in services(&config) {
            let image = svc["image"]
                .as_str()
                .unwrap_or_else(|| panic!("[{profile}] service `{name}` has no image"));
            assert_pinned(profile, name, image);
            if is_kratos(svc) {
                assert_eq!(
                    image, KRATOS_IMAGE,
                    "[{profile}] service `{name}`: Kratos must be exactly {KRATOS_IMAGE}"
                );
            }

            for mount in mounts(svc) {
                if mount["type"] != "bind" {
                    continue;
                }
                let source = Path::new(mount["source"].as_str().unwrap_or_default());
                assert!(
                    source.starts_with(&root),
                    "[{profile}] service `{name}` bind-mounts {} from outside this repo",
                    source.display()
                );
                assert!(
                    source.exists(),
                    "[{profile}] service `{name}` bind-mounts {}, which does not exist in this repo",
                    source.display()
                );
            }

            if !is_kratos(svc) {
                continue;
            }
            // Every Kratos container reads this repo's config/, read-only, where the config expects it.
            let config_mount = mounts(svc)
                .iter()
                .find(|m| m["target"] == CONFIG_MOUNT)
                .unwrap_or_else(|| {
                    panic!(
                        "[{profile}] service `{name}` does not mount ../config at {CONFIG_MOUNT}"
                    )
                });
            assert_eq!(
                config_mount["type"], "bind",
                "[{profile}] `{name}`: {CONFIG_MOUNT} is a bind mount of ../config"
            );
            assert_eq!(
                Path::new(config_mount["source"].as_str().unwrap_or_default()),
                root.join("config"),
                "[{profile}] `{name}`: {CONFIG_MOUNT} comes from this repo's config/"
            );
            assert_eq!(
                config_mount["read_only"], true,
                "[{profile}] `{name}`: the config mount is read-only"
            );

            // Its `-c` files are in that mount, and exist.
            let args = command(svc);
            let config_files: Vec<&String> = args
                .windows(2)
                .filter(|pair| pair[0] == "-c" || pair[0] == "--config")
                .map(|pair| &pair[1])
                .collect();
            assert!(
                !config_files.is_empty(),
                "[{profile}] `{name}` runs Kratos without `-c`: {args:?}"
            );
            for file in config_files {
                let local = config_file_for(file).unwrap_or_else(|| {
                    panic!("[{profile}] `{name}` reads {file}, which is not under the {CONFIG_MOUNT} mount")
                });
                assert!(
                    local.is_file(),
                    "[{profile}] `{name}` reads {file}, but {} does not exist",
                    local.display()
                );
            }
        }
    }

    // And the files the shared config names by container path (the identity schema) are in config/.
    let yml = kratos_yml();
    let referenced: Vec<&str> = yml
        .split_whitespace()
        .filter_map(|word| word.strip_prefix("file://"))
        .filter(|path| path.starts_with(CONFIG_MOUNT))
        .collect();
    assert!(
        !referenced.is_empty(),
        "config/kratos.yml names no file under {CONFIG_MOUNT} (the identity schema?)"
    );
    for path in referenced {
        let local = config_file_for(path).expect("under the config mount");
        assert!(
            local.is_file(),
            "config/kratos.yml names {path}, but {} does not exist",
            local.display()
        );
    }
}

#[test]
fn kratos_publishes_the_public_api_to_the_lan_and_the_admin_api_to_loopback_only() {
    for (profile, config) in every_profile() {
        let kratos = service(&config, "kratos");
        let ports = published_ports(kratos);
        let public = ports
            .iter()
            .find(|(_, published, target)| published == "4433" && *target == 4433)
            .unwrap_or_else(|| {
                panic!("[{profile}] `kratos` does not publish its public API as 4433: {ports:?}")
            });
        assert!(
            public.0.is_empty() || public.0 == "0.0.0.0",
            "[{profile}] the public API must be reachable from a phone on the LAN, not only on {}",
            public.0
        );
        let admin = ports
            .iter()
            .find(|(_, published, target)| published == "4434" && *target == 4434)
            .unwrap_or_else(|| {
                panic!("[{profile}] `kratos` does not publish its admin API as 4434: {ports:?}")
            });
        assert_eq!(
            admin.0, "127.0.0.1",
            "[{profile}] the admin API (no auth!) is published on loopback only"
        );

        // The base_url that ends up in emails and ui.action is the LAN address we were given.
        assert_eq!(
            env_var(kratos, "SERVE_PUBLIC_BASE_URL"),
            Some(format!("http://{TEST_HOST_IP}:4433/").as_str()),
            "[{profile}] `kratos` takes its public base_url from KRATOS_HOST_IP"
        );

        // Every Kratos server, whatever it stores into, listens where config/kratos.yml says.
        for (name, svc) in kratos_servers(&config) {
            let targets: Vec<u64> = published_ports(svc).iter().map(|p| p.2).collect();
            assert!(
                targets.contains(&4433) && targets.contains(&4434),
                "[{profile}] `{name}` publishes container ports {targets:?}, not 4433 and 4434"
            );
        }
    }
}

#[test]
fn identities_survive_restarts_on_a_named_sqlite_volume() {
    let config = compose_config(&[]);
    let volumes = config["volumes"].as_object().cloned().unwrap_or_default();
    let mut sources = Vec::new();
    for name in ["kratos-migrate", "kratos"] {
        let svc = service(&config, name);
        let data = mounts(svc)
            .iter()
            .find(|m| m["target"] == SQLITE_DIR)
            .unwrap_or_else(|| {
                panic!("`{name}` mounts nothing at {SQLITE_DIR}, where its SQLite file lives")
            });
        assert_eq!(
            data["type"], "volume",
            "`{name}`: {SQLITE_DIR} is a named volume, not a bind mount or tmpfs"
        );
        let source = data["source"].as_str().unwrap_or_default().to_owned();
        assert!(
            volumes.contains_key(&source),
            "`{name}` mounts volume `{source}`, which is not declared under `volumes:` (an anonymous volume is lost on `down`)"
        );
        let dsn = env_var(svc, "DSN").unwrap_or_default();
        let on_volume = format!("sqlite://{SQLITE_DIR}/");
        assert!(
            dsn.starts_with(on_volume.as_str()),
            "`{name}` keeps its SQLite file on the volume ({SQLITE_DIR}), but its DSN is `{dsn}`"
        );
        sources.push((source, dsn.split('?').next().unwrap_or_default().to_owned()));
    }
    assert_eq!(
        sources[0], sources[1],
        "the migration and the server use the same volume and database file"
    );

    // The server starts only after the migration succeeded.
    assert_eq!(
        service(&config, "kratos")["depends_on"]["kratos-migrate"]["condition"],
        "service_completed_successfully",
        "`kratos` waits for `kratos-migrate` to complete"
    );
}

#[test]
fn postgres_profile_runs_kratos_on_pinned_postgres_without_port_clashes() {
    let default = compose_config(&[]);
    assert!(
        !services(&default).contains_key("postgres"),
        "PostgreSQL starts only with --profile postgres"
    );

    let config = compose_config(&["postgres"]);
    let postgres = service(&config, "postgres");
    let image = postgres["image"].as_str().unwrap_or_default();
    assert!(
        image.starts_with("postgres:"),
        "the `postgres` service runs a pinned postgres image (postgres:<version>), not `{image}`"
    );
    assert!(
        postgres["healthcheck"]["test"].is_array(),
        "`postgres` has a healthcheck, so migrations wait until it accepts connections"
    );

    let servers = kratos_servers(&config);
    let on_postgres: Vec<_> = servers
        .iter()
        .filter(|(_, svc)| env_var(svc, "DSN").is_some_and(|dsn| dsn.starts_with("postgres://")))
        .collect();
    assert_eq!(
        on_postgres.len(),
        1,
        "exactly one Kratos server runs on PostgreSQL with --profile postgres"
    );
    let (name, svc) = on_postgres[0];
    assert!(
        env_var(svc, "DSN")
            .unwrap_or_default()
            .contains("@postgres:5432/"),
        "`{name}` talks to the `postgres` service"
    );
    let migrate = svc["depends_on"]
        .as_object()
        .and_then(|deps| {
            deps.iter()
                .find(|(dep, _)| is_kratos(service(&config, dep)))
        })
        .unwrap_or_else(|| panic!("`{name}` depends on a Kratos migration service"));
    assert_eq!(
        migrate.1["condition"], "service_completed_successfully",
        "`{name}` waits for its migration"
    );
    let migrate_svc = service(&config, migrate.0);
    assert_eq!(
        env_var(migrate_svc, "DSN"),
        env_var(svc, "DSN"),
        "`{}` migrates the database `{name}` uses",
        migrate.0
    );
    assert_eq!(
        migrate_svc["depends_on"]["postgres"]["condition"], "service_healthy",
        "`{}` waits until PostgreSQL is healthy",
        migrate.0
    );

    // `--profile postgres up` starts everything at once: no two services may publish the same host port.
    let mut owners: BTreeMap<String, String> = BTreeMap::new();
    for (svc_name, svc) in services(&config) {
        for (_, published, _) in published_ports(svc) {
            if let Some(other) = owners.insert(published.clone(), svc_name.clone()) {
                panic!("`{svc_name}` and `{other}` both publish host port {published}");
            }
        }
    }
}

#[test]
fn compose_refuses_to_start_without_the_phones_lan_ip() {
    // base_url must be an address the phone can reach: no silent 127.0.0.1 default.
    let out = run_compose_config(&[], None);
    assert!(
        !out.status.success(),
        "docker/compose.yml resolved without KRATOS_HOST_IP; it must insist on the LAN IP"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("KRATOS_HOST_IP"),
        "the error names the variable to set, but said: {stderr}"
    );
}

#[test]
fn shared_config_sends_mail_to_the_compose_mail_catcher() {
    let yml = kratos_yml();
    let uri = yml
        .lines()
        .find_map(|line| line.trim().strip_prefix("connection_uri:"))
        .map(|v| v.trim().trim_matches('"'))
        .expect("config/kratos.yml sets courier.smtp.connection_uri");
    let host = uri
        .split_once("://")
        .map(|(_, rest)| rest.rsplit('@').next().unwrap_or(rest))
        .and_then(|rest| rest.split([':', '/']).next())
        .unwrap_or_default();
    let config = compose_config(&[]);
    assert!(
        services(&config).contains_key(host),
        "config/kratos.yml sends mail to `{host}` ({uri}), which is no service of docker/compose.yml"
    );
    let kratos = service(&config, "kratos");
    assert!(
        kratos["depends_on"].get(host).is_some(),
        "`kratos` starts after the mail catcher `{host}`"
    );
}
