/*
 * Fields for the chosen option: inside a form marked `data-show-for="<radio name>"`, an
 * element with `data-for="a b"` is shown only while the radio group's chosen value is one of
 * its values (all are shown while nothing is chosen, and without JavaScript). Hidden fields
 * keep what was typed; the server decides which fields it reads.
 */
(function () {
  "use strict";

  function update(form) {
    var name = form.getAttribute("data-show-for");
    var chosen = form.querySelector('input[name="' + name + '"]:checked');
    var value = chosen ? chosen.value : "";
    form.querySelectorAll("[data-for]").forEach(function (el) {
      var wanted = el.getAttribute("data-for").split(/\s+/);
      el.hidden = value !== "" && wanted.indexOf(value) === -1;
    });
  }

  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form && form.hasAttribute("data-show-for")) {
      update(form);
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-show-for]").forEach(update);
  });
})();
