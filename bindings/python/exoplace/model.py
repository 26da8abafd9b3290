"""Plain data: the model to place and the results of placing it.

Results are copied out of C memory when a call returns, so they stay valid
after the topology that produced them is closed.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Dict, Mapping, Optional, Tuple

from .errors import InputError


@dataclass(frozen=True)
class Model:
    """A model to place, as exo's ModelCard describes it.

    The seed rule set reads model_id, storage_size, n_layers, hidden_size and
    supports_tensor; exo-main reads every field, and needs hidden_size,
    supports_tensor, tasks and backends stated (exo's card requires them).
    Model.from_card() makes one from an exo card.

    Attributes:
        model_id: non-empty id, e.g. "mlx-community/Llama-3.2-3B-Instruct-4bit".
        storage_size: bytes the weights take (0 .. 2**64-1).
        n_layers: number of layers (at least 1).
        hidden_size: when stated, a tensor placement needs a node count that
            divides it; None when not stated (seed only).
        supports_tensor: False forbids tensor sharding; None when not stated (seed only).
        kv_cache_bytes_per_layer: bytes one layer's KV cache takes at the
            context the model runs with (0 .. 2**64-1, 0 when not known).
            Read by the "fit" strategy and Topology.place_manual(): a layer
            then costs ceil(storage_size / n_layers) + this.
        num_key_value_heads: exo-main: a tensor placement needs a node count
            that divides it (unless base_model starts with "DeepSeek V4");
            None for exo's null.
        base_model: exo-main: the card's baseModel ("" for none).
        uses_cfg: exo-main: classifier-free guidance (CFG parallel pipelines).
        backends: exo-main: the card's backends, in its order (MlxMetal,
            MlxCpu, MlxCuda, Vllm); None when not stated.
        tasks: exo-main: the card's tasks (TextGeneration, TextToImage,
            ImageToImage), echoed only; None when not stated.
        card_json: exo-main: the whole card as JSON text, whose members
            placement does not read (family, quantization, vision, ...) the
            instance echoes in every shard's modelCard; None: exo's defaults.
    """

    model_id: str
    storage_size: int
    n_layers: int
    hidden_size: Optional[int] = None
    supports_tensor: Optional[bool] = None
    num_key_value_heads: Optional[int] = None
    base_model: str = ""
    uses_cfg: bool = False
    backends: Optional[Tuple[str, ...]] = None
    tasks: Optional[Tuple[str, ...]] = None
    card_json: Optional[str] = None
    kv_cache_bytes_per_layer: int = 0

    def __post_init__(self) -> None:
        # A wrong type would otherwise be read by truth value ("no" is true).
        _expect_type("model_id", self.model_id, str)
        for name in ("storage_size", "n_layers", "kv_cache_bytes_per_layer"):
            _expect_type(name, getattr(self, name), int)
        for name in ("hidden_size", "num_key_value_heads"):
            if getattr(self, name) is not None:
                _expect_type(name, getattr(self, name), int)
        if self.supports_tensor is not None and not isinstance(self.supports_tensor, bool):
            raise TypeError(f"supports_tensor: expected bool or None, got {type(self.supports_tensor).__name__}")
        _expect_type("base_model", self.base_model, str)
        if not isinstance(self.uses_cfg, bool):
            raise TypeError(f"uses_cfg: expected bool, got {type(self.uses_cfg).__name__}")
        for name in ("backends", "tasks"):
            names = getattr(self, name)
            if names is None:
                continue
            if isinstance(names, str) or not all(isinstance(item, str) for item in names):
                raise TypeError(f"{name}: expected a sequence of names, got {names!r}")
            # Frozen: a list given by the caller is kept as a tuple.
            object.__setattr__(self, name, tuple(names))
        if self.card_json is not None:
            _expect_type("card_json", self.card_json, str)

    @classmethod
    def from_card(cls, card: Mapping[str, Any]) -> "Model":
        """The Model of an exo ModelCard as exo serializes it (either key
        spelling), the card's text kept as card_json.

        Raises:
            InputError: a member missing or of the wrong type, named as in
                the card (e.g. "model.nLayers").
        """
        if not isinstance(card, Mapping):
            raise TypeError(f"card: expected a dict, got {type(card).__name__}")

        def member(camel: str, snake: str, required: bool = False) -> Any:
            if card.get(camel) is not None:
                return card[camel]
            if card.get(snake) is not None:
                return card[snake]
            if required:
                raise InputError("invalid_argument", f"model.{camel}: missing", f"model.{camel}")
            return None

        storage = member("storageSize", "storage_size", required=True)
        if isinstance(storage, Mapping):
            storage = storage.get("inBytes", storage.get("in_bytes"))
        fields: Dict[str, Any] = {
            "model_id": member("modelId", "model_id", required=True),
            "storage_size": storage,
            "n_layers": member("nLayers", "n_layers", required=True),
            "hidden_size": member("hiddenSize", "hidden_size"),
            "supports_tensor": member("supportsTensor", "supports_tensor"),
            "num_key_value_heads": member("numKeyValueHeads", "num_key_value_heads"),
            "base_model": member("baseModel", "base_model") or "",
            "uses_cfg": member("usesCfg", "uses_cfg") or False,
            "backends": member("backends", "backends"),
            "tasks": member("tasks", "tasks"),
        }
        try:
            return cls(card_json=json.dumps(card), **fields)
        except TypeError as exc:
            name = str(exc).split(":", 1)[0]
            camel = _CARD_NAMES.get(name, name)
            raise InputError("invalid_argument", f"model.{camel}: {str(exc).split(': ', 1)[-1]}",
                             f"model.{camel}") from None

    def as_json(self) -> Dict[str, Any]:
        """The model in exo's wire format (json.md; exo-main: a ModelCard),
        for a JSON request: card_json's members, then every stated field."""
        model: Dict[str, Any] = {}
        if self.card_json is not None:
            card = json.loads(self.card_json)
            if isinstance(card, dict):
                model.update(card)
        for snake, camel in _CARD_NAMES.items():  # the fields below win over either spelling
            model.pop(camel, None)
            model.pop(snake, None)
        model.update({
            "modelId": self.model_id,
            "storageSize": {"inBytes": self.storage_size},
            "nLayers": self.n_layers,
        })
        if self.hidden_size is not None:
            model["hiddenSize"] = self.hidden_size
        if self.supports_tensor is not None:
            model["supportsTensor"] = self.supports_tensor
        if self.num_key_value_heads is not None:
            model["numKeyValueHeads"] = self.num_key_value_heads
        if self.base_model:
            model["baseModel"] = self.base_model
        if self.uses_cfg:
            model["usesCfg"] = True
        if self.backends is not None:
            model["backends"] = list(self.backends)
        if self.tasks is not None:
            model["tasks"] = list(self.tasks)
        if self.kv_cache_bytes_per_layer:
            model["kvCacheBytesPerLayer"] = self.kv_cache_bytes_per_layer
        return model


