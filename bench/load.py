"""Closed-loop load: N client threads, each sending its next sale as soon as
the last one is answered, for a fixed time. The same driver runs the kiosk
API over HTTP and the raw psycopg ceiling, so only the server side differs."""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bench.stats import median, percentile


@dataclass
class Tally:
    """What one client saw: a latency per request and how each ended."""

    latencies: list[float] = field(default_factory=list)
    last_sale_at: float = 0.0  # perf_counter() when its last sale was answered
    sales: int = 0
    refusals: int = 0
    errors: int = 0
    samples: list[str] = field(default_factory=list)

    def add(self, seconds: float, outcome: str, detail: str = "") -> None:
        self.latencies.append(seconds)
        if outcome == "sale":
            self.sales += 1
            self.last_sale_at = time.perf_counter()
        elif outcome == "refusal":
            self.refusals += 1
        else:
            self.errors += 1
            if len(self.samples) < 3:
                self.samples.append(detail[:300])


@dataclass
class Clock:
    """The run's gates: every client waits at `start` once connected and at
    `finish` before it disconnects, so what is measured around the run (CPU
    of the database backends) sees every connection alive."""

    start: threading.Barrier
    finish: threading.Barrier
    started: float = 0.0
    deadline: float = 0.0
    finished: float = 0.0


# A client: (its index, the clock) -> what it saw.
Client = Callable[[int, Clock], Tally]


def drive(
    clients: int,
    seconds: float,
    client: Client,
    *,
    on_start: Callable[[], None] = lambda: None,
    on_finish: Callable[[], None] = lambda: None,
) -> tuple[list[Tally], Clock]:
    """Run `clients` threads for `seconds` after they are all connected;
    returns their tallies and the clock (start, deadline, finish)."""

    def start() -> None:
        on_start()
        clock.started = time.perf_counter()
        clock.deadline = clock.started + seconds

    def finish() -> None:
        clock.finished = time.perf_counter()
        on_finish()

    clock = Clock(
        threading.Barrier(clients, action=start),
        threading.Barrier(clients, action=finish),
    )
    tallies: list[Tally] = [Tally() for _ in range(clients)]

    def run(i: int) -> None:
        try:
            tallies[i] = client(i, clock)
        except Exception as exc:  # a broken client is reported, not hidden
            clock.start.abort()
            clock.finish.abort()
            tallies[i].add(0.0, "error", f"client crashed: {exc!r}")

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tallies, clock


def summary(tallies: list[Tally], clock: Clock) -> dict:
    """Rates, latency percentiles and outcomes of one run. `in_stock_s` is
    the time until the last sale: with a hot product, how long its stock
    lasted, over which its sale rate is measured."""
    elapsed = clock.finished - clock.started
    last_sale = max((t.last_sale_at for t in tallies), default=0.0)
    in_stock = max(last_sale - clock.started, 0.0)
    latencies = [s for t in tallies for s in t.latencies]
    sales = sum(t.sales for t in tallies)
    refusals = sum(t.refusals for t in tallies)
    errors = sum(t.errors for t in tallies)
    ms = [s * 1000 for s in latencies]
    return {
        "seconds": round(elapsed, 2),
        "requests": len(latencies),
        "sales": sales,
        "refusals": refusals,
        "errors": errors,
        "sales_per_s": sales / elapsed if elapsed else 0.0,
        "in_stock_s": round(in_stock, 2),
        "sales_per_s_in_stock": sales / in_stock if in_stock else 0.0,
        "requests_per_s": len(latencies) / elapsed if elapsed else 0.0,
        "p50_ms": median(ms),
        "p99_ms": percentile(ms, 99),
        "error_samples": [s for t in tallies for s in t.samples][:5],
    }
