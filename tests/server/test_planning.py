"""Starting points on every base, "what level does this target need", fan charts, /docs offline."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from immiplan.ensembles.model import calibrate
from immiplan.ensembles.run import ensemble_base, run_ensemble
from immiplan.plans.catalog import load_plan
from immiplan.projection.loading import load_scenario
from immiplan.projection.prepare import prepare
from immiplan.solver import solve


def refusal(response, status: int) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"detail", "error"}
    assert "Traceback" not in response.text and "\n" not in body["detail"]
    return body


# ----------------------------------------------------------------------------- bases


def test_both_bases_are_offered_and_a_2023_scenario_projects(client: TestClient) -> None:
    bases = client.get("/api/bases").json()
    assert {"quebec-2018", "quebec-2023"} <= set(bases["bases"])
    assert bases["field"] == "base"
    detail = client.get("/api/scenarios/quebec-2023-isq-reference").json()
    assert detail["scenario"]["base"] == "quebec-2023"
    answer = client.post("/api/project", json={"scenario": detail["yaml"], "horizon": 2030}).json()
    reform = answer["reform"]
    assert reform["years"][0] >= 2023  # projected from the 2023 base, not from 2018
    assert all(p > 8_000_000 for p in reform["series"]["population"])


def test_plans_since_2019_start_from_the_latest_base_before_them(client: TestClient) -> None:
    plans = {p["name"]: p for p in client.get("/api/plans").json()["plans"]}
    # The 2018 plan precedes every base: history, not a starting point.
    assert plans["quebec-2018"]["starting_scenario"] is None
    assert plans["quebec-2020-2022"]["starting_scenario"] is None  # no total for 2021
    assert plans["quebec-2019"]["starting_scenario"] == "quebec-2019-plan"
    assert plans["quebec-2023"]["starting_scenario"] == "quebec-2019-plan"
    assert plans["quebec-2025"]["starting_scenario"] == "quebec-2023-isq-reference"
    assert plans["quebec-2026-2029"]["starting_scenario"] == "quebec-2023-isq-reference"
    # A plan that gives only totals starts after the latest plan that gives the mix.
    assert plans["quebec-2026-2029"]["starting_plans"][-1] == "quebec-2026-2029"
    assert plans["quebec-2019"]["starting_plans"] == ["quebec-2019"]
    # Every starting point the page offers projects on its base.
    for plan in plans.values():
        if plan["jurisdiction"] != "quebec" or plan["starting_scenario"] is None:
            continue
        start = client.get(f"/api/scenarios/{plan['starting_scenario']}").json()["scenario"]
        start["name"] = "plan-" + plan["name"]
        start["immigration"] = {"which": "target", "plans": plan["starting_plans"]}
        last = max(plan["years"])
        response = client.post("/api/project", json={"scenario": start, "horizon": last + 1})
        assert response.status_code == 200, (plan["name"], response.text)
        admissions = response.json()["reform"]["admissions"]
        total = admissions["total"][admissions["years"].index(last)]
        # Admissions count every admission: the lines outside a cap too.
        published = load_plan(plan["name"]).total(last, include_outside=True)
        assert published is not None and abs(total - published) < 1, plan["name"]


# ----------------------------------------------------------------------------- solve


def test_solve_gives_the_solver_s_answer(client: TestClient) -> None:
    target = "population_20_64 >= population_20_64[base]"
    body = {"targets": [target], "base": "quebec-2018", "first": 2019, "last": 2040}
    response = client.post("/api/solve", json=body)
    assert response.status_code == 200, response.text
    answer = response.json()
    direct = solve([target], base="quebec-2018", years=(2019, 2040))
    assert answer["status"] == "met"
    assert answer["years"] == [2019, 2040]
    assert answer["constant_level"] == direct.constant_level
    assert answer["targets"][0]["holds"] is True
    # The answer meets the target within the forward projection's check.
    assert answer["verification"]["max_relative_error"] < 1e-6
    assert answer["summary"] and answer["summary_fr"] and answer["summary"] != answer["summary_fr"]
    assert client.post("/api/solve", json=body).json() == answer  # remembered


def test_a_target_out_of_reach_is_answered_plainly(client: TestClient) -> None:
    body = {
        "targets": ["population_20_64 >= 2 * population_20_64[base]"],
        "first": 2019,
        "last": 2030,
    }
    response = client.post("/api/solve", json=body)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["status"] == "infeasible"
    assert answer["targets"][0]["holds"] is False
    assert answer["summary"][0].startswith("No level")


def test_bad_targets_get_the_cli_s_one_line_messages(client: TestClient) -> None:
    body = refusal(client.post("/api/solve", json={"targets": ["popx >= 1"]}), 400)
    assert body["error"]["field"] == "--target" and body["error"]["value"] == "popx"
    assert "unknown indicator" in body["detail"]
    body = refusal(client.post("/api/solve", json={"targets": ["population >="]}), 400)
    assert body["error"]["field"] == "--target"
    body = refusal(
        client.post("/api/solve", json={"targets": ["population >= 1"], "base": "mars-2020"}),
        400,
    )
    assert body["error"]["value"] == "mars-2020" and "unknown base" in body["detail"]
    body = refusal(
        client.post(
            "/api/solve", json={"targets": ["population >= 1"], "first": 2040, "last": 2030}
        ),
        400,
    )
    assert "backwards" in body["detail"]
    body = refusal(
        client.post(
            "/api/solve", json={"targets": ["population >= 1"], "first": 2019, "last": 2300}
        ),
        400,
    )
    assert "at most 100 years" in body["detail"]
    # a plan for the mix is a shipped one: the server reads no file a request names
    body = refusal(
        client.post("/api/solve", json={"targets": ["population >= 1"], "mix": "plan:/etc/passwd"}),
        400,
    )
    assert body["error"]["field"] == "--mix" and "shipped plans" in body["detail"]
    refusal(client.post("/api/solve", json={"targets": ["population >= 1"] * 6}), 422)
    refusal(client.post("/api/solve", json={"targets": []}), 422)


# ----------------------------------------------------------------------------- fan


def test_the_fan_is_the_seeded_ensemble(client: TestClient) -> None:
    body = {"scenario": "quebec-2019-plan", "horizon": 2040, "trajectories": 40, "seed": 7}
    # A shipped scenario's name is not YAML text of a scenario: send its text.
    body["scenario"] = client.get("/api/scenarios/quebec-2019-plan").json()["yaml"]
    response = client.post("/api/fan", json=body)
    assert response.status_code == 200, response.text
    fan = response.json()
    assert fan["trajectories"] == 40 and fan["seed"] == 7
    assert fan["years"][0] == 2018 and fan["years"][-1] == 2040
    population = fan["series"]["population"]
    q = population["quantiles"]
    for year in range(len(fan["years"])):
        values = [q[k][year] for k in ("0.025", "0.1", "0.5", "0.9", "0.975")]
        assert values == sorted(values)  # the bands nest
    assert q["0.025"][-1] < q["0.975"][-1]  # the future is uncertain
    assert q["0.025"][0] == q["0.975"][0]  # the base year is not
    # The same trajectories as the ensembles package with the same seed.
    model = calibrate().model
    prepared = prepare(load_scenario("quebec-2019-plan"), horizon=2040)
    result = run_ensemble(
        ensemble_base(prepared, outcomes=False, model=model), model, trajectories=40, seed=7
    )
    import numpy as np

    median = np.quantile(result.values[:, -1, result.indicators.index("population")], 0.5)
    assert abs(q["0.5"][-1] - median) <= 1e-6 * median
    again = client.post("/api/fan", json={**body, "seed": 8}).json()
    assert again["series"]["population"]["quantiles"]["0.5"] != q["0.5"]


def test_the_fan_s_work_is_bounded(client: TestClient) -> None:
    text = client.get("/api/scenarios/quebec-2019-plan").json()["yaml"]
    refusal(client.post("/api/fan", json={"scenario": text, "trajectories": 501}), 422)
    refusal(client.post("/api/fan", json={"scenario": text, "trajectories": 0}), 422)
    body = refusal(
        client.post("/api/fan", json={"scenario": text, "trajectories": 500, "horizon": 2100}),
        400,
    )
    assert "trajectory-years" in body["detail"] and body["error"]["field"] == "trajectories"
    body = refusal(client.post("/api/fan", json={"scenario": "horizon: 1900"}), 400)
    assert body["error"]["field"]


# ----------------------------------------------------------------------------- /docs


def test_the_api_docs_load_with_no_network(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert re.findall(r"https?://\S+", page.text) == []  # no asset from another host
    assert '"validatorUrl": null' in page.text  # no call to Swagger's validator either
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "http" not in policy
    assets = re.findall(r"""["']([^"']*swagger-ui[^"']*\.(?:js|css))["']""", page.text)
    assert len(assets) >= 2, page.text
    for asset in assets:
        fetched = client.get(asset)
        assert fetched.status_code == 200 and len(fetched.content) > 10_000, asset


# ----------------------------------------------------------------------------- strict numbers


def test_a_number_given_as_text_is_refused(client: TestClient) -> None:
    scenario = client.get("/api/scenarios/quebec-2019-plan").json()["scenario"]
    scenario["fertility"]["tfr"] = {"2018": "1.6"}
    body = refusal(client.post("/api/project", json={"scenario": scenario}), 400)
    assert body["error"]["field"] == "fertility.tfr.2018" and body["error"]["value"] == "1.6"
    scenario["fertility"]["tfr"] = {"2018": 1.6}
    scenario["mortality"]["e0"]["female"] = {"2018": "84"}
    body = refusal(client.post("/api/project", json={"scenario": scenario}), 400)
    assert body["error"]["field"] == "mortality.e0.female.2018"
