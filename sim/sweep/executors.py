"""Where chunks run: in this process, in a local process pool, or on a Dask cluster.

Every executor runs :func:`sim.sweep.chunk.run_chunk` on
:class:`~sim.sweep.chunk.ChunkTask` objects and hands back, for each task,
either its :class:`~sim.sweep.chunk.ChunkOutput` or a :class:`WorkerLost`
when the process running it died (the coordinator then splits the chunk and
runs its runs one by one, so that only a run that kills its worker by itself
is recorded as failed). Executors hold a bounded number of tasks in flight,
so memory stays flat however many runs a sweep has.

* :class:`SerialExecutor` -- this process; no start-up cost.
* :class:`ProcessExecutor` -- the default: a ``concurrent.futures`` process pool
  started with ``forkserver`` with the model preloaded, so a worker costs a fork
  of a clean server, not an import, and nothing hangs in a notebook (no ``fork``
  of a threaded kernel, no functions pickled from ``__main__``). While the pool
  starts (seconds, once per process), the coordinator runs chunks itself. A
  worker that dies breaks the pool: the pool is restarted and the tasks that
  were in flight are run again, one at a time, to find the culprit. Workers die
  with their coordinator (``PR_SET_PDEATHSIG``), so a killed sweep leaves no
  process behind. One pool can serve several sweeps (pass it as ``executor=``).
* :class:`DaskExecutor` -- an existing cluster (``scheduler="tcp://host:port"``)
  or a ``LocalCluster`` it starts. Dask reschedules the tasks of a lost worker
  itself; a task that keeps killing workers comes back as ``KilledWorker``.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing as mp
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from sim.errors import GreatGameError, InfrastructureError, InputError
from sim.sweep.chunk import ChunkOutput, ChunkTask, run_chunk

#: Modules the forkserver imports once, so every worker starts already loaded.
PRELOAD = ["sim.sweep.chunk", "sim.model", "sim.scenario", "pyarrow.parquet"]
WORKER_DIED = (
    "the worker process running this run died (killed by a signal, out of memory, or "
    "exited); it was run alone and died again"
)


class WorkerLost(Exception):
    """The process running a task died before returning it."""


Outcome = tuple[ChunkTask, ChunkOutput | WorkerLost]


def default_workers() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


class Executor:
    """Base class: a queue of tasks, a bounded number in flight, results as they finish.

    Args:
        workers: Parallel workers.
    """

    name = "executor"

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._queue: deque[ChunkTask] = deque()

    @property
    def capacity(self) -> int:
        """Tasks held (queued + in flight) before :meth:`wants_more` says no."""
        return 2 * self.workers

    def wants_more(self) -> bool:
        return len(self._queue) + self.in_flight() < self.capacity

    def submit(self, task: ChunkTask) -> None:
        """Queue a task."""
        self._queue.append(task)

    def submit_first(self, task: ChunkTask) -> None:
        """Queue a task ahead of the others (used for split chunks)."""
        self._queue.appendleft(task)

    def in_flight(self) -> int:
        return 0

    def busy(self) -> bool:
        return bool(self._queue) or self.in_flight() > 0

    def next_done(self) -> Outcome:
        """Block until a task finishes; return it with its output or a WorkerLost."""
        raise NotImplementedError

    def close(self, *, cancel: bool = False) -> None:
        """Release the workers (``cancel``: stop running tasks now)."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close(cancel=exc[0] is not None)


class SerialExecutor(Executor):
    """Runs each task in this process, in order."""

    name = "serial"

    def __init__(self) -> None:
        super().__init__(1)

    @property
    def capacity(self) -> int:
        return 1

    def next_done(self) -> Outcome:
        task = self._queue.popleft()
        return task, run_chunk(task)


