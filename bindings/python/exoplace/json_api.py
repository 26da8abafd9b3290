"""Functions on plain Python data shaped like json.md (exo's wire format).

A request may be a dict, a JSON string (or UTF-8 bytes), or an exo ``GET
/state`` document: it carries a ``topology`` member and unknown members are
ignored, so ``get_placement(state, model=Model(...))`` places on a running
cluster's topology. Responses are the dicts json.md describes; big integers
(memory up to 2**64-1) survive both ways because Python's json keeps them exact.
"""
from __future__ import annotations

import json
from ctypes import byref, c_uint32, c_uint64, c_void_p
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

from . import _lib
from ._lib import SIZE_MAX, UINT32_MAX, UINT64_MAX, integer_argument, raise_for_status, take_owned_string, text_argument
from .errors import InputError, PlacementError
from .model import Model
from .probe import probe_options
from .topology import Topology

Request = Union[Mapping[str, Any], str, bytes]
ModelArgument = Union[Model, Mapping[str, Any], Sequence[Union[Model, Mapping[str, Any]]], None]


def _model_json(model: Union[Model, Mapping[str, Any]]) -> Any:
    return model.as_json() if isinstance(model, Model) else model


def _request_text(request: Request, model: ModelArgument = None) -> bytes:
    """The request as the NUL-terminated UTF-8 JSON text the C entry points take,
    with `model` (one model, or a list for "models") set when given."""
    if isinstance(request, (str, bytes)):
        # The library reads exactly these bytes (a NUL byte is bad JSON, not the end).
        text = _lib.utf8_text(request, "request") if isinstance(request, str) else request
        if model is None:
            return text
        try:
            request = json.loads(text)
        except ValueError as exc:
            raise InputError("invalid_json", f"request: {exc}", "request") from None
        if not isinstance(request, dict):
            raise InputError("invalid_argument", "request: expected an object", "request")
    elif not isinstance(request, Mapping):
        raise TypeError(f"request: expected a dict, a JSON str or bytes, got {type(request).__name__}")
    # A copy: json writes dicts only, and the caller's request stays untouched.
    request = dict(request)
    if isinstance(model, (str, bytes)):
        raise TypeError(f"model: expected a Model, a model dict or a list of them, got {type(model).__name__}")
    if model is not None:
        if isinstance(model, (Model, Mapping)):
            request.pop("models", None)
            request["model"] = _model_json(model)
        else:
            request.pop("model", None)
            request["models"] = [_model_json(m) for m in model]
    return json.dumps(request).encode("utf-8")


def _json_options(*, strategy: str = "largest-remainder", no_fallback: bool = False, allow_swap: bool = False,
                  max_search_steps: int = 0, random_seed: Optional[int] = None) -> _lib.JsonOptions:
    options = _lib.JsonOptions()
    _lib.lib().exoplace_json_options_init(byref(options))
    options.strategy = _lib.enum_value("layer_strategy", strategy, "strategy")
    options.no_fallback = 1 if no_fallback else 0
    options.allow_swap = 1 if allow_swap else 0
    options.max_search_steps = integer_argument(max_search_steps, "max_search_steps", 0, UINT64_MAX)
    if random_seed is not None:
        options.use_random_seed = 1
        options.random_seed = integer_argument(random_seed, "random_seed", 0, UINT64_MAX)
    return options


def _call_json(function_name: str, text: bytes, options: Any) -> Any:
    """Runs one JSON entry point; the response string is copied and freed
    before any exception is raised. A placement failure's response gives the
    PlacementError its "explanation" member."""
    out = c_void_p()
    err = _lib.Error()
    status = getattr(_lib.lib(), function_name)(byref(out), text, len(text), byref(options), byref(err))
    response = take_owned_string(out)
    if status != _lib.STATUS_OK:
        failure = json.loads(response) if response is not None else None
        explanation = failure.get("explanation") if isinstance(failure, dict) else None
        try:
            raise_for_status(status, err, explanation)
        except PlacementError as exc:
            # The failure object the entry point wrote (with its explanation).
            exc.response = failure
            raise
    return json.loads(response)


