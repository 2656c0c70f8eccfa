// Back office (issue 19): Django's admin leaves some fields without an accessible name (WCAG 1.3.1, 4.1.2):
// the columns of tabular inlines (labelled by their header only), the date and time halves of a date-time
// field, select2's autocomplete boxes, the filter-box help icons. Each one gets its name from the visible
// label or column header. A MutationObserver names the widgets the admin's own scripts add later.
(function () {
  "use strict";

  function text(el) {
    return el ? el.textContent.replace(/\s+/g, " ").trim() : "";
  }

  function labelFor(id) {
    return id ? document.querySelector('label[for="' + id + '"]') : null;
  }

  function hasName(el) {
    return el.getAttribute("aria-label") || el.getAttribute("aria-labelledby") || (el.id && labelFor(el.id)) || el.closest("label");
  }

  function columnHeader(cell) {
    var table = cell.closest("table");
    if (!table || !table.tHead) return "";
    var index = Array.prototype.indexOf.call(cell.parentNode.children, cell);
    var row = table.tHead.rows[table.tHead.rows.length - 1];
    return row && row.cells[index] ? text(row.cells[index]) : "";
  }

  function nameFields(root) {
    root.querySelectorAll("input, select, textarea").forEach(function (el) {
      if (el.type === "hidden" || hasName(el)) return;
      var name = "";
      var split = el.id && el.id.match(/^(.*)_([01])$/);
      if (split && (el.classList.contains("vDateField") || el.classList.contains("vTimeField"))) {
        var main = labelFor(split[1] + "_0") || labelFor(split[1]);
        name = text(main).replace(/\s*:$/, "") + (el.classList.contains("vDateField") ? " (date)" : " (heure)");
      }
      var cell = el.closest("td");
      if (!name && cell) {
        var row = cell.closest("tr");
        var original = row && row.querySelector("td.original p");
        name = columnHeader(cell) || (el.name && el.name.endsWith("-DELETE") ? "Supprimer" : "");
        if (original && text(original)) name += " : " + text(original);
      }
      if (name) el.setAttribute("aria-label", name);
    });
    // select2 (autocomplete_fields): the combobox and its rendered value take the field's label.
    root.querySelectorAll(".select2-selection, .select2-selection__rendered, .select2-search__field").forEach(function (el) {
      if (el.getAttribute("aria-label")) return;
      var container = el.closest(".select2-container");
      var select = container && container.previousElementSibling;
      if (!select || select.tagName !== "SELECT") return;
      var name = text(labelFor(select.id)).replace(/\s*:$/, "") || columnHeader(select.closest("td") || select);
      if (name) el.setAttribute("aria-label", name);
      if (el.classList.contains("select2-selection")) el.removeAttribute("aria-labelledby");
    });
    // The filter boxes' help icons carry an aria-label on a plain <span>: give them the role it needs.
    root.querySelectorAll("span.help-tooltip[aria-label]:not([role])").forEach(function (el) {
      el.setAttribute("role", "img");
    });
  }

  var pending = false;
  function schedule() {
    if (pending) return;
    pending = true;
    Promise.resolve().then(function () {
      pending = false;
      nameFields(document);
    });
  }

  new MutationObserver(schedule).observe(document.documentElement, {childList: true, subtree: true});
  document.addEventListener("DOMContentLoaded", schedule);
})();
