// The book's live ELMo panel ("Try it" page): the shipped mini ELMo, run in the reader's browser.
//
// Nothing loads until the reader opens a panel. Then ONNX Runtime Web (copied from npm into
// ../elmo-web/ort/ by scripts/build_book.sh, never from a CDN) runs two graphs written by
// `python -m elmo_mini export-web`: char_cnn.onnx (characters -> layer 0) and bilm_step.onnx (one
// time step of both LSTM stacks), and the page looks neighbours up in float16 tables. The maths
// follows elmo_mini: chars.py (character ids), data.py (tokenize), bilm.py (layers),
// unseen.py / chapter 8 (centred layer-0 neighbours), neighbours.py / chapter 9 (occurrences).

const BASE = new URL("./", import.meta.url);
const DATA = new URL("data/", BASE);
export const MAX_CHARS = 50; // character slots per token: begin, up to 48 bytes, end, padding
export const MAX_BYTES = MAX_CHARS - 2;
export const MAX_TOKENS = 60; // longer sentences are cut (a reader's sentence, not a document)
const [BOS, EOS, BOW, EOW, PAD] = [256, 257, 258, 259, 260]; // chars.py, before the +1 shift

// ---- character ids (elmo_mini.chars.word_to_char_ids) -----------------------------------------
function idsAround(payload) {
  const raw = [BOW, ...payload.slice(0, MAX_BYTES), EOW];
  while (raw.length < MAX_CHARS) raw.push(PAD);
  return raw.map((c) => c + 1);
}

export function wordToCharIds(word) {
  if (word === "<S>") return idsAround([BOS]);
  if (word === "</S>") return idsAround([EOS]);
  return idsAround(Array.from(new TextEncoder().encode(word)));
}

// ---- tokenize (elmo_mini.data.tokenize, the same alternatives in the same order) ---------------
// Python's \b and [^\W_] are Unicode-aware; JavaScript's \b is not, so word boundaries are
// spelled out with \p{L} (letters) and \p{N} (numbers).
const W = "[\\p{L}\\p{N}]"; // [^\W_]
const END = "(?![\\p{L}\\p{N}_])"; // \b after a word character
const TOKEN = new RegExp(
  [
    `n['’]t${END}`,
    `['’](?:s|re|ve|ll|d|m)${END}`,
    "\\p{Nd}+(?:[.,:]\\p{Nd}+)*",
    "(?:Mrs|Mr|Ms|Dr|St|Jr|Sr)\\.(?=\\s+[A-Z])",
    "(?:[\\p{L}\\p{Nl}\\p{No}]\\.){2,}",
    `${W}+?(?=n['’]t${END})`,
    `${W}+(?:[-'’]${W}+)*?(?=['’](?:s|re|ve|ll|d|m)${END})`,
    `${W}+(?:[-'’]${W}+)*`,
    "\\S",
  ].join("|"),
  "gu",
);

export function tokenize(text) {
  return text.match(TOKEN) || [];
}

// ---- float16 tables ------------------------------------------------------------------------
export function float16ToFloat32(buffer) {
  const half = new Uint16Array(buffer);
  const out = new Float32Array(half.length);
  const table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    if (exp === 0) table[h] = sign * frac * 2 ** -24;
    else if (exp === 31) table[h] = frac ? NaN : sign * Infinity;
    else table[h] = sign * (1 + frac / 1024) * 2 ** (exp - 15);
  }
  for (let i = 0; i < half.length; i++) out[i] = table[half[i]];
  return out;
}

// ---- loading, with a progress line -----------------------------------------------------------
async function fetchBytes(url, onBytes) {
  const response = await fetch(url);
  if (!response.ok) {
    throw new Error(`${url.pathname} is missing (HTTP ${response.status}): build the book with ` +
      "`bash scripts/build_book.sh`, which exports the model and copies the panel's files");
  }
  const reader = response.body.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.length;
    onBytes(value.length);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
}

