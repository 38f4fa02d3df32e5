// "Inside the character CNN" (chapter 3): which filters fire on a word, and where. char_cnn.onnx
// also returns each filter width's window values before the max, conv_w<width> (1, n_w,
// 50 - width + 1), and the highway layer's mean carry (1 - gate), carry (1, n_highway).
import {
  MAX_BYTES, done, el, loadModel, readWord, ready, saveState, vocabNeighboursTable, vocabulary,
  wordToCharIds,
} from "./panel.js";

const TOP_FILTERS = 8; // strongest filters overall, each with its winning window
const PER_WIDTH = 3; // heatmap rows per filter width

/** How a character slot is shown: ⟨ and ⟩ for begin and end of word, bytes as characters. */
function slotLabels(word) {
  const bytes = Array.from(new TextEncoder().encode(word)).slice(0, MAX_BYTES);
  const labels = ["⟨"];
  for (const b of bytes) labels.push(b < 128 ? String.fromCharCode(b) : `x${b.toString(16)}`);
  labels.push("⟩");
  return labels; // slots 0 .. len + 1; after them padding
}

function windowText(labels, start, width) {
  return Array.from({ length: width }, (_, j) => labels[start + j] ?? "·").join("");
}

export async function open(root) {
  const statusNode = root.querySelector(".elmo-status");
  const started = performance.now();
  const { model, files } = await loadModel(statusNode, ["vocab.txt", "vocab_vectors.f16"]);
  const vocab = vocabulary(model, files);
  const filters = model.manifest.filters; // [[width, count], ...]
  const input = root.querySelector("input");
  const button = root.querySelector("button");
  const out = root.querySelector(".elmo-result");

  async function run() {
    const t0 = performance.now();
    out.replaceChildren();
    const read = readWord(input, statusNode, "unfriendable");
    if (!read) return;
    const { word, notes } = read;
    const ids = BigInt64Array.from(wordToCharIds(word), (c) => BigInt(c));
    const result = await model.charCnn.run(
      { char_ids: new model.ort.Tensor("int64", ids, [1, ids.length]) });
    const labels = slotLabels(word);
    // every filter: its values over windows, the winning window (first maximum), pooled value
    const all = [];
    filters.forEach(([width, count]) => {
      const data = result[`conv_w${width}`].data; // (1, count, positions)
      const positions = data.length / count;
      for (let f = 0; f < count; f++) {
        const row = data.subarray(f * positions, (f + 1) * positions);
        let best = 0;
        for (let j = 1; j < positions; j++) if (row[j] > row[best]) best = j;
        all.push({ width, filter: f, row, start: best, pooled: Math.max(row[best], 0) });
      }
    });
    const byStrength = [...all].sort((a, b) => b.pooled - a.pooled || a.width - b.width || a.filter - b.filter);
    const strongest = el("ol", { class: "elmo-filters" });
    for (const f of byStrength.slice(0, TOP_FILTERS)) {
      const word = el("span", { class: "elmo-slots" }, ...labels.map((c, j) => el("span", {
        class: "elmo-slot" + (j >= f.start && j < f.start + f.width ? " elmo-won" : ""), text: c })));
      strongest.append(el("li", { "data-filter": `${f.width}:${f.filter}`,
        "data-start": String(f.start), "data-value": f.row[f.start].toFixed(6) },
      el("span", { text: `width ${f.width}, filter ${f.filter}: ` }), word,
      el("span", { class: "elmo-hint", text: ` “${windowText(labels, f.start, f.width)}” wins with ` +
        `${f.pooled.toFixed(2)}` })));
    }
    // heatmap: per width, its strongest filters, values at windows starting at 0 .. len + 1
    const heat = el("div", { class: "elmo-heatmaps" });
    const shown = Math.min(labels.length, model.manifest.max_chars);
    for (const [width] of filters) {
      const rows = all.filter((f) => f.width === width)
        .sort((a, b) => b.pooled - a.pooled || a.filter - b.filter).slice(0, PER_WIDTH);
      const columns = Math.min(shown, rows[0].row.length);
      const scale = Math.max(...rows.map((f) => Math.max(...Array.from(f.row.subarray(0, columns), Math.abs))), 1e-6);
      const head = el("tr", {}, el("th", { text: `width ${width}` }),
        ...Array.from({ length: columns }, (_, j) => el("th", { scope: "col",
          text: windowText(labels, j, width) })));
      const body = el("tbody");
      for (const f of rows) {
        body.append(el("tr", { "data-filter": `${f.width}:${f.filter}` },
          el("th", { scope: "row", text: `#${f.filter}` }),
          ...Array.from({ length: columns }, (_, j) => {
            const v = f.row[j];
            const cell = el("td", { "data-value": v.toFixed(6), title: v.toFixed(3),
              class: j === f.start ? "elmo-won" : "" });
            const a = Math.min(Math.abs(v) / scale, 1).toFixed(3);
            cell.style.background = v >= 0 ? `rgba(31, 111, 235, ${a})` : `rgba(214, 90, 49, ${a})`;
            cell.textContent = v.toFixed(1);
            return cell;
          })));
      }
      heat.append(el("div", { class: "elmo-heat-scroll" },
        el("table", { class: "elmo-heat", "data-width": String(width) }, el("thead", {}, head), body)));
    }
    const carry = Array.from(result.carry.data);
    const x = result.vectors.data;
    const neighbours = vocabNeighboursTable(vocab, x);
    const ms = performance.now() - t0;
    out.append(
      ...notes.map((n) => el("p", { class: "elmo-note", text: n })),
      el("h4", { text: `The ${TOP_FILTERS} filters with the largest pooled values` }),
      el("p", { class: "elmo-hint", text: "Each filter keeps only its best window (max pooling): " +
        "highlighted on the word. ⟨ and ⟩ are the begin- and end-of-word characters." }),
      strongest,
      el("h4", { text: "Each window's value, for the strongest filters of each width" }),
      el("p", { class: "elmo-hint", text: "Columns: where the window starts (its characters on " +
        "top). Blue is positive, orange negative; the outlined cell is the maximum." }),
      heat,
      el("h4", { text: "The highway layer" }),
      el("p", { class: "elmo-carry", "data-carry": carry.map((c) => c.toFixed(6)).join(" "),
        text: carry.map((c, i) => `Highway layer ${i + 1}: mean carry ${c.toFixed(3)}: on ` +
          `average it passes on ${(100 * c).toFixed(0)}% of each pooled feature unchanged and ` +
          `replaces ${(100 * (1 - c)).toFixed(0)}% by its transform.`).join(" ") }),
      el("h4", { text: "Nearest vocabulary words (layer 0, as in “Any word”)" }),
      neighbours);
    out.dataset.query = input.value;
    saveState(root, input.value);
    done(statusNode, ms);
  }

  return ready(input, button, statusNode, run, started, "word");
}
