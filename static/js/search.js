// Suggestions under the search box as residents type (characters or pinyin). The page
// works without this: the form is a plain GET form.
(function () {
  "use strict";
  // Wide screens have room for the filters beside the results: show them open.
  var facets = document.querySelector("details.facets");
  if (facets && window.matchMedia && window.matchMedia("(min-width: 760px)").matches) {
    facets.open = true;
  }
  var input = document.querySelector("[data-autocomplete]");
  if (!input || !window.fetch) return;
  var list = document.getElementById(input.getAttribute("list"));
  var timer = null;
  var latest = "";
  input.addEventListener("input", function () {
    clearTimeout(timer);
    var text = input.value.trim();
    if (!text) { list.innerHTML = ""; return; }
    timer = setTimeout(function () {
      latest = text;
      fetch(input.dataset.autocomplete + "?q=" + encodeURIComponent(text))
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) {
          if (latest !== text) return; // a newer request is on its way
          list.innerHTML = "";
          data.results.forEach(function (item) {
            var option = document.createElement("option");
            option.value = item.name;
            list.appendChild(option);
          });
        })
        .catch(function () { /* the network failed: the form still works */ });
    }, 150);
  });
})();
