"""The NetBox client is bounded: a `next` link that loops or leaves NetBox's host stops the
read with an error, and the token is never sent to another host. Real pynetbox against small
HTTP servers on loopback addresses this test starts and stops."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from superpod_iac.netbox.desired import DesiredState
from superpod_iac.netbox.read import Live, NetBoxError, connect


class Server:
    """A loopback HTTP server answering like NetBox's API, with `next` set by the test."""

    def __init__(self, host: str) -> None:
        self.next_url: str | None = None
        self.seen: list[tuple[str, str | None]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.seen.append((self.path, self.headers.get("Authorization")))
                if self.path.startswith("/api/status"):
                    body: dict[str, Any] = {"netbox-version": "4.7.3"}
                else:
                    body = {"count": 1000, "next": outer.next_url, "previous": None,
                            "results": [{"id": 1, "name": "a", "slug": "a"}]}
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("API-Version", "4.7")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.url = f"http://{host}:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)


@pytest.fixture
def servers() -> Iterator[tuple[Server, Server]]:
    a, b = Server("127.0.0.1"), Server("127.0.0.2")
    try:
        yield a, b
    finally:
        a.close()
        b.close()


def test_a_next_link_to_itself_stops_the_read(servers: tuple[Server, Server]) -> None:
    nb, _ = servers
    nb.next_url = f"{nb.url}/api/extras/tags/?limit=1&offset=1"
    live = Live(connect(nb.url, "secret-token"), DesiredState("pod"))
    with pytest.raises(NetBoxError, match="pagination loops"):
        live.load("tags")
    assert len(nb.seen) < 10


def test_the_token_never_goes_to_another_host(servers: tuple[Server, Server]) -> None:
    nb, other = servers
    nb.next_url = f"{other.url}/api/extras/tags/?limit=1&offset=1"
    live = Live(connect(nb.url, "secret-token"), DesiredState("pod"))
    with pytest.raises(NetBoxError, match="refused"):
        live.load("tags")
    assert other.seen == []  # not a single request, so no token
    assert all(auth and "secret-token" in auth for _, auth in nb.seen)