let ortPromise = null;
function loadOrt() {
  ortPromise ??= import(new URL("ort/ort.wasm.min.mjs", BASE).href).then((ort) => {
    ort.env.wasm.wasmPaths = new URL("ort/", BASE).href; // the local copy, no CDN
    ort.env.wasm.numThreads = 1; // a static server sends no COOP/COEP: no SharedArrayBuffer
    ort.env.wasm.proxy = false;
    return ort;
  });
  return ortPromise;
}

const cache = new Map(); // one promise per file, shared by both panels
function loadFile(name, progress) {
  if (!cache.has(name)) cache.set(name, fetchBytes(new URL(name, DATA), progress));
  return cache.get(name);
}

class Model {
  constructor(ort, manifest, charCnn) {
    this.ort = ort;
    this.manifest = manifest;
    this.charCnn = charCnn;
    this.P = manifest.projection_dim;
  }

  /** Layer-0 (char-CNN) vectors of the tokens: Float32Array (N * P). */
  async charVectors(tokens) {
    const ids = new BigInt64Array(tokens.length * MAX_CHARS);
    tokens.forEach((t, i) => wordToCharIds(t).forEach((c, j) => { ids[i * MAX_CHARS + j] = BigInt(c); }));
    const input = new this.ort.Tensor("int64", ids, [tokens.length, MAX_CHARS]);
    const { vectors } = await this.charCnn.run({ char_ids: input }, ["vectors"]);
    return vectors.data;
  }

  /** Both LSTM stacks over <S> tokens </S>: the char-CNN vectors x (n * P) and each layer's
   * forward and backward outputs fwd[k], bwd[k] (n * P each), n = tokens + 2. */
  async run(tokens) {
    const P = this.P;
    const L = this.manifest.n_layers;
    const C = this.manifest.lstm_dim;
    const all = ["<S>", ...tokens, "</S>"];
    const n = all.length;
    const x = await this.charVectors(all); // (n, P)
    let h = new Float32Array(L * 2 * P);
    let c = new Float32Array(L * 2 * C);
    const fwd = Array.from({ length: L }, () => new Float32Array(n * P));
    const bwd = Array.from({ length: L }, () => new Float32Array(n * P));
    const T = this.ort.Tensor;
    for (let t = 0; t < n; t++) {
      const step = new Float32Array(2 * P); // row 0: forward at t, row 1: backward at n-1-t
      step.set(x.subarray(t * P, (t + 1) * P), 0);
      step.set(x.subarray((n - 1 - t) * P, (n - t) * P), P);
      const out = await this.step.run({
        x: new T("float32", step, [2, P]), h: new T("float32", h, [L, 2, P]),
        c: new T("float32", c, [L, 2, C]),
      });
      h = out.h_out.data;
      c = out.c_out.data;
      for (let k = 0; k < L; k++) {
        fwd[k].set(out.out.data.subarray((k * 2) * P, (k * 2 + 1) * P), t * P);
        bwd[k].set(out.out.data.subarray((k * 2 + 1) * P, (k * 2 + 2) * P), (n - 1 - t) * P);
      }
    }
    return { x, fwd, bwd, n };
  }

  /** ELMo's layers for a tokenised sentence: layers[k][t] is a Float32Array (2P). */
  async layers(tokens) {
    const P = this.P;
    const L = this.manifest.n_layers;
    const { x, fwd, bwd } = await this.run(tokens);
    const layers = [];
    for (let k = 0; k <= L; k++) {
      layers.push(tokens.map((_, i) => {
        const v = new Float32Array(2 * P);
        const a = k === 0 ? x : fwd[k - 1];
        const b = k === 0 ? x : bwd[k - 1];
        v.set(a.subarray((i + 1) * P, (i + 2) * P), 0); // position i + 1: after <S>
        v.set(b.subarray((i + 1) * P, (i + 2) * P), P);
        return v;
      }));
    }
    return layers;
  }

