// 关怀版 toggle: the link works without JavaScript (it sets a cookie and reloads);
// with JavaScript it switches in place and keeps the same cookie for the next page.
(function () {
  "use strict";
  var COOKIE = "elderly_mode";
  var ONE_YEAR = 365 * 24 * 3600;

  function setMode(on, toggle) {
    document.documentElement.classList.toggle("elderly-mode", on);
    document.cookie = on
      ? COOKIE + "=1; max-age=" + ONE_YEAR + "; path=/; SameSite=Lax"
      : COOKIE + "=; max-age=0; path=/; SameSite=Lax";
    // The link names the mode it switches to, and keeps working as a plain link.
    toggle.textContent = on ? toggle.dataset.labelOn : toggle.dataset.labelOff;
    var target = new URL(toggle.href, location.href);
    target.searchParams.set("on", on ? "0" : "1");
    toggle.href = target.pathname + target.search;
  }

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-elderly-toggle]");
    if (!toggle) return;
    event.preventDefault();
    setMode(!document.documentElement.classList.contains("elderly-mode"), toggle);
  });
})();
