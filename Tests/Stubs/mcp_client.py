"""A real MCP client (PyPI's `mcp`) driving `shiplog mcp` over stdio, for the end-to-end tests and the benchmark.

    mcp_client.py calls SHIPLOG ARGS_JSON CALLS_JSON   -> one JSON document: the tools listed and each call's result
    mcp_client.py bench SHIPLOG ARGS_JSON N             -> start-up to first answer and N `live` round trips, in ms

ARGS_JSON is the JSON list of arguments after `shiplog mcp` (e.g. ["--db", "/tmp/x.sqlite"]); CALLS_JSON is a file
holding [{"tool": NAME, "arguments": {...}}, ...]. The environment (SHIPLOG_TOKEN etc.) is passed on.
"""
import asyncio
import json
import os
import sys
import time

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client


def server(shiplog, args):
    return StdioServerParameters(command=shiplog, args=["mcp", *args], env=dict(os.environ))


def result_document(result):
    return {
        "is_error": bool(result.is_error),
        "structured": result.structured_content,
        "text": [c.text for c in result.content if getattr(c, "type", None) == "text"],
    }


async def calls(shiplog, args, calls_file):
    with open(calls_file) as f:
        planned = json.load(f)
    async with stdio_client(server(shiplog, args)) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            tools = await session.list_tools()
            answers = []
            for call in planned:
                result = await session.call_tool(call["tool"], call.get("arguments") or {})
                answers.append({"tool": call["tool"], **result_document(result)})
            return {
                "server": init.server_info.name,
                "protocol": init.protocol_version,
                "tools": [{"name": t.name, "description": t.description, "input_schema": t.input_schema,
                           "read_only": bool(t.annotations and t.annotations.read_only_hint)} for t in tools.tools],
                "calls": answers,
            }


async def bench(shiplog, args, count):
    started = time.perf_counter()
    async with stdio_client(server(shiplog, args)) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            first = await session.call_tool("live", {"environment": "prod"})
            startup = (time.perf_counter() - started) * 1000
            assert not first.is_error, first
            times = []
            for _ in range(count):
                t = time.perf_counter()
                await session.call_tool("live", {"environment": "prod"})
                times.append((time.perf_counter() - t) * 1000)
    times.sort()
    pick = lambda q: times[min(len(times) - 1, int(q * len(times)))]
    return {"startup_ms": startup, "p50_ms": pick(0.50), "p99_ms": pick(0.99), "calls": count}


def main():
    mode, shiplog, args = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    if mode == "calls":
        print(json.dumps(asyncio.run(calls(shiplog, args, sys.argv[4]))))
    elif mode == "bench":
        print(json.dumps(asyncio.run(bench(shiplog, args, int(sys.argv[4])))))
    else:
        sys.exit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
