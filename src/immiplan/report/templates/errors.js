// Records every script error on <body data-errors="[...]">, so that a headless browser's
// DOM dump shows whether the page ran cleanly. Runs before any other script.
(function () {
  "use strict";
  var errors = [];
  function record(message) {
    errors.push(String(message));
    document.body.setAttribute("data-errors", JSON.stringify(errors));
  }
  window.immiplanRecordError = record;
  window.addEventListener(
    "error",
    function (event) {
      var source = event.target && event.target !== window ? event.target.outerHTML : "";
      record(event.message || source || "error");
    },
    true
  );
  window.addEventListener("unhandledrejection", function (event) {
    var reason = event.reason;
    record(reason && reason.message ? reason.message : reason);
  });
  var consoleError = console.error;
  console.error = function () {
    record(Array.prototype.map.call(arguments, String).join(" "));
    return consoleError.apply(console, arguments);
  };
})();
