#!/usr/bin/env python3
# A webhook receiver for the tests, on 127.0.0.1:
#
#   python3 t/lib/webhook_receiver.py PORT LOG
#
# It answers every POST by its path (a query string is ignored), and appends one JSON line per request to LOG:
# {"path", "id", "timestamp", "signature", "body", "at"} (the webhook-* headers as
# they came, the body as text, the time it came in seconds).
#   /ok                 204
#   /status/NNN         NNN (410: "gone", 500, ...)
#   /slow/S             waits S seconds, then 204
#   /retry-after/S      503 with Retry-After: S
#   /redirect           302 to /ok (which the sender must not follow)
# Anything else is 404. It prints "ready" on stdout once it listens.
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(sys.argv[1])
LOG = sys.argv[2]
LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length).decode("utf-8", "replace")
        record = {
            "path": self.path,
            "id": self.headers.get("webhook-id"),
            "timestamp": self.headers.get("webhook-timestamp"),
            "signature": self.headers.get("webhook-signature"),
            "content_type": self.headers.get("Content-Type"),
            "body": body,
            "at": time.time(),
        }
        with LOCK, open(LOG, "a", encoding="utf-8") as log:
            log.write(json.dumps(record) + "\n")
        parts = self.path.split("?")[0].strip("/").split("/")
        if parts[0] == "ok":
            self.answer(204)
        elif parts[0] == "status" and len(parts) == 2:
            self.answer(int(parts[1]))
        elif parts[0] == "slow" and len(parts) == 2:
            time.sleep(float(parts[1]))
            self.answer(204)
        elif parts[0] == "retry-after" and len(parts) == 2:
            self.answer(503, [("Retry-After", parts[1])])
        elif parts[0] == "redirect":
            self.answer(302, [("Location", "/ok")])
        else:
            self.answer(404)


server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
server.daemon_threads = True
print("ready", flush=True)
server.serve_forever()
