"""The object layer: a cluster topology built in code, placed on through the C API.

A Topology owns one ``exoplace_topology``. Building it (add_*) and reading it
(placement, cycles, ...) follow the library's thread rule: any number of
readers at once, a writer alone. The handle is freed by close() (or the
``with`` block, or the garbage collector as a last resort); a close() while
another thread is inside a call waits for that call to finish before the C
handle goes away.
"""
from __future__ import annotations

import ctypes
import json
import threading
from contextlib import contextmanager
from ctypes import byref, c_char_p, c_int, c_size_t, c_uint8, c_uint32, c_void_p
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from . import _lib
from ._lib import SIZE_MAX, UINT32_MAX, UINT64_MAX, integer_argument, raise_for_status, take_owned_string, text_argument
from .errors import InputError
from .model import Connection, Host, Instance, Model, ModelFit, Multiaddr, NodeMemory, Placement, Preview, Shard

_ADDRESS_KINDS = ("ip4", "ip6", "dns")  # exoplace_address_kind has no name function


def _decode_id(raw: bytes) -> str:
    # Ids from Python are UTF-8; surrogateescape keeps any other bytes round-trippable.
    return raw.decode("utf-8", "surrogateescape")


def memory_from_c(memory: _lib.NodeMemory) -> NodeMemory:
    """Copies a filled exoplace_node_memory into a NodeMemory."""
    level = memory.pressure_level
    return NodeMemory(ram_total=memory.ram_total, ram_available=memory.ram_available,
                      swap_total=memory.swap_total, swap_available=memory.swap_available,
                      pressure_level=_lib.enum_name("pressure_level", level) if level else None,
                      free_percent=memory.free_percent if memory.free_percent >= 0 else None)


def _c_model(model: Model) -> _lib.Model:
    """The exoplace_model for `model`. It borrows model_id's bytes, which the
    returned Structure keeps alive (ctypes holds the object a c_char_p field
    was set from)."""
    if not isinstance(model, Model):
        raise TypeError(f"model: expected exoplace.Model, got {type(model).__name__}")
    c_model = _lib.Model()
    _lib.lib().exoplace_model_init(byref(c_model))
    c_model.model_id = text_argument(model.model_id, "model.model_id")
    c_model.storage_size = integer_argument(model.storage_size, "model.storage_size", 0, UINT64_MAX)
    c_model.n_layers = integer_argument(model.n_layers, "model.n_layers", 0, UINT32_MAX)
    if model.hidden_size is not None:
        # 0 is how C says "not stated", so a stated 0 must be refused here.
        c_model.hidden_size = integer_argument(model.hidden_size, "model.hidden_size", 1, UINT32_MAX)
    if model.supports_tensor is not None:
        c_model.supports_tensor = 1 if model.supports_tensor else 0
    c_model.kv_cache_bytes_per_layer = integer_argument(model.kv_cache_bytes_per_layer,
                                                        "model.kv_cache_bytes_per_layer", 0, UINT64_MAX)
    if model.num_key_value_heads is not None:
        # 0 is C's null, so a stated 0 must be refused here.
        c_model.num_key_value_heads = integer_argument(model.num_key_value_heads, "model.num_key_value_heads", 1,
                                                       UINT32_MAX)
    if model.base_model:
        c_model.base_model = text_argument(model.base_model, "model.base_model")
    c_model.uses_cfg = 1 if model.uses_cfg else 0
    # ctypes keeps the arrays (and the card's bytes) alive with the Structure.
    if model.backends:
        c_model.backends = _enum_array("backend", model.backends, "model.backends")
        c_model.n_backends = len(model.backends)
    if model.tasks:
        c_model.tasks = _enum_array("task", model.tasks, "model.tasks")
        c_model.n_tasks = len(model.tasks)
    if model.card_json is not None:
        c_model.card_json = text_argument(model.card_json, "model.card_json")
    return c_model


def _enum_array(kind: str, names: Sequence[str], field: str) -> ctypes.Array:
    """A C array of enum values; InputError naming field[i] for an unknown name."""
    return (c_int * len(names))(*(_lib.enum_value(kind, name, f"{field}[{i}]") for i, name in enumerate(names)))


def _memory_struct(ram_total: int, ram_available: int, swap_total: int, swap_available: int,
                   pressure_level: Optional[str], free_percent: Optional[int]) -> _lib.NodeMemory:
    """The exoplace_node_memory of a profile given as keyword arguments."""
    memory = _lib.NodeMemory()
    _lib.lib().exoplace_node_memory_init(byref(memory))
    memory.ram_total = integer_argument(ram_total, "ram_total", 0, UINT64_MAX)
    memory.ram_available = integer_argument(ram_available, "ram_available", 0, UINT64_MAX)
    memory.swap_total = integer_argument(swap_total, "swap_total", 0, UINT64_MAX)
    memory.swap_available = integer_argument(swap_available, "swap_available", 0, UINT64_MAX)
    if pressure_level is not None:
        memory.pressure_level = _lib.enum_value("pressure_level", pressure_level, "pressure_level")
    if free_percent is not None:
        # The library checks 0..100; this only keeps ctypes from wrapping.
        memory.free_percent = integer_argument(free_percent, "memory.free_percent", 0, 100)
    return memory


