"""Where a webhook may point: public HTTPS hosts only, checked after DNS resolution.

A webhook URL is chosen by whoever adds a sink, and the server then POSTs to it on its own:
pointed at the cloud metadata service, a database on loopback or an admin page on the internal
network, that is a server-side request forgery. So the host is resolved and every address it
resolves to must be public, both when the sink is added and before every delivery (a name can
be re-pointed after it was checked), and the request goes to the address that was checked (the
connection is pinned to it; TLS still verifies the certificate against the host name).
Redirects are never followed. Plain ``http://`` needs ``allow_insecure``; private, loopback and
shared (CGNAT) addresses need ``allow_private``, for receivers on the internal network. No
flag opens link-local, metadata, multicast, unspecified or reserved addresses.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from sanctrace.errors import SanctraceError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
#: ``host, port -> the addresses it resolves to`` (replaced in tests).
Resolver = Callable[[str, int], list[str]]

#: Cloud metadata services outside the link-local range (Alibaba Cloud, AWS over IPv6).
METADATA = frozenset(
    {ipaddress.ip_address("100.100.100.200"), ipaddress.ip_address("fd00:ec2::254")}
)
#: Private-use ranges a receiver on the internal network may have (with ``allow_private``).
_SHARED = ipaddress.ip_network("100.64.0.0/10")


class UnsafeTarget(SanctraceError):
    """A webhook URL the server must not send to."""


@dataclass(frozen=True)
class Policy:
    """What a sink's owner explicitly allowed beyond public HTTPS."""

    allow_insecure: bool = False
    allow_private: bool = False


@dataclass(frozen=True)
class Pinned:
    """A checked URL and the address the request must go to."""

    url: httpx.URL
    address: str

    def request_url(self) -> httpx.URL:
        """The URL with its host replaced by the checked address."""
        return self.url.copy_with(host=self.address)

    def host_header(self) -> str:
        port = self.url.port
        host = self.url.host if ":" not in self.url.host else f"[{self.url.host}]"
        return host if port is None else f"{host}:{port}"


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for ``host`` (numeric forms such as
    ``0x7f000001`` are resolved the way the HTTP client would connect to them)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeTarget(f"cannot resolve webhook host {host!r}: {exc}") from None
    return sorted({str(info[4][0]) for info in infos})


def _embedded(address: IPAddress) -> IPAddress:
    """The IPv4 address inside an IPv4-mapped, NAT64, 6to4 or Teredo IPv6 address, else itself."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address in ipaddress.ip_network("64:ff9b::/96"):
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if address.sixtofour is not None:
            return address.sixtofour
        if address.teredo is not None:
            return address.teredo[1]
    return address


def address_refusal(text: str, policy: Policy) -> str | None:
    """Why the server must not connect to ``text``, or None."""
    try:
        address: IPAddress = _embedded(ipaddress.ip_address(text.split("%", 1)[0]))
    except ValueError:
        return f"{text} is not an IP address"
    if address in METADATA or address.is_link_local:
        return f"{address} is a link-local or cloud-metadata address"
    if address.is_unspecified or address.is_multicast or address.is_reserved:
        return f"{address} is not a unicast host address"
    if address.is_global:
        return None
    if address.is_loopback or address.is_private or address in _SHARED:
        if policy.allow_private:
            return None
        return f"{address} is a loopback or private-network address (allow it with --allow-private)"
    return f"{address} is not a public address"


def parse_url(url: str, policy: Policy) -> httpx.URL:
    """The URL if its form is acceptable (scheme, host, no credentials), else UnsafeTarget."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise UnsafeTarget(f"webhook URL {url!r} is not valid: {exc}") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise UnsafeTarget(f"webhook URL {url!r} must be https:// with a host")
    if parsed.scheme == "http" and not policy.allow_insecure:
        raise UnsafeTarget(
            f"webhook URL {url!r} is plain http: alerts and their signatures would cross the "
            "network unencrypted; use https://, or add the sink with --allow-insecure"
        )
    if parsed.userinfo:
        raise UnsafeTarget(f"webhook URL {url!r} carries credentials: sign with --secret-env")
    return parsed


def pin(url: str, policy: Policy, resolve: Resolver = system_resolver) -> Pinned:
    """Check ``url`` and every address its host resolves to; the first address to send to."""
    parsed = parse_url(url, policy)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    addresses = resolve(parsed.host, port)
    if not addresses:
        raise UnsafeTarget(f"webhook host {parsed.host!r} resolves to no address")
    for address in addresses:
        refusal = address_refusal(address, policy)
        if refusal is not None:
            raise UnsafeTarget(f"webhook URL {url!r} is refused: {parsed.host} -> {refusal}")
    return Pinned(parsed, addresses[0])
