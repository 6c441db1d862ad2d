"""The outbound client against a real HTTP server on 127.0.0.1.

Nothing here sends a packet beyond loopback: refusals of other private ranges are checked on
the address function directly, and redirect refusals point at 127.0.0.2 / [::1] so that even a
broken guard would only reach this machine.
"""

from __future__ import annotations

import gzip
import socket
import threading
import time
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from rookery.outbound import client as client_module
from rookery.outbound.client import (
    AddressNotAllowed,
    ConnectionFailed,
    FetchTimeout,
    HostNotFound,
    HTTPStatusError,
    InvalidURL,
    OutboundPolicy,
    ResponseTooLarge,
    TooManyRedirects,
    UnsupportedScheme,
    fetch,
    is_public_address,
)

LOCAL = OutboundPolicy(timeout=5.0, allow_private=True)
PAGE = b"<html><head><title>Hello</title></head><body>hi</body></html>"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_body(
        self, body: bytes, *, status: int = 200, ctype: str = "text/html; charset=utf-8", **h: str
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for name, value in h.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, location: str, status: int = 302) -> None:
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        route = getattr(self, "route_" + parts.path.strip("/").replace("-", "_"), None)
        if route is None:
            self.send_body(b"nope", status=404)
        else:
            route(query)

    def route_ok(self, q: dict[str, str]) -> None:
        self.send_body(PAGE)

    def route_echo(self, q: dict[str, str]) -> None:
        lines = [f"{k.lower()}: {v}" for k, v in self.headers.items()]
        self.send_body("\n".join(lines).encode(), ctype="text/plain")

    def route_etag(self, q: dict[str, str]) -> None:
        if self.headers.get("If-None-Match") == '"v1"':
            self.send_response(304)
            self.send_header("ETag", '"v1"')
            self.end_headers()
        else:
            self.send_body(PAGE, ETag='"v1"', Last_Modified="Tue, 01 Oct 2024 10:00:00 GMT")

    def route_lastmod(self, q: dict[str, str]) -> None:
        # A 304 without validators: the client should hand back what the caller sent.
        if self.headers.get("If-Modified-Since"):
            self.send_response(304)
            self.end_headers()
        else:
            self.send_body(PAGE, Last_Modified="Tue, 01 Oct 2024 10:00:00 GMT")

    def route_gzip(self, q: dict[str, str]) -> None:
        self.send_body(gzip.compress(PAGE), Content_Encoding="gzip")

    def route_deflate(self, q: dict[str, str]) -> None:
        self.send_body(zlib.compress(PAGE), Content_Encoding="deflate")

    def route_bomb(self, q: dict[str, str]) -> None:
        # 50 MB of zeros compresses to ~50 kB, well under the raw cap.
        self.send_body(gzip.compress(b"\0" * 50_000_000, 9), Content_Encoding="gzip")

    def route_huge(self, q: dict[str, str]) -> None:
        # Chunked: no Content-Length to reject up front, so the streaming cap must act.
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        block = b"x" * 65536
        try:
            for _ in range(400):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(block), block))
            self.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass

    def route_declared_huge(self, q: dict[str, str]) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "999999999")
        self.end_headers()

    def route_loop(self, q: dict[str, str]) -> None:
        self.redirect("/loop")

    def route_hops(self, q: dict[str, str]) -> None:
        n = int(q.get("n", "0"))
        self.redirect(f"/hops?n={n - 1}" if n > 1 else "/ok", status=301)

    def route_to(self, q: dict[str, str]) -> None:
        self.redirect(q["url"])

    def route_drip(self, q: dict[str, str]) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "1000")
        self.end_headers()
        try:
            for _ in range(100):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.1)
        except OSError:
            pass

    def route_stall(self, q: dict[str, str]) -> None:
        time.sleep(3)
        self.send_body(PAGE)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def loopback_is_public(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pretend 127.0.0.1 is a public address, so redirect refusals can be tested end to end."""
    real = client_module.is_public_address
    monkeypatch.setattr(
        client_module, "is_public_address", lambda a: str(a) == "127.0.0.1" or real(a)
    )


def test_fetches_a_page(server: str) -> None:
    result = fetch(f"{server}/ok", policy=LOCAL)
    assert result.status == 200
    assert result.content == PAGE
    assert result.charset == "utf-8"
    assert result.content_type == "text/html"
    assert result.url == f"{server}/ok"
    assert not result.not_modified


def test_sends_user_agent_accept_and_extra_headers(server: str) -> None:
    policy = OutboundPolicy(allow_private=True, user_agent="RookeryTest/1")
    result = fetch(
        f"{server}/echo", policy=policy, accept="application/rss+xml", headers={"X-Probe": "1"}
    )
    text = result.content.decode()
    assert "user-agent: RookeryTest/1" in text
    assert "accept: application/rss+xml" in text
    assert "x-probe: 1" in text
    assert "accept-encoding: gzip, deflate" in text


def test_404_is_a_readable_error(server: str) -> None:
    with pytest.raises(HTTPStatusError) as caught:
        fetch(f"{server}/missing", policy=LOCAL)
    assert str(caught.value) == "404 Not Found"
    assert caught.value.status == 404


def test_conditional_get_with_etag_returns_not_modified(server: str) -> None:
    first = fetch(f"{server}/etag", policy=LOCAL)
    assert first.etag == '"v1"'
    assert first.last_modified == "Tue, 01 Oct 2024 10:00:00 GMT"
    second = fetch(f"{server}/etag", policy=LOCAL, etag=first.etag)
    assert second.not_modified
    assert second.status == 304
    assert second.content == b""
    assert second.etag == '"v1"'


def test_not_modified_without_validators_keeps_the_callers(server: str) -> None:
    lm = "Tue, 01 Oct 2024 10:00:00 GMT"
    result = fetch(f"{server}/lastmod", policy=LOCAL, last_modified=lm, etag='"old"')
    assert result.not_modified
    assert result.last_modified == lm
    assert result.etag == '"old"'


@pytest.mark.parametrize("path", ["/gzip", "/deflate"])
def test_compressed_bodies_are_decoded(server: str, path: str) -> None:
    assert fetch(server + path, policy=LOCAL).content == PAGE


def test_gzip_bomb_is_cut_at_the_decoded_cap(server: str) -> None:
    policy = OutboundPolicy(allow_private=True, max_bytes=1_000_000)
    with pytest.raises(ResponseTooLarge) as caught:
        fetch(f"{server}/bomb", policy=policy)
    assert str(caught.value) == "response larger than 1 MB"


def test_streamed_body_is_cut_at_the_cap(server: str) -> None:
    with pytest.raises(ResponseTooLarge) as caught:
        fetch(f"{server}/huge", policy=LOCAL)
    assert str(caught.value) == "response larger than 5 MB"


def test_declared_length_over_the_cap_is_refused_before_reading(server: str) -> None:
    with pytest.raises(ResponseTooLarge):
        fetch(f"{server}/declared-huge", policy=LOCAL)


def test_redirects_are_followed_and_final_url_reported(server: str) -> None:
    result = fetch(f"{server}/hops?n=3", policy=LOCAL)
    assert result.content == PAGE
    assert result.url == f"{server}/ok"


def test_redirect_loop_is_too_many_redirects(server: str) -> None:
    with pytest.raises(TooManyRedirects) as caught:
        fetch(f"{server}/loop", policy=LOCAL)
    assert str(caught.value) == "too many redirects"


def test_max_redirects_is_exact(server: str) -> None:
    policy = OutboundPolicy(allow_private=True, max_redirects=2)
    assert fetch(f"{server}/hops?n=2", policy=policy).status == 200
    with pytest.raises(TooManyRedirects):
        fetch(f"{server}/hops?n=3", policy=policy)


def test_redirect_to_another_scheme_is_refused(server: str) -> None:
    with pytest.raises(UnsupportedScheme):
        fetch(f"{server}/to?url=file:///etc/passwd", policy=LOCAL)


@pytest.mark.usefixtures("loopback_is_public")
@pytest.mark.parametrize("target", ["http://127.0.0.2:{port}/ok", "http://[::1]:{port}/ok"])
def test_redirect_to_a_private_address_is_refused(server: str, target: str) -> None:
    port = server.rsplit(":", 1)[1]
    strict = OutboundPolicy(timeout=5.0)
    # The first hop passes the (patched) check, so the refusal must come from the redirect.
    assert fetch(f"{server}/ok", policy=strict).status == 200
    with pytest.raises(AddressNotAllowed) as caught:
        fetch(f"{server}/to?url=" + target.format(port=port), policy=strict)
    assert str(caught.value) == "address not allowed"


def test_loopback_is_refused_by_default(server: str) -> None:
    with pytest.raises(AddressNotAllowed):
        fetch(f"{server}/ok", policy=OutboundPolicy())


def test_ipv6_loopback_literal_is_refused() -> None:
    with pytest.raises(AddressNotAllowed):
        fetch("http://[::1]:9/", policy=OutboundPolicy())


def test_connection_pins_the_checked_address_and_keeps_the_host_header(
    server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = server.rsplit(":", 1)[1]
    lookups: list[str] = []

    def fake_dns(host: str, p: int) -> list[str]:
        lookups.append(host)
        # A rebinding DNS: the first answer passes, later answers would not.
        return ["127.0.0.1"] if len(lookups) == 1 else ["10.0.0.1"]

    real_getaddrinfo = socket.getaddrinfo

    def numeric_only(host: object, *args: object, **kwargs: object) -> object:
        assert host != "blog.example", "the OS resolver must not see the name again"
        return real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(client_module, "resolve", fake_dns)
    monkeypatch.setattr(socket, "getaddrinfo", numeric_only)
    monkeypatch.setattr(
        client_module,
        "is_public_address",
        lambda a: str(a) == "127.0.0.1",
    )
    result = fetch(f"http://blog.example:{port}/echo", policy=OutboundPolicy(timeout=5.0))
    assert f"host: blog.example:{port}" in result.content.decode()
    assert lookups == ["blog.example"]


def test_slow_drip_is_cut_at_the_total_deadline(server: str) -> None:
    policy = OutboundPolicy(allow_private=True, timeout=1.0)
    started = time.monotonic()
    with pytest.raises(FetchTimeout) as caught:
        fetch(f"{server}/drip", policy=policy)
    assert time.monotonic() - started < 2.5
    assert str(caught.value) == "timed out after 1 s"


def test_server_that_never_answers_times_out(server: str) -> None:
    policy = OutboundPolicy(allow_private=True, timeout=0.5)
    started = time.monotonic()
    with pytest.raises(FetchTimeout):
        fetch(f"{server}/stall", policy=policy)
    assert time.monotonic() - started < 2.0


def test_slow_dns_counts_against_the_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    def slow_dns(host: str, port: int) -> list[str]:
        time.sleep(2)
        return ["127.0.0.1"]

    monkeypatch.setattr(client_module, "resolve", slow_dns)
    started = time.monotonic()
    with pytest.raises(FetchTimeout):
        fetch("http://slow.example/", policy=OutboundPolicy(allow_private=True, timeout=0.3))
    assert time.monotonic() - started < 1.5


def test_connection_refused() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(ConnectionFailed) as caught:
        fetch(f"http://127.0.0.1:{port}/", policy=LOCAL)
    assert str(caught.value) == "connection refused"


@pytest.mark.parametrize(
    ("url", "error", "message"),
    [
        ("ftp://example.com/feed", UnsupportedScheme, "unsupported scheme 'ftp'"),
        ("file:///etc/passwd", UnsupportedScheme, "unsupported scheme 'file'"),
        ("javascript:alert(1)", UnsupportedScheme, "unsupported scheme 'javascript'"),
        ("not a url", UnsupportedScheme, "unsupported scheme"),
        ("http://", InvalidURL, "invalid URL"),
        ("http://exa mple.com/", InvalidURL, "invalid URL"),
    ],
)
def test_bad_urls_are_refused_before_any_network(
    url: str, error: type[Exception], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_dns(host: str, port: int) -> list[str]:
        raise AssertionError("must not resolve")

    monkeypatch.setattr(client_module, "resolve", no_dns)
    with pytest.raises(error) as caught:
        fetch(url, policy=OutboundPolicy())
    assert str(caught.value) == message


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.255.255.254",
        "10.0.0.1",
        "10.255.255.255",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fe80::1%eth0",
        "fc00::1",
        "fd12:3456::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "64:ff9b::7f00:1",
        "2002:7f00:1::",
        "::127.0.0.1",
        "not an address",
    ],
)
def test_non_public_addresses_are_refused(address: str) -> None:
    assert not is_public_address(address)


@pytest.mark.parametrize(
    "address", ["93.184.215.14", "1.1.1.1", "2606:4700:4700::1111", "::ffff:93.184.215.14"]
)
def test_public_addresses_are_allowed(address: str) -> None:
    assert is_public_address(address)


def test_policy_is_frozen() -> None:
    policy = OutboundPolicy()
    with pytest.raises(AttributeError):
        policy.timeout = 1  # type: ignore[misc]
    assert (policy.timeout, policy.max_bytes, policy.max_redirects, policy.allow_private) == (
        10.0,
        5_000_000,
        5,
        False,
    )


def test_unknown_host_is_host_not_found(monkeypatch: pytest.MonkeyPatch) -> None:
    def nxdomain(host: str, port: int) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(client_module, "resolve", nxdomain)
    with pytest.raises(HostNotFound) as caught:
        fetch("https://no-such-host.example/", policy=OutboundPolicy())
    assert str(caught.value) == "host not found: no-such-host.example"


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """HTTPS on 127.0.0.1 with a self-signed certificate that no trust store accepts."""
    import datetime
    import ipaddress
    import ssl

    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("blog.example")]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    httpd.socket = context.wrap_socket(
        httpd.socket, server_side=True, do_handshake_on_connect=False
    )
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{httpd.server_address[1]}", str(folder / "cert.pem")
    httpd.shutdown()
    httpd.server_close()


def test_untrusted_certificate_is_refused(tls_server: tuple[str, str]) -> None:
    # Also exercises the TLS upgrade through the deadline-enforcing stream wrapper.
    with pytest.raises(ConnectionFailed) as caught:
        fetch(f"{tls_server[0]}/ok", policy=LOCAL)
    assert str(caught.value) == "TLS certificate not valid for this site"


def test_tls_verifies_the_hostname_while_connecting_to_the_pinned_address(
    tls_server: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import ssl

    url, cert_file = tls_server
    port = url.rsplit(":", 1)[1]
    monkeypatch.setattr(
        client_module, "ssl_context", lambda: ssl.create_default_context(cafile=cert_file)
    )
    monkeypatch.setattr(client_module, "resolve", lambda host, p: ["127.0.0.1"])
    # The certificate names blog.example: SNI and verification use the name, not the IP.
    result = fetch(f"https://blog.example:{port}/ok", policy=LOCAL)
    assert result.content == PAGE
    assert result.url == f"https://blog.example:{port}/ok"
    # ... and a name the certificate does not carry fails, though the address is the same.
    with pytest.raises(ConnectionFailed, match="TLS certificate not valid"):
        fetch(f"https://other.example:{port}/ok", policy=LOCAL)
