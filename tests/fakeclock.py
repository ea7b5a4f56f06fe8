"""A fake monotonic clock for the network clients: sleeping advances it at once."""

from __future__ import annotations


class Clock:
    """A fake monotonic clock: sleeping advances it at once and is written down."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 3))
        self.now += seconds

    def __call__(self) -> float:
        return self.now
