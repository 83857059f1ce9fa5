"""Password policy, hashing (Argon2id) and verification (Argon2id or legacy bcrypt)."""

from __future__ import annotations

import re

import bcrypt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

MIN_LENGTH = 8
MAX_LENGTH = 128
_STRONG = PasswordHasher()
_CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def policy_errors(password: str) -> list[str]:
    """What the password lacks under the policy; empty when it is acceptable."""
    problems = []
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        problems.append(f"must be {MIN_LENGTH}-{MAX_LENGTH} characters")
    if not re.search(r"[a-z]", password):
        problems.append("needs a lowercase letter")
    if not re.search(r"[A-Z]", password):
        problems.append("needs an uppercase letter")
    if not re.search(r"\d", password):
        problems.append("needs a digit")
    if not re.search(r"[^A-Za-z0-9]", password):
        problems.append("needs a symbol")
    return problems


def _hasher() -> PasswordHasher:
    return _CHEAP if current_app.config.get("PASSWORD_HASH_CHEAP") else _STRONG


def hash_password(password: str) -> str:
    """A new Argon2id hash."""
    return _hasher().hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """Whether ``password`` matches an Argon2id or legacy bcrypt hash."""
    if stored_hash.startswith(("$2a$", "$2b$", "$2y$")):
        try:
            return bcrypt.checkpw(password.encode()[:72], stored_hash.encode())
        except ValueError:
            return False
    try:
        return _hasher().verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True for bcrypt hashes and Argon2 hashes weaker than the current parameters."""
    if not stored_hash.startswith("$argon2id$"):
        return True
    return _hasher().check_needs_rehash(stored_hash)
