"""Self-checks for the book's exercises: ``check_<name>(your_function)``.

Each check calls your function on fixed inputs and compares the result with elmo_mini's own
version. It prints one line when everything agrees, and otherwise raises an ``AssertionError``
that says what differs (which shape, which value) and where to look.

The checks live in one module per chapter (``ch02.py``, ``ch03.py``, ...); every
``check_*`` function of those modules is importable from ``elmo_mini.checks`` directly.
"""

from __future__ import annotations

import importlib
import pkgutil

__all__: list[str] = []

for _module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    if _module_info.name.startswith("ch"):
        _module = importlib.import_module(f"{__name__}.{_module_info.name}")
        for _name in dir(_module):
            if _name.startswith("check_"):
                globals()[_name] = getattr(_module, _name)
                __all__.append(_name)