def _place_options(*, sharding: str = "Pipeline", instance_meta: str = "MlxRing", min_nodes: int = 1,
                   strategy: str = "largest-remainder", memory_tier: str = "available",
                   no_fallback: bool = False, allow_swap: bool = False,
                   max_search_steps: int = 0, rules: str = "seed", required_nodes: Optional[Iterable[str]] = None,
                   random_seed: Optional[int] = None, reserve_bytes: int = 0) -> _lib.PlaceOptions:
    """The exoplace_place_options of the keyword arguments; the required node
    ids' array and bytes stay alive with the returned Structure."""
    options = _lib.PlaceOptions()
    _lib.lib().exoplace_place_options_init(byref(options))
    options.sharding = _lib.enum_value("sharding", sharding, "sharding")
    options.instance_meta = _lib.enum_value("instance_meta", instance_meta, "instance_meta")
    options.min_nodes = integer_argument(min_nodes, "min_nodes", 0, UINT32_MAX)
    options.strategy = _lib.enum_value("layer_strategy", strategy, "strategy")
    options.memory_tier = _lib.enum_value("memory_tier", memory_tier, "memory_tier")
    options.no_fallback = 1 if no_fallback else 0
    options.allow_swap = 1 if allow_swap else 0
    options.max_search_steps = integer_argument(max_search_steps, "max_search_steps", 0, UINT64_MAX)
    options.reserve_bytes = integer_argument(reserve_bytes, "reserve_bytes", 0, UINT64_MAX)
    options.rules = _lib.enum_value("rules", rules, "rules")
    if required_nodes is not None:
        if isinstance(required_nodes, (str, bytes)):
            raise TypeError("required_nodes: expected an iterable of node ids, got a string")
        ids = [text_argument(node_id, f"required_nodes[{i}]") for i, node_id in enumerate(required_nodes)]
        if ids:
            options.required_node_ids = (c_char_p * len(ids))(*ids)
            options.n_required_node_ids = len(ids)
    if random_seed is not None:
        options.use_random_seed = 1
        options.random_seed = integer_argument(random_seed, "random_seed", 0, UINT64_MAX)
    return options


_INSTANCE_KINDS = {"MlxRing": "MlxRingInstance", "MlxJaccl": "MlxJacclInstance"}


def _text(raw: Optional[bytes]) -> Optional[str]:
    return None if raw is None else raw.decode("utf-8", "surrogateescape")


def _instance(c_placement: _lib.Placement, c_model: _lib.Model) -> Instance:
    """Copies an exo-main placement's exoplace_instance, and exo's JSON of it
    (exoplace_placement_write_json), into an Instance."""
    cdll = _lib.lib()
    c_instance = c_placement.instance
    n = c_instance.n_nodes
    kind = _lib.enum_name("instance_meta", c_instance.kind)
    hosts_by_node = devices = coordinators = None
    err = _lib.Error()
    if kind == "MlxRing":
        host = _lib.Host()
        rows = []
        for rank in range(n):
            row = []
            for idx in range(n):
                raise_for_status(cdll.exoplace_instance_ring_host(byref(host), byref(c_instance), rank, idx,
                                                                  byref(err)), err)
                row.append(Host(ip=_text(host.ip), port=host.port))
            rows.append(tuple(row))
        hosts_by_node = tuple(rows)
    else:
        devices = tuple(tuple(_text(c_instance.jaccl_devices[i * n + j]) for j in range(n)) for i in range(n))
        coordinators = tuple(_text(c_instance.jaccl_coordinators[i]) for i in range(n))
    out = c_void_p()
    status = cdll.exoplace_placement_write_json(byref(out), byref(c_placement), byref(c_model), byref(err))
    response = take_owned_string(out)
    raise_for_status(status, err)
    return Instance(kind=_INSTANCE_KINDS[kind], instance_id=c_instance.instance_id.decode("ascii"),
                    runner_ids=tuple(c_instance.runner_ids[i].value.decode("ascii") for i in range(n)),
                    ephemeral_port=c_instance.ephemeral_port, hosts_by_node=hosts_by_node,
                    jaccl_devices=devices, jaccl_coordinators=coordinators,
                    exo_json=json.loads(response)["instance"])


def _placement(c_placement: _lib.Placement, model_id: str, c_model: _lib.Model,
               explanation: Optional[Dict[str, Any]] = None) -> Placement:
    """Copies a filled exoplace_placement into Python objects (exo-main: with
    its instance)."""
    shards = tuple(
        Shard(node_id=_decode_id(shard.node_id), device_rank=shard.device_rank, world_size=shard.world_size,
              start_layer=shard.start_layer, end_layer=shard.end_layer, n_layers=shard.n_layers,
              memory_delta=shard.memory_delta, kind=_lib.enum_name("shard_kind", shard.kind),
              cfg_rank=shard.cfg_rank, cfg_world_size=shard.cfg_world_size, pipeline_rank=shard.pipeline_rank,
              pipeline_world_size=shard.pipeline_world_size)
        for shard in c_placement.shards[:c_placement.n_nodes])
    rules = _lib.enum_name("rules", c_placement.rules)
    return Placement(model_id=model_id,
                     sharding=_lib.enum_name("sharding", c_placement.sharding),
                     instance_meta=_lib.enum_name("instance_meta", c_placement.instance_meta),
                     memory_tier=_lib.enum_name("memory_tier", c_placement.memory_tier),
                     is_low_memory=bool(c_placement.is_low_memory),
                     nodes=tuple(shard.node_id for shard in shards),
                     shards=shards, rules=rules,
                     instance=_instance(c_placement, c_model) if rules == "exo-main" else None,
                     explanation=explanation)


