//! A minimal MCP client for end-to-end tests: JSON-RPC over the real binary's stdio, or over
//! Streamable HTTP (JSON or SSE answers). Deliberately independent of rmcp, so the server is
//! judged by the wire format, not by the library that produced it.

#![allow(dead_code)]

use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

pub const BIN: &str = env!("CARGO_BIN_EXE_coroot-mcp");

/// Arguments that make every tool succeed against the demo scenario.
pub fn demo_args(tool: &str) -> Value {
    match tool {
        "coroot_get_incident_detail" => json!({"incident_key": "q8w7e6r5"}),
        "coroot_get_app_detail" => json!({"app_id": "payment"}),
        "coroot_get_app_logs" => json!({"app_id": "checkout"}),
        "coroot_get_node_detail" => json!({"node_name": "node-3"}),
        "coroot_query_metrics" => json!({"promql": "container_memory_rss"}),
        _ => json!({}),
    }
}

pub struct Stdio_ {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    next_id: u64,
}

impl Stdio_ {
    /// Starts `coroot-mcp serve --demo` (plus `extra` args) and performs the handshake.
    pub async fn start(extra: &[&str]) -> (Self, Value) {
        let mut child = Command::new(BIN)
            .args(["serve", "--demo"])
            .args(extra)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("spawn coroot-mcp");
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let mut s = Stdio_ { child, stdin, stdout, next_id: 0 };
        let init = s
            .request(
                "initialize",
                json!({"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "e2e", "version": "0"}}),
            )
            .await;
        s.notify("notifications/initialized", json!({})).await;
        (s, init)
    }

    pub async fn send_raw(&mut self, line: &str) {
        self.stdin.write_all(line.as_bytes()).await.unwrap();
        self.stdin.write_all(b"\n").await.unwrap();
        self.stdin.flush().await.unwrap();
    }

    pub async fn notify(&mut self, method: &str, params: Value) {
        self.send_raw(&json!({"jsonrpc": "2.0", "method": method, "params": params}).to_string()).await;
    }

    /// Sends a request and returns the whole JSON-RPC response with the same id.
    pub async fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send_raw(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string()).await;
        self.read_response(Some(id)).await
    }

    /// Reads lines until a response (with `id`, when given) arrives. Every stdout line must be
    /// JSON-RPC: stdout carries nothing else.
    pub async fn read_response(&mut self, id: Option<u64>) -> Value {
        loop {
            let mut line = String::new();
            let n = tokio::time::timeout(Duration::from_secs(30), self.stdout.read_line(&mut line))
                .await
                .expect("server answered in time")
                .unwrap();
            assert!(n > 0, "server closed stdout");
            let msg: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("stdout line is not JSON-RPC ({e}): {line}"));
            assert_eq!(msg["jsonrpc"], "2.0", "{line}");
            if msg.get("id").is_some() && (id.is_none() || msg["id"] == json!(id)) {
                return msg;
            }
        }
    }

    pub async fn shutdown(mut self) {
        drop(self.stdin);
        let _ = tokio::time::timeout(Duration::from_secs(5), self.child.wait()).await;
        let _ = self.child.kill().await;
    }
}

/// A `coroot-mcp serve --demo --http` process and a session on it.
pub struct Http {
    child: Child,
    pub base: String,
    pub client: reqwest::Client,
    pub session: Option<String>,
    pub token: Option<String>,
    next_id: u64,
}

impl Http {
    pub async fn start(extra: &[&str], token: Option<&str>) -> Self {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let addr = format!("127.0.0.1:{port}");
        let mut cmd = Command::new(BIN);
        cmd.args(["serve", "--demo", "--http", &addr]).args(extra).stdout(Stdio::null()).stderr(Stdio::null()).kill_on_drop(true);
        if let Some(t) = token {
            cmd.env("COROOT_MCP_AUTH_TOKEN", t);
        }
        let child = cmd.spawn().expect("spawn coroot-mcp");
        let base = format!("http://{addr}");
        let client = reqwest::Client::new();
        for _ in 0..300 {
            if let Ok(r) = client.get(format!("{base}/healthz")).send().await
                && r.status().is_success()
            {
                return Http { child, base, client, session: None, token: token.map(str::to_string), next_id: 0 };
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("HTTP server did not start");
    }

    /// POSTs one JSON-RPC message; returns the HTTP status and the JSON-RPC response, if any.
    pub async fn post(&mut self, body: Value, headers: &[(&str, &str)]) -> (u16, Option<Value>) {
        let mut req = self
            .client
            .post(format!("{}/mcp", self.base))
            .header("Content-Type", "application/json")
            .header("Accept", "application/json, text/event-stream")
            .body(body.to_string());
        if let Some(s) = &self.session {
            req = req.header("Mcp-Session-Id", s);
        }
        if let Some(t) = &self.token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        if let Some(s) = resp.headers().get("mcp-session-id") {
            self.session = Some(s.to_str().unwrap().to_string());
        }
        let text = resp.text().await.unwrap();
        // SSE: take the data lines that hold a JSON-RPC response.
        let msg = text
            .lines()
            .filter_map(|l| l.strip_prefix("data:").map(str::trim).or(Some(l.trim())))
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .find(|v| v.get("id").is_some());
        (status, msg)
    }

    pub async fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let body = json!({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params});
        let (status, msg) = self.post(body, &[]).await;
        assert_eq!(status, 200, "{method} status");
        msg.unwrap_or_else(|| panic!("{method}: no JSON-RPC response"))
    }

    pub async fn initialize(&mut self) -> Value {
        let init = self
            .request(
                "initialize",
                json!({"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "e2e", "version": "0"}}),
            )
            .await;
        let (status, _) = self.post(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}), &[]).await;
        assert!(status == 202 || status == 200, "initialized notification: {status}");
        init
    }

    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}