  /** A session for one of the exported graphs, created once. */
  async session(name, bytes) {
    this.sessions ??= new Map();
    if (!this.sessions.has(name)) {
      this.sessions.set(name, this.ort.InferenceSession.create(bytes, { executionProviders: ["wasm"] }));
    }
    return this.sessions.get(name);
  }
}

export function unitCentred(v, mean) {
  const out = new Float32Array(v.length);
  let norm = 0;
  for (let i = 0; i < v.length; i++) {
    out[i] = v[i] - mean[i];
    norm += out[i] * out[i];
  }
  norm = Math.max(Math.sqrt(norm), 1e-12);
  for (let i = 0; i < v.length; i++) out[i] /= norm;
  return out;
}

/** The k best rows of `table` (rows x dim, unit rows) by dot product with unit `q`. */
export function topK(table, rows, dim, q, k, offset = 0) {
  const scores = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    const base = (offset + r) * dim;
    for (let j = 0; j < dim; j++) s += table[base + j] * q[j];
    scores[r] = s;
  }
  const best = []; // sorted, best first; ties keep the lower index first
  for (let r = 0; r < rows; r++) {
    if (best.length === k && scores[r] <= scores[best[k - 1]]) continue;
    let at = best.length;
    while (at > 0 && scores[best[at - 1]] < scores[r]) at--;
    best.splice(at, 0, r);
    if (best.length > k) best.pop();
  }
  return best.map((r) => ({ index: r, score: scores[r] }));
}

// ---- the page ------------------------------------------------------------------------------
export const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
};

export function vectorView(label, values, name) {
  const text = Array.from(values, (v) => v.toFixed(6)).join(" ");
  return el("details", { class: "elmo-vector" }, el("summary", { text: label }),
    el("pre", { "data-vector": name, text }));
}

export function bytesNote(word) {
  const notes = [];
  const bytes = new TextEncoder().encode(word);
  if (/[^\x00-\x7f]/.test(word)) {
    notes.push(`“${word}” has characters outside ASCII: the model reads UTF-8 bytes, so its ` +
      `${Array.from(word).length} characters are ${bytes.length} bytes. The corpus is English ` +
      "text, so the model has seen few of these byte patterns.");
  }
  if (bytes.length > MAX_BYTES) {
    const kept = new TextDecoder().decode(bytes.slice(0, MAX_BYTES)).replace(/\uFFFD$/, "");
    notes.push(`“${word.slice(0, 20)}…” is ${bytes.length} bytes long; the model reads only the ` +
      `first ${MAX_BYTES} (50 character slots minus begin- and end-of-word), as the original ` +
      `ELMo does: it sees “${kept}”, and any word that starts the same way gets the same vector.`);
  }
  return notes;
}

export function status(node, text, state) {
  node.textContent = text;
  node.dataset.state = state;
}

/** Says on the status line that a query took ``ms`` (also kept in data-ms for the tests). */
export function done(statusNode, ms) {
  status(statusNode, `Computed in your browser in ${ms.toFixed(0)} ms.`, "done");
  statusNode.dataset.ms = ms.toFixed(1);
}

/** Wires a panel's box and button to ``run`` (a click or Enter), enables them, says the panel
 * is ready and how long it took to load since ``started``, and runs once if the box is already
 * filled (a default, or a shared link). ``kind``: what to type, "word" or "sentence". Returns the
 * load time in ms. */
export async function ready(input, button, statusNode, run, started, kind) {
  button.addEventListener("click", run);
  input.addEventListener("keydown", (e) => { if (e.key === "Enter") run(); });
  input.disabled = button.disabled = false;
  const ms = performance.now() - started;
  status(statusNode, `Ready (loaded in ${(ms / 1000).toFixed(1)} s). Type a ${kind} and press Enter.`,
    "ready");
  if (input.value.trim()) await run();
  return ms;
}

/** What a word panel reads: the first word typed and the notes about it (the rest dropped,
 * bytes cut), or null after asking for a word on the status line when the input is empty.
 * ``more`` follows the note that only the first word is taken. */
