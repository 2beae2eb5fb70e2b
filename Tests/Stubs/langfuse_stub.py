#!/usr/bin/env python3
"""A stand-in for a Langfuse server's public API, for shiplog's tests: basic auth, paging.

Usage: langfuse_stub.py DAILY_FIXTURE REQUEST_LOG PORT_FILE
Writes its port to PORT_FILE once listening on 127.0.0.1. Page 1 of /api/public/metrics/daily is the fixture as
published (its meta says 30 pages); pages 2..30 are empty. /api/public/observations serves 3
generations over 2 pages. Every request's path and query go to REQUEST_LOG, one per line.
"""
import base64
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

DAILY = json.load(open(sys.argv[1]))
LOG = open(sys.argv[2], "a", buffering=1)
EXPECTED = "Basic " + base64.b64encode(b"pk-lf-test:sk-lf-test").decode()
OBSERVATIONS = [
    {"id": "g1", "type": "GENERATION", "traceName": "orders-agent", "startTime": "2024-02-17T10:00:00Z",
     "model": "gpt-4o", "usageDetails": {"input": 10, "output": 5, "total": 15}, "costDetails": {"total": 0.001}},
    {"id": "g2", "type": "GENERATION", "traceName": "orders-agent", "startTime": "2024-02-18T10:00:00Z",
     "model": "gpt-4o", "usageDetails": {"input": 20, "output": 5, "total": 25}, "costDetails": {"total": 0.002}},
    {"id": "g3", "type": "GENERATION", "traceName": "billing-agent", "startTime": "2024-02-18T11:00:00Z",
     "model": "claude", "usage": {"input": 1, "output": 1, "total": 2}, "calculatedTotalCost": 0.000004},
]


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        LOG.write(self.path + "\n")
        if self.headers.get("Authorization") != EXPECTED:
            return self.answer(401, {"message": "Invalid credentials"})
        url = urlparse(self.path)
        query = parse_qs(url.query)
        page = int(query.get("page", ["1"])[0])
        if url.path == "/api/public/metrics/daily":
            if page == 1:
                return self.answer(200, DAILY)
            return self.answer(200, {"data": [], "meta": dict(DAILY["meta"], page=page)})
        if url.path == "/api/public/observations":
            items = OBSERVATIONS[:2] if page == 1 else OBSERVATIONS[2:]
            return self.answer(200, {"data": items, "meta": {"page": page, "limit": 2, "totalItems": 3, "totalPages": 2}})
        return self.answer(404, {"message": "not found"})


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(sys.argv[3] + ".tmp", "w") as port_file:
    port_file.write(str(server.server_address[1]))
import os
os.rename(sys.argv[3] + ".tmp", sys.argv[3])
server.serve_forever()
