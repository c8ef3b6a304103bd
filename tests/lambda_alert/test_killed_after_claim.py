"""The function killed between its claim and its publish (a timeout, a crash):
the claim is left "sending"; a retry within the lease leaves it alone, and
the first retry after the lease takes it over and publishes, once."""

import datetime
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from moto.server import ThreadedMotoServer

from lambda_alert import handler, sendonce
from tests.lambda_alert.conftest import EVENT_KEY, sample_bytes

ROOT = Path(__file__).resolve().parents[2]
INVOKE = "import json, sys; from lambda_alert import handler; " + (
    "handler.handler(json.loads(sys.argv[1]), None)"
)


@pytest.fixture
def moto_server(store):
    """The same moto state over HTTP, for a function in another process."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def silent_sns():
    """An address that takes connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.settimeout(60)
        yield listener


def test_a_function_killed_after_claiming_publishes_once_after_the_lease(
    store, moto_server, silent_sns, monkeypatch
):
    store.put(EVENT_KEY, sample_bytes("low_stock_event.json"))
    (event,) = store.s3_events()
    host, port = silent_sns.getsockname()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "ALERT_TOPIC_ARN": store.topic_arn,
        "AWS_ENDPOINT_URL_S3": moto_server,
        "AWS_ENDPOINT_URL_SNS": f"http://{host}:{port}",
        "NO_PROXY": "127.0.0.1",
    }
    function = subprocess.Popen(
        [sys.executable, "-c", INVOKE, json.dumps(event)], env=env, cwd=ROOT
    )
    try:
        connection, _ = silent_sns.accept()  # it claimed, and now publishes…
    finally:
        function.kill()  # …and dies there
        function.wait()
    connection.close()

    (marker,) = store.keys("alerts/sent/")
    assert json.loads(store.get(marker))["status"] == "sending"
    with pytest.raises(sendonce.ClaimHeld):  # a retry within the lease
        handler.handler(event, None)
    assert store.published() == []

    after_lease = sendonce.now() + datetime.timedelta(
        seconds=sendonce.LEASE_SECONDS + 1
    )
    monkeypatch.setattr(sendonce, "now", lambda: after_lease)
    assert handler.handler(event, None)["processed"] == 1
    assert handler.handler(event, None)["duplicates"] == 1

    (published,) = store.published()
    assert published.attributes["kind"] == "immediate"
    assert json.loads(store.get(marker))["status"] == "sent"
