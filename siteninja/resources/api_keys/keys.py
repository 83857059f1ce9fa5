"""The API key format: ``sn_live_``/``sn_test_`` + 32 random base62 characters + a base62 CRC32.

The checksum lets a client, a secret scanner or this server reject a mistyped or made-up key
offline, before any lookup. What is stored is a peppered HMAC-SHA256, never the key.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import zlib
from dataclasses import dataclass

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
ENVIRONMENT_PREFIXES = {"live": "sn_live_", "test": "sn_test_"}
RANDOM_LENGTH = 32
CHECKSUM_LENGTH = 6
# Random characters kept in clear in the lookup prefix: 4 of the 32 leave about 166 secret bits.
LOOKUP_LENGTH = 4
KEY_LENGTH = len("sn_live_") + RANDOM_LENGTH + CHECKSUM_LENGTH


def base62(number: int, width: int) -> str:
    """``number`` in base62 (``0-9A-Za-z``), left-padded with ``0`` to ``width`` characters."""
    digits = []
    while number:
        number, remainder = divmod(number, 62)
        digits.append(ALPHABET[remainder])
    return "".join(reversed(digits)).rjust(width, "0")


def checksum(body: str) -> str:
    """The 6-character base62 CRC32 of ``body`` (the environment prefix and random part)."""
    return base62(zlib.crc32(body.encode("ascii")), CHECKSUM_LENGTH)


@dataclass(frozen=True)
class NewKey:
    """A freshly generated key: the secret (shown once) and what is stored of it."""

    secret: str
    prefix: str
    last4: str


def generate(environment: str) -> NewKey:
    """A new random key for ``environment`` (``live`` or ``test``)."""
    body = ENVIRONMENT_PREFIXES[environment] + "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    secret = body + checksum(body)
    return NewKey(secret=secret, prefix=lookup_prefix(secret), last4=secret[-4:])


def well_formed(key: str) -> bool:
    """True when ``key`` has the format and a matching checksum (no lookup needed to say no)."""
    if len(key) != KEY_LENGTH or not key.startswith(tuple(ENVIRONMENT_PREFIXES.values())):
        return False
    body, check = key[:-CHECKSUM_LENGTH], key[-CHECKSUM_LENGTH:]
    random_part = body[len("sn_live_") :]
    if any(char not in ALPHABET for char in random_part):
        return False
    return hmac.compare_digest(checksum(body), check)


def lookup_prefix(key: str) -> str:
    """The short, non-secret part of a key stored in clear to find its row (``sn_live_AbCd``)."""
    return key[: len("sn_live_") + LOOKUP_LENGTH]


def digest(key: str, pepper: bytes) -> str:
    """The stored form of a key: HMAC-SHA256 under the server's pepper, hex."""
    return hmac.new(pepper, key.encode("ascii"), hashlib.sha256).hexdigest()
