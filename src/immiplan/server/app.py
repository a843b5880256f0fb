"""The planner's FastAPI application: the JSON API (``/api``), its docs and the page.

:func:`create_app` builds the application on a :class:`~immiplan.server.settings.Settings`.
A user's mistake is an :class:`~immiplan.errors.InputError` and answers 4xx with the CLI's
one-line message (``detail``) and its parts (``error``: source, field, value); no answer
carries a traceback. Writes ask for the token when the server has one; reads are public.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from functools import cache
from importlib import resources
from typing import Any

from fastapi import Depends, FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from immiplan import __version__
from immiplan.errors import InputError
from immiplan.server import models as m
from immiplan.server.results import INDICATORS, ProjectionCache, summary
from immiplan.server.scenarios import (
    base_field,
    list_bases,
    read_scenario,
    scenario_text,
    shipped_text,
)
from immiplan.server.settings import Settings
from immiplan.server.storage import SavedScenario, Store, open_store
from immiplan.server.workers import Projector

__all__ = ["create_app"]

log = logging.getLogger("immiplan.server")


class ApiError(Exception):
    """A 4xx answer with the body of :class:`~immiplan.server.models.ErrorBody`."""

    def __init__(self, status: int, error: InputError, headers: dict[str, str] | None = None):
        self.status = status
        self.error = error
        self.headers = headers
        super().__init__(str(error))


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    return str(value)


def error_body(error: InputError) -> dict[str, Any]:
    """The JSON of a refused request."""
    return {
        "detail": str(error),
        "error": {
            "message": error.message,
            "source": error.source,
            "field": error.field,
            "value": _json_value(error.value) if error.has_value else None,
        },
    }


def _error_response(
    status: int, error: InputError, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(error_body(error), status_code=status, headers=headers)


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with 413, before the route reads them."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        length = headers.get(b"content-length")
        too_large = InputError(
            f"the request body is larger than the server accepts ({self.limit:,} bytes)",
            source="request",
        )
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                declared = self.limit + 1
            if declared > self.limit:
                await _error_response(413, too_large)(scope, receive, send)
                return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await _error_response(413, too_large)(scope, receive, send)
                return
            chunks.append(chunk)
            more = bool(message.get("more_body", False))
        body = b"".join(chunks)
        sent = False
        # The docs page starts Swagger UI with an inline script (its assets are ours)
        headers = DOCS_HEADERS if scope.get("path") == "/docs" else SECURITY_HEADERS
        extra = [(k.lower().encode(), v.encode()) for k, v in headers.items()]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                added = [(k, v) for k, v in extra if k not in present]
                message = {**message, "headers": [*message.get("headers", []), *added]}
            await send(message)

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send_with_headers)


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    # Vega compiles its expressions with Function(): 'unsafe-eval', same origin only.
    "Content-Security-Policy": "default-src 'self'; script-src 'self' 'unsafe-eval'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
}
DOCS_HEADERS = {
    **SECURITY_HEADERS,
    "Content-Security-Policy": "default-src 'self'; script-src 'self' 'unsafe-inline'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
}
"""/docs: Swagger UI served from this server (``swagger-ui-bundle-v2``), no other host."""

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": m.ErrorBody, "description": "A mistake in the request (file/field/value)"},
    413: {"model": m.ErrorBody, "description": "The request body is too large"},
    422: {"model": m.ErrorBody, "description": "The request does not match its schema"},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": m.ErrorBody, "description": "No such item"},
}
WRITE: dict[int | str, dict[str, Any]] = {
    401: {"model": m.ErrorBody, "description": "A write without the server's token"},
}


def _request_error(exc: RequestValidationError) -> InputError:
    errors = exc.errors()
    first = errors[0] if errors else {}
    loc = [str(p) for p in first.get("loc", ()) if not str(p).startswith("function-")]
    # pydantic tags union branches ("str", "dict[str,any]"): not fields a user wrote
    loc = [p for p in loc if p not in ("str", "dict[str,any]")]
    field = ".".join(loc[1:] if loc and loc[0] in ("body", "query", "path") else loc)
    kind = first.get("type", "")
    has_input = kind not in ("missing", "json_invalid") and "input" in first
    message = str(first.get("msg", "invalid request"))
    if kind == "json_invalid":
        message = "the request body is not valid JSON"
    value = first.get("input") if has_input else None
    if isinstance(value, dict | list):
        has_input, value = False, None
    return InputError(
        message, source="request", field=field or None, value=value, has_value=has_input
    )


def _saved_summary(record: SavedScenario, request: Request) -> dict[str, Any]:
    return {
        "id": record.id,
        "name": record.name,
        "sha256": record.sha256,
        "immiplan_version": record.immiplan_version,
        "created_at": record.created_at.isoformat(),
        "url": str(request.url_for("page")) + f"?saved={record.id}",
    }


def _saved_detail(record: SavedScenario, request: Request) -> dict[str, Any]:
    from immiplan.system.parameters import parse_yaml

    raw = parse_yaml(record.yaml, f"saved scenario {record.id}")
    return {**_saved_summary(record, request), "yaml": record.yaml, "scenario": _jsonable(raw)}


def _level(node: Any) -> dict[str, Any]:
    from immiplan.system.categories import category_tree

    return {
        "key": node.key,
        "code": category_tree().code_of(node.covers) if node.covers else node.key,
        "label": dict(node.label),
        "low": node.low,
        "target": node.value("target"),
        "high": node.high,
        "lines": [_level(line) for line in node.lines],
    }


@cache
def _base_years(jurisdiction: str) -> tuple[tuple[int, str], ...]:
    """``(year, base)`` of the jurisdiction's bases, oldest first."""
    from immiplan.projection.bases import list_bases, load_manifest

    found = []
    for name in list_bases():
        manifest = load_manifest(name)
        if manifest.jurisdiction == jurisdiction:
            found.append((manifest.year, name))
    return tuple(sorted(found))


