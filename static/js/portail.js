// Shared behaviour of every page (served under CSP script-src 'self').
(function () {
  // A form came back with errors: the summary at the top takes the focus (its links lead to each field).
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();

  // The menu, an offcanvas panel below the large breakpoint: named while it is open as a dialog.
  var menu = document.getElementById("sidebar");
  if (menu) {
    menu.addEventListener("show.bs.offcanvas", function () { menu.setAttribute("aria-label", "Menu"); });
    menu.addEventListener("hidden.bs.offcanvas", function () { menu.removeAttribute("aria-label"); });
  }
})();
