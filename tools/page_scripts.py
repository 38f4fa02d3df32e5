"""Sphinx extension: every page loads each of its scripts once.

sphinx-thebe (which Jupyter Book 1 always loads) adds an inline script declaring
``const THEBE_JS_URL = ...`` when Sphinx starts reading the sources; under Jupyter Book the same
inline script reaches the page twice, and the second declaration throws "Identifier
'THEBE_JS_URL' has already been declared" on every page. This extension, loaded from
``_config.yml`` (``sphinx.local_extensions``) and run after every other handler of
``html-page-context``, drops a script that repeats an earlier one on the same page (same file or
same inline body, same attributes; the repeat is registered once with the file name ``None``
and once with ``""``, so Sphinx does not see them as equal). Nothing installed is patched; ``tests/web/test_site_offline.py``
checks in a browser that no page logs an error.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx


def script_key(script: Any) -> tuple:
    """What makes two of a page's scripts the same: the file (or inline body) and attributes."""
    filename = getattr(script, "filename", script) or ""  # an inline script has None or ""
    attributes = getattr(script, "attributes", {})
    return (str(filename), tuple(sorted((k, str(v)) for k, v in attributes.items())))


def unique_scripts(scripts: list) -> list:
    """``scripts`` without the ones that repeat an earlier one, order kept."""
    seen: set[tuple] = set()
    kept = []
    for script in scripts:
        key = script_key(script)
        if key not in seen:
            seen.add(key)
            kept.append(script)
    return kept


def drop_repeated_scripts(app: Sphinx, pagename: str, templatename: str,
                          context: dict, doctree: Any) -> None:
    if "script_files" in context:
        context["script_files"] = unique_scripts(list(context["script_files"]))


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("html-page-context", drop_repeated_scripts, priority=990)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