def _worker_init(coordinator: int) -> None:
    """In each pool worker: die with the coordinator, ignore Ctrl-C, one BLAS thread.

    A forkserver's worker is the server's child, not the coordinator's, and it holds
    the pool's queues open itself: when the coordinator is killed, nothing would ever
    tell it. A watchdog thread waits on the coordinator's pidfd and ends the worker
    when the coordinator is gone; the forkserver then ends as its last client leaves.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(Exception):
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: die when the parent dies
    threading.Thread(
        target=_exit_with, args=(coordinator,), name="greatgame-watchdog", daemon=True
    ).start()
    with contextlib.suppress(Exception):
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    # the preloaded modules live as long as the worker: keep the collector off them, so the
    # collection after each chunk scans only that chunk's objects (~80 ms -> ~2 ms)
    gc.freeze()


def _exit_with(pid: int) -> None:
    """Block until process ``pid`` ends, then end this process at once."""
    import select
    import time

    try:
        fd = os.pidfd_open(pid)
        select.select([fd], [], [])
    except (AttributeError, OSError):  # no pidfd (old kernel), or already gone: poll
        while True:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            except PermissionError:
                pass
            time.sleep(0.5)
    os._exit(1)


def _noop() -> None:
    """A task that does nothing (starts the workers)."""


def check_not_bootstrapping() -> None:
    """Refuse to start a sweep inside a worker that is still importing the user's script.

    A script without an ``if __name__ == "__main__":`` guard calls the sweep again in each
    worker process as the worker imports it: say so, instead of sweeping recursively.
    """
    if getattr(mp.current_process(), "_inheriting", False):
        raise GreatGameError(
            "a sweep was started while a worker process was importing the main script; "
            'put the sweep under `if __name__ == "__main__":` in the script'
        )


def start_method_for(requested: str | None = None) -> str:
    """The start method of the pool: ``forkserver`` where it exists (Linux), else ``spawn``.

    Not ``fork``: every process that imported numpy already runs threads (OpenBLAS,
    Arrow, a Jupyter kernel's, a Dask client's), and forking a threaded process can
    deadlock the child (CPython 3.12 warns; 3.14 makes forkserver the default). The
    forkserver preloads the model once, so each worker is a cheap fork of a clean,
    single-threaded server; and while it starts, the coordinator runs chunks itself
    (see :class:`ProcessExecutor`). ``requested`` or the environment variable
    ``GREATGAME_START_METHOD`` overrides the choice.
    """
    requested = requested or os.environ.get("GREATGAME_START_METHOD") or None
    available = mp.get_all_start_methods()
    if requested:
        if requested not in available:
            raise InputError(
                f"start method {requested!r} is not available here; expected one of {available}"
            )
        return requested
    return "forkserver" if "forkserver" in available else "spawn"


def process_context(start_method: str | None = None) -> Any:
    """The multiprocessing context of the pool (see :func:`start_method_for`)."""
    method = start_method_for(start_method)
    ctx = mp.get_context(method)
    if method == "forkserver":
        with contextlib.suppress(Exception):
            ctx.set_forkserver_preload(PRELOAD)
    return ctx


def _start_forkserver_deaf_to_ctrl_c() -> None:
    """Start the forkserver (if it is not running) with Ctrl-C ignored from its first instant.

    The forkserver imports the model for a second or two before it ignores SIGINT itself;
    a Ctrl-C at the terminal reaches the whole process group, so the server would print a
    KeyboardInterrupt traceback of whatever module it was importing. A SIGINT disposition
    of SIG_IGN is inherited across exec, and Python keeps it: the server (and every worker
    it forks) never sees Ctrl-C; the coordinator stops them.
    """
    from multiprocessing import forkserver

    if threading.current_thread() is not threading.main_thread():
        return  # signal dispositions can be changed in the main thread only
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        forkserver.ensure_running()
    finally:
        signal.signal(signal.SIGINT, previous)


class ProcessExecutor(Executor):
    """A local process pool (see the module docstring).

    Args:
        workers: Worker processes (default: the cores available).
        start_method: ``fork``, ``forkserver`` or ``spawn`` (default: see
            :func:`start_method_for`).
    """

    name = "processes"

    def __init__(
        self,
        workers: int | None = None,
        *,
        start_method: str | None = None,
        help_while_starting: bool = True,
    ) -> None:
        super().__init__(workers or default_workers())
        ctx = process_context(start_method)
        self._ctx = ctx
        self.start_method: str = ctx.get_start_method()
        self._help = help_while_starting
        self._futures: dict[Future[ChunkOutput], ChunkTask] = {}
        self._suspects: deque[ChunkTask] = deque()
        self._exclusive: ChunkTask | None = None
        self._ready: deque[Outcome] = deque()
        self.local_chunks = 0  # chunks the coordinator ran itself while the pool started
        if self.start_method == "forkserver":
            _start_forkserver_deaf_to_ctrl_c()
        self._pool = self._new_pool()
        # Starting the workers (the forkserver importing the model) takes seconds; it runs
        # in a thread, and meanwhile next_done() runs chunks here instead of waiting.
        self._warm = threading.Event()
        self._warm_error: BaseException | None = None
        threading.Thread(
            target=self._start_workers, name="greatgame-pool-start", daemon=True
        ).start()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=self._ctx,
            initializer=_worker_init,
            initargs=(os.getpid(),),
        )

    def _start_workers(self) -> None:
        try:
            for fut in [self._pool.submit(_noop) for _ in range(self.workers)]:
                fut.result()
        except BaseException as e:  # reported by next_done()
            self._warm_error = e
        finally:
            self._warm.set()

    def wait_ready(self, timeout: float | None = None) -> bool:
        """Block until the workers have started (True) or ``timeout`` passed (False)."""
        return self._warm.wait(timeout)

    def in_flight(self) -> int:
        return len(self._futures) + len(self._suspects) + len(self._ready)

    def _submit(self, task: ChunkTask) -> bool:
        """Submit to the pool; False if the pool is broken (a worker died since)."""
        try:
            fut = self._pool.submit(run_chunk, task)
        except (BrokenProcessPool, RuntimeError):
            return False
        self._futures[fut] = task
        return True

    def _fill(self) -> None:
        if self._suspects:
            # after a crash, the tasks that were in flight run one at a time to find the culprit
            if not self._futures:
                task = self._suspects.popleft()
                if not self._submit(task):
                    self._restart()
                    if not self._submit(task):
                        raise RuntimeError("a new process pool refused a task")
                self._exclusive = task
            return
        while self._queue and len(self._futures) < self.capacity:
            if not self._submit(self._queue[0]):
                if self._futures:
                    break  # the running tasks will report the break; handled in next_done
                self._restart()  # a worker died while idle: nothing was lost
                if not self._submit(self._queue[0]):
                    raise RuntimeError("a new process pool refused a task")
            self._queue.popleft()

    def next_done(self) -> Outcome:
        if self._help and self._queue and not self._ready and not self._warm.wait(0.3):
            # the workers are still starting (a cold forkserver imports the model for
            # seconds; a warm one forks them at once): run a chunk here rather than wait
            task = self._queue.popleft()
            self.local_chunks += 1
            return task, run_chunk(task)
        self._warm.wait()
        if self._warm_error is not None:
            raise GreatGameError(
                "the sweep's worker processes died while starting "
                f"({type(self._warm_error).__name__}); if this runs from a script, put the "
                'sweep under `if __name__ == "__main__":` (each worker imports the script), '
                "or use executor='serial'"
            )
        while not self._ready:
            self._fill()
            if not self._futures:
                raise RuntimeError("next_done() with nothing submitted")
            done, _ = wait(list(self._futures), return_when=FIRST_COMPLETED)
            broken: list[ChunkTask] = []
            for fut in done:
                task = self._futures.pop(fut)
                try:
                    self._ready.append((task, fut.result()))
                except BrokenProcessPool:
                    broken.append(task)
                except Exception as e:
                    self._ready.append((task, WorkerLost(f"{type(e).__name__}: {e}")))
            if broken:
                for fut, task in list(self._futures.items()):
                    try:
                        self._ready.append((task, fut.result()))
                    except Exception:
                        broken.append(task)
                self._futures.clear()
                self._restart()
                if self._exclusive is not None and broken == [self._exclusive]:
                    self._ready.append((self._exclusive, WorkerLost(WORKER_DIED)))
                else:
                    self._suspects.extend(broken)
            if not self._futures:
                self._exclusive = None
        return self._ready.popleft()

    def _restart(self) -> None:
        self._terminate(self._pool)
        self._pool = self._new_pool()

    @staticmethod
    def _terminate(pool: ProcessPoolExecutor) -> None:
        """Kill a pool's workers now; every wait is bounded (this runs on Ctrl-C)."""
        procs = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for p in procs:
            with contextlib.suppress(Exception):
                p.kill()
        for p in procs:
            with contextlib.suppress(Exception):
                p.join(timeout=5)
        manager = getattr(pool, "_executor_manager_thread", None)
        if manager is not None:
            with contextlib.suppress(Exception):
                manager.join(timeout=5)

    def close(self, *, cancel: bool = False) -> None:
        if cancel:
            # a start-up in progress would add workers after the kill: let it finish first
            self._warm.wait(timeout=30)
            self._terminate(self._pool)
        else:
            self._warm.wait()
            self._pool.shutdown(wait=True)