def get_placement(request: Request, *, model: ModelArgument = None, strategy: str = "largest-remainder",
                  no_fallback: bool = False, allow_swap: bool = False, max_search_steps: int = 0,
                  random_seed: Optional[int] = None) -> Dict[str, Any]:
    """get_placement: strict placement, then the memory-tier fallback.

    Args:
        request: json.md's request (topology, model, sharding, instance_meta,
            min_nodes, allow_low_memory; rule set seed), or exo main's
            GET /state object, parsed, with the placement fields of
            exo-main.md section 1 (model, sharding, instanceMeta, minNodes,
            nodeIds) added or given here as `model` (rule set exo-main,
            chosen by the shape when the request has no "rules").
        model: a Model or an exo model dict to place, replacing the request's.
        strategy: the pipeline layer split, "largest-remainder" or "exo"; a
            "strategy" member of the request takes precedence.
        no_fallback: one attempt only.
        allow_swap: the ladder may reach the swap tier.
        max_search_steps: the search's work bound; 0 for the default.
        random_seed: exo-main only: draw the instance id, runner ids and port
            from this seed (reproducible output) instead of fresh randomness.

    Returns:
        seed: {"ok": True, "model_id", "sharding", "instance_meta",
        "is_low_memory", "memory_tier", "nodes", "shards"}. exo-main:
        {"ok": True, "rules": "exo-main", "instance" (exo's Instance as exo
        serializes it), "is_low_memory", "memory_tier"}. With
        "is_low_memory": True also "explanation", why the model needed that
        tier (json.md "Explanations", as Topology.explain() gives it).

    Raises:
        PlacementError: cannot be placed (.code e.g. "insufficient_memory",
            str() exo's text, .explanation the failure response's
            "explanation": why it does not fit; None for "search_limit").
        InputError: bad input; the message names the field.
    """
    options = _json_options(strategy=strategy, no_fallback=no_fallback, allow_swap=allow_swap,
                            max_search_steps=max_search_steps, random_seed=random_seed)
    return _call_json("exoplace_get_placement_json", _request_text(request, model), options)


def place(request: Request, *, model: ModelArgument = None, strategy: str = "largest-remainder",
          max_search_steps: int = 0, random_seed: Optional[int] = None) -> Dict[str, Any]:
    """exo's place: one attempt, in the total tier when the request says
    "allow_low_memory": true, else in available memory. Arguments, result and
    errors as get_placement()."""
    options = _json_options(strategy=strategy, max_search_steps=max_search_steps, random_seed=random_seed)
    return _call_json("exoplace_place_json", _request_text(request, model), options)


def previews(request: Request, *, model: ModelArgument = None, strategy: str = "largest-remainder",
             no_fallback: bool = False, allow_swap: bool = False, max_search_steps: int = 0,
             random_seed: Optional[int] = None) -> Dict[str, Any]:
    """get_placement_previews for the request's "model" or every model of "models".

    Returns:
        {"previews": [...]}: each with model_id, sharding, instance_meta, nodes,
        shards (exo-main: instance instead of those two), memory_delta_by_node,
        error (exo's text or None), is_low_memory and memory_tier. Error
        previews do not raise.

    Raises:
        InputError: bad input.
    """
    options = _json_options(strategy=strategy, no_fallback=no_fallback, allow_swap=allow_swap,
                            max_search_steps=max_search_steps, random_seed=random_seed)
    return _call_json("exoplace_previews_json", _request_text(request, model), options)


def cycles(topology: Union[Request, Topology], *, min_bytes: Optional[int] = None, use_total_memory: bool = False,
           max_cycles: int = 0) -> List[List[str]]:
    """Every simple directed cycle plus every node as a singleton, in canonical order.

    Args:
        topology: {"topology": ...}, a bare topology object, an exo /state
            document, JSON text of those, or a Topology.
        min_bytes: when given, keep only cycles whose nodes all have a profile
            and whose summed metric is at least min_bytes.
        use_total_memory: with min_bytes, the metric is ram_total.
        max_cycles: InputError (code "too_many_cycles") past this many; 0 for
            the default bound.
    """
    if isinstance(topology, Topology):
        return topology.cycles(min_bytes=min_bytes, use_total_memory=use_total_memory, max_cycles=max_cycles)
    cycle_filter = _lib.CycleFilter()
    _lib.lib().exoplace_cycle_filter_init(byref(cycle_filter))
    cycle_filter.max_cycles = integer_argument(max_cycles, "max_cycles", 0, SIZE_MAX)
    if min_bytes is not None:
        cycle_filter.by_memory = 1
        cycle_filter.min_bytes = integer_argument(min_bytes, "min_bytes", 0, UINT64_MAX)
        cycle_filter.tier = _lib.enum_value("memory_tier", "total" if use_total_memory else "available", "tier")
    return _call_json("exoplace_cycles_json", _request_text(topology), cycle_filter)["cycles"]


