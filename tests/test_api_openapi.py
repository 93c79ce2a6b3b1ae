"""The OpenAPI document against the server: complete, true, and fuzzed.

- every `$ref` resolves (the upload body's schema is among the components);
- each route's real answer is exactly its documented model (`extra="forbid"`);
- schemathesis generates requests from the document for every route and finds no 5xx
  and no status, content type or body the document does not describe.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from test_api_example import build_example_db

from detente.api import create_app, models

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@pytest.fixture(scope="module")
def example_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_example_db(tmp_path_factory.mktemp("openapi") / "example.duckdb")


@pytest.fixture(scope="module")
def client(example_db: Path) -> Iterator[TestClient]:
    with TestClient(create_app(example_db), raise_server_exceptions=False) as session:
        yield session


def refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def test_every_reference_in_the_document_resolves(client: TestClient) -> None:
    document = client.get("/api/openapi.json").json()
    schemas = document["components"]["schemas"]
    found = set(refs(document))
    assert "#/components/schemas/JsonUpload" in found
    assert {ref.removeprefix("#/components/schemas/") for ref in found} <= set(schemas)
    upload = document["paths"]["/api/documents"]["post"]
    assert set(upload["responses"]) == {"200", "400", "409", "413", "415"}
    assert set(document["paths"]["/api/docs/{doc_id}"]["get"]["responses"]) == {
        "200", "400", "404", "409"}
    assert all("422" not in op["responses"] for ops in document["paths"].values()
               for op in ops.values())


@pytest.mark.parametrize(("path", "model"), [
    ("/api/health", models.Health),
    ("/api/docs", models.Documents),
    ("/api/events?source=JPN&limit=50", models.Events),
    ("/api/errors", models.Errors),
    ("/api/timeline?a=JPN&b=RUS&by=quarter", models.Timeline),
    ("/api/key-events?a=JPN&b=RUS", models.KeyEvents),
    ("/api/network?sectors=true", models.Network),
    ("/api/actors/resolve?text=Japan", models.Resolved),
])
def test_each_answer_is_exactly_its_documented_model(client: TestClient, path: str,
                                                     model: type[models.Model]) -> None:
    answer = client.get(path)
    assert answer.status_code == 200, answer.text
    model.model_validate(answer.json())  # extra fields or missing ones fail here


def test_a_document_and_an_error_match_their_models(client: TestClient) -> None:
    doc_id = client.get("/api/docs").json()["documents"][0]["doc_id"]
    models.DocumentDetail.model_validate(client.get(f"/api/docs/{doc_id}").json())
    missing = client.get("/api/docs/abc123")
    assert missing.status_code == 404
    assert models.ErrorBody.model_validate(missing.json()).code == "E404"


def test_the_export_route_answers_parquet_of_the_filtered_events(client: TestClient) -> None:
    pd = pytest.importorskip("pandas")
    answer = client.get("/api/export", params={"format": "parquet", "source": "Japan",
                                               "since": "2014", "until": "2014"})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/vnd.apache.parquet"
    assert 'filename="detente-events.parquet"' in answer.headers["content-disposition"]
    frame = pd.read_parquet(io.BytesIO(answer.content))
    page = client.get("/api/events", params={"source": "JPN", "since": "2014-01-01",
                                             "until": "2014-12-31"}).json()
    assert sorted(frame["event_id"]) == sorted(e["event_id"] for e in page["events"])
    assert int(answer.headers["x-detente-events"]) == page["total"] == len(frame)
    assert set(frame["source_code"]) == {"JPN"}
    types = pq.read_schema(io.BytesIO(answer.content))
    assert types.field("date_start").type == pa.date32()
    assert pa.types.is_large_string(types.field("cameo").type)  # "057" stays a string


def test_the_export_route_reads_filters_as_the_library_does(client: TestClient) -> None:
    answer = client.get("/api/export", params={"format": "csv", "since": "yesterday"})
    assert answer.status_code == 400
    assert answer.json()["error"].startswith("since:")
    assert client.get("/api/export", params={"format": "xlsx"}).status_code == 400


def test_swagger_ui_is_served_from_this_server(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert '<script src="/vendor/swagger/swagger-ui-bundle.js">' in page.text
    assert "https://" not in page.text
    assert client.get("/vendor/swagger/swagger-ui-bundle.js").status_code == 200


@pytest.fixture(scope="module")
def api_schema(example_db: Path) -> Any:
    """The document as schemathesis reads it, calling the app in process (ASGI)."""
    return schemathesis.openapi.from_asgi("/api/openapi.json", create_app(example_db))


def fuzz(operations: Any, examples: int) -> None:
    """Call the operations with requests generated from the document, valid ones and
    invalid ones (which must be answered with a documented 4xx), and check each answer."""
    cases = st.one_of(operations.as_strategy(generation_mode=mode) for mode in GenerationMode)

    @given(case=cases)
    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    def check(case: Any) -> None:
        case.call_and_validate(checks=CHECKS)

    check()


def test_read_routes_fuzzed_from_the_document(api_schema: Any) -> None:
    fuzz(api_schema.include(method="GET"), examples=300)


@pytest.mark.slow  # each accepted upload is coded with the spaCy model
def test_the_upload_route_fuzzed_from_the_document(api_schema: Any) -> None:
    fuzz(api_schema.include(method="POST"), examples=25)
