"""What the alert function (or local mode) left in the reports storage: the
"sent" markers and the replenishment orders. The storage is the record in
both modes, so the admin shows the same thing on a laptop and on AWS."""

import json
from dataclasses import dataclass

from django.core.files.storage import storages

SENT = "alerts/sent/"
ORDERS = "orders/"


@dataclass(frozen=True)
class StoredFile:
    key: str
    day: str
    name: str

    @property
    def url(self) -> str:
        return storages["reports"].url(self.key)


def _files(prefix: str, *, days: int) -> list[StoredFile]:
    storage = storages["reports"]
    try:
        day_folders, _ = storage.listdir(prefix)
    except FileNotFoundError:  # the local folder exists once something was written
        return []
    files = []
    for day in sorted(day_folders, reverse=True)[:days]:
        _, names = storage.listdir(f"{prefix}{day}/")
        # Not a claim being written (alerts.markers: hidden temporary files).
        names = sorted(n for n in names if not n.startswith("."))
        files += [StoredFile(f"{prefix}{day}/{n}", day, n) for n in names]
    return files


def alerts_sent(*, days: int = 14, limit: int = 200) -> list[dict]:
    """The newest alerts sent first, as their markers record them."""
    storage = storages["reports"]
    sent = []
    for stored in _files(SENT, days=days)[: limit * 2]:
        with storage.open(stored.key, "rb") as f:
            sent.append(json.load(f) | {"marker": stored.key})
    sent.sort(key=lambda s: s.get("sent_at", ""), reverse=True)
    return sent[:limit]


def orders(*, days: int = 30) -> list[StoredFile]:
    return _files(ORDERS, days=days)