def _explanation_dict(explanation: _lib.Explanation) -> Dict[str, Any]:
    """A filled exoplace_explanation as the dict its JSON writer gives (exact
    128-bit amounts). Its node ids are borrowed from the topology: call with
    the handle held; the caller disposes the struct."""
    out = c_void_p()
    err = _lib.Error()
    status = _lib.lib().exoplace_explanation_write_json(byref(out), byref(explanation), byref(err))
    text = take_owned_string(out)
    raise_for_status(status, err)
    return json.loads(text)


def _explanation(handle: c_void_p, c_model: _lib.Model, options: _lib.PlaceOptions) -> Dict[str, Any]:
    """exoplace_explain() as a dict; the struct is disposed on every path."""
    cdll = _lib.lib()
    explanation = _lib.Explanation()
    err = _lib.Error()
    try:
        raise_for_status(cdll.exoplace_explain(byref(explanation), handle, byref(c_model), byref(options),
                                               byref(err)), err)
        return _explanation_dict(explanation)
    finally:
        cdll.exoplace_explanation_dispose(byref(explanation))


def _profile(profile: bool, ram_total: int, ram_available: int, swap_total: int, swap_available: int,
             pressure_level: Optional[str], free_percent: Optional[int]) -> Optional[_lib.NodeMemory]:
    """The profile of add_node() / set_node_memory(), None for profile=False."""
    if profile:
        return _memory_struct(ram_total, ram_available, swap_total, swap_available, pressure_level, free_percent)
    if (ram_total, ram_available, swap_total, swap_available, pressure_level, free_percent) != (
            0, 0, 0, 0, None, None):
        raise InputError("invalid_argument", "profile: a node without a profile takes no memory figures", "profile")
    return None


