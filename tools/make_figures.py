"""Draw the book's diagrams into ``figs/``: ``python tools/make_figures.py``.

Deterministic: fixed sizes, the font bundled with matplotlib, no timestamp or software version in
the PNG metadata, so rerunning the script leaves ``git status`` clean. Figures computed from a
model (training curves, neighbours, ...) are drawn by the chapters themselves, not here.

Figures:
    elmo_overview.png     characters -> char-CNN -> token vectors -> biLSTM layers -> scalar mix
    char_cnn_playing.png  the char-CNN on the word "playing", step by step
    lstm_cell.png         one step of ELMo's LSTM cell: gates, forget bias, clips, projection
    open_in_colab.svg     the badge tools/colab_links.py puts at the top of each chapter
    adaptive_softmax.png  chapter 6: the shipped model's adaptive softmax, head and two tail clusters
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

ROOT = Path(__file__).resolve().parents[1]
FIGS = ROOT / "figs"

# One palette for the whole book.
CHAR = "#e8e8e8"
CNN = "#9ecae1"
TOKEN = "#6baed6"
FWD = "#74c476"
BWD = "#fd8d3c"
MIX = "#bcbddc"
INK = "#222222"
MUTED = "#666666"

plt.rcParams.update({
    "font.family": "DejaVu Sans",
    "font.size": 11,
    "savefig.dpi": 150,
    "path.simplify": False,
})


def box(ax, x, y, w, h, text="", color=CHAR, fontsize=11, weight="normal", text_color=INK,
        round_=0.06, lw=1.0, edge=INK, alpha=1.0):
    """A rounded box centred at (x, y)."""
    patch = FancyBboxPatch((x - w / 2, y - h / 2), w, h,
                           boxstyle=f"round,pad=0,rounding_size={round_}",
                           facecolor=color, edgecolor=edge, linewidth=lw, alpha=alpha)
    ax.add_patch(patch)
    if text:
        ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, weight=weight,
                color=text_color)
    return patch


def arrow(ax, x0, y0, x1, y1, color=INK, lw=1.2, style="-|>", mutation=12, ls="-"):
    ax.add_patch(FancyArrowPatch((x0, y0), (x1, y1), arrowstyle=style, color=color, lw=lw,
                                 mutation_scale=mutation, shrinkA=0, shrinkB=0, linestyle=ls))


def save(fig, name: str) -> Path:
    path = FIGS / name
    fig.savefig(path, metadata={"Software": None}, facecolor="white", bbox_inches="tight",
                pad_inches=0.15)
    plt.close(fig)
    return path


def elmo_overview() -> Path:
    """The whole model for the sentence "the cat sat", bottom to top."""
    words = ["the", "cat", "sat"]
    xs = [2.4, 6.1, 9.8]
    bw = 2.7  # width of a token's column of boxes
    fig, ax = plt.subplots(figsize=(11.5, 8.4))
    ax.set_xlim(0, 15.6)
    ax.set_ylim(-0.1, 12.2)
    ax.axis("off")

    y_chars, y_cnn, y_tok = 0.5, 1.8, 3.1
    rows = {1: 5.0, 2: 7.2}  # layer -> y of its (forward, backward) row
    half, hw = 0.69, 1.3  # centre offset and width of a direction's box
    y_mix, y_out = 9.4, 10.7
    for x, word in zip(xs, words):
        cells = ["<w>", *word, "</w>"]
        cw = 0.58
        for i, c in enumerate(cells):
            cx = x + (i - (len(cells) - 1) / 2) * cw
            box(ax, cx, y_chars, cw - 0.06, 0.55, c, CHAR, fontsize=8 if len(c) > 1 else 12)
        arrow(ax, x, y_chars + 0.3, x, y_cnn - 0.31)
        box(ax, x, y_cnn, bw, 0.6, "char-CNN", CNN, weight="bold")
        arrow(ax, x, y_cnn + 0.31, x, y_tok - 0.29)
        box(ax, x, y_tok, bw, 0.56, f"x({word})", TOKEN)
        prev = y_tok + 0.29
        for y in rows.values():
            for dx in (-half, half):  # each direction feeds its own next layer
                arrow(ax, x + dx, prev, x + dx, y - 0.31)
            box(ax, x - half, y, hw, 0.6, "forward", FWD, fontsize=9.5)
            box(ax, x + half, y, hw, 0.6, "backward", BWD, fontsize=9.5)
            prev = y + 0.31
        box(ax, x, y_mix, bw, 0.7, "scalar mix", MIX, weight="bold")
        arrow(ax, x, y_mix + 0.36, x, y_out - 0.29)
        box(ax, x, y_out, bw, 0.56, f"ELMo({word})", "white", lw=1.4)
        # every layer reaches the mix: a dashed bus on the left of the column
        bus = x - bw / 2 - 0.22
        ax.plot([bus, bus], [y_tok, y_mix], color=MUTED, lw=1.1, ls="--")
        for y in (y_tok, *rows.values()):
            ax.plot([bus, x - bw / 2], [y, y], color=MUTED, lw=1.1, ls="--")
            ax.plot([bus], [y], marker="o", ms=3.5, color=MUTED)
        arrow(ax, bus, y_mix, x - bw / 2, y_mix, color=MUTED, lw=1.1)

    # recurrent connections between positions: forward arcs over the row, backward arcs under it
    for y in rows.values():
        for a, b in zip(xs[:-1], xs[1:]):
            ax.add_patch(FancyArrowPatch((a - half + 0.35, y + 0.31), (b - half - 0.35, y + 0.31),
                                         connectionstyle="arc3,rad=-0.22", arrowstyle="-|>",
                                         color="#2c7a2c", lw=1.8, mutation_scale=13))
            ax.add_patch(FancyArrowPatch((b + half - 0.35, y - 0.31), (a + half + 0.35, y - 0.31),
                                         connectionstyle="arc3,rad=-0.22", arrowstyle="-|>",
                                         color="#b35806", lw=1.8, mutation_scale=13))

    # what each row is, on the right
    lx = 11.7
    for y, name, sub in ((y_tok, "layer 0", "token vectors: context-free,\nbuilt from spelling"),
                         (rows[1], "layer 1", "biLSTM layer 1:\n[forward; backward]"),
                         (rows[2], "layer 2", "biLSTM layer 2:\n[forward; backward]")):
        ax.text(lx, y, name, va="center", fontsize=12.5, weight="bold")
        ax.text(lx + 1.25, y, sub, va="center", fontsize=9.5, color=MUTED)
    ax.text(lx, y_mix, r"$\mathrm{ELMo}_k = \gamma \sum_{j=0}^{2} s_j\, h_{k,j}$",
            va="center", fontsize=13)
    ax.text(lx, y_mix - 0.5, "$s = \\mathrm{softmax}(w)$: one weight\nper layer, learned by the\n"
            "task that uses ELMo", va="top", fontsize=9.5, color=MUTED)
    ax.text(lx, y_chars, "characters, with begin-\nand end-of-word marks", va="center",
            fontsize=9.5, color=MUTED)
    ax.text(lx, y_cnn, "same char-CNN\nfor every token", va="center", fontsize=9.5, color=MUTED)

    # legend for the arrows, across the top
    ax.text(0.3, 11.85, "green arrows: the forward LSTM reads left to right and predicts the next "
            "word", fontsize=10, color="#2c7a2c")
    ax.text(0.3, 11.45, "orange arrows: the backward LSTM reads right to left and predicts the "
            "previous word", fontsize=10, color="#b35806")
    ax.text(0.3, 11.05, "dashed: layers 0, 1 and 2 all feed the scalar mix; "
            "each direction feeds only its own next layer",
            fontsize=10, color=MUTED)
    return save(fig, "elmo_overview.png")


def char_cnn_playing() -> Path:
    """The char-CNN on "playing": characters, two filter widths, max-pool, highway, projection."""
    cells = ["<w>", "p", "l", "a", "y", "i", "n", "g", "</w>", "pad", "pad", "pad"]
    n_real = 9  # <w> ... </w>
    cw = 0.78
    x0 = 1.7
    xs = [x0 + i * cw for i in range(len(cells))]
    fig, ax = plt.subplots(figsize=(12, 8))
    ax.set_xlim(0, 16.2)
    ax.set_ylim(-0.7, 10.4)
    ax.axis("off")

    def step(x, y, text, **kw):
        ax.text(x, y, text, fontsize=11.5, weight="bold", va="center", **kw)

    # 1. characters
    y_char = 9.3
    step(0.1, 10.0, "1. the characters of \"playing\", with word marks, padded to a fixed length")
    for i, (x, c) in enumerate(zip(xs, cells)):
        real = i < n_real
        box(ax, x, y_char, cw - 0.08, 0.55, c, CHAR if real else "#f7f7f7",
            fontsize=9 if len(c) > 1 else 13, text_color=INK if real else MUTED,
            edge=INK if real else "#aaaaaa")

    # 2. character embeddings: a short column of coloured squares under each character
    y_emb = 7.55
    step(0.1, 8.5, "2. each character -> a small embedding vector (one column each)")
    shades = ["#deebf7", "#9ecae1", "#4292c6", "#c6dbef"]
    for i, x in enumerate(xs):
        for k in range(4):
            shade = shades[(i * 3 + k * 2) % 4] if i < n_real else "#f0f0f0"
            box(ax, x, y_emb + 0.42 - k * 0.28, 0.3, 0.25, "", shade, round_=0.02, lw=0.6)

    # 3. convolution: one filter of width 2, one of width 3, one value per window
    y_w2, y_w3 = 5.55, 4.45
    step(0.1, 6.45, "3. filters slide over windows of characters (widths 2 and 3)")
    feats = {
        2: [0.2, 0.9, 0.3, 0.1, 0.4, 0.2, 0.6, 0.3, 0.0, 0.0, 0.0],
        3: [0.1, 0.3, 0.2, 0.5, 0.4, 0.8, 0.3, 0.1, 0.0, 0.0],
    }
    best = {w: max(range(len(v)), key=v.__getitem__) for w, v in feats.items()}
    for width, y_row, color in ((2, y_w2, FWD), (3, y_w3, BWD)):
        start = best[width]  # draw the window that wins the max: "pl" and "ing"
        left = xs[start] - cw / 2 + 0.02
        right = xs[start + width - 1] + cw / 2 - 0.02
        ax.add_patch(FancyBboxPatch((left, y_emb - 0.62), right - left, 1.4,
                                    boxstyle="round,pad=0,rounding_size=0.08",
                                    facecolor="none", edgecolor=color, lw=2.4))
        out_x = x0 + (start + (width - 1) / 2) * cw
        arrow(ax, out_x, y_emb - 0.64, out_x, y_row + 0.27, color=color, lw=1.8)
        for j, v in enumerate(feats[width]):
            cx = x0 + (j + (width - 1) / 2) * cw
            box(ax, cx, y_row, cw - 0.16, 0.42, f"{v:.1f}", color, fontsize=9,
                alpha=0.25 + 0.75 * v, lw=0.6)
        ax.add_patch(FancyBboxPatch((out_x - cw / 2 + 0.04, y_row - 0.27), cw - 0.08, 0.54,
                                    boxstyle="round,pad=0,rounding_size=0.05",
                                    facecolor="none", edgecolor=INK, lw=1.8))
        ax.text(0.1, y_row, f"width {width}", va="center", fontsize=10, color=MUTED)

    # 4. max over positions -> one number per filter
    px = 13.2
    step(11.9, 6.55, "4. max over positions")
    ax.text(11.9, 6.1, "one number per filter,\nwherever its pattern sits", fontsize=9.5,
            color=MUTED, va="center")
    row_end = x0 + 11.1 * cw
    for width, y_row, color in ((2, y_w2, FWD), (3, y_w3, BWD)):
        arrow(ax, row_end, y_row, px - 0.5, y_row, color=MUTED, lw=1.2, ls="--")
        box(ax, px, y_row, 0.8, 0.42, f"{max(feats[width]):.1f}", color, fontsize=9)
    for y in (3.85, 3.35):
        box(ax, px, y, 0.8, 0.42, "...", "#f0f0f0", fontsize=9, lw=0.6)
    ax.text(px + 0.6, 3.6, "other filters\n(all widths)", fontsize=9, color=MUTED, va="center")

    _highway_and_projection(ax, step, px)
    return save(fig, "char_cnn_playing.png")


def _highway_and_projection(ax, step, px: float) -> None:
    """Step 5 of the char-CNN figure: highway layers and projection, down the right-hand side."""
    step(0.1, 2.3, "5. highway layers mix the pooled features; a projection sets the size")
    ax.text(0.1, 1.3, r"highway:  $y = g \odot \mathrm{relu}(W_h x) + (1-g) \odot x$,"
            "\n"
            r"             with gate $g = \sigma(W_g x)$", fontsize=10.5, va="center")
    arrow(ax, px, 3.1, px, 2.31)
    box(ax, px, 2.0, 3.2, 0.6, "highway  x 2", CNN, weight="bold")
    arrow(ax, px, 1.69, px, 1.21)
    box(ax, px, 0.9, 3.2, 0.6, "projection", CNN, weight="bold")
    arrow(ax, px, 0.59, px, 0.11)
    box(ax, px, -0.2, 3.2, 0.6, "token vector", TOKEN, weight="bold")
    ax.text(px - 1.75, -0.2, "\"playing\" as one vector:\nlayer 0 of ELMo", ha="right",
            va="center", fontsize=10, color=MUTED)


def node(ax, x, y, sign, r=0.27):
    """A round operation node (x or +) centred at (x, y)."""
    ax.add_patch(Circle((x, y), r, facecolor="white", edgecolor=INK, lw=1.3, zorder=3))
    ax.text(x, y, sign, ha="center", va="center", fontsize=14, zorder=4)


def wire(ax, points, color=INK, lw=1.3, ls="-", head=True):
    """A polyline through ``points``; an arrow head on its last segment."""
    xs, ys = zip(*points)
    last = len(points) - 1 if head else len(points)
    ax.plot(xs[:last], ys[:last], color=color, lw=lw, ls=ls, solid_capstyle="butt")
    if head:
        arrow(ax, *points[-2], *points[-1], color=color, lw=lw, ls=ls)


def _lstm_output(ax, y_gate: float, y_cell: float, r: float) -> None:
    """The top right of the LSTM-cell figure: the output gate, W_P, the clip, the residual."""
    # the output: gate the squashed memory, project C -> P, clip
    ax.plot([10.5], [y_cell], marker="o", ms=6, color=INK)
    arrow(ax, 10.5, y_cell, 10.5, 5.05)
    box(ax, 10.5, 4.75, 1.1, 0.56, "$\\tanh$", "white", fontsize=11)
    arrow(ax, 10.5, 4.47, 10.5, y_gate + r)
    node(ax, 10.5, y_gate, "×")
    arrow(ax, 2.5 + 6 + 0.85, y_gate, 10.5 - r, y_gate)
    arrow(ax, 10.5 + r, y_gate, 11.35, y_gate)
    box(ax, 12.15, y_gate, 1.6, 0.84, "", CNN)
    ax.text(12.15, y_gate + 0.16, "$\\times\\, W_P$", ha="center", va="center", fontsize=12)
    ax.text(12.15, y_gate - 0.22, "C → P, no bias", ha="center", va="center", fontsize=9)
    arrow(ax, 12.95, y_gate, 13.35, y_gate)
    box(ax, 14.0, y_gate, 1.3, 0.62, "clip ±3", "#fff7bc", fontsize=10.5)
    ax.text(14.0, y_gate - 0.5, "proj_clip", ha="center", fontsize=9, color=MUTED)
    ax.plot([14.65, 15.2], [y_gate, y_gate], color=INK, lw=1.3)
    ax.plot([15.2], [y_gate], marker="o", ms=6, color=INK)
    ax.text(15.35, y_gate + 0.35, "$h_t$ (P)", fontsize=12)
    wire(ax, [(15.2, y_gate), (15.2, 2.6)])
    ax.text(15.2, 2.4, "to step t+1", ha="center", va="top", fontsize=9, color=MUTED)

    # the residual (layer 2 only) and the layer's output
    wire(ax, [(15.2, y_gate + 0.75), (15.2, 5.0 - r)], head=True)
    ax.plot([15.2, 15.2], [y_gate, y_gate + 0.75], color=INK, lw=1.3)
    node(ax, 15.2, 5.0, "+")
    wire(ax, [(2.55, 0.3), (1.2, 0.3), (1.2, -1.2), (16.2, -1.2), (16.2, 5.0),
              (15.2 + r, 5.0)], color="#6a51a3", ls="--")
    ax.text(8.7, -1.12, "residual, layer 2 only (use_skip_connections): its input $x_t$ is "
            "added to its output", ha="center", va="bottom", fontsize=9.5, color="#6a51a3")
    arrow(ax, 15.2, 5.0 + r, 15.2, 6.9)
    ax.text(15.2, 7.0, "layer output", ha="center", va="bottom", fontsize=10, weight="bold")


def lstm_cell() -> Path:
    """One step of ELMo's LSTM cell with projection (``elmo_mini.lstm``), bottom to top."""
    gate_colors = {"i": "#a1d99b", "g": "#fdd0a2", "f": "#fcbba1", "o": "#c6dbef"}
    fig, ax = plt.subplots(figsize=(12.5, 7.2))
    ax.set_xlim(-0.2, 16.4)
    ax.set_ylim(-1.45, 7.4)
    ax.axis("off")
    r = 0.27  # radius of an operation node
    y_bar, y_gate, y_cell = 1.9, 3.55, 6.2

    # the four pre-activation blocks, in the order the weights store them
    names = {"i": "i", "g": "g   (TF: j)", "f": "f", "o": "o"}
    for k, (name, label) in enumerate(names.items()):
        box(ax, 2.5 + 2 * k, y_bar, 2.0, 0.6, label, gate_colors[name], round_=0.02,
            fontsize=12, weight="bold")
    ax.text(9.75, y_bar + 0.12, "4C numbers  $x_t W_x + h_{t-1} W_h + b$,", va="center",
            fontsize=10)
    ax.text(9.75, y_bar - 0.25, "split in TensorFlow's order i, j, f, o", va="center",
            fontsize=10, color=MUTED)

    # inputs: the layer's input at step t and the previous step's projected output
    box(ax, 3.5, 0.3, 1.9, 0.6, "$x_t$   (P)", TOKEN)
    box(ax, 7.5, 0.3, 1.9, 0.6, "$h_{t-1}$   (P)", "#d9d9d9")
    ax.text(3.5, -0.25, "token vector, or layer 1's output", ha="center", va="top", fontsize=9,
            color=MUTED)
    ax.text(7.5, -0.25, "output of step t-1", ha="center", va="top", fontsize=9, color=MUTED)
    arrow(ax, 3.5, 0.61, 3.5, y_bar - 0.31)
    arrow(ax, 7.5, 0.61, 7.5, y_bar - 0.31)

    # the gates: one squashing function per block
    gates = {"i": ("$\\sigma(i)$", "input gate"), "g": ("$\\tanh(g)$", "candidate"),
             "f": ("$\\sigma(f + 1)$", "forget gate"), "o": ("$\\sigma(o)$", "output gate")}
    for k, (name, (formula, role)) in enumerate(gates.items()):
        x = 2.5 + 2 * k
        arrow(ax, x, y_bar + 0.31, x, y_gate - 0.43)
        box(ax, x, y_gate, 1.7, 0.84, "", gate_colors[name])
        ax.text(x, y_gate + 0.16, formula, ha="center", va="center", fontsize=12.5)
        ax.text(x, y_gate - 0.22, role, ha="center", va="center", fontsize=9, color=MUTED)

    # the memory line: forget, write, clip
    ax.plot([0.2, 6.5 - r], [y_cell, y_cell], color=INK, lw=2.6)
    ax.text(0.2, y_cell + 0.3, "$c_{t-1}$   (C)", fontsize=12)
    ax.text(0.2, y_cell - 0.35, "memory from step t-1", fontsize=9, color=MUTED)
    node(ax, 6.5, y_cell, "×")
    arrow(ax, 6.5, y_gate + 0.43, 6.5, y_cell - r, lw=1.3)
    ax.plot([6.5 + r, 7.7 - r], [y_cell, y_cell], color=INK, lw=2.6)
    node(ax, 7.7, y_cell, "+")
    node(ax, 3.5, 4.75, "×")
    wire(ax, [(2.5, y_gate + 0.43), (3.5 - 0.2, 4.75 - 0.19)])
    wire(ax, [(4.5, y_gate + 0.43), (3.5 + 0.2, 4.75 - 0.19)])
    wire(ax, [(3.5, 4.75 + r), (3.5, 5.35), (7.7, 5.35), (7.7, y_cell - r)])
    ax.text(4.0, 5.5, "what to write", fontsize=9, color=MUTED)
    ax.text(4.75, 6.45, "what to keep", fontsize=9, color=MUTED)
    ax.plot([7.7 + r, 8.4], [y_cell, y_cell], color=INK, lw=2.6)
    box(ax, 9.15, y_cell, 1.5, 0.62, "clip ±3", "#fff7bc", fontsize=10.5)
    ax.text(9.15, y_cell + 0.48, "cell_clip", ha="center", fontsize=9, color=MUTED)
    arrow(ax, 9.9, y_cell, 12.2, y_cell, lw=2.6)
    ax.text(12.3, y_cell + 0.12, "$c_t$   (C)", va="center", fontsize=12)
    ax.text(12.3, y_cell - 0.3, "memory to step t+1", va="center", fontsize=9, color=MUTED)

    _lstm_output(ax, y_gate, y_cell, r)
    return save(fig, "lstm_cell.png")


