"""A small HTTP file server for tests, with byte ranges and injected faults.

Run as a script: ``python tests/helpers_http.py ROOT [--cut-after N] [--length-delta D]``. It
binds 127.0.0.1 on a free port and prints ``PORT <n>`` on its first line of output.

* ``--cut-after N``: each response drops the connection after N body bytes.
* ``--length-delta D``: announce a Content-Length D bytes off the truth (a lying server).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def make_handler(root: Path, cut_after: int | None, length_delta: int) -> type:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

        def do_GET(self) -> None:  # noqa: N802
            path = root / self.path.lstrip("/").split("?")[0].split("/")[-1]
            if not path.is_file():
                body = b"not found"
                self.send_response(404)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            data = path.read_bytes()
            start = 0
            match = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range", ""))
            if match:
                start = int(match.group(1))
                if start >= len(data):
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{len(data)}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(206)
                self.send_header("Content-Range",
                                 f"bytes {start}-{len(data) - 1}/{len(data) + length_delta}")
            else:
                self.send_response(200)
            body = data[start:]
            self.send_header("Content-Length", str(len(body) + length_delta))
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("Connection", "close")
            self.end_headers()
            if cut_after is not None and len(body) > cut_after:
                self.wfile.write(body[:cut_after])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(body)
            self.close_connection = True

    return Handler


def start(root: Path, *args: str) -> tuple[subprocess.Popen[str], int]:
    """Start the server as a subprocess; return it and its port (stop: tests.servers.stop)."""
    proc = subprocess.Popen([sys.executable, __file__, str(root), *args],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("PORT "):
        proc.kill()
        raise RuntimeError(f"test server did not start: {line!r}")
    return proc, int(line.split()[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("root", type=Path)
    parser.add_argument("--cut-after", type=int, default=None)
    parser.add_argument("--length-delta", type=int, default=0)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 make_handler(args.root, args.cut_after, args.length_delta))
    print(f"PORT {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
