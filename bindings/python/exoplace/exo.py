"""exo's own placement call, for hosts that run exo: ``place_instance``.

exo's master places a model with ``exo.master.placement.place_instance(command,
topology, current_instances, node_memory, node_network, ...)``: it takes a
``PlaceInstance`` command and the cluster state, and returns the instances the
cluster should run, the current ones plus the new one, keyed by instance id.
:func:`place_instance` here takes the same two things as data, the cluster state
as ``GET /state`` serves it and the command, places with the rule set
``exo-main`` (exo-main.md), and returns the same mapping, each
instance exactly as exo serializes it (the tagged ``MlxRingInstance`` /
``MlxJacclInstance`` object, camelCase), plus the memory tier the placement
needed.

By default the memory tiers run on top of exo's single attempt (available, then
total memory, then swap when allowed): a model that fits only in total memory is
placed, with ``is_low_memory`` set, where exo refuses it. ``no_fallback=True``
is exo's attempt exactly, byte for byte in its errors.
"""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any, Dict, Iterable, Mapping, Optional, Tuple

from . import errors
from .errors import InputError
from .json_api import _call_json, _json_options

__all__ = ["InstancePlacement", "PlacementError", "place_instance"]


class PlacementError(errors.PlacementError, ValueError):
    """A command that cannot be placed: str() is exo's text (e.g. "No cycles
    found with sufficient memory"), .code the stable code (e.g.
    "insufficient_memory").

    It is an exoplace.PlacementError and, as what exo's place_instance raises
    is a ValueError, a ValueError too: exo's master catches ValueError around
    the call.
    """


@dataclass(frozen=True)
class InstancePlacement:
    """What place_instance() returns.

    Attributes:
        instances: exo's result: the state's ``instances`` (copied) plus the
            new instance, keyed by instance id, each as exo serializes an
            Instance. This is the mapping exo's place_instance returns and its
            master compares with the current instances.
        instance_id: the new instance's id.
        instance: the new instance (also ``instances[instance_id]``), e.g.
            ``{"MlxRingInstance": {"instanceId", "shardAssignments",
            "hostsByNode", "ephemeralPort"}}``.
        memory_tier: the tier whose memory placed it: "available" (exo's
            rule), "pressure", "total" or "swap".
        is_low_memory: True for every tier but "available": the model does
            not fit the memory the nodes have free now.
        explanation: when is_low_memory, why: the tiers tried up to the one
            that placed, with the best candidate ring of each and what its
            nodes lack (docs/json.md "Explanations"); None otherwise.
    """

    instances: Dict[str, Dict[str, Any]]
    instance_id: str
    instance: Dict[str, Any]
    memory_tier: str
    is_low_memory: bool
    explanation: Optional[Dict[str, Any]] = None


# The request members place_instance sets from the command; the state's own
# copies of them (in either spelling) are dropped, so the command decides.
_PLACEMENT_MEMBERS = ("model", "models", "sharding", "instanceMeta", "instance_meta", "minNodes", "min_nodes",
                      "nodeIds", "node_ids", "allowLowMemory", "allow_low_memory", "strategy", "rules")

# The command's members: (snake_case as exo's PlaceInstance names them,
# camelCase as it serializes them, the request member, default).
_REQUIRED = object()
_COMMAND_MEMBERS = (
    ("model_card", "modelCard", "model", _REQUIRED),
    ("sharding", "sharding", "sharding", "Pipeline"),
    ("instance_meta", "instanceMeta", "instanceMeta", "MlxRing"),
    ("min_nodes", "minNodes", "minNodes", 1),
)


def _as_data(value: Any, name: str) -> Mapping[str, Any]:
    """A mapping, or what a pydantic model dumps as JSON by alias (as FastAPI
    sends exo's models)."""
    if not isinstance(value, Mapping) and callable(getattr(value, "model_dump", None)):
        value = value.model_dump(mode="json", by_alias=True)
    if not isinstance(value, Mapping):
        raise TypeError(f"{name}: expected a dict, got {type(value).__name__}")
    return value


def _command_members(command: Mapping[str, Any]) -> Tuple[Dict[str, Any], Dict[str, str]]:
    """The request members the command gives, and for each the name the
    caller's input has (for error fields)."""
    # exo's commands are tagged unions: {"PlaceInstance": {...}} in JSON.
    if len(command) == 1 and isinstance(command.get("PlaceInstance"), Mapping):
        command = command["PlaceInstance"]
    members: Dict[str, Any] = {}
    names: Dict[str, str] = {}
    for snake, camel, member, default in _COMMAND_MEMBERS:
        given = [key for key in dict.fromkeys((snake, camel)) if key in command]
        if len(given) == 2:
            raise InputError("invalid_argument", f"command.{snake}: given twice, as {snake} and {camel}",
                             f"command.{snake}")
        if given:
            members[member] = command[given[0]]
            names[member] = f"command.{given[0]}"
        elif default is _REQUIRED:
            raise InputError("invalid_argument", f"command.{snake}: missing", f"command.{snake}")
        else:
            members[member] = default
            names[member] = f"command.{snake}"
    return members, names