export function readWord(input, statusNode, example, more = "") {
  let word = input.value.trim();
  if (!word) {
    status(statusNode, `Type a word first, e.g. “${example}”.`, "empty");
    return null;
  }
  const notes = [];
  if (/\s/.test(word)) {
    word = word.split(/\s+/)[0];
    notes.push(`One word at a time: the panel takes the first, “${word}”.${more}`);
  }
  notes.push(...bytesNote(word));
  return { word, notes };
}

/** What a sentence panel reads: the tokens typed (at most MAX_TOKENS) and the notes about them,
 * or null after asking for a sentence on the status line when the input is empty. */
export function readSentence(input, statusNode, example) {
  const text = input.value.trim();
  if (!text) {
    status(statusNode, `Type a sentence first, e.g. “${example}”.`, "empty");
    return null;
  }
  let tokens = tokenize(text);
  const notes = [];
  if (tokens.length > MAX_TOKENS) {
    notes.push(`The panel keeps the first ${MAX_TOKENS} of your ${tokens.length} tokens.`);
    tokens = tokens.slice(0, MAX_TOKENS);
  }
  for (const tok of tokens) notes.push(...bytesNote(tok));
  return { tokens, notes };
}

async function loadCommon(statusNode, names) {
  let loaded = 0;
  const mb = (n) => (n / 1e6).toFixed(1);
  const manifestBytes = await loadFile("manifest.json", () => {});
  const manifest = JSON.parse(new TextDecoder().decode(manifestBytes));
  const total = names.reduce((sum, n) => sum + (manifest.bytes[n] || 0), 0);
  const show = (n) => {
    loaded += n;
    status(statusNode, `Loading the model: ${mb(loaded)} of ${mb(total)} MB…`, "loading");
  };
  show(0);
  const [ort, ...files] = await Promise.all([loadOrt(), ...names.map((n) => loadFile(n, show))]);
  status(statusNode, "Starting ONNX Runtime (its first start downloads 15 MB)…", "loading");
  return { ort, manifest, files: Object.fromEntries(names.map((n, i) => [n, files[i]])) };
}

let modelPromise = null;
export async function loadModel(statusNode, extra) {
  const names = ["char_cnn.onnx", ...extra];
  const { ort, manifest, files } = await loadCommon(statusNode, names);
  modelPromise ??= ort.InferenceSession.create(files["char_cnn.onnx"], { executionProviders: ["wasm"] })
    .then((session) => new Model(ort, manifest, session));
  return { model: await modelPromise, files };
}

/** The softmax vocabulary (vocab.txt) and, when loaded, its centred unit layer-0 table. */
export function vocabulary(model, files) {
  if (!model.vocab) {
    const words = new TextDecoder().decode(files["vocab.txt"]).split("\n").filter((w) => w);
    model.vocab = { words, index: new Map(words.map((w, i) => [w, i])) };
  }
  if (files["vocab_vectors.f16"] && !model.vocab.table) {
    model.vocab.table = float16ToFloat32(files["vocab_vectors.f16"].buffer); // (V - 3, P)
    model.vocab.mean = Float32Array.from(model.manifest.vocab_mean);
    model.vocab.rows = model.vocab.table.length / model.P;
  }
  return model.vocab;
}

/** Chapter 8's neighbours of a char-CNN vector x (P): the k vocabulary words nearest in cosine
 * of centred layer-0 vectors, as a table (class elmo-table, words in td.elmo-word). */
export function vocabNeighboursTable(vocab, x, k = 10) {
  const P = x.length;
  const best = topK(vocab.table, vocab.rows, P, unitCentred(x, vocab.mean), k);
  const body = el("tbody");
  best.forEach(({ index: r, score }, rank) => body.append(el("tr", {},
    el("td", { text: String(rank + 1) }), el("td", { class: "elmo-word", text: vocab.words[r + 3] }),
    el("td", { class: "elmo-score", text: score.toFixed(3) }))));
  return el("table", { class: "elmo-table" }, el("thead", {}, el("tr", {},
    el("th", { text: "#" }), el("th", { text: "vocabulary word" }),
    el("th", { text: "cosine (centred layer 0)" }))), body);
}

