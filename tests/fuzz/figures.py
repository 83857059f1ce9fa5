"""What a contract fuzz run did, kept for the end-of-session summary."""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class FuzzRun:
    """The figures of one fuzz run (one principal over every operation)."""

    principal: str
    examples: dict[str, int] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    statuses: Counter[int] = field(default_factory=Counter)
    seconds: float = 0.0

    def record(self, label: str, status: int, body: bytes) -> None:
        """Count a response; with ``FUZZ_LOG`` set, also append it to that file (one JSON line)."""
        self.statuses[status] += 1
        path = os.environ.get("FUZZ_LOG")
        if path:
            with open(path, "a", encoding="utf-8") as log:
                log.write(
                    json.dumps([self.principal, label, status, body[:300].decode("utf-8", errors="replace")])
                    + "\n"
                )

    @property
    def total(self) -> int:
        return sum(self.examples.values())

    def summary(self) -> str:
        """One line: operations, examples (fewest per operation and in all), failures, wall time."""
        fewest = min(self.examples.values(), default=0)
        statuses = " ".join(f"{status}x{count}" for status, count in sorted(self.statuses.items()))
        return (
            f"contract fuzz as {self.principal}: {len(self.examples)} operations, "
            f"{self.total} examples (at least {fewest} per operation), "
            f"{len(self.failures)} failing operations, {self.seconds:.1f} s; statuses {statuses}"
        )


RUNS: list[FuzzRun] = []
