// "Predict": the forward and the backward language model's top-10 words at each position of the
// reader's sentence, with the shipped model's own softmax (lm_softmax.onnx: the adaptive
// softmax of elmo_mini/lm.py written out, log-probabilities over the whole vocabulary). What
// elmo_mini's LanguageModel.log_probs computes: the forward LM's top output at position t
// predicts the token at t + 1, the backward LM's at t predicts the token at t - 1.
import {
  done, el, loadModel, markPicked, readSentence, ready, saveState, takeLinkedPosition,
  tokenToolbar, vocabulary,
} from "./panel.js";

const TOP = 10;
const SPECIAL = {
  "<UNK>": "<UNK> (any word outside the 20,000-word vocabulary)",
  "</S>": "</S> (the end of the sentence)",
  "<S>": "<S> (the start of the sentence)",
};

/** The k largest entries of row r of a (rows, V) array: [{id, logp}], best first. */
function topRow(logp, V, r, k) {
  const best = [];
  const base = r * V;
  for (let i = 0; i < V; i++) {
    const v = logp[base + i];
    if (best.length === k && v <= best[k - 1].logp) continue;
    let at = best.length;
    while (at > 0 && best[at - 1].logp < v) at--;
    best.splice(at, 0, { id: i, logp: v });
    if (best.length > k) best.pop();
  }
  return best;
}

