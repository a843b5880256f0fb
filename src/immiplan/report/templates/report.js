// Draws every chart with vega-embed, then records the outcome on <body>:
// data-charts-rendered counts the charts whose SVG holds data marks, and
// data-charts-done="true" says every chart has finished (drawn or failed).
(function () {
  "use strict";
  var body = document.body;
  var record = window.immiplanRecordError;
  var config = JSON.parse(document.getElementById("immiplan-config").textContent);
  var names = Object.keys(config.charts);
  if (typeof vegaEmbed !== "function") {
    record("vega-embed did not load");
    body.setAttribute("data-charts-done", "true");
    return;
  }
  var drawn = 0;
  function draw(name) {
    var element = document.getElementById("chart-" + name);
    if (!element) {
      record("no container for chart " + name);
      return Promise.resolve();
    }
    var options = {
      mode: "vega-lite",
      renderer: "svg",
      actions: { export: true, source: false, compiled: false, editor: false },
      formatLocale: config.formatLocale,
      i18n: config.i18n,
      downloadFileName: name
    };
    return vegaEmbed(element, config.charts[name], options).then(
      function (result) {
        // Data marks only: axes, legends and titles draw even when the data are empty.
        var marks = element.querySelectorAll("svg g.role-mark:not(.mark-group) > *").length;
        element.setAttribute("data-marks", String(marks));
        if (marks > 0) {
          drawn += 1;
          body.setAttribute("data-charts-rendered", String(drawn));
        } else {
          record("chart " + name + " drew no marks");
        }
        return result;
      },
      function (error) {
        record("chart " + name + ": " + (error && error.message ? error.message : error));
      }
    );
  }
  Promise.all(names.map(draw)).then(function () {
    body.setAttribute("data-charts-done", "true");
  });
})();
