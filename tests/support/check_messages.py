"""Shared by tests/checks/test_checks_chNN.py: a wrong answer, and what its check must say about it.

Every check failure reads ``"<what differs>. Hint: <likely cause>."`` (see
``elmo_mini/checks/common.py``). ``assert_message`` feeds a wrong answer to its check and holds
the message to that form: one line, the first part names the shape, the position or the value
that differ (``what``), the hint names the mistake (``hint``), neither part runs to a second
sentence, and numbers are printed plainly (no ``np.float32(...)``, no ``tensor(...)``).

``python tests/support/check_messages.py`` prints every wrong answer of every chapter with its message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

FORM = re.compile(r"^(?P<what>.+?)\. Hint: (?P<hint>.+)\.$")
# A full stop (or ? !) then a space then a capital letter starts a second sentence.
SECOND_SENTENCE = re.compile(r"[.!?]\s+[A-Z]")
NOT_PLAIN = re.compile(r"np\.(float|int|uint|bool|str_)\w*\(|tensor\(|array\(|dtype=")


@dataclass(frozen=True)
class Mistake:
    """A plausible wrong answer ``wrong`` to the exercise ``check`` checks.

    ``what`` and ``hint`` are regular expressions the two parts of the message must contain.
    """

    label: str
    check: Callable
    wrong: Callable
    what: str
    hint: str

    def __str__(self) -> str:
        return f"{self.check.__name__}-{self.label}"


def failure(check: Callable, wrong: Callable) -> str:
    """The message ``check`` raises on ``wrong`` (the test fails if it passes)."""
    with pytest.raises(AssertionError) as info:
        check(wrong)
    return str(info.value)


def assert_message(mistake: Mistake) -> str:
    """The message for ``mistake``, after checking its form and content."""
    text = failure(mistake.check, mistake.wrong)
    assert "\n" not in text, f"the message is more than one line: {text!r}"
    assert text.count("Hint:") == 1, f"one hint per message: {text!r}"
    form = FORM.match(text)
    assert form, f"not '<what differs>. Hint: <likely cause>.': {text!r}"
    assert not NOT_PLAIN.search(text), f"values are not printed plainly: {text!r}"
    what, hint = form.group("what"), form.group("hint")
    assert not SECOND_SENTENCE.search(hint), f"the hint is more than one sentence: {hint!r}"
    if " raised " not in what:  # a crash quotes the error's own text, which may run on
        assert not SECOND_SENTENCE.search(what), f"the diagnosis is more than one sentence: {what!r}"
    assert re.search(r"\d|'|shape|None|True|False| raised ", what), f"names no shape, position or value: {what!r}"
    assert re.search(mistake.what, what), f"{mistake.what!r} not in the diagnosis {what!r}"
    assert re.search(mistake.hint, hint), f"{mistake.hint!r} not in the hint {hint!r}"
    return text


def mistake_ids(mistakes: list[Mistake]) -> list[str]:
    return [str(m) for m in mistakes]


def mistake_tables() -> dict[str, list[Mistake]]:
    """Every ``MISTAKES`` table of ``tests/checks/test_checks_chNN.py``, by module, chapter order.

    The tables stay beside the tests that feed them to their checks; this one reader serves the
    rule that binds them all (``test_checks_ch00_common.py``) and the printed table below.
    """
    import importlib
    import sys

    folder = Path(__file__).resolve().parents[1] / "checks"
    if str(folder) not in sys.path:  # pytest puts it there when it collects that folder
        sys.path.append(str(folder))
    return {path.stem: getattr(importlib.import_module(path.stem), "MISTAKES", [])
            for path in sorted(folder.glob("test_checks_ch[01][0-9]*.py"))}


if __name__ == "__main__":  # the table for a closing note: check -> wrong answer -> message
    import sys

    tests = Path(__file__).resolve().parents[1]
    # what pytest's pythonpath gives the tests: the repository, tests/ (support), tools/
    sys.path[0] = str(tests.parent)  # not tests/support, whose modules are not top-level
    sys.path[1:1] = [str(tests), str(tests.parent / "tools")]
    for mistakes in mistake_tables().values():
        for m in mistakes:
            try:
                shown = failure(m.check, m.wrong)
            except BaseException as err:  # noqa: BLE001 - report, do not stop
                shown = f"(check passed or crashed: {err!r})"
            print(f"| {m.check.__name__} | {m.label} | {shown} |")
