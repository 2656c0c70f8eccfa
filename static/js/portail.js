// Shared behaviour of every page (served under CSP script-src 'self').
(function () {
  // A form came back with errors: the summary at the top takes the focus (its links lead to each field).
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
