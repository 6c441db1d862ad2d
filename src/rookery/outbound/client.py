"""The one outbound HTTP client: every request Rookery makes to the outside world goes here.

The threat is server-side request forgery: a user types a URL (a blog feed, a link to preview)
and makes *our* server fetch it. So:

* only http/https;
* the host is resolved by us, every resolved address is checked, and the TCP connection is
  made to exactly the address that was checked (a custom httpcore network backend), so a DNS
  answer that changes between the check and the connect ("DNS rebinding") cannot slip a
  private address in. TLS still verifies the certificate against the *hostname*, and the Host
  header is the hostname, because httpx never sees the IP;
* redirects are followed by hand and every hop goes through the same checks;
* one deadline covers the whole fetch (DNS, connects, TLS, every read, every redirect), so a
  server dripping one byte a second is cut at ``policy.timeout``, not after one read timeout
  per byte;
* the body is streamed and capped both before and after decompression (gzip bombs), with our
  own bounded zlib decoding instead of httpx's, which inflates a whole chunk at once.

Proxies from the environment are ignored on purpose: a proxy would do the connecting and the
address check would be meaningless.
"""

from __future__ import annotations

import functools
import http
import ipaddress
import re
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

__all__ = [
    "AddressNotAllowed",
    "BadResponse",
    "ConnectionFailed",
    "FetchError",
    "FetchResult",
    "FetchTimeout",
    "HTTPStatusError",
    "HostNotFound",
    "InvalidURL",
    "OutboundPolicy",
    "ResponseTooLarge",
    "TooManyRedirects",
    "UnsupportedScheme",
    "fetch",
    "is_public_address",
]

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Only encodings we can decode with a bounded output; advertising "br" or "zstd" would let
# the server pick a codec whose expansion we cannot cap.
_ACCEPT_ENCODING = "gzip, deflate"
_CHUNK = 64 * 1024
# After IDNA encoding, which httpx has already done. Underscores occur in real hostnames.
_HOSTNAME = re.compile(r"[a-z0-9_](?:[a-z0-9_.-]{0,251}[a-z0-9_.])?", re.IGNORECASE)


@dataclass(frozen=True)
class OutboundPolicy:
    timeout: float = 10.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    allow_private: bool = False
    user_agent: str = "Rookery/0.1 (+https://github.com/rookery)"


@dataclass(frozen=True)
class FetchResult:
    url: str
    status: int
    headers: Mapping[str, str]
    content: bytes
    charset: str | None
    content_type: str | None
    etag: str | None
    last_modified: str | None
    not_modified: bool


class FetchError(Exception):
    """Base of every fetch failure; ``str(error)`` is a short message fit to show a user."""

    @property
    def message(self) -> str:
        return str(self)


class InvalidURL(FetchError):
    def __init__(self, message: str = "invalid URL") -> None:
        super().__init__(message)


class UnsupportedScheme(FetchError):
    def __init__(self, scheme: str) -> None:
        super().__init__(f"unsupported scheme {scheme!r}" if scheme else "unsupported scheme")
        self.scheme = scheme


class AddressNotAllowed(FetchError):
    # The resolved address is kept for logs but not put in the message: echoing which private
    # address an internal name resolves to would let users map the internal network.
    def __init__(self, host: str, address: str) -> None:
        super().__init__("address not allowed")
        self.host = host
        self.address = address


class HostNotFound(FetchError):
    def __init__(self, host: str) -> None:
        super().__init__(f"host not found: {host}")
        self.host = host


class ConnectionFailed(FetchError):
    pass


class FetchTimeout(FetchError):
    def __init__(self, timeout: float) -> None:
        super().__init__(f"timed out after {timeout:g} s")
        self.timeout = timeout


class ResponseTooLarge(FetchError):
    def __init__(self, max_bytes: int) -> None:
        super().__init__(f"response larger than {_human_bytes(max_bytes)}")
        self.max_bytes = max_bytes


class TooManyRedirects(FetchError):
    def __init__(self) -> None:
        super().__init__("too many redirects")


class HTTPStatusError(FetchError):
    def __init__(self, status: int) -> None:
        try:
            phrase = http.HTTPStatus(status).phrase
        except ValueError:
            phrase = "HTTP error"
        # The standard phrase, not the server's: a reason phrase is arbitrary remote text.
        super().__init__(f"{status} {phrase}")
        self.status = status


class BadResponse(FetchError):
    pass


