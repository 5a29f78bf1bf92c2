"""A real SMTP server for the tests (aiosmtpd) that keeps what it receives, and a small HTTP
API to read it back, parsed by Python's own email package.

With --auth it asks for a login (PLAIN or LOGIN) and takes any, as a relay would.
Prints SMTP_SINK=127.0.0.1:<smtp port>,http://127.0.0.1:<http port> once both listen, and
runs until stopped (or, with --with-stdin, until its parent closes stdin).

GET /messages?to=<address>: the messages for that recipient, oldest first, each with its
envelope, its decoded headers, and its MIME tree (content type, filename, charset, the
decoded text of text parts, the size and SHA-256 of the others).
"""

import hashlib
import json
import socket
import sys
import threading
from email import policy
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

MESSAGES = []
LOCK = threading.Lock()


class Keep:
    async def handle_DATA(self, server, session, envelope):
        with LOCK:
            MESSAGES.append(
                {
                    "mailFrom": envelope.mail_from,
                    "rcptTos": list(envelope.rcpt_tos),
                    "raw": envelope.original_content or envelope.content,
                }
            )
        return "250 OK"


def part_json(part):
    out = {
        "contentType": part.get_content_type(),
        "filename": part.get_filename(),
        "charset": part.get_content_charset(),
        "transferEncoding": part.get("Content-Transfer-Encoding"),
    }
    if part.is_multipart():
        out["parts"] = [part_json(p) for p in part.iter_parts()]
    elif part.get_content_maintype() == "text":
        out["text"] = part.get_content()
    else:
        payload = part.get_payload(decode=True) or b""
        out["size"] = len(payload)
        out["sha256"] = hashlib.sha256(payload).hexdigest()
        out["head"] = payload[:8].decode("latin-1")
    return out


def message_json(stored):
    message = BytesParser(policy=policy.default).parsebytes(stored["raw"])
    headers = {}
    for name, value in message.items():
        headers.setdefault(name, str(value))
    return {
        "mailFrom": stored["mailFrom"],
        "rcptTos": stored["rcptTos"],
        "headers": headers,
        "mime": part_json(message),
    }


class Api(BaseHTTPRequestHandler):
    def do_GET(self):
        url = urlparse(self.path)
        if url.path != "/messages":
            self.send_error(404)
            return
        to = parse_qs(url.query).get("to", [None])[0]
        with LOCK:
            kept = [m for m in MESSAGES if to is None or to in m["rcptTos"]]
        body = json.dumps([message_json(m) for m in kept]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def accept_any(server, session, envelope, mechanism, auth_data):
    # --auth: the server asks for a login (as a relay does) and takes any.
    return AuthResult(success=True)


def main():
    smtp_port = free_port()
    auth = {}
    if "--auth" in sys.argv:
        auth = {"authenticator": accept_any, "auth_require_tls": False}
    controller = Controller(
        Keep(), hostname="127.0.0.1", port=smtp_port, data_size_limit=33554432, **auth
    )
    controller.start()
    api = ThreadingHTTPServer(("127.0.0.1", 0), Api)
    threading.Thread(target=api.serve_forever, daemon=True).start()
    print(f"SMTP_SINK=127.0.0.1:{smtp_port},http://127.0.0.1:{api.server_address[1]}", flush=True)
    try:
        if "--with-stdin" in sys.argv:
            sys.stdin.read()
        else:
            threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
