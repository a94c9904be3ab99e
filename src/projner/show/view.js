"use strict";
// projner show: a self-contained viewer of projected pairs. Data: the JSON block #data.
// Pairs are filtered on the data and rendered a page at a time (lazy), links drawn per card.
(function () {
  const D = JSON.parse(document.getElementById("data").textContent);
  const P = D.pairs, LABELS = D.labels, PAGE = 40;
  const PALETTE = ["#2563eb", "#dc2626", "#059669", "#d97706", "#7c3aed", "#db2777", "#0891b2", "#65a30d",
                   "#9333ea", "#ea580c", "#0d9488", "#4f46e5"];
  const color = (l) => PALETTE[l % PALETTE.length];
  const $ = (id) => document.getElementById(id);
  const list = $("list"), sentinel = $("sentinel");
  const st = { dis: false, low: false, score: 0.5, label: "", kind: "", q: "" };
  let ids = [], shown = 0, cur = -1;
  const lower = new Array(P.length);

  // ---- filters -------------------------------------------------------------
  function kinds(p) {
    const k = new Set();
    for (const e of p.te) if (e[4] && e[4] !== "ok") k.add(e[4]);
    for (const e of p.ge || []) if (e[3] && e[3] !== "ok") k.add(e[3]);
    return k;
  }
  function matches(i) {
    const p = P[i];
    if (st.dis || st.kind) {
      const k = kinds(p);
      if (st.dis && !k.size) return false;
      if (st.kind && !k.has(st.kind)) return false;
    }
    if (st.low && !p.te.some((e) => e[3] !== null && e[3] <= st.score)) return false;
    if (st.label !== "") {
      const l = +st.label, has = (arr) => arr.some((e) => e[2] === l);
      if (!has(p.se) && !has(p.te) && !has(p.ge || [])) return false;
    }
    if (st.q) {
      if (lower[i] === undefined) lower[i] = (p.s.join(" ") + "\n" + p.t.join(" ")).toLowerCase();
      if (!lower[i].includes(st.q)) return false;
    }
    return true;
  }
  function apply() {
    ids = [];
    for (let i = 0; i < P.length; i++) if (matches(i)) ids.push(i);
    list.textContent = "";
    shown = 0; cur = -1;
    $("count").textContent = `${ids.length.toLocaleString()} of ${P.length.toLocaleString()} pairs`;
    if (!ids.length) list.innerHTML = '<div class="empty">No pair matches these filters.</div>';
    more();
    saveHash();
  }

  // ---- rendering -------------------------------------------------------------
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function row(side, name, tokens, ents, withScore, statusAt) {
    const r = el("div", "row " + side);
    r.appendChild(el("span", "side", name));
    const starts = new Map(ents.map((e) => [e[0], e]));
    for (let i = 0; i < tokens.length; ) {
      const e = starts.get(i);
      if (!e) { r.appendChild(word(side, i, tokens[i])); i++; continue; }
      const box = el("span", "ent");
      box.style.setProperty("--c", color(e[2]));
      box.dataset.label = LABELS[e[2]];
      const status = statusAt === undefined ? "" : e[statusAt];
      if (status) { box.classList.add(status); box.dataset.status = status; }
      for (let j = e[0]; j < e[1]; j++) box.appendChild(word(side, j, tokens[j]));
      let tag = LABELS[e[2]];
      const t = el("span", "tag", tag);
      if (withScore && e[3] !== null) t.appendChild(el("span", "score", " " + e[3].toFixed(2)));
      box.appendChild(t);
      if (status) box.appendChild(el("span", "mark " + status, status === "ok" ? "✓" : status));
      r.appendChild(box);
      i = e[1];
    }
    return r;
  }
  function word(side, i, text) {
    const w = el("span", "w", text);
    w.dataset.side = side; w.dataset.i = i;
    return w;
  }
  function card(i) {
    const p = P[i], c = el("div", "pair");
    c.dataset.i = i; c.tabIndex = -1;
    const h = el("div", "hdr");
    h.appendChild(el("span", "id", "#" + (i + 1)));
    if (p.ln) h.appendChild(el("span", "", "line " + p.ln));
    h.appendChild(el("span", "", `${p.se.length} source · ${p.te.length} projected entities`));
    if (p.ge) {
      const k = kinds(p);
      h.appendChild(el("span", "badge " + (k.size ? "dis" : "agree"), k.size ? [...k].join(", ") : "agrees with gold"));
    }
    c.appendChild(h);
    c.appendChild(row("src", "source", p.s, p.se, false));
    c.appendChild(row("tgt", "target", p.t, p.te, true, D.gold ? 4 : undefined));
    if (p.ge) c.appendChild(row("gold", "gold", p.t, p.ge, false, 3));
    if (p.a.length) {
      const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
      svg.setAttribute("class", "links");
      c.appendChild(svg);
    }
    return c;
  }
  function drawLinks(c) {
    const svg = c.querySelector("svg.links");
    if (!svg) return;
    const p = P[+c.dataset.i], box = c.getBoundingClientRect();
    const src = c.querySelectorAll(".row.src .w"), tgt = c.querySelectorAll(".row.tgt .w");
    const NS = "http://www.w3.org/2000/svg";
    for (let k = 0; k < p.a.length; k += 2) {
      const a = src[p.a[k]], b = tgt[p.a[k + 1]];
      if (!a || !b) continue;
      const ra = a.getBoundingClientRect(), rb = b.getBoundingClientRect();
      const l = document.createElementNS(NS, "line");
      l.setAttribute("x1", ra.left + ra.width / 2 - box.left); l.setAttribute("y1", ra.bottom - box.top);
      l.setAttribute("x2", rb.left + rb.width / 2 - box.left); l.setAttribute("y2", rb.top - box.top);
      l.setAttribute("class", "link");
      l.dataset.s = p.a[k]; l.dataset.t = p.a[k + 1];
      svg.appendChild(l);
    }
  }
  function more() {
    const end = Math.min(ids.length, shown + PAGE), added = [];
    const frag = document.createDocumentFragment();
    for (; shown < end; shown++) { const c = card(ids[shown]); added.push(c); frag.appendChild(c); }
    list.appendChild(frag);
    for (const c of added) drawLinks(c);
  }
  new IntersectionObserver((es) => { if (es.some((e) => e.isIntersecting) && shown < ids.length) more(); },
                           { rootMargin: "600px" }).observe(sentinel);
  window.addEventListener("resize", () => {
    for (const c of list.querySelectorAll(".pair")) { const s = c.querySelector("svg.links"); if (s) s.textContent = ""; drawLinks(c); }
  });

  // ---- hover: a word lights up its links and linked words ---------------------
  list.addEventListener("mouseover", (ev) => hover(ev.target, true));
  list.addEventListener("mouseout", (ev) => hover(ev.target, false));
  function hover(t, on) {
    const w = t.closest && t.closest(".w");
    if (!w || w.dataset.side === "gold") return;
    const c = w.closest(".pair"), i = w.dataset.i, side = w.dataset.side;
    const key = side === "src" ? "s" : "t", other = side === "src" ? "tgt" : "src", okey = side === "src" ? "t" : "s";
    w.classList.toggle("on", on);
    for (const l of c.querySelectorAll(`line[data-${key}="${i}"]`)) {
      l.classList.toggle("on", on);
      const o = c.querySelectorAll(`.row.${other} .w`)[+l.dataset[okey]];
      if (o) o.classList.toggle("on", on);
    }
  }

  // ---- controls, hash state, keyboard ----------------------------------------
  const ctl = { dis: $("f-dis"), low: $("f-low"), score: $("f-score"), label: $("f-label"), kind: $("f-kind"), q: $("f-q") };
  LABELS.forEach((l, k) => {
    const o = el("option", "", l); o.value = k; ctl.label.appendChild(o);
    const g = el("span", "", l); g.style.borderColor = g.style.color = color(k); $("legend").appendChild(g);
  });
  function readControls() {
    st.dis = ctl.dis.checked; st.low = ctl.low.checked; st.score = +ctl.score.value;
    st.label = ctl.label.value; st.kind = ctl.kind.value; st.q = ctl.q.value.trim().toLowerCase();
    $("score-v").textContent = st.score.toFixed(2);
  }
  function writeControls() {
    ctl.dis.checked = st.dis; ctl.low.checked = st.low; ctl.score.value = st.score;
    ctl.label.value = st.label; ctl.kind.value = st.kind; ctl.q.value = st.q;
    $("score-v").textContent = (+st.score).toFixed(2);
  }
  function saveHash() {
    const h = new URLSearchParams();
    if (st.dis) h.set("dis", "1");
    if (st.low) h.set("score", st.score);
    if (st.label !== "") h.set("label", LABELS[+st.label]);
    if (st.kind) h.set("kind", st.kind);
    if (st.q) h.set("q", st.q);
    try { history.replaceState(null, "", h.toString() ? "#" + h : location.pathname); } catch (e) { /* file: quirks */ }
  }
  function loadHash() {
    const h = new URLSearchParams(location.hash.slice(1));
    st.dis = h.get("dis") === "1";
    st.low = h.has("score"); if (st.low) st.score = +h.get("score");
    const l = LABELS.indexOf(h.get("label")); st.label = l >= 0 ? String(l) : "";
    st.kind = h.get("kind") || ""; st.q = (h.get("q") || "").toLowerCase();
    writeControls();
  }
  let timer = 0;
  for (const k in ctl) ctl[k].addEventListener(k === "q" || k === "score" ? "input" : "change", () => {
    clearTimeout(timer); timer = setTimeout(() => { readControls(); apply(); }, k === "q" ? 150 : 0);
  });
  function go(delta) {
    const cards = list.querySelectorAll(".pair");
    if (!cards.length) return;
    let n = Math.max(0, Math.min(ids.length - 1, cur + delta));
    while (n >= shown && shown < ids.length) more();
    const c = list.querySelectorAll(".pair")[n];
    if (cur >= 0 && cards[cur]) cards[cur].classList.remove("cur");
    cur = n; c.classList.add("cur"); c.scrollIntoView({ block: "center" });
  }
  document.addEventListener("keydown", (ev) => {
    if (ev.target.matches("input, select")) { if (ev.key === "Escape") ev.target.blur(); return; }
    if (ev.key === "j" || ev.key === "ArrowDown") { go(1); ev.preventDefault(); }
    else if (ev.key === "k" || ev.key === "ArrowUp") { go(-1); ev.preventDefault(); }
    else if (ev.key === "/") { ctl.q.focus(); ev.preventDefault(); }
    else if (ev.key === "d" && D.gold) { ctl.dis.checked = !ctl.dis.checked; readControls(); apply(); }
  });
  window.addEventListener("hashchange", () => { loadHash(); apply(); });
  if (!D.gold) { for (const id of ["g-dis", "g-kind"]) $(id).hidden = true; }
  loadHash();
  apply();
  document.body.dataset.ready = Math.round(performance.now());
})();
