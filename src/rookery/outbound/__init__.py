"""Outbound HTTP: the single guarded client and what is built on its responses."""

from rookery.outbound.client import (
    AddressNotAllowed,
    BadResponse,
    ConnectionFailed,
    FetchError,
    FetchResult,
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
