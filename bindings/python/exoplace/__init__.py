"""Python bindings of libexoplace: where a large language model runs on an exo cluster.

Two layers over the C library (loaded with ctypes, standard library only):

- Functions on plain data shaped like exo's wire format (json.md):
  get_placement(), place(), previews(), cycles(), model_fit(),
  distribute_layers(), fit_layers() and probe_local(). A request is a dict, JSON text or an
  exo /state document.
- exo.place_instance(): exo's own placement call on a parsed GET /state and a
  PlaceInstance command, returning exo's mapping of instances (exoplace.exo).
- probe_node(): this machine as a ProbedNode (its NodeMemory and interfaces).
- Objects for topologies built in code: Topology (add_node, set_node_memory,
  add_interface, add_connection, add_rdma_connection, set_backends,
  set_rdma_ctl, add_download, get_placement, place_model, explain, previews,
  cycles, ...) returning Placement, Shard, Instance and Preview dataclasses;
  Model holds what exo's ModelCard says (Model.from_card).

Failures raise PlacementError (cannot be placed; .code, exo's message and
.explanation, why it does not fit) or InputError, a ValueError naming the
offending field.

The library is found through EXOPLACE_LIBRARY, the checkout's build directory,
or the system's library path (see exoplace._lib).
"""
from __future__ import annotations

from . import _lib, exo
from .errors import ExoplaceError, InputError, LibraryLoadError, PlacementError, ProbeError
from .json_api import cycles, distribute_layers, fit_layers, get_placement, model_fit, place, previews, probe_local
from .model import (Connection, Host, Instance, Model, ModelFit, Multiaddr, NetworkInterface, NodeMemory, Placement,
                    Preview, ProbedNode, Shard)
from .probe import probe_node
from .topology import Topology, parse_multiaddr

__version__ = "0.2.0"


def library_version() -> str:
    """The version of the libexoplace actually loaded, "MAJOR.MINOR.PATCH"."""
    return _lib.lib().exoplace_version().decode()


__all__ = [
    "ExoplaceError", "InputError", "LibraryLoadError", "PlacementError", "ProbeError",
    "cycles", "distribute_layers", "fit_layers", "get_placement", "model_fit", "place", "previews", "probe_local", "probe_node",
    "Connection", "Host", "Instance", "Model", "ModelFit", "Multiaddr", "NetworkInterface", "NodeMemory", "Placement",
    "Preview", "ProbedNode", "Shard",
    "Topology", "parse_multiaddr", "library_version", "__version__", "exo",
]
