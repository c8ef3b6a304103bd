"""The published schema tells the truth about every operation, today's and
those added later: JSON bodies only, and every answer with its JSON body."""

import pytest

pytestmark = pytest.mark.django_db

METHODS = ("get", "put", "post", "patch", "delete")


@pytest.fixture
def operations(clerk_client):
    schema = clerk_client.get("/api/schema/", {"format": "json"}).json()
    found = [
        (f"{method.upper()} {path}", operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]
    assert {name for name, _ in found} >= {
        "GET /api/products/{sku}/",
        "POST /api/sales/",
    }
    return found


def test_every_request_body_is_json_only(operations):
    for name, operation in operations:
        if "requestBody" in operation:
            assert list(operation["requestBody"]["content"]) == ["application/json"], (
                name
            )


def test_every_operation_lists_its_errors_each_with_a_json_body(operations):
    for name, operation in operations:
        expected = {"401", "403", "500"}
        if "requestBody" in operation:
            expected |= {"400", "413"}
        if "{" in name:
            expected.add("404")
        responses = operation["responses"]
        assert expected <= set(responses), name
        for status, response in responses.items():
            assert list(response["content"]) == ["application/json"], (name, status)


def test_the_sale_body_has_the_services_bounds(clerk_client):
    schema = clerk_client.get("/api/schema/", {"format": "json"}).json()
    sale = schema["components"]["schemas"]["SaleInput"]["properties"]
    line = schema["components"]["schemas"]["SaleLineInput"]["properties"]

    assert (sale["lines"]["minItems"], sale["lines"]["maxItems"]) == (1, 100)
    assert (line["qty"]["minimum"], line["qty"]["maximum"]) == (1, 999)
    assert sale["idempotency_key"]["maxLength"] == 64


def test_the_schema_tells_of_perishables(clerk_client):
    schemas = clerk_client.get("/api/schema/", {"format": "json"}).json()["components"][
        "schemas"
    ]
    product = schemas["Product"]["properties"]
    receipt_line = schemas["ReceiptRequestLine"]

    assert product["sellable"]["nullable"] and product["sellable"]["type"] == "integer"
    assert product["expires_next"]["format"] == "date"
    assert product["expires_next"]["nullable"]
    error = schemas["SaleConflict"]["properties"]["error"]
    enum = schemas[error["$ref"].rpartition("/")[2]] if "$ref" in error else error
    assert "expired" in enum["enum"]
    assert receipt_line["properties"]["expires_on"]["format"] == "date"
    assert "expires_on" not in receipt_line["required"]


def test_the_schema_documents_the_payment_webhook(clerk_client):
    schema = clerk_client.get("/api/schema/", {"format": "json"}).json()
    webhook = schema["paths"]["/api/payments/webhook/"]["post"]
    notice = schema["components"]["schemas"]["NoticeInput"]

    signature = [p for p in webhook["parameters"] if p["in"] == "header"]
    assert [(p["name"], p["required"]) for p in signature] == [("X-Signature", True)]
    assert "HMAC-SHA256" in signature[0]["description"]
    # No login: the signature is the proof (the other operations name theirs).
    assert webhook.get("security", [{}]) == [{}]
    assert schema["paths"]["/api/sales/"]["post"]["security"] != [{}]
    assert set(notice["required"]) == {"sale", "status", "reference"}
    status = notice["properties"]["status"]["allOf"][0]["$ref"].rsplit("/", 1)[1]
    assert schema["components"]["schemas"][status]["enum"] == ["paid", "failed"]
    assert {"200", "400", "403", "404", "409"} <= set(webhook["responses"])
    conflict = webhook["responses"]["409"]["content"]["application/json"]["schema"]
    assert conflict == {"$ref": "#/components/schemas/PaymentConflict"}
