"""Work an app asks each pass of `haven sweep` to do besides the deadlines (the population register's
waiting requests), registered in its ``AppConfig.ready``: the engine imports no domain."""

from __future__ import annotations

from collections.abc import Callable

# label (as the pass reports it) -> the job, which returns how many things it did
JOBS: dict[str, Callable[[], int]] = {}


def register(label: str, job: Callable[[], int]) -> None:
    JOBS[label] = job