/** The tokens as a row of buttons: click one, or move with ← → (Home, End) once it has focus. */
export function tokenToolbar(tokens, pick, current) {
  const group = el("div", { class: "elmo-token-row", role: "toolbar",
    "aria-label": "the sentence's tokens: pick one (arrow keys move)" });
  group.append(...tokens.map((tok, i) => {
    const b = el("button", { type: "button", class: "elmo-token", "data-position": String(i),
      "aria-pressed": "false", text: tok });
    b.addEventListener("click", () => pick(i));
    return b;
  }));
  group.addEventListener("keydown", (e) => {
    const moves = { ArrowLeft: -1, ArrowRight: 1, Home: -Infinity, End: Infinity };
    if (!(e.key in moves)) return;
    e.preventDefault();
    const next = Math.min(tokens.length - 1, Math.max(0, current() + moves[e.key]));
    pick(next);
    group.querySelector(`[data-position="${next}"]`).focus();
  });
  return group;
}

/** Show which token is picked (for the eye and for screen readers); one tab stop, on it. */
export function markPicked(tokensNode, position) {
  for (const b of tokensNode.querySelectorAll(".elmo-token")) {
    const on = Number(b.dataset.position) === position;
    b.classList.toggle("elmo-picked", on);
    b.setAttribute("aria-pressed", String(on));
    b.tabIndex = on ? 0 : -1;
  }
}

/** Write a panel's state into the address (#panel=…&q=…&at=…): a shared link reproduces it. */
export function saveState(root, query, at) {
  const params = new URLSearchParams({ panel: root.dataset.elmoPanel, q: query });
  if (at !== undefined && at !== null) params.set("at", String(at));
  history.replaceState(null, "", "#" + params.toString());
}

/** The position a link asked for (#…&at=N), once: later runs pick as usual. */
export function takeLinkedPosition(root) {
  const at = root.dataset.linkedAt;
  delete root.dataset.linkedAt;
  return at === undefined ? null : Number(at);
}

// "Any word" -----------------------------------------------------------------------------------
async function openWordPanel(root) {
  const statusNode = root.querySelector(".elmo-status");
  const start = performance.now();
  const { model, files } = await loadModel(statusNode, ["vocab.txt", "vocab_vectors.f16"]);
  const { words, index, table, mean, rows } = vocabulary(model, files);
  const P = model.P;
  const input = root.querySelector("input");
  const button = root.querySelector("button");
  const out = root.querySelector(".elmo-result");

  async function run() {
    const t0 = performance.now();
    out.replaceChildren();
    const read = readWord(input, statusNode, "snuffleupagus",
      " For a sentence, use “Any sentence” below.");
    if (!read) return;
    const { word, notes } = read;
    const x = await model.charVectors([word]); // (1, P)
    const neighbours = vocabNeighboursTable({ words, table, mean, rows }, x);
    const ms = performance.now() - t0;
    const id = index.get(word);
    let vocabLine;
    if (id === undefined) {
      vocabLine = `“${word}” is not in the softmax vocabulary. A word-level model would look it ` +
        "up as <UNK>, the one row that every word outside the vocabulary shares: it would give " +
        "“snuffleupagus”, “platypus” and this word the same vector and the same neighbours. " +
        "Layer 0 reads the spelling instead:";
    } else if (id < 3) {
      vocabLine = `“${word}” is one of the vocabulary's three special tokens (<S>, </S>, <UNK>); ` +
        "<UNK> is the id a word-level model gives every word it does not know. Here the " +
        "character CNN reads the string itself, character by character, like any other word:";
    } else {
      vocabLine = `“${word}” is in the softmax vocabulary (word ${id} of ${words.length}), so ` +
        "it is its own nearest neighbour below (cosine 1.00).";
    }
    out.append(
      ...notes.map((n) => el("p", { class: "elmo-note", text: n })),
      el("p", { class: "elmo-vocab", "data-in-vocab": String(id !== undefined), text: vocabLine }),
      neighbours,
      vectorView(`Show the numbers: the char-CNN vector x of “${word}” (${P} numbers; layer 0 ` +
        "is [x, x])", x, "layer0"));
    out.dataset.query = input.value;
    saveState(root, input.value);
    done(statusNode, ms);
  }
  return ready(input, button, statusNode, run, start, "word");
}