class Topology:
    """A cluster: nodes with memory profiles and directed connections.

    Example::

        with Topology() as cluster:
            cluster.add_node("a", ram_total=64 << 30, ram_available=48 << 30)
            placement = cluster.get_placement(Model("m", 30 << 30, 32))
    """

    def __init__(self) -> None:
        """Creates an empty topology (exoplace_topology_new)."""
        self._cond = threading.Condition()
        self._readers = 0
        self._writers_waiting = 0
        self._closed = True
        self._handle = c_void_p()
        cdll = _lib.lib()
        # Held so that __del__ can still free at interpreter exit, when the
        # module's globals may already be gone.
        self._free_function = cdll.exoplace_topology_free
        err = _lib.Error()
        raise_for_status(cdll.exoplace_topology_new(byref(self._handle), byref(err)), err)
        self._closed = False

    # ---- lifetime -----------------------------------------------------------

    def close(self) -> None:
        """Frees the C topology. Calls running in other threads finish first;
        later calls raise ValueError. Closing twice is harmless."""
        with self._cond:
            if self._closed:
                return
            self._closed = True
            if self._readers == 0:
                self._free()

    @property
    def closed(self) -> bool:
        """True once close() has been called."""
        return self._closed

    def __enter__(self) -> "Topology":
        """The topology itself; the ``with`` block closes it."""
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Closes the topology."""
        self.close()

    def __del__(self) -> None:
        # A running call holds a reference to self, so nothing reads the
        # handle any more once the object is collected.
        handle = getattr(self, "_handle", None)
        if handle is not None and handle.value and not self._closed:
            self._closed = True
            self._free()

    def _free(self) -> None:
        self._free_function(self._handle)
        self._handle.value = None

    @contextmanager
    def _reading(self) -> Iterator[c_void_p]:
        """The handle, held open for the duration of a read-only call."""
        with self._cond:
            # Writers go first, or a steady stream of readers would starve them.
            self._cond.wait_for(lambda: self._writers_waiting == 0 or self._closed)
            if self._closed:
                raise ValueError("the topology is closed")
            self._readers += 1
        try:
            yield self._handle
        finally:
            with self._cond:
                self._readers -= 1
                if self._readers == 0:
                    if self._closed:
                        self._free()
                    self._cond.notify_all()

    @contextmanager
    def _writing(self) -> Iterator[c_void_p]:
        """The handle, for one modifying call while no read runs."""
        with self._cond:
            self._writers_waiting += 1
            try:
                self._cond.wait_for(lambda: self._readers == 0 or self._closed)
            finally:
                self._writers_waiting -= 1
            try:
                if self._closed:
                    raise ValueError("the topology is closed")
                yield self._handle
            finally:
                self._cond.notify_all()

    # ---- building -----------------------------------------------------------

    def add_node(self, node_id: str, *, ram_total: int = 0, ram_available: int = 0, swap_total: int = 0,
                 swap_available: int = 0, pressure_level: Optional[str] = None,
                 free_percent: Optional[int] = None, profile: bool = True) -> None:
        """Adds a node.

        Args:
            node_id: non-empty, unique, at most EXOPLACE_MAX_ID_BYTES bytes of UTF-8.
            ram_total, ram_available, swap_total, swap_available: bytes, 0 .. 2**64-1.
            pressure_level: None (unreported), "normal", "warn" or "critical".
            free_percent: None (unreported) or 0..100.
            profile: False adds a node without a profile, which is never placed on
                (then no memory figures may be given).

        Raises:
            InputError: an empty, too long or duplicate id (code "duplicate_node"),
                a value out of range; the message names the field.
        """
        raw_id = text_argument(node_id, "node_id")
        memory = _profile(profile, ram_total, ram_available, swap_total, swap_available, pressure_level, free_percent)
        err = _lib.Error()
        with self._writing() as handle:
            status = _lib.lib().exoplace_topology_add_node(handle, raw_id, byref(memory) if memory else None,
                                                           byref(err))
        raise_for_status(status, err)

    def set_node_memory(self, node_id: str, *, ram_total: int = 0, ram_available: int = 0, swap_total: int = 0,
                        swap_available: int = 0, pressure_level: Optional[str] = None,
                        free_percent: Optional[int] = None, profile: bool = True) -> None:
        """Sets the memory profile of an existing node, or with profile=False
        removes it: exo's nodeMemory entry, which comes apart from the node
        (a node without one is never placed on). Arguments as add_node().

        Raises:
            InputError: no such node (code "unknown_node"), a value out of range.
        """
        raw_id = text_argument(node_id, "node_id")
        memory = _profile(profile, ram_total, ram_available, swap_total, swap_available, pressure_level, free_percent)
        err = _lib.Error()
        with self._writing() as handle:
            status = _lib.lib().exoplace_topology_set_node_memory(handle, raw_id, byref(memory) if memory else None,
                                                                  byref(err))
        raise_for_status(status, err)

    def add_interface(self, node_id: str, name: str, ip_address: str, interface_type: str = "unknown") -> None:
        """Adds a network interface to a node, after the ones it has.

        interface_type is exo's: wifi, ethernet, maybe_ethernet, thunderbolt
        or unknown.

        Raises:
            InputError: unknown node (code "unknown_node"), unknown type, text too long.
        """
        args = (text_argument(node_id, "node_id"), text_argument(name, "name"),
                text_argument(ip_address, "ip_address"),
                _lib.enum_value("interface_type", interface_type, "interface_type"))
        err = _lib.Error()
        with self._writing() as handle:
            status = _lib.lib().exoplace_topology_add_interface(handle, *args, byref(err))
        raise_for_status(status, err)

    def add_connection(self, source_node_id: str, sink_node_id: str, multiaddr: str) -> None:
        """Adds the directed socket connection source_node_id -> sink_node_id at `multiaddr`.

        An endpoint that is not a node yet is added without a profile (as exo
        does); an identical connection counts once. A multiaddr on 169.254.x.x
        is thunderbolt (rule set seed).

        Raises:
            InputError: an empty id, a multiaddr the library refuses (the
                message says which part is wrong).
        """
        args = (text_argument(source_node_id, "source_node_id"), text_argument(sink_node_id, "sink_node_id"),
                text_argument(multiaddr, "multiaddr"))
        err = _lib.Error()
        with self._writing() as handle:
            status = _lib.lib().exoplace_topology_add_connection(handle, *args, byref(err))
        raise_for_status(status, err)

    def add_rdma_connection(self, source_node_id: str, sink_node_id: str, source_iface: str,
                            sink_iface: str) -> None:
        """Adds the directed RDMA connection source_node_id -> sink_node_id
        between the two RDMA interfaces (exo's sourceRdmaIface / sinkRdmaIface).

        Raises:
            InputError: an empty id, text too long.
        """
        args = (text_argument(source_node_id, "source_node_id"), text_argument(sink_node_id, "sink_node_id"),
                text_argument(source_iface, "source_iface"), text_argument(sink_iface, "sink_iface"))
        err = _lib.Error()
        with self._writing() as handle:
            status = _lib.lib().exoplace_topology_add_rdma_connection(handle, *args, byref(err))
        raise_for_status(status, err)

    def set_backends(self, node_id: str, backends: Sequence[str]) -> None:
        """Sets the backends a node supports (exo's nodeBackends: MlxMetal,
        MlxCpu, MlxCuda, Vllm); a node never set supports none.

        Raises:
            InputError: unknown node, unknown backend.
        """
        if isinstance(backends, str):
            raise TypeError("backends: expected a sequence of backend names, got str")
        mask = 0
        for name in backends:
            mask |= 1 << _lib.enum_value("backend", name, "backends")
        args = (text_argument(node_id, "node_id"), mask)
        err = _lib.Error()
        with self._writing() as handle:
            status = _lib.lib().exoplace_topology_set_node_backends(handle, *args, byref(err))
        raise_for_status(status, err)

    def set_rdma_ctl(self, node_id: str, enabled: bool) -> None:
        """Sets whether RDMA control is enabled on a node (exo's nodeRdmaCtl).

        Raises:
            InputError: unknown node.
        """
        if not isinstance(enabled, bool):
            raise TypeError(f"enabled: expected bool, got {type(enabled).__name__}")
        err = _lib.Error()
        with self._writing() as handle:
            status = _lib.lib().exoplace_topology_set_node_rdma_ctl(handle, text_argument(node_id, "node_id"),
                                                                   int(enabled), byref(err))
        raise_for_status(status, err)

    def add_download(self, node_id: str, model_id: str, kind: str = "DownloadCompleted", *,
                     downloaded_bytes: int = 0, total_bytes: int = 0) -> None:
        """Appends a download entry to a node (exo's downloads): kind is
        DownloadCompleted, DownloadOngoing, DownloadPending or DownloadFailed;
        the node's first entry for a model decides its download fraction.

        Raises:
            InputError: unknown node, unknown kind, empty model id, byte counts out of range.
        """
        download = _lib.Download()
        _lib.lib().exoplace_download_init(byref(download))
        download.model_id = text_argument(model_id, "model_id")
        download.kind = _lib.enum_value("download_kind", kind, "kind")
        download.downloaded_bytes = integer_argument(downloaded_bytes, "downloaded_bytes", 0, _lib.UINT64_MAX)
        download.total_bytes = integer_argument(total_bytes, "total_bytes", 0, _lib.UINT64_MAX)
        err = _lib.Error()
        with self._writing() as handle:
            status = _lib.lib().exoplace_topology_add_download(handle, text_argument(node_id, "node_id"),
                                                              byref(download), byref(err))
        raise_for_status(status, err)

    # ---- reading ------------------------------------------------------------

    @property
    def node_ids(self) -> List[str]:
        """Node ids in the order they were added (unknown endpoints included)."""
        with self._reading() as handle:
            return self._node_ids(handle)

    @staticmethod
    def _node_ids(handle: c_void_p) -> List[str]:
        cdll = _lib.lib()
        return [_decode_id(cdll.exoplace_topology_node_id(handle, i))
                for i in range(cdll.exoplace_topology_node_count(handle))]

    def __len__(self) -> int:
        """The number of nodes."""
        with self._reading() as handle:
            return _lib.lib().exoplace_topology_node_count(handle)

    def __contains__(self, node_id: object) -> bool:
        """Whether a node with this id exists."""
        if not isinstance(node_id, str) or "\0" in node_id:
            return False
        index = c_size_t()
        with self._reading() as handle:
            return _lib.lib().exoplace_topology_find_node(byref(index), handle, node_id.encode("utf-8"),
                                                          None) == _lib.STATUS_OK

    @property
    def connection_count(self) -> int:
        """The number of distinct connections."""
        with self._reading() as handle:
            return _lib.lib().exoplace_topology_connection_count(handle)

    @property
    def connections(self) -> List[Connection]:
        """Every distinct connection, of both kinds, in the order they were added."""
        cdll = _lib.lib()
        info = _lib.ConnectionInfo()
        err = _lib.Error()
        with self._reading() as handle:
            ids = self._node_ids(handle)
            found = []
            for index in range(cdll.exoplace_topology_connection_count(handle)):
                raise_for_status(cdll.exoplace_topology_connection(byref(info), handle, index, byref(err)), err)
                found.append(Connection(source=ids[info.source], sink=ids[info.sink],
                                        kind=_lib.enum_name("connection_kind", info.kind),
                                        multiaddr=_text(info.multiaddr), source_iface=_text(info.source_iface),
                                        sink_iface=_text(info.sink_iface)))
        return found

    def node_backends(self, node_id: str) -> Tuple[str, ...]:
        """The backends set for a node (set_backends()), in exo's enum order;
        () when never set.

        Raises:
            InputError: no such node.
        """
        with self._reading() as handle:
            mask = _lib.lib().exoplace_topology_node_backends(handle, self._index(handle, node_id))
        return tuple(name for bit, name in enumerate(_lib.enum_names("backend")) if mask >> bit & 1)

    def node_rdma_ctl(self, node_id: str) -> bool:
        """Whether RDMA control is enabled on a node (set_rdma_ctl()).

        Raises:
            InputError: no such node.
        """
        with self._reading() as handle:
            return bool(_lib.lib().exoplace_topology_node_rdma_ctl(handle, self._index(handle, node_id)))

    @staticmethod
    def _index(handle: c_void_p, node_id: str) -> int:
        index = c_size_t()
        err = _lib.Error()
        status = _lib.lib().exoplace_topology_find_node(byref(index), handle, text_argument(node_id, "node_id"),
                                                        byref(err))
        raise_for_status(status, err)
        return index.value

    def node_memory(self, node_id: str) -> Optional[NodeMemory]:
        """The node's memory profile, None for a node without a profile.

        Raises:
            InputError: no such node (code "unknown_node").
        """
        memory = _lib.NodeMemory()
        with self._reading() as handle:
            if not _lib.lib().exoplace_topology_node_memory(byref(memory), handle, self._index(handle, node_id)):
                return None
        return memory_from_c(memory)

    def is_leaf(self, node_id: str, rules: str = "seed") -> bool:
        """Whether the node is a leaf: exactly one distinct successor (rules
        "seed") or at most one ("exo-main").

        Raises:
            InputError: no such node, unknown rule set.
        """
        rules_value = _lib.enum_value("rules", rules, "rules")
        with self._reading() as handle:
            return bool(_lib.lib().exoplace_topology_node_is_leaf(handle, self._index(handle, node_id), rules_value))

    def cycles(self, *, min_bytes: Optional[int] = None, use_total_memory: bool = False,
               max_cycles: int = 0) -> List[List[str]]:
        """Every simple directed cycle plus every node as a singleton, in
        canonical order (each rotated to start at its smallest id; by length,
        then by ids).

        Args:
            min_bytes: when given, only cycles whose nodes all have a profile
                and whose summed metric is at least min_bytes (the memory filter).
            use_total_memory: with min_bytes, the metric is ram_total instead of
                ram_available.
            max_cycles: stop with InputError (code "too_many_cycles") past this
                many; 0 means EXOPLACE_DEFAULT_MAX_CYCLES.
        """
        max_cycles = integer_argument(max_cycles, "max_cycles", 0, SIZE_MAX)
        if min_bytes is not None:
            min_bytes = integer_argument(min_bytes, "min_bytes", 0, UINT64_MAX)
        cdll = _lib.lib()
        err = _lib.Error()
        count, node_total = c_size_t(), c_size_t()
        starts = nodes = None
        with self._reading() as handle:
            # First the sizes (capacities 0), then the lists.
            status = cdll.exoplace_cycle_list(byref(count), byref(node_total), None, 0, None, 0, handle,
                                               max_cycles, byref(err))
            if status == _lib.STATUS_BUFFER_TOO_SMALL:
                starts = (c_size_t * (count.value + 1))()
                nodes = (c_size_t * max(node_total.value, 1))()
                err = _lib.Error()
                status = cdll.exoplace_cycle_list(byref(count), byref(node_total), starts, len(starts), nodes,
                                                   len(nodes), handle, max_cycles, byref(err))
            raise_for_status(status, err)
            if count.value == 0:
                return []
            keep = (c_uint8 * count.value)()
            if min_bytes is None:
                ctypes.memset(keep, 1, count.value)
            else:
                tier = _lib.enum_value("memory_tier", "total" if use_total_memory else "available", "tier")
                status = cdll.exoplace_cycle_list_filter_by_memory(keep, handle, starts, nodes, count.value, min_bytes,
                                                                   tier, byref(err))
                raise_for_status(status, err)
            ids = self._node_ids(handle)
        return [[ids[nodes[i]] for i in range(starts[c], starts[c + 1])] for c in range(count.value) if keep[c]]

    def is_thunderbolt_cycle(self, cycle: Sequence[str]) -> bool:
        """Whether every ordered pair of the cycle's nodes that has a connection
        has a thunderbolt one (a singleton always is).

        Raises:
            InputError: an unknown node, an empty cycle.
        """
        cdll = _lib.lib()
        result = c_int()
        err = _lib.Error()
        with self._reading() as handle:
            indexes = (c_size_t * len(cycle))(*(self._index(handle, node_id) for node_id in cycle))
            status = cdll.exoplace_cycle_is_thunderbolt(byref(result), handle, indexes, len(cycle), byref(err))
        raise_for_status(status, err)
        return bool(result.value)

    # ---- placing ------------------------------------------------------------

    def place_model(self, model: Model, *, sharding: str = "Pipeline", instance_meta: str = "MlxRing",
                    min_nodes: int = 1, strategy: str = "largest-remainder", memory_tier: str = "available",
                    max_search_steps: int = 0, rules: str = "seed", required_nodes: Optional[Iterable[str]] = None,
                    random_seed: Optional[int] = None, reserve_bytes: int = 0) -> Placement:
        """One placement attempt in one memory tier (exo's place; no fallback).

        Args:
            model: the model.
            sharding: "Pipeline" or "Tensor".
            instance_meta: "MlxRing" or "MlxJaccl".
            min_nodes: the smallest ring to consider (at least 1).
            strategy: the seed rule set's pipeline layer split,
                "largest-remainder", "exo" or "fit" (the smallest ring whose
                nodes hold the model's layers, with KV cache and reserve, and
                a split that overfills none).
            memory_tier: "available", "pressure", "total" (exo's
                allow_low_memory) or "swap".
            max_search_steps: the search's work bound; 0 for the default.
            rules: "seed" (placement.md) or "exo-main" (exo main's placement,
                which also makes the Placement's instance).
            required_nodes: only cycles containing every one of these node
                ids (exo's node_ids).
            random_seed: exo-main: draw the instance id, runner ids and port
                from this seed instead of fresh randomness.
            reserve_bytes: with strategy "fit", bytes left free on every node.

        Returns:
            The Placement; in a memory_tier other than "available" it is
            low memory and carries .explanation (see explain()).

        Raises:
            PlacementError: cannot be placed; .code is e.g. "insufficient_memory",
                str() is exo's message, .explanation the dict of explain()
                (None for "search_limit").
            InputError: a bad argument, naming it.
        """
        options = _place_options(sharding=sharding, instance_meta=instance_meta, min_nodes=min_nodes,
                                 strategy=strategy, memory_tier=memory_tier, max_search_steps=max_search_steps,
                                 rules=rules, required_nodes=required_nodes, random_seed=random_seed,
                                 reserve_bytes=reserve_bytes)
        options.no_fallback = 1  # exoplace_place()'s one attempt
        return self._run_placement(model, options)

    def get_placement(self, model: Model, *, sharding: str = "Pipeline", instance_meta: str = "MlxRing",
                      min_nodes: int = 1, strategy: str = "largest-remainder", memory_tier: str = "available",
                      no_fallback: bool = False, allow_swap: bool = False, max_search_steps: int = 0,
                      rules: str = "seed", required_nodes: Optional[Iterable[str]] = None,
                      random_seed: Optional[int] = None, reserve_bytes: int = 0) -> Placement:
        """get_placement: the memory tiers in ladder order from `memory_tier`
        (available, pressure when a node reports it, total, swap only with
        allow_swap) until one places; the first attempt's error otherwise.

        Args:
            no_fallback: one attempt only (exo-main: exo main's attempt exactly).
            allow_swap: the ladder may reach the swap tier.
            Others: as place_model().

        Returns:
            The Placement; one from a tier below available (is_low_memory)
            carries .explanation, the dict of explain() for the same
            arguments.

        Raises:
            PlacementError: no tier places it; the strict attempt's error,
                with .explanation (None for "search_limit").
            InputError: a bad argument, naming it.
        """
        options = _place_options(sharding=sharding, instance_meta=instance_meta, min_nodes=min_nodes,
                                 strategy=strategy, memory_tier=memory_tier, no_fallback=no_fallback,
                                 allow_swap=allow_swap, max_search_steps=max_search_steps, rules=rules,
                                 required_nodes=required_nodes, random_seed=random_seed,
                                 reserve_bytes=reserve_bytes)
        return self._run_placement(model, options)

    def explain(self, model: Model, *, sharding: str = "Pipeline", instance_meta: str = "MlxRing",
                min_nodes: int = 1, strategy: str = "largest-remainder", memory_tier: str = "available",
                no_fallback: bool = False, allow_swap: bool = False, max_search_steps: int = 0,
                rules: str = "seed", required_nodes: Optional[Iterable[str]] = None,
                random_seed: Optional[int] = None, reserve_bytes: int = 0) -> Dict[str, Any]:
        """Why the model does not fit, or needs a tier below available
        (exoplace_explain): the memory tiers in ladder order from
        `memory_tier` (pressure only when a node reports it, then total and
        swap, whatever no_fallback and allow_swap say), up to the first that
        places. Nothing is placed and nothing raises for a model that does
        not fit: that is what it explains.

        Arguments as get_placement().

        Returns:
            The dict of docs/json.md "Explanations": "rules", "sharding",
            "min_nodes", "unit" ("bytes", or "layers" with strategy "fit",
            then also "layer_cost" and "reserve_bytes"), "placed",
            "placing_tier" (None when no tier places), "tiers" and
            "rules_applied". Each tier has "tier", "code", "error", "need",
            "cluster_sum", "cluster_nodes",
            "complete", "candidate" (None, or {"sum", "nodes": [{"node_id",
            "metric", "metric_bytes", "share", "shortfall",
            "shortfall_bytes"}, ...]}) and "gap" (need - candidate sum when
            positive, else 0). Amounts are exact ints (they may pass 2**64).

        Raises:
            InputError: a bad argument, naming it (the checks of
                get_placement()).
        """
        options = _place_options(sharding=sharding, instance_meta=instance_meta, min_nodes=min_nodes,
                                 strategy=strategy, memory_tier=memory_tier, no_fallback=no_fallback,
                                 allow_swap=allow_swap, max_search_steps=max_search_steps, rules=rules,
                                 required_nodes=required_nodes, random_seed=random_seed,
                                 reserve_bytes=reserve_bytes)
        c_model = _c_model(model)
        with self._reading() as handle:
            return _explanation(handle, c_model, options)

    def place_manual(self, model: Model, ring: Sequence[Tuple[str, int]], *, instance_meta: str = "MlxRing",
                     memory_tier: str = "available", reserve_bytes: int = 0) -> Placement:
        """A manual split: the ring in rank order with each node's layer count,
        checked (exoplace_place_manual).

        Args:
            model: the model; its kv_cache_bytes_per_layer counts.
            ring: (node_id, layers) pairs in rank order; each node connected to
                the next and the last to the first; the layers sum to
                model.n_layers, at least 1 each.
            instance_meta: "MlxRing" or "MlxJaccl" (one node is MlxRing).
            memory_tier: the tier whose memory each node must hold its layers in.
            reserve_bytes: bytes left free on every node.

        Raises:
            PlacementError: code "node_insufficient_memory", the message
                naming the first node short and by how many bytes; .field
                is "layer_counts[i]".
            InputError: not a ring of the topology, unknown or repeated
                ids, counts that do not add up, a bad argument.
        """
        ring = list(ring)
        if any(not isinstance(item, tuple) or len(item) != 2 for item in ring):
            raise TypeError("ring: expected (node_id, layers) pairs")
        ids = [text_argument(node_id, f"node_ids[{i}]") for i, (node_id, _) in enumerate(ring)]
        c_ids = (c_char_p * max(len(ring), 1))(*ids)
        c_counts = (c_uint32 * max(len(ring), 1))(*(integer_argument(layers, f"layer_counts[{i}]", 0, UINT32_MAX)
                                                    for i, (_, layers) in enumerate(ring)))
        options = _place_options(instance_meta=instance_meta, memory_tier=memory_tier, reserve_bytes=reserve_bytes)
        c_model = _c_model(model)
        c_placement = _lib.Placement()
        err = _lib.Error()
        try:
            with self._reading() as handle:
                status = _lib.lib().exoplace_place_manual(byref(c_placement), handle, byref(c_model), c_ids,
                                                          c_counts, len(ring), byref(options), byref(err))
                raise_for_status(status, err)
                return _placement(c_placement, model.model_id, c_model)
        finally:
            _lib.lib().exoplace_placement_dispose(byref(c_placement))

    def _run_placement(self, model: Model, options: _lib.PlaceOptions) -> Placement:
        """exoplace_get_placement_explained(): the placement, with its
        explanation where the JSON responses have one (a low-memory
        placement, a placement failure but search_limit)."""
        c_model = _c_model(model)
        c_placement = _lib.Placement()
        c_explanation = _lib.Explanation()
        err = _lib.Error()
        cdll = _lib.lib()
        try:
            with self._reading() as handle:
                status = cdll.exoplace_get_placement_explained(byref(c_placement), byref(c_explanation), handle,
                                                               byref(c_model), byref(options), byref(err))
                explanation = _explanation_dict(c_explanation) if c_explanation.tiers else None
                raise_for_status(status, err, explanation)
                # Shard node ids (and jaccl devices) are borrowed from the
                # topology: copy them while the handle is held.
                return _placement(c_placement, model.model_id, c_model, explanation)
        finally:
            cdll.exoplace_explanation_dispose(byref(c_explanation))
            cdll.exoplace_placement_dispose(byref(c_placement))

    def previews(self, model: Model, *, strategy: str = "largest-remainder", memory_tier: str = "available",
                 no_fallback: bool = False, allow_swap: bool = False, max_search_steps: int = 0,
                 rules: str = "seed", required_nodes: Optional[Iterable[str]] = None,
                 random_seed: Optional[int] = None, reserve_bytes: int = 0) -> List[Preview]:
        """get_placement_previews: every sharding x instance_meta x min_nodes
        combination, de-duplicated on (sharding, instance_meta, node count),
        errors of one (sharding, instance_meta) counting as one. Error
        previews carry the strict error; nothing raises for them. Arguments
        as get_placement(); exo-main placements carry their instance, each
        drawn from the one random stream.

        Raises:
            InputError: a bad argument.
        """
        options = _place_options(strategy=strategy, memory_tier=memory_tier, no_fallback=no_fallback,
                                 allow_swap=allow_swap, max_search_steps=max_search_steps, rules=rules,
                                 required_nodes=required_nodes, random_seed=random_seed,
                                 reserve_bytes=reserve_bytes)
        c_model = _c_model(model)
        cdll = _lib.lib()
        c_list = c_void_p()
        err = _lib.Error()
        try:
            with self._reading() as handle:
                status = cdll.exoplace_preview_list_new(byref(c_list), handle, byref(c_model), byref(options),
                                                    byref(err))
                raise_for_status(status, err)
                return [self._preview(cdll.exoplace_preview_list_get(c_list, i).contents, model.model_id, c_model)
                        for i in range(cdll.exoplace_preview_list_count(c_list))]
        finally:
            cdll.exoplace_preview_list_free(c_list)

    @staticmethod
    def _preview(c_preview: _lib.Preview, model_id: str, c_model: _lib.Model) -> Preview:
        common = dict(model_id=model_id, sharding=_lib.enum_name("sharding", c_preview.sharding),
                      instance_meta=_lib.enum_name("instance_meta", c_preview.instance_meta),
                      min_nodes=c_preview.min_nodes)
        if c_preview.status == _lib.STATUS_OK:
            return Preview(placement=_placement(c_preview.placement, model_id, c_model), **common)
        return Preview(error_code=_lib.status_name(c_preview.status),
                       error=c_preview.error.message.decode("utf-8", "replace"), **common)

    def model_fit(self, storage_size: int) -> ModelFit:
        """Whether a model of storage_size bytes fits the summed memory of the
        nodes with a profile (available: will_fit; total: can_fit)."""
        storage_size = integer_argument(storage_size, "storage_size", 0, UINT64_MAX)
        fit = _lib.ModelFit()
        err = _lib.Error()
        with self._reading() as handle:
            status = _lib.lib().exoplace_model_fit_check(byref(fit), handle, storage_size, byref(err))
        raise_for_status(status, err)
        return ModelFit(will_fit=bool(fit.will_fit), can_fit=bool(fit.can_fit))

    def order_models(self, models: Sequence[Model]) -> List[Model]:
        """A model list in display order: can-fit first, then will-fit, then
        larger models first, then model id (byte-wise)."""
        # The array copies the structs; the list keeps their model_id bytes alive.
        keep_alive = [_c_model(model) for model in models]
        c_models = (_lib.Model * len(models))(*keep_alive)
        order = (c_size_t * len(models))()
        err = _lib.Error()
        with self._reading() as handle:
            status = _lib.lib().exoplace_models_order(order, handle, c_models, len(models), byref(err))
        raise_for_status(status, err)
        return [models[i] for i in order]


def parse_multiaddr(text: str) -> Multiaddr:
    """Parses /ip4/A.B.C.D/tcp/PORT, /ip6/ADDR/tcp/PORT or /dns/NAME/tcp/PORT.

    Raises:
        InputError: the message says which part is wrong.
    """
    parsed = _lib.Multiaddr()
    err = _lib.Error()
    status = _lib.lib().exoplace_multiaddr_parse(byref(parsed), text_argument(text, "multiaddr"), byref(err))
    raise_for_status(status, err)
    return Multiaddr(kind=_ADDRESS_KINDS[parsed.kind], host=parsed.host.decode("utf-8", "surrogateescape"),
                     port=parsed.port if parsed.has_port else None, is_thunderbolt=bool(parsed.is_thunderbolt))

