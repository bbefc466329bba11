// ctxsweep UI: polling of sweep progress, the turn slider, and loading of
// folded texts. Everything taken from the server is written with
// textContent, never as HTML.
"use strict";

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function money(v) { return "$" + v.toFixed(4); }
function total(n) { return n ? String(n) : "?"; }

// Progress: rows (sweeps page) or the progress line (sweep page) whose
// data-key names a sweep; fields are [data-f] elements.
function fill(root, p) {
  const vals = {
    state: p.state, trials_done: p.trials_done, trials_total: total(p.trials_total),
    trials_running: p.trials_running, trials_failed: p.trials_failed,
    instances_done: p.instances_done, instances_total: total(p.instances_total),
    cost: p.imported ? "–" : money(p.cost), eta: p.eta, source: p.source,
  };
  root.querySelectorAll("[data-f]").forEach(f => {
    const v = vals[f.dataset.f];
    if (v !== undefined) f.textContent = String(v);
  });
}

function poll() {
  const roots = document.querySelectorAll("#sweeps tr[data-key], #progress[data-key]");
  const list = document.getElementById("sweeps") || document.getElementById("no-sweeps");
  if (!roots.length && !list) return;
  const tick = () => fetch("/api/sweeps", {credentials: "same-origin"})
    .then(r => r.ok ? r.json() : Promise.reject(r.status))
    .then(ps => {
      const by = {};
      (ps || []).forEach(p => { by[p.key] = p; });
      roots.forEach(r => { if (by[r.dataset.key]) fill(r, by[r.dataset.key]); });
      // A new sweep on the sweeps page: show it.
      if (list && (ps || []).some(p => !document.querySelector(`#sweeps tr[data-key="${CSS.escape(p.key)}"]`))) location.reload();
    })
    .catch(() => {})
    .finally(() => setTimeout(tick, 2000));
  setTimeout(tick, 2000);
}

// Folded texts: a button after a pre[data-more] loads the full text.
function folds() {
  document.addEventListener("click", ev => {
    const b = ev.target.closest("button.more");
    if (!b) return;
    const pre = b.previousElementSibling;
    if (!pre || !pre.dataset.more) return;
    b.disabled = true;
    fetch(pre.dataset.more, {credentials: "same-origin"}).then(r => r.text()).then(t => {
      pre.textContent = t;
      b.remove();
    });
  });
}

// The turn slider: fetch /api/view for the turn and strategy and show the
// messages, marking masked and summarised ones.
function viewer() {
  const sec = document.getElementById("viewer");
  if (!sec) return;
  const turn = document.getElementById("turn"), out = document.getElementById("turn-out");
  const strat = document.getElementById("strategy");
  const hp = {o: document.getElementById("hp-o"), n: document.getElementById("hp-n"), k: document.getElementById("hp-k")};
  const box = document.getElementById("view"), sum = document.getElementById("view-summary");
  const err = document.getElementById("view-error"), js = document.getElementById("view-json");
  let seq = 0, timer = null, jsURL = "";
  // A big view's `starter view --json` text is fetched when shown.
  const loadJSON = () => {
    const u = jsURL, my = seq;
    jsURL = "";
    js.textContent = "loading…";
    fetch(u, {credentials: "same-origin"}).then(r => r.text()).then(t => { if (my === seq) js.textContent = t; });
  };
  js.parentElement.addEventListener("toggle", () => { if (js.parentElement.open && jsURL) loadJSON(); });
  const load = () => {
    const my = ++seq;
    const u = new URL(sec.dataset.url, location.href);
    u.searchParams.set("turn", turn.value);
    u.searchParams.set("strategy", strat.value);
    for (const k in hp) u.searchParams.set(k, hp[k].value);
    sec.dataset.loading = "1";
    fetch(u, {credentials: "same-origin"}).then(r => r.ok ? r.json() : r.text().then(t => Promise.reject(t)))
      .then(v => {
        if (my !== seq) return;
        err.hidden = true;
        sum.textContent = `turn ${v.turn} of ${v.turns} · ${v.strategy} (${v.params}) · ${v.messages.length} messages, ${v.tokens} tokens (raw history: ${v.raw_messages} messages, ${v.raw_tokens} tokens)`
          + v.summaries.map(s => " · " + s).join("") + (v.notes || []).map(n => " · note: " + n).join("");
        box.replaceChildren(...v.messages.map((m, i) => {
          const d = el("div", "msg role-" + m.role + (m.masked ? " masked" : "") + (m.summary ? " summary" : ""));
          d.dataset.index = i;
          d.dataset.role = m.role;
          let head = `[${i}] ${m.role} · ${m.message_type}` + (m.turn > 0 ? ` · turn ${m.turn}` : "") + ` · ${m.tokens} tokens`;
          if (m.masked) head += ` · MASKED (original ${m.original_tokens} tokens)`;
          if (m.summary) head += ` · SUMMARY ${m.summary}`;
          const pre = el("pre", "msg-content", m.content);
          d.append(el("div", "msg-head", head), pre);
          if (m.more) { // folded: the full text on demand
            pre.classList.add("folded");
            pre.dataset.more = m.more;
            d.append(el("button", "more", `show all ${m.content_bytes} bytes`));
          }
          (m.tool_calls || []).forEach(c => d.append(el("pre", "msg-call", "→ " + c)));
          return d;
        }));
        js.textContent = v.json;
        jsURL = v.json_url || "";
        if (jsURL && js.parentElement.open) loadJSON();
        sec.dataset.turn = String(v.turn);
        delete sec.dataset.loading;
      })
      .catch(t => {
        if (my !== seq) return;
        err.hidden = false;
        err.textContent = String(t);
        delete sec.dataset.loading;
      });
  };
  const soon = () => { out.textContent = turn.value; clearTimeout(timer); timer = setTimeout(load, 120); };
  turn.addEventListener("input", soon);
  turn.addEventListener("change", soon);
  [strat, hp.o, hp.n, hp.k].forEach(x => x.addEventListener("change", load));
  load();
}

// A running instance's page: reload when it has new steps or has ended.
function live() {
  const p = document.getElementById("live");
  if (!p) return;
  const tick = () => fetch(p.dataset.url, {credentials: "same-origin"})
    .then(r => r.ok ? r.json() : Promise.reject(r.status))
    .then(v => {
      if (!v.running || String(v.steps) !== p.dataset.steps) location.reload();
      else setTimeout(tick, 2000);
    })
    .catch(() => setTimeout(tick, 4000));
  setTimeout(tick, 2000);
}

document.addEventListener("DOMContentLoaded", () => { poll(); folds(); viewer(); live(); });
