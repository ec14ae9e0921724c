//! A tiny HTTP/1.1 client over `TcpStream` for the integration tests, so the simulator
//! does not need an HTTP client dependency.

use std::net::SocketAddr;

pub use coroot_sim::testing::NOW_MS;
use coroot_sim::{Scenario, SimConfig, Simulator};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A parsed response.
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", &self.body[..self.body.len().min(300)]))
    }

    pub fn content_type(&self) -> &str {
        self.header("content-type").unwrap_or("")
    }
}

fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    const CRLF: &[u8] = &[13, 10];
    let mut out = Vec::new();
    while let Some(pos) = raw.windows(2).position(|w| w == CRLF) {
        let size = usize::from_str_radix(std::str::from_utf8(&raw[..pos]).unwrap().trim(), 16).unwrap();
        raw = &raw[pos + 2..];
        if size == 0 {
            break;
        }
        out.extend_from_slice(&raw[..size]);
        raw = &raw[size + 2..];
    }
    out
}

/// Sends one request and reads the whole response (`Connection: close`).
pub async fn request(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Resp {
    let mut s = TcpStream::connect(addr).await.unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).await.unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("no header end");
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut lines = head.split("\r\n");
    let status: u16 = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"))
    {
        body = dechunk(&body);
    }
    Resp {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

pub async fn get(addr: SocketAddr, path: &str, cookie: Option<&str>) -> Resp {
    match cookie {
        Some(c) => request(addr, "GET", path, &[("Cookie", &format!("coroot_session={c}"))], "").await,
        None => request(addr, "GET", path, &[], "").await,
    }
}

/// Logs in and returns the cookie value.
pub async fn login(addr: SocketAddr, email: &str, password: &str) -> String {
    let r = request(
        addr,
        "POST",
        "/api/login",
        &[("Content-Type", "application/json")],
        &format!(r#"{{"email":"{email}","password":"{password}"}}"#),
    )
    .await;
    assert_eq!(r.status, 200, "login failed: {}", r.body);
    let c = r.header("set-cookie").expect("no cookie");
    c.trim_start_matches("coroot_session=")
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

/// Starts the ecommerce scenario at a fixed now and logs in.
pub async fn ecommerce() -> (Simulator, String) {
    start_scenario(Scenario::ecommerce()).await
}

/// Starts a scenario at a fixed now and logs in.
pub async fn start_scenario(scenario: Scenario) -> (Simulator, String) {
    let sim = Simulator::start(
        scenario,
        SimConfig {
            now_ms: Some(NOW_MS),
            ..SimConfig::default()
        },
    )
    .await
    .unwrap();
    let c = login(sim.addr(), "admin", "sim-password").await;
    (sim, c)
}

pub fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
