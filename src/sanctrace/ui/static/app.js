/* sanctrace analyst UI: the small progressive layer that htmx does not cover. No inline code
   anywhere (the CSP forbids it): behaviour is attached here by id and data attributes. */
(function () {
  "use strict";

  /* The threshold slider re-ranks the results in place: those below it are hidden and the
     count of matches follows, with no round trip; the threshold goes into the address so a
     shared link shows the same cut. */
  function thresholdSlider() {
    var slider = document.getElementById("threshold");
    if (!slider) return;
    var shown = document.getElementById("threshold-value");
    var count = document.getElementById("match-count");
    function apply() {
      var t = parseFloat(slider.value);
      var n = 0;
      document.querySelectorAll(".result[data-score]").forEach(function (li) {
        var below = parseFloat(li.getAttribute("data-score")) < t;
        li.classList.toggle("below", below);
        if (!below) n += 1;
      });
      if (shown) shown.textContent = t.toFixed(2);
      if (count) count.textContent = String(n);
      var url = new URL(window.location.href);
      if (url.searchParams.has("q")) {
        url.searchParams.set("threshold", t.toFixed(2));
        window.history.replaceState(null, "", url.toString());
      }
    }
    slider.addEventListener("input", apply);
  }

  /* "/" focuses the search box from anywhere, as on most search sites. */
  function slashToSearch() {
    document.addEventListener("keydown", function (e) {
      if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
      var target = e.target;
      if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT")) return;
      var box = document.getElementById("q");
      if (box) { e.preventDefault(); box.focus(); box.select(); }
    });
  }

  function start() {
    thresholdSlider();
    slashToSearch();
    document.dispatchEvent(new CustomEvent("sanctrace:ready"));
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