// "Any sentence" -------------------------------------------------------------------------------
async function openSentencePanel(root) {
  const statusNode = root.querySelector(".elmo-status");
  const start = performance.now();
  const { model, files } = await loadModel(statusNode,
    ["bilm_step.onnx", "occurrences.json", "occurrence_vectors.f16"]);
  model.step ??= await model.session("bilm_step.onnx", files["bilm_step.onnx"]);
  const targets = JSON.parse(new TextDecoder().decode(files["occurrences.json"]));
  const table = float16ToFloat32(files["occurrence_vectors.f16"].buffer); // (M, 2, 2P)
  const D = 2 * model.P;
  const means = model.manifest.layer_means.map((m) => Float32Array.from(m)); // (3, 2P)
  const formOf = new Map();
  for (const [word, t] of Object.entries(targets)) for (const f of t.forms) formOf.set(f, word);
  // Layer 0 of an occurrence is [x, x] of its form: one vector per form, computed here.
  const allForms = [...formOf.keys()];
  const formVectors = await model.charVectors(allForms);
  const formLayer0 = new Map(allForms.map((f, i) => {
    const x = formVectors.subarray(i * model.P, (i + 1) * model.P);
    const v = new Float32Array(D);
    v.set(x, 0);
    v.set(x, model.P);
    return [f, v];
  }));
  const form0 = new Map(allForms.map((f) => [f, unitCentred(formLayer0.get(f), means[0])]));
  const mix = await import("./mix.js"); // "Mix the layers", under the neighbours
  const mixState = mix.initialState(model.manifest);
  const input = root.querySelector("input");
  const button = root.querySelector("button");
  const tokensNode = root.querySelector(".elmo-tokens");
  const out = root.querySelector(".elmo-result");
  let current = null; // {tokens, layers}

  function neighbours(layers, position) {
    const token = current.tokens[position];
    const word = formOf.get(token.toLowerCase());
    out.replaceChildren();
    const vectors = layers.map((layer, k) => vectorView(
      `Show the numbers: layer ${k} of “${token}” (${D} numbers)`, layer[position], `layer${k}`));
    if (!word) {
      out.append(el("p", { class: "elmo-note", text: `“${token}” is not one of the words whose ` +
        "corpus occurrences the page keeps (" + Object.keys(targets).join(", ") + "). Pick one " +
        "of those, or read its vectors:" }), ...vectors);
      return;
    }
    const t = targets[word];
    const columns = [];
    for (let k = 0; k < layers.length; k++) {
      const q = unitCentred(layers[k][position], means[k]);
      if (k === 0) {
        const scores = t.form.map((f) => form0.get(t.forms[f]).reduce((s, v, j) => s + v * q[j], 0));
        const order = scores.map((s, i) => i).sort((a, b) => scores[b] - scores[a] || a - b);
        columns.push(order.slice(0, 5).map((i) => ({ index: i, score: scores[i] })));
      } else {
        // rows of the table: occurrence (t.first + i), layer k - 1
        const q2 = new Float32Array(2 * D);
        q2.set(q, (k - 1) * D);
        columns.push(topK(table, t.count, 2 * D, q2, 5, t.first));
      }
    }
    const body = el("tbody");
    for (let r = 0; r < 5; r++) {
      body.append(el("tr", {}, ...columns.map((col, k) => {
        const { index, score } = col[r];
        return el("td", { "data-layer": String(k), "data-index": String(index) },
          el("span", { class: "elmo-score", text: score.toFixed(2) + " " }), t.text[index]);
      })));
    }
    out.append(
      el("p", { text: `The corpus occurrences of ${t.forms.join(" / ")} nearest to “${token}” in ` +
        `your sentence (${t.count} stored, from the State of the Union addresses), by cosine of ` +
        "centred vectors, one column per layer. The word is in brackets." }),
      el("table", { class: "elmo-table elmo-neighbours" }, el("thead", {}, el("tr", {},
        ...columns.map((_, k) => el("th", { text: `layer ${k}` })))), body),
      el("p", { class: "elmo-hint", text: "Layer 0 sees only the spelling: every occurrence " +
        "of the same form gets the same vector, so that column's cosines are all equal and its " +
        "order means nothing. Layers 1 and 2 have read the sentence." }),
      ...vectors);
  }

  async function run() {
    const t0 = performance.now();
    tokensNode.replaceChildren();
    out.replaceChildren();
    const read = readSentence(input, statusNode, "We camped on the bank of the river .");
    if (!read) return;
    const { tokens, notes } = read;
    const layers = await model.layers(tokens);
    current = { tokens, layers };
    let position = tokens.findIndex((tok) => formOf.has(tok.toLowerCase()));
    if (position < 0) position = 0;
    const linked = takeLinkedPosition(root);
    if (linked !== null && linked >= 0 && linked < tokens.length) position = linked;
    tokensNode.append(el("span", { class: "elmo-hint", text: "Tokens (pick one, or use ← →): " }),
      tokenToolbar(tokens, pick, () => Number(out.dataset.position)));
    for (const n of notes) tokensNode.append(el("p", { class: "elmo-note", text: n }));
    pick(position, performance.now() - t0);
  }

  function pick(position, ms) {
    markPicked(tokensNode, position);
    const t0 = performance.now();
    neighbours(current.layers, position);
    const word = formOf.get(current.tokens[position].toLowerCase());
    if (word) {
      out.append(mix.mixSection({ state: mixState, layers: current.layers, position,
        target: targets[word], table, means,
        formVectors: formLayer0, D }));
    }
    out.dataset.position = String(position);
    out.dataset.query = input.value;
    saveState(root, input.value, position);
    const total = (ms ?? 0) + performance.now() - t0;
    done(statusNode, total);
  }
  return ready(input, button, statusNode, run, start, "sentence");
}

