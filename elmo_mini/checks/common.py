"""What every check shares: calling the student's function, comparing, reporting.

Every failure message has one form, ``"<what differs>. Hint: <likely cause>."``: first the
shape, or the position and the two values, that differ, then one sentence on the mistake that
most likely produced them. Numbers are printed plainly (``1.39645``, not ``np.float32(1.39645)``).
"""

from __future__ import annotations

from typing import Any, Callable, Optional, Union

import numpy as np
import torch


def short(text: str, limit: int = 40) -> str:
    """``text`` cut to about ``limit`` characters, with ``...`` where it was cut."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def plain(value: Any) -> str:
    """A value as a student would write it: ``1.39645``, ``-100``, ``True``, ``[1, 2]``."""
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    if isinstance(value, np.ndarray):
        value = value.item() if value.ndim == 0 else value.tolist()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value + 0.0:.6g}"  # + 0.0 turns -0.0 into 0.0
    if isinstance(value, (list, tuple)):
        inner = ", ".join(plain(v) for v in value)
        return f"[{inner}]" if isinstance(value, list) else f"({inner}{',' if len(value) == 1 else ''})"
    return repr(value)


def describe(value: Any) -> str:
    """What a wrong return value is: ``a Tensor of shape (4, 6, 50)``, ``a tuple of 3 items``."""
    kind = type(value).__name__
    article = "an" if kind[0] in "aeiou" else "a"
    if isinstance(value, (torch.Tensor, np.ndarray)):
        return f"{article} {kind} of shape {plain(tuple(value.shape))}"
    if isinstance(value, (tuple, list, dict, set)):
        return f"{article} {kind} of {len(value)} items"
    return f"{kind} {short(plain(value))}"


def message(what: str, hint: str = "") -> str:
    """``"<what>. Hint: <hint>."``, with exactly one full stop after each part."""
    def stop(text: str) -> str:  # one full stop; an ellipsis (a cut value) stays as it is
        text = text.rstrip()
        return text if text.endswith("...") else text.rstrip(".") + "."

    return stop(what) + (f" Hint: {stop(hint)}" if hint else "")


def fail(what: str, hint: str = "") -> None:
    """Raise the ``AssertionError`` a student reads: what differs, then the likely cause."""
    raise AssertionError(message(what, hint))


def call(
    fn: Callable,
    *args: Any,
    name: str,
    hint: Union[str, Callable[[Exception], Optional[str]], None] = None,
    **kwargs: Any,
) -> Any:
    """Call the student's ``fn``; turn a stub or a crash into a clear ``AssertionError``.

    ``hint`` names the usual cause of a crash in this exercise (a shape that does not broadcast,
    an index past the end), or is a function of the exception that returns one (or None); without
    one the message points at the traceback.
    """
    try:
        return fn(*args, **kwargs)
    except NotImplementedError:
        raise AssertionError(message(
            f"{name} is not implemented yet", "replace `raise NotImplementedError()` with your code"
        )) from None
    except Exception as err:  # noqa: BLE001 - we re-raise with context for the student
        detail = " ".join(str(err).split()).rstrip(".")
        if callable(hint):
            hint = hint(err)
        raise AssertionError(message(
            f"{name} raised {type(err).__name__}: {detail}" if detail else
            f"{name} raised {type(err).__name__}",
            hint or "the traceback above points at the line of your function that failed",
        )) from err


def as_array(value: Any, name: str) -> np.ndarray:
    """A numpy array from a tensor, array or (nested) list."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    try:
        return np.asarray(value)
    except Exception as err:  # noqa: BLE001
        raise AssertionError(message(
            f"{name} returned {type(value).__name__}, not an array",
            "return a torch tensor (or a numpy array) of the shape the exercise gives",
        )) from err


def assert_close(
    got: Any,
    expected: Any,
    name: str,
    hint: str = "",
    rtol: float = 1e-5,
    atol: float = 1e-5,
) -> None:
    """Compare shape, then values; the message names the first differing position."""
    got_a, expected_a = as_array(got, name), as_array(expected, name)
    if got_a.shape != expected_a.shape:
        fail(f"{name} has shape {plain(tuple(got_a.shape))}, expected "
             f"{plain(tuple(expected_a.shape))}", hint)
    if got_a.dtype.kind in "biu" and expected_a.dtype.kind in "biu":
        bad = got_a != expected_a
    else:
        try:
            got_f = got_a.astype(np.float64)
        except (TypeError, ValueError):
            fail(f"{name} holds {got_a.dtype} values, expected numbers", hint)
        bad = ~np.isclose(got_f, expected_a.astype(np.float64), rtol, atol)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        at = f" at index {where[0] if len(where) == 1 else plain(where)}" if where else ""
        fail(f"{name} differs{at}: got {plain(got_a[where])}, expected "
             f"{plain(expected_a[where])} ({int(bad.sum())} of {bad.size} values differ)", hint)


def passed(name: str, detail: str) -> None:
    """The one line a passing check prints."""
    print(f"✔ {name} passed: {detail}")
