//! stdio for MCP: JSON-RPC's parse error answered, and answers written as rmcp would, but with
//! a tool's structured result written from its JSON text.
//!
//! rmcp's stdio transport drops a line that is not JSON without a word, so a client that sent
//! a broken message waits for an answer that never comes. Here each stdin line is checked
//! first: a line that is not JSON gets `{"jsonrpc":"2.0","id":null,"error":{"code":-32700,…}}`
//! (JSON-RPC 2.0 §5.1) and everything else goes to rmcp unchanged.
//!
//! Answers go to stdout from [`Lines`], one message per line. A direct tool call's structured
//! result arrives standing for its JSON text (`Structured::Text`, see `handler.rs`), which is
//! written in its place: building a `serde_json::Value` of up to 120,000 characters, only for rmcp to write it
//! out and drop it, was a quarter of a large answer's cost. rmcp's own error answers (a message
//! of the wrong shape) still come from its transport, through a pipe, whole lines at a time.

use std::borrow::Cow;
use std::future::Future;
use std::sync::Arc;

use anyhow::{Context as _, Result};
use rmcp::model::{JsonRpcMessage, ServerResult};
use rmcp::service::{RxJsonRpcMessage, TxJsonRpcMessage};
use rmcp::transport::Transport;
use rmcp::transport::async_rw::AsyncRwTransport;
use rmcp::{RoleServer, ServiceExt};
use tokio::io::{AsyncBufReadExt, AsyncWrite, AsyncWriteExt, BufReader, DuplexStream};
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

use coroot_tools::Structured;

use super::handler::CorootMcp;

/// Buffer between the line filter and rmcp, each way.
const PIPE: usize = 64 * 1024;

/// The transport to give rmcp, and the task that copies rmcp's own output to stdout.
pub struct Stdio<W> {
    /// What rmcp reads (stdin lines that are JSON) and writes.
    pub transport: Lines<W>,
    /// Ends once rmcp has closed its side and everything is on stdout; await it before exiting.
    pub flushed: JoinHandle<()>,
}

/// Serves MCP on stdin and stdout until the client closes stdin.
pub async fn serve(server: CorootMcp) -> Result<()> {
    let io = filtered(tokio::io::stdin(), tokio::io::stdout());
    let running = server
        .with_structured_text()
        .serve(io.transport)
        .await
        .context("MCP stdio failed")?;
    running.waiting().await.context("MCP stdio failed")?;
    // rmcp has closed its side: let the last answers reach stdout before exiting.
    let _ = io.flushed.await;
    Ok(())
}

/// The filter between any input and output (stdin and stdout in the binary).
pub fn filtered<W>(input: impl tokio::io::AsyncRead + Unpin + Send + 'static, output: W) -> Stdio<W>
where
    W: AsyncWrite + Unpin + Send + 'static,
{
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

    let copied = out.clone();
    let flushed = tokio::spawn(async move {
        let mut from_rmcp = BufReader::new(drain);
        let mut line = Vec::new();
        loop {
            line.clear();
            match from_rmcp.read_until(b'\n', &mut line).await {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            let mut out = copied.lock().await;
            if out.write_all(&line).await.is_err() || out.flush().await.is_err() {
                break;
            }
        }
    });
    Stdio {
        transport: Lines {
            rmcp: AsyncRwTransport::new_server(reader, writer),
            out,
        },
        flushed,
    }
}

/// rmcp's transport for reading, and stdout written directly for answers.
pub struct Lines<W> {
    rmcp: AsyncRwTransport<RoleServer, DuplexStream, DuplexStream>,
    out: Arc<Mutex<W>>,
}

impl<W: AsyncWrite + Unpin + Send + 'static> Transport<RoleServer> for Lines<W> {
    type Error = std::io::Error;

    fn name() -> Cow<'static, str> {
        "stdio".into()
    }

    fn send(
        &mut self,
        message: TxJsonRpcMessage<RoleServer>,
    ) -> impl Future<Output = Result<(), std::io::Error>> + Send + 'static {
        let out = self.out.clone();
        async move {
            let line = line_of(message).map_err(std::io::Error::other)?;
            let mut out = out.lock().await;
            out.write_all(&line).await?;
            out.flush().await
        }
    }

    fn receive(&mut self) -> impl Future<Output = Option<RxJsonRpcMessage<RoleServer>>> + Send {
        self.rmcp.receive()
    }

    fn close(&mut self) -> impl Future<Output = Result<(), std::io::Error>> + Send {
        self.rmcp.close()
    }
}

