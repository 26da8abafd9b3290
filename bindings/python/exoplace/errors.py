"""Exceptions raised by the exoplace bindings.

A failed call of the library reports a status and an ``exoplace_error``
(code, message, field). The bindings turn them into:

- PlacementError: the request is well-formed but cannot be placed
  (``insufficient_memory``, ``tensor_not_supported``, ``no_tensor_sharding``,
  ``invalid_split``, ``search_limit``); the message is exo's text and
  .explanation says why it does not fit.
- InputError, a ValueError: bad input (malformed JSON, a wrong field, a limit);
  the message names the offending field.
- ProbeError, an OSError: the local memory probe could not read the system.
- MemoryError: the library ran out of memory.
- LibraryLoadError, an OSError: libexoplace could not be loaded.
"""
from __future__ import annotations

from typing import Any, Dict, Optional


class ExoplaceError(Exception):
    """A failure reported by libexoplace.

    Attributes:
        code: the stable code, exoplace_status_name() (e.g. "insufficient_memory").
        message: the library's text.
        field: the path of the offending input ("" when none).
    """

    def __init__(self, code: str, message: str, field: str = "") -> None:
        # One argument, so that str() is the message (and an OSError subclass
        # does not read the code as an errno).
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    def __reduce__(self) -> tuple:  # pickling rebuilds from all three parts, not args
        return (type(self), (self.code, self.message, self.field))


class PlacementError(ExoplaceError):
    """A well-formed request that cannot be placed; str() is exo's message and
    field, when set, the input the failure is about (e.g. "model.hidden_size").

    Attributes:
        explanation: why it does not fit, as the dict of docs/json.md
            "Explanations" (each memory tier tried: what the model needs,
            the best candidate ring, the gap, each node's share and
            shortfall; the rules that removed ring lengths). None for
            search_limit, and from the calls that place no model by tiers
            (Topology.place_manual, distribute_layers, fit_layers).
        response: from a JSON entry point, the failure object it wrote,
            {"ok": False, "code", "error"} with its "explanation" when it has
            one; None otherwise (and after pickling).
    """

    def __init__(self, code: str, message: str, field: str = "",
                 explanation: Optional[Dict[str, Any]] = None) -> None:
        super().__init__(code, message, field)
        self.response: Optional[Dict[str, Any]] = None
        self.explanation = explanation

    def __reduce__(self) -> tuple:
        return (type(self), (self.code, self.message, self.field, self.explanation))


class InputError(ExoplaceError, ValueError):
    """Bad input: the message starts with the field it names."""


class ProbeError(ExoplaceError, OSError):
    """The local memory probe failed (a file missing or malformed)."""


class LibraryLoadError(OSError):
    """libexoplace could not be loaded; the message names every place tried."""