def colab_badge() -> Path:
    """A small "Open in Colab" badge, drawn here so the book never hot-links an image."""
    svg = """<svg xmlns="http://www.w3.org/2000/svg" width="118" height="20" \
viewBox="0 0 118 20" role="img" aria-label="Open in Colab">
  <title>Open in Colab</title>
  <rect width="118" height="20" rx="3" fill="#555555"/>
  <rect x="52" width="66" height="20" rx="3" fill="#f9ab00"/>
  <rect x="52" width="6" height="20" fill="#f9ab00"/>
  <g fill="#ffffff" font-family="DejaVu Sans,Verdana,Geneva,sans-serif" font-size="11">
    <text x="7" y="14">Open in</text>
  </g>
  <g fill="#222222" font-family="DejaVu Sans,Verdana,Geneva,sans-serif" font-size="11" \
font-weight="bold">
    <text x="61" y="14">Colab</text>
  </g>
  <circle cx="106" cy="10" r="5" fill="none" stroke="#222222" stroke-width="2"/>
</svg>
"""
    path = FIGS / "open_in_colab.svg"
    path.write_text(svg, encoding="utf-8")
    return path


FIGURES = {
    "elmo_overview": elmo_overview,
    "char_cnn_playing": char_cnn_playing,
    "lstm_cell": lstm_cell,
    "open_in_colab": colab_badge,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"figures to draw (default: all of {', '.join(FIGURES)})")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.names) - set(FIGURES))
    if unknown:
        parser.error(f"unknown figure(s) {unknown}; choose from {list(FIGURES)}")
    FIGS.mkdir(exist_ok=True)
    for name in args.names or FIGURES:
        print("wrote", FIGURES[name]().relative_to(ROOT))
    return 0


