/* runsheet: site navigation and offline search. Works from file:// and from any web server:
   the navigation tree comes from nav.js and the search index from search-index.js, both
   plain scripts that set a global, so nothing is fetched. */
(function () {
  "use strict";
  var body = document.body;
  var root = body.getAttribute("data-root") || "";
  var current = body.getAttribute("data-page") || "";

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    for (var k in attrs || {}) node.setAttribute(k, attrs[k]);
    if (text != null) node.textContent = text;
    return node;
  }

  /* The layout's own ids carry an `rs:` prefix, which a heading anchor never has;
     a project's own base.html written before that may still use the bare name. */
  function byId(name) {
    return document.getElementById("rs:" + name) || document.getElementById(name);
  }

  /* ---- navigation ---- */

  function holdsCurrent(node) {
    return node.u === current || node.c.some(holdsCurrent);
  }

  function navLabel(node) {
    if (!node.u) return el("span", { "class": "section" }, node.t);
    var a = el("a", { href: root + node.u }, node.t);
    if (node.u === current) {
      a.className = "current";
      a.setAttribute("aria-current", "page");
    }
    return a;
  }

  function navList(nodes, open) {
    var ul = el("ul");
    nodes.forEach(function (node) {
      var li = el("li");
      if (node.c.length) {
        var details = el("details");
        details.open = open || holdsCurrent(node);
        var summary = el("summary");
        summary.appendChild(navLabel(node));
        details.appendChild(summary);
        details.appendChild(navList(node.c, false));
        li.appendChild(details);
      } else {
        li.className = "leaf";
        li.appendChild(navLabel(node));
      }
      ul.appendChild(li);
    });
    return ul;
  }

  function count(node) {
    return node.c.reduce(function (n, c) { return n + count(c); }, 1);
  }

  function buildNav() {
    var tree = window.RUNSHEET_NAV;
    var host = byId("site-nav");
    if (!tree || !host) return;
    var top = tree.u ? [{ t: tree.t, u: tree.u, c: [] }].concat(tree.c) : tree.c;
    host.appendChild(navList(top, count(tree) <= 40));
    var here = host.querySelector("a.current");
    if (here && here.scrollIntoView) here.scrollIntoView({ block: "nearest" });
    var toggle = document.querySelector(".nav-toggle");
    if (toggle) {
      toggle.addEventListener("click", function () {
        var open = body.classList.toggle("nav-open");
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
      });
    }
  }

  /* ---- theme: the system's (prefers-color-scheme) until the reader picks one ---- */

  var THEME_KEY = "runsheet-theme";

  function systemTheme() {
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }

  function currentTheme() {
    return document.documentElement.getAttribute("data-theme") || systemTheme();
  }

  function showTheme(button) {
    var dark = currentTheme() === "dark";
    button.setAttribute("aria-pressed", dark ? "true" : "false");
    button.setAttribute("aria-label", dark ? "Light theme" : "Dark theme");
    button.title = dark ? "Switch to the light theme" : "Switch to the dark theme";
  }

  function setUpTheme() {
    var button = document.querySelector(".theme-toggle");
    if (!button) return;
    showTheme(button);
    button.addEventListener("click", function () {
      var next = currentTheme() === "dark" ? "light" : "dark";
      try {
        // picking what the system shows anyway goes back to following the system
        if (next === systemTheme()) localStorage.removeItem(THEME_KEY);
        else localStorage.setItem(THEME_KEY, next);
      } catch (e) { /* storage refused (file://, private mode): this page only */ }
      if (next === systemTheme()) document.documentElement.removeAttribute("data-theme");
      else document.documentElement.setAttribute("data-theme", next);
      showTheme(button);
    });
    if (window.matchMedia) {
      var query = window.matchMedia("(prefers-color-scheme: dark)");
      if (query.addEventListener) query.addEventListener("change", function () { showTheme(button); });
    }
  }

  /* ---- search ---- */

  var input = byId("search-input");
  var results = byId("search-results");
  var waiting = null;

  function loadIndex(done) {
    if (window.RUNSHEET_SEARCH) return done(window.RUNSHEET_SEARCH);
    if (!waiting) {
      waiting = [];
      var script = el("script", { src: root + "assets/search-index.js" });
      script.onload = function () {
        var index = window.RUNSHEET_SEARCH || { pages: [] };
        waiting.forEach(function (f) { f(index); });
      };
      script.onerror = function () { showMessage("The search index could not be loaded."); };
      document.head.appendChild(script);
    }
    waiting.push(done);
  }

  function terms(query) {
    return query.toLowerCase().split(/\s+/).filter(Boolean);
  }

  /* Whether a and b are at most one edit apart: a letter added, dropped,
     changed, or two neighbours swapped. */
  function oneEdit(a, b) {
    if (a === b) return true;
    var la = a.length, lb = b.length;
    if (Math.abs(la - lb) > 1) return false;
    var i = 0;
    while (i < la && i < lb && a[i] === b[i]) i++;
    if (la === lb) {
      if (a.slice(i + 1) === b.slice(i + 1)) return true;
      return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
    }
    return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
  }

  function words(text) {
    return text.split(/[^\p{L}\p{N}_]+/u).filter(function (w) { return w.length > 2; });
  }

  /* A page's words, split once, for the typo-tolerant match. */
  function vocabulary(p) {
    if (!p._words) {
      var seen = {};
      p._title = words(p.t.toLowerCase());
      words((p.t + " " + p.d + " " + p.h.map(function (h) { return h[1]; }).join(" ") + " " + p.x).toLowerCase())
        .forEach(function (w) { seen[w] = true; });
      p._words = Object.keys(seen);
    }
    return p;
  }

  /* The word of `list` one typo away from `w` (for words of 5 letters or more), or null. */
  function nearWord(list, w) {
    if (w.length < 5) return null;
    for (var i = 0; i < list.length; i++) {
      if (list[i].length >= 4 && oneEdit(list[i], w)) return list[i];
    }
    return null;
  }

  function haystack(p) {
    if (p._hay) return p._hay;
    return (p._hay = (p.t + "\n" + p.d + "\n" + p.h.map(function (h) { return h[1]; }).join("\n") + "\n" + p.x).toLowerCase());
  }

  /* Every page holding every word, title matches first, then by where the
     words were found. A word found on no page at all is taken as a typo:
     pages holding a word one edit away from it count too (ranked after the
     exact ones). */
  function find(index, words) {
    var typos = words.filter(function (w) {
      return !index.pages.some(function (p) { return haystack(p).indexOf(w) >= 0; });
    });
    var found = [];
    index.pages.forEach(function (p) {
      var title = p.t.toLowerCase(), desc = p.d.toLowerCase(), text = p.x.toLowerCase();
      var heads = p.h.map(function (h) { return h[1].toLowerCase(); });
      var score = 0, inTitle = 0, shown = [];
      var all = words.every(function (w) {
        var s = 0;
        if (title.indexOf(w) >= 0) { s += 10; inTitle += 2; }
        if (heads.some(function (h) { return h.indexOf(w) >= 0; })) s += 5;
        if (desc.indexOf(w) >= 0) s += 3;
        if (text.indexOf(w) >= 0) s += 1;
        if (s > 0) { shown.push(w); score += s; return true; }
        if (typos.indexOf(w) < 0) return false;
        var near = nearWord(vocabulary(p)._title, w);
        if (near) { inTitle += 1; score += 5; shown.push(near); return true; }
        near = nearWord(p._words, w);
        if (near) { score += 1; shown.push(near); return true; }
        return false;
      });
      if (!all) return;
      var matching = p.h.filter(function (h, i) {
        return shown.some(function (w) { return heads[i].indexOf(w) >= 0; });
      });
      found.push({ page: p, score: score, inTitle: inTitle, words: shown, headings: matching.slice(0, 4) });
    });
    found.sort(function (a, b) {
      return b.inTitle - a.inTitle || b.score - a.score || a.page.t.localeCompare(b.page.t);
    });
    return found.slice(0, 12);
  }

  function snippet(text, words) {
    var lower = text.toLowerCase(), at = -1, word = "";
    for (var i = 0; i < words.length && at < 0; i++) { at = lower.indexOf(words[i]); word = words[i]; }
    var p = el("p", { "class": "search-snippet" });
    if (at < 0) {
      p.textContent = text.slice(0, 140) + (text.length > 140 ? "…" : "");
      return p;
    }
    var start = Math.max(0, at - 60), end = Math.min(text.length, at + word.length + 90);
    p.appendChild(document.createTextNode((start > 0 ? "…" : "") + text.slice(start, at)));
    p.appendChild(el("mark", {}, text.slice(at, at + word.length)));
    p.appendChild(document.createTextNode(text.slice(at + word.length, end) + (end < text.length ? "…" : "")));
    return p;
  }

  function showMessage(message) {
    results.textContent = "";
    results.appendChild(el("p", { "class": "search-empty" }, message));
    results.hidden = false;
  }

  function show(found, query, words) {
    if (!found.length) return showMessage("No pages match “" + query + "”.");
    results.textContent = "";
    var list = el("ol");
    found.forEach(function (r) {
      var li = el("li", { "class": "search-result" });
      li.appendChild(el("a", { href: root + r.page.u }, r.page.t));
      li.appendChild(snippet(r.page.x || r.page.d, r.words));
      if (r.headings.length) {
        var sub = el("ul", { "class": "search-headings" });
        r.headings.forEach(function (h) {
          var item = el("li");
          item.appendChild(el("a", { href: root + r.page.u + "#" + h[0] }, h[1]));
          sub.appendChild(item);
        });
        li.appendChild(sub);
      }
      list.appendChild(li);
    });
    results.appendChild(list);
    results.hidden = false;
  }

  function run(query) {
    var words = terms(query);
    if (!words.length) { results.hidden = true; return; }
    loadIndex(function (index) {
      if (input.value.trim() !== query.trim()) return; // typed on meanwhile
      show(find(index, words), query.trim(), words);
    });
  }

  function setUpSearch() {
    if (!input || !results) return;
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { run(input.value); }, 60);
    });
    input.addEventListener("focus", function () {
      loadIndex(function () {});
      if (input.value.trim() && results.childNodes.length) results.hidden = false;
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { results.hidden = true; input.blur(); }
    });
    input.form.addEventListener("submit", function (e) {
      e.preventDefault();
      var first = results.querySelector(".search-result a");
      if (first && !results.hidden) window.location.href = first.href;
      else run(input.value);
    });
    document.addEventListener("click", function (e) {
      if (!input.form.contains(e.target)) results.hidden = true;
    });
    document.addEventListener("keydown", function (e) {
      if (e.key === "/" && document.activeElement !== input && !/INPUT|TEXTAREA/.test(document.activeElement.tagName)) {
        e.preventDefault();
        input.focus();
      }
    });
    var query = new URLSearchParams(window.location.search).get("q");
    if (query) {
      input.value = query;
      run(query);
    }
  }

  buildNav();
  setUpTheme();
  setUpSearch();
})();
