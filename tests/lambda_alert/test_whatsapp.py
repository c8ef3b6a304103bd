"""WhatsApp through the Cloud API, against a local HTTP server standing in for
Meta's: the token, the text, and that a failure there never undoes the alert."""

import json
import logging
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import pytest

from lambda_alert import decide, handler, whatsapp
from tests.lambda_alert.conftest import EVENT_KEY, sample_bytes

TOKEN = "EAAG-test-token"
NUMBERS = ["5511987654321", "5511912345678"]


@dataclass
class Webhook:
    """What the stand-in received, and how it answers."""

    url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200
    location: str = ""


@pytest.fixture
def webhook():
    hook = Webhook()

    class Answer(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            hook.requests.append(
                {
                    "method": self.command,
                    "path": self.path,
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "body": json.loads(self.rfile.read(length) or b"null"),
                }
            )
            body = json.dumps(
                {"messages": [{"id": "wamid.TEST"}]}
                if hook.status < 300
                else {"error": {"code": 131047, "message": "Re-engagement message"}}
            ).encode()
            self.send_response(hook.status)
            if hook.location:
                self.send_header("Location", hook.location)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST  # a followed redirect would show up here

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    hook.url = f"http://127.0.0.1:{server.server_port}/v21.0/1234567890/messages"
    yield hook
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def whatsapp_on(aws, webhook):
    aws.setenv("WHATSAPP_WEBHOOK_URL", webhook.url)
    aws.setenv("WHATSAPP_TOKEN", TOKEN)
    aws.setenv("WHATSAPP_TO", " , ".join(NUMBERS))
    handler.reset()
    return webhook


def an_alert() -> decide.Alert:
    return decide.alert_for(EVENT_KEY, sample_bytes("low_stock_event.json"))


def alert_once(store) -> dict[str, Any]:
    store.put(EVENT_KEY, sample_bytes("low_stock_event.json"))
    (event,) = store.s3_events()
    result = handler.handler(event, None)
    (marker,) = store.keys("alerts/sent/")
    return result | {"marker": json.loads(store.get(marker))}


def test_each_number_gets_the_alert_with_the_bearer_token(store, whatsapp_on):
    result = alert_once(store)

    assert result["processed"] == 1
    assert [r["body"]["to"] for r in whatsapp_on.requests] == NUMBERS
    for request, number in zip(whatsapp_on.requests, NUMBERS, strict=True):
        assert request["method"] == "POST"
        assert request["path"] == "/v21.0/1234567890/messages"
        assert request["headers"]["authorization"] == f"Bearer {TOKEN}"
        assert request["headers"]["content-type"] == "application/json"
        assert request["body"] == decide.whatsapp_payload(an_alert(), number)
        assert (
            "DRK-001 Coca-Cola 350ml can: 3/12, pedir 69"
            in (request["body"]["text"]["body"])
        )
    assert result["marker"]["channels"] == ["sns", "whatsapp"]
    assert result["marker"]["error"] == ""
    assert len(store.published()) == 1


def test_the_token_comes_from_parameter_store_when_named(store, whatsapp_on, aws):
    # As deployed: the token is a SecureString, not in the environment.
    name = "/pitstop/pitstop/whatsapp-token"
    boto3.client("ssm").put_parameter(Name=name, Value=TOKEN, Type="SecureString")
    aws.delenv("WHATSAPP_TOKEN")
    aws.setenv("WHATSAPP_TOKEN_PARAMETER", name)
    handler.reset()

    result = alert_once(store)

    assert [r["headers"]["authorization"] for r in whatsapp_on.requests] == [
        f"Bearer {TOKEN}"
    ] * len(NUMBERS)
    assert result["marker"]["channels"] == ["sns", "whatsapp"]


def test_an_unreadable_token_parameter_leaves_sns_alone(store, whatsapp_on, aws):
    aws.delenv("WHATSAPP_TOKEN")
    aws.setenv("WHATSAPP_TOKEN_PARAMETER", "/pitstop/pitstop/never-stored")
    handler.reset()

    result = alert_once(store)

    assert whatsapp_on.requests == []
    assert result["marker"]["channels"] == ["sns"]
    assert len(store.published()) == 1


@pytest.mark.parametrize(
    "unset", ["WHATSAPP_WEBHOOK_URL", "WHATSAPP_TOKEN", "WHATSAPP_TO"]
)
def test_without_all_three_settings_no_whatsapp_request_is_made(
    store, whatsapp_on, aws, unset
):
    aws.delenv(unset)
    handler.reset()

    result = alert_once(store)

    assert result["processed"] == 1
    assert whatsapp_on.requests == []
    assert result["marker"]["channels"] == ["sns"]


def test_a_refusing_webhook_is_logged_and_the_sns_alert_stands(
    store, whatsapp_on, caplog
):
    whatsapp_on.status = 400

    with caplog.at_level(logging.WARNING, logger="lambda_alert"):
        result = alert_once(store)

    assert result["processed"] == 1
    assert len(store.published()) == 1
    assert len(whatsapp_on.requests) == 2
    assert "HTTP 400" in caplog.text
    assert "131047" in caplog.text  # Meta's reason, for whoever reads the logs
    assert "…4321" in caplog.text
    assert NUMBERS[0] not in caplog.text
    assert TOKEN not in caplog.text
    assert result["marker"]["channels"] == ["sns"]
    assert result["marker"]["error"] == "whatsapp: 2 of 2 failed"


def test_a_redirect_is_not_followed_with_the_token(webhook, caplog):
    webhook.status = 307
    webhook.location = webhook.url.replace("/messages", "/elsewhere")

    with caplog.at_level(logging.WARNING, logger="lambda_alert"):
        sent = whatsapp.post(webhook.url, TOKEN, an_alert(), NUMBERS[0])

    assert sent is False
    assert [r["path"] for r in webhook.requests] == ["/v21.0/1234567890/messages"]
    assert "HTTP 307" in caplog.text


def test_an_unreachable_webhook_is_logged_not_raised(caplog):
    with caplog.at_level(logging.WARNING, logger="lambda_alert"):
        sent = whatsapp.post(
            "http://127.0.0.1:9/messages", TOKEN, an_alert(), NUMBERS[0]
        )

    assert sent is False
    assert "WhatsApp to …4321 failed" in caplog.text


@pytest.mark.parametrize(
    "url, allowed",
    [
        ("https://graph.facebook.com/v21.0/1234567890/messages", True),
        ("http://127.0.0.1:8080/messages", True),
        ("http://localhost/messages", True),
        ("http://graph.facebook.com/v21.0/1234567890/messages", False),
        ("http://127.0.0.1.example.com/messages", False),
        ("ftp://graph.facebook.com/", False),
        ("https://", False),
        ("graph.facebook.com/messages", False),
    ],
)
def test_the_webhook_must_be_https_except_on_this_machine(url, allowed):
    assert whatsapp.webhook_allowed(url) is allowed


def test_a_plain_http_webhook_elsewhere_turns_whatsapp_off(aws, caplog):
    aws.setenv("WHATSAPP_WEBHOOK_URL", "http://graph.facebook.com/v21.0/1/messages")
    aws.setenv("WHATSAPP_TOKEN", TOKEN)
    aws.setenv("WHATSAPP_TO", NUMBERS[0])
    handler.reset()

    with caplog.at_level(logging.ERROR, logger="lambda_alert"):
        assert handler.config().whatsapp is False
    assert "not https://" in caplog.text
    assert (
        whatsapp.post(
            "http://graph.facebook.com/v21.0/1/messages", TOKEN, an_alert(), NUMBERS[0]
        )
        is False
    )
