"""What every self-check shares (``elmo_mini/checks/common.py``), and the rule that binds them:
each ``check_*`` has wrong answers in ``tests/checks/test_checks_chNN.py`` whose messages name the
mistake (``tests/support/check_messages.py`` holds them to the form).

The name sorts this file before the chapters' so ``pytest tests/checks/test_checks_ch*.py`` runs it.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from support.book_cells import stub
from support.check_messages import FORM, Mistake, assert_message, mistake_ids, mistake_tables

import elmo_mini.checks as checks
from elmo_mini.checks.common import assert_close, call, describe, message, plain


def _all_mistakes() -> list[Mistake]:
    """The chapters' tables (this module's own ``MISTAKES`` below try the shared helpers)."""
    tables = mistake_tables()
    return [m for name, table in tables.items() if name != "test_checks_ch00_common" for m in table]


def test_every_check_has_wrong_answers_with_named_mistakes():
    covered = {m.check.__name__ for m in _all_mistakes()}
    missing = sorted(set(checks.__all__) - covered)
    assert not missing, f"checks without a wrong answer in tests/checks/test_checks_chNN.py: {missing}"


def test_every_check_fails_on_the_stub_with_the_same_words():
    for name in checks.__all__:
        with pytest.raises(AssertionError) as info:
            getattr(checks, name)(stub)
        text = str(info.value)
        assert "is not implemented yet. Hint: replace `raise NotImplementedError()`" in text, text
        assert FORM.match(text), text


@pytest.mark.parametrize("value, shown", [
    (np.float32(1.39645), "1.39645"),
    (torch.tensor(2.5), "2.5"),
    (np.int64(-100), "-100"),
    (np.bool_(False), "False"),
    (-0.0, "0"),
    ((3, 4), "(3, 4)"),
    ((5,), "(5,)"),
    (torch.tensor([1, 2]), "[1, 2]"),
    ("cat", "'cat'"),
])
def test_plain_prints_values_as_a_student_writes_them(value, shown):
    assert plain(value) == shown


def test_message_has_one_full_stop_per_part():
    assert message("x differs.", "transpose it.") == "x differs. Hint: transpose it."
    assert message("x differs") == "x differs."
    assert message("x gave ['<ca', 'c...", "cut") == "x gave ['<ca', 'c... Hint: cut."


def test_describe_names_type_and_shape():
    assert describe(torch.zeros(4, 6, 50)) == "a Tensor of shape (4, 6, 50)"
    assert describe([1, 2, 3]) == "a list of 3 items"
    assert describe(0.5) == "float 0.5"


# ---- the helpers on wrong answers: a transpose, a crash, a value at one position ----------------
def _compare():
    def check(fn):
        assert_close(call(fn, name="f"), torch.arange(6.0).view(2, 3), "f's result",
                     "a hint of one sentence")
    return check


def _crashing(*args):
    return torch.zeros(2, 3) @ torch.zeros(2, 3)


MISTAKES = [
    Mistake("transposed", _compare(), lambda: torch.arange(6.0).view(2, 3).T,
            r"^f's result has shape \(3, 2\), expected \(2, 3\)$", "one sentence"),
    Mistake("one-value", _compare(), lambda: torch.tensor([[0.0, 1, 2], [3, 4, 5.5]]),
            r"^f's result differs at index \(1, 2\): got 5\.5, expected 5 \(1 of 6 values differ\)$",
            "one sentence"),
    Mistake("crash", _compare(), _crashing,
            r"^f raised RuntimeError: mat1 and mat2 shapes cannot be multiplied \(2x3 and 2x3\)$",
            "traceback above"),
]


@pytest.mark.parametrize("mistake", MISTAKES, ids=mistake_ids(MISTAKES))
def test_common_messages_name_the_mistake(mistake):
    assert_message(mistake)


def test_call_hint_can_depend_on_the_error():
    def hint(err):
        return "divide after the check for zero" if isinstance(err, ZeroDivisionError) else None

    with pytest.raises(AssertionError, match=r"division by zero\. Hint: divide after the check"):
        call(lambda: 1 / 0, name="f", hint=hint)
    with pytest.raises(AssertionError, match="traceback above"):
        call(lambda: [][1], name="f", hint=hint)