/// `message` as one line of JSON. A tool result whose structured result stands for its JSON
/// text (`Structured::Text`) gets the text in its place, as it is.
fn line_of(message: TxJsonRpcMessage<RoleServer>) -> serde_json::Result<Vec<u8>> {
    let mut line = Vec::new();
    let JsonRpcMessage::Response(mut response) = message else {
        serde_json::to_writer(&mut line, &message)?;
        line.push(b'\n');
        return Ok(line);
    };
    let json = match &mut response.result {
        ServerResult::CallToolResult(result) => match result.structured_content.take().map(Structured::into_text) {
            Some(Ok(json)) => Some(json),
            other => {
                result.structured_content = other.and_then(Result::err);
                None
            }
        },
        _ => None,
    };
    line.reserve(json.as_ref().map_or(0, String::len) + 4096);
    serde_json::to_writer(&mut line, &response)?;
    if let Some(json) = json {
        // `result` is the response's last member and a tool result always has `content`: the
        // line ends `}}`, and the member goes before them after a comma.
        if !line.ends_with(b"}}") {
            return Err(serde::ser::Error::custom("a tool result was not written as an object"));
        }
        line.truncate(line.len() - 2);
        line.extend_from_slice(b",\"structuredContent\":");
        line.extend_from_slice(json.as_bytes());
        line.extend_from_slice(b"}}");
    }
    line.push(b'\n');
    Ok(line)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rmcp::model::{CallToolResult, ContentBlock, JsonRpcResponse, JsonRpcVersion2_0, NumberOrString, RequestId};
    use serde_json::{Value, json};
    use tokio::io::AsyncReadExt;

    #[tokio::test]
    async fn non_json_lines_get_a_parse_error_and_the_rest_reaches_rmcp() {
        let input: &[u8] = b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\n{not json\n\n";
        let (out_w, mut out_r) = tokio::io::duplex(4096);
        let Stdio { mut transport, flushed } = filtered(input, out_w);
        let received = transport.receive().await.expect("the ping");
        assert!(
            matches!(&received, JsonRpcMessage::Request(r) if r.id == RequestId::Number(1)),
            "{received:?}"
        );
        assert!(transport.receive().await.is_none(), "stdin ended");
        transport.send(answer(Some(json!({"n": 1})))).await.unwrap();
        transport.close().await.unwrap();
        drop(transport);
        flushed.await.unwrap();
        let mut written = String::new();
        out_r.read_to_string(&mut written).await.unwrap();
        let lines: Vec<Value> = written.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), 2, "{written}");
        assert_eq!(lines[0]["error"]["code"], -32700);
        assert_eq!(lines[0]["id"], Value::Null);
        assert_eq!(lines[1]["result"]["structuredContent"], json!({"n": 1}));
    }

    fn answer(structured: Option<Value>) -> TxJsonRpcMessage<RoleServer> {
        let mut result = CallToolResult::success(vec![ContentBlock::text("line \"one\"\n⟦two⟧")]);
        result.structured_content = structured;
        JsonRpcMessage::Response(JsonRpcResponse {
            jsonrpc: JsonRpcVersion2_0,
            id: NumberOrString::Number(7),
            result: ServerResult::CallToolResult(result),
        })
    }

    /// The JSON text of a structured result is written in place of the string that carried
    /// it: the line is what rmcp writes for the same result as a `Value`.
    #[test]
    fn a_structured_result_given_as_text_is_written_as_the_object() {
        let object = json!({"nodes": [{"name": "n\"1", "cpu": 0.5}], "total": 1, "é": null});
        let as_value = line_of(answer(Some(object.clone()))).unwrap();
        let as_text = line_of(answer(Some(Structured::text(object.to_string())))).unwrap();
        assert!(as_text.ends_with(b"}}\n") && !as_text[..as_text.len() - 1].contains(&b'\n'));
        let parsed = |line: &[u8]| serde_json::from_slice::<Value>(line).unwrap();
        assert_eq!(parsed(&as_text), parsed(&as_value));
        assert_eq!(parsed(&as_text)["result"]["structuredContent"], object);
        // Any other message, and a result with no structured part, go as rmcp writes them.
        let bare = line_of(answer(None)).unwrap();
        assert_eq!(
            bare,
            [serde_json::to_vec(&answer(None)).unwrap(), b"\n".to_vec()].concat()
        );
    }
}
