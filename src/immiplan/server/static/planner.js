/* immiplan planner: vanilla JS over the JSON API (/api), charts with the vendored Vega-Lite. */
"use strict";
(function () {
  const CATS = ["economic", "family", "refugees", "other"];
  const T = {
    en: {
      skip: "Skip to the results", heading: "Immigration levels planner", your_plan: "Your plan",
      start_from: "Start from", open_saved: "…or open a saved scenario (id)", open: "Open",
      baseline: "Compare with (baseline)", base: "Base population", title: "Title of your plan",
      horizon: "Horizon (last year)", levels: "Admissions by category and year (persons)",
      levels_hint: "Type a level: the year's plan is replaced by your numbers. Later years hold the last year, or follow the path below.",
      path_from: "From", path_total: "total a year", apply: "Apply",
      cut_tool: "Cut or raise the total under a regime", regime: "Who selects (regime)",
      cut_base: "Starting levels", cut_total: "New total", cut_from: "Use these levels from",
      others: "Temporary residents, fertility, life expectancy",
      path_hint: "A path is “year: value” pairs separated by “;”, straight lines between the years, held before and after.",
      npr: "Non-permanent residents (stock on 1 July)", npr_hold: "held at the base year's stock",
      npr_closed: "no new arrivals (closed)", npr_path: "a stock path", npr_stock: "Stock path (persons)",
      tfr: "Total fertility rate (children per woman)", e0_female: "Life expectancy at birth, women (years)",
      e0_male: "Life expectancy at birth, men (years)", results: "What it does",
      share: "Save, share, reproduce", token: "Write token", save: "Save and get a link",
      download_yaml: "Download the scenario (YAML)", share_link: "Share link",
      reproduce: "Reproduce in Python or on the command line", table_year: "Year shown in the table",
      footer: "Years run from 1 July to 30 June. Method and sources: docs/projection.md and docs/outcomes.md of immiplan. API: /docs.",
      year: "Year", total: "Total", economic: "Economic", family: "Family", refugees: "Refugees", other: "Other",
      shipped: "Shipped scenarios", plans: "Published plans (levels held after their years)", computing: "Computing…", updated: "Updated: {ms} ms.",
      your: "Your plan", indicator: "Indicator", difference: "Difference",
      caption: "Your plan against the baseline in {year}", saved_as: "Saved as {id}.",
      edited: " (edited)", csv: "CSV", svg: "SVG", png: "PNG", selects: "Who selects",
      province: "Quebec selects", federal: "Ottawa selects: cannot move", mixed: "partly Ottawa",
      base_level: "Base", new_level: "New", change: "Change", sources: "Sources of this scenario",
      bad_path: "Write “year: value; year: value”.", none: "—", baseline_label: "Baseline",
      copy: "Copy", copied: "Copied.",
      solve_title: "What level does this target need?",
      solve_hint: "The province's level a year that meets the target on the base population above, with that base's reference assumptions, under the regime chosen above (Ottawa's categories keep their path). docs/solve.md lists the indicators.",
      solve_target: "Target", solve_last: "until", solve_shape: "level", solve_constant: "constant",
      solve_path: "one a year", solve_run: "Solve", solve_apply: "Use these levels in my plan",
      solving: "Solving…", solve_met: "Met", solve_infeasible: "Out of reach (closest answer)",
      controlled: "Province's level", all_admissions: "All admissions",
      fan_title: "Uncertainty: fan chart",
      fan_hint: "Fertility, life expectancy and admissions drawn at random around your plan, as calibrated in docs/uncertainty.md; the bands hold 80 % and 95 % of the trajectories.",
      fan_indicator: "Indicator", fan_trajectories: "trajectories", fan_seed: "seed", fan_run: "Draw the fan chart",
      fan_running: "Drawing {n} trajectories…", fan_done: "{n} trajectories, seed {seed}.",
      fan_median: "Median", fan_central: "Your plan (no randomness)", fan_80: "80 % of trajectories", fan_95: "95 % of trajectories",
      population_20_64: "Population aged 20–64", dependency_ratio_fan: "Dependency ratio (0–19 and 65+ per 100 aged 20–64)",
      population_fan: "Population", population_65_plus_fan: "Population aged 65 and over",
    },
    fr: {
      skip: "Aller aux résultats", heading: "Planificateur des niveaux d'immigration", your_plan: "Votre plan",
      start_from: "Partir de", open_saved: "…ou ouvrir un scénario enregistré (identifiant)", open: "Ouvrir",
      baseline: "Comparer avec (référence)", base: "Population de départ", title: "Titre de votre plan",
      horizon: "Horizon (dernière année)", levels: "Admissions par catégorie et par année (personnes)",
      levels_hint: "Tapez un niveau : le plan de l'année est remplacé par vos chiffres. Les années suivantes gardent la dernière année, ou suivent le parcours ci-dessous.",
      path_from: "À partir de", path_total: "total par année", apply: "Appliquer",
      cut_tool: "Réduire ou hausser le total selon un régime", regime: "Qui sélectionne (régime)",
      cut_base: "Niveaux de départ", cut_total: "Nouveau total", cut_from: "Utiliser ces niveaux à partir de",
      others: "Résidents temporaires, fécondité, espérance de vie",
      path_hint: "Un parcours est une suite de paires « année : valeur » séparées par « ; », en ligne droite entre les années, maintenu avant et après.",
      npr: "Résidents non permanents (effectif au 1er juillet)", npr_hold: "maintenus à l'effectif de départ",
      npr_closed: "aucune nouvelle arrivée (fermé)", npr_path: "un parcours de l'effectif", npr_stock: "Parcours de l'effectif (personnes)",
      tfr: "Indice synthétique de fécondité (enfants par femme)", e0_female: "Espérance de vie à la naissance, femmes (années)",
      e0_male: "Espérance de vie à la naissance, hommes (années)", results: "Ce que cela donne",
      share: "Enregistrer, partager, reproduire", token: "Jeton d'écriture", save: "Enregistrer et obtenir un lien",
      download_yaml: "Télécharger le scénario (YAML)", share_link: "Lien de partage",
      reproduce: "Reproduire en Python ou en ligne de commande", table_year: "Année du tableau",
      footer: "Les années vont du 1er juillet au 30 juin. Méthode et sources : docs/projection.md et docs/outcomes.md d'immiplan. API : /docs.",
      year: "Année", total: "Total", economic: "Économique", family: "Famille", refugees: "Réfugiés", other: "Autres",
      shipped: "Scénarios fournis", plans: "Plans publiés (niveaux maintenus ensuite)", computing: "Calcul…", updated: "Mis à jour : {ms} ms.",
      your: "Votre plan", indicator: "Indicateur", difference: "Écart",
      caption: "Votre plan comparé à la référence en {year}", saved_as: "Enregistré sous {id}.",
      edited: " (modifié)", csv: "CSV", svg: "SVG", png: "PNG", selects: "Qui sélectionne",
      province: "Le Québec sélectionne", federal: "Ottawa sélectionne : ne bouge pas", mixed: "en partie Ottawa",
      base_level: "Départ", new_level: "Nouveau", change: "Variation", sources: "Sources de ce scénario",
      bad_path: "Écrivez « année : valeur; année : valeur ».", none: "—", baseline_label: "Référence",
      copy: "Copier", copied: "Copié.",
      solve_title: "Quel niveau cette cible demande-t-elle ?",
      solve_hint: "Le niveau annuel de la province qui atteint la cible sur la population de départ choisie plus haut, avec les hypothèses de référence de cette base, selon le régime choisi plus haut (les catégories d'Ottawa gardent leur parcours). docs/solve.md donne les indicateurs.",
      solve_target: "Cible", solve_last: "jusqu'en", solve_shape: "niveau", solve_constant: "constant",
      solve_path: "un par année", solve_run: "Résoudre", solve_apply: "Utiliser ces niveaux dans mon plan",
      solving: "Résolution…", solve_met: "Atteinte", solve_infeasible: "Hors d'atteinte (réponse la plus proche)",
      controlled: "Niveau de la province", all_admissions: "Toutes les admissions",
      fan_title: "Incertitude : éventail",
      fan_hint: "Fécondité, espérance de vie et admissions tirées au hasard autour de votre plan, calibrées comme dans docs/uncertainty.md ; les bandes contiennent 80 % et 95 % des trajectoires.",
      fan_indicator: "Indicateur", fan_trajectories: "trajectoires", fan_seed: "graine", fan_run: "Tracer l'éventail",
      fan_running: "Calcul de {n} trajectoires…", fan_done: "{n} trajectoires, graine {seed}.",
      fan_median: "Médiane", fan_central: "Votre plan (sans aléa)", fan_80: "80 % des trajectoires", fan_95: "95 % des trajectoires",
      population_20_64: "Population de 20 à 64 ans", dependency_ratio_fan: "Rapport de dépendance (0-19 et 65+ pour 100 personnes de 20 à 64 ans)",
      population_fan: "Population", population_65_plus_fan: "Population de 65 ans et plus",
    },
  };
  const FAN = [
    ["population", "population_fan"], ["population_20_64", "population_20_64"],
    ["population_65_plus", "population_65_plus_fan"], ["dependency_ratio", "dependency_ratio_fan"],
  ];
  const CHARTS = [
    ["population"], ["working_age_20_64"], ["population_65_plus"], ["dependency_ratio"],
    ["french_share_all"], ["french_share_recent"], ["labour_force_recent"],
    ["unemployment_rate_recent"], ["francization_students"], ["francization_cost"],
  ];
  const TABLE_ROWS = [
    "population", "working_age_20_64", "population_65_plus", "share_65_plus", "dependency_ratio",
    "french_share_all", "french_share_recent", "labour_force_recent", "unemployment_rate_recent",
    "francization_students", "francization_cost", "immigrants",
  ];

  const $ = (id) => document.getElementById(id);
  const state = {
    lang: "en", scenario: null, origin: null, baseline: null, result: null, info: {},
    regimes: [], plans: [], edited: false, savedId: null, token: "", seq: 0, cutSeq: 0,
    views: {}, health: null,
  };
  window.planner = state;

  function t(key, values) {
    let text = (T[state.lang] && T[state.lang][key]) || T.en[key] || key;
    for (const [k, v] of Object.entries(values || {})) text = text.replace("{" + k + "}", v);
    return text;
  }

  // ---------------------------------------------------------------- numbers
  function fmt(value, unit, signed) {
    if (value === null || value === undefined || !isFinite(value)) return t("none");
    const loc = state.lang === "fr" ? "fr-CA" : "en-CA";
    const sign = signed && value > 0 ? "+" : "";
    if (unit === "share") {
      const pct = (value * 100).toLocaleString(loc, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
      return sign + pct + (signed ? (state.lang === "fr" ? " pt" : " pt") : (state.lang === "fr" ? " %" : "%"));
    }
    if (unit === "dollars_per_year") {
      const m = (value / 1e6).toLocaleString(loc, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
      return state.lang === "fr" ? sign + m + " M$" : sign + "$" + m + "M";
    }
    if (unit === "years" || unit === "per_100") {
      return sign + value.toLocaleString(loc, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
    }
    return sign + Math.round(value).toLocaleString(loc);
  }
  function plainNumber(text) {
    const cleaned = String(text).replace(/[\s\u00a0\u202f]/g, "").replace(",", ".");
    if (!/^-?\d+(\.\d+)?$/.test(cleaned)) return null;
    return Number(cleaned);
  }
  function parsePath(text) {
    const out = {};
    const parts = String(text).split(/[;\n]/).map((p) => p.trim()).filter(Boolean);
    if (!parts.length) return null;
    for (const part of parts) {
      const m = part.match(/^(\d{4})\s*:\s*(.+)$/);
      if (!m) return null;
      const v = plainNumber(m[2]);
      if (v === null) return null;
      out[m[1]] = v;
    }
    return out;
  }
  function showPath(path) {
    if (!path || typeof path !== "object") return "";
    const loc = state.lang === "fr" ? "fr-CA" : "en-CA";
    return Object.entries(path)
      .map(([y, v]) => y + ": " + Number(v).toLocaleString(loc, { maximumFractionDigits: 6, useGrouping: false }))
      .join("; ");
  }

  // ---------------------------------------------------------------- API
  async function api(path, options) {
    const response = await fetch(path, options);
    const text = await response.text();
    let body = null;
    try { body = text ? JSON.parse(text) : null; } catch (e) { body = null; }
    if (!response.ok) {
      const message = body && body.detail ? body.detail : response.status + " " + response.statusText;
      const error = new Error(message);
      error.status = response.status;
      throw error;
    }
    return body;
  }
  function post(path, payload, signal) {
    const headers = { "Content-Type": "application/json" };
    if (state.token) headers.Authorization = "Bearer " + state.token;
    return api(path, { method: "POST", headers, body: JSON.stringify(payload), signal });
  }

  // ---------------------------------------------------------------- editing the scenario
  function markEdited() {
    if (state.edited) return;
    state.edited = true;
    const sc = state.scenario;
    if (!/-edited$/.test(sc.name)) sc.name = sc.name + "-edited";
    const titles = typeof sc.title === "object" && sc.title ? sc.title : { en: sc.title || sc.name, fr: sc.title || sc.name };
    if ($("title").dataset.touched !== "1") {
      const en = titles.en || titles.fr;
      const fr = titles.fr || titles.en;
      sc.title = {
        en: en.endsWith(T.en.edited) ? en : en + T.en.edited,
        fr: fr.endsWith(T.fr.edited) ? fr : fr + T.fr.edited,
      };
      $("title").value = sc.title[state.lang];
    }
  }
  function changed() {
    markEdited();
    if (state.savedId) {
      // the page no longer shows the saved scenario: its link would not reproduce it
      state.savedId = null;
      $("share-result").textContent = "";
      renderShare();
    }
    schedule();
  }
  function immigration() {
    const sc = state.scenario;
    sc.immigration = sc.immigration || {};
    return sc.immigration;
  }
  function admissionsOf(year) {
    const a = state.result && state.result.reform.admissions;
    if (!a) return null;
    const i = a.years.indexOf(year);
    if (i < 0) return null;
    const out = {};
    for (const c of CATS) out[c] = a[c][i];
    return out;
  }
  function setLevel(year, category, value) {
    const imm = immigration();
    imm.levels = imm.levels || {};
    const current = imm.levels[year] || admissionsOf(year) || { economic: 0, family: 0, refugees: 0, other: 0 };
    const next = {};
    for (const c of CATS) next[c] = Math.round(Number(current[c]) || 0);
    next[category] = value;
    imm.levels[year] = next;
    imm.none = false;
  }
  function lastEditableYear() {
    const r = state.result && state.result.reform;
    if (!r) return null;
    const first = r.base_year + 1;
    return Math.min(Math.max(r.given_through || first, first), r.horizon);
  }
  function applyPath(fromYear, total) {
    const r = state.result.reform;
    const last = lastEditableYear();
    const imm = immigration();
    for (let y = fromYear; y <= last; y++) {
      const a = admissionsOf(y);
      if (!a) continue;
      const sum = CATS.reduce((s, c) => s + a[c], 0) || 1;
      imm.levels = imm.levels || {};
      const row = {};
      for (const c of CATS) row[c] = Math.round((total * a[c]) / sum);
      imm.levels[y] = row;
    }
    const held = admissionsOf(last);
    if (held) {
      const sum = CATS.reduce((s, c) => s + held[c], 0);
      imm.mix = {};
      for (const c of CATS) imm.mix[c] = sum > 0 ? Number((held[c] / sum).toFixed(6)) : 0.25;
      const heldTotal = sum;
      if (fromYear > last + 1) imm.path = { [fromYear - 1]: Math.round(heldTotal), [fromYear]: total };
      else imm.path = { [Math.max(fromYear, last + 1)]: total };
    }
    imm.none = false;
    void r;
  }

  // ---------------------------------------------------------------- projection
  let timer = null;
  let controller = null;
  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(run, delay === undefined ? 350 : delay);
  }
  async function run() {
    if (!state.scenario) return;
    if (controller) controller.abort();
    controller = new AbortController();
    const seq = ++state.seq;
    const started = performance.now();
    $("status").textContent = t("computing");
    try {
      const body = await post("api/project", { scenario: state.scenario, baseline: state.baseline }, controller.signal);
      if (seq !== state.seq) return;
      state.result = body;
      $("error").textContent = "";
      render();
      $("status").textContent = t("updated", { ms: Math.round(performance.now() - started) });
      document.body.dataset.seq = String(seq);
      document.body.dataset.sha = body.reform.sha256;
    } catch (e) {
      if (e.name === "AbortError") return;
      if (seq !== state.seq) return;
      $("status").textContent = "";
      $("error").textContent = e.message;
    }
    updateUrl();
  }

  // ---------------------------------------------------------------- rendering
  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "text") node.textContent = v;
      else if (k === "class") node.className = v;
      else node.setAttribute(k, v);
    }
    for (const c of children || []) node.append(c);
    return node;
  }
  function label(key) {
    const info = state.info[key];
    return info ? info[state.lang] : key;
  }
  function render() {
    renderLevels();
    renderSummary();
    renderTable();
    renderCharts();
    renderShare();
    renderSources();
  }
  function renderLevels() {
    const r = state.result.reform;
    const table = $("levels-table");
    const focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.cell : null;
    table.replaceChildren();
    const head = el("tr", {}, [el("th", { scope: "col", text: t("year") })]);
    for (const c of CATS) head.append(el("th", { scope: "col", text: t(c) }));
    head.append(el("th", { scope: "col", text: t("total") }));
    table.append(el("thead", {}, [head]));
    const body = el("tbody");
    const last = lastEditableYear();
    for (let y = r.base_year + 1; y <= last; y++) {
      const a = admissionsOf(y);
      if (!a) continue;
      const row = el("tr", {}, [el("th", { scope: "row", text: String(y) })]);
      let sum = 0;
      for (const c of CATS) {
        const input = el("input", {
          type: "number", min: "0", step: "100", value: String(Math.round(a[c])),
          "aria-label": t(c) + " " + y, "data-year": String(y), "data-category": c, "data-cell": y + "-" + c,
        });
        input.addEventListener("input", () => {
          const v = plainNumber(input.value);
          if (v === null || v < 0) return;
          setLevel(y, c, v);
          changed();
        });
        row.append(el("td", {}, [input]));
        sum += a[c];
      }
      row.append(el("td", { class: "total", text: fmt(sum, "persons"), "data-year": String(y) }));
      body.append(row);
    }
    table.append(body);
    if (focused) {
      const again = table.querySelector('[data-cell="' + focused + '"]');
      if (again) { again.focus(); const len = again.value.length; try { again.setSelectionRange(len, len); } catch (e) { /* number inputs */ } }
    }
    if (!$("path-year").value) $("path-year").value = String(last + 1);
    if (!$("cut-from").value) $("cut-from").value = String(r.base_year + 1);
  }
  function renderSummary() {
    const box = $("summary");
    box.replaceChildren();
    const s = state.result.summary;
    if (!s) return;
    for (const sentence of s[state.lang]) box.append(el("p", { text: sentence }));
  }
  function seriesAt(projection, key, year) {
    if (!projection || !projection.series[key]) return null;
    const i = projection.years.indexOf(year);
    return i < 0 ? null : projection.series[key][i];
  }
  function renderTable() {
    const { reform, baseline } = state.result;
    const select = $("table-year");
    const wanted = Number(select.value) || reform.horizon;
    select.replaceChildren();
    for (const y of reform.years) select.append(el("option", { value: String(y), text: String(y) }));
    const year = reform.years.includes(wanted) ? wanted : reform.horizon;
    select.value = String(year);
    const table = $("results-table");
    table.replaceChildren(el("caption", { id: "results-caption", text: t("caption", { year }) }));
    const head = el("tr", {}, [el("th", { scope: "col", text: t("indicator") }), el("th", { scope: "col", text: t("your") })]);
    if (baseline) {
      head.append(el("th", { scope: "col", text: t("baseline_label") }));
      head.append(el("th", { scope: "col", text: t("difference") }));
    }
    table.append(el("thead", {}, [head]));
    const body = el("tbody");
    for (const key of TABLE_ROWS) {
      if (!reform.series[key]) continue;
      const unit = state.info[key] ? state.info[key].unit : "persons";
      // A flow runs from 1 July of its year: the horizon has none, show the year before.
      const isFlow = unit === "persons_per_year" || unit === "dollars_per_year";
      const at = isFlow && seriesAt(reform, key, year) === null ? year - 1 : year;
      const value = seriesAt(reform, key, at);
      const name = label(key) + (at !== year ? " (" + at + "–" + String(year).slice(2) + ")" : "");
      const row = el("tr", { "data-indicator": key, "data-year": String(at) }, [el("th", { scope: "row", text: name })]);
      row.append(el("td", { text: fmt(value, unit), "data-value": value === null ? "" : String(value), "data-role": "reform" }));
      if (baseline) {
        const ref = seriesAt(baseline, key, at);
        row.append(el("td", { text: fmt(ref, unit), "data-value": ref === null ? "" : String(ref), "data-role": "baseline" }));
        const diff = value !== null && ref !== null ? value - ref : null;
        row.append(el("td", { text: fmt(diff, unit, true), "data-role": "difference" }));
      }
      body.append(row);
    }
    table.append(body);
  }
  function chartRows(key) {
    const { reform, baseline } = state.result;
    const rows = [];
    const names = [[reform, t("your")], [baseline, t("baseline_label")]];
    for (const [p, name] of names) {
      if (!p || !p.series[key]) continue;
      p.years.forEach((y, i) => {
        const v = p.series[key][i];
        if (v !== null) rows.push({ year: y, scenario: name, value: v });
      });
    }
    return rows;
  }
  function yFormat(unit) {
    if (unit === "share") return ".1%";
    if (unit === "dollars_per_year") return "$.3s";
    if (unit === "years" || unit === "per_100") return ".1f";
    return ",.0f";
  }
  function spec(key, rows) {
    const unit = state.info[key] ? state.info[key].unit : "persons";
    return {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      width: "container", height: 200, autosize: { type: "fit", contains: "padding" },
      data: { name: "table", values: rows },
      mark: { type: "line", strokeWidth: 2 },
      encoding: {
        x: { field: "year", type: "quantitative", title: null, axis: { format: "d", tickMinStep: 1 } },
        y: { field: "value", type: "quantitative", title: null, scale: { zero: false }, axis: { format: yFormat(unit) } },
        color: {
          field: "scenario", type: "nominal", title: null,
          scale: { domain: [t("your"), t("baseline_label")], range: ["#c4461b", "#4a5a78"] },
          legend: { orient: "bottom" },
        },
        strokeDash: {
          field: "scenario", type: "nominal", title: null,
          scale: { domain: [t("your"), t("baseline_label")], range: [[1, 0], [5, 3]] },
          legend: { orient: "bottom" },
        },
        tooltip: [
          { field: "scenario", type: "nominal" }, { field: "year", type: "quantitative", format: "d" },
          { field: "value", type: "quantitative", format: yFormat(unit) },
        ],
      },
    };
  }
  function download(name, blob) {
    const url = URL.createObjectURL(blob);
    const a = el("a", { href: url, download: name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 5000);
  }
  function csvOf(key, rows) {
    const lines = ["year,scenario,indicator,value"];
    for (const r of rows) lines.push([r.year, '"' + r.scenario.replace(/"/g, '""') + '"', key, r.value].join(","));
    return lines.join("\n") + "\n";
  }
  function renderCharts() {
    const box = $("charts");
    for (const [key] of CHARTS) {
      if (!state.result.reform.series[key]) continue;
      let card = box.querySelector('[data-chart="' + key + '"]');
      if (!card) {
        const view = el("div", { class: "view", role: "img" });
        const buttons = el("div", { class: "buttons" });
        for (const kind of ["csv", "svg", "png"]) {
          const b = el("button", { type: "button", "data-kind": kind });
          b.addEventListener("click", () => exportChart(key, kind));
          buttons.append(b);
        }
        card = el("figure", { class: "chart", "data-chart": key }, [el("h3"), view, buttons]);
        box.append(card);
      }
      card.querySelector("h3").textContent = label(key);
      card.querySelector(".view").setAttribute("aria-label", label(key));
      for (const b of card.querySelectorAll("button")) {
        b.textContent = t(b.dataset.kind);
        b.setAttribute("aria-label", t(b.dataset.kind) + " — " + label(key));
      }
      const rows = chartRows(key);
      const old = state.views[key];
      if (old && old.lang === state.lang && old.baseline === Boolean(state.result.baseline)) {
        old.view.data("table", rows).runAsync();
        continue;
      }
      if (old) old.view.finalize();
      const target = card.querySelector(".view");
      const entry = { lang: state.lang, baseline: Boolean(state.result.baseline), view: null };
      state.views[key] = entry;
      window.vegaEmbed(target, spec(key, rows), { actions: false, renderer: "svg" })
        .then((res) => { entry.view = res.view; })
        .catch((e) => { $("error").textContent = String(e); });
    }
  }
  async function exportChart(key, kind) {
    const entry = state.views[key];
    const name = (state.scenario.name || "scenario") + "-" + key;
    if (kind === "csv") {
      download(name + ".csv", new Blob([csvOf(key, chartRows(key))], { type: "text/csv" }));
      return;
    }
    if (!entry || !entry.view) return;
    if (kind === "svg") {
      const svg = await entry.view.toSVG();
      download(name + ".svg", new Blob([svg], { type: "image/svg+xml" }));
    } else {
      const url = await entry.view.toImageURL("png", 2);
      const blob = await (await fetch(url)).blob();
      download(name + ".png", blob);
    }
  }
  function shareUrl() {
    const url = new URL(window.location.href.split("?")[0].split("#")[0]);
    if (state.savedId) url.searchParams.set("saved", state.savedId);
    else if (state.origin && !state.edited) url.searchParams.set("scenario", state.origin);
    if (state.baseline) url.searchParams.set("baseline", state.baseline);
    url.searchParams.set("lang", state.lang);
    return url.toString();
  }
  function updateUrl() {
    if (state.edited && !state.savedId) return;
    history.replaceState(null, "", shareUrl());
  }
  function renderShare() {
    if (!state.scenario) return;
    const name = (state.scenario.name || "scenario") + ".yaml";
    const root = window.location.origin + window.location.pathname.replace(/\/$/, "");
    const lines = [
      "# pip install immiplan; save the scenario as " + name,
      "from immiplan.outcomes import run_with_outcomes",
      "",
      'result = run_with_outcomes("' + name + '")',
      'print(result.projection.indicators[["year", "population", "share_65_plus", "dependency_ratio"]])',
      'print(result.table("landed_under_5")[["year", "french_share", "labour_force", "unemployment_rate"]])',
      'print(result.table()[["year", "francization_students", "francization_cost"]])',
    ];
    $("python-snippet").textContent = lines.join("\n");
    const cli = [];
    if (state.savedId) cli.push("curl -o " + name + " " + root + "/api/saved/" + state.savedId + "/yaml");
    cli.push("immiplan project " + name);
    $("cli-snippet").textContent = cli.join("\n");
    $("share-link").value = state.savedId ? shareUrl() : "";
  }
  function renderSources() {
    const box = $("sources");
    box.replaceChildren(el("h3", { text: t("sources") }));
    const list = el("ul");
    for (const ref of state.result.reform.references) {
      const parts = [ref.publisher, ref.document, ref.date].filter(Boolean).join(", ");
      const item = el("li", { text: parts + (ref.note ? " — " + ref.note : "") + " " });
      if (ref.url) item.append(el("a", { href: ref.url, text: ref.url, rel: "noreferrer" }));
      list.append(item);
    }
    box.append(list);
  }

  // ---------------------------------------------------------------- what a target needs
  async function runSolve() {
    const target = $("solve-target").value.trim();
    if (!target) return;
    const body = { targets: [target], base: $("base").value, regime: $("regime").value, shape: $("solve-shape").value };
    const last = plainNumber($("solve-last").value);
    if (last !== null) body.last = Math.round(last);
    $("solve-message").textContent = t("solving");
    $("solve-run").disabled = true;
    try {
      state.solve = await post("api/solve", body);
      $("solve-message").textContent = state.solve.status === "met" ? t("solve_met") : t("solve_infeasible");
      renderSolve();
    } catch (e) {
      state.solve = null;
      $("solve-message").textContent = e.message;
      renderSolve();
    } finally {
      $("solve-run").disabled = false;
    }
  }
  function renderSolve() {
    const box = $("solve-result");
    const table = $("solve-table");
    box.replaceChildren();
    table.replaceChildren();
    const answer = state.solve;
    box.hidden = !answer;
    $("solve-apply").hidden = !answer;
    if (!answer) return;
    for (const line of state.lang === "fr" ? answer.summary_fr : answer.summary) box.append(el("p", { text: line }));
    const head = el("tr", {}, ["year", "controlled", "all_admissions"].map((k) => el("th", { scope: "col", text: t(k) })));
    table.append(el("thead", {}, [head]));
    const rows = el("tbody");
    const levels = answer.levels;
    levels.forEach((row, i) => {
      if (i % 5 !== 0 && i !== levels.length - 1) return;
      rows.append(el("tr", {}, [
        el("th", { scope: "row", text: String(row.year) }),
        el("td", { text: fmt(row.controlled, "persons") }),
        el("td", { text: fmt(row.total, "persons") }),
      ]));
    });
    table.append(rows);
  }
  function applySolve() {
    const answer = state.solve;
    if (!answer || !state.scenario) return;
    if ((state.scenario.base || state.defaultBase) !== answer.base) {
      $("solve-message").textContent = answer.base;  // solved on another base: pick it first
      return;
    }
    const imm = immigration();
    imm.levels = imm.levels || {};
    for (const row of answer.levels) {
      const levels = {};
      for (const c of CATS) levels[c] = Math.round(row[c]);
      imm.levels[row.year] = levels;
    }
    delete imm.path;
    delete imm.mix;
    imm.none = false;
    changed();
  }

  // ---------------------------------------------------------------- fan chart
  async function runFan() {
    if (!state.scenario) return;
    const n = Math.round(plainNumber($("fan-trajectories").value) || 200);
    const seed = Math.round(plainNumber($("fan-seed").value) || 0);
    $("fan-message").textContent = t("fan_running", { n: n });
    $("fan-run").disabled = true;
    try {
      state.fan = await post("api/fan", { scenario: state.scenario, trajectories: n, seed: seed });
      $("fan-message").textContent = t("fan_done", { n: state.fan.trajectories, seed: state.fan.seed });
      renderFan();
    } catch (e) {
      state.fan = null;
      $("fan-chart").hidden = true;
      $("fan-message").textContent = e.message;
    } finally {
      $("fan-run").disabled = false;
    }
  }
  function fanRows() {
    const key = $("fan-indicator").value;
    const s = state.fan.series[key];
    return state.fan.years.map((year, i) => ({
      year: year, lo95: s.quantiles["0.025"][i], lo80: s.quantiles["0.1"][i], median: s.quantiles["0.5"][i],
      hi80: s.quantiles["0.9"][i], hi95: s.quantiles["0.975"][i], central: s.deterministic[i],
    }));
  }
  function renderFan() {
    if (!state.fan) return;
    const key = $("fan-indicator").value;
    const unit = key === "dependency_ratio" ? "per_100" : "persons";
    const x = { field: "year", type: "quantitative", title: null, scale: { nice: false }, axis: { format: "d", tickMinStep: 1 } };
    const y = (field) => ({ field: field, type: "quantitative", title: null, scale: { zero: false }, axis: { format: yFormat(unit) } });
    const band = (lo, hi, label, opacity) => ({
      transform: [{ calculate: JSON.stringify(label), as: "band" }],
      mark: { type: "area", opacity: opacity, color: "#c4461b" },
      encoding: { x: x, y: y(lo), y2: { field: hi }, tooltip: [{ field: "year", format: "d" }, { field: lo, format: yFormat(unit) }, { field: hi, format: yFormat(unit) }] },
    });
    const spec = {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      width: "container", height: 240, autosize: { type: "fit", contains: "padding" },
      data: { values: fanRows() },
      layer: [
        band("lo95", "hi95", t("fan_95"), 0.18),
        band("lo80", "hi80", t("fan_80"), 0.3),
        { mark: { type: "line", color: "#c4461b", strokeWidth: 2 }, encoding: { x: x, y: y("median") } },
        { mark: { type: "line", color: "#4a5a78", strokeDash: [5, 3] }, encoding: { x: x, y: y("central") } },
      ],
    };
    const figure = $("fan-chart");
    figure.hidden = false;
    $("fan-legend").textContent = "— " + t("fan_median") + "   - - " + t("fan_central") + "   ▒ " + t("fan_80") + ", " + t("fan_95");
    const view = figure.querySelector(".view");
    const title = t(FAN.find((f) => f[0] === key)[1]);
    view.setAttribute("aria-label", title + " — " + t("fan_median") + ", " + t("fan_80") + ", " + t("fan_95") + "; " + t("fan_central"));
    if (state.fanView) state.fanView.finalize();
    window.vegaEmbed(view, spec, { actions: false, renderer: "svg" })
      .then((res) => { state.fanView = res.view; })
      .catch((e) => { $("error").textContent = String(e); });
  }
  function fanCsv() {
    if (!state.fan) return;
    const key = $("fan-indicator").value;
    const lines = ["year,indicator,q0.025,q0.1,q0.5,q0.9,q0.975,deterministic"];
    for (const r of fanRows()) lines.push([r.year, key, r.lo95, r.lo80, r.median, r.hi80, r.hi95, r.central].join(","));
    download((state.scenario.name || "scenario") + "-fan-" + key + ".csv", new Blob([lines.join("\n") + "\n"], { type: "text/csv" }));
  }

  // ---------------------------------------------------------------- cut tool
  let cutTimer = null;
  function scheduleCut() { clearTimeout(cutTimer); cutTimer = setTimeout(runCut, 300); }
  async function runCut() {
    const total = plainNumber($("cut-total").value);
    if (total === null || total < 0) return;
    const seq = ++state.cutSeq;
    try {
      const body = await post("api/cut", {
        base: $("cut-base").value, total: Math.round(total), regime: $("regime").value, lang: state.lang,
      });
      if (seq !== state.cutSeq) return;
      state.cut = body;
      $("cut-message").textContent = "";
      renderCut();
    } catch (e) {
      if (seq !== state.cutSeq) return;
      state.cut = null;
      $("cut-table").replaceChildren();
      $("cut-message").textContent = e.message;
    }
  }
  function renderCut() {
    const table = $("cut-table");
    table.replaceChildren();
    if (!state.cut) return;
    const head = el("tr", {}, ["", "selects", "base_level", "new_level", "change"].map((k) => el("th", { scope: "col", text: k ? t(k) : "" })));
    table.append(el("thead", {}, [head]));
    const body = el("tbody");
    for (const row of state.cut.by_category) {
      const who = row.selector ? t(row.selector) : "";
      body.append(el("tr", { "data-category": row.category }, [
        el("th", { scope: "row", text: row.category === "total" ? t("total") : t(row.category) }),
        el("td", { class: row.selector, text: who }),
        el("td", { text: fmt(row.base, "persons") }),
        el("td", { text: fmt(row.new, "persons") }),
        el("td", { text: fmt(row.change, "persons", true) }),
      ]));
    }
    table.append(body);
  }
  function applyCut() {
    if (!state.cut || !state.result) return;
    const from = plainNumber($("cut-from").value);
    if (from === null) return;
    const levels = {};
    for (const row of state.cut.by_category) if (CATS.includes(row.category)) levels[row.category] = row.new;
    const imm = immigration();
    imm.levels = imm.levels || {};
    const last = Math.max(from, lastEditableYear());
    for (let y = from; y <= last; y++) imm.levels[y] = Object.assign({}, levels);
    delete imm.path;
    delete imm.mix;
    imm.none = false;
    changed();
  }

  // ---------------------------------------------------------------- loading
  function fillForm() {
    const sc = state.scenario;
    const title = typeof sc.title === "object" && sc.title ? (sc.title[state.lang] || sc.title.en) : sc.title || sc.name;
    $("title").value = title;
    $("horizon").value = sc.horizon || 2066;
    const stock = sc.npr ? sc.npr.stock : "hold";
    $("npr-mode").value = typeof stock === "object" ? "path" : stock || "hold";
    $("npr-path").value = typeof stock === "object" ? showPath(stock) : "";
    $("npr-path").disabled = $("npr-mode").value !== "path";
    $("tfr").value = showPath(sc.fertility && sc.fertility.tfr);
    $("e0-female").value = showPath(sc.mortality && sc.mortality.e0 && sc.mortality.e0.female);
    $("e0-male").value = showPath(sc.mortality && sc.mortality.e0 && sc.mortality.e0.male);
    $("base").value = sc.base || state.defaultBase;
    $("path-year").value = "";
    $("cut-from").value = "";
  }
  async function loadShipped(name) {
    const body = await api("api/scenarios/" + encodeURIComponent(name));
    state.scenario = body.scenario;
    state.origin = name;
    state.edited = false;
    state.savedId = null;
    $("title").dataset.touched = "";
    fillForm();
    schedule(0);
  }
  async function loadPlan(name) {
    // a published plan's levels (its years, then held), with the fertility, mortality,
    // migration and temporary residents of the reference scenario of the latest base
    // before the plan (the server names it: starting_scenario)
    const plan = state.plans.plans.find((p) => p.name === name);
    const body = await api("api/scenarios/" + encodeURIComponent((plan && plan.starting_scenario) || "quebec-2019-plan"));
    const sc = body.scenario;
    sc.name = "plan-" + name;
    sc.title = { en: (plan && plan.title.en) || name, fr: (plan && plan.title.fr) || name };
    sc.description = "";
    sc.immigration = { which: "target", plans: (plan && plan.starting_plans.length) ? plan.starting_plans.slice() : [name] };
    state.scenario = sc;
    state.origin = null;
    state.edited = true;
    state.savedId = null;
    $("title").dataset.touched = "1";
    fillForm();
    schedule(0);
  }
  async function loadSaved(id) {
    const body = await api("api/saved/" + encodeURIComponent(id));
    state.scenario = body.scenario;
    state.origin = null;
    state.edited = false;
    state.savedId = body.id;
    $("saved-id").value = body.id;
    fillForm();
    schedule(0);
  }
  function pathField(id, apply) {
    $(id).addEventListener("input", () => {
      const path = parsePath($(id).value);
      $(id + "-error").textContent = path ? "" : t("bad_path");
      if (!path) return;
      apply(path);
      changed();
    });
  }
  function setLang(lang) {
    state.lang = lang;
    document.documentElement.lang = lang;
    $("lang-en").setAttribute("aria-pressed", String(lang === "en"));
    $("lang-fr").setAttribute("aria-pressed", String(lang === "fr"));
    for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
    fillSelects();
    const sc = state.scenario;
    if (sc && typeof sc.title === "object" && sc.title) $("title").value = sc.title[lang] || sc.title.en;
    if (state.result) render();
    if (state.cut) runCut();
    renderSolve();
    if (state.fan) renderFan();
    updateUrl();
  }
  function fillSelects() {
    const start = $("start");
    const keep = start.value;
    start.replaceChildren();
    const group = el("optgroup", { label: t("shipped") });
    for (const s of state.scenarios || []) group.append(el("option", { value: s.name, text: s.title[state.lang] }));
    start.append(group);
    const plans = el("optgroup", { label: t("plans") });
    for (const p of (state.plans && state.plans.plans) || []) {
      if (p.jurisdiction !== "quebec" || p.kind !== "plan" || !p.starting_scenario) continue;
      plans.append(el("option", { value: "plan:" + p.name, text: (p.title && p.title[state.lang]) || p.name }));
    }
    start.append(plans);
    if (keep) start.value = keep;
    const baseline = $("baseline");
    const keepBase = baseline.value || state.baseline;
    baseline.replaceChildren();
    for (const s of state.scenarios || []) baseline.append(el("option", { value: s.name, text: s.title[state.lang] }));
    if (state.baseline && !(state.scenarios || []).some((s) => s.name === state.baseline)) {
      baseline.append(el("option", { value: state.baseline, text: state.baseline }));
    }
    if (keepBase) baseline.value = keepBase;
    const regime = $("regime");
    const keepRegime = regime.value || "accord-1991";
    regime.replaceChildren();
    for (const r of state.regimes) regime.append(el("option", { value: r.name, text: r.label[state.lang] || r.name }));
    regime.value = keepRegime;
    const cutBase = $("cut-base");
    const keepCut = cutBase.value || "2018 actual";
    cutBase.replaceChildren();
    for (const name of state.plans.actual.slice(-6)) cutBase.append(el("option", { value: name, text: name }));
    for (const p of state.plans.plans) {
      if (p.jurisdiction !== "quebec") continue;
      cutBase.append(el("option", { value: p.name, text: (p.title && p.title[state.lang]) || p.name }));
    }
    cutBase.value = keepCut;
    const fan = $("fan-indicator");
    const keepFan = fan.value || "population";
    fan.replaceChildren();
    for (const [key, name] of FAN) fan.append(el("option", { value: key, text: t(name) }));
    fan.value = keepFan;
  }

  async function start() {
    const params = new URLSearchParams(window.location.search);
    const lang = params.get("lang") || ((navigator.language || "en").toLowerCase().startsWith("fr") ? "fr" : "en");
    state.lang = lang === "fr" ? "fr" : "en";
    const [health, scenarios, info, regimes, plans, bases] = await Promise.all([
      api("api/health"), api("api/scenarios"), api("api/indicators"), api("api/regimes"), api("api/plans"), api("api/bases"),
    ]);
    state.health = health; state.scenarios = scenarios; state.info = info; state.regimes = regimes; state.plans = plans;
    $("token-row").hidden = health.writes !== "token";
    const base = $("base");
    for (const b of bases.bases) base.append(el("option", { value: b, text: b }));
    base.value = bases.default;
    state.defaultBase = bases.default;
    base.disabled = bases.bases.length < 2 && !bases.field;
    base.addEventListener("change", () => {
      if (bases.field) { state.scenario[bases.field] = base.value; changed(); }
    });
    const first = params.get("scenario") || "quebec-2019-plan";
    state.baseline = params.get("baseline") || (params.get("saved") ? "quebec-2019-plan" : first);
    setLang(state.lang);
    $("start").value = first;
    $("baseline").value = state.baseline;

    $("lang-en").addEventListener("click", () => setLang("en"));
    $("lang-fr").addEventListener("click", () => setLang("fr"));
    $("start").addEventListener("change", () => {
      const value = $("start").value;
      const done = value.startsWith("plan:") ? loadPlan(value.slice(5)) : loadShipped(value);
      done.catch((e) => { $("error").textContent = e.message; });
    });
    $("baseline").addEventListener("change", () => { state.baseline = $("baseline").value; schedule(0); });
    $("open-saved").addEventListener("click", () => {
      const id = $("saved-id").value.trim();
      if (id) loadSaved(id).catch((e) => { $("error").textContent = e.message; });
    });
    $("saved-id").addEventListener("keydown", (ev) => { if (ev.key === "Enter") $("open-saved").click(); });
    $("title").addEventListener("input", () => {
      $("title").dataset.touched = "1";
      markEdited();
      const sc = state.scenario;
      const titles = typeof sc.title === "object" && sc.title ? sc.title : {};
      titles[state.lang] = $("title").value || sc.name;
      if (!titles.en) titles.en = titles[state.lang];
      if (!titles.fr) titles.fr = titles[state.lang];
      sc.title = titles;
      schedule();
    });
    $("horizon").addEventListener("input", () => {
      const v = plainNumber($("horizon").value);
      const from = state.scenario.base_year || (state.result ? state.result.reform.base_year : 2018);
      if (v === null || v <= from) return;
      state.scenario.horizon = Math.round(v);
      changed();
    });
    $("path-apply").addEventListener("click", () => {
      const from = plainNumber($("path-year").value);
      const total = plainNumber($("path-total").value);
      if (from === null || total === null || total < 0 || !state.result) return;
      applyPath(Math.round(from), Math.round(total));
      changed();
    });
    $("npr-mode").addEventListener("change", () => {
      const mode = $("npr-mode").value;
      state.scenario.npr = state.scenario.npr || {};
      $("npr-path").disabled = mode !== "path";
      if (mode === "path") {
        const path = parsePath($("npr-path").value);
        if (!path) { $("npr-path").focus(); return; }
        state.scenario.npr.stock = path;
      } else {
        state.scenario.npr.stock = mode;
      }
      if (mode !== "closed") delete state.scenario.npr.net_arrivals;
      changed();
    });
    pathField("npr-path", (p) => { state.scenario.npr = state.scenario.npr || {}; state.scenario.npr.stock = p; delete state.scenario.npr.net_arrivals; });
    pathField("tfr", (p) => { state.scenario.fertility.tfr = p; });
    pathField("e0-female", (p) => { state.scenario.mortality.e0.female = p; });
    pathField("e0-male", (p) => { state.scenario.mortality.e0.male = p; });
    for (const id of ["regime", "cut-base"]) $(id).addEventListener("change", scheduleCut);
    $("cut-total").addEventListener("input", scheduleCut);
    $("cut-apply").addEventListener("click", applyCut);
    $("solve-run").addEventListener("click", runSolve);
    $("solve-target").addEventListener("keydown", (ev) => { if (ev.key === "Enter") runSolve(); });
    $("solve-apply").addEventListener("click", applySolve);
    $("fan-run").addEventListener("click", runFan);
    $("fan-indicator").addEventListener("change", renderFan);
    $("fan-csv").addEventListener("click", fanCsv);
    $("table-year").addEventListener("change", renderTable);
    $("token").addEventListener("input", () => { state.token = $("token").value; });
    $("save").addEventListener("click", save);
    $("download-yaml").addEventListener("click", () => {
      if (!state.result) return;
      download((state.scenario.name || "scenario") + ".yaml", new Blob([state.result.reform.yaml], { type: "application/yaml" }));
    });

    if (params.get("saved")) await loadSaved(params.get("saved"));
    else await loadShipped(first);
    runCut();
  }
  async function save() {
    try {
      const body = await post("api/saved", { scenario: state.scenario });
      state.savedId = body.id;
      state.edited = false;
      $("saved-id").value = body.id;
      $("share-result").textContent = t("saved_as", { id: body.id });
      renderShare();
      updateUrl();
    } catch (e) {
      $("share-result").textContent = e.message;
    }
  }
  window.addEventListener("DOMContentLoaded", () => {
    start().catch((e) => { $("error").textContent = e.message; });
  });
})();
