// A third-party MCP client (the official TypeScript SDK, which many desktop and IDE clients
// embed) drives the real coroot-mcp binary over stdio against simulated Coroots.
//
// Usage: node ts_sdk_client.mjs path/to/coroot-mcp <scenario>=<coroot-url> ...
//
// For each Coroot, it lists the tools and calls every one of them with arguments found the way
// an agent finds them (an app, a node, an incident and a trace from the listing tools). The SDK
// validates every structuredContent against the tool's outputSchema itself and throws when it
// does not match: a thrown call is a failure. On the first Coroot it also runs the investigation
// through the SDK's experimental tasks client, which speaks the tasks of protocol 2025-11-25:
// coroot-mcp serves the tasks extension (SEP-2663) instead, so this client must get the plain
// answer. Prints one line per check and `N passed, N failed`.

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const [binary, ...targets] = process.argv.slice(2);
let passed = 0;
let failed = 0;

function check(name, ok, detail = "") {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? "PASS" : "FAIL"} ${name}${ok ? "" : ": " + String(detail).slice(0, 500)}`);
}

const first = (result, list, field) => result?.structuredContent?.[list]?.[0]?.[field];

async function callAll(scenario, client) {
  const tools = (await client.listTools()).tools;
  check(`${scenario}: tools/list has 15 tools with output schemas`,
    tools.length === 15 && tools.every((t) => t.outputSchema), tools.map((t) => t.name));
  const call = async (name, args) => {
    try {
      return { result: await client.callTool({ name, arguments: args }) };
    } catch (error) {
      return { error };
    }
  };
  const found = {
    app_id: first((await call("coroot_get_applications", {})).result, "applications", "id"),
    node_name: first((await call("coroot_get_nodes", {})).result, "nodes", "name"),
    incident_key: first((await call("coroot_get_incidents", { lookback_hours: 720 })).result, "incidents", "key"),
    trace_id: first((await call("coroot_get_traces", {})).result, "traces", "trace_id"),
  };
  const needs = {
    coroot_get_app_detail: ["app_id"],
    coroot_get_app_logs: ["app_id"],
    coroot_get_node_detail: ["node_name"],
    coroot_get_incident_detail: ["incident_key"],
  };
  for (const tool of tools) {
    const args = {};
    for (const key of needs[tool.name] ?? []) args[key] = found[key] ?? "none-in-this-scenario";
    if (tool.name === "coroot_query_metrics") args.promql = "rate(container_resources_cpu_usage_seconds_total[5m])";
    const calls = [args];
    if (tool.name === "coroot_get_traces" && found.trace_id) calls.push({ trace_id: found.trace_id });
    for (const a of calls) {
      const { result, error } = await call(tool.name, a);
      const label = `${scenario}: ${tool.name} ${JSON.stringify(a)}`;
      if (error) {
        check(label, false, error.message);
      } else if (result.isError) {
        // Only a missing object may fail, with a message naming the next step.
        const text = result.content.map((c) => c.text ?? "").join("\n");
        const missing = Object.values(a).includes("none-in-this-scenario");
        check(`${label} (error result)`, missing && /call coroot_|no /.test(text), text);
      } else {
        check(label, result.structuredContent !== undefined, "no structuredContent");
      }
    }
  }
}

// A tasks-aware client of protocol 2025-11-25 sees no `tasks` capability here, so it calls the
// tool plainly and gets one result, not a task.
async function tasksClientFallsBack(scenario, client) {
  const messages = [];
  try {
    const stream = client.experimental.tasks.callToolStream({ name: "coroot_investigate", arguments: {} });
    for await (const message of stream) messages.push(message);
  } catch (error) {
    messages.push({ type: "error", error });
  }
  const types = messages.map((m) => m.type);
  const result = messages[0]?.result;
  check(`${scenario}: experimental tasks client gets coroot_investigate's plain result`,
    types.join() === "result" && !result.isError && result.structuredContent !== undefined,
    JSON.stringify(messages));
}

for (const [index, target] of targets.entries()) {
  const eq = target.indexOf("=");
  const scenario = target.slice(0, eq);
  const url = target.slice(eq + 1);
  const transport = new StdioClientTransport({
    command: binary,
    args: ["serve"],
    env: { ...process.env, COROOT_URL: url, COROOT_EMAIL: "admin", COROOT_PASSWORD: "sim-password" },
    stderr: "ignore",
  });
  const client = new Client({ name: "ts-sdk-e2e", version: "1.0.0" });
  try {
    await client.connect(transport);
    await callAll(scenario, client);
    if (index === 0) await tasksClientFallsBack(scenario, client);
  } catch (error) {
    check(`${scenario}: session`, false, error.stack ?? error);
  } finally {
    await client.close();
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
