/* Progressive enhancement for the symptom checker form. The form works without it.
 * - hides (and disables) questions that do not apply to the chosen age;
 * - shows the infection-site question only after "yes, infection";
 * - shows the emergency advice as soon as a danger sign is ticked (symptom-checker.md P5).
 * Nothing is sent anywhere and nothing is stored. */
(function () {
  "use strict";
  var form = document.querySelector("form.checker");
  if (!form) return;

  function setShown(el, shown) {
    el.hidden = !shown;
    var inputs = el.querySelectorAll("input, select, textarea");
    for (var i = 0; i < inputs.length; i++) inputs[i].disabled = !shown;
  }

  function months() {
    var picked = form.querySelector('input[name="age_group"]:checked');
    if (!picked || !picked.hasAttribute("data-months")) return null;
    return parseFloat(picked.getAttribute("data-months"));
  }

  function applyAge() {
    var m = months();
    var limited = form.querySelectorAll("[data-ages]");
    for (var i = 0; i < limited.length; i++) {
      var el = limited[i];
      var range = el.getAttribute("data-ages").split(",");
      // Age unknown ("I'm not sure"): every question is asked (symptom-checker.md §6, D13).
      var shown = m === null || (m >= +range[0] && m < +range[1]);
      setShown(el, shown);
    }
    applyWhenYes();
  }

  function applyWhenYes() {
    var dependants = form.querySelectorAll("[data-when-yes]");
    for (var i = 0; i < dependants.length; i++) {
      var el = dependants[i];
      var key = el.getAttribute("data-when-yes");
      var yes = form.querySelector('input[name="' + key + '"][value="yes"]');
      if (el.hasAttribute("data-ages") && el.hidden) continue;
      setShown(el, !!(yes && yes.checked));
    }
  }

  function applySigns() {
    var alertBox = document.getElementById("sign-alert");
    if (!alertBox) return;
    var ticked = form.querySelectorAll("input[data-emergency]:checked:not(:disabled)").length > 0;
    var text = ticked ? alertBox.getAttribute("data-text") : "";
    if (alertBox.textContent !== text) alertBox.textContent = text;
  }

  form.addEventListener("change", function (event) {
    var name = event.target && event.target.name;
    if (name === "age_group") applyAge();
    else applyWhenYes();
    applySigns();
  });
  applyAge();
  applySigns();

  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
