// The creator setup page's button preview: as the creator types the page
// the button is for, the snippet and the preview frame follow (without
// JavaScript, the form's submit does the same).
(function () {
  "use strict";
  var form = document.getElementById("button-form");
  var input = document.getElementById("button-page");
  var snippet = document.getElementById("button-snippet");
  var frame = document.getElementById("button-preview");
  if (!form || !input || !snippet || !frame) return;
  var base = form.getAttribute("data-base");
  var timer = null;
  function esc(s) {
    return s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }
  function update() {
    var page = input.value.trim();
    if (!/^https?:\/\/[^\s\/]+/.test(page)) return;
    var src = base + "/button?url=" + encodeURIComponent(page);
    snippet.value = '<iframe src="' + esc(src) + '" title="Flattr this on Plaudit" width="' + frame.width +
      '" height="' + frame.height + '" style="border:0;overflow:hidden" loading="lazy"></iframe>';
    if (frame.getAttribute("src") !== src) frame.setAttribute("src", src);
  }
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(update, 300);
  });
  snippet.addEventListener("focus", function () { snippet.select(); });
})();
