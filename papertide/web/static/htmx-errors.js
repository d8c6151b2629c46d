// htmx swaps nothing when a request fails (a 403 for an expired form, a 429, a 500, a proxy's 502,
// no connection), so a click would seem to do nothing. We show why in the page's #request-error
// region (role="alert", so screen readers hear it too) and clear it when the next request starts.
// The server's words come from its error page (.error-message); parsing with DOMParser runs no
// script, and we insert text only.
(function () {
  "use strict";
  function region() { return document.getElementById("request-error"); }

  function messageOf(xhr) {
    if (!xhr || !xhr.status) return "Could not reach the server. Check your connection and try again.";
    var text = "";
    try {
      var doc = new DOMParser().parseFromString(xhr.responseText || "", "text/html");
      var p = doc.querySelector(".error-message") || doc.querySelector("main h1");
      text = p ? p.textContent.trim() : "";
    } catch (e) { /* not HTML: the generic words below */ }
    return text || "Something went wrong on the server (error " + xhr.status + "). Please try again in a moment.";
  }

  function show(text) {
    var box = region();
    if (!box) return;
    box.querySelector(".request-error-text").textContent = text;
    box.hidden = false;
  }

  document.addEventListener("htmx:responseError", function (e) { show(messageOf(e.detail.xhr)); });
  document.addEventListener("htmx:sendError", function () { show(messageOf(null)); });
  document.addEventListener("htmx:timeout", function () { show(messageOf(null)); });
  document.addEventListener("htmx:beforeRequest", function () {
    var box = region();
    if (box) box.hidden = true;
  });
  document.addEventListener("click", function (e) {
    if (e.target.closest && e.target.closest("#request-error .request-error-close")) region().hidden = true;
  });
})();
