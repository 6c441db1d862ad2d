// The composer's live character counter: htmx swaps HTML, it can't count keystrokes.
// Links count as 23 characters each, like the server's rule (posts/rendering.py LINK_LENGTH).
(function () {
  "use strict";
  var URL_RE = /https?:\/\/[^\s<>"']+/gi;
  var LINK_LENGTH = 23;

  function length(text) {
    return text.trim().replace(URL_RE, new Array(LINK_LENGTH + 1).join("x")).length;
  }

  function update(textarea) {
    var form = textarea.form;
    var counter = form && form.querySelector(".counter");
    if (!counter) return;
    var max = parseInt(textarea.getAttribute("data-counter-max"), 10) || 500;
    var warning = form.querySelector("[name=content_warning]");
    var used = length(textarea.value) + (warning ? warning.value.trim().length : 0);
    var left = max - used;
    counter.textContent = left >= 0 ? left + " characters left" : -left + " characters over the limit";
    counter.classList.toggle("is-over", left < 0);
  }

  document.addEventListener("input", function (event) {
    var target = event.target;
    if (!target.form) return;
    var textarea = target.matches("textarea[data-counter-max]")
      ? target
      : target.form.querySelector("textarea[data-counter-max]");
    if (textarea) update(textarea);
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("textarea[data-counter-max]").forEach(update);
  });
})();
