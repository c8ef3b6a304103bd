"""CPU time and peak memory of processes, read from /proc: where a sale's
CPU goes on a machine whose two cores are shared by the clients, the app and
PostgreSQL; what a child process held at most."""

import os
import resource
import threading
from collections.abc import Iterable

import psycopg

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float | None:
    """User plus system time of one process, or None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # After the command name: state is field 3, utime 14 and stime 15.
    return (int(fields[11]) + int(fields[12])) / TICKS


def children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def backends(conn: psycopg.Connection, database: str) -> list[int]:
    """PostgreSQL backends connected to the bench database, but this one."""
    rows = conn.execute(
        "SELECT pid FROM pg_stat_activity"
        " WHERE datname = %s AND pid <> pg_backend_pid()",
        [database],
    ).fetchall()
    return [pid for (pid,) in rows]


def self_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class CpuMeter:
    """CPU used by a fixed set of processes between start() and stop()."""

    def __init__(self, pids: Iterable[int]) -> None:
        self.pids = list(pids)
        self.before: dict[int, float] = {}

    def start(self) -> None:
        self.before = {
            pid: cpu for pid in self.pids if (cpu := cpu_seconds(pid)) is not None
        }

    def stop(self) -> float:
        used = 0.0
        for pid, before in self.before.items():
            after = cpu_seconds(pid)
            if after is not None:
                used += after - before
        return used


class BackendCpu:
    """CPU used by the backends of one database between start() and stop(),
    sampled every `every` seconds on a connection of its own, so that a
    connection the app replaces mid-run (CONN_MAX_AGE) still counts, up to
    its last sample."""

    def __init__(self, url: str, database: str, every: float = 0.2) -> None:
        self.conn = psycopg.connect(url, autocommit=True)
        self.database, self.every = database, every
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def start(self) -> None:
        self._sample(baseline=True)
        self.thread.start()

    def stop(self) -> float:
        self.stopped.set()
        self.thread.join()
        self._sample()
        self.conn.close()
        return sum(self.last[pid] - self.first[pid] for pid in self.last)

    def _loop(self) -> None:
        while not self.stopped.wait(self.every):
            self._sample()

    def _sample(self, *, baseline: bool = False) -> None:
        for pid in backends(self.conn, self.database):
            cpu = cpu_seconds(pid)
            if cpu is None:
                continue
            # A backend born during the run counts from zero.
            self.first.setdefault(pid, cpu if baseline else 0.0)
            self.last[pid] = cpu


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far: the kernel's high-water
    mark (VmHWM). Not ru_maxrss, which Linux carries over fork and exec, so
    a child started by a big parent would report the parent's peak."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")
