"""schemathesis against the OpenAPI schema: no 500, every answer documented and matching it.

Bodies, paths and queries are generated from the schema (valid and invalid ones); every
operation's answers must have a documented status code, content type and shape.
"""

from __future__ import annotations

from pathlib import Path

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from immiplan.server import Settings, create_app  # noqa: E402

_folder = Path(__import__("tempfile").mkdtemp(prefix="immiplan-schema-"))
app = create_app(Settings(database_url=f"sqlite:///{_folder / 'planner.sqlite3'}"))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case) -> None:
    case.call_and_validate(checks=CHECKS)
