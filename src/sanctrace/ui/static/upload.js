/* The upload page: a file over its form's size limit is refused here, before it is sent (the
   server refuses it too), and a form being sent says so and cannot be sent twice. The batch
   page's progress bar is refreshed by htmx (hx-get every second), not here. */
(function () {
  "use strict";

  function size(bytes) {
    var units = ["bytes", "KB", "MB", "GB"];
    var n = bytes;
    var i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i += 1; }
    return (i === 0 ? String(n) : n.toFixed(1)) + " " + units[i];
  }

  function guard(form) {
    var input = form.querySelector("input[type=file]");
    var problem = form.querySelector(".upload-problem");
    var busy = form.querySelector(".upload-busy");
    var button = form.querySelector("button[type=submit]");
    if (!input) return;
    function say(text) {
      if (!problem) return;
      problem.textContent = text;
      problem.hidden = !text;
    }
    input.addEventListener("change", function () { say(""); });
    form.addEventListener("submit", function (e) {
      var file = input.files && input.files[0];
      var limit = parseInt(input.getAttribute("data-max-bytes") || "0", 10);
      if (file && limit && file.size > limit) {
        e.preventDefault();
        say(file.name + " is " + size(file.size) + ", over the " + size(limit) + " limit for this upload.");
        input.focus();
        return;
      }
      if (file && file.size === 0) {
        e.preventDefault();
        say(file.name + " is empty.");
        input.focus();
        return;
      }
      say("");
      if (busy) busy.hidden = false;
      if (button) {
        /* disabled after the browser has taken the submission, so the form is still sent */
        window.setTimeout(function () { button.disabled = true; }, 0);
      }
    });
  }

  function start() {
    document.querySelectorAll("form.upload-form").forEach(guard);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
