(function () {
  "use strict";
  function all(selector) { return Array.prototype.slice.call(document.querySelectorAll(selector)); }
  var cards = all("li.event[data-event]");
  var markers = all("[data-marker]");
  var marks = all("mark.quote");
  var form = document.getElementById("filters");
  var shown = document.getElementById("shown");

  function cardOf(id) { return document.getElementById("event-" + id); }

  function select(id) {
    marks.forEach(function (m) {
      m.classList.toggle("active", m.getAttribute("data-events").split(" ").indexOf(id) >= 0);
    });
    cards.forEach(function (c) {
      var on = c.getAttribute("data-event") === id;
      c.classList.toggle("selected", on);
      c.setAttribute("aria-pressed", on ? "true" : "false");
    });
    markers.forEach(function (m) {
      m.classList.toggle("selected", m.getAttribute("data-marker") === id);
    });
    document.body.setAttribute("data-selected", id);
  }

  function reveal(id) {
    var card = cardOf(id);
    if (card && card.hidden && form) { form.reset(); filter(); }
    if (card && card.scrollIntoView) { card.scrollIntoView({ block: "nearest" }); }
  }

  function values(name) {
    return all("#filters input[name='" + name + "']:checked").map(function (i) { return i.value; });
  }

  function filter() {
    if (!form) { return; }
    var types = values("type");
    var statuses = values("status");
    var source = form.elements.source ? form.elements.source.value : "";
    var disputed = form.elements.disputed ? form.elements.disputed.checked : false;
    var visible = {};
    var count = 0;
    cards.forEach(function (c) {
      var ok = types.indexOf(c.getAttribute("data-type")) >= 0 &&
        statuses.indexOf(c.getAttribute("data-status")) >= 0 &&
        (!source || c.getAttribute("data-sources").split(" ").indexOf(source) >= 0) &&
        (!disputed || c.getAttribute("data-disputed") === "1");
      c.hidden = !ok;
      visible[c.getAttribute("data-event")] = ok;
      if (ok) { count += 1; }
    });
    markers.forEach(function (m) { m.classList.toggle("off", !visible[m.getAttribute("data-marker")]); });
    if (shown) { shown.textContent = count + " of " + cards.length + " events shown"; }
    document.body.setAttribute("data-shown", String(count));
  }

  function pressable(el, id, after) {
    el.addEventListener("click", function (ev) {
      if (ev.target.closest && ev.target.closest("a")) { return; }
      select(id);
      if (after) { after(id); }
    });
    el.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); select(id); if (after) { after(id); } }
    });
  }

  cards.forEach(function (c) { pressable(c, c.getAttribute("data-event")); });
  markers.forEach(function (m) { pressable(m, m.getAttribute("data-marker"), reveal); });
  marks.forEach(function (m) {
    m.addEventListener("click", function () { select(m.getAttribute("data-events").split(" ")[0]); });
  });
  all("a[data-select]").forEach(function (a) {
    a.addEventListener("click", function (ev) {
      ev.preventDefault();
      var id = a.getAttribute("data-select");
      select(id);
      reveal(id);
      var card = cardOf(id);
      if (card && card.focus) { card.focus({ preventScroll: true }); }
    });
  });
  all("li.event a.src").forEach(function (a) {
    a.addEventListener("click", function (ev) {
      var card = a.closest("li.event");
      var article = document.getElementById(a.getAttribute("href").slice(1));
      if (!card || !article) { return; }
      select(card.getAttribute("data-event"));
      var first = article.querySelector("mark.quote.active") || article;
      ev.preventDefault();
      if (first.scrollIntoView) { first.scrollIntoView({ block: "center" }); }
    });
  });
  if (form) {
    form.addEventListener("change", filter);
    form.addEventListener("submit", function (ev) { ev.preventDefault(); });
    filter();
  }
  var wanted = /^#select-(e[0-9]+)$/.exec(window.location.hash);
  if (wanted) { select(wanted[1]); reveal(wanted[1]); }
})();
