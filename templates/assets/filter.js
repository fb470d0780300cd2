(function () {
  var q = document.getElementById("q"), sev = document.getElementById("sev");
  var rows = document.querySelectorAll("#advisories tbody tr[data-severity]");
  function apply() {
    var text = q.value.toLowerCase(), level = sev.value;
    rows.forEach(function (r) {
      var ok = (!text || r.textContent.toLowerCase().indexOf(text) >= 0) && (!level || r.dataset.severity === level);
      r.hidden = !ok;
    });
  }
  q.addEventListener("input", apply);
  sev.addEventListener("change", apply);
})();
