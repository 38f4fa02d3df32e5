"""Sphinx extension: point every chapter's Colab link at its student notebook.

The theme's own Colab launch button opens ``book/<name>.md``, which Colab cannot read. This
extension, loaded from ``_config.yml`` (``sphinx.local_extensions``), does two things for every
page under ``book/`` that is a notebook (a MyST file with a ``kernelspec``):

1. inserts an "Open in Colab" badge (``figs/open_in_colab.svg``, shipped in the repository) under
   the page title, linking to ``notebooks/<name>.ipynb`` of the repository;
2. rewrites the theme's Colab launch button to the same address.

The repository URL and branch come from ``_config.yml`` (``repository.url``, ``repository.branch``),
which Jupyter Book passes to the theme as ``repository_url`` / ``repository_branch``: the URL is
written in one place only. A chapter whose student notebook is missing from ``notebooks/`` gets a
warning (the build runs with ``-W``): run ``python tools/make_notebooks.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docutils import nodes
from make_notebooks import is_notebook  # tools/ is on the path of local extensions
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

BADGE = "figs/open_in_colab.svg"  # relative to the book's root (the repository root)
NOTEBOOK_DIR = "notebooks"
CHAPTER_DIR = "book/"
DEFAULT_COLAB = "https://colab.research.google.com"


def colab_url(repository_url: str, branch: str, notebook: str, colab: str = DEFAULT_COLAB) -> str:
    """Colab address of ``notebook`` (a path inside the repository) on GitHub."""
    repo = repository_url.rstrip("/")
    repo = repo.removesuffix(".git")
    prefix = "https://github.com/"
    if not repo.startswith(prefix):
        raise ValueError(f"Colab opens GitHub repositories only, got repository.url={repo!r}")
    return f"{colab.rstrip('/')}/github/{repo[len(prefix):]}/blob/{branch}/{notebook}"


def _theme_options(app: Sphinx) -> dict[str, Any]:
    return dict(app.config.html_theme_options or {})


def _notebook_for(app: Sphinx, docname: str) -> str | None:
    """``notebooks/<name>.ipynb`` for a chapter page that is a notebook, else None."""
    if not docname.startswith(CHAPTER_DIR):
        return None
    source = Path(app.env.doc2path(docname))
    if source.suffix != ".md" or not is_notebook(source):
        return None
    return f"{NOTEBOOK_DIR}/{Path(docname).name}.ipynb"


def _page_colab_url(app: Sphinx, notebook: str) -> str:
    opts = _theme_options(app)
    colab = (opts.get("launch_buttons") or {}).get("colab_url") or DEFAULT_COLAB
    return colab_url(opts["repository_url"], opts.get("repository_branch", "main"), notebook, colab)


def add_badge(app: Sphinx, doctree: nodes.document) -> None:
    """doctree-read: put the badge right under the page title."""
    docname = app.env.docname
    notebook = _notebook_for(app, docname)
    if notebook is None:
        return
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None or not isinstance(section[0], nodes.title):
        logger.warning("%s has no title to put the Colab badge under", docname,
                       location=docname, type="colab_links")
        return
    image = nodes.image(uri="/" + BADGE, alt="Open in Colab", classes=["colab-badge"])
    link = nodes.reference("", "", image, refuri=_page_colab_url(app, notebook),
                           classes=["colab-badge-link"])
    section.insert(1, nodes.paragraph("", "", link, classes=["colab-badge-line"]))


def check_notebooks(app: Sphinx, env: Any, added: set, changed: set, removed: set) -> list:
    """env-get-outdated (every build, even with nothing to re-read): each notebook exists."""
    for docname in sorted(env.found_docs):
        notebook = _notebook_for(app, docname)
        if notebook and not (Path(app.srcdir) / notebook).exists():
            logger.warning(
                "%s has no student notebook %s: run `python tools/make_notebooks.py`",
                docname, notebook, location=docname, type="colab_links",
            )
    return []


def fix_launch_button(app: Sphinx, pagename: str, templatename: str,
                      context: dict[str, Any], doctree: Any) -> None:
    """html-page-context (after the theme): retarget or drop the theme's Colab button."""
    notebook = _notebook_for(app, pagename)
    for group in context.get("header_buttons", []):
        if group.get("label") != "launch-buttons":
            continue
        kept = []
        for button in group.get("buttons", []):
            if button.get("text") == "Colab":
                if notebook is None:
                    continue
                button["url"] = _page_colab_url(app, notebook)
            kept.append(button)
        group["buttons"] = kept
    context["header_buttons"] = [
        g for g in context.get("header_buttons", [])
        if g.get("label") != "launch-buttons" or g.get("buttons")
    ]


def setup(app: Sphinx) -> dict[str, Any]:
    # Before Sphinx's image collector (priority 500), so the badge is copied like any figure.
    app.connect("doctree-read", add_badge, priority=400)
    app.connect("env-get-outdated", check_notebooks)
    # The theme adds its launch buttons at priority 501.
    app.connect("html-page-context", fix_launch_button, priority=900)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
