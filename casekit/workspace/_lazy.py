"""Modules loaded on their first use (issue 18).

Opening a SQLite workspace whose schema is current and reading its snapshot
(:mod:`casekit.workspace._reads`) need no SQLAlchemy, whose import is ~0.2 s of a new
server's first load; the workspace's modules name SQLAlchemy and the modules built on it
(the tables, the engine…) through a :class:`Lazy`, which imports them when a write or
another read first asks for one of their names. Type checkers see the real modules.

>>> json = Lazy("json")
>>> json
<module 'json', loaded on first use>
>>> json.dumps([1])
'[1]'
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["Lazy"]


class Lazy:
    """Stands for the module ``name``: imports it when one of its attributes is first asked for."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attr: str) -> object:
        module = self._module
        if module is None:  # the import lock makes a race harmless: both get the one module
            module = self._module = importlib.import_module(self._name)
        return getattr(module, attr)

    def __repr__(self) -> str:
        return f"<module {self._name!r}, loaded on first use>"
