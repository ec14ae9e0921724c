//! A minimal MCP client for end-to-end tests: JSON-RPC over the real binary's stdio, or over
//! Streamable HTTP (JSON or SSE answers). Deliberately independent of rmcp, so the server is
//! judged by the wire format, not by the library that produced it.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod load;

use std::collections::HashMap;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

pub const BIN: &str = env!("CARGO_BIN_EXE_coroot-mcp");

/// Arguments that make every tool succeed against the demo scenario.
pub fn demo_args(tool: &str) -> Value {
    match tool {
        "coroot_get_incident_detail" => json!({"incident_key": "q8w7e6r5"}),
        "coroot_get_app_detail" => json!({"app_id": "payment"}),
        "coroot_get_app_logs" => json!({"app_id": "checkout"}),
        "coroot_get_node_detail" => json!({"node_name": "node-3"}),
        "coroot_query_metrics" => json!({"promql": "container_resources_memory_rss_bytes"}),
        _ => json!({}),
    }
}

pub struct Stdio_ {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    next_id: u64,
    /// Everything the server wrote to stderr so far (its logs).
    pub stderr: Captured,
    /// Every stdout line read so far.
    pub stdout_lines: Vec<String>,
}

/// A child's output, collected in the background.
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn collect(mut from: impl tokio::io::AsyncRead + Unpin + Send + 'static) -> Self {
        let buf = Captured::default();
        let sink = buf.0.clone();
        tokio::spawn(async move {
            let mut chunk = vec![0u8; 8192];
            while let Ok(n) = from.read(&mut chunk).await {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&chunk[..n]);
            }
        });
        buf
    }

    /// The text once it contains `needle` (polling, with a generous bound, since the output
    /// is read in the background).
    pub async fn wait_for(&self, needle: &str) -> String {
        for _ in 0..600 {
            let text = self.text();
            if text.contains(needle) {
                return text;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("never saw {needle:?} in:\n{}", self.text());
    }

    /// The text so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// The simulator's account and API key (its defaults).
pub const SIM_EMAIL: &str = "admin";
pub const SIM_PASSWORD: &str = "sim-password";
pub const SIM_API_KEY: &str = "sim-api-key";

/// `coroot-mcp` with a clean environment pointed at `url` with the simulator's credentials,
/// short timeouts, no response cache (these tests inject a fault between two identical calls
/// and watch the second reach the simulator), and `env` on top (an empty value removes the
/// variable).
pub fn against(url: &str, env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(BIN);
    for (k, _) in std::env::vars() {
        if k.starts_with("COROOT_") || k == "RUST_LOG" {
            cmd.env_remove(k);
        }
    }
    cmd.env("COROOT_URL", url)
        .env("COROOT_EMAIL", SIM_EMAIL)
        .env("COROOT_PASSWORD", SIM_PASSWORD)
        .env("COROOT_API_KEY", SIM_API_KEY)
        .env("COROOT_TIMEOUT", "5")
        .env("COROOT_CONNECT_TIMEOUT", "2")
        .env("COROOT_CACHE_SECONDS", "0");
    for (k, v) in env {
        if v.is_empty() {
            cmd.env_remove(k);
        } else {
            cmd.env(k, v);
        }
    }
    cmd
}

impl Stdio_ {
    /// Starts `coroot-mcp serve --demo` (plus `extra` args) and performs the handshake.
    pub async fn start(extra: &[&str]) -> (Self, Value) {
        let mut cmd = Command::new(BIN);
        cmd.args(["serve", "--demo"]).args(extra);
        Self::spawn(cmd).await
    }

    /// Starts `coroot-mcp serve` against `url` (see [`against`]) and performs the handshake.
    pub async fn against(url: &str, env: &[(&str, &str)]) -> (Self, Value) {
        let mut cmd = against(url, env);
        cmd.arg("serve");
        Self::spawn(cmd).await
    }

    /// Spawns `cmd` (a `serve` command line) on pipes and performs the handshake.
    pub async fn spawn(cmd: Command) -> (Self, Value) {
        Self::spawn_with(cmd, json!({})).await
    }

    /// Spawns `cmd` and performs the handshake declaring `capabilities`.
    pub async fn spawn_with(mut cmd: Command, capabilities: Value) -> (Self, Value) {
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("spawn coroot-mcp");
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let stderr = Captured::collect(child.stderr.take().unwrap());
        let mut s = Stdio_ {
            child,
            stdin,
            stdout,
            next_id: 0,
            stderr,
            stdout_lines: Vec::new(),
        };
        let init = s
            .request(
                "initialize",
                json!({"protocolVersion": "2025-11-25", "capabilities": capabilities, "clientInfo": {"name": "e2e", "version": "0"}}),
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
        self.send_raw(&json!({"jsonrpc": "2.0", "method": method, "params": params}).to_string())
            .await;
    }

    /// Sends a request and returns the whole JSON-RPC response with the same id.
    pub async fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send_raw(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string())
            .await;
        self.read_response(Some(id)).await
    }

    /// The next stdout line, which must be a JSON-RPC message.
    pub async fn read_message(&mut self) -> Value {
        let mut line = String::new();
        let n = tokio::time::timeout(Duration::from_secs(30), self.stdout.read_line(&mut line))
            .await
            .expect("server answered in time")
            .unwrap();
        assert!(n > 0, "server closed stdout");
        let msg: Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("stdout line is not JSON-RPC ({e}): {line}"));
        assert_eq!(msg["jsonrpc"], "2.0", "{line}");
        self.stdout_lines.push(line);
        msg
    }

    /// Sends a request without waiting; returns its id.
    pub async fn send_request(&mut self, method: &str, params: Value) -> u64 {
        self.next_id += 1;
        let id = self.next_id;
        self.send_raw(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string())
            .await;
        id
    }

    /// Reads `n` responses, in whatever order they come, keyed by id.
    pub async fn read_responses(&mut self, n: usize) -> HashMap<u64, Value> {
        let mut out = HashMap::new();
        while out.len() < n {
            let msg = self.read_response(None).await;
            out.insert(msg["id"].as_u64().expect("numeric id"), msg);
        }
        out
    }

    /// `tools/call`: whether it is an error, and its text (or the JSON-RPC error's message).
    pub async fn call(&mut self, tool: &str, args: Value) -> (bool, String) {
        let msg = self
            .request("tools/call", json!({"name": tool, "arguments": args}))
            .await;
        tool_result(&msg)
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id().expect("running")
    }

    /// Reads lines until a response (with `id`, when given) arrives. Every stdout line must be
    /// JSON-RPC: stdout carries nothing else.
    pub async fn read_response(&mut self, id: Option<u64>) -> Value {
        loop {
            let msg = self.read_message().await;
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
    child: Option<Child>,
    pub base: String,
    pub client: reqwest::Client,
    pub session: Option<String>,
    pub token: Option<String>,
    next_id: u64,
}

impl Http {
    pub async fn start(extra: &[&str], token: Option<&str>) -> Self {
        let mut cmd = Command::new(BIN);
        cmd.args(["serve", "--demo"]).args(extra);
        Self::spawn(cmd, token).await.0
    }

    /// Starts `coroot-mcp serve --http` against `url` (see [`against`]); also returns its stderr.
    pub async fn against(url: &str, env: &[(&str, &str)], token: Option<&str>) -> (Self, Captured) {
        let mut cmd = against(url, env);
        cmd.arg("serve");
        Self::spawn(cmd, token).await
    }

    /// Spawns `cmd` (a `serve` command line) with `--http` on a free loopback port.
    pub async fn spawn(mut cmd: Command, token: Option<&str>) -> (Self, Captured) {
        let port = coroot_sim::testing::free_port().unwrap();
        let addr = format!("127.0.0.1:{port}");
        cmd.args(["--http", &addr])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        if let Some(t) = token {
            cmd.env("COROOT_MCP_AUTH_TOKEN", t);
        }
        let mut child = cmd.spawn().expect("spawn coroot-mcp");
        let stderr = Captured::collect(child.stderr.take().unwrap());
        let base = format!("http://{addr}");
        let client = reqwest::Client::new();
        for _ in 0..300 {
            if let Ok(r) = client.get(format!("{base}/healthz")).send().await
                && r.status().is_success()
            {
                let http = Http {
                    child: Some(child),
                    base,
                    client,
                    session: None,
                    token: token.map(str::to_string),
                    next_id: 0,
                };
                return (http, stderr);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("HTTP server did not start: {}", stderr.text());
    }

    /// Another client of the same server, with its own MCP session (not yet initialized) and,
    /// when `client` is given, its own connection pool.
    pub fn fork(&self, client: Option<reqwest::Client>) -> Http {
        Http {
            child: None,
            base: self.base.clone(),
            client: client.unwrap_or_else(|| self.client.clone()),
            session: None,
            token: self.token.clone(),
            next_id: 0,
        }
    }

    /// The server's process id (of the client that started it).
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().and_then(Child::id)
    }

    /// `tools/call`: whether it is an error, and its text (or the JSON-RPC error's message).
    pub async fn call(&mut self, tool: &str, args: Value) -> (bool, String) {
        let msg = self
            .request("tools/call", json!({"name": tool, "arguments": args}))
            .await;
        tool_result(&msg)
    }

    /// Ends the MCP session (`DELETE /mcp`), as a well-behaved client does.
    pub async fn close(&mut self) {
        if let Some(s) = self.session.take() {
            let mut req = self
                .client
                .delete(format!("{}/mcp", self.base))
                .header("Mcp-Session-Id", s);
            if let Some(t) = &self.token {
                req = req.header("Authorization", format!("Bearer {t}"));
            }
            let _ = req.send().await;
        }
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
        self.initialize_with(json!({})).await
    }

    /// The handshake, declaring `capabilities`.
    pub async fn initialize_with(&mut self, capabilities: Value) -> Value {
        let init = self
            .request(
                "initialize",
                json!({"protocolVersion": "2025-11-25", "capabilities": capabilities, "clientInfo": {"name": "e2e", "version": "0"}}),
            )
            .await;
        let (status, _) = self
            .post(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}), &[])
            .await;
        assert!(status == 202 || status == 200, "initialized notification: {status}");
        init
    }

    /// Sends `signal` (`TERM`, `HUP`…) to the server process.
    pub fn signal(&self, signal: &str) {
        let pid = self.pid().expect("the server runs");
        let ok = std::process::Command::new("kill")
            .args(["-s", signal, &pid.to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill -s {signal} {pid}");
    }

    /// Waits for the server process to exit (a generous bound, so a hang fails the test
    /// instead of blocking it) and returns how it exited.
    pub async fn wait_exit(&mut self) -> std::process::ExitStatus {
        let child = self.child.as_mut().expect("the client that started the server");
        tokio::time::timeout(Duration::from_secs(60), child.wait())
            .await
            .expect("the server exits")
            .unwrap()
    }

    /// GETs `path` on the server: status and body.
    pub async fn get(&self, path: &str) -> (u16, String) {
        let r = self.client.get(format!("{}{path}", self.base)).send().await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    pub async fn stop(mut self) {
        if let Some(child) = self.child.as_mut() {
            let _ = child.kill().await;
        }
    }
}

/// A `tools/call` response as (isError, text); a JSON-RPC error reads as (true, its message).
pub fn tool_result(msg: &Value) -> (bool, String) {
    if let Some(e) = msg.get("error") {
        return (true, e["message"].as_str().unwrap_or_default().to_string());
    }
    let r = &msg["result"];
    let text = r["content"].as_array().map(|c| {
        c.iter()
            .filter_map(|b| b["text"].as_str())
            .collect::<Vec<_>>()
            .join("\n")
    });
    (
        r["isError"] == true,
        text.unwrap_or_else(|| panic!("not a tools/call result: {msg}")),
    )
}

/// Arguments that make `tool` run (the demo ones; for a tool added later, values read from its
/// schema so that required parameters are present).
pub fn args_for(tool: &str, schema: &Value) -> Value {
    let known = demo_args(tool);
    if known.as_object().is_some_and(|o| !o.is_empty()) {
        return known;
    }
    let mut out = serde_json::Map::new();
    for req in schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        let guess = match req {
            "app_id" => json!("checkout"),
            "node_name" => json!("node-3"),
            "incident_key" => json!("q8w7e6r5"),
            "promql" => json!("container_resources_memory_rss_bytes"),
            _ => json!("checkout"),
        };
        out.insert(req.to_string(), guess);
    }
    Value::Object(out)
}

/// Every tool of a `tools/list` response with arguments that make it run (see [`args_for`]).
pub fn tool_mix(list: &Value) -> Vec<(String, Value)> {
    list["result"]["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .map(|t| {
            let name = t["name"].as_str().expect("name").to_string();
            let args = args_for(&name, &t["inputSchema"]);
            (name, args)
        })
        .collect()
}

/// A simulator of the e-commerce scenario on loopback, with the wall clock (the binary has no
/// fixed clock) and the default account.
pub async fn sim() -> coroot_sim::Simulator {
    coroot_sim::Simulator::start(coroot_sim::Scenario::ecommerce(), coroot_sim::SimConfig::default())
        .await
        .expect("the simulator starts")
}

/// A simulator with another configuration.
pub async fn sim_with(config: coroot_sim::SimConfig) -> coroot_sim::Simulator {
    coroot_sim::Simulator::start(coroot_sim::Scenario::ecommerce(), config)
        .await
        .expect("the simulator starts")
}

/// A loopback port nothing listens on.
pub fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// `(VmRSS, VmHWM)` of a process in KiB, from /proc (Linux).
pub fn rss_kib(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// The TCP connections a process holds open, as (local port, remote port), from its fds and
/// /proc/net/tcp{,6} (Linux).
pub fn tcp_ports(pid: u32) -> Vec<(u16, u16)> {
    let inodes: std::collections::HashSet<String> = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|d| {
            d.filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
                .filter_map(|l| {
                    l.to_str()?
                        .strip_prefix("socket:[")?
                        .strip_suffix(']')
                        .map(str::to_string)
                })
                .collect()
        })
        .unwrap_or_default();
    let port = |addr: &str| {
        addr.rsplit(':')
            .next()
            .and_then(|p| u16::from_str_radix(p, 16).ok())
            .unwrap_or(0)
    };
    let mut out = Vec::new();
    for table in ["tcp", "tcp6"] {
        let text = std::fs::read_to_string(format!("/proc/{pid}/net/{table}")).unwrap_or_default();
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split_whitespace().collect();
            // sl local rem st tx:rx tr:tm retrnsmt uid timeout inode; state 0A = LISTEN.
            if f.len() > 9 && inodes.contains(f[9]) && f[3] != "0A" {
                out.push((port(f[1]), port(f[2])));
            }
        }
    }
    out
}

/// Open file descriptors of a process (Linux).
pub fn fd_count(pid: u32) -> Option<usize> {
    std::fs::read_dir(format!("/proc/{pid}/fd")).ok().map(|d| d.count())
}
