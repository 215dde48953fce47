//! The Server screen's connection check against real Kratos servers: one set up right, one whose
//! `serve.public.base_url` still says localhost while a phone reaches it over the LAN, one that
//! isn't there and one that hangs.

use std::net::IpAddr;
use std::sync::OnceLock;
use std::time::Duration;

use kratos_mobile::auth::diagnose::{self, Unreachable, TESTED_KRATOS};
use kratos_mobile::auth::server_url::is_local_ip;
use kratos_mobile::auth::{AuthError, KratosClient, ServerUrl};

use crate::kratos::{free_port, free_port_pair, shared, Kratos, Options};
use crate::proxy::{Fault, Proxy};

/// This machine's address as another device on the LAN would use it: the first private
/// (10/8, 172.16/12, 192.168/16, link-local) or unique-local IPv6 (fd00::/8) address of an
/// interface. The check needs one; a machine without any fails here, saying so.
pub fn lan_address() -> IpAddr {
    let out = std::process::Command::new("hostname")
        .arg("-I")
        .output()
        .expect("`hostname -I` lists this machine's addresses");
    let listed = String::from_utf8_lossy(&out.stdout).to_string();
    let mut candidates: Vec<IpAddr> = listed
        .split_whitespace()
        .filter_map(|a| a.parse().ok())
        .filter(|ip: &IpAddr| !ip.is_loopback() && is_local_ip(*ip))
        .collect();
    // IPv4 first: what people type.
    candidates.sort_by_key(|ip| ip.is_ipv6());
    *candidates.first().unwrap_or_else(|| {
        panic!(
            "this test needs a private LAN address (10/8, 172.16/12, 192.168/16 or fd00::/8) on an \
             interface, to reach Kratos the way a phone does; `hostname -I` listed: {listed:?}"
        )
    })
}

/// `http://<lan address>:<port>` (IPv6 in brackets).
pub fn lan_url(port: u16) -> String {
    match lan_address() {
        IpAddr::V4(ip) => format!("http://{ip}:{port}"),
        IpAddr::V6(ip) => format!("http://[{ip}]:{port}"),
    }
}

/// A Kratos set up the way the tutorial leaves it: listening on all interfaces, but
/// `serve.public.base_url` says `http://localhost:<port>/`. Its admin API is next to the public
/// port (Kratos' default layout), bound to 127.0.0.1 as scripts/kratos.sh does.
pub fn localhost_base_url_kratos() -> &'static Kratos {
    static K: OnceLock<Kratos> = OnceLock::new();
    K.get_or_init(|| {
        let (public, admin) = free_port_pair();
        Kratos::start(Options {
            ports: Some((public, admin)),
            public_base_url: Some(format!("http://localhost:{public}/")),
            public_host: Some("0.0.0.0".into()),
            ..Options::default()
        })
    })
}

fn client(url: &str) -> KratosClient {
    KratosClient::new(ServerUrl::parse(url).unwrap()).unwrap()
}

const DEADLINE: Duration = Duration::from_secs(8);

#[tokio::test]
async fn a_phone_on_the_lan_is_told_the_base_url_says_localhost_and_how_to_fix_it() {
    let k = localhost_base_url_kratos();
    let phone_url = lan_url(k.public_port);
    let phone = client(&phone_url);
    let report = diagnose::check(&phone, diagnose::admin_guess(phone.server()), DEADLINE).await;
    let mismatch = match &report.reachable {
        Ok(Some(m)) => m.clone(),
        other => panic!("expected a base_url mismatch from {phone_url}, got {other:?}"),
    };
    assert_eq!(
        mismatch.advertised,
        format!("http://localhost:{}", k.public_port)
    );
    assert_eq!(mismatch.used, phone_url);
    let text = mismatch.explain();
    assert!(
        text.contains(&format!("serve.public.base_url: {phone_url}/")),
        "{text}"
    );
    assert!(text.contains("serve.public.host: 0.0.0.0"), "{text}");
    // The admin API listens on 127.0.0.1 only: from the LAN the version stays unknown, and the
    // note says where to look instead.
    assert_eq!(report.version, None);
    assert!(
        report.version_note().contains("scripts/kratos.sh version"),
        "{}",
        report.version_note()
    );

    // The same server from this machine: localhost and 127.0.0.1 are the same place, and the
    // admin API next door tells the version.
    let local = client(&k.public_url());
    let report = diagnose::check(&local, diagnose::admin_guess(local.server()), DEADLINE).await;
    assert!(
        matches!(report.reachable, Ok(None)),
        "{:?}",
        report.reachable
    );
    assert_eq!(report.version.as_deref(), Some(TESTED_KRATOS));
    assert!(report.version_note().contains("tested with"));
}

#[tokio::test]
async fn a_kratos_set_up_right_passes_and_its_version_comes_from_the_admin_api() {
    let k = shared();
    let c = k.client();
    let admin = url::Url::parse(&format!("http://127.0.0.1:{}/", k.admin_port)).unwrap();
    let report = diagnose::check(&c, Some(admin), DEADLINE).await;
    assert!(
        matches!(report.reachable, Ok(None)),
        "{:?}",
        report.reachable
    );
    assert_eq!(report.version.as_deref(), Some("v1.3.1"));
    // Kratos v1.3.1 publishes no version on the public API.
    assert_eq!(c.version(None).await, None);
}

#[tokio::test]
async fn nothing_listening_and_a_hung_server_are_told_apart() {
    let nobody = client(&format!("http://127.0.0.1:{}", free_port()));
    let report = diagnose::check(&nobody, diagnose::admin_guess(nobody.server()), DEADLINE).await;
    assert!(
        matches!(
            report.reachable,
            Err(Unreachable::Failed(AuthError::Unreachable { .. }))
        ),
        "{:?}",
        report.reachable
    );
    assert_eq!(report.version, None);

    let proxy = Proxy::start(shared().public_port).await;
    proxy.set(Fault::Stall);
    let hung = client(&format!("http://127.0.0.1:{}", proxy.port));
    let deadline = Duration::from_secs(2);
    let report = diagnose::check(&hung, None, deadline).await;
    assert!(
        matches!(report.reachable, Err(Unreachable::NoAnswer(d)) if d == deadline),
        "{:?}",
        report.reachable
    );
}
