"""Loading libexoplace and describing its C API to ctypes.

Everything that knows the C layout lives here: the Structures mirroring the
header's structs, one table of (C name, argtypes, restype) registered when the
library loads, the enum names read from the library itself, and the one place
where a status plus an ``exoplace_error`` becomes a Python exception.

The library is looked up in this order:

1. ``EXOPLACE_LIBRARY``, a path to the shared library. When it is set it is
   the only place tried: a typo there must not silently load some other copy.
2. The build directory of the checkout this package sits in
   (``<repo>/build/lib/libexoplace.so.*``, the newest first).
3. Where ``meson install`` put the library, when meson installed this package:
   the module ``exoplace._installed`` generated at configure time names it.
4. ``ctypes.util.find_library("exoplace")`` (the loader's search path, e.g. a
   library installed by scripts/install after ldconfig).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
import threading
from ctypes import (POINTER, Structure, c_char, c_char_p, c_double, c_int, c_int32, c_size_t, c_uint8,
                    c_uint16, c_uint32, c_uint64, c_void_p)
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from .errors import InputError, LibraryLoadError, PlacementError, ProbeError

#: The ABI this package was written against. While the major version is 0 a
#: minor release may change the ABI (exoplace.h), so both must match.
ABI_VERSION = (0, 2)

UINT32_MAX = 2**32 - 1
UINT64_MAX = 2**64 - 1
SIZE_MAX = 2**(8 * ctypes.sizeof(c_size_t)) - 1

# exoplace_status values the bindings act on; the names come from the library.
STATUS_OK = 0
STATUS_NO_MEMORY = 2
STATUS_BUFFER_TOO_SMALL = 7
STATUS_SEARCH_LIMIT = 13
STATUS_PROBE = 14

ERROR_MESSAGE_BYTES = 512
ERROR_FIELD_BYTES = 256
MULTIADDR_HOST_BYTES = 256

# ---------------------------------------------------------------------------
# Structures: field for field the structs of exoplace.h. C enums are int.


class Error(Structure):
    """exoplace_error: the status, exo's or the library's text, the field path."""

    _fields_ = [
        ("code", c_int),
        ("message", c_char * ERROR_MESSAGE_BYTES),
        ("field", c_char * ERROR_FIELD_BYTES),
    ]


class NodeMemory(Structure):
    """exoplace_node_memory."""

    _fields_ = [
        ("ram_total", c_uint64),
        ("ram_available", c_uint64),
        ("swap_total", c_uint64),
        ("swap_available", c_uint64),
        ("pressure_level", c_int),
        ("free_percent", c_int32),
    ]


class Download(Structure):
    """exoplace_download."""

    _fields_ = [
        ("struct_size", c_uint32),
        ("model_id", c_char_p),
        ("kind", c_int),
        ("downloaded_bytes", c_uint64),
        ("total_bytes", c_uint64),
    ]


class ConnectionInfo(Structure):
    """exoplace_connection_info."""

    _fields_ = [
        ("source", c_size_t),
        ("sink", c_size_t),
        ("kind", c_int),
        ("multiaddr", c_char_p),
        ("source_iface", c_char_p),
        ("sink_iface", c_char_p),
    ]


class Multiaddr(Structure):
    """exoplace_multiaddr."""

    _fields_ = [
        ("kind", c_int),
        ("host", c_char * MULTIADDR_HOST_BYTES),
        ("has_port", c_int),
        ("port", c_uint16),
        ("is_thunderbolt", c_int),
    ]


class Model(Structure):
    """exoplace_model; model_id is borrowed for the duration of one call."""

    _fields_ = [
        ("struct_size", c_uint32),
        ("model_id", c_char_p),
        ("storage_size", c_uint64),
        ("n_layers", c_uint32),
        ("hidden_size", c_uint32),
        ("supports_tensor", c_int),
        ("num_key_value_heads", c_uint32),
        ("base_model", c_char_p),
        ("uses_cfg", c_int),
        ("backends", POINTER(c_int)),
        ("n_backends", c_size_t),
        ("tasks", POINTER(c_int)),
        ("n_tasks", c_size_t),
        ("card_json", c_char_p),
        ("kv_cache_bytes_per_layer", c_uint64),
    ]


class PlaceOptions(Structure):
    """exoplace_place_options; fill with exoplace_place_options_init."""

    _fields_ = [
        ("struct_size", c_uint32),
        ("sharding", c_int),
        ("instance_meta", c_int),
        ("min_nodes", c_uint32),
        ("strategy", c_int),
        ("memory_tier", c_int),
        ("no_fallback", c_int),
        ("allow_swap", c_int),
        ("max_search_steps", c_uint64),
        ("rules", c_int),
        ("required_node_ids", POINTER(c_char_p)),
        ("n_required_node_ids", c_size_t),
        ("random_bytes", c_void_p),
        ("random_ctx", c_void_p),
        ("use_random_seed", c_int),
        ("random_seed", c_uint64),
        ("reserve_bytes", c_uint64),
    ]


class Shard(Structure):
    """exoplace_shard; node_id is borrowed from the topology (read-only here)."""

    _fields_ = [
        ("node_id", c_char_p),
        ("node_index", c_size_t),
        ("device_rank", c_uint32),
        ("world_size", c_uint32),
        ("start_layer", c_uint32),
        ("end_layer", c_uint32),
        ("n_layers", c_uint32),
        ("memory_delta", c_uint64),
        ("kind", c_int),
        ("cfg_rank", c_uint32),
        ("cfg_world_size", c_uint32),
        ("pipeline_rank", c_uint32),
        ("pipeline_world_size", c_uint32),
    ]


UUID_TEXT_BYTES = 37


class Host(Structure):
    """exoplace_host; ip is borrowed from the instance."""

    _fields_ = [("ip", c_char_p), ("port", c_uint16)]


class Instance(Structure):
    """exoplace_instance, owned by its exoplace_placement."""

    _fields_ = [
        ("kind", c_int),
        ("instance_id", c_char * UUID_TEXT_BYTES),
        ("n_nodes", c_size_t),
        ("runner_ids", POINTER(c_char * UUID_TEXT_BYTES)),
        ("ephemeral_port", c_uint16),
        ("ring_prev", POINTER(Host)),
        ("ring_next", POINTER(Host)),
        ("jaccl_devices", POINTER(c_char_p)),
        ("jaccl_coordinators", POINTER(c_char_p)),
        ("text", c_void_p),
    ]


class Placement(Structure):
    """exoplace_placement; released with exoplace_placement_dispose."""

    _fields_ = [
        ("rules", c_int),
        ("sharding", c_int),
        ("instance_meta", c_int),
        ("memory_tier", c_int),
        ("is_low_memory", c_int),
        ("n_nodes", c_size_t),
        ("shards", POINTER(Shard)),
        ("instance", Instance),
    ]


class Preview(Structure):
    """exoplace_preview, borrowed from an exoplace_preview_list."""

    _fields_ = [
        ("rules", c_int),
        ("sharding", c_int),
        ("instance_meta", c_int),
        ("min_nodes", c_uint32),
        ("status", c_int),
        ("error", Error),
        ("placement", Placement),
    ]


class ModelFit(Structure):
    """exoplace_model_fit."""

    _fields_ = [("will_fit", c_int), ("can_fit", c_int)]


class JsonOptions(Structure):
    """exoplace_json_options; fill with exoplace_json_options_init."""

    _fields_ = [
        ("struct_size", c_uint32),
        ("strategy", c_int),
        ("no_fallback", c_int),
        ("allow_swap", c_int),
        ("max_search_steps", c_uint64),
        ("use_random_seed", c_int),
        ("random_seed", c_uint64),
    ]


class CycleFilter(Structure):
    """exoplace_cycle_filter; fill with exoplace_cycle_filter_init."""

    _fields_ = [
        ("struct_size", c_uint32),
        ("max_cycles", c_size_t),
        ("by_memory", c_int),
        ("min_bytes", c_uint64),
        ("tier", c_int),
    ]


class Request(Structure):
    """exoplace_request, owned by the library (exoplace_request_free)."""

    _fields_ = [
        ("struct_size", c_uint32),
        ("rules", c_int),
        ("topology", c_void_p),
        ("has_topology", c_int),
        ("model", POINTER(Model)),
        ("models", POINTER(Model)),
        ("n_models", c_size_t),
        ("options", PlaceOptions),
    ]


class ProbeOptions(Structure):
    """exoplace_probe_options; fill with exoplace_probe_options_init."""

    _fields_ = [
        ("struct_size", c_uint32),
        ("proc_root", c_char_p),
        ("node_id", c_char_p),
        ("warn_some_avg10", c_double),
        ("critical_some_avg10", c_double),
        ("critical_full_avg10", c_double),
    ]


class ProbeInterface(Structure):
    """exoplace_probe_interface: strings owned by the result."""

    _fields_ = [("name", c_char_p), ("ip_address", c_char_p)]


class ProbeResult(Structure):
    """exoplace_probe_result; filled by exoplace_probe_node, freed by exoplace_probe_result_dispose."""

    _fields_ = [
        ("node_id", c_char_p),
        ("memory", NodeMemory),
        ("interfaces", POINTER(ProbeInterface)),
        ("n_interfaces", c_size_t),
    ]


class Amount(Structure):
    """exoplace_amount: an unsigned 128-bit amount, hi * 2**64 + lo."""

    _fields_ = [("hi", c_uint64), ("lo", c_uint64)]


class ExplainedNode(Structure):
    """exoplace_explained_node; node_id is borrowed from the topology."""

    _fields_ = [
        ("node_id", c_char_p),
        ("node_index", c_size_t),
        ("metric", Amount),
        ("metric_bytes", Amount),
        ("share", Amount),
        ("shortfall", Amount),
        ("shortfall_bytes", Amount),
    ]


class ExplainedTier(Structure):
    """exoplace_explained_tier, owned by its exoplace_explanation."""

    _fields_ = [
        ("tier", c_int),
        ("status", c_int),
        ("error", Error),
        ("by_layers", c_int),
        ("need", Amount),
        ("cluster_sum", Amount),
        ("n_cluster_nodes", c_size_t),
        ("complete", c_int),
        ("n_candidate", c_size_t),
        ("candidate", POINTER(ExplainedNode)),
        ("candidate_sum", Amount),
        ("gap", Amount),
    ]


class ExplainedRule(Structure):
    """exoplace_explained_rule."""

    _fields_ = [
        ("status", c_int),
        ("first_length", c_uint32),
        ("last_length", c_uint32),
        ("message", c_char * ERROR_MESSAGE_BYTES),
    ]


class Explanation(Structure):
    """exoplace_explanation; filled by exoplace_explain, released with
    exoplace_explanation_dispose. The bindings read it through
    exoplace_explanation_write_json, whose integers are exact."""

    _fields_ = [
        ("rules", c_int),
        ("sharding", c_int),
        ("min_nodes", c_uint32),
        ("layer_cost", Amount),
        ("reserve_bytes", c_uint64),
        ("placed", c_int),
        ("placing_tier", c_int),
        ("n_tiers", c_size_t),
        ("tiers", POINTER(ExplainedTier)),
        ("n_rules", c_size_t),
        ("rules_applied", POINTER(ExplainedRule)),
    ]


#: Every Structure above with its C name, for layout checks.
STRUCTURES: Dict[str, type] = {
    "exoplace_error": Error,
    "exoplace_node_memory": NodeMemory,
    "exoplace_multiaddr": Multiaddr,
    "exoplace_model": Model,
    "exoplace_place_options": PlaceOptions,
    "exoplace_shard": Shard,
    "exoplace_host": Host,
    "exoplace_instance": Instance,
    "exoplace_placement": Placement,
    "exoplace_preview": Preview,
    "exoplace_model_fit": ModelFit,
    "exoplace_json_options": JsonOptions,
    "exoplace_cycle_filter": CycleFilter,
    "exoplace_request": Request,
    "exoplace_download": Download,
    "exoplace_connection_info": ConnectionInfo,
    "exoplace_probe_options": ProbeOptions,
    "exoplace_probe_interface": ProbeInterface,
    "exoplace_probe_result": ProbeResult,
    "exoplace_amount": Amount,
    "exoplace_explained_node": ExplainedNode,
    "exoplace_explained_tier": ExplainedTier,
    "exoplace_explained_rule": ExplainedRule,
    "exoplace_explanation": Explanation,
}

# ---------------------------------------------------------------------------
# The one table: every function of exoplace.h.

_status = c_int  # exoplace_status
_topology_p = c_void_p  # exoplace_topology * (opaque)
_preview_list_p = c_void_p  # exoplace_preview_list * (opaque)
_error_p = POINTER(Error)
# `char **out` of the functions whose string the caller frees: the pointer
# stays a plain address (c_void_p) so that it can go back to exoplace_free.
_owned_string_out = POINTER(c_void_p)
_json_entry = ([_owned_string_out, c_char_p, c_size_t, POINTER(JsonOptions), _error_p], _status)

FUNCTIONS: List[Tuple[str, list, object]] = [
    # Version and status
    ("exoplace_version", [], c_char_p),
    ("exoplace_status_name", [_status], c_char_p),
    ("exoplace_status_str", [_status], c_char_p),
    ("exoplace_status_is_placement_failure", [_status], c_int),
    # Enumeration names (static strings, NULL for unknown values)
    ("exoplace_sharding_name", [c_int], c_char_p),
    ("exoplace_instance_meta_name", [c_int], c_char_p),
    ("exoplace_memory_tier_name", [c_int], c_char_p),
    ("exoplace_pressure_level_name", [c_int], c_char_p),
    ("exoplace_layer_strategy_name", [c_int], c_char_p),
    ("exoplace_rules_name", [c_int], c_char_p),
    ("exoplace_interface_type_name", [c_int], c_char_p),
    ("exoplace_backend_name", [c_int], c_char_p),
    ("exoplace_task_name", [c_int], c_char_p),
    ("exoplace_download_kind_name", [c_int], c_char_p),
    ("exoplace_connection_kind_name", [c_int], c_char_p),
    ("exoplace_shard_kind_name", [c_int], c_char_p),
    # Topology
    ("exoplace_node_memory_init", [POINTER(NodeMemory)], None),
    ("exoplace_topology_new", [POINTER(_topology_p), _error_p], _status),
    ("exoplace_topology_free", [_topology_p], None),
    ("exoplace_topology_add_node", [_topology_p, c_char_p, POINTER(NodeMemory), _error_p], _status),
    ("exoplace_topology_add_interface", [_topology_p, c_char_p, c_char_p, c_char_p, c_int, _error_p], _status),
    ("exoplace_topology_add_connection", [_topology_p, c_char_p, c_char_p, c_char_p, _error_p], _status),
    ("exoplace_topology_add_rdma_connection", [_topology_p, c_char_p, c_char_p, c_char_p, c_char_p, _error_p],
     _status),
    ("exoplace_topology_set_node_memory", [_topology_p, c_char_p, POINTER(NodeMemory), _error_p], _status),
    ("exoplace_topology_set_node_backends", [_topology_p, c_char_p, c_uint32, _error_p], _status),
    ("exoplace_topology_set_node_rdma_ctl", [_topology_p, c_char_p, c_int, _error_p], _status),
    ("exoplace_download_init", [POINTER(Download)], None),
    ("exoplace_topology_add_download", [_topology_p, c_char_p, POINTER(Download), _error_p], _status),
    ("exoplace_topology_connection", [POINTER(ConnectionInfo), _topology_p, c_size_t, _error_p], _status),
    ("exoplace_topology_node_backends", [_topology_p, c_size_t], c_uint32),
    ("exoplace_topology_node_rdma_ctl", [_topology_p, c_size_t], c_int),
    ("exoplace_topology_node_count", [_topology_p], c_size_t),
    ("exoplace_topology_connection_count", [_topology_p], c_size_t),
    ("exoplace_topology_node_id", [_topology_p, c_size_t], c_char_p),
    ("exoplace_topology_find_node", [POINTER(c_size_t), _topology_p, c_char_p, _error_p], _status),
    ("exoplace_topology_node_memory", [POINTER(NodeMemory), _topology_p, c_size_t], c_int),
    ("exoplace_topology_node_is_leaf", [_topology_p, c_size_t, c_int], c_int),
    ("exoplace_multiaddr_parse", [POINTER(Multiaddr), c_char_p, _error_p], _status),
    # Pure functions
    ("exoplace_cycle_list",
     [POINTER(c_size_t), POINTER(c_size_t), POINTER(c_size_t), c_size_t, POINTER(c_size_t), c_size_t,
      _topology_p, c_size_t, _error_p], _status),
    ("exoplace_cycle_is_thunderbolt", [POINTER(c_int), _topology_p, POINTER(c_size_t), c_size_t, _error_p],
     _status),
    ("exoplace_cycle_list_filter_by_memory",
     [POINTER(c_uint8), _topology_p, POINTER(c_size_t), POINTER(c_size_t), c_size_t, c_uint64, c_int, _error_p],
     _status),
    ("exoplace_cycle_list_smallest", [POINTER(c_uint8), POINTER(c_size_t), c_size_t, POINTER(c_uint8), _error_p],
     _status),
    ("exoplace_layers_distribute",
     [POINTER(c_uint32), POINTER(c_uint64), c_size_t, c_uint32, c_int, _error_p], _status),
    ("exoplace_layers_fit",
     [POINTER(c_uint32), POINTER(c_uint64), c_size_t, c_uint32, c_uint64, _error_p], _status),
    # Placement
    ("exoplace_model_init", [POINTER(Model)], None),
    ("exoplace_place_options_init", [POINTER(PlaceOptions)], None),
    ("exoplace_placement_dispose", [POINTER(Placement)], None),
    ("exoplace_instance_ring_host", [POINTER(Host), POINTER(Instance), c_size_t, c_size_t, _error_p], _status),
    ("exoplace_place",
     [POINTER(Placement), _topology_p, POINTER(Model), POINTER(PlaceOptions), _error_p], _status),
    ("exoplace_get_placement",
     [POINTER(Placement), _topology_p, POINTER(Model), POINTER(PlaceOptions), _error_p], _status),
    ("exoplace_place_manual",
     [POINTER(Placement), _topology_p, POINTER(Model), POINTER(c_char_p), POINTER(c_uint32), c_size_t,
      POINTER(PlaceOptions), _error_p], _status),
    # Explanations
    ("exoplace_explain",
     [POINTER(Explanation), _topology_p, POINTER(Model), POINTER(PlaceOptions), _error_p], _status),
    ("exoplace_status_is_explained", [_status], c_int),
    ("exoplace_get_placement_explained",
     [POINTER(Placement), POINTER(Explanation), _topology_p, POINTER(Model), POINTER(PlaceOptions), _error_p],
     _status),
    ("exoplace_explanation_dispose", [POINTER(Explanation)], None),
    # Previews and model lists
    ("exoplace_preview_list_new",
     [POINTER(_preview_list_p), _topology_p, POINTER(Model), POINTER(PlaceOptions), _error_p], _status),
    ("exoplace_preview_list_free", [_preview_list_p], None),
    ("exoplace_preview_list_count", [_preview_list_p], c_size_t),
    ("exoplace_preview_list_get", [_preview_list_p, c_size_t], POINTER(Preview)),
    ("exoplace_model_fit_check", [POINTER(ModelFit), _topology_p, c_uint64, _error_p], _status),
    ("exoplace_models_order", [POINTER(c_size_t), _topology_p, POINTER(Model), c_size_t, _error_p], _status),
    # JSON boundary
    ("exoplace_json_options_init", [POINTER(JsonOptions)], None),
    ("exoplace_get_placement_json", *_json_entry),
    ("exoplace_place_json", *_json_entry),
    ("exoplace_previews_json", *_json_entry),
    ("exoplace_cycle_filter_init", [POINTER(CycleFilter)], None),
    ("exoplace_request_parse", [POINTER(POINTER(Request)), c_char_p, c_size_t, POINTER(JsonOptions), _error_p],
     _status),
    ("exoplace_request_parse_catalogue", [POINTER(POINTER(Request)), c_char_p, c_size_t, c_int, _error_p],
     _status),
    ("exoplace_request_free", [POINTER(Request)], None),
    ("exoplace_placement_write_json", [_owned_string_out, POINTER(Placement), POINTER(Model), _error_p], _status),
    ("exoplace_failure_write_json", [_owned_string_out, _error_p, c_int, _error_p], _status),
    ("exoplace_explanation_write_json", [_owned_string_out, POINTER(Explanation), _error_p], _status),
    ("exoplace_placement_explained_write_json",
     [_owned_string_out, POINTER(Placement), POINTER(Model), POINTER(Explanation), _error_p], _status),
    ("exoplace_failure_explained_write_json", [_owned_string_out, _error_p, c_int, POINTER(Explanation), _error_p],
     _status),
    ("exoplace_preview_lists_write_json",
     [_owned_string_out, POINTER(_preview_list_p), POINTER(Model), c_size_t, _error_p], _status),
    ("exoplace_cycle_list_write_json",
     [_owned_string_out, _topology_p, POINTER(c_size_t), POINTER(c_size_t), c_size_t, POINTER(c_uint8), _error_p],
     _status),
    ("exoplace_layers_write_json", [_owned_string_out, POINTER(c_uint32), c_size_t, _error_p], _status),
    ("exoplace_model_fit_write_json",
     [_owned_string_out, _topology_p, POINTER(Model), POINTER(c_size_t), c_size_t, _error_p], _status),
    ("exoplace_cycles_json", [_owned_string_out, c_char_p, c_size_t, POINTER(CycleFilter), _error_p], _status),
    ("exoplace_layers_json", *_json_entry),
    ("exoplace_model_fit_json", *_json_entry),
    ("exoplace_free", [c_void_p], None),
    # Local memory probe
    ("exoplace_probe_options_init", [POINTER(ProbeOptions)], None),
    ("exoplace_probe_memory", [POINTER(NodeMemory), POINTER(ProbeOptions), _error_p], _status),
    ("exoplace_probe_node", [POINTER(ProbeResult), POINTER(ProbeOptions), _error_p], _status),
    ("exoplace_probe_result_dispose", [POINTER(ProbeResult)], None),
    ("exoplace_probe_result_json", [_owned_string_out, POINTER(ProbeResult), _error_p], _status),
    ("exoplace_probe_local", [_owned_string_out, POINTER(ProbeOptions), _error_p], _status),
]

# ---------------------------------------------------------------------------
# Finding and loading the library.

# File names of the shared library in a build directory, as patterns: the
# version in the file names is meson.build's, spelled out nowhere else.
_SHARED_PATTERNS = {
    "darwin": ("libexoplace.*.dylib", "libexoplace.dylib"),
    "win32": ("exoplace.dll", "libexoplace.dll"),
}.get(sys.platform, ("libexoplace.so.*", "libexoplace.so"))

# How candidate_paths() names a place where there was nothing to load.
_NOTHING_THERE = " (found nothing)"


def checkout_root() -> Optional[Path]:
    """The libexoplace checkout this package sits in, or None when installed elsewhere."""
    root = Path(__file__).resolve().parents[3]
    if (root / "include" / "exoplace.h").is_file() and (root / "meson.build").is_file():
        return root
    return None


def build_directory_libraries(directory: Path) -> List[str]:
    """The shared libraries in a build directory, the most recently built
    first: a rebuild with another version leaves the old files behind."""
    found = {path for pattern in _SHARED_PATTERNS for path in directory.glob(pattern) if path.is_file()}
    return [str(path) for path in sorted(found, key=lambda path: (-path.stat().st_mtime, len(path.name), path.name))]


def installed_library() -> Optional[str]:
    """The library meson installed with this package (exoplace/_installed.py),
    or None for a checkout or a pip install."""
    try:
        from . import _installed
    except ImportError:
        return None
    return _installed.LIBRARY


def candidate_paths() -> List[str]:
    """Where load_library() looks, in order (see the module docstring). A place
    with nothing to load ends in " (found nothing)"."""
    explicit = os.environ.get("EXOPLACE_LIBRARY")
    if explicit:
        # Absolute, so that the message says where it looked.
        return [os.path.abspath(explicit)]
    candidates: List[str] = []
    root = checkout_root()
    if root is not None:
        build_lib = root / "build" / "lib"
        candidates += build_directory_libraries(build_lib) or [str(build_lib / _SHARED_PATTERNS[0]) + _NOTHING_THERE]
    installed = installed_library()
    if installed is not None:
        candidates.append(installed)
    found = ctypes.util.find_library("exoplace")
    candidates.append(found if found else "find_library('exoplace')" + _NOTHING_THERE)
    return candidates


def _register(cdll: ctypes.CDLL) -> None:
    for name, argtypes, restype in FUNCTIONS:
        function = getattr(cdll, name)
        function.argtypes = argtypes
        function.restype = restype


def abi_mismatch(cdll: ctypes.CDLL) -> Optional[str]:
    """Why a loaded library does not fit these bindings (version, option struct
    sizes), or None when it does."""
    version = cdll.exoplace_version().decode()
    if tuple(int(part) for part in version.split(".")[:2]) != ABI_VERSION:
        return f"it is libexoplace {version}; these bindings need {ABI_VERSION[0]}.{ABI_VERSION[1]}.x"
    for structure, init in ((PlaceOptions, cdll.exoplace_place_options_init),
                            (JsonOptions, cdll.exoplace_json_options_init),
                            (CycleFilter, cdll.exoplace_cycle_filter_init),
                            (Model, cdll.exoplace_model_init),
                            (Download, cdll.exoplace_download_init),
                            (ProbeOptions, cdll.exoplace_probe_options_init)):
        options = structure()
        init(ctypes.byref(options))
        if options.struct_size != ctypes.sizeof(structure):
            return (f"its {structure.__name__} is {options.struct_size} bytes, "
                    f"{ctypes.sizeof(structure)} in these bindings")
    return None


def load_library() -> ctypes.CDLL:
    """Loads libexoplace from the first place that works and registers the table.

    Raises:
        LibraryLoadError: no place worked; the message names each place
            tried and why it failed (missing, not loadable, other ABI).
    """
    failures = []
    for path in candidate_paths():
        if path.endswith(_NOTHING_THERE):
            failures.append(path)
            continue
        try:
            cdll = ctypes.CDLL(path)
            _register(cdll)
        except (OSError, AttributeError) as exc:
            failures.append(f"{path}: {exc}")
            continue
        mismatch = abi_mismatch(cdll)
        if mismatch is None:
            return cdll
        failures.append(f"{path}: {mismatch}")
    raise LibraryLoadError("cannot load libexoplace; tried:\n  " + "\n  ".join(failures) +
                               "\nSet EXOPLACE_LIBRARY to the path of libexoplace.so.")


_loaded: Optional[ctypes.CDLL] = None
_load_lock = threading.Lock()


def lib() -> ctypes.CDLL:
    """The loaded library (loaded on first use, once, whatever the number of threads)."""
    global _loaded
    if _loaded is None:
        with _load_lock:
            if _loaded is None:
                _loaded = load_library()
    return _loaded


# ---------------------------------------------------------------------------
# Names of enum values, read from the library so that there is one table.


def _names(name_function: str) -> Tuple[str, ...]:
    function = getattr(lib(), name_function)
    names = []
    while True:
        name = function(len(names))
        if name is None:
            return tuple(names)
        names.append(name.decode())


_enum_cache: Dict[str, Tuple[str, ...]] = {}


def enum_names(kind: str) -> Tuple[str, ...]:
    """Names of an enum in value order: kind is an enumeration of exoplace.h
    whose values are 0, 1, 2, ... (rules, sharding, instance_meta, memory_tier,
    pressure_level, layer_strategy, interface_type, backend, task,
    download_kind, connection_kind, shard_kind)."""
    names = _enum_cache.get(kind)
    if names is None:
        names = _enum_cache[kind] = _names(f"exoplace_{kind}_name")
    return names


def enum_value(kind: str, name: object, field: str) -> int:
    """The C value of an enum name; InputError naming `field` when unknown."""
    names = enum_names(kind)
    if isinstance(name, str) and name in names:
        return names.index(name)
    expected = ", ".join(names)
    raise InputError("invalid_argument", f"{field}: unknown value {name!r} (expected one of {expected})", field)


def enum_name(kind: str, value: int) -> str:
    """The name of a C enum value."""
    return enum_names(kind)[value]


# ---------------------------------------------------------------------------
# Statuses to exceptions.


def status_name(status: int) -> str:
    """exoplace_status_name(): the stable code, e.g. "insufficient_memory"."""
    return lib().exoplace_status_name(status).decode()


def is_explained_failure(status: int) -> bool:
    """Whether a failed placement carries an explanation: a placement failure
    but search_limit, which an explanation's own searches would hit again
    (the rule of the JSON responses, docs/json.md "Explanations")."""
    return bool(lib().exoplace_status_is_explained(status))


def raise_for_status(status: int, err: Error, explanation: Optional[Dict[str, Any]] = None) -> None:
    """Raises the exception for a failed call; returns for EXOPLACE_OK.

    Placement failures become PlacementError (exo's text, and `explanation`
    as its .explanation), out of memory MemoryError, a failed probe
    ProbeError, everything else (bad input, limits) InputError, a ValueError
    whose message names the field.
    """
    if status == STATUS_OK:
        return
    cdll = lib()
    code = status_name(status)
    message = err.message.decode("utf-8", "replace") or cdll.exoplace_status_str(status).decode()
    field = err.field.decode("utf-8", "replace")
    if cdll.exoplace_status_is_placement_failure(status):
        raise PlacementError(code, message, field, explanation)
    if status == STATUS_NO_MEMORY:
        raise MemoryError(message)
    if status == STATUS_PROBE:
        raise ProbeError(code, message, field)
    # The library keeps the field apart from its text; an InputError's message names it first.
    raise InputError(code, f"{field}: {message}" if field else message, field)


def utf8_text(value: str, field: str) -> bytes:
    """A str as UTF-8; InputError naming `field` for text that has none (lone surrogates)."""
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InputError("invalid_argument", f"{field}: not valid Unicode text ({exc.reason} at {exc.start})",
                         field) from None


def text_argument(value: object, field: str) -> bytes:
    """A Python str as the NUL-terminated UTF-8 a `const char *` takes."""
    if not isinstance(value, str):
        raise TypeError(f"{field}: expected str, got {type(value).__name__}")
    if "\0" in value:
        raise InputError("invalid_argument", f"{field}: contains a NUL character", field)
    return utf8_text(value, field)


def integer_argument(value: object, field: str, low: int, high: int) -> int:
    """An int within [low, high] for a C integer; InputError naming `field` otherwise."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{field}: expected int, got {type(value).__name__}")
    if not low <= value <= high:
        raise InputError("invalid_argument", f"{field}: {value} is outside {low}..{high}", field)
    return value


def take_owned_string(pointer: c_void_p) -> Optional[str]:
    """Copies a library-owned `char *` into a str and frees it with exoplace_free."""
    if not pointer.value:
        return None
    try:
        return ctypes.string_at(pointer.value).decode("utf-8")
    finally:
        lib().exoplace_free(pointer)
        pointer.value = None
