/* digestgen search: loads the index in script files on demand, so it works from file:// too.
   The index format is written by digestgen/searchindex.py. */
(function () {
  "use strict";

  var S = (window.DigestSearch = { data: { shard: {}, meta: {}, text: {} }, pending: {}, loaded: [] });
  var root = document.documentElement.getAttribute("data-root") || "";

  function arrived(key) {
    var waiting = S.pending[key];
    if (waiting) { delete S.pending[key]; waiting.forEach(function (w) { w.resolve(); }); }
  }
  S.facets = function (d) { S.data.facets = d; arrived("facets"); };
  S.shard = function (n, d) { S.data.shard[n] = d; arrived("s" + n); };
  S.meta = function (k, rows) { S.data.meta[k] = rows; arrived("m" + k); };
  S.text = function (k, rows) { S.data.text[k] = rows; arrived("t" + k); };

  function has(key) {
    var kind = key.charAt(0), n = key.slice(1);
    if (key === "facets") return !!S.data.facets;
    return !!(S.data[{ s: "shard", m: "meta", t: "text" }[kind]] || {})[n];
  }

  function load(key) {
    if (has(key)) return Promise.resolve();
    return new Promise(function (resolve, reject) {
      var first = !S.pending[key];
      (S.pending[key] = S.pending[key] || []).push({ resolve: resolve, reject: reject });
      if (!first) return;
      var el = document.createElement("script");
      S.loaded.push(key);
      el.src = root + "search/" + key + ".js";
      el.async = true;
      el.onerror = function () {
        (S.pending[key] || []).forEach(function (w) { w.reject(new Error("cannot load " + el.src)); });
        delete S.pending[key];
      };
      document.head.appendChild(el);
    });
  }

  // Must match searchindex.shard_of: FNV-1a over UTF-16 code units.
  function shardOf(term, count) {
    var h = 0x811c9dc5;
    for (var i = 0; i < term.length; i++) {
      h ^= term.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h % count;
  }

  var CJK = /[\u3400-\u9fff\uf900-\ufaff]+|[a-z0-9]+/g;

  /* A query is parts (words, or runs of Chinese / of letters and digits); all must match. */
  function parseQuery(q) {
    var parts = [];
    (q.toLowerCase().match(CJK) || []).forEach(function (p) { if (parts.indexOf(p) < 0) parts.push(p); });
    return parts;
  }

  function termsOf(part) {
    if (!/^[\u3400-\u9fff\uf900-\ufaff]/.test(part) || part.length === 1) return [part];
    var out = [];
    for (var i = 0; i + 1 < part.length; i++) if (out.indexOf(part.substr(i, 2)) < 0) out.push(part.substr(i, 2));
    return out;
  }

  function decode(s) {
    var out = [], last = -1;
    if (!s) return out;
    s.split(",").forEach(function (gap) { last += parseInt(gap, 36); out.push(last); });
    return out;
  }

  function postings(term) {
    var facets = S.data.facets;
    var entry = (S.data.shard[shardOf(term, facets.shards)] || {})[term];
    return entry ? { head: decode(entry[0]), body: decode(entry[1]) } : { head: [], body: [] };
  }

  function intersect(a, b) {
    var out = [], i = 0, j = 0;
    while (i < a.length && j < b.length) {
      if (a[i] === b[j]) { out.push(a[i]); i++; j++; } else if (a[i] < b[j]) i++; else j++;
    }
    return out;
  }

  function union(a, b) {
    var seen = {}, out = [];
    a.concat(b).forEach(function (x) { if (!seen[x]) { seen[x] = 1; out.push(x); } });
    return out.sort(function (x, y) { return x - y; });
  }

  /* Candidate documents with a score: a part found in the title or tags weighs 10, in the body 1. */
  function candidates(parts, filters) {
    var facets = S.data.facets, scores = null;
    parts.forEach(function (part) {
      var any = null, head = null;
      termsOf(part).forEach(function (term) {
        var p = postings(term);
        var both = union(p.head, p.body);
        any = any === null ? both : intersect(any, both);
        head = head === null ? p.head : intersect(head, p.head);
      });
      var partScores = {};
      any.forEach(function (id) { partScores[id] = 1; });
      head.forEach(function (id) { partScores[id] = 10; });
      if (scores === null) { scores = partScores; return; }
      var next = {};
      Object.keys(scores).forEach(function (id) { if (partScores[id]) next[id] = scores[id] + partScores[id]; });
      scores = next;
    });
    var ids = Object.keys(scores || {}).map(Number).filter(function (id) {
      var d = facets.docs[id];
      return (filters.year === "" || d[0] === Number(filters.year)) &&
             (filters.region === "" || d[1] === Number(filters.region)) &&
             (filters.theme === "" || (d[2] & (1 << Number(filters.theme))) !== 0);
    });
    // Newest first among equals: documents are numbered newest first.
    ids.sort(function (a, b) { return scores[b] - scores[a] || a - b; });
    return ids;
  }

  function textOf(id) { var f = S.data.facets; return S.data.text[Math.floor(id / f.textBucket)][id % f.textBucket]; }
  function metaOf(id) { var f = S.data.facets; return S.data.meta[Math.floor(id / f.metaBucket)][id % f.metaBucket]; }

  function contains(id, parts) {
    var text = textOf(id).toLowerCase();
    return parts.every(function (p) { return text.indexOf(p) >= 0; });
  }

  function escapeHtml(s) {
    return s.replace(/[&<>"]/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]; });
  }

  function highlight(text, parts) {
    // Matches are found in the text itself and the text is escaped after, so a query such as
    // "amp" or "lt" never lands inside an entity (&amp;, &lt;).
    var marked = [];
    parts.forEach(function (p) {
      if (!p) return;
      var re = new RegExp(p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "gi"), m;
      while ((m = re.exec(text)) !== null) {
        for (var i = m.index; i < m.index + m[0].length; i++) marked[i] = true;
        if (!m[0].length) re.lastIndex++;
      }
    });
    var out = "", open = false;
    for (var i = 0; i < text.length; i++) {
      if (!!marked[i] !== open) { out += open ? "</mark>" : "<mark>"; open = !open; }
      out += escapeHtml(text.charAt(i));
    }
    return out + (open ? "</mark>" : "");
  }

  function snippet(id, parts) {
    var text = textOf(id), body = text.slice(text.indexOf("\n") + 1).replace(/\s+/g, " ");
    var lower = body.toLowerCase(), at = -1;
    parts.forEach(function (p) { var i = lower.indexOf(p); if (i >= 0 && (at < 0 || i < at)) at = i; });
    var start = Math.max(0, at - 30), end = Math.min(body.length, Math.max(at, 0) + 90);
    return (start > 0 ? "…" : "") + highlight(body.slice(start, end), parts) + (end < body.length ? "…" : "");
  }

  var PAGE = 20, VERIFY_ALL = 40;

  /* Runs a query: loads the shards it needs, then the text of the candidates it shows. */
  function search(q, filters) {
    var parts = parseQuery(q);
    if (!parts.length) return Promise.resolve({ parts: parts, ids: [], exact: true });
    return load("facets").then(function () {
      var f = S.data.facets, keys = {};
      parts.forEach(function (p) { termsOf(p).forEach(function (t) { keys["s" + shardOf(t, f.shards)] = 1; }); });
      return Promise.all(Object.keys(keys).map(load));
    }).then(function () {
      var f = S.data.facets, ids = candidates(parts, filters);
      // Bigrams pin down a one- or two-character part exactly; a longer one can have all its
      // bigrams without the phrase, so those candidates are checked against their text.
      var needsCheck = parts.some(function (p) { return termsOf(p).length > 1; });
      if (!needsCheck) return { parts: parts, ids: ids, exact: true };
      var check = ids.length <= VERIFY_ALL ? ids : ids.slice(0, PAGE * 2);
      var buckets = {};
      check.forEach(function (id) { buckets["t" + Math.floor(id / f.textBucket)] = 1; });
      return Promise.all(Object.keys(buckets).map(load)).then(function () {
        var verified = check.filter(function (id) { return contains(id, parts); });
        var exact = ids.length <= VERIFY_ALL;
        return { parts: parts, ids: exact ? verified : verified.concat(ids.slice(check.length)), exact: exact };
      });
    });
  }

  function show(result, q, els) {
    var f = S.data.facets, shown = result.ids.slice(0, PAGE), buckets = {};
    shown.forEach(function (id) {
      buckets["m" + Math.floor(id / f.metaBucket)] = 1;
      buckets["t" + Math.floor(id / f.textBucket)] = 1;
    });
    return Promise.all(Object.keys(buckets).map(load)).then(function () {
      els.list.innerHTML = "";
      if (!result.ids.length) {
        els.status.textContent = q.trim() ? "没有找到与“" + q.trim() + "”相关的文章。" : "输入关键词开始搜索。";
        els.suggest.hidden = !q.trim();
        if (q.trim()) suggest(q, els.suggest);
        return;
      }
      els.suggest.hidden = true;
      els.status.textContent = (result.exact ? "找到 " : "约 ") + result.ids.length + " 篇文章";
      shown.forEach(function (id) {
        var m = metaOf(id), li = document.createElement("li");
        li.className = "entry";
        li.innerHTML = '<h3 class="entry-title"><a href="' + escapeHtml(root + m[0]) + '">' +
          highlight(m[1], result.parts) + "</a></h3>" +
          '<p class="meta">' + (m[2] ? '<time datetime="' + escapeHtml(m[2]) + '">' + cnDate(m[2]) + "</time>" : "日期不详") + (m[3] ? ' <span class="sep" aria-hidden="true">·</span> ' +
          escapeHtml(m[3]) : "") + "</p>" + '<p class="summary">' + snippet(id, result.parts) + "</p>";
        els.list.appendChild(li);
      });
    });
  }

  /* 2022-02-21 -> 2022年2月21日, the date format of every other page. */
  function cnDate(iso) {
    var p = iso.split("-");
    return p.length === 3 ? +p[0] + "年" + +p[1] + "月" + +p[2] + "日" : escapeHtml(iso);
  }

  /* For a query with no results: the tags closest to it (most characters in common). */
  function suggest(q, box) {
    var chars = q.replace(/\s+/g, "").split(""), tags = S.data.facets.tags;
    var scored = tags.map(function (t) {
      var common = chars.filter(function (c) { return t[0].indexOf(c) >= 0; }).length;
      return [common, t[2], t];
    }).filter(function (s) { return s[0] > 0; });
    if (!scored.length) scored = tags.map(function (t) { return [0, t[2], t]; });
    scored.sort(function (a, b) { return b[0] - a[0] || b[1] - a[1]; });
    var list = box.querySelector("ul");
    list.innerHTML = "";
    scored.slice(0, 8).forEach(function (s) {
      var li = document.createElement("li");
      li.innerHTML = '<a href="' + escapeHtml(root + s[2][1]) + '">' + escapeHtml(s[2][0]) + "</a>";
      list.appendChild(li);
    });
  }

  function fillSelect(select, items, selected) {
    items.forEach(function (label, i) {
      var opt = document.createElement("option");
      opt.value = String(i);
      opt.textContent = label;
      if (String(i) === selected) opt.selected = true;
      select.appendChild(opt);
    });
  }

  S.run = search;

  S.page = function () {
    var form = document.getElementById("search-form");
    if (!form) return;
    var els = {
      q: form.elements.q, region: form.elements.region, theme: form.elements.theme, year: form.elements.year,
      status: document.getElementById("search-status"), list: document.getElementById("search-results"),
      suggest: document.getElementById("search-suggest")
    };
    var params = new URLSearchParams(location.search);
    els.q.value = params.get("q") || "";
    var timer = null, seq = 0;
    // Only with JavaScript running is the index loaded; without it the page's <noscript> speaks.
    if (!els.status.textContent) els.status.textContent = "正在加载搜索索引…";

    function filters() { return { region: els.region.value, theme: els.theme.value, year: els.year.value }; }

    function update(push) {
      var q = els.q.value, query = new URLSearchParams();
      if (q) query.set("q", q);
      ["region", "theme", "year"].forEach(function (k) { if (els[k].value !== "") query.set(k, els[k].value); });
      var url = location.pathname + (query.toString() ? "?" + query.toString() : "");
      try { history[push ? "pushState" : "replaceState"](null, "", url); } catch (e) { /* file:// in some browsers */ }
      var mine = ++seq;
      els.status.textContent = "正在搜索…";
      search(q, filters()).then(function (result) {
        if (mine === seq) return show(result, q, els);
      }).then(function () {
        if (mine === seq) document.documentElement.setAttribute("data-search-done", String(mine));
      }, function (err) {
        els.status.textContent = "搜索索引无法加载:" + err.message;
      });
    }

    load("facets").then(function () {
      var f = S.data.facets;
      fillSelect(els.region, f.provinces, params.get("region"));
      fillSelect(els.theme, f.themes.map(function (t) { return t[1]; }), params.get("theme"));
      fillSelect(els.year, f.years.map(function (y) { return y + "年"; }), params.get("year"));
      update(false);
    }, function (err) { els.status.textContent = "搜索索引无法加载:" + err.message; });

    form.addEventListener("submit", function (ev) { ev.preventDefault(); update(true); });
    els.q.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(function () { update(false); }, 250); });
    ["region", "theme", "year"].forEach(function (k) { els[k].addEventListener("change", function () { update(false); }); });
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", S.page);
  else S.page();
})();
