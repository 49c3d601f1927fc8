/*
 * Submit once: while a POST form is being sent, its submit buttons are shown as busy and
 * further submits of the same form are ignored (a double click sends one request).
 *
 * The buttons are not `disabled` during the submit event, so the clicked button's
 * name/value still travels with the form. Forms sent by htmx are released when htmx has
 * its answer; every form is released when the page comes back from the back/forward
 * cache, and after a while in case the answer was a download that left the page as it is.
 * A form can opt out with `data-submit-once="off"`.
 * The server side guard is the one-time form token (tsunagu/common/form_token.py).
 */
(function () {
  "use strict";

  var RELEASE_AFTER_MS = 15000;

  function buttonsOf(form) {
    return form.querySelectorAll('button[type="submit"], button:not([type]), input[type="submit"]');
  }

  function lock(form) {
    form.dataset.submitting = "true";
    form.setAttribute("aria-busy", "true");
    buttonsOf(form).forEach(function (button) {
      button.classList.add("disabled");
      button.setAttribute("aria-disabled", "true");
    });
    window.clearTimeout(Number(form.dataset.submitTimer || 0));
    form.dataset.submitTimer = String(window.setTimeout(function () { release(form); }, RELEASE_AFTER_MS));
  }

  function release(form) {
    delete form.dataset.submitting;
    form.removeAttribute("aria-busy");
    window.clearTimeout(Number(form.dataset.submitTimer || 0));
    buttonsOf(form).forEach(function (button) {
      button.classList.remove("disabled");
      button.removeAttribute("aria-disabled");
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    if ((form.getAttribute("method") || "get").toLowerCase() !== "post") return;
    if (form.dataset.submitOnce === "off" || form.target === "_blank") return;
    if (form.dataset.submitting === "true") {
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    if (event.defaultPrevented) return; // another handler stopped this submit
    lock(form);
  });

  // htmx-driven forms stay on the page: release them when the answer is in
  document.addEventListener("htmx:afterRequest", function (event) {
    var element = event.detail && event.detail.elt;
    var form = element && (element.tagName === "FORM" ? element : element.closest && element.closest("form"));
    if (form) release(form);
  });

  // back/forward cache: the page comes back with its forms still locked
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) document.querySelectorAll('form[data-submitting="true"]').forEach(release);
  });
})();
