// Shared behaviour of every page (served under CSP script-src 'self').
(function () {
  // A form came back with errors: the summary at the top takes the focus (its links lead to each field).
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();

  // A table larger than its box scrolls inside it: the box then takes the keyboard focus (arrow keys scroll it).
  function scrollableTables() {
    document.querySelectorAll(".table-responsive").forEach(function (box) {
      if (box.dataset.scrollRegion === "fixed") return; // always a named, focusable region (its template says so)
      var wide = box.scrollWidth > box.clientWidth + 1, tall = box.scrollHeight > box.clientHeight + 1;
      if (wide || tall) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", wide ? "Tableau défilant horizontalement" : "Tableau défilant verticalement");
      } else if (box.getAttribute("role") === "region") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }
  scrollableTables();
  window.addEventListener("resize", scrollableTables);

  // The menu, an offcanvas panel below the large breakpoint: named while it is open as a dialog.
  var menu = document.getElementById("sidebar");
  if (menu) {
    menu.addEventListener("show.bs.offcanvas", function () { menu.setAttribute("aria-label", "Menu"); });
    menu.addEventListener("hidden.bs.offcanvas", function () { menu.removeAttribute("aria-label"); });
  }
})();