def starting_scenario(plan: Any) -> str | None:
    """The shipped scenario a plan starts from in the page: the reference assumptions of
    the latest base of its jurisdiction dated before the plan's first year (``None``
    where no base precedes it, or where a year of the plan gives no total)."""
    from immiplan.solver import default_scenario

    years = list(plan.years)
    if not years or any(plan.total(year, include_outside=True) is None for year in years):
        # A year without a total cannot be projected (quebec-2020-2022's 2021; 2024-2025's
        # 2025, whose graduates outside the cap are not quantified).
        return None
    before = [name for year, name in _base_years(plan.jurisdiction) if year < min(years)]
    if not before:
        return None
    try:
        return default_scenario(before[-1])
    except InputError:
        return None


_TOP = ("economic", "family", "refugees", "other")


def _gives_mix(plan: Any, year: int) -> bool:
    return all(plan.level(c, year) is not None for c in _TOP)


def starting_plans(plan: Any) -> list[str]:
    """The plans a scenario started from ``plan`` names (``immigration.plans``).

    A plan whose first year gives only a total needs a mix to spread it over: the
    observed admissions of the year before (``"2023 actual"``) where published, else the
    latest plan that runs up to that year or into the plan's (the later plan's years
    override). Empty for a plan that is no starting point (:func:`starting_scenario`).
    """
    from immiplan.plans import admission_years, all_plans

    if starting_scenario(plan) is None:
        return []
    first = min(plan.years)
    if _gives_mix(plan, first):
        return [plan.name]
    if first - 1 in admission_years(plan.jurisdiction):
        return [f"{first - 1} actual", plan.name]
    # The years between the last observed one and the plan: for each, the latest tabled plan
    # that gives it a total (every admission, lines outside the cap included); a plan that
    # gives only totals takes its mix from the year before (the projection's rule).
    observed = set(admission_years(plan.jurisdiction))
    chain: list[Any] = []
    year = first - 1
    while year not in observed and year >= first - 10:
        covering = [
            p
            for p in all_plans()
            if p.jurisdiction == plan.jurisdiction
            and p.kind == "plan"
            and p.status == "tabled"
            and year in p.years
            and p.total(year, include_outside=True) is not None
        ]
        if not covering:
            return [plan.name]
        best = max(covering, key=lambda p: (min(p.years), max(p.years)))
        if best not in chain:
            chain.insert(0, best)
        year -= 1
    names = [p.name for p in chain] + [plan.name]
    earliest = chain[0] if chain else plan
    if not _gives_mix(earliest, min(earliest.years)) and year in observed:
        names.insert(0, f"{year} actual")
    return names


