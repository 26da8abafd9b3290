"""Plain data: the model to place and the results of placing it.

Results are copied out of C memory when a call returns, so they stay valid
after the topology that produced them is closed.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Optional, Tuple


@dataclass(frozen=True)
class Model:
    """A model to place, as exo describes it.

    Attributes:
        model_id: non-empty id, e.g. "mlx-community/Llama-3.2-3B-Instruct-4bit".
        storage_size: bytes the weights take (0 .. 2**64-1).
        n_layers: number of layers (at least 1).
        hidden_size: when stated, a tensor placement needs a node count that
            divides it; None when not stated.
        supports_tensor: False forbids tensor sharding; None when not stated.
        kv_cache_bytes_per_layer: bytes one layer's KV cache takes at the
            context the model runs with (0 .. 2**64-1, 0 when not known).
            Read by the "fit" strategy and Topology.place_manual(): a layer
            then costs ceil(storage_size / n_layers) + this.
    """

    model_id: str
    storage_size: int
    n_layers: int
    hidden_size: Optional[int] = None
    supports_tensor: Optional[bool] = None
    kv_cache_bytes_per_layer: int = 0

    def __post_init__(self) -> None:
        # A wrong type would otherwise be read by truth value ("no" is true).
        _expect_type("model_id", self.model_id, str)
        for name in ("storage_size", "n_layers", "kv_cache_bytes_per_layer"):
            _expect_type(name, getattr(self, name), int)
        if self.hidden_size is not None:
            _expect_type("hidden_size", self.hidden_size, int)
        if self.supports_tensor is not None and not isinstance(self.supports_tensor, bool):
            raise TypeError(f"supports_tensor: expected bool or None, got {type(self.supports_tensor).__name__}")

    def as_json(self) -> Dict[str, Any]:
        """The model in exo's wire format (json.md), for a JSON request."""
        model: Dict[str, Any] = {
            "modelId": self.model_id,
            "storageSize": {"inBytes": self.storage_size},
            "nLayers": self.n_layers,
        }
        if self.hidden_size is not None:
            model["hiddenSize"] = self.hidden_size
        if self.supports_tensor is not None:
            model["supportsTensor"] = self.supports_tensor
        if self.kv_cache_bytes_per_layer:
            model["kvCacheBytesPerLayer"] = self.kv_cache_bytes_per_layer
        return model


def _expect_type(name: str, value: object, kind: type) -> None:
    if isinstance(value, bool) or not isinstance(value, kind):
        raise TypeError(f"{name}: expected {kind.__name__}, got {type(value).__name__}")


@dataclass(frozen=True)
class Shard:
    """One node's share of a placement.

    Attributes:
        node_id: the node.
        device_rank: position in the ring (0-based).
        world_size: number of nodes in the ring.
        start_layer: first layer, inclusive.
        end_layer: last layer, exclusive (tensor sharding: every layer).
        n_layers: the model's layer count.
        memory_delta: bytes of the model this node holds: storage_size split
            evenly over the nodes ordered by id, the first storage_size % n
            nodes one byte more.
    """

    node_id: str
    device_rank: int
    world_size: int
    start_layer: int
    end_layer: int
    n_layers: int
    memory_delta: int


@dataclass(frozen=True)
class Placement:
    """Where a model runs.

    Attributes:
        model_id: the model placed.
        sharding: "Pipeline" or "Tensor".
        instance_meta: "MlxRing" or "MlxJaccl" (a one-node MlxJaccl request is MlxRing).
        memory_tier: the tier whose metric placed it: "available", "pressure",
            "total" or "swap".
        is_low_memory: True for every tier but "available".
        nodes: the selected ring, in rank order.
        shards: one per node, in the same order.
    """

    model_id: str
    sharding: str
    instance_meta: str
    memory_tier: str
    is_low_memory: bool
    nodes: Tuple[str, ...]
    shards: Tuple[Shard, ...]

    @property
    def memory_delta_by_node(self) -> Dict[str, int]:
        """Bytes per node, keyed in node id order (exo's memory_delta_by_node)."""
        return {shard.node_id: shard.memory_delta for shard in sorted(self.shards, key=_id_bytes)}


def _id_bytes(shard: Shard) -> bytes:
    # The library orders ids byte-wise (strcmp); Python's str order differs
    # from it only for surrogate-escaped bytes, so compare the bytes.
    return shard.node_id.encode("utf-8", "surrogateescape")


@dataclass(frozen=True)
class Preview:
    """One preview: a (sharding, instance_meta, node count) combination and its
    placement, or the reason there is none.

    Attributes:
        model_id: the model.
        sharding: "Pipeline" or "Tensor" of the loop that produced it.
        instance_meta: of the loop, even when the placement fell back to MlxRing.
        min_nodes: the min_nodes of the loop that produced it.
        placement: the placement, None for an error preview.
        error_code: None, or the stable code of the (strict) failure.
        error: None, or exo's text of the (strict) failure.
    """

    model_id: str
    sharding: str
    instance_meta: str
    min_nodes: int
    placement: Optional[Placement] = None
    error_code: Optional[str] = None
    error: Optional[str] = None

    @property
    def ok(self) -> bool:
        """True when the preview has a placement."""
        return self.placement is not None

    @property
    def is_low_memory(self) -> bool:
        """True when only a fallback tier placed it."""
        return self.placement is not None and self.placement.is_low_memory


@dataclass(frozen=True)
class ModelFit:
    """Whether a model fits the cluster's summed memory.

    Attributes:
        will_fit: storage_size <= the sum of ram_available over nodes with a profile.
        can_fit: storage_size <= the sum of ram_total over nodes with a profile.
    """

    will_fit: bool
    can_fit: bool

    @property
    def fit(self) -> str:
        """The JSON model list's word for it: "fits", "low_memory" or "does_not_fit"."""
        return "fits" if self.will_fit else "low_memory" if self.can_fit else "does_not_fit"


@dataclass(frozen=True)
class NodeMemory:
    """A node's memory profile as the topology holds it (bytes).

    Attributes:
        pressure_level: None when unreported, else "normal", "warn" or "critical".
        free_percent: None when unreported, else 0..100.
    """

    ram_total: int
    ram_available: int
    swap_total: int = 0
    swap_available: int = 0
    pressure_level: Optional[str] = None
    free_percent: Optional[int] = None


@dataclass(frozen=True)
class Multiaddr:
    """A parsed multiaddr (/ip4/.../tcp/PORT, /ip6/..., /dns/...).

    Attributes:
        kind: "ip4", "ip6" or "dns".
        host: the address or name text as written.
        port: the port, None when the multiaddr has none.
        is_thunderbolt: IPv4 whose text starts with "169.254".
    """

    kind: str
    host: str
    port: Optional[int] = None
    is_thunderbolt: bool = False


@dataclass(frozen=True)
class NetworkInterface:
    """One address of one network interface, as exo lists them.

    Attributes:
        name: the interface name.
        ip_address: IPv4 or IPv6 text, without a "%scope".
    """

    name: str
    ip_address: str


@dataclass(frozen=True)
class ProbedNode:
    """This machine as an exo node (exoplace.probe_node()).

    Attributes:
        node_id: the id asked for, or the host name.
        memory: the memory profile, ready for Topology.add_node().
        interfaces: every non-loopback address, in the system's order.
    """

    node_id: str
    memory: NodeMemory
    interfaces: Tuple[NetworkInterface, ...] = ()
