/* Search before you start (templates/petitions/_similar.html): while a petition's title is typed,
 * the public petitions with similar titles are shown under it (petitions.similar, JSON), so that a
 * drafter sees an existing petition before writing a duplicate.
 *
 * Without this script the "check for similar petitions" step submits the form and the list comes
 * back with it. With it the list follows the title (after a short pause in typing) and the step is
 * hidden; when the list cannot be loaded, the step comes back.
 */
(function () {
  "use strict";

  var PAUSE_MS = 400;
  var MIN_LENGTH = 3;

  function element(name, className, text) {
    var node = document.createElement(name);
    if (className) {
      node.className = className;
    }
    if (text) {
      node.textContent = text;
    }
    return node;
  }

  function show(box, results) {
    var target = box.querySelector("[data-similar-results]");
    var fragment = document.createDocumentFragment();
    fragment.appendChild(
      element("h2", "similar__heading", box.getAttribute("data-similar-heading"))
    );
    if (!results.length) {
      fragment.appendChild(element("p", "", box.getAttribute("data-similar-none")));
    } else {
      fragment.appendChild(element("p", "", box.getAttribute("data-similar-intro")));
      var list = element("ul", "similar__list");
      results.forEach(function (result) {
        var item = element("li");
        var link = element("a", "", result.title);
        link.href = result.url;
        link.lang = result.lang || "";
        link.dir = "auto";
        item.appendChild(link);
        item.appendChild(document.createTextNode(" "));
        item.appendChild(element("span", "badge badge--" + result.status, result.status_label));
        list.appendChild(item);
      });
      fragment.appendChild(list);
    }
    target.replaceChildren(fragment);
  }

  function clear(box) {
    box.querySelector("[data-similar-results]").replaceChildren();
  }

  function setUp(box) {
    var fields = (box.getAttribute("data-similar-fields") || "")
      .split(" ")
      .map(function (id) {
        return id ? document.getElementById(id) : null;
      })
      .filter(Boolean);
    var step = box.querySelector("[data-similar-step]");
    var timer = null;
    var asked = "";
    var latest = 0;
    if (!fields.length) {
      return;
    }

    function title() {
      return fields
        .map(function (field) {
          return field.value.trim();
        })
        .filter(Boolean)
        .join(" ");
    }

    function look() {
      var query = title();
      if (query === asked) {
        return;
      }
      asked = query;
      if (query.length < MIN_LENGTH) {
        clear(box);
        return;
      }
      var url = new URL(box.getAttribute("data-similar-url"), window.location.href);
      url.searchParams.set("q", query);
      latest += 1;
      var mine = latest;
      window
        .fetch(url.toString(), {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(response.status);
          }
          return response.json();
        })
        .then(function (results) {
          if (mine === latest) {
            show(box, results);
          }
        })
        .catch(function () {
          asked = "";
          if (step) {
            step.hidden = false;
          }
        });
    }

    fields.forEach(function (field) {
      field.addEventListener("input", function () {
        window.clearTimeout(timer);
        timer = window.setTimeout(look, PAUSE_MS);
      });
    });
    if (step) {
      step.hidden = true;
    }
    if (title()) {
      // A form that came back: the list shown by the server stays until the title changes.
      asked = title();
    }
  }

  var boxes = document.querySelectorAll("[data-similar]");
  for (var i = 0; i < boxes.length; i += 1) {
    setUp(boxes[i]);
  }
})();