def model_fit(request: Request, *, model: ModelArgument = None) -> List[Dict[str, Any]]:
    """Which models fit the cluster: the request's "models" (or "model") in
    display order (can-fit first, then will-fit, then larger, then id).

    Returns:
        [{"model_id", "storage_size", "will_fit", "can_fit", "fit"}, ...] with
        fit "fits", "low_memory" or "does_not_fit".
    """
    return _call_json("exoplace_model_fit_json", _request_text(request, model), _json_options())["models"]


def distribute_layers(memory: Sequence[int], n_layers: int, strategy: str = "largest-remainder") -> List[int]:
    """Splits n_layers pipeline layers over nodes with the given memory, in order.

    Args:
        memory: each node's memory metric in bytes (0 .. 2**64-1), at least one.
        n_layers: the layers to split (at least 1).
        strategy: "largest-remainder" (exact integers) or "exo" (exo's
            double-precision split, bit for bit); "fit" needs a layer cost:
            fit_layers().

    Returns:
        Layer counts per node, summing to n_layers.

    Raises:
        PlacementError: code "invalid_split" when a node would get no layers.
        InputError: an empty list, a value out of range.
    """
    n_nodes = len(memory)
    if n_nodes == 0:
        raise InputError("invalid_argument", "memory: must not be empty", "memory")
    c_memory = (c_uint64 * n_nodes)(*(integer_argument(value, f"memory[{i}]", 0, UINT64_MAX)
                                      for i, value in enumerate(memory)))
    c_layers = (c_uint32 * n_nodes)()
    err = _lib.Error()
    status = _lib.lib().exoplace_layers_distribute(c_layers, c_memory, n_nodes,
                                                   integer_argument(n_layers, "n_layers", 0, UINT32_MAX),
                                                   _lib.enum_value("layer_strategy", strategy, "strategy"),
                                                   byref(err))
    raise_for_status(status, err)
    return list(c_layers)


def fit_layers(capacity: Sequence[int], n_layers: int, layer_cost: int) -> List[int]:
    """The "fit" split (exoplace_layers_fit): n_layers pipeline layers over
    nodes of the given capacity, in order, as close to proportional to
    capacity as giving each node at least one layer and at most
    capacity // layer_cost allows.

    Args:
        capacity: each node's capacity in bytes (its tier metric minus the
            reserve; 0 .. 2**64-1), at least one.
        n_layers: the layers to split (at least 1).
        layer_cost: bytes of one layer on a node, ceil(storage_size /
            n_layers) + kv_cache_bytes_per_layer (0 .. 2**64-1).

    Returns:
        Layer counts per node, summing to n_layers.

    Raises:
        PlacementError: code "invalid_split": fewer layers than nodes, a node
            that holds no layer, or nodes that hold fewer than n_layers.
        InputError: an empty list, a value out of range.
    """
    n_nodes = len(capacity)
    if n_nodes == 0:
        raise InputError("invalid_argument", "capacity: must not be empty", "capacity")
    c_capacity = (c_uint64 * n_nodes)(*(integer_argument(value, f"capacity[{i}]", 0, UINT64_MAX)
                                        for i, value in enumerate(capacity)))
    c_layers = (c_uint32 * n_nodes)()
    err = _lib.Error()
    status = _lib.lib().exoplace_layers_fit(c_layers, c_capacity, n_nodes,
                                            integer_argument(n_layers, "n_layers", 0, UINT32_MAX),
                                            integer_argument(layer_cost, "layer_cost", 0, UINT64_MAX), byref(err))
    raise_for_status(status, err)
    return list(c_layers)


def probe_local(*, node_id: Optional[str] = None, proc_root: Optional[str] = None,
                warn_some_avg10: Optional[float] = None, critical_some_avg10: Optional[float] = None,
                critical_full_avg10: Optional[float] = None) -> Dict[str, Any]:
    """Describes this machine as an exo node: {"nodeId", "nodeProfile": {"memory", "networkInterfaces"}}.

    The arguments and errors are probe_node()'s, which gives the same node as
    Python objects.
    """
    options = probe_options(node_id=node_id, proc_root=proc_root, warn_some_avg10=warn_some_avg10,
                            critical_some_avg10=critical_some_avg10, critical_full_avg10=critical_full_avg10)
    out = c_void_p()
    err = _lib.Error()
    status = _lib.lib().exoplace_probe_local(byref(out), byref(options), byref(err))
    response = take_owned_string(out)
    try:
        raise_for_status(status, err)
    except PlacementError as exc:
        # The failure object the entry point wrote (with its explanation).
        exc.response = json.loads(response) if response else None
        raise
    return json.loads(response)
