"""4. Alert function: lambda_alert.handler on a manifest listing 10,000 low
products, against moto (run as a server in its own process, so that the
measured process holds what a Lambda container would: Python, boto3 and the
function). The S3 event is moto's own, delivered to an SQS queue by a bucket
notification, as DESIGN.md's tests do.

Each measured process handles three manifests: the first invocation is cold
(boto3 clients made on first use), as a daily manifest will always find its
container; the others are warm. Peak memory is the process's peak resident
set (VmHWM), which is what Lambda reports as "Max Memory Used"."""

import datetime
import json
import os
import subprocess
import time
import urllib.request
from decimal import Decimal
from pathlib import Path

import boto3

from bench.children_run import run_child
from bench.config import PYTHON, ROOT, VAR, Plan
from bench.net import free_port
from bench.stats import median

BUCKET = "pitstop-bench-reports"
REGION = "us-east-1"
TARGET_S = 1.0
TARGET_MB = 128.0
INVOCATIONS = 3  # per process: one cold, then warm
FIRST_DAY = datetime.date(2025, 2, 1)


def aws_env(port: int) -> dict[str, str]:
    """Fake credentials and moto's endpoint: nothing can reach real AWS."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "DJANGO_"))}
    return env | {
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "PYTHONPATH": str(ROOT),
    }


class MotoServer:
    def __init__(self, log: Path) -> None:
        self.log = log
        self.port = 0
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "MotoServer":
        self.port = free_port()
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [PYTHON, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        give_up = time.monotonic() + 30
        while time.monotonic() < give_up:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=2)
                return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"moto server did not start; see {self.log}")

    def __exit__(self, *exc: object) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=30)


def manifest(day: datetime.date, products: int) -> bytes:
    """A daily manifest shaped like reports.services.report_summary's."""
    low = [
        {
            "sku": f"LOW-{i:06d}",
            "name": f"Low product {i}",
            "stock": i % 5,
            "reorder_point": 5 + i % 10,
            "par_level": 30 + i % 20,
            "suggested_qty": 30 + i % 20 - i % 5,
            "supplier": f"Supplier {i % 25:02d}",
            "supplier_email": f"orders{i % 25:02d}@supplier.example",
        }
        for i in range(products)
    ]
    top = [
        {"sku": f"TOP-{i:02d}", "name": f"Top {i}", "qty": 100 - i, "revenue": "999.90"}
        for i in range(10)
    ]
    prefix = f"reports/daily/{day}/"
    doc = {
        "schema": 1,
        "kind": "daily",
        "period": day.isoformat(),
        "period_start": f"{day}T00:00:00-03:00",
        "period_end": f"{day + datetime.timedelta(days=1)}T00:00:00-03:00",
        "time_zone": "America/Sao_Paulo",
        "currency": "BRL",
        "generated_at": f"{day + datetime.timedelta(days=1)}T00:10:00-03:00",
        "totals": {
            "sales": 1234,
            "units": 5678,
            "revenue": str(Decimal("45678.90")),
            "cost": "30000.00",
            "margin": "15678.90",
            "average_ticket": "37.02",
            "voided_sales": 3,
            "voided_total": "75.50",
        },
        "top_products": top,
        "low_stock": low,
        "files": {n: prefix + n for n in ("sales.csv", "restock.csv", "report.pdf")},
    }
    return json.dumps(doc, indent=2, ensure_ascii=False).encode()


def events_make(env: dict[str, str], days: list[datetime.date], products: int) -> list:
    """Put one manifest per day and collect the S3 events moto delivers."""
    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    endpoint = env["AWS_ENDPOINT_URL"]
    s3 = session.client("s3", region_name=REGION, endpoint_url=endpoint)
    sqs = session.client("sqs", region_name=REGION, endpoint_url=endpoint)
    queue = sqs.create_queue(QueueName="bench-events")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])
    s3.create_bucket(Bucket=BUCKET)
    s3.put_bucket_notification_configuration(
        Bucket=BUCKET,
        NotificationConfiguration={
            "QueueConfigurations": [
                {
                    "QueueArn": arn["Attributes"]["QueueArn"],
                    "Events": ["s3:ObjectCreated:*"],
                    "Filter": {
                        "Key": {
                            "FilterRules": [
                                {"Name": "prefix", "Value": "reports/"},
                                {"Name": "suffix", "Value": "summary.json"},
                            ]
                        }
                    },
                }
            ]
        },
    )
    for day in days:
        key = f"reports/daily/{day}/summary.json"
        s3.put_object(Bucket=BUCKET, Key=key, Body=manifest(day, products))
    events = []
    while len(events) < len(days):
        got = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)
        for message in got.get("Messages", []):
            body = json.loads(message["Body"])
            if "Records" in body:
                events.append(body)
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
    return sorted(events, key=lambda e: e["Records"][0]["s3"]["object"]["key"])


def topic_make(env: dict[str, str]) -> str:
    sns = boto3.client(
        "sns",
        region_name=REGION,
        endpoint_url=env["AWS_ENDPOINT_URL"],
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    return sns.create_topic(Name="pitstop-bench-alerts")["TopicArn"]


def step(plan: Plan) -> dict:
    stamp = int(time.time())  # fresh days per run: markers make re-runs no-ops
    with MotoServer(VAR / "moto.log") as moto:
        env = aws_env(moto.port)
        env["ALERT_TOPIC_ARN"] = topic_make(env)
        env["LOG_LEVEL"] = "WARNING"
        processes = []
        for rep in range(plan.alert_repeats):
            first = FIRST_DAY + datetime.timedelta(
                days=(stamp % 1000) * 10 + rep * INVOCATIONS
            )
            days = [first + datetime.timedelta(days=i) for i in range(INVOCATIONS)]
            events = events_make(env, days, plan.alert_products)
            path = VAR / f"alert-events-{rep}.json"
            path.write_text(json.dumps(events))
            processes.append(run_child(env, "alert", str(path)))
            _print_process(processes[-1], plan)
    return _result(processes, plan)


def _print_process(one: dict, plan: Plan) -> None:
    times = ", ".join(f"{s * 1000:.0f}" for s in one["invocations"])
    print(
        f"  alert {plan.alert_products:,} low products: invocations {times} ms,"
        f" peak {one['peak_mb']:.0f} MB (after imports {one['baseline_mb']:.0f} MB),"
        f" outcomes {one['outcomes']}",
        flush=True,
    )


def _result(processes: list[dict], plan: Plan) -> dict:
    cold = median([p["invocations"][0] for p in processes])
    warm = median([s for p in processes for s in p["invocations"][1:]])
    peak = median([p["peak_mb"] for p in processes])
    alerted = all(o.get("processed") == 1 for p in processes for o in p["outcomes"])
    return {
        "products": plan.alert_products,
        "processes": len(processes),
        "cold_s": cold,
        "warm_s": warm,
        "peak_mb": peak,
        "baseline_mb": median([p["baseline_mb"] for p in processes]),
        "all_alerted": alerted,
        "targets": [
            {
                "name": f"{plan.alert_products:,} low products, cold invocation < 1 s",
                "value": cold,
                "limit": TARGET_S,
                "unit": "s",
                "ok": cold < TARGET_S and alerted,
            },
            {
                "name": "peak memory of the function's process < 128 MB",
                "value": peak,
                "limit": TARGET_MB,
                "unit": "MB",
                "ok": peak < TARGET_MB,
            },
        ],
    }
