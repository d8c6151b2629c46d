// The account menu (a details element in the header) hangs over the top of the page. Left open, it
// hid whatever a keyboard reader tabbed to next beneath it (on a phone: the period links, the date
// picker), so it folds when the focus or a click goes elsewhere, and on Escape, which gives the focus
// back to the name that opens it. Without JavaScript it still opens and folds from its name.
(function () {
  "use strict";
  function foldOthers(target) {
    var open = document.querySelectorAll("details.account-menu[open]");
    for (var i = 0; i < open.length; i++) if (!open[i].contains(target)) open[i].open = false;
  }
  document.addEventListener("focusin", function (e) { foldOthers(e.target); });
  document.addEventListener("click", function (e) { foldOthers(e.target); });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    var menu = document.activeElement && document.activeElement.closest("details.account-menu[open]");
    if (!menu) return;
    menu.open = false;
    menu.querySelector("summary").focus();
  });
})();
