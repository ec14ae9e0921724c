"""A third-party MCP client (the official Python SDK) drives the real coroot-mcp binary.

Usage: python_sdk_client.py path/to/coroot-mcp [<scenario>=<coroot-url> ...]

Runs `coroot-mcp serve --demo` (the built-in Coroot simulator behind it) over stdio and over
Streamable HTTP, and checks what an MCP client relies on: the handshake, the 15 tools with their
schemas and annotations, a tool call with text and structured content, an error result, the
prompts and the resources. Then, against each Coroot given, calls every tool with arguments
found as an agent finds them; the SDK validates each structuredContent against the tool's
outputSchema and raises when it does not match. Prints one line per check and a closing
`N passed, N failed` line.
"""

import asyncio
import socket
import subprocess
import sys
import time
import urllib.request

from mcp import Client, StdioServerParameters

BINARY = sys.argv[1] if len(sys.argv) > 1 else "target/debug/coroot-mcp"
TARGETS = [a.split("=", 1) for a in sys.argv[2:]]
EXPECTED_TOOLS = {
    "coroot_get_incidents", "coroot_get_incident_detail", "coroot_get_applications",
    "coroot_get_app_detail", "coroot_get_app_logs", "coroot_get_traces", "coroot_get_service_map",
    "coroot_query_metrics", "coroot_get_deployments", "coroot_get_nodes", "coroot_get_overview_logs",
    "coroot_get_node_detail", "coroot_get_costs", "coroot_get_risks", "coroot_investigate",
}

results = []


def check(name, ok, detail=""):
    results.append(ok)
    print(f"{'PASS' if ok else 'FAIL'} {name}{'' if ok else ': ' + str(detail)[:500]}")


def text_of(result):
    return "\n".join(getattr(c, "text", "") for c in result.content)


async def exercise(transport, client):
    tools = (await client.list_tools()).tools
    names = {t.name for t in tools}
    check(f"{transport}: tools/list has the 15 tools", names == EXPECTED_TOOLS, names ^ EXPECTED_TOOLS)
    schemas_ok = all(t.input_schema.get("type") == "object" and t.output_schema for t in tools)
    check(f"{transport}: every tool has input and output schemas", schemas_ok)
    ann_ok = all(t.annotations and t.annotations.read_only_hint and t.annotations.idempotent_hint
                 and t.annotations.open_world_hint for t in tools)
    check(f"{transport}: every tool is annotated read-only, idempotent, open-world", ann_ok)

    result = await client.call_tool("coroot_get_incidents", {"lookback_hours": 24})
    text = text_of(result)
    check(f"{transport}: incidents call returns the open incident", not result.is_error and "q8w7e6r5" in text, text)
    structured = result.structured_content or {}
    check(f"{transport}: incidents call returns structured content",
          structured.get("open") == 2 and structured.get("incidents", [{}])[0].get("status_code") == 4, structured)

    result = await client.call_tool("coroot_get_app_detail", {"app_id": "no-such-app"})
    check(f"{transport}: an unknown app is an error result naming what to do",
          result.is_error and "no application matches" in text_of(result), text_of(result))

    result = await client.call_tool("coroot_get_incidents", {"lookback": 24})
    check(f"{transport}: an unknown parameter is an error result naming the valid ones",
          result.is_error and "lookback_hours" in text_of(result), text_of(result))

    prompts = {p.name for p in (await client.list_prompts()).prompts}
    check(f"{transport}: the seed's workflows are prompts", {"rca-workflow", "incident-investigation",
          "proactive-health-scan", "node-investigation", "cost-investigation"} <= prompts, prompts)
    prompt = await client.get_prompt("incident-investigation", {"incident_key": "q8w7e6r5"})
    check(f"{transport}: a prompt fills its arguments", "q8w7e6r5" in str(prompt.messages[0].content), prompt)

    resources = {str(r.uri) for r in (await client.list_resources()).resources}
    check(f"{transport}: projects and connection are resources",
          {"coroot://projects", "coroot://connection"} <= resources, resources)
    projects = await client.read_resource("coroot://projects")
    check(f"{transport}: the projects resource marks the default",
          "production" in str(projects.contents[0]) and "(default)" in str(projects.contents[0]), projects)


NEEDS = {
    "coroot_get_app_detail": ["app_id"],
    "coroot_get_app_logs": ["app_id"],
    "coroot_get_node_detail": ["node_name"],
    "coroot_get_incident_detail": ["incident_key"],
}


async def every_tool(scenario, url):
    env = {"COROOT_URL": url, "COROOT_EMAIL": "admin", "COROOT_PASSWORD": "sim-password", "COROOT_MCP_LOG": "warn"}
    async with Client(StdioServerParameters(command=BINARY, args=["serve"], env=env)) as client:
        async def call(name, args):
            try:
                return await client.call_tool(name, args), None
            except Exception as e:  # the SDK raises when structuredContent breaks the schema
                return None, e

        def first(result, lst, field):
            items = ((result and result.structured_content) or {}).get(lst) or [{}]
            return items[0].get(field)

        found = {
            "app_id": first((await call("coroot_get_applications", {}))[0], "applications", "id"),
            "node_name": first((await call("coroot_get_nodes", {}))[0], "nodes", "name"),
            "incident_key": first((await call("coroot_get_incidents", {"lookback_hours": 720}))[0], "incidents", "key"),
            "trace_id": first((await call("coroot_get_traces", {}))[0], "traces", "trace_id"),
        }
        for tool in (await client.list_tools()).tools:
            args = {k: found[k] or "none-in-this-scenario" for k in NEEDS.get(tool.name, [])}
            if tool.name == "coroot_query_metrics":
                args["promql"] = "rate(container_resources_cpu_usage_seconds_total[5m])"
            calls = [args] + ([{"trace_id": found["trace_id"]}] if tool.name == "coroot_get_traces" and found["trace_id"] else [])
            for a in calls:
                result, error = await call(tool.name, a)
                label = f"{scenario}: {tool.name} {a}"
                if error is not None:
                    check(label, False, repr(error))
                elif result.is_error:
                    missing = "none-in-this-scenario" in a.values()
                    check(label + " (error result)", missing and "call coroot_" in text_of(result), text_of(result))
                else:
                    check(label, result.structured_content is not None, "no structuredContent")


async def over_stdio():
    params = StdioServerParameters(command=BINARY, args=["serve", "--demo"], env={"COROOT_MCP_LOG": "warn"})
    async with Client(params) as client:
        await exercise("stdio", client)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def over_http():
    port = free_port()
    proc = subprocess.Popen([BINARY, "serve", "--demo", "--http", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    raise RuntimeError("the HTTP server did not come up: " + proc.stderr.read().decode()[:500])
                time.sleep(0.1)
        async with Client(f"http://127.0.0.1:{port}/mcp") as client:
            await exercise("http", client)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


async def main():
    runs = [(r.__name__, r) for r in (over_stdio, over_http)]
    runs += [(f"every tool on {name}", lambda name=name, url=url: every_tool(name, url)) for name, url in TARGETS]
    for label, run in runs:
        try:
            await run()
        except Exception as e:  # a session that fails outright is one failed check, not a crash
            check(f"{label} completed", False, repr(e))
    passed = sum(results)
    failed = len(results) - passed
    print(f"python-sdk: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


asyncio.run(main())
