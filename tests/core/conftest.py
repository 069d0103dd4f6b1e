"""A scripted HTTP server on loopback for transport tests: answers queued per request."""

import http.server
import json
import socket
import threading

import pytest


class Script:
    """Answers queued per request; records what arrived."""

    def __init__(self):
        self.answers = []
        self.seen = []


@pytest.fixture
def server():
    script = Script()

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def _answer(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            script.seen.append((self.command, self.path, dict(self.headers), body))
            action = script.answers.pop(0) if script.answers else (200, {}, {"ok": True})
            if action == "drop":
                self.close_connection = True
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            status, headers, payload = action
            headers = dict(headers)   # answers may share one dict (``[...] * 5``)
            data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            if "Range" in self.headers and status == 206:
                start = int(self.headers["Range"].split("=")[1].rstrip("-"))
                total = headers.pop("_total")
                headers["Content-Range"] = f"bytes {start}-{total - 1}/{total}"
            claim = headers.pop("_claim", len(data))
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, str(v))
            if claim is not None:   # None: no Content-Length, the body ends when we close
                self.send_header("Content-Length", str(claim))
            self.end_headers()
            try:
                self.wfile.write(data)
            except OSError:
                pass   # the client hung up early, as it may

        do_GET = do_POST = _answer

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    script.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield script
    httpd.shutdown()
    httpd.server_close()
