// "Mix the layers" (chapter 7's scalar mix) under the sentence panel's neighbours:
//   ELMo_task = γ · Σ_k softmax(s)_k · h_k
// for the picked word and for every stored corpus occurrence of it, each layer centred with
// chapter 9's layer means, then ranked by cosine. A slider move re-ranks at once: each
// occurrence's 3 × 3 dot products between its layers (and with the query's) are computed once
// per pick, so a new mix costs 9 multiplications an occurrence.
import { el } from "./panel.js";

const S_RANGE = 8; // the sliders' range for s; a layer preset sets s = [8, -8, -8] (weight 1 - 2e-7)

export function initialState(manifest) {
  const presets = [0, 1, 2].map((k) => ({ name: `layer ${k}`,
    s: [0, 1, 2].map((j) => (j === k ? S_RANGE : -S_RANGE)) }));
  presets.push({ name: "equal", s: [0, 0, 0] });
  for (const p of manifest.mix_presets ?? []) {
    presets.push({ name: p.name, s: p.weights.map((w) => Math.log(w)), source: p.source });
  }
  return { s: [0, 0, 0], gamma: 1, presets };
}

function softmax(s) {
  const m = Math.max(...s);
  const e = s.map((v) => Math.exp(v - m));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / z);
}

function dot(a, b) {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** The section: sliders, presets and the mixed neighbours of the picked word. */
export function mixSection({ state, layers, position, target, table, means, formVectors, D }) {
  const K = layers.length;
  const query = layers.map((layer, k) => layer[position].map((v, j) => v - means[k][j])); // (K, D)
  const rows = [];
  for (let i = 0; i < target.count; i++) {
    const form = formVectors.get(target.forms[target.form[i]]); // [x, x], (D)
    const c = [form.map((v, j) => v - means[0][j])];
    for (let k = 1; k < K; k++) {
      const base = ((target.first + i) * (K - 1) + (k - 1)) * D;
      const norm = target.norms[i][k - 1];
      c.push(table.subarray(base, base + D).map((v) => v * norm));
    }
    const gram = [];
    const cross = [];
    for (let a = 0; a < K; a++) {
      for (let b = 0; b < K; b++) {
        gram.push(dot(c[a], c[b]));
        cross.push(dot(query[a], c[b]));
      }
    }
    rows.push({ gram, cross });
  }
  const queryGram = [];
  for (let a = 0; a < K; a++) for (let b = 0; b < K; b++) queryGram.push(dot(query[a], query[b]));

  const section = el("section", { class: "elmo-mix", "aria-label": "Mix the layers" });
  const weightsLine = el("p", { class: "elmo-mix-weights" });
  const body = el("tbody");
  const sliders = [];
  function quad(m, w) {
    let s = 0;
    for (let a = 0; a < K; a++) for (let b = 0; b < K; b++) s += w[a] * w[b] * m[a * K + b];
    return s;
  }
  function rerank() {
    const w = softmax(state.s);
    const qNorm = Math.sqrt(Math.max(quad(queryGram, w), 0));
    const scores = rows.map(({ gram, cross }) =>
      quad(cross, w) / Math.max(qNorm * Math.sqrt(Math.max(quad(gram, w), 0)), 1e-12));
    const order = scores.map((_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b).slice(0, 5);
    body.replaceChildren(...order.map((i, rank) => el("tr", {},
      el("td", { text: String(rank + 1) }),
      el("td", { "data-index": String(i) },
        el("span", { class: "elmo-score", text: scores[i].toFixed(2) + " " }), target.text[i]))));
    section.dataset.weights = w.map((v) => v.toPrecision(9)).join(" ");
    weightsLine.textContent = `softmax(s) = [${w.map((v) => v.toFixed(3)).join(", ")}], γ = ` +
      `${state.gamma.toFixed(2)}: the mixed vector of your word has length ` +
      `${(state.gamma * qNorm).toFixed(2)}. Cosine ignores γ (it scales every mixed vector ` +
      "alike), so γ moves no neighbour; a task's classifier on top of the mix does feel it.";
    sliders.forEach((input, k) => { input.value = String(k < K ? state.s[k] : state.gamma); });
  }
  const controls = el("div", { class: "elmo-mix-controls" });
  for (let k = 0; k <= K; k++) {
    const isGamma = k === K;
    const input = el("input", { type: "range", min: isGamma ? "0" : String(-S_RANGE),
      max: isGamma ? "4" : String(S_RANGE), step: isGamma ? "0.05" : "0.1",
      "aria-label": isGamma ? "γ, the scale of the mix" : `s${k}, the weight of layer ${k} before the softmax`,
      "data-mix": isGamma ? "gamma" : `s${k}` });
    input.addEventListener("input", () => {
      if (isGamma) state.gamma = Number(input.value);
      else state.s[k] = Number(input.value);
      rerank();
    });
    sliders.push(input);
    controls.append(el("label", {}, el("span", { text: isGamma ? "γ" : `s${k} (layer ${k})` }), input));
  }
  const presets = el("div", { class: "elmo-mix-presets", role: "group", "aria-label": "presets" },
    el("span", { class: "elmo-hint", text: "Presets: " }),
    ...state.presets.map((p) => {
      const b = el("button", { type: "button", class: "elmo-preset", "data-preset": p.name,
        text: p.name, ...(p.source ? { title: p.source } : {}) });
      b.addEventListener("click", () => { state.s = [...p.s]; rerank(); });
      return b;
    }));
  section.append(
    el("h4", { text: "Mix the layers (chapter 7)" }),
    el("p", { class: "elmo-hint", text: "ELMo gives a task one vector per word: γ · Σ softmax(s)_k · " +
      "layer k. Move the sliders or pick a preset; the occurrences re-rank by the cosine of the " +
      "mixed, centred vectors. Chapter 10's presets are the weights its probes learned (on " +
      "layer-normalised layers, so here they are only a guide)." }),
    controls, presets, weightsLine,
    el("table", { class: "elmo-table elmo-mixed" }, el("thead", {}, el("tr", {},
      el("th", { text: "#" }), el("th", { text: "nearest occurrences, mixed layers" }))), body));
  rerank();
  return section;
}
