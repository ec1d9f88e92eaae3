(function () {
  "use strict";
  var events = Array.prototype.slice.call(document.querySelectorAll("[data-event]"));
  var marks = Array.prototype.slice.call(document.querySelectorAll("mark.quote"));

  function select(id) {
    marks.forEach(function (m) {
      m.classList.toggle("active", m.getAttribute("data-events").split(" ").indexOf(id) >= 0);
    });
    events.forEach(function (e) {
      var on = e.getAttribute("data-event") === id;
      e.classList.toggle("selected", on);
      e.setAttribute("aria-pressed", on ? "true" : "false");
    });
    document.body.setAttribute("data-selected", id);
    var first = document.querySelector("mark.quote.active");
    if (first && first.scrollIntoView) { first.scrollIntoView({ block: "center" }); }
  }

  events.forEach(function (e) {
    var id = e.getAttribute("data-event");
    e.addEventListener("click", function () { select(id); });
    e.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); select(id); }
    });
  });
  marks.forEach(function (m) {
    m.addEventListener("click", function () { select(m.getAttribute("data-events").split(" ")[0]); });
  });
  var wanted = /^#select-(e[0-9]+)$/.exec(window.location.hash);
  if (wanted) { select(wanted[1]); }
})();