def _renamed(error: InputError, names: Mapping[str, str]) -> InputError:
    """The library's error, its field renamed from the request member to the
    caller's argument (model.hiddenSize -> command.model_card.hiddenSize)."""
    field = error.field
    cut = min((at for at in (field.find("."), field.find("[")) if at >= 0), default=len(field))
    head = field[:cut]
    if head not in names:
        return error
    renamed = names[head] + field[cut:]
    message = error.message
    if message.startswith(field):
        message = renamed + message[len(field):]
    return InputError(error.code, message, renamed)


def place_instance(state: Any, command: Any, *, required_nodes: Optional[Iterable[str]] = None,
                   no_fallback: bool = False, allow_swap: bool = False,
                   random_seed: Optional[int] = None) -> InstancePlacement:
    """exo's ``place_instance``: where the command's model runs on the cluster.

    Args:
        state: the cluster state as exo's ``GET /state`` serves it, parsed
            (``json.load``): placement reads ``topology``, ``nodeMemory``,
            ``nodeNetwork``, ``nodeBackends``, ``nodeRdmaCtl`` and
            ``downloads``, and copies ``instances``; the rest is ignored.
        command: a PlaceInstance command as a dict: ``model_card`` (exo's
            ModelCard as it serializes it, either key spelling), ``sharding``
            ("Pipeline" | "Tensor"), ``instance_meta`` ("MlxRing" |
            "MlxJaccl"), ``min_nodes`` (>= 1); camelCase keys (``modelCard``,
            ``instanceMeta``, ``minNodes``) and exo's tagged form
            ``{"PlaceInstance": {...}}`` are accepted, other members (such as
            ``command_id``) ignored. Only ``model_card`` is required; the
            others default to "Pipeline", "MlxRing" and 1, as exo's API does.
            A pydantic model (exo's own PlaceInstance or State) is dumped with
            ``model_dump(mode="json", by_alias=True)`` first.
        required_nodes: exo's ``required_nodes``: only cycles that contain
            every one of these node ids.
        no_fallback: exo's single attempt in available memory, exactly; by
            default the total tier (and swap, with allow_swap) follows when
            it fails.
        allow_swap: the fallback may reach the swap tier.
        random_seed: draw the instance id, runner ids and port from this seed
            (0 .. 2**64-1) instead of fresh randomness, for reproducible
            output; a seed used again gives the same ids again.

    Returns:
        An InstancePlacement: ``.instances`` is exo's mapping (the state's
        instances plus the new one), ``.instance_id`` / ``.instance`` the new
        one, ``.memory_tier`` / ``.is_low_memory`` the tier it needed and,
        for low memory, ``.explanation`` why.

    Raises:
        PlacementError: cannot be placed; str() is exo's text, .code the
            stable code, .explanation why it does not fit (None for
            search_limit). Also a ValueError, as exo raises.
        InputError: bad input (a ValueError); the message and .field name
            the field: ``command.model_card.hiddenSize``, ``command.min_nodes``,
            ``required_nodes[0]``, or a /state path such as
            ``nodeMemory.<id>.ramAvailable.inBytes``. Also when the instance
            id drawn is one the state already has (a reused random_seed).
        TypeError: state or command is not a dict.
    """
    state = _as_data(state, "state")
    command = _as_data(command, "command")
    members, names = _command_members(command)
    request = {key: value for key, value in state.items() if key not in _PLACEMENT_MEMBERS}
    request.update(members)
    request["rules"] = "exo-main"
    if required_nodes is not None:
        if isinstance(required_nodes, (str, bytes)):
            raise TypeError("required_nodes: expected an iterable of node ids, got a string")
        request["nodeIds"] = list(required_nodes)
        names["nodeIds"] = "required_nodes"
    current = state.get("instances")
    if current is None:
        current = {}
    if not isinstance(current, Mapping):
        raise InputError("invalid_argument", "instances: expected an object", "instances")

    options = _json_options(no_fallback=no_fallback, allow_swap=allow_swap, random_seed=random_seed)
    try:
        text = json.dumps(request).encode("utf-8")
    except (TypeError, ValueError) as exc:
        raise InputError("invalid_argument", f"state: not JSON data ({exc})", "state") from None
    try:
        response = _call_json("exoplace_get_placement_json", text, options)
    except errors.PlacementError as failure:
        raise PlacementError(failure.code, failure.message, failure.field, failure.explanation) from None
    except InputError as bad:
        raise _renamed(bad, names) from None

    instance = response["instance"]
    (body,) = instance.values()
    instance_id = body["instanceId"]
    if instance_id in current:
        raise InputError("invalid_argument",
                         f"random_seed: drew the instance id {instance_id}, which the state already has",
                         "random_seed")
    instances = copy.deepcopy(dict(current))
    instances[instance_id] = instance
    return InstancePlacement(instances=instances, instance_id=instance_id, instance=instance,
                             memory_tier=response["memory_tier"], is_low_memory=response["is_low_memory"],
                             explanation=response.get("explanation"))

