"""Secret-looking values replaced by ``[redacted]`` wherever data is kept: audit entries, stored replays."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import Any

REDACTED = "[redacted]"
SECRET_KEY_PATTERN = re.compile(
    r"(password|passwd|secret|token|hash|pepper|authorization|cookie|credential"
    r"|api[_-]?key|private[_-]?key|access[_-]?key|^key$)",
    re.IGNORECASE,
)


def jsonable(value: Any) -> Any:
    """A JSON-safe copy of a column value."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def redact(data: Any) -> Any:
    """A JSON-safe copy of ``data`` with the value of every secret-looking key replaced, at any depth."""
    if isinstance(data, dict):
        return {
            str(key): REDACTED if SECRET_KEY_PATTERN.search(str(key)) else redact(value)
            for key, value in data.items()
        }
    if isinstance(data, list | tuple):
        return [redact(item) for item in data]
    return jsonable(data)