def _plan_summary(plan: Any) -> dict[str, Any]:
    return {
        "name": plan.name,
        "jurisdiction": plan.jurisdiction,
        "kind": plan.kind,
        "title": dict(plan.title),
        "years": plan.years,
        "starting_scenario": starting_scenario(plan),
        "starting_plans": starting_plans(plan),
    }


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    """The planner application.

    Parameters
    ----------
    settings:
        Database, token, limits (:class:`Settings`; defaults: an SQLite file in the user's
        data folder, no token).
    store:
        An open store (tests); by default the settings' database is opened and migrated.
    """
    settings = settings or Settings()
    store = store or open_store(settings.database_url)
    cache = ProjectionCache(settings.cache_size, settings.max_concurrent_projections)
    projector = Projector(settings.workers)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        projector.close()
        store.close()

    app = FastAPI(
        title="immiplan planner",
        version=__version__,
        summary="Plan immigration levels and see what a plan does, against a baseline.",
        description="Project a scenario with its integration outcomes, cut a plan under a "
        "selection regime, validate a plan, solve for the level a target needs, draw a "
        "fan chart of a scenario's uncertainty, and save and share scenarios. Every refusal "
        "answers 4xx with the command line's one-line message (`detail`) and its parts. "
        "Method and sources: docs/projection.md, docs/outcomes.md.",
        lifespan=lifespan,
        docs_url=None,  # served below from local assets (FastAPI's default uses a CDN)
        redoc_url=None,
        openapi_tags=[
            {"name": "projections", "description": "Project a scenario with its outcomes"},
            {"name": "plans", "description": "Levels plans, the cut and validation"},
            {"name": "system", "description": "Scenarios, bases, regimes, indicators"},
            {"name": "saved", "description": "Saved scenarios (writes need the token)"},
        ],
    )
    app.state.settings = settings
    app.state.store = store
    app.state.cache = cache

    if settings.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
        )
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return _error_response(exc.status, exc.error, exc.headers)

    @app.exception_handler(InputError)
    async def _input_error(_request: Request, exc: InputError) -> JSONResponse:
        return _error_response(400, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return _error_response(422, _request_error(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = str(exc.detail) if exc.detail else "error"
        if exc.status_code == 404:
            message = "no such address"
        elif exc.status_code == 405:
            message = f"method {request.method} not allowed here"
        return _error_response(
            exc.status_code, InputError(message, source=request.url.path), exc.headers
        )

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error", exc_info=exc)
        return _error_response(
            500, InputError("internal error (logged by the server)", source="server")
        )

    bearer = HTTPBearer(auto_error=False, description="The server's IMMIPLAN_TOKEN")

    def require_token(
        credentials: HTTPAuthorizationCredentials | None = Depends(bearer),  # noqa: B008
    ) -> None:
        if settings.token is None:
            return
        given = credentials.credentials if credentials is not None else ""
        if not hmac.compare_digest(given.encode("utf-8"), settings.token.encode("utf-8")):
            raise ApiError(
                401,
                InputError(
                    "this server needs its token to save or delete (Authorization: Bearer …)",
                    source="request",
                    field="Authorization",
                ),
                headers={"WWW-Authenticate": "Bearer"},
            )

    def loaded_from(body: m.ScenarioBody, horizon: int | None, source: str = "scenario") -> Any:
        text = scenario_text(body)
        if not text.strip():
            raise InputError("the scenario is empty", source=source)
        return read_scenario(
            text,
            source=source,
            max_steps=settings.max_steps,
            max_number=settings.max_number,
            horizon=horizon,
        )

    def project_text(text: str, horizon: int | None, source: str) -> dict[str, Any]:
        """The projection of ``text`` (cached by its SHA-256, the version and the horizon);
        its JSON bytes are kept with it under ``"_json"``."""
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        cached = cache.peek(digest, horizon)
        if cached is not None:
            return cached
        # The worker reads and checks the scenario (a bad one comes back as the same
        # one-line InputError): reading it here too only held the server's lock longer.
        return cache.get(
            digest,
            horizon,
            lambda: projector.project(
                text, source, horizon, settings.max_steps, settings.max_number
            ),
        )

    saved_records: OrderedDict[str, SavedScenario] = OrderedDict()
    """Saved scenarios read lately (immutable; dropped on delete)."""

    def saved_or_404(scenario_id: str) -> SavedScenario:
        record = store.get(scenario_id)
        if record is not None:
            saved_records[record.id] = record
            while len(saved_records) > settings.cache_size:
                saved_records.popitem(last=False)
        if record is None:
            raise ApiError(
                404, InputError("no saved scenario with this id", field="id", value=scenario_id)
            )
        return record

    def baseline_text(spec: str) -> tuple[str, str]:
        from immiplan.projection.scenario import shipped_scenarios

        if spec in shipped_scenarios():
            return shipped_text(spec), f"{spec}.yaml"
        record = store.get(spec)
        if record is None:
            raise InputError(
                "the baseline is neither a shipped scenario "
                f"({', '.join(shipped_scenarios())}) nor a saved scenario's id",
                source="request",
                field="baseline",
                value=spec,
            )
        return record.yaml, f"saved scenario {record.id}"

    # ------------------------------------------------------------------ system

    @app.get("/api/health", response_model=m.Health, tags=["system"])
    def health() -> dict[str, Any]:
        """Whether the server runs, its version, and whether writes need the token."""
        return {
            "status": "ok",
            "immiplan_version": __version__,
            "writes": "token" if settings.writes_need_token else "open",
            "database": store.backend,
        }

    @app.get("/api/bases", response_model=m.BaseList, tags=["system"])
    def bases() -> dict[str, Any]:
        """The projection bases (a population and its rates in a base year)."""
        names = list_bases()
        return {"bases": names, "default": names[0], "field": base_field()}

    @app.get("/api/regimes", response_model=list[m.RegimeOut], tags=["system"])
    def regimes_list() -> list[dict[str, Any]]:
        """Who selects each category under each regime (what a province can move)."""
        from immiplan.system.categories import category_tree
        from immiplan.system.regimes import regimes

        tree = category_tree()
        out = []
        for regime in regimes().values():
            tops = {}
            for top in tree.top:
                leaves = frozenset(leaf for leaf in tree.leaves if leaf.split(".")[0] == top)
                status = regime.controlled_by("province", leaves)
                tops[top] = "mixed" if status is None else ("province" if status else "federal")
            out.append(
                {
                    "name": regime.name,
                    "label": dict(regime.label),
                    "description": dict(regime.description),
                    "selects": dict(regime.selector),
                    "categories": tops,
                }
            )
        return out

    @app.get("/api/indicators", response_model=dict[str, m.Indicator], tags=["system"])
    def indicators() -> dict[str, Any]:
        """The series a projection returns: unit and name in English and French."""
        return INDICATORS

    @app.get("/api/scenarios", response_model=list[m.ScenarioSummary], tags=["system"])
    def scenarios() -> list[dict[str, Any]]:
        """The shipped scenarios (the 2018 debate and others)."""
        from immiplan.projection.scenario import load_scenario, shipped_scenarios

        out = []
        for name in shipped_scenarios():
            scenario = load_scenario(name).scenario
            out.append(
                {
                    "name": name,
                    "title": {lang: scenario.title_in(lang) for lang in ("en", "fr")},
                    "description": {lang: scenario.description_in(lang) for lang in ("en", "fr")},
                }
            )
        return out

    @app.get(
        "/api/scenarios/{name}",
        response_model=m.ScenarioDetail,
        responses={**NOT_FOUND, **ERRORS},
        tags=["system"],
    )
    def scenario_detail(name: str) -> dict[str, Any]:
        """A shipped scenario: its YAML text and its fields as JSON."""
        from immiplan.projection.scenario import load_scenario, shipped_scenarios
        from immiplan.system.parameters import parse_yaml

        if name not in shipped_scenarios():
            raise ApiError(
                404,
                InputError(
                    f"unknown scenario (shipped: {', '.join(shipped_scenarios())})",
                    field="name",
                    value=name,
                ),
            )
        text = shipped_text(name)
        scenario = load_scenario(name).scenario
        raw = parse_yaml(text, name)
        return {
            "name": name,
            "title": {lang: scenario.title_in(lang) for lang in ("en", "fr")},
            "description": {lang: scenario.description_in(lang) for lang in ("en", "fr")},
            "yaml": text,
            "scenario": _jsonable(raw),
        }

    # ------------------------------------------------------------------ projections

    @app.post(
        "/api/project",
        response_model=m.ProjectResponse,
        responses=ERRORS,
        tags=["projections"],
    )
    async def project(body: m.ProjectRequest) -> Response:
        """Project a scenario (YAML text or JSON object) with its outcomes, and a baseline.

        The baseline (a shipped scenario's name or a saved id) is projected to the same
        horizon; the summary compares the two at the horizon, in English and French.
        Results are cached by the scenario's SHA-256 and the package version.
        """
        reform, base, sentences = await _cached_comparison(body)
        if reform is None:
            reform, base, sentences = await run_in_threadpool(_comparison, body)
        parts = [
            b'{"reform":',
            reform["_json"],
            b',"baseline":',
            base["_json"] if base is not None else b"null",
            b',"summary":',
            _dumps(sentences),
            b"}",
        ]
        return Response(b"".join(parts), media_type="application/json")

    texts: OrderedDict[str, str] = OrderedDict()
    summaries: OrderedDict[tuple[str, str], dict[str, list[str]]] = OrderedDict()

    def _text_of(scenario: m.ScenarioBody) -> str:
        """A body's YAML text; JSON objects remembered by their canonical JSON's hash."""
        if isinstance(scenario, str):
            return scenario
        key = hashlib.sha256(
            json.dumps(scenario, sort_keys=True, separators=(",", ":")).encode()
        ).hexdigest()
        text = texts.get(key)
        if text is None:
            text = scenario_text(scenario)
            texts[key] = text
            while len(texts) > settings.cache_size:
                texts.popitem(last=False)
        return text

    def _digest(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def _summary_of(reform: dict[str, Any], base: dict[str, Any]) -> dict[str, list[str]]:
        key = (reform["sha256"] + str(reform["horizon"]), base["sha256"])
        found = summaries.get(key)
        if found is None:
            found = {lang: summary(reform, base, lang) for lang in ("en", "fr")}
            summaries[key] = found
            while len(summaries) > settings.cache_size:
                summaries.popitem(last=False)
        return found

    async def _cached_comparison(body: m.ProjectRequest) -> tuple[Any, Any, Any]:
        """The answer from the cache alone, without leaving the event loop (or Nones)."""
        text = _text_of(body.scenario)
        reform = cache.peek(_digest(text), body.horizon) if text.strip() else None
        if reform is None:
            return None, None, None
        if body.baseline is None:
            return reform, None, None
        record = saved_records.get(body.baseline)
        from immiplan.projection.scenario import shipped_scenarios

        if body.baseline in shipped_scenarios():
            base_text = shipped_text(body.baseline)
        elif record is not None:
            base_text = record.yaml
        else:
            return None, None, None
        base = cache.peek(_digest(base_text), reform["horizon"])
        if base is None:
            return None, None, None
        return reform, base, _summary_of(reform, base)

    def _comparison(body: m.ProjectRequest) -> tuple[Any, Any, Any]:
        text = _text_of(body.scenario)
        if not text.strip():
            raise InputError("the scenario is empty", source="scenario")
        reform = project_text(text, body.horizon, "scenario")
        if body.baseline is None:
            return reform, None, None
        base_text, source = baseline_text(body.baseline)
        base = project_text(base_text, reform["horizon"], source)
        return reform, base, _summary_of(reform, base)

    # ------------------------------------------------------------------ solve and fan

    heavy = threading.BoundedSemaphore(max(1, settings.max_concurrent_projections))
    """Solves and ensembles computed at once (others wait their turn)."""
    answers: OrderedDict[str, dict[str, Any]] = OrderedDict()

    def remembered(key: str, compute: Any) -> dict[str, Any]:
        found = answers.get(key)
        if found is not None:
            answers.move_to_end(key)
            return found
        with heavy:
            value: dict[str, Any] = compute()
        answers[key] = value
        while len(answers) > settings.cache_size:
            answers.popitem(last=False)
        return value

    @app.post("/api/solve", response_model=m.SolveResponse, responses=ERRORS, tags=["plans"])
    def solve_target(body: m.SolveRequest) -> dict[str, Any]:
        """The level a target needs (the inverse planner, ``immiplan plan solve``).

        Ottawa's categories under the regime keep their path; the province's level is
        solved for and checked by a full forward projection. A target no level within the
        bounds meets is answered with ``status: "infeasible"`` and the closest level.
        """
        from immiplan.server.planning import default_years, solve_request

        years: tuple[int, int] | None = None
        if body.first is not None or body.last is not None:
            first, last = default_years(body.base)
            years = (body.first or first, body.last or last)
        key = "solve:" + json.dumps(
            [__version__, body.model_dump(), years], sort_keys=True, default=str
        )
        return remembered(
            key,
            lambda: solve_request(
                [t.strip() for t in body.targets],
                base=body.base,
                years=years,
                regime=body.regime,
                shape=body.shape,
                objective=body.objective,
                mix=body.mix,
                max_steps=settings.max_steps,
            ),
        )

    @app.post("/api/fan", response_model=m.FanResponse, responses=ERRORS, tags=["projections"])
    def fan(body: m.FanRequest) -> dict[str, Any]:
        """Quantiles by year over seeded stochastic trajectories of a scenario (fan charts).

        Fertility, mortality and admissions vary as calibrated in docs/uncertainty.md; the
        same seed gives the same trajectories. At most 500 trajectories and 25,000
        trajectory-years.
        """
        from immiplan.server.planning import fan_request

        loaded = loaded_from(body.scenario, body.horizon)
        key = f"fan:{__version__}:{loaded.sha256}:{body.horizon}:{body.trajectories}:{body.seed}"
        return remembered(
            key,
            lambda: fan_request(
                loaded, horizon=body.horizon, trajectories=body.trajectories, seed=body.seed
            ),
        )

    @app.get(
        "/api/saved/{scenario_id}/projection",
        response_model=m.Projection,
        responses={**NOT_FOUND, **ERRORS},
        tags=["saved"],
    )
    async def saved_projection(
        scenario_id: str,
        horizon: int | None = Query(default=None, ge=1800, le=2300),
    ) -> Response:
        """A saved scenario's projection with its outcomes (cached)."""
        record = saved_records.get(scenario_id)
        result = cache.peek(_digest(record.yaml), horizon) if record is not None else None
        if result is None:
            record = await run_in_threadpool(saved_or_404, scenario_id)
            result = await run_in_threadpool(
                project_text, record.yaml, horizon, f"saved scenario {record.id}"
            )
        return Response(result["_json"], media_type="application/json")

    # ------------------------------------------------------------------ plans

    @app.get("/api/plans", response_model=m.PlanList, tags=["plans"])
    def plans() -> dict[str, Any]:
        """Every shipped plan (Quebec and federal) and the years of observed admissions."""
        from immiplan.plans import admission_years, all_plans

        return {
            "plans": [_plan_summary(plan) for plan in all_plans()],
            "actual": [f"{year} actual" for year in admission_years("quebec")],
        }

    @app.get(
        "/api/plans/{name}",
        response_model=m.PlanDetail,
        responses={**NOT_FOUND, **ERRORS},
        tags=["plans"],
    )
    def plan_detail(name: str) -> dict[str, Any]:
        """A plan (or 'YEAR actual') by year, category and line."""
        plan = _shipped_plan(name)
        out = _plan_summary(plan)
        out["plan_years"] = [
            {
                "year": year,
                "total": _level(plan.year(year).total),
                "french_knowledge_target": plan.year(year).french_knowledge_target,
            }
            for year in plan.years
        ]
        return out

    @app.post("/api/cut", response_model=m.CutResponse, responses=ERRORS, tags=["plans"])
    def cut_plan(body: m.CutRequest) -> dict[str, Any]:
        """Bring a base's total to a new one, moving only what the province selects.

        Lines Ottawa selects under the regime keep their level (``selector: federal``).
        """
        from immiplan.plans.cut import cut
        from immiplan.system.regimes import regime

        plan = _shipped_plan(body.base, status=400)
        year = body.year if body.year is not None else plan.years[0]
        result = cut(
            plan,
            year,
            body.total,
            regime(body.regime),
            method=body.method,
            order=list(body.order),
            which=body.which,
            lang=body.lang,
        )
        return {
            "base": result.base_name,
            "year": result.year,
            "regime": result.regime.name,
            "method": result.method,
            "base_total": result.base_total,
            "new_total": result.new_total,
            "lines": _records(result.lines),
            "by_category": _records(result.by_category),
        }

    @app.post(
        "/api/plans/validate", response_model=m.ValidateResponse, responses=ERRORS, tags=["plans"]
    )
    def validate_plan(body: m.ValidateRequest) -> dict[str, Any]:
        """Check a plan (YAML text or JSON object): errors and warnings, as
        ``immiplan plan validate``; a structural mistake answers 400."""
        from immiplan.plans import parse_plan
        from immiplan.plans.validate import validate
        from immiplan.system.parameters import parse_yaml

        text = scenario_text(body.plan)
        raw = parse_yaml(text, "plan")
        if not isinstance(raw, dict):
            raise InputError("a plan file must be a mapping", source="plan")
        from immiplan.server.scenarios import _check_document

        _check_document(raw, "plan", settings.max_number)
        plan = parse_plan(raw, "plan")
        findings = [
            {
                "severity": f.severity,
                "field": f.field,
                "value": _json_value(f.value),
                "message": f.message,
                "rule": f.rule,
            }
            for f in validate(plan)
        ]
        errors = [f for f in findings if f["severity"] == "error"]
        return {
            "valid": not errors,
            "name": plan.name,
            "errors": errors,
            "warnings": [f for f in findings if f["severity"] == "warning"],
        }

    # ------------------------------------------------------------------ saved

    @app.post(
        "/api/saved",
        status_code=201,
        response_model=m.SavedDetail,
        responses={**ERRORS, **WRITE},
        tags=["saved"],
        dependencies=[Depends(require_token)],
    )
    def save(body: m.SaveRequest, request: Request) -> dict[str, Any]:
        """Save a scenario (validated first); answers 201 once it is committed."""
        loaded = loaded_from(body.scenario, None)
        record = store.save(loaded.scenario.name, loaded.text, loaded.sha256, __version__)
        return _saved_detail(record, request)

    @app.get("/api/saved", response_model=m.SavedList, responses=WRITE, tags=["saved"])
    def saved_list(
        request: Request,
        limit: int = Query(default=50, ge=1, le=200),
        offset: int = Query(default=0, ge=0, le=1_000_000),
        credentials: HTTPAuthorizationCredentials | None = Depends(bearer),  # noqa: B008
    ) -> dict[str, Any]:
        """Saved scenarios, newest first (with the token when the server has one: ids are
        shared by link, the list is not public)."""
        require_token(credentials)
        return {"items": [_saved_summary(r, request) for r in store.list(limit, offset)]}

    @app.get(
        "/api/saved/{scenario_id}",
        response_model=m.SavedDetail,
        responses={**NOT_FOUND, **ERRORS},
        tags=["saved"],
    )
    def saved_detail(scenario_id: str, request: Request) -> dict[str, Any]:
        """A saved scenario by its id (public)."""
        record = saved_or_404(scenario_id)
        return _saved_detail(record, request)

    @app.get(
        "/api/saved/{scenario_id}/yaml",
        response_class=PlainTextResponse,
        responses={
            200: {"content": {"application/yaml": {"schema": {"type": "string"}}}},
            **NOT_FOUND,
            **ERRORS,
        },
        tags=["saved"],
    )
    def saved_yaml(scenario_id: str) -> Response:
        """A saved scenario as a YAML file (for ``immiplan project FILE``)."""
        record = saved_or_404(scenario_id)
        return Response(
            record.yaml,
            media_type="application/yaml",
            headers={"Content-Disposition": f'attachment; filename="{record.id}.yaml"'},
        )

    @app.delete(
        "/api/saved/{scenario_id}",
        status_code=204,
        response_class=Response,
        responses={**NOT_FOUND, **ERRORS, **WRITE},
        tags=["saved"],
        dependencies=[Depends(require_token)],
    )
    def delete_saved(scenario_id: str) -> Response:
        """Delete a saved scenario."""
        saved_records.pop(scenario_id, None)
        if not store.delete(scenario_id):
            raise ApiError(
                404, InputError("no saved scenario with this id", field="id", value=scenario_id)
            )
        return Response(status_code=204)

    # ------------------------------------------------------------------ the page

    static = resources.files("immiplan.server") / "static"
    vega = resources.files("immiplan.report") / "static"

    @app.get("/", include_in_schema=False, name="page")
    def page() -> FileResponse:
        return FileResponse(str(static / "index.html"), media_type="text/html")

    def openapi() -> dict[str, Any]:
        """FastAPI's schema, with every 4xx answer in the server's error shape (JSON)."""
        if app.openapi_schema is not None:
            return app.openapi_schema
        from fastapi.openapi.utils import get_openapi

        spec = get_openapi(
            title=app.title,
            version=app.version,
            summary=app.summary,
            description=app.description,
            routes=app.routes,
            tags=app.openapi_tags,
        )
        ref = {"$ref": "#/components/schemas/ErrorBody"}
        for operations in spec.get("paths", {}).values():
            for operation in operations.values():
                for status, answer in operation.get("responses", {}).items():
                    if str(status).startswith("4"):
                        answer["content"] = {"application/json": {"schema": ref}}
                        if str(status) == "422":
                            answer["description"] = "The request does not match its schema"
        schemas = spec.get("components", {}).get("schemas", {})
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]

    @app.get("/docs", include_in_schema=False)
    def docs() -> Response:
        from fastapi.openapi.docs import get_swagger_ui_html

        return get_swagger_ui_html(
            openapi_url="openapi.json",
            title="immiplan planner — API",
            swagger_js_url="static/swagger/swagger-ui-bundle.js",
            swagger_css_url="static/swagger/swagger-ui.css",
            swagger_favicon_url="static/swagger/favicon-32x32.png",
            swagger_ui_parameters={"validatorUrl": None},  # no call to validator.swagger.io
        )

    from swagger_ui_bundle import swagger_ui_path

    app.mount("/static/swagger", StaticFiles(directory=str(swagger_ui_path)), name="swagger")
    app.mount("/static/vega", StaticFiles(directory=str(vega)), name="vega")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    return app


def _shipped_plan(name: str, status: int = 404) -> Any:
    """A shipped plan or observed admissions by name (never a file on the server)."""
    from immiplan.plans import load_plan, shipped_plan_names
    from immiplan.plans.catalog import _ACTUAL

    if name in shipped_plan_names() or _ACTUAL.match(name):
        try:
            return load_plan(name)
        except InputError as exc:
            raise ApiError(status, exc) from None
    raise ApiError(
        status,
        InputError(
            f"unknown plan: not a shipped plan ({', '.join(shipped_plan_names())}) "
            "or 'YEAR actual'",
            field="base" if status == 400 else "name",
            value=name,
        ),
    )


def _records(frame: Any) -> list[dict[str, Any]]:
    import math

    out = []
    for row in frame.to_dict("records"):
        pct = row.get("change_pct")
        out.append(
            {
                "category": str(row["category"]),
                "label": str(row["label"]),
                "selector": str(row["selector"]),
                "base": float(row["base"]),
                "new": float(row["new"]),
                "change": float(row["change"]),
                "change_pct": None if pct is None or not math.isfinite(pct) else float(pct),
            }
        )
    return out


def _dumps(value: Any) -> bytes:
    """Compact JSON bytes (no NaN: missing values are already ``null``)."""
    import json

    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def _jsonable(value: Any) -> Any:
    """A parsed YAML document as JSON (dates as text, year keys as strings)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
