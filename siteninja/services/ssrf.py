"""Where a webhook may point: URL rules and address checks against SSRF, with one resolution.

``requests-hardened`` blocks private and loopback addresses (plus CGNAT, NAT64, 6to4 and other
special ranges) but checks only the first address a name resolves to, knows no metadata host
names, and cannot allow private networks without switching the filter off. The rules it lacks
live here; its ranges are reused as they are.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from urllib.parse import urlsplit

from requests_hardened.ip_filter import EXTRA_BLOCKED_NET_RANGES

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

MAX_URL_LENGTH = 2048
METADATA_HOSTS = frozenset(
    {"metadata", "metadata.google.internal", "metadata.goog", "instance-data", "instance-data.ec2.internal"}
)
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(address)
    for address in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean
        "169.254.170.2",  # AWS ECS task metadata
        "169.254.169.253",  # AWS DNS
        "100.100.100.200",  # Alibaba Cloud
        "192.0.0.192",  # Oracle Cloud
        "fd00:ec2::254",  # AWS over IPv6
    )
)
NAT64_PREFIXES = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
# The forms of an IPv4 address that inet_aton (and so a C resolver) accepts: 1-4 parts,
# each decimal, octal (leading 0) or hexadecimal (0x).
NUMERIC_HOST = re.compile(r"(?:0x[0-9a-f]*|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]+)){0,3}")
SPECIAL_RANGES = (
    *EXTRA_BLOCKED_NET_RANGES,
    ipaddress.ip_network("fec0::/10"),  # deprecated IPv6 site-local
    IPV4_COMPATIBLE,
)
# Whitespace, control characters and backslashes are read differently by different URL parsers.
UNSAFE_CHARACTERS = re.compile(r"[\x00-\x20\x7f\\]")

_resolver = ThreadPoolExecutor(max_workers=4, thread_name_prefix="siteninja-dns")


class UnsafeUrl(ValueError):
    """The URL may not be called: its message says why, naming no secret part of it."""


class Unresolvable(OSError):
    """The host name did not resolve (now); whether that is fatal depends on the caller."""


@dataclass(frozen=True)
class Target:
    """A checked destination: connect to ``address``, but speak to ``host``."""

    scheme: str
    host: str
    port: int
    path: str
    address: IPAddress | None = None

    @property
    def host_header(self) -> str:
        """The Host header the receiver expects (the port only when it is not the default)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"

    @property
    def pinned_url(self) -> str:
        """The URL with the checked address in place of the host name."""
        assert self.address is not None, "resolve the target first"
        address = f"[{self.address}]" if self.address.version == 6 else str(self.address)
        return f"{self.scheme}://{address}:{self.port}{self.path}"


def parse(url: str, *, allow_http: bool) -> Target:
    """Check the URL's form (scheme, no credentials, a host, a port) without resolving anything."""
    if len(url) > MAX_URL_LENGTH:
        raise UnsafeUrl(f"Must be at most {MAX_URL_LENGTH} characters")
    if UNSAFE_CHARACTERS.search(url):
        raise UnsafeUrl("Must not contain spaces, control characters or backslashes")
    parts = urlsplit(url)
    schemes = ("https", "http") if allow_http else ("https",)
    if parts.scheme.lower() not in schemes:
        raise UnsafeUrl("Must be an https:// URL" if not allow_http else "Must be an http(s):// URL")
    if "@" in parts.netloc:
        raise UnsafeUrl("Must not contain credentials")
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
        host = _normalize_host(parts.hostname or "")
    except (ValueError, UnicodeError) as exc:
        raise UnsafeUrl("Must have a valid host and port") from exc
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(scheme=parts.scheme.lower(), host=host, port=port, path=path)


def _normalize_host(host: str) -> str:
    host = host.rstrip(".").lower()
    if not host:
        raise ValueError("no host")
    if ":" in host:  # an IPv6 literal: urlsplit has removed its brackets
        return host
    return host.encode("idna").decode("ascii")


def literal_address(host: str) -> IPAddress | None:
    """The address a host written as a number stands for, in any form a C resolver accepts
    (``127.0.0.1``, ``2130706433``, ``0x7f000001``, ``0177.0.0.1``, ``::1``), else None."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if NUMERIC_HOST.fullmatch(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError as exc:
            raise UnsafeUrl(f"{host} is not a valid IP address") from exc
    return None


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, compatible, 6to4, NAT64), if any."""
    if address.version == 4:
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    translated = any(address in prefix for prefix in NAT64_PREFIXES)
    if translated or (address in IPV4_COMPATIBLE and int(address) > 1):
        return ipaddress.IPv4Address(address.packed[-4:])
    return None


def address_problem(address: IPAddress, *, allow_private: bool) -> str | None:
    """Why a webhook may not connect to ``address`` (e.g. ``"loopback"``), or None when it may."""
    inner = embedded_ipv4(address)
    if inner is not None:
        problem = address_problem(inner, allow_private=allow_private)
        if problem:
            return problem
    if address in METADATA_ADDRESSES:
        return "cloud metadata"
    if address.is_unspecified:
        return "unspecified"
    if address.is_multicast:
        return "multicast"
    if allow_private:
        return None
    return _private_kind(address)


def _private_kind(address: IPAddress) -> str | None:
    checks = (
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
        ("special-purpose", any(address in network for network in SPECIAL_RANGES)),
        ("non-global", not address.is_global),
    )
    return next((name for name, matched in checks if matched), None)


def host_problem(host: str, *, allow_private: bool) -> str | None:
    """Why a host name may not be called before it is even resolved, or None."""
    if host in METADATA_HOSTS:
        return "a cloud metadata host"
    if not allow_private and (host == "localhost" or host.endswith(".localhost")):
        return "a loopback host"
    return None


def resolve(host: str, port: int, *, timeout: float) -> list[IPAddress]:
    """Every address ``host`` resolves to (the one DNS lookup of a check), within ``timeout``."""
    future = _resolver.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    try:
        infos = future.result(timeout=timeout)
    except FutureTimeout as exc:
        raise Unresolvable(f"Resolving {host} timed out") from exc
    except (OSError, UnicodeError) as exc:
        raise Unresolvable(f"{host} did not resolve") from exc
    addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos))
    if not addresses:
        raise Unresolvable(f"{host} did not resolve")
    return addresses


def check(target: Target, *, allow_private: bool, timeout: float) -> Target:
    """Resolve once and check every address; the target to connect to, or ``UnsafeUrl``.

    ``Unresolvable`` passes through: at create time a name that does not resolve yet is
    accepted, at delivery it is a failed attempt.
    """
    problem = host_problem(target.host, allow_private=allow_private)
    if problem:
        raise UnsafeUrl(f"{target.host} is {problem}")
    literal = literal_address(target.host)
    addresses = [literal] if literal is not None else resolve(target.host, target.port, timeout=timeout)
    for address in addresses:
        problem = address_problem(address, allow_private=allow_private)
        if problem and literal is not None:
            raise UnsafeUrl(f"{target.host} is a {problem} address")
        if problem:
            raise UnsafeUrl(f"{target.host} resolves to a {problem} address ({address})")
    return Target(target.scheme, target.host, target.port, target.path, addresses[0])
