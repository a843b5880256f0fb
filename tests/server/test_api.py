"""The planner's JSON API as a client uses it: answers, refusals, tokens, limits, the cache."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from immiplan.projection.scenario import shipped_scenarios
from immiplan.server import Settings, create_app
from immiplan.system.parameters import data_root


def shipped(name: str) -> str:
    return (data_root() / "scenarios" / f"{name}.yaml").read_text(encoding="utf-8")


def at(projection: dict[str, Any], key: str, year: int) -> float:
    return projection["series"][key][projection["years"].index(year)]


def refusal(response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"detail", "error"}
    assert "Traceback" not in response.text and "\n" not in body["detail"]
    return body


# ----------------------------------------------------------------------------- reads


def test_health_and_catalogues(client: TestClient) -> None:
    health = client.get("/api/health").json()
    assert health["status"] == "ok" and health["writes"] == "open"
    assert client.get("/api/bases").json()["default"] == "quebec-2018"
    names = [s["name"] for s in client.get("/api/scenarios").json()]
    assert names == shipped_scenarios()
    detail = client.get("/api/scenarios/pq-proposal").json()
    assert detail["yaml"] == shipped("pq-proposal")
    assert detail["scenario"]["name"] == "pq-proposal"
    indicators = client.get("/api/indicators").json()
    assert indicators["share_65_plus"]["unit"] == "share"
    assert indicators["francization_cost"]["fr"].startswith("Coût")


def test_regimes_say_who_selects(client: TestClient) -> None:
    regimes = {r["name"]: r for r in client.get("/api/regimes").json()}
    accord = regimes["accord-1991"]
    assert accord["categories"]["economic"] == "province"
    assert accord["categories"]["family"] == "federal"
    assert accord["categories"]["refugees"] == "mixed"  # resettled by Quebec, asylum by Ottawa
    assert accord["selects"]["refugees.protected_in_canada"] == "federal"
    assert set(regimes["quebec-control"]["categories"].values()) == {"province"}
    assert set(regimes["federal"]["categories"].values()) == {"federal"}


def test_plans_list_and_show(client: TestClient) -> None:
    listed = client.get("/api/plans").json()
    assert "quebec-2019" in [p["name"] for p in listed["plans"]]
    assert "2018 actual" in listed["actual"]
    plan = client.get("/api/plans/quebec-2019").json()
    year = plan["plan_years"][0]
    assert year["year"] == 2019 and year["total"]["target"] == 40000
    economic = next(line for line in year["total"]["lines"] if line["code"] == "economic")
    assert economic["target"] == 23450
    actual = client.get("/api/plans/2018 actual").json()
    assert actual["kind"] == "actual" and actual["plan_years"][0]["total"]["target"] == 51125
    refusal(client.get("/api/plans/no-such-plan"), 404)
    refusal(client.get("/api/plans/..%2F..%2Fetc%2Fpasswd.yaml"), 404)


# ----------------------------------------------------------------------------- projections


def test_a_shipped_scenario_projects_to_the_cli_numbers(client: TestClient) -> None:
    from immiplan.outcomes import run_with_outcomes

    body = client.post("/api/project", json={"scenario": shipped("quebec-2019-plan")}).json()
    reform = body["reform"]
    expected = run_with_outcomes("quebec-2019-plan")
    indicators = expected.projection.indicators.set_index("year")
    recent = expected.table("landed_under_5").set_index("year")
    for year in (2018, 2030, 2066):
        assert at(reform, "population", year) == pytest.approx(indicators.loc[year, "population"])
        assert at(reform, "dependency_ratio", year) == pytest.approx(
            indicators.loc[year, "dependency_ratio"]
        )
        assert at(reform, "unemployment_rate_recent", year) == pytest.approx(
            recent.loc[year, "unemployment_rate"]
        )
    assert reform["sha256"] == hashlib.sha256(shipped("quebec-2019-plan").encode()).hexdigest()
    assert reform["yaml"] == shipped("quebec-2019-plan")
    assert reform["years"][0] == 2018 and reform["years"][-1] == 2066
    # the plans' levels: 40,000 in 2019, then the 2020-2022 plans, held
    admissions = reform["admissions"]
    assert admissions["total"][admissions["years"].index(2019)] == pytest.approx(40000)
    assert reform["given_through"] == 2022
    assert at(reform, "francization_cost", 2066) is None  # no flow after the horizon
    assert body["baseline"] is None and body["summary"] is None
    assert any(ref["publisher"] for ref in reform["references"])


def test_json_object_and_yaml_text_give_the_same_projection(client: TestClient) -> None:
    text = shipped("pq-proposal")
    as_object = client.get("/api/scenarios/pq-proposal").json()["scenario"]
    a = client.post("/api/project", json={"scenario": text, "horizon": 2040}).json()["reform"]
    b = client.post("/api/project", json={"scenario": as_object, "horizon": 2040}).json()["reform"]
    assert a["series"] == b["series"] and a["horizon"] == 2040
    # the object's YAML is itself a valid scenario file with the same content
    # (year keys are years again, as in the file)
    original, rebuilt = yaml.safe_load(text), yaml.safe_load(b["yaml"])
    for part in ("levels", "plans", "which"):
        assert rebuilt["immigration"].get(part) == original["immigration"].get(part)
    assert rebuilt["fertility"]["tfr"] == original["fertility"]["tfr"]


def test_an_edited_level_changes_the_numbers(client: TestClient) -> None:
    scenario = client.get("/api/scenarios/quebec-2019-plan").json()["scenario"]
    base = client.post("/api/project", json={"scenario": scenario}).json()["reform"]
    scenario["immigration"]["levels"] = {
        "2022": {"economic": 60000, "family": 10400, "refugees": 7200, "other": 450}
    }
    more = client.post("/api/project", json={"scenario": scenario}).json()["reform"]
    admissions = more["admissions"]
    assert admissions["economic"][admissions["years"].index(2022)] == 60000
    assert admissions["economic"][admissions["years"].index(2030)] == 60000  # held
    assert at(more, "population", 2066) > at(base, "population", 2066) + 500_000
    assert at(more, "francization_students", 2030) > at(base, "francization_students", 2030)


def test_baseline_and_summary_in_both_languages(client: TestClient) -> None:
    body = client.post(
        "/api/project",
        json={"scenario": shipped("pq-proposal"), "baseline": "quebec-2018-actual-held"},
    ).json()
    reform, baseline = body["reform"], body["baseline"]
    assert baseline["name"] == "quebec-2018-actual-held" and baseline["horizon"] == 2066
    assert at(reform, "population", 2066) < at(baseline, "population", 2066)
    assert "fewer people" in body["summary"]["en"][0]
    assert "habitants de moins" in body["summary"]["fr"][0]
    assert any("francisation" in s for s in body["summary"]["fr"])
    refusal(
        client.post("/api/project", json={"scenario": shipped("pq-proposal"), "baseline": "x"}),
        400,
    )


def test_results_are_cached_by_hash_and_version(app, client: TestClient) -> None:
    cache = app.state.cache
    text = shipped("no-immigration")
    client.post("/api/project", json={"scenario": text, "horizon": 2030})
    misses, hits = cache.misses, cache.hits
    again = client.post("/api/project", json={"scenario": text, "horizon": 2030})
    assert again.status_code == 200
    assert (cache.misses, cache.hits) == (misses, hits + 1)
    client.post("/api/project", json={"scenario": text + "\n# another text\n", "horizon": 2030})
    assert cache.misses == misses + 1  # another hash: computed anew


# ----------------------------------------------------------------------------- refusals


def _scenario(**changes: Any) -> dict[str, Any]:
    # as JSON carries it: dates as text, year keys as strings
    raw = json.loads(json.dumps(yaml.safe_load(shipped("quebec-2019-plan")), default=str))
    for dotted, value in changes.items():
        node = raw
        parts = dotted.split("__")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return raw


@pytest.mark.parametrize(
    ("body", "status", "field", "words"),
    [
        ({"scenario": "name: x", "extra": 1}, 422, "extra", "Extra inputs"),
        ({}, 422, "scenario", "Field required"),
        ({"scenario": 5}, 422, "scenario", ""),
        ({"scenario": ""}, 400, None, "empty"),
        ({"scenario": "name: [unclosed"}, 400, None, "malformed YAML at line"),
        ({"scenario": "- a list"}, 400, None, "must be a mapping"),
        ({"scenario": _scenario(surprise=1)}, 400, "surprise", "Extra inputs"),
        (
            {"scenario": _scenario(immigration__levels={2023: {"economic": -5}})},
            400,
            "immigration.levels.2023.economic",
            "greater than or equal to 0",
        ),
        ({"scenario": _scenario(horizon=2200)}, 400, "horizon", "at most 100 years"),
        ({"scenario": _scenario(horizon=2010)}, 400, "horizon", "after the base year"),
        (
            {"scenario": _scenario(immigration__plans=["/etc/passwd.yaml"])},
            400,
            "immigration.plans[0]",
            "shipped plans",
        ),
        (
            {"scenario": _scenario(selection={"scenario": "../../secret.yaml"})},
            400,
            "selection.scenario",
            "shipped ones",
        ),
        (
            {"scenario": _scenario(npr={"stock": {2030: 1e15}})},
            400,
            "npr.stock.2030",
            "numbers up to",
        ),
        ({"scenario": "a: &x [1]\nb: *x\n"}, 400, "b", "anchors and aliases"),
    ],
)
def test_bad_requests_get_one_line_naming_the_field(
    client: TestClient, body: dict[str, Any], status: int, field: str | None, words: str
) -> None:
    error = refusal(client.post("/api/project", json=body), status)
    assert error["error"]["field"] == field
    assert words in error["detail"]


def test_malformed_json_and_oversized_bodies(sqlite_url: str) -> None:
    small = create_app(Settings(database_url=sqlite_url, max_body_bytes=2000))
    with TestClient(small) as client:
        response = client.post(
            "/api/project", content=b"{not json", headers={"Content-Type": "application/json"}
        )
        assert "not valid JSON" in refusal(response, 422)["detail"]
        big = {"scenario": "# " + "x" * 5000}
        assert (
            "larger than the server accepts"
            in refusal(client.post("/api/project", json=big), 413)["detail"]
        )
        chunks = (b"x" * 1000 for _ in range(5))  # no Content-Length: counted as it streams
        refusal(client.post("/api/saved", content=chunks), 413)


def test_unknown_address_and_method(client: TestClient) -> None:
    refusal(client.get("/api/nothing-here"), 404)
    refusal(client.put("/api/project", json={}), 405)


# ----------------------------------------------------------------------------- cut and validate


def test_the_cut_moves_only_what_quebec_selects(client: TestClient) -> None:
    body = client.post(
        "/api/cut", json={"base": "2018 actual", "total": 40000, "regime": "accord-1991"}
    ).json()
    by = {row["category"]: row for row in body["by_category"]}
    assert by["total"]["new"] == 40000 and body["base_total"] == 51125
    assert by["family"]["selector"] == "federal" and by["family"]["change"] == 0
    assert by["economic"]["change_pct"] == pytest.approx(-31.2, abs=0.1)
    full = client.post(
        "/api/cut", json={"base": "2018 actual", "total": 40000, "regime": "quebec-control"}
    ).json()
    for row in full["by_category"]:
        if row["category"] in ("economic", "family", "refugees", "other"):
            assert row["change_pct"] == pytest.approx(-21.8, abs=0.3)
    error = refusal(client.post("/api/cut", json={"total": 5000}), 400)
    assert error["error"]["field"] == "total" and "cannot reach 5,000" in error["detail"]
    refusal(client.post("/api/cut", json={"total": 40000, "regime": "nope"}), 400)
    refusal(client.post("/api/cut", json={"total": 40000, "base": "/etc/x.yaml"}), 400)
    refusal(client.post("/api/cut", json={"total": -1}), 422)


def test_validate_a_plan(client: TestClient) -> None:
    text = (data_root() / "plans" / "quebec-2019.yaml").read_text(encoding="utf-8")
    good = client.post("/api/plans/validate", json={"plan": text}).json()
    assert good["valid"] and good["name"] == "quebec-2019" and not good["errors"]
    raw = yaml.safe_load(text)
    raw["years"][2019]["total"] = {"low": 42000, "high": 38000}
    bad = client.post("/api/plans/validate", json={"plan": yaml.safe_dump(raw)}).json()
    assert not bad["valid"]
    assert bad["errors"][0]["field"] == "years.2019.total.low"
    assert "upside down" in bad["errors"][0]["message"]
    refusal(client.post("/api/plans/validate", json={"plan": "years: [oops"}), 400)
    structural = refusal(
        client.post("/api/plans/validate", json={"plan": {"name": "p", "jurisdiction": "mars"}}),
        400,
    )
    assert structural["error"]["source"] == "plan"


# ----------------------------------------------------------------------------- saved scenarios


def test_save_load_list_delete(client: TestClient) -> None:
    text = shipped("liberal-2017-2019-plan")
    created = client.post("/api/saved", json={"scenario": text})
    assert created.status_code == 201
    saved = created.json()
    assert saved["sha256"] == hashlib.sha256(text.encode()).hexdigest()
    assert saved["url"].endswith(f"/?saved={saved['id']}")
    got = client.get(f"/api/saved/{saved['id']}").json()
    assert got["yaml"] == text and got["scenario"]["name"] == "liberal-2017-2019-plan"
    file = client.get(f"/api/saved/{saved['id']}/yaml")
    assert file.text == text and file.headers["content-type"].startswith("application/yaml")
    projection = client.get(f"/api/saved/{saved['id']}/projection").json()
    assert projection["sha256"] == saved["sha256"]
    assert [i["id"] for i in client.get("/api/saved").json()["items"]] == [saved["id"]]
    assert client.delete(f"/api/saved/{saved['id']}").status_code == 204
    refusal(client.get(f"/api/saved/{saved['id']}"), 404)
    refusal(client.delete(f"/api/saved/{saved['id']}"), 404)


def test_an_invalid_scenario_is_never_saved(client: TestClient) -> None:
    refusal(client.post("/api/saved", json={"scenario": "name: only-a-name"}), 400)
    assert client.get("/api/saved").json()["items"] == []


def test_writes_need_the_token_reads_by_id_do_not(sqlite_url: str) -> None:
    app = create_app(Settings(database_url=sqlite_url, token="s3cret-token"))
    with TestClient(app) as client:
        assert client.get("/api/health").json()["writes"] == "token"
        body = {"scenario": shipped("pq-proposal")}
        denied = client.post("/api/saved", json=body)
        assert refusal(denied, 401)["error"]["field"] == "Authorization"
        assert denied.headers["www-authenticate"] == "Bearer"
        refusal(client.post("/api/saved", json=body, headers={"Authorization": "Bearer nope"}), 401)
        auth = {"Authorization": "Bearer s3cret-token"}
        saved = client.post("/api/saved", json=body, headers=auth).json()
        assert client.get(f"/api/saved/{saved['id']}").status_code == 200  # public by id
        refusal(client.get("/api/saved"), 401)  # the list is not public
        assert client.get("/api/saved", headers=auth).status_code == 200
        refusal(client.delete(f"/api/saved/{saved['id']}"), 401)
        assert client.delete(f"/api/saved/{saved['id']}", headers=auth).status_code == 204


def test_cors_is_closed_by_default(client: TestClient) -> None:
    response = client.get("/api/health", headers={"Origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in response.headers
    preflight = client.options(
        "/api/saved",
        headers={"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in preflight.headers
    assert response.headers["x-content-type-options"] == "nosniff"


def test_the_page_and_its_scripts_are_served_offline(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "planner.js" in page.text
    assert "http" not in page.text.split("<body>")[0].replace("http-equiv", "")  # no CDN
    for path in ("/static/planner.js", "/static/planner.css", "/static/vega/vega-lite.min.js"):
        assert client.get(path).status_code == 200
    schema = client.get("/openapi.json").json()
    assert {"/api/project", "/api/cut", "/api/saved", "/api/plans/validate"} <= set(schema["paths"])


# ----------------------------------------------------------------------------- settings and CLI


def test_serve_refuses_open_writes_beyond_loopback(monkeypatch, capsys) -> None:
    from immiplan.cli import main

    monkeypatch.delenv("IMMIPLAN_TOKEN", raising=False)
    assert main(["serve", "--host", "0.0.0.0"]) == 2
    message = capsys.readouterr().err
    assert "127.0.0.1 only" in message and "--allow-anonymous-writes" in message


def test_database_urls() -> None:
    from immiplan.errors import InputError
    from immiplan.server.settings import Settings, normalise_url

    assert normalise_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("sqlite:///x.db") == "sqlite:///x.db"
    assert normalise_url("/tmp/a.db") == "sqlite:////tmp/a.db"
    with pytest.raises(InputError):
        normalise_url("mysql://u@h/db")
    env = {"IMMIPLAN_DATABASE_URL": "postgres://a@b/c", "IMMIPLAN_TOKEN": "t"}
    settings = Settings.from_environment(environ=env)
    assert settings.database_url == "postgresql+psycopg://a@b/c" and settings.token == "t"
    assert Settings.from_environment(database="sqlite:///y.db", environ=env).database_url == (
        "sqlite:///y.db"
    )
    assert "immiplan" in Settings.from_environment(environ={}).database_url


def test_worker_processes_give_the_same_answers(sqlite_url: str, client: TestClient) -> None:
    """``immiplan serve`` projects in worker processes: same numbers, same refusals."""
    text = shipped("pq-proposal")
    in_thread = client.post("/api/project", json={"scenario": text, "horizon": 2030}).json()
    app = create_app(Settings(database_url=sqlite_url, workers=1))
    with TestClient(app) as pooled:
        answer = pooled.post("/api/project", json={"scenario": text, "horizon": 2030}).json()
        assert answer["reform"]["series"] == in_thread["reform"]["series"]
        emptied = _scenario(migration={"emigration_multiplier": {2018: 20.0}})
        refused = pooled.post("/api/project", json={"scenario": emptied})
        same = client.post("/api/project", json={"scenario": emptied})
        assert refused.status_code == same.status_code
        assert refused.json() == same.json()
