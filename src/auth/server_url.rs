//! The one validated Kratos server URL; every request URL is derived from it.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use url::{Host, Url};

/// Why a Kratos URL was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServerUrlError {
    /// Not a URL at all.
    #[error("“{input}” is not a URL. Enter one like http://192.168.1.20:4433")]
    NotAUrl {
        /// What was entered.
        input: String,
    },
    /// Neither `http` nor `https`.
    #[error("“{input}” must start with http:// or https://")]
    Scheme {
        /// What was entered.
        input: String,
    },
    /// Plain `http` to a host on the internet.
    #[error(
        "{host} is not on your local network, so the connection must be encrypted: use https://{host}…"
    )]
    InsecurePublicHost {
        /// The host that needs https.
        host: String,
    },
    /// A query string, fragment or credentials in the URL.
    #[error("Enter only the server's address (no user name, ?query or #fragment): {input}")]
    Extra {
        /// What was entered.
        input: String,
    },
}

/// The base URL of Kratos' public API, e.g. `http://192.168.1.20:4433`.
///
/// Plain `http://` is accepted only for loopback, private-range, link-local and `.local` hosts
/// (a development Kratos on the LAN); anything else must be `https://`. A path prefix is kept
/// (Kratos behind a reverse proxy), without a trailing slash.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ServerUrl(Url);

impl ServerUrl {
    /// Validates a URL typed by a person or set at build time.
    pub fn parse(input: &str) -> Result<Self, ServerUrlError> {
        let trimmed = input.trim();
        let url = Url::parse(trimmed).map_err(|_| ServerUrlError::NotAUrl {
            input: trimmed.to_string(),
        })?;
        match url.scheme() {
            "https" => {}
            "http" => {
                if !url.host().is_some_and(|h| is_local_host(&h)) {
                    return Err(ServerUrlError::InsecurePublicHost {
                        host: url.host_str().unwrap_or_default().to_string(),
                    });
                }
            }
            _ => {
                return Err(ServerUrlError::Scheme {
                    input: trimmed.to_string(),
                })
            }
        }
        if url.host().is_none() {
            return Err(ServerUrlError::NotAUrl {
                input: trimmed.to_string(),
            });
        }
        if url.query().is_some()
            || url.fragment().is_some()
            || !url.username().is_empty()
            || url.password().is_some()
        {
            return Err(ServerUrlError::Extra {
                input: trimmed.to_string(),
            });
        }
        let mut url = url;
        let path = url.path().trim_end_matches('/').to_string();
        url.set_path(&path);
        Ok(Self(url))
    }

    /// The URL for an API path such as `/self-service/login/api`.
    pub fn join(&self, path: &str) -> Url {
        let mut url = self.0.clone();
        let base = self.0.path().trim_end_matches('/');
        url.set_path(&format!("{base}/{}", path.trim_start_matches('/')));
        url
    }

    /// The host name or address, as written.
    pub fn host(&self) -> String {
        self.0.host_str().unwrap_or_default().to_string()
    }

    /// The port, explicit or the scheme's default.
    pub fn port(&self) -> u16 {
        self.0.port_or_known_default().unwrap_or(80)
    }

    /// The URL as text, without a trailing slash: the key the session token is stored under.
    pub fn as_str(&self) -> &str {
        self.0.as_str().trim_end_matches('/')
    }

    /// Whether this points at the machine the app itself runs on.
    pub fn is_loopback(&self) -> bool {
        match self.0.host() {
            Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            Some(Host::Ipv4(ip)) => ip.is_loopback(),
            Some(Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        }
    }
}

impl fmt::Display for ServerUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for ServerUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ServerUrl({})", self.as_str())
    }
}

fn is_local_host(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(d) => {
            let d = d.to_ascii_lowercase();
            d == "localhost" || d.ends_with(".localhost") || d.ends_with(".local")
        }
        Host::Ipv4(ip) => is_local_v4(ip),
        Host::Ipv6(ip) => is_local_v6(ip),
    }
}

fn is_local_v4(ip: &Ipv4Addr) -> bool {
    ip.is_loopback() || ip.is_private() || ip.is_link_local()
}

fn is_local_v6(ip: &Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_local_v4(&v4);
    }
    let first = ip.segments()[0];
    ip.is_loopback() || (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80
}

/// Whether an address is one `http://` may be used with (exposed for diagnostics).
pub fn is_local_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_local_v4(&v4),
        IpAddr::V6(v6) => is_local_v6(&v6),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_is_only_for_hosts_on_the_local_network() {
        for ok in [
            "http://127.0.0.1:4433",
            "http://localhost:4433/",
            "http://10.0.2.2:4433",
            "http://192.168.1.20:4433",
            "http://172.16.0.5:4433",
            "http://169.254.1.1:4433",
            "http://kratos.local:4433",
            "http://[::1]:4433",
            "http://[fe80::1]:4433",
            "http://[fd00::1]:4433",
            "https://auth.example.com",
        ] {
            assert!(ServerUrl::parse(ok).is_ok(), "{ok} should be accepted");
        }
        assert!(matches!(
            ServerUrl::parse("http://auth.example.com"),
            Err(ServerUrlError::InsecurePublicHost { .. })
        ));
        assert!(matches!(
            ServerUrl::parse("http://8.8.8.8:4433"),
            Err(ServerUrlError::InsecurePublicHost { .. })
        ));
        assert!(matches!(
            ServerUrl::parse("http://172.32.0.1"),
            Err(ServerUrlError::InsecurePublicHost { .. })
        ));
        assert!(matches!(
            ServerUrl::parse("ftp://10.0.0.1"),
            Err(ServerUrlError::Scheme { .. })
        ));
        assert!(matches!(
            ServerUrl::parse("192.168.1.20:4433"),
            Err(ServerUrlError::Scheme { .. } | ServerUrlError::NotAUrl { .. })
        ));
        assert!(matches!(
            ServerUrl::parse("http://10.0.0.1/?x=1"),
            Err(ServerUrlError::Extra { .. })
        ));
    }

    #[test]
    fn request_urls_keep_the_path_prefix() {
        let url = ServerUrl::parse("https://example.com/.ory/kratos/public/").unwrap();
        assert_eq!(url.as_str(), "https://example.com/.ory/kratos/public");
        assert_eq!(
            url.join("/sessions/whoami").as_str(),
            "https://example.com/.ory/kratos/public/sessions/whoami"
        );
        let plain = ServerUrl::parse("http://127.0.0.1:4433").unwrap();
        assert_eq!(
            plain.join("/health/ready").as_str(),
            "http://127.0.0.1:4433/health/ready"
        );
        assert_eq!(plain.as_str(), "http://127.0.0.1:4433");
    }
}
