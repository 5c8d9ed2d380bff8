"""Independent jobs run on the cores polars may use, each one's outcome kept in order.

A folder's sheets are read and parsed apart from each other; polars releases the GIL
while it works, so two sheets on two threads keep two cores busy where one sheet after
another left the second core mostly idle.

Examples
--------
>>> def fail() -> int:
...     raise ValueError("no")
>>> [(o.value, type(o.error).__name__) for o in run_all([lambda: 1, fail, lambda: 3])]
[(1, 'NoneType'), (None, 'ValueError'), (3, 'NoneType')]
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import polars as pl

T = TypeVar("T")


@dataclass
class Outcome(Generic[T]):
    """What one job gave: its ``value``, or the ``error`` it raised (any ``BaseException``:
    a Rust panic is one), to be raised by the caller in the jobs' order."""

    value: T | None = None
    error: BaseException | None = None


def run_all(jobs: Sequence[Callable[[], T]], *, weights: Sequence[int] | None = None) -> list[Outcome[T]]:
    """Run ``jobs`` on up to ``pl.thread_pool_size()`` threads (the caller's included),
    heaviest ``weights`` first; the outcomes come back in the jobs' order.

    One thread (``POLARS_MAX_THREADS=1``, one job) runs them in order on the caller's
    thread; a thread that cannot start (a memory cap) leaves its share to the others.
    """
    outcomes: list[Outcome[T]] = [Outcome() for _ in jobs]
    order = sorted(range(len(jobs)), key=lambda i: -weights[i]) if weights is not None else range(len(jobs))
    queue = deque(order)

    def work() -> None:
        while True:
            try:
                i = queue.popleft()  # atomic: each job is taken once
            except IndexError:
                return
            try:
                outcomes[i].value = jobs[i]()
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as exc:  # kept for the caller, who raises it in order
                outcomes[i].error = exc

    helpers: list[threading.Thread] = []
    for _ in range(min(pl.thread_pool_size(), len(jobs)) - 1):
        helper = threading.Thread(target=work, name="casekit-read", daemon=True)
        try:
            helper.start()
        except RuntimeError:  # "can't start new thread": the threads already started do it all
            break
        helpers.append(helper)
    try:
        work()
    except BaseException:  # an interrupt of the caller: the helpers start nothing more
        queue.clear()
        raise
    for helper in helpers:
        helper.join()
    return outcomes