class DaskExecutor(Executor):
    """Chunks on Dask distributed: an existing cluster, or a LocalCluster started here.

    Args:
        scheduler: Address of a running scheduler (``tcp://host:8786``); None starts a
            LocalCluster of ``workers`` single-threaded worker processes.
        workers: LocalCluster workers (default: the cores available).
        client: An existing ``distributed.Client`` to use (then nothing is started or closed).
    """

    name = "dask"

    def __init__(
        self, scheduler: str | None = None, workers: int | None = None, client: Any = None
    ) -> None:
        distributed = import_distributed()
        self._cluster: Any = None
        self._own_client = client is None
        if client is not None:
            self.client = client
        elif scheduler:
            try:
                self.client = distributed.Client(scheduler, timeout="10s")
            except (OSError, TimeoutError) as e:
                raise InputError(
                    f"--scheduler {scheduler}: cannot reach a Dask scheduler there ({e}); "
                    "expected the address of a running `dask scheduler`, e.g. tcp://host:8786"
                ) from None
        else:
            self._cluster = distributed.LocalCluster(
                n_workers=workers or default_workers(),
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            self.client = distributed.Client(self._cluster)
        info = self.client.scheduler_info()
        nthreads = sum(w.get("nthreads", 1) for w in info.get("workers", {}).values())
        super().__init__(max(1, nthreads or (workers or 1)))
        self.address: str = str(info.get("address") or scheduler or "the local cluster")
        self._as_completed = distributed.as_completed()
        self._futures: dict[str, ChunkTask] = {}
        self._attempt = 0
        self._lost = False

    def in_flight(self) -> int:
        return len(self._futures)

    def _fill(self) -> None:
        while self._queue and len(self._futures) < self.capacity:
            task = self._queue.popleft()
            self._attempt += 1
            fut = self.client.submit(
                run_chunk, task, key=f"greatgame-chunk-{task.chunk_id}-{self._attempt}", pure=False
            )
            self._futures[fut.key] = task
            self._as_completed.add(fut)

    def _scheduler_lost(self, why: str) -> InfrastructureError:
        self._lost = True
        # the dead client's reconnection task logs tracebacks as it is cancelled: the message
        # below says what happened, once
        for name in ["distributed", *logging.root.manager.loggerDict]:
            if name.startswith("distributed"):
                logging.getLogger(name).setLevel(logging.CRITICAL + 1)
        return InfrastructureError(
            f"lost the Dask scheduler at {self.address} ({why}), so the sweep stopped and the "
            "runs in flight were not recorded; the runs committed so far are kept: run the same "
            "command again once the scheduler is back (or on another executor) to run the rest"
        )

    def _next_finished(self) -> Any:
        """The next finished future; raises if the client loses its scheduler meanwhile.

        A client whose scheduler died keeps "connecting" (10 s by default) and its futures
        are cancelled, some never reported: waiting on them would wait forever.
        """
        ac = self._as_completed
        condition = getattr(ac, "thread_condition", None)
        while not ac.has_ready():
            status = str(getattr(self.client, "status", "running"))
            if status != "running":
                raise self._scheduler_lost(f"the client is {status}")
            if condition is not None:
                with condition:
                    condition.wait(timeout=0.1)
            else:  # pragma: no cover - depends on distributed's internals
                time.sleep(0.01)
        return next(ac)

    def next_done(self) -> Outcome:
        self._fill()
        if not self._futures:
            raise RuntimeError("next_done() with nothing submitted")
        fut = self._next_finished()
        task = self._futures.pop(fut.key)
        if fut.status == "finished":
            out: ChunkOutput = fut.result()
            fut.release()
            return task, out
        if fut.status != "error":  # cancelled or lost: the cluster failed, not the runs
            raise self._scheduler_lost(f"a task came back {fut.status}")
        exc = fut.exception()
        fut.release()
        if exc is None:
            raise self._scheduler_lost("a task failed without an error")
        if type(exc).__name__ == "KilledWorker":
            return task, WorkerLost(
                "the Dask workers running this run died repeatedly (KilledWorker); it was run "
                "alone and died again"
            )
        return task, WorkerLost(f"{type(exc).__name__}: {exc}")

    def worker_pids(self) -> dict[str, int]:
        """Worker address -> process id (for tests and diagnostics)."""
        pids: dict[str, int] = self.client.run(os.getpid)
        return pids

    def close(self, *, cancel: bool = False) -> None:
        if cancel and not self._lost:
            with contextlib.suppress(Exception):
                self.client.cancel([*self._as_completed.futures])
        if self._own_client:
            with contextlib.suppress(Exception):
                if self._lost:  # nothing to wait for: do not wait for the reconnection
                    self.client.close(timeout=2)
                else:
                    self.client.close()
        if self._cluster is not None:
            with contextlib.suppress(Exception):
                self._cluster.close()


def import_distributed() -> Any:
    """Import ``distributed`` or explain how to install it."""
    try:
        import distributed
    except ImportError:
        raise GreatGameError(
            "Dask is not installed; install the extra with: pip install 'greatgame[dask]'"
        ) from None
    return distributed


def make_executor(
    executor: str | None = None,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    client: Any = None,
    start_method: str | None = None,
) -> Executor:
    """Choose an executor.

    Args:
        executor: ``serial``, ``processes`` or ``dask``; None picks ``dask`` if ``scheduler``,
            ``client`` or the environment variable ``DASK_SCHEDULER_ADDRESS`` is given (and
            ``workers`` is not), else ``processes`` (``serial`` for one worker).
        workers: Worker processes (default: the cores available).
        scheduler: Dask scheduler address.
        client: A ``distributed.Client`` to use.
        start_method: The process pool's start method (see :func:`start_method_for`).
    """
    if workers is not None and workers < 1:
        raise InputError(f"--workers must be >= 1, got {workers}")
    env = os.environ.get(DASK_ENV)
    if executor is None:
        if scheduler or client is not None:
            executor = "dask"
        elif env and workers is None:
            executor = "dask"
        else:
            executor = "serial" if workers == 1 else "processes"
    if executor == "serial":
        return SerialExecutor()
    if executor == "processes":
        return ProcessExecutor(workers, start_method=start_method)
    if executor == "dask":
        if scheduler is None and client is None and env and workers is None:
            scheduler = env
            announce_env_scheduler(env)
        return DaskExecutor(scheduler, workers, client)
    raise InputError(f"executor must be serial, processes or dask, got {executor!r}")


ExecutorFactory = Callable[[], Executor]

#: The environment variable Dask reads for its scheduler's address.
DASK_ENV = "DASK_SCHEDULER_ADDRESS"


def announce_env_scheduler(address: str) -> None:
    """Say on stderr that a sweep goes to the cluster the environment names (never silently)."""
    sys.stderr.write(
        f"greatgame: {DASK_ENV} is set, so this sweep runs on the Dask cluster at "
        f"{address}; unset it, or give --workers N (workers=N), to run on this machine\n"
    )
    sys.stderr.flush()


__all__ = [
    "DaskExecutor",
    "Executor",
    "ProcessExecutor",
    "SerialExecutor",
    "WorkerLost",
    "default_workers",
    "make_executor",
]
