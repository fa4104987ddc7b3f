"""A Dask cluster to run on: a scheduler named by address, or local worker processes."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from bpmtool.errors import InputError, Problem

__all__ = ["ENV_SCHEDULER", "Cluster", "ClusterError", "connect"]

#: the environment variable that names a scheduler when ``--scheduler`` is not given
ENV_SCHEDULER = "BPMTOOL_SCHEDULER"
#: seconds to wait for a scheduler before saying it cannot be reached
CONNECT_TIMEOUT_S = 5.0


class ClusterError(InputError):
    """The cluster asked for cannot be used (unreachable scheduler, bad worker count)."""


@dataclass
class Cluster:
    """A connected Dask client, and the local cluster it started if it started one."""

    client: Any
    local: Any = None

    @property
    def address(self) -> str:
        return str(self.client.scheduler.address)

    def map(
        self,
        task: Callable[..., Any],
        items: Sequence[Any],
        *args: Any,
        progress: Callable[[int, int | None], None] | None = None,
    ) -> list[Any]:
        """``task(item, *args)`` for every item on the workers, results in the items' order.

        A task whose worker dies is run again elsewhere by the scheduler; a task that
        reports a bad input (see :func:`run_guarded`) raises it here as an
        :class:`~bpmtool.errors.InputError`."""
        from distributed import as_completed

        futures = [self.client.submit(run_guarded, task, item, *args, pure=False) for item in items]
        index = {f.key: i for i, f in enumerate(futures)}
        results: list[Any] = [None] * len(futures)
        # each result is fetched as soon as it is done and its future dropped, so a worker
        # keeps no finished results waiting for the others: it holds one task's data at a time
        finished = as_completed(futures, loop=self.client.loop, with_results=True)
        for done, (future, outcome) in enumerate(finished, start=1):
            if isinstance(outcome, BaseException):  # e.g. cancelled: its input was lost
                raise outcome
            results[index[future.key]] = outcome
            future.release()
            if progress is not None:
                progress(done, len(futures))
        del futures
        for outcome in results:
            if isinstance(outcome, _Failed):
                raise InputError(problems=outcome.problems, summary=outcome.summary)
        return results

    def close(self) -> None:
        self.client.close()
        if self.local is not None:
            self.local.close()


@dataclass(frozen=True)
class _Failed:
    """A bad input found on a worker, carried back as data (an exception with dataclass
    fields would lose them on its way through pickle)."""

    problems: list[Problem]
    summary: str


def run_guarded(task: Callable[..., Any], *args: Any) -> Any:
    """Run a task on a worker; a bad input becomes a :class:`_Failed` value."""
    try:
        return task(*args)
    except InputError as err:
        return _Failed(list(err.problems), err.summary)


@contextmanager
def connect(
    scheduler: str | None = None,
    workers: int | None = None,
    *,
    memory_limit: str | None = None,
    timeout: float = CONNECT_TIMEOUT_S,
) -> Iterator[Cluster | None]:
    """The cluster to run on, or ``None`` (one process, as without this package).

    ``scheduler`` (or, when not given, the ``BPMTOOL_SCHEDULER`` environment variable)
    is a scheduler's address such as ``tcp://10.0.0.5:8786``; ``workers`` starts that many
    local worker processes, one thread each (``memory_limit`` per worker, e.g. ``"2GB"``;
    default: Dask's share of the machine).  Naming both is refused.
    """
    scheduler = scheduler or os.environ.get(ENV_SCHEDULER) or None
    if scheduler is None and workers is None:
        yield None
        return
    if scheduler is not None and workers is not None:
        raise ClusterError.single(
            f"both a scheduler ({scheduler}) and --workers {workers} were given",
            expected="--scheduler (or BPMTOOL_SCHEDULER) to use a cluster, or --workers to "
            "start one on this machine",
        )
    cluster = (
        _attach(scheduler, timeout)
        if scheduler is not None
        else _start_local(workers or 0, memory_limit)
    )
    try:
        yield cluster
    finally:
        cluster.close()


def _attach(address: str, timeout: float) -> Cluster:
    """A client of the scheduler at ``address``; the address is tried first with Dask's
    own handshake, so a wrong address fails fast and cleanly (a client that fails half-way
    lingers for seconds), and something else answering there is named as such."""
    import asyncio

    from distributed import Client
    from distributed.comm import connect as dask_connect

    async def handshake() -> None:
        comm = await dask_connect(address, timeout=timeout)
        await comm.close()

    expected = "a running scheduler (dask scheduler) at an address such as tcp://HOST:8786"
    try:
        asyncio.run(handshake())
    except (OSError, TimeoutError, ValueError) as exc:
        why = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ClusterError.single(
            f"cannot reach the Dask scheduler at {address} within {timeout:g}s: {why}",
            expected=expected,
        ) from None
    except Exception as exc:  # whatever answered there, it speaks no Dask
        raise ClusterError.single(
            f"something answers at {address} but it is not a Dask scheduler ({type(exc).__name__})",
            expected=expected,
        ) from None
    return Cluster(Client(address, timeout=timeout, set_as_default=False))


def _start_local(workers: int, memory_limit: str | None) -> Cluster:
    if workers < 1:
        raise ClusterError.single(f"--workers must be at least 1, not {workers}")
    from distributed import Client, LocalCluster

    local = LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",
        worker_dashboard_address=":0",
        silence_logs=logging.ERROR,
        memory_limit=memory_limit or "auto",
    )
    return Cluster(Client(local, set_as_default=False), local)
