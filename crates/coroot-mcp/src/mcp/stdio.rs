//! stdio for MCP, with JSON-RPC's parse error answered.
//!
//! rmcp's stdio transport drops a line that is not JSON without a word, so a client that sent
//! a broken message waits for an answer that never comes. Here each stdin line is checked
//! first: a line that is not JSON gets `{"jsonrpc":"2.0","id":null,"error":{"code":-32700,…}}`
//! (JSON-RPC 2.0 §5.1) and everything else goes to rmcp unchanged. stdout stays one message
//! per line: rmcp's output and the parse errors are written whole lines at a time.

use std::sync::Arc;

use anyhow::{Context as _, Result};
use rmcp::ServiceExt;
use tokio::io::{AsyncBufReadExt, AsyncWrite, AsyncWriteExt, BufReader, DuplexStream};
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

use super::handler::CorootMcp;

/// Buffer between the line filter and rmcp, each way.
const PIPE: usize = 64 * 1024;

/// The transport halves to give rmcp, and the task that copies rmcp's output to stdout.
pub struct Stdio {
    /// What rmcp reads: stdin lines that are JSON.
    pub reader: DuplexStream,
    /// What rmcp writes: copied to stdout line by line.
    pub writer: DuplexStream,
    /// Ends once rmcp has closed `writer` and everything is on stdout; await it before exiting.
    pub flushed: JoinHandle<()>,
}

/// Serves MCP on stdin and stdout until the client closes stdin.
pub async fn serve(server: CorootMcp) -> Result<()> {
    let io = transport();
    let running = server.serve((io.reader, io.writer)).await.context("MCP stdio failed")?;
    running.waiting().await.context("MCP stdio failed")?;
    // rmcp has closed its side: let the last answers reach stdout before exiting.
    let _ = io.flushed.await;
    Ok(())
}

/// Wires stdin and stdout through the filter.
fn transport() -> Stdio {
    filtered(tokio::io::stdin(), tokio::io::stdout())
}

/// The filter between any input and output (stdin and stdout in the binary).
pub fn filtered(
    input: impl tokio::io::AsyncRead + Unpin + Send + 'static,
    output: impl AsyncWrite + Unpin + Send + 'static,
) -> Stdio {
    let (reader, mut feed) = tokio::io::duplex(PIPE);
    let (writer, drain) = tokio::io::duplex(PIPE);
    let out = Arc::new(Mutex::new(output));

    let errors = out.clone();
    tokio::spawn(async move {
        let mut lines = BufReader::new(input);
        let mut line = Vec::new();
        loop {
            line.clear();
            match lines.read_until(b'\n', &mut line).await {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            let text = line.strip_suffix(b"\n").unwrap_or(&line);
            let text = text.strip_suffix(b"\r").unwrap_or(text);
            let text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
            if !text.iter().all(u8::is_ascii_whitespace)
                && let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(text)
            {
                let reply = serde_json::json!({"jsonrpc": "2.0", "id": null,
                    "error": {"code": -32700, "message": format!("Parse error: the message is not JSON ({e})")}});
                let mut out = errors.lock().await;
                let _ = out.write_all(format!("{reply}\n").as_bytes()).await;
                let _ = out.flush().await;
                continue;
            }
            if feed.write_all(&line).await.is_err() {
                break;
            }
            if !line.ends_with(b"\n") && feed.write_all(b"\n").await.is_err() {
                break;
            }
        }
        // Dropping `feed` tells rmcp stdin is closed.
    });

    let flushed = tokio::spawn(async move {
        let mut from_rmcp = BufReader::new(drain);
        let mut line = Vec::new();
        loop {
            line.clear();
            match from_rmcp.read_until(b'\n', &mut line).await {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            let mut out = out.lock().await;
            if out.write_all(&line).await.is_err() || out.flush().await.is_err() {
                break;
            }
        }
    });
    Stdio {
        reader,
        writer,
        flushed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    #[tokio::test]
    async fn non_json_lines_get_a_parse_error_and_the_rest_passes_through() {
        let input: &[u8] = b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\n{not json\n\n[]\r\n";
        let (out_w, mut out_r) = tokio::io::duplex(4096);
        let Stdio {
            mut reader,
            mut writer,
            flushed,
        } = filtered(input, out_w);
        let mut passed = String::new();
        reader.read_to_string(&mut passed).await.unwrap();
        assert_eq!(passed, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\n\n[]\r\n");
        writer
            .write_all(b"{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}\n")
            .await
            .unwrap();
        drop(writer);
        flushed.await.unwrap();
        let mut written = String::new();
        out_r.read_to_string(&mut written).await.unwrap();
        let lines: Vec<serde_json::Value> = written.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), 2, "{written}");
        assert_eq!(lines[0]["error"]["code"], -32700);
        assert_eq!(lines[0]["id"], serde_json::Value::Null);
        assert_eq!(lines[1]["result"], serde_json::json!({}));
    }
}
