/* Region → prefecture or province → commune, at once (participation/institutions/places.py).
 *
 * Without this script each list is filled by a step button that submits the form. With it, a
 * select marked data-places-url fills the select named by data-places-next as soon as a choice
 * is made (the lists come from /<lang>/places/*.json), empties the lists below it, hides the step
 * buttons and says so in the form's status line (role="status"). When a list cannot be loaded,
 * the step buttons come back: the form still works as without the script.
 */
(function () {
  "use strict";

  function byId(id) {
    return id ? document.getElementById(id) : null;
  }

  function empty(select) {
    while (select.options.length > 1) {
      select.remove(1);
    }
    select.selectedIndex = 0;
  }

  function announce(form, message) {
    var status = form.querySelector("[data-places-status]");
    if (status && message) {
      status.textContent = "";
      // A new text node, so that screen readers read the same sentence again.
      window.setTimeout(function () {
        status.textContent = message;
      }, 50);
    }
  }

  function showSteps(form, shown) {
    var steps = form.querySelectorAll("[data-places-step]");
    for (var i = 0; i < steps.length; i += 1) {
      steps[i].hidden = !shown;
    }
  }

  function fill(select) {
    var form = select.form;
    var next = byId(select.getAttribute("data-places-next"));
    if (!form || !next) {
      return;
    }
    for (var below = next; below; below = byId(below.getAttribute("data-places-next"))) {
      empty(below);
    }
    var chosen = select.value;
    if (!chosen || chosen === "0") {
      return;
    }
    var url = new URL(select.getAttribute("data-places-url"), window.location.href);
    url.searchParams.set(select.getAttribute("data-places-param"), chosen);
    select.setAttribute("aria-busy", "true");
    window
      .fetch(url.toString(), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (items) {
        if (select.value !== chosen) {
          return; // another choice was made meanwhile; its answer fills the list
        }
        items.forEach(function (item) {
          next.add(new Option(item.name, String(item.id)));
        });
        announce(form, next.getAttribute("data-places-updated"));
      })
      .catch(function () {
        showSteps(form, true);
      })
      .then(function () {
        select.removeAttribute("aria-busy");
      });
  }

  function start() {
    var selects = document.querySelectorAll("select[data-places-url]");
    for (var i = 0; i < selects.length; i += 1) {
      var select = selects[i];
      if (select.form) {
        showSteps(select.form, false);
      }
      select.addEventListener("change", function (event) {
        fill(event.target);
      });
    }
  }

  if (window.fetch && window.URL) {
    start();
  }
})();