# Model's field name -> the card's member (and the reverse direction's keys).
_CARD_NAMES = {
    "model_id": "modelId", "storage_size": "storageSize", "n_layers": "nLayers", "hidden_size": "hiddenSize",
    "supports_tensor": "supportsTensor", "num_key_value_heads": "numKeyValueHeads", "base_model": "baseModel",
    "uses_cfg": "usesCfg", "backends": "backends", "tasks": "tasks",
}


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
        kind: exo's shard metadata: "PipelineShardMetadata",
            "CfgShardMetadata" (exo-main) or "TensorShardMetadata".
        cfg_rank, cfg_world_size, pipeline_rank, pipeline_world_size: CFG
            shards: which of the two pipelines (0 or 1, of 2) and the stage
            in it; 0 for the other kinds.
    """

    node_id: str
    device_rank: int
    world_size: int
    start_layer: int
    end_layer: int
    n_layers: int
    memory_delta: int
    kind: str = "PipelineShardMetadata"
    cfg_rank: int = 0
    cfg_world_size: int = 0
    pipeline_rank: int = 0
    pipeline_world_size: int = 0


@dataclass(frozen=True)
class Host:
    """An address and port, as exo's Host."""

    ip: str
    port: int


@dataclass(frozen=True)
class Instance:
    """exo's Instance of an exo-main placement: how the ranks reach each other.

    Per-rank tuples are in rank order, like Placement.shards.

    Attributes:
        kind: "MlxRingInstance" or "MlxJacclInstance".
        instance_id: a uuid4 text.
        runner_ids: the runner of each rank (uuid4 texts).
        ephemeral_port: the ring's port, or the jaccl coordinators' port.
        hosts_by_node: MlxRing: for each rank, the n hosts it lists, one per
            rank (itself "0.0.0.0", its ring neighbours by address, the
            others the placeholder "198.51.100.1" with port 0); None for MlxJaccl.
        jaccl_devices: MlxJaccl: [i][j] rank i's RDMA interface to rank j,
            None on the diagonal; None for MlxRing.
        jaccl_coordinators: MlxJaccl: how each rank reaches rank 0, "ip:port";
            None for MlxRing.
        exo_json: the instance exactly as exo serializes it (the tagged
            object of GET /state's "instances" values).
    """

    kind: str
    instance_id: str
    runner_ids: Tuple[str, ...]
    ephemeral_port: int
    hosts_by_node: Optional[Tuple[Tuple[Host, ...], ...]] = None
    jaccl_devices: Optional[Tuple[Tuple[Optional[str], ...], ...]] = None
    jaccl_coordinators: Optional[Tuple[str, ...]] = None
    exo_json: Optional[Dict[str, Any]] = field(default=None, hash=False)


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
        rules: the rule set that placed it, "seed" or "exo-main".
        instance: exo-main: exo's Instance; None for seed.
        explanation: when is_low_memory, why the model needed that tier: the
            dict of Topology.explain() (docs/json.md "Explanations"), each
            tier tried up to the one that placed. None when is_low_memory is
            False, and for the placements of previews() and place_manual(),
            which are not explained (as the JSON previews are not).
    """

    model_id: str
    sharding: str
    instance_meta: str
    memory_tier: str
    is_low_memory: bool
    nodes: Tuple[str, ...]
    shards: Tuple[Shard, ...]
    rules: str = "seed"
    instance: Optional[Instance] = None
    explanation: Optional[Dict[str, Any]] = field(default=None, hash=False)

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
class Connection:
    """One directed connection of a topology, as added.

    Attributes:
        source, sink: the node ids.
        kind: "socket" (reached at multiaddr) or "rdma" (between the two RDMA
            interfaces source_iface and sink_iface).
        multiaddr: socket: the sink's multiaddr text; rdma: None.
        source_iface, sink_iface: rdma: the interface names; socket: None.
    """

    source: str
    sink: str
    kind: str
    multiaddr: Optional[str] = None
    source_iface: Optional[str] = None
    sink_iface: Optional[str] = None


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
