"""What every check shares: calling the student's function, comparing, reporting."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import torch


def call(fn: Callable, *args: Any, name: str, **kwargs: Any) -> Any:
    """Call the student's ``fn``; turn a stub or a crash into a clear ``AssertionError``."""
    try:
        return fn(*args, **kwargs)
    except NotImplementedError:
        raise AssertionError(
            f"{name} is not implemented yet: replace `raise NotImplementedError()` with your code"
        ) from None
    except Exception as err:  # noqa: BLE001 - we re-raise with context for the student
        raise AssertionError(f"{name} raised {type(err).__name__}: {err}") from err


def as_array(value: Any, name: str) -> np.ndarray:
    """A numpy array from a tensor, array or (nested) list."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    try:
        return np.asarray(value)
    except Exception as err:  # noqa: BLE001
        raise AssertionError(f"{name} returned {type(value).__name__}, not an array") from err


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
    tip = f" Hint: {hint}" if hint else ""
    if got_a.shape != expected_a.shape:
        raise AssertionError(
            f"{name} has shape {tuple(got_a.shape)}, expected {tuple(expected_a.shape)}.{tip}"
        )
    if got_a.dtype.kind in "biu" and expected_a.dtype.kind in "biu":
        bad = got_a != expected_a
    else:
        bad = ~np.isclose(got_a.astype(np.float64), expected_a.astype(np.float64), rtol, atol)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise AssertionError(
            f"{name} differs at index {where}: got {got_a[where]!r}, expected {expected_a[where]!r} "
            f"({int(bad.sum())} of {bad.size} values differ).{tip}"
        )


def passed(name: str, detail: str) -> None:
    """The one line a passing check prints."""
    print(f"✔ {name} passed: {detail}")
