"""The local memory probe: this machine as an exo node.

probe_node() returns Python objects from the library's structs;
json_api.probe_local() returns exo's JSON document for the same probe.
"""
from __future__ import annotations

from ctypes import byref
from typing import Optional

from . import _lib
from ._lib import raise_for_status, text_argument
from .model import NetworkInterface, ProbedNode
from .topology import memory_from_c


def probe_options(*, node_id: Optional[str] = None, proc_root: Optional[str] = None,
                  warn_some_avg10: Optional[float] = None, critical_some_avg10: Optional[float] = None,
                  critical_full_avg10: Optional[float] = None) -> _lib.ProbeOptions:
    """The exoplace_probe_options for the probe's keyword arguments (None: the library's default)."""
    options = _lib.ProbeOptions()
    _lib.lib().exoplace_probe_options_init(byref(options))
    if node_id is not None:
        options.node_id = text_argument(node_id, "node_id")
    if proc_root is not None:
        options.proc_root = text_argument(proc_root, "proc_root")
    for name, value in (("warn_some_avg10", warn_some_avg10), ("critical_some_avg10", critical_some_avg10),
                        ("critical_full_avg10", critical_full_avg10)):
        if value is not None:
            setattr(options, name, float(value))
    return options


def _text(raw: bytes) -> str:
    # The library hands out UTF-8 only (it checks ids and interface names).
    return raw.decode("utf-8")


def probe_node(*, node_id: Optional[str] = None, proc_root: Optional[str] = None,
               warn_some_avg10: Optional[float] = None, critical_some_avg10: Optional[float] = None,
               critical_full_avg10: Optional[float] = None) -> ProbedNode:
    """Describes this machine: its id, memory profile and network interfaces.

    Args:
        node_id: the id to report; None for the host name.
        proc_root: where /proc is (Linux; tests point it at fixtures).
        warn_some_avg10, critical_some_avg10, critical_full_avg10: PSI
            thresholds for the pressure level; None for the library's defaults.

    Raises:
        ProbeError: a file missing or malformed, named in the message.
        InputError: an option the library refuses (the field names it).
    """
    options = probe_options(node_id=node_id, proc_root=proc_root, warn_some_avg10=warn_some_avg10,
                            critical_some_avg10=critical_some_avg10, critical_full_avg10=critical_full_avg10)
    result = _lib.ProbeResult()
    err = _lib.Error()
    status = _lib.lib().exoplace_probe_node(byref(result), byref(options), byref(err))
    raise_for_status(status, err)  # a failed probe leaves nothing to dispose
    try:
        interfaces = tuple(NetworkInterface(name=_text(entry.name), ip_address=_text(entry.ip_address))
                           for entry in result.interfaces[:result.n_interfaces])
        return ProbedNode(node_id=_text(result.node_id), memory=memory_from_c(result.memory), interfaces=interfaces)
    finally:
        _lib.lib().exoplace_probe_result_dispose(byref(result))