def adaptive_softmax() -> Path:
    """The shipped model's adaptive softmax: a head of 2,000 words + 2 cluster entries, two tails."""
    fig, ax = plt.subplots(figsize=(10, 4.4))
    ax.set_xlim(0, 12.6)
    ax.set_ylim(0, 5.4)
    ax.axis("off")
    # the output vector of one position
    box(ax, 1.0, 2.3, 1.5, 0.8, "h  (128)", color=FWD, fontsize=11)
    ax.text(1.0, 1.6, "biLSTM output\nof one position", ha="center", va="top", fontsize=9,
            color=MUTED)
    # the head: 2,000 words and 2 cluster entries, one softmax
    ax.text(5.15, 5.15, "head: one softmax over 2,002 entries", ha="center", fontsize=11,
            weight="bold")
    box(ax, 4.5, 4.35, 3.0, 0.75, "2,000 most frequent words\nthe  ,  .  of  and  ...",
        color=TOKEN, fontsize=9.5)
    box(ax, 6.55, 4.35, 0.95, 0.75, "tail 1", color=CNN, fontsize=9.5, weight="bold")
    box(ax, 7.6, 4.35, 0.95, 0.75, "tail 2", color=MIX, fontsize=9.5, weight="bold")
    arrow(ax, 1.3, 2.7, 2.95, 4.2)
    ax.text(1.05, 3.75, "128 x 2,002", fontsize=9, color=MUTED, ha="center")
    # tail clusters: a smaller projection, then their own softmax
    box(ax, 5.0, 2.3, 2.1, 0.7, "project 128 -> 32", color=CHAR, fontsize=9.5)
    box(ax, 5.0, 1.1, 3.4, 0.8, "tail 1: words 2,000-9,999\n8,000 words, own softmax",
        color=CNN, fontsize=9.5)
    box(ax, 9.2, 2.3, 2.1, 0.7, "project 128 -> 8", color=CHAR, fontsize=9.5)
    box(ax, 9.2, 1.1, 3.4, 0.8, "tail 2: words 10,000-19,999\n10,000 words, own softmax",
        color=MIX, fontsize=9.5)
    arrow(ax, 1.75, 2.3, 3.95, 2.3)
    ax.add_patch(FancyArrowPatch((1.75, 2.5), (8.15, 2.55), arrowstyle="-|>", color=MUTED,
                                 lw=1.2, mutation_scale=12, shrinkA=0, shrinkB=0, ls="--",
                                 connectionstyle="arc3,rad=-0.2"))
    arrow(ax, 5.0, 1.95, 5.0, 1.5)
    arrow(ax, 9.2, 1.95, 9.2, 1.5)
    arrow(ax, 6.55, 3.97, 5.6, 2.65, color=MUTED, style="-", ls=":")
    arrow(ax, 7.6, 3.97, 8.6, 2.65, color=MUTED, style="-", ls=":")
    # how a probability is read off
    ax.text(8.55, 4.75, 'p("the") = p_head("the")', fontsize=10, ha="left")
    ax.text(8.55, 4.2, "p(w in tail 1) =\n   p_head(tail 1) x p_tail1(w)", fontsize=10,
            ha="left", va="top")
    ax.text(6.3, 0.2, "Each softmax sums to 1, so the 20,000 probabilities do too: exact, "
            "not sampled.", ha="center", fontsize=10, color=INK, style="italic")
    return save(fig, "adaptive_softmax.png")


FIGURES["adaptive_softmax"] = adaptive_softmax


if __name__ == "__main__":
    raise SystemExit(main())