def _human_bytes(n: int) -> str:
    for unit, size in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if n >= size:
            return f"{n / size:g} {unit}"
    return f"{n} bytes"


# --- address policy ---------------------------------------------------------------------------

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def is_public_address(address: str | ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True if ``address`` is a globally routable unicast address we may connect to.

    IPv6 forms that embed an IPv4 address (IPv4-mapped ``::ffff:a.b.c.d``, NAT64, 6to4) are
    judged by the embedded address, since that is where the packets end up.
    """
    if isinstance(address, str):
        try:
            # getaddrinfo may return a zone ("fe80::1%eth0"); ipaddress in 3.11 rejects it.
            ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(
                address.split("%", 1)[0]
            )
        except ValueError:
            return False
    else:
        ip = address
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return is_public_address(embedded)
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


Resolver = Callable[[str, int], list[str]]


def _system_resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses: list[str] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        ip = str(sockaddr[0])
        if ip not in addresses:
            addresses.append(ip)
    return addresses


# Module-level so tests can substitute a fake DNS without touching the real resolver.
resolve: Resolver = _system_resolve


def _resolve_within(host: str, port: int, seconds: float, timeout: float) -> list[str]:
    # getaddrinfo has no timeout of its own and can block for the resolver's full retry
    # cycle; run it in a daemon thread so the fetch deadline holds. A lookup that overruns
    # finishes in the background and is discarded.
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["addresses"] = resolve(host, port)
        except Exception as exc:
            outcome["error"] = exc

    worker = threading.Thread(target=run, name=f"resolve {host}", daemon=True)
    worker.start()
    worker.join(max(seconds, 0.0))
    if worker.is_alive():
        raise FetchTimeout(timeout)
    error = outcome.get("error")
    if error is not None and not isinstance(error, OSError | UnicodeError):
        raise error
    if error is not None or not outcome.get("addresses"):
        raise HostNotFound(host)
    return outcome["addresses"]


# --- network backend: address pinning and the overall deadline --------------------------------


class _Deadline:
    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.end = time.monotonic() + timeout

    def remaining(self) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            raise FetchTimeout(self.timeout)
        return left

    def cap(self, timeout: float | None) -> float:
        left = self.remaining()
        return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, deadline: _Deadline) -> None:
        self._inner = inner
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._deadline.cap(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._deadline.cap(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        inner = self._inner.start_tls(ssl_context, server_hostname, self._deadline.cap(timeout))
        return _DeadlineStream(inner, self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _GuardedBackend(httpcore.NetworkBackend):
    def __init__(self, policy: OutboundPolicy, deadline: _Deadline) -> None:
        self._policy = policy
        self._deadline = deadline
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        # httpcore hands IPv6 literals over without brackets, so host is resolvable as is.
        addresses = _resolve_within(host, port, self._deadline.remaining(), self._deadline.timeout)
        if not self._policy.allow_private:
            # Refuse if *any* answer is private rather than picking a public one: a name that
            # mixes public and private records is either misconfigured or an attack.
            for address in addresses:
                if not is_public_address(address):
                    raise AddressNotAllowed(host, address)
        last_error: Exception | None = None
        for address in addresses[:3]:
            try:
                stream = self._inner.connect_tcp(
                    address,
                    port,
                    timeout=self._deadline.cap(timeout),
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except httpcore.ConnectError as exc:
                # An AAAA record on a host without IPv6 routing is common; try the next one.
                last_error = exc
                continue
            return _DeadlineStream(stream, self._deadline)
        assert last_error is not None
        raise last_error

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        raise ConnectionFailed("unix sockets are not allowed")

    def sleep(self, seconds: float) -> None:
        time.sleep(min(seconds, self._deadline.remaining()))


def _map_httpcore_error(exc: Exception, deadline: _Deadline) -> FetchError:
    if isinstance(exc, FetchError):
        return exc
    if isinstance(exc, httpcore.TimeoutException):
        return FetchTimeout(deadline.timeout)
    if isinstance(exc, httpcore.ConnectError):
        cause = exc.__context__ or exc.__cause__
        if isinstance(cause, ConnectionRefusedError) or "refused" in str(exc).lower():
            return ConnectionFailed("connection refused")
        if isinstance(cause, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY" in str(exc):
            return ConnectionFailed("TLS certificate not valid for this site")
        if isinstance(cause, ssl.SSLError):
            return ConnectionFailed("TLS handshake failed")
        return ConnectionFailed("connection failed")
    if isinstance(exc, httpcore.ReadError | httpcore.WriteError):
        return ConnectionFailed("connection closed by the server")
    if isinstance(exc, httpcore.ProtocolError):
        return BadResponse("invalid HTTP response")
    return ConnectionFailed("connection failed")


class _GuardedResponseStream(httpx.SyncByteStream):
    def __init__(self, inner: Iterable[bytes], deadline: _Deadline) -> None:
        self._inner = inner
        self._deadline = deadline

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self._inner
        except (httpcore.TimeoutException, httpcore.NetworkError, httpcore.ProtocolError) as exc:
            raise _map_httpcore_error(exc, self._deadline) from exc

    def close(self) -> None:
        close = getattr(self._inner, "close", None)
        if close is not None:
            close()


@functools.cache
def _default_ssl_context() -> ssl.SSLContext:
    # Loading the CA bundle costs ~20 ms of CPU, most of a small fetch; contexts are safe to
    # share between threads, so every fetch in a process reuses one.
    return httpx.create_ssl_context()


def ssl_context() -> ssl.SSLContext:
    # A function so tests can trust a local certificate authority.
    return _default_ssl_context()


class _GuardedTransport(httpx.BaseTransport):
    """httpx transport over an httpcore pool whose every connection goes through the guard.

    Mirrors ``httpx.HTTPTransport.handle_request``; httpx offers no public way to give its own
    transport a network backend.
    """

    def __init__(self, policy: OutboundPolicy, deadline: _Deadline) -> None:
        self._deadline = deadline
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context(),
            max_connections=4,
            http1=True,
            http2=False,
            network_backend=_GuardedBackend(policy, deadline),
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.SyncByteStream)
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        try:
            response = self._pool.handle_request(core_request)
        except (httpcore.TimeoutException, httpcore.NetworkError, httpcore.ProtocolError) as exc:
            raise _map_httpcore_error(exc, self._deadline) from exc
        except (httpcore.UnsupportedProtocol, httpcore.LocalProtocolError) as exc:
            raise InvalidURL() from exc
        assert isinstance(response.stream, Iterable)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_GuardedResponseStream(response.stream, self._deadline),
            extensions=response.extensions,
        )

    def close(self) -> None:
        self._pool.close()


# --- bounded decoding -------------------------------------------------------------------------


class _BoundedInflater:
    """zlib inflation that never produces more than ``limit`` bytes in total."""

    def __init__(self, encoding: str, limit: int) -> None:
        self._encoding = encoding
        self._limit = limit
        self._produced = 0
        # 16+MAX_WBITS: gzip framing; MAX_WBITS: zlib framing ("deflate" as the RFC says).
        self._wbits = 16 + zlib.MAX_WBITS if encoding == "gzip" else zlib.MAX_WBITS
        self._inflater = zlib.decompressobj(self._wbits)
        self._started = False

    def feed(self, data: bytes) -> bytes:
        out: list[bytes] = []
        while data:
            room = self._limit - self._produced + 1
            try:
                chunk = self._inflater.decompress(data, room)
            except zlib.error as exc:
                if self._encoding == "deflate" and not self._started:
                    # Some servers send raw deflate without the zlib header for "deflate".
                    self._wbits = -zlib.MAX_WBITS
                    self._inflater = zlib.decompressobj(self._wbits)
                    self._started = True
                    continue
                raise BadResponse(f"invalid {self._encoding} data") from exc
            self._started = True
            self._produced += len(chunk)
            if self._produced > self._limit:
                raise ResponseTooLarge(self._limit)
            out.append(chunk)
            if self._inflater.unconsumed_tail:
                data = self._inflater.unconsumed_tail
            elif self._inflater.eof and self._inflater.unused_data:
                # Concatenated gzip members are one valid body.
                data = self._inflater.unused_data
                self._inflater = zlib.decompressobj(self._wbits)
            else:
                data = b""
        return b"".join(out)


def _read_body(response: httpx.Response, policy: OutboundPolicy) -> bytes:
    encodings = [
        value.strip().lower()
        for value in response.headers.get("content-encoding", "").split(",")
        if value.strip() and value.strip().lower() != "identity"
    ]
    decoders: list[_BoundedInflater] = []
    # Codings are listed in the order applied, so undo them last-first.
    for encoding in reversed(encodings):
        if encoding in {"gzip", "x-gzip"}:
            decoders.append(_BoundedInflater("gzip", policy.max_bytes))
        elif encoding == "deflate":
            decoders.append(_BoundedInflater("deflate", policy.max_bytes))
        else:
            raise BadResponse(f"unsupported content encoding {encoding!r}")

    raw_size = 0
    body = bytearray()
    for raw in response.iter_raw(_CHUNK):
        raw_size += len(raw)
        if raw_size > policy.max_bytes:
            raise ResponseTooLarge(policy.max_bytes)
        data = raw
        for decoder in decoders:
            data = decoder.feed(data)
        body += data
        if len(body) > policy.max_bytes:
            raise ResponseTooLarge(policy.max_bytes)
    return bytes(body)


# --- fetch ------------------------------------------------------------------------------------


def _check_url(url: httpx.URL | str) -> httpx.URL:
    try:
        parsed = httpx.URL(url) if isinstance(url, str) else url
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise InvalidURL() from exc
    if parsed.scheme not in {"http", "https"}:
        raise UnsupportedScheme(parsed.scheme)
    host = parsed.host
    # httpx percent-encodes what it cannot parse ("exa mple.com" -> "exa%20mple.com") rather
    # than refusing it; anything but a DNS name or an IP literal is a typo, not a host.
    if not host or not (_HOSTNAME.fullmatch(host) or _is_ip_literal(host)):
        raise InvalidURL()
    return parsed


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def fetch(
    url: str,
    *,
    policy: OutboundPolicy,
    headers: Mapping[str, str] | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    accept: str | None = None,
) -> FetchResult:
    """GET ``url`` under ``policy``; raises a ``FetchError`` subclass on any failure.

    A 304 answer to the conditional headers is not an error: it returns ``not_modified=True``
    with an empty body, and the etag/last-modified passed in when the server omits them, so a
    caller can always store what it gets back.
    """
    current = _check_url(url)
    deadline = _Deadline(policy.timeout)

    request_headers: dict[str, str] = {
        "User-Agent": policy.user_agent,
        "Accept-Encoding": _ACCEPT_ENCODING,
        "Accept": accept or "*/*",
    }
    if etag:
        request_headers["If-None-Match"] = etag
    if last_modified:
        request_headers["If-Modified-Since"] = last_modified
    if headers:
        request_headers.update(headers)
    first_origin = (current.scheme, current.host, current.port)

    transport = _GuardedTransport(policy, deadline)
    with httpx.Client(
        transport=transport,
        trust_env=False,
        follow_redirects=False,
        timeout=httpx.Timeout(policy.timeout),
    ) as client:
        redirects = 0
        while True:
            deadline.remaining()
            hop_headers = dict(request_headers)
            if (current.scheme, current.host, current.port) != first_origin:
                # Credentials the caller meant for one site must not follow a redirect away.
                for name in list(hop_headers):
                    if name.lower() in {"authorization", "cookie"}:
                        del hop_headers[name]
            try:
                request = client.build_request("GET", current, headers=hop_headers)
                response = client.send(request, stream=True)
            except FetchError:
                raise
            except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
                raise InvalidURL() from exc
            try:
                status = response.status_code
                if status in _REDIRECT_STATUSES:
                    location = response.headers.get("location")
                    if not location:
                        raise HTTPStatusError(status)
                    redirects += 1
                    if redirects > policy.max_redirects:
                        raise TooManyRedirects()
                    try:
                        target = current.join(location)
                    except (httpx.InvalidURL, ValueError) as exc:
                        raise InvalidURL("invalid redirect URL") from exc
                    current = _check_url(target)
                    continue
                if status == 304:
                    return _result(
                        response, current, b"", not_modified=True, etag=etag, lm=last_modified
                    )
                if not 200 <= status < 300:
                    raise HTTPStatusError(status)
                declared = response.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > policy.max_bytes:
                    raise ResponseTooLarge(policy.max_bytes)
                body = _read_body(response, policy)
                return _result(response, current, body, not_modified=False, etag=None, lm=None)
            finally:
                response.close()


def _result(
    response: httpx.Response,
    url: httpx.URL,
    content: bytes,
    *,
    not_modified: bool,
    etag: str | None,
    lm: str | None,
) -> FetchResult:
    headers = {name.lower(): value for name, value in response.headers.items()}
    content_type = headers.get("content-type")
    media_type = content_type.split(";", 1)[0].strip().lower() if content_type else None
    return FetchResult(
        url=str(url),
        status=response.status_code,
        headers=headers,
        content=content,
        charset=response.charset_encoding,
        content_type=media_type or None,
        etag=headers.get("etag") or etag,
        last_modified=headers.get("last-modified") or lm,
        not_modified=not_modified,
    )
