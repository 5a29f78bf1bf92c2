#!/usr/bin/env python3
"""Cold start of one function: process start to the first `GET /healthz` 200, as Cloud Run
sees it. Runs the release binary N times on the embedded store and prints the median and p90.

    cargo build --release -p sites && scripts/coldstart.py [binary] [runs]
"""
import base64
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

binary = sys.argv[1] if len(sys.argv) > 1 else "target/release/sites"
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 30
# A syntactically valid JWKS: the function verifies tokens, it never needs to sign here.
jwks = {"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", "kid": "k1"}]}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def once(data_dir):
    port = free_port()
    env = dict(os.environ, PORT=str(port), AUTH_ISSUER="coldstart", AUTH_AUDIENCE="cleanops",
               AUTH_JWKS=json.dumps(jwks), CLEANOPS_DATA_DIR=data_dir, RUST_LOG="warn",
               CLEANOPS_SIGNING_KEY=base64.b64encode(os.urandom(32)).decode())
    started = time.perf_counter()
    process = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL)
    try:
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return (time.perf_counter() - started) * 1000
            except OSError:
                time.sleep(0.0005)
            if time.perf_counter() - started > 10:
                raise SystemExit("no /healthz 200 within 10 s")
    finally:
        process.terminate()
        process.wait()


with tempfile.TemporaryDirectory() as data_dir:
    once(data_dir)  # the first run creates the store file; measure starts on an existing one too
    samples = sorted(once(data_dir) for _ in range(runs))
size = os.path.getsize(binary)
print(f"binary {binary}: {size / 1e6:.1f} MB")
print(f"cold start to first /healthz 200 over {runs} runs: median {statistics.median(samples):.1f} ms, "
      f"p90 {samples[int(runs * 0.9) - 1]:.1f} ms, min {samples[0]:.1f} ms")
