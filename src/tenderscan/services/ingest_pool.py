"""``ingest --jobs N``: ``N - 1`` worker processes parse chunks of units while this process writes, and
parses a chunk itself whenever the workers have enough queued.

Speed work for the ``ingest-jobs2`` target of benchmarks/run.py (RESULTS.md: 0.20x with a pool whose parent
only wrote, 0.33x with this design): ``jobs`` processes share ``jobs`` cores, none waits idle, and the
documents this process parses are never sent between processes. Workers read the archive members
themselves (the parent sends names, not bytes) and skip what is stored on their own read-only connection.
Its plain reference is one job (:func:`tenderscan.services.ingest.ingest` with ``jobs=1``):
tests/test_ingest_jobs.py holds the stores the two make equal, table for table.
"""

from __future__ import annotations

import os
from collections import deque
from typing import Callable, Iterator

from .. import interrupt
from ..documents.inputs import Input
from ..formats import formats
from .ingest_work import Result, Unit, init_worker, parse_chunk

CHUNK = 32  # documents per task sent to a worker


def run_pool(units: Iterator[Unit | Input], jobs: int, take: Callable[[Result], None], store_dir: str,
             here: Callable[[Unit | Input], None], parse_here: Callable[[Unit], Result],
             streamed: Callable[[Input], None], *, debug: bool = False) -> None:
    """Every unit parsed (``here`` for the first, ``parse_here`` in this process, else by a worker) and its
    result given to ``take``, in input order; an input streamed in this process (``streamed``) waits for
    what is in flight before it. At most ``jobs * 3`` chunks are in flight: memory stays bounded.

    Ctrl-C is deferred (:func:`tenderscan.interrupt.deferred`) while the pool runs: raised inside a future's
    lock it would leave the lock held and the pool's shutdown waiting forever; ``take`` raises it instead,
    after the result in hand, and the pool finishes the chunks in flight (a second or so) as it shuts down."""
    import multiprocessing
    from concurrent.futures import Future, ProcessPoolExecutor

    # the first document is read here: the formats, stations and every other lazy import are then loaded
    # once, before the workers are forked, instead of once in each of them
    _warm()
    for unit in units:
        here(unit)
        break
    workers = jobs - 1
    ctx = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None
    window: deque = deque()  # the workers' futures, and results of chunks parsed here, in input order

    def drain(block: bool) -> None:
        while window and (block or not isinstance(window[0], Future) or window[0].done()):
            head = window.popleft()
            for r in head.result() if isinstance(head, Future) else head:
                take(r)
            block = False

    with interrupt.deferred(), ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=init_worker,
                                                   initargs=(os.getpid(), store_dir, debug)) as pool:
        for chunk in _chunks(units, CHUNK):
            if isinstance(chunk, Input):  # read here, in input order: what is in flight is taken first
                while window:
                    drain(True)
                streamed(chunk)
                continue
            queued = sum(isinstance(w, Future) and not w.done() for w in window)
            if queued < workers * 2:
                window.append(pool.submit(parse_chunk, chunk))
            else:
                window.append([parse_here(u) for u in chunk])
            drain(False)
            if len(window) >= jobs * 3:
                drain(True)
        while window:
            drain(True)


def _warm() -> None:
    """Every format module imported (the enrichment's are, with the parser) before workers are forked."""
    formats()


def _chunks(units: Iterator[Unit | Input], size: int) -> Iterator[list[Unit] | Input]:
    """Units in chunks for the workers; an input streamed here comes alone, between them."""
    chunk: list[Unit] = []
    for u in units:
        if isinstance(u, Input):
            if chunk:
                yield chunk
                chunk = []
            yield u
            continue
        chunk.append(u)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
