"""Print the contract fuzz figures at the end of the session, whatever the reporting options."""

from __future__ import annotations

from tests.fuzz.figures import RUNS


def pytest_terminal_summary(terminalreporter) -> None:
    """One line per fuzz run that took place in this session."""
    if not RUNS:
        return
    terminalreporter.section("contract fuzz")
    for run in RUNS:
        terminalreporter.write_line(run.summary())
