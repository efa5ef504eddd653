"""The query-count tests' volume: the bench's generator at a small unit, so a ten-times
consortium is made in seconds (`bench.generate` makes the full-size one for `make bench`)."""

from bench.generate import SMALL
from bench.generate import grow as _grow


def grow(factor: int = 10, *, seed: int = 7) -> dict:
    return _grow(factor, unit=SMALL, seed=seed)