export async function open(root) {
  const statusNode = root.querySelector(".elmo-status");
  const start = performance.now();
  const { model, files } = await loadModel(statusNode,
    ["bilm_step.onnx", "lm_softmax.onnx", "vocab.txt"]);
  model.step ??= await model.session("bilm_step.onnx", files["bilm_step.onnx"]);
  const softmax = await model.session("lm_softmax.onnx", files["lm_softmax.onnx"]);
  const { words, index } = vocabulary(model, files);
  const V = words.length;
  const P = model.P;
  const L = model.manifest.n_layers;
  const input = root.querySelector("input");
  const button = root.querySelector("button");
  const tokensNode = root.querySelector(".elmo-tokens");
  const out = root.querySelector(".elmo-result");
  let current = null; // {all, logp, targets}

  /** Log-probabilities (2(n-1), V): rows 0..n-2 forward at 0..n-2, then backward at 1..n-1. */
  async function predict(tokens) {
    const { fwd, bwd, n } = await model.run(tokens);
    const h = new Float32Array(2 * (n - 1) * P);
    h.set(fwd[L - 1].subarray(0, (n - 1) * P), 0); // forward at <S> .. w_T
    h.set(bwd[L - 1].subarray(P, n * P), (n - 1) * P); // backward at w_1 .. </S>
    const { log_probs: logp } = await softmax.run(
      { h: new model.ort.Tensor("float32", h, [2 * (n - 1), P]) });
    return logp.data;
  }

  function perplexities(all, logp) {
    const n = all.length;
    const ids = all.map((w) => index.get(w) ?? 2); // vocab.id: <UNK> (id 2) when missing
    let f = 0;
    let b = 0;
    for (let t = 0; t < n - 1; t++) {
      f -= logp[t * V + ids[t + 1]]; // forward at t predicts t + 1
      b -= logp[(n - 1 + t) * V + ids[t]]; // backward at t + 1 predicts t
    }
    return { forward: Math.exp(f / (n - 1)), backward: Math.exp(b / (n - 1)), ids,
      unknown: ids.slice(1, -1).filter((id) => id === 2).length };
  }

  function column(direction, row, actual, title) {
    const box = el("section", { class: "elmo-lm", "data-direction": direction,
      "aria-label": title });
    box.append(el("h4", { text: title }));
    if (row === null) {
      box.append(el("p", { class: "elmo-hint", text: direction === "forward"
        ? "Nothing comes after </S>: the forward LM stops here."
        : "Nothing comes before <S>: the backward LM stops here." }));
      return box;
    }
    const best = topRow(current.logp, V, row, TOP);
    const top = Math.exp(best[0].logp);
    const list = el("ol", { class: "elmo-bars" });
    const lines = [];
    for (const { id, logp } of best) {
      const p = Math.exp(logp);
      const word = words[id];
      lines.push(`${word}\t${p.toFixed(7)}`);
      const bar = el("span", { class: "elmo-bar-fill" });
      bar.style.width = `${(100 * p / top).toFixed(1)}%`;
      list.append(el("li", { class: "elmo-bar" + (id === actual ? " elmo-actual" : ""),
        "data-word": word, "data-p": p.toFixed(7) },
      el("span", { class: "elmo-bar-word", text: SPECIAL[word] ?? word }),
      el("span", { class: "elmo-bar-track" }, bar),
      el("span", { class: "elmo-bar-p", text: `${(100 * p).toFixed(2)}%` })));
    }
    const pActual = Math.exp(current.logp[row * V + actual]);
    let rank = 1;
    for (let i = row * V, end = i + V; i < end; i++) if (current.logp[i] > current.logp[row * V + actual]) rank++;
    box.append(list, el("p", { class: "elmo-actual-line", text: `Your sentence has ` +
      `“${SPECIAL[words[actual]] ?? words[actual]}” here: probability ${(100 * pActual).toFixed(2)}%, ` +
      `rank ${rank.toLocaleString("en")} of ${V.toLocaleString("en")}.` }),
    el("details", { class: "elmo-vector" }, el("summary", { text: "Show the numbers" }),
      el("pre", { "data-vector": direction, text: lines.join("\n") })));
    return box;
  }

  function pick(position, ms) {
    const n = current.all.length;
    markPicked(tokensNode, position);
    const t0 = performance.now();
    const word = current.all[position];
    const ids = current.stats.ids;
    out.replaceChildren(
      el("p", { class: "elmo-hint", text: `At “${word}” (position ${position} of ${n - 1}, ` +
        "counting <S> as 0):" }),
      el("div", { class: "elmo-lms" },
        column("forward", position < n - 1 ? position : null, ids[position + 1],
          `Forward LM: the next word, having read <S> … ${word}`),
        column("backward", position > 0 ? n - 2 + position : null, ids[position - 1],
          `Backward LM: the previous word, having read ${word} … </S>`)),
      el("p", { class: "elmo-perplexity", "data-forward": current.stats.forward.toFixed(4),
        "data-backward": current.stats.backward.toFixed(4),
        text: `Perplexity on your sentence (${n - 1} predictions each, </S> and <S> included): ` +
          `forward ${current.stats.forward.toFixed(1)}, backward ${current.stats.backward.toFixed(1)}.` +
          (current.stats.unknown ? ` ${current.stats.unknown} of your words are not in the ` +
            "vocabulary: the models read their spelling, but as a word to predict each one is " +
            "<UNK>." : "") }));
    out.dataset.position = String(position);
    out.dataset.query = input.value;
    saveState(root, input.value, position);
    const total = (ms ?? 0) + performance.now() - t0;
    done(statusNode, total);
  }

  async function run() {
    const t0 = performance.now();
    tokensNode.replaceChildren();
    out.replaceChildren();
    const read = readSentence(input, statusNode, "The president asked Congress to cut taxes .");
    if (!read) return;
    const { tokens, notes } = read;
    const all = ["<S>", ...tokens, "</S>"];
    const logp = await predict(tokens);
    current = { all, logp };
    current.stats = perplexities(all, logp);
    tokensNode.append(el("span", { class: "elmo-hint", text: "Tokens (pick one, or use ← →): " }),
      tokenToolbar(all, pick, () => Number(out.dataset.position)));
    for (const n of notes) tokensNode.append(el("p", { class: "elmo-note", text: n }));
    const linked = takeLinkedPosition(root);
    const position = linked !== null && linked >= 0 && linked < all.length ? linked : 1;
    pick(position, performance.now() - t0);
  }

  return ready(input, button, statusNode, run, start, "sentence");
}
