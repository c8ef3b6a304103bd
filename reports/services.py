"""Building a period's report: five files in the reports storage, the manifest
(summary.json) last, and one Report row that says how it went."""

import datetime
import io
import json
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import IO

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from pitstop import csvsafe
from pitstop.outbox import failure_next
from pitstop.signals import object_stored
from purchasing.selectors import DraftSummary, draft_summaries
from purchasing.services import replenish
from reports.models import Report
from reports.pdf import report_pdf
from reports.periods import Period
from reports.selectors import ReportData, report_data

SCHEMA = 1
# In the order they are written; the manifest last.
FILES = ["sales.csv", "restock.csv", "waste.csv", "report.pdf", "summary.json"]
# Files bigger than this spill from memory to a temporary file while written.
SPOOL_BYTES = 1024 * 1024
SALES_COLUMNS = [
    "sku",
    "name",
    "qty",
    "revenue",
    "cost",
    "margin",
    "stock",
    "reorder_point",
]
WASTE_COLUMNS = [
    "date",
    "sku",
    "name",
    "qty",
    "unit_cost",
    "value",
    "expires_on",
    "ref",
    "note",
]
# A queued or running build not done by then is queued again by the sweep.
BUILD_LEASE = datetime.timedelta(minutes=30)
RESTOCK_COLUMNS = [
    "sku",
    "name",
    "stock",
    "reorder_point",
    "par_level",
    "suggested_qty",
    "supplier",
    "supplier_email",
    "on_order",
    "velocity",
    "days_of_cover",
    "pack_size",
]


def report_request(*, period: Period) -> Report:
    """Record that a period's report is wanted (built again if it exists);
    the caller queues its task after commit, the sweep if that is lost."""
    report, _ = Report.objects.update_or_create(
        kind=period.kind,
        period=period.label,
        defaults={
            "period_start": period.start,
            "period_end": period.end,
            "status": Report.Status.QUEUED,
            "failing_since": None,
            "retry_at": timezone.now() + BUILD_LEASE,
        },
    )
    return report


def report_build(*, period: Period, replenish_drafts: bool = False) -> Report:
    """Build and store a period's report, replacing an earlier one's files.

    summary.json is written last and removed first: whoever sees a manifest
    sees a whole report. An error marks the row failed and is raised again
    (report_failed then schedules the retry of a storage error). With
    replenish_drafts (the daily close), `replenish` runs after the report's
    files and before its manifest, so the manifest (and the digest made from
    it) names the drafts to approve."""
    report, _ = Report.objects.update_or_create(
        kind=period.kind,
        period=period.label,
        defaults={
            "period_start": period.start,
            "period_end": period.end,
            "status": Report.Status.RUNNING,
            "error": "",
            "attempts": F("attempts") + 1,
            "retry_at": timezone.now() + BUILD_LEASE,
        },
        create_defaults={
            "period_start": period.start,
            "period_end": period.end,
            "status": Report.Status.RUNNING,
            "attempts": 1,
            "retry_at": timezone.now() + BUILD_LEASE,
        },
    )
    started = time.monotonic()
    storage = storages["reports"]
    manifest_key = period.prefix + "summary.json"
    try:
        storage.delete(manifest_key)
        data = report_data(period=period)
        files = {
            name: _store(storage, period.prefix + name, write)
            for name, write in [
                ("sales.csv", partial(_write_csv, SALES_COLUMNS, _sales_rows(data))),
                (
                    "restock.csv",
                    partial(_write_csv, RESTOCK_COLUMNS, _restock_rows(data)),
                ),
                ("waste.csv", partial(_write_csv, WASTE_COLUMNS, _waste_rows(data))),
                ("report.pdf", partial(report_pdf, data)),
            ]
        }
        if replenish_drafts:
            replenish(day=period.end)
        summary = report_summary(data, files=files, drafts=draft_summaries())
        _store(storage, manifest_key, partial(_write_json, summary))
        object_stored.send(sender=Report, key=manifest_key)
    except Exception as exc:
        Report.objects.filter(pk=report.pk).update(
            status=Report.Status.FAILED,
            error=f"{type(exc).__name__}: {exc}",
            duration_ms=_ms_since(started),
            retry_at=None,
        )
        raise
    Report.objects.filter(pk=report.pk).update(
        status=Report.Status.DONE,
        failing_since=None,
        retry_at=None,
        totals=summary["totals"],
        files=files | {"summary.json": manifest_key},
        generated_at=data.generated_at,
        duration_ms=_ms_since(started),
    )
    report.refresh_from_db()
    return report


def report_failed(
    *, period: Period, error: BaseException, attempt: int
) -> float | None:
    """After a storage error: queue the report again in a while (seconds
    returned), or leave it failed once it has failed for an hour (None)."""
    with transaction.atomic():
        report = Report.objects.select_for_update().get(
            kind=period.kind, period=period.label
        )
        fields, delay = failure_next(
            attempts=attempt,
            failing_since=report.failing_since,
            error=error,
            sweep_after=BUILD_LEASE,
        )
        status = Report.Status.FAILED if delay is None else Report.Status.QUEUED
        Report.objects.filter(pk=report.pk).update(status=status, **fields)
    return delay


