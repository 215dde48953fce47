//! A fault-injecting, request-counting HTTP/1.1 proxy in front of the real Kratos: each
//! request is forwarded on a fresh upstream connection and the answer is passed on, delayed,
//! replaced or damaged as the current mode says.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Clone, Debug, PartialEq)]
pub enum Fault {
    /// Pass everything through.
    None,
    /// Never answer (a hung server): hold the connection until the client gives up.
    Stall,
    /// Answer 500 with an HTML page, without asking Kratos.
    Status500,
    /// Answer 200 with an HTML page (a captive portal, a misrouted proxy).
    HtmlPage,
    /// Forward, then cut the JSON body in half (with a matching Content-Length).
    TruncateJson,
    /// Accept and close the connection without answering.
    Drop,
}

pub struct Proxy {
    pub port: u16,
    fault: Arc<Mutex<Fault>>,
    requests: Arc<AtomicUsize>,
    paths: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Proxy {
    pub async fn start(upstream_port: u16) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let fault = Arc::new(Mutex::new(Fault::None));
        let requests = Arc::new(AtomicUsize::new(0));
        let paths = Arc::new(Mutex::new(Vec::new()));
        let (f, r, p) = (fault.clone(), requests.clone(), paths.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((conn, _)) = listener.accept().await else {
                    return;
                };
                let (f, r, p) = (f.clone(), r.clone(), p.clone());
                tokio::spawn(async move {
                    let _ = serve(conn, upstream_port, f, r, p).await;
                });
            }
        });
        Proxy {
            port,
            fault,
            requests,
            paths,
            task,
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn set(&self, fault: Fault) {
        *self.fault.lock().unwrap() = fault;
    }

    /// Requests seen since the last reset.
    pub fn count(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    /// The request lines seen since the last reset ("GET /sessions/whoami").
    pub fn seen(&self) -> Vec<String> {
        self.paths.lock().unwrap().clone()
    }

    pub fn reset(&self) {
        self.requests.store(0, Ordering::SeqCst);
        self.paths.lock().unwrap().clear();
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn read_request(conn: &mut TcpStream) -> std::io::Result<Option<Vec<u8>>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = find(&buf, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let len = head
                .lines()
                .find_map(|l| {
                    l.strip_prefix("content-length:")
                        .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                })
                .unwrap_or(0);
            while buf.len() < end + 4 + len {
                let n = conn.read(&mut chunk).await?;
                if n == 0 {
                    return Ok(None);
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            buf.truncate(end + 4 + len);
            return Ok(Some(buf));
        }
        let n = conn.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Rewrites the request to close the upstream connection after one answer.
fn close_after(request: &[u8]) -> Vec<u8> {
    let end = find(request, b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&request[..end]);
    let mut out = String::new();
    for line in head.split("\r\n") {
        let lower = line.to_ascii_lowercase();
        if lower.starts_with("connection:") || lower.starts_with("keep-alive:") {
            continue;
        }
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str("Connection: close\r\n\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(&request[end + 4..]);
    bytes
}

fn response(status: &str, content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

/// Reads a whole upstream answer (Connection: close) and returns (status line, headers, body),
/// with a chunked body decoded.
fn split_response(raw: &[u8]) -> (String, Vec<String>, Vec<u8>) {
    let end = find(raw, b"\r\n\r\n").unwrap_or(raw.len());
    let head = String::from_utf8_lossy(&raw[..end]).to_string();
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap_or_default().to_string();
    let headers: Vec<String> = lines.map(str::to_string).collect();
    let mut body = raw.get(end + 4..).unwrap_or_default().to_vec();
    if headers.iter().any(|h| {
        h.to_ascii_lowercase()
            .starts_with("transfer-encoding: chunked")
    }) {
        let mut out = Vec::new();
        let mut rest = &body[..];
        while let Some(pos) = find(rest, b"\r\n") {
            let n = usize::from_str_radix(String::from_utf8_lossy(&rest[..pos]).trim(), 16)
                .unwrap_or(0);
            if n == 0 || rest.len() < pos + 2 + n {
                break;
            }
            out.extend_from_slice(&rest[pos + 2..pos + 2 + n]);
            rest = &rest[pos + 2 + n..];
            if rest.starts_with(b"\r\n") {
                rest = &rest[2..];
            }
        }
        body = out;
    }
    (status, headers, body)
}

async fn serve(
    mut conn: TcpStream,
    upstream_port: u16,
    fault: Arc<Mutex<Fault>>,
    requests: Arc<AtomicUsize>,
    paths: Arc<Mutex<Vec<String>>>,
) -> std::io::Result<()> {
    if let Some(request) = read_request(&mut conn).await? {
        requests.fetch_add(1, Ordering::SeqCst);
        let line =
            String::from_utf8_lossy(&request[..find(&request, b"\r\n").unwrap_or(0)]).to_string();
        let path = line
            .split_whitespace()
            .take(2)
            .collect::<Vec<_>>()
            .join(" ");
        let path = path.split('?').next().unwrap_or_default().to_string();
        paths.lock().unwrap().push(path);
        let mode = fault.lock().unwrap().clone();
        let answer = match mode {
            Fault::Drop => return Ok(()),
            Fault::Stall => {
                let mut sink = [0u8; 64];
                while conn.read(&mut sink).await.unwrap_or(0) > 0 {}
                return Ok(());
            }
            Fault::Status500 => response(
                "500 Internal Server Error",
                "text/html",
                b"<html><body><h1>500 Internal Server Error</h1></body></html>",
            ),
            Fault::HtmlPage => response(
                "200 OK",
                "text/html",
                b"<!doctype html><html><body>Welcome to the hotel Wi-Fi. Please sign in.</body></html>",
            ),
            Fault::None | Fault::TruncateJson => {
                let mut up = TcpStream::connect(("127.0.0.1", upstream_port)).await?;
                up.write_all(&close_after(&request)).await?;
                let mut raw = Vec::new();
                up.read_to_end(&mut raw).await?;
                let (status, headers, body) = split_response(&raw);
                let body = if mode == Fault::TruncateJson { body[..body.len() / 2].to_vec() } else { body };
                let mut out = format!("{status}\r\n");
                for h in headers {
                    let lower = h.to_ascii_lowercase();
                    if lower.starts_with("content-length:") || lower.starts_with("transfer-encoding:") || lower.starts_with("connection:") {
                        continue;
                    }
                    out.push_str(&h);
                    out.push_str("\r\n");
                }
                out.push_str(&format!("Content-Length: {}\r\nConnection: close\r\n\r\n", body.len()));
                let mut bytes = out.into_bytes();
                bytes.extend_from_slice(&body);
                bytes
            }
        };
        conn.write_all(&answer).await?;
        conn.flush().await?;
    }
    Ok(())
}