// ---- the panels' markup, placed wherever a page has <div data-elmo-panel="NAME"></div> -------
const SENTENCE_HINT = "Type a sentence with one of the words bank, present, interest, plant, " +
  "capital, duty, state or power, then pick a word in it.";
const PANELS = {
  word: {
    id: "elmo-any-word", title: "Any word: its layer-0 vector and nearest vocabulary words",
    hint: "Type any word, real or invented, in any script. The character CNN reads its UTF-8 " +
      "bytes and gives it a vector (layer 0); the panel lists the 10 words of the model's " +
      "20,000-word vocabulary whose centred layer-0 vectors have the highest cosine with it, as " +
      "chapter 8 does. Try “snuffleupagus”, “glamping”, “unfriendable” or your own name.",
    label: "a word", value: "snuffleupagus", button: "Find neighbours", open: openWordPanel,
  },
  sentence: {
    id: "elmo-any-sentence", title: "Any sentence: the nearest corpus occurrences, layer by layer",
    hint: SENTENCE_HINT + " The panel runs the whole biLM over your sentence and lists the State " +
      "of the Union occurrences of that word whose vectors are nearest to yours, one column per " +
      "layer, as chapter 9's tables do, then lets you mix the layers (chapter 7). Try a river " +
      "bank and a savings bank, a present of flowers and the present day.",
    label: "a sentence", value: "We camped on the bank of the river .", button: "Find neighbours",
    tokens: true, open: openSentencePanel,
  },
  mix: { // the sentence panel, titled for chapter 7: the mix is under its neighbours
    id: "elmo-mix", title: "Mix the layers: chapter 7's scalar mix on your sentence",
    hint: SENTENCE_HINT + " The panel runs the whole biLM over your sentence, lists the State of " +
      "the Union occurrences of that word nearest to it in each layer, then mixes the layers " +
      "with the sliders below the table (or a preset) and ranks the occurrences again.",
    label: "a sentence", value: "We camped on the bank of the river .", button: "Find neighbours",
    tokens: true, open: openSentencePanel,
  },
  predict: {
    id: "elmo-predict", title: "Predict: what the two language models expect, word by word",
    hint: "ELMo is two language models. Type a sentence: at the word you pick, the forward LM " +
      "(which has read the sentence up to that word) gives its 10 likeliest next words, and the " +
      "backward LM (which has read it from the end back to that word) its 10 likeliest previous " +
      "words, with the model's own softmax (chapters 4 and 6). Click a word or use the arrow keys.",
    label: "a sentence to predict", value: "The president asked Congress to cut taxes .",
    button: "Predict", tokens: true, module: "./predict.js",
  },
  filters: {
    id: "elmo-filters", title: "Inside the character CNN: which filters fire on a word",
    hint: "Type a word. Each of the CNN's 768 filters slides over the word's characters and keeps " +
      "its largest value (max pooling, chapter 3): the panel shows which window of characters " +
      "won for the strongest filters, each filter's values along the word, what the highway " +
      "layer passes on, and the word's nearest vocabulary words.",
    label: "a word for the character CNN", value: "unfriendable", button: "Look inside",
    module: "./filters.js",
  },
};

