//! A stdio MCP server driven with raw JSON-RPC, as a client would, and its memory from
//! `/proc`.

use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

use super::{ServerKind, TIMEOUT};

/// A running stdio MCP server.
pub struct Server {
    child: Child,
    stdin: ChildStdin,
    lines: Lines<BufReader<ChildStdout>>,
    next_id: u64,
}

impl Server {
    pub async fn spawn(kind: &ServerKind, url: &str) -> Server {
        let dir = std::env::temp_dir().join("coroot-mcp-e2e-bench");
        std::fs::create_dir_all(&dir).unwrap();
        let mut cmd = Command::new(&kind.program);
        cmd.args(&kind.args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", std::env::var("HOME").unwrap_or_default())
            .envs(kind.env.iter().cloned())
            .env(kind.url_var, url)
            // The peer loads a `.env` from its working directory: give it an empty one.
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true);
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", kind.program));
        let stdin = child.stdin.take().unwrap();
        let lines = BufReader::new(child.stdout.take().unwrap()).lines();
        Server {
            child,
            stdin,
            lines,
            next_id: 1,
        }
    }

    fn pid(&self) -> u32 {
        self.child.id().unwrap()
    }

    async fn send(&mut self, message: Value) {
        let mut line = message.to_string();
        line.push('\n');
        self.stdin.write_all(line.as_bytes()).await.unwrap();
        self.stdin.flush().await.unwrap();
    }

    /// Sends a request and returns the raw response line.
    pub async fn request(&mut self, method: &str, params: Value) -> String {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await;
        loop {
            let line = tokio::time::timeout(TIMEOUT, self.lines.next_line())
                .await
                .unwrap_or_else(|_| panic!("no answer to {method} within {TIMEOUT:?}"))
                .unwrap()
                .unwrap_or_else(|| panic!("the server closed stdout during {method}"));
            // Skip notifications (logging, progress); match our id. Both servers write
            // `{"jsonrpc":"2.0","id":N,...`, so the id is read from the prefix instead of parsing
            // a line that can be megabytes long inside the timed region.
            let prefix = "{\"jsonrpc\":\"2.0\",\"id\":";
            let ours = match line.strip_prefix(prefix) {
                Some(rest) => rest.strip_prefix(&id.to_string()).is_some_and(|r| r.starts_with(',')),
                None if line.starts_with("{\"jsonrpc\":\"2.0\",\"method\"") => false,
                None => serde_json::from_str::<Value>(&line)
                    .ok()
                    .is_some_and(|v| v.get("id").and_then(Value::as_u64) == Some(id)),
            };
            if ours {
                return line;
            }
        }
    }

    pub async fn initialize(&mut self) -> String {
        self.request(
            "initialize",
            json!({"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "e2e-bench", "version": "0"}}),
        )
        .await;
        self.send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
            .await;
        self.request("tools/list", json!({})).await
    }

    pub async fn call(&mut self, tool: &str, args: &Value) -> String {
        self.request("tools/call", json!({"name": tool, "arguments": args}))
            .await
    }

    fn status(&self, field: &str) -> u64 {
        let text = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap_or_default();
        text.lines()
            .find(|l| l.starts_with(field))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<u64>().ok())
            .map_or(0, |kb| kb * 1024)
    }

    /// RSS of the server and its children (a launcher script may stand in front of Python).
    pub fn tree_status(&self, field: &str) -> u64 {
        let mut total = self.status(field);
        for child in children(self.pid()) {
            total += proc_status(child, field);
        }
        total
    }

    pub async fn stop(mut self) {
        drop(self.stdin);
        let _ = tokio::time::timeout(Duration::from_secs(5), self.child.wait()).await;
        let _ = self.child.kill().await;
    }
}

fn proc_status(pid: u32, field: &str) -> u64 {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    text.lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

fn children(pid: u32) -> Vec<u32> {
    std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect()
}
