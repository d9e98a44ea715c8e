// A lobby screen's setup page: focusing the setup link selects it, ready to copy.
(function () {
  "use strict";
  document.addEventListener("focusin", function (event) {
    if (event.target.matches("[data-select-on-focus]")) event.target.select();
  });
})();