function panelMarkup(name) {
  const spec = PANELS[name];
  const root = el("details", { class: "elmo-panel", id: spec.id, "data-elmo-panel": name });
  root.append(
    el("summary", { text: spec.title }),
    el("p", { class: "elmo-hint", text: spec.hint }),
    el("div", { class: "elmo-row" },
      el("input", { type: "text", value: spec.value, "aria-label": spec.label, disabled: "" }),
      el("button", { type: "button", disabled: "" }, spec.button)),
    el("p", { class: "elmo-status", "data-state": "idle", role: "status", "aria-live": "polite",
      text: "Opening the panel loads the model…" }));
  if (spec.tokens) root.append(el("div", { class: "elmo-tokens" }));
  root.append(el("div", { class: "elmo-result", "aria-live": "polite" }));
  return root;
}

async function openPanel(name, root) {
  const spec = PANELS[name];
  if (spec.open) return spec.open(root);
  const module = await import(spec.module);
  return module.open(root);
}

// Each panel is a <details>: opening it is what starts the download.
const roots = new Map(); // panel name -> its <details>
for (const holder of document.querySelectorAll("div[data-elmo-panel]")) {
  const name = holder.dataset.elmoPanel;
  if (!PANELS[name]) {
    holder.textContent = `Unknown panel “${name}” (known: ${Object.keys(PANELS).join(", ")}).`;
    continue;
  }
  const root = panelMarkup(name);
  holder.replaceWith(root);
  roots.set(name, root);
  let started = false;
  root.addEventListener("toggle", () => {
    if (!root.open || started) return;
    started = true;
    openPanel(name, root).then((ms) => { root.dataset.loadMs = ms.toFixed(0); }).catch((error) => {
      status(root.querySelector(".elmo-status"), `The panel could not start: ${error.message}`,
        "error");
      console.error(error);
    });
  });
}

/** A shared link (#panel=…&q=…&at=…): open that panel with that input at that word. */
function followLink() {
  const linked = new URLSearchParams(location.hash.slice(1));
  const root = roots.get(linked.get("panel"));
  if (!root) return;
  if (linked.has("q")) root.querySelector(".elmo-row input").value = linked.get("q");
  if (linked.has("at")) root.dataset.linkedAt = linked.get("at");
  if (root.dataset.loadMs !== undefined) root.querySelector(".elmo-row button").click(); // loaded
  root.open = true;
  root.scrollIntoView();
}
followLink();
window.addEventListener("hashchange", followLink);
