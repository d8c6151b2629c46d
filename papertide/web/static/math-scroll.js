// A formula wider than its column scrolls in its own box (.math-scroll in style.css). A box that
// scrolls must be reachable from the keyboard, so we make it focusable while, and only while, it
// overflows: every formula a tab stop would bury a page's links under dozens of them. The server
// cannot know a formula's width at a reader's font size and window, so this runs here, on load,
// when the window's width changes and after htmx brings in more of the page.
(function () {
  "use strict";
  function mark() {
    var boxes = document.querySelectorAll(".math-scroll");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      if (box.scrollWidth > box.clientWidth) box.setAttribute("tabindex", "0");
      else box.removeAttribute("tabindex");
    }
  }
  var pending = 0;
  function soon() {
    if (pending) return;
    pending = window.requestAnimationFrame(function () { pending = 0; mark(); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mark);
  else mark();
  window.addEventListener("resize", soon);
  document.addEventListener("htmx:afterSettle", soon);
})();