def reports_due() -> list[Report]:
    """Reports queued or running past their time (a lost task, a killed
    worker); each is given a new sweep time."""
    now = timezone.now()
    with transaction.atomic():
        due = list(
            Report.objects.filter(
                status__in=[Report.Status.QUEUED, Report.Status.RUNNING],
                retry_at__lte=now,
            ).select_for_update(skip_locked=True)
        )
        Report.objects.filter(pk__in=[r.pk for r in due]).update(
            retry_at=now + BUILD_LEASE
        )
    return due


def report_summary(
    data: ReportData, *, files: dict[str, str], drafts: Sequence[DraftSummary] = ()
) -> dict:
    """The manifest that the alert function reads (DESIGN.md)."""
    t = data.totals
    start, end = data.period.bounds
    return {
        "schema": SCHEMA,
        "kind": data.period.kind,
        "period": data.period.label,
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
        "time_zone": settings.TIME_ZONE,
        "currency": settings.PITSTOP_CURRENCY,
        "generated_at": data.generated_at.isoformat(),
        "totals": {
            "sales": t.sales,
            "units": t.units,
            "revenue": str(t.revenue),
            "cost": str(t.cost),
            "margin": str(t.margin),
            "average_ticket": str(t.average_ticket),
            "voided_sales": t.voided_sales,
            "voided_total": str(t.voided_total),
            "returns": str(t.returns),
            "waste": str(t.waste),
            # Net of refunds by the same method: they add up to revenue.
            "payments": {p.method: str(p.net) for p in data.payments},
        },
        "shifts": [
            {
                "id": s.id,
                "clerk": s.clerk,
                "opened_at": _local_iso(s.opened_at),
                "closed_at": _local_iso(s.closed_at),
                "opening_float": str(s.opening_float),
                "expected_cash": _str_or_none(s.expected_cash),
                "counted_cash": _str_or_none(s.counted_cash),
                "difference": _str_or_none(s.difference),
            }
            for s in data.shifts
        ],
        "top_products": [
            {"sku": p.sku, "name": p.name, "qty": p.qty, "revenue": str(p.revenue)}
            for p in data.top_by_revenue
        ],
        "low_stock": data.restock,
        "expiring": [
            {
                "sku": lot.sku,
                "name": lot.name,
                "expires_on": lot.expires_on.isoformat(),
                "qty": lot.qty,
            }
            for lot in data.expiring
        ],
        "purchase_orders": [draft.as_json() for draft in drafts],
        "files": files,
    }


# ------------------------------------------------------------------------------
# Files: written to a spooled temporary file, then handed to the storage,
# which streams it (S3: a multipart upload). Memory stays flat.
# ------------------------------------------------------------------------------


def _store(storage: Storage, key: str, write: Callable[[IO[bytes]], None]) -> str:
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as out:
        write(out)
        out.seek(0)
        return storage.save(key, File(out, name=key.rsplit("/", 1)[-1]))


def _write_csv(header: list[str], rows: Iterable[list], out: IO[bytes]) -> None:
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    writer = csvsafe.writer(text)
    writer.writerow(header)
    writer.writerows(rows)
    text.detach()  # leave `out` open for the storage


def _sales_rows(data: ReportData) -> Iterable[list]:
    for p in data.products:
        yield [
            p.sku,
            p.name,
            p.qty,
            p.revenue,
            p.cost,
            p.margin,
            p.stock,
            p.reorder_point,
        ]


def _restock_rows(data: ReportData) -> Iterable[list]:
    """The manifest's low_stock items, as CSV rows."""
    for item in data.restock:
        yield [item[column] for column in RESTOCK_COLUMNS]


def _waste_rows(data: ReportData) -> Iterable[list]:
    for w in data.waste:
        yield [
            _local_iso(w.created_at),
            w.sku,
            w.name,
            w.qty,
            w.unit_cost,
            w.value,
            w.expires_on and w.expires_on.isoformat(),
            w.ref,
            w.note,
        ]
    if data.waste:  # the total, as a spreadsheet's last row
        units = sum(w.qty for w in data.waste)
        yield ["total", "", "", units, "", data.totals.waste, "", "", ""]


def _write_json(document: dict, out: IO[bytes]) -> None:
    out.write(json.dumps(document, indent=2, ensure_ascii=False).encode())


def _local_iso(moment: datetime.datetime | None) -> str | None:
    return moment and timezone.localtime(moment).isoformat()


def _str_or_none(value: object) -> str | None:
    return None if value is None else str(value)


def _ms_since(started: float) -> int:
    return round((time.monotonic() - started) * 1000)
