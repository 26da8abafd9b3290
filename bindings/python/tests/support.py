"""Shared helpers of the Python binding tests: request builders and paths."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Dict, List, Optional

import exoplace

PYTHON_DIR = Path(__file__).resolve().parents[1]
REPO_ROOT = Path(__file__).resolve().parents[3]

# Subprocesses (the command line tests) run elsewhere: a relative library
# path given to the test run must still point at the same file there.
if os.environ.get("EXOPLACE_LIBRARY"):
    os.environ["EXOPLACE_LIBRARY"] = os.path.abspath(os.environ["EXOPLACE_LIBRARY"])


def conformance_dir() -> Path:
    """Where the shared conformance vectors are: EXOPLACE_CONFORMANCE_DIR, else
    the checkout's tests/conformance."""
    return Path(os.environ.get("EXOPLACE_CONFORMANCE_DIR", REPO_ROOT / "tests" / "conformance"))


def include_dir() -> Path:
    """Where exoplace.h is: EXOPLACE_INCLUDE_DIR, else the checkout's include/."""
    return Path(os.environ.get("EXOPLACE_INCLUDE_DIR", REPO_ROOT / "include"))


def node(node_id: str, ram_total: int, ram_available: int, **memory: Any) -> Dict[str, Any]:
    """A node in exo's wire format; extra memory keys (e.g. pressureLevel) go into the memory object."""
    body = {"ramTotal": {"inBytes": ram_total}, "ramAvailable": {"inBytes": ram_available},
            "swapTotal": {"inBytes": 0}, "swapAvailable": {"inBytes": 0}}
    body.update(memory)
    return {"nodeId": node_id, "nodeProfile": {"memory": body, "networkInterfaces": []}}


def connection(local: str, send_back: str, address: str = "/ip4/10.0.0.1/tcp/52415") -> Dict[str, Any]:
    """A directed connection in exo's wire format."""
    return {"localNodeId": local, "sendBackNodeId": send_back, "sendBackMultiaddr": {"address": address}}


def ring(*ids: str, address: str = "/ip4/10.0.0.1/tcp/52415") -> List[Dict[str, Any]]:
    """Connections both ways between consecutive ids (a ring for 3 or more)."""
    pairs = list(zip(ids, ids[1:] + ids[:1])) if len(ids) > 2 else [(ids[0], ids[1])]
    return [c for a, b in pairs for c in (connection(a, b, address), connection(b, a, address))]


def model(model_id: str = "m", storage_size: int = 1500, n_layers: int = 12, **extra: Any) -> Dict[str, Any]:
    """A model in exo's wire format."""
    body = {"modelId": model_id, "storageSize": {"inBytes": storage_size}, "nLayers": n_layers}
    body.update(extra)
    return body


def request(nodes: List[Dict[str, Any]], connections: Optional[List[Dict[str, Any]]] = None,
            model_body: Optional[Dict[str, Any]] = None, **settings: Any) -> Dict[str, Any]:
    """A json.md request."""
    body: Dict[str, Any] = {"topology": {"nodes": nodes, "connections": connections or []}}
    if model_body is not None:
        body["model"] = model_body
    body.update(settings)
    return body


def two_node_topology(available: int = 1000, total: int = 2000) -> exoplace.Topology:
    """Two nodes a and b, connected both ways over ethernet."""
    topology = exoplace.Topology()
    topology.add_node("a", ram_total=total, ram_available=available)
    topology.add_node("b", ram_total=total, ram_available=available)
    topology.add_connection("a", "b", "/ip4/10.0.0.2/tcp/52415")
    topology.add_connection("b", "a", "/ip4/10.0.0.1/tcp/52415")
    return topology


# ---- exo main's GET /state (rule set exo-main) --------------------------------


def exo_card(model_id: str = "m", storage_size: int = 1500, n_layers: int = 12, **extra: Any) -> Dict[str, Any]:
    """An exo ModelCard with the members exo requires (hidden size 4096, tensor
    support, text generation on MlxMetal); `extra` adds or replaces members."""
    card: Dict[str, Any] = {"modelId": model_id, "storageSize": {"inBytes": storage_size}, "nLayers": n_layers,
                            "hiddenSize": 4096, "supportsTensor": True, "tasks": ["TextGeneration"],
                            "backends": ["MlxMetal"]}
    card.update(extra)
    return card


def exo_memory(ram_total: int, ram_available: int, swap_available: int = 0) -> Dict[str, Any]:
    """A nodeMemory entry."""
    return {"ramTotal": {"inBytes": ram_total}, "ramAvailable": {"inBytes": ram_available},
            "swapTotal": {"inBytes": swap_available}, "swapAvailable": {"inBytes": swap_available}}


def exo_state(memory: Dict[str, Dict[str, Any]], links: Optional[List[tuple]] = None,
              **members: Any) -> Dict[str, Any]:
    """A GET /state object: `memory` maps node id -> exo_memory(); `links` are
    (source, sink, sink IP) socket edges; every node supports MlxMetal and
    has one ethernet interface per address it is reached at; `members`
    adds or replaces /state members."""
    nodes = list(memory)
    connections: Dict[str, Dict[str, List[Dict[str, Any]]]] = {}
    interfaces: Dict[str, List[Dict[str, Any]]] = {node_id: [] for node_id in nodes}
    for source, sink, ip in links or []:
        edge = {"sinkMultiaddr": {"address": f"/ip4/{ip}/tcp/52415"}}
        connections.setdefault(source, {}).setdefault(sink, []).append(edge)
        interfaces.setdefault(sink, []).append({"name": "en0", "ipAddress": ip, "interfaceType": "ethernet"})
    state: Dict[str, Any] = {
        "instances": {}, "runners": {}, "tasks": {}, "downloads": {},
        "topology": {"nodes": nodes, "connections": connections},
        "nodeMemory": memory,
        "nodeNetwork": {node_id: {"interfaces": found} for node_id, found in interfaces.items()},
        "nodeBackends": {node_id: ["MlxMetal"] for node_id in nodes},
        "nodeRdmaCtl": {},
    }
    state.update(members)
    return state


def exo_pair(available: int = 1000, total: int = 2000, swap: int = 0) -> Dict[str, Any]:
    """Two nodes a and b linked both ways (a reaches b at 10.0.0.2, b reaches a at 10.0.0.1)."""
    return exo_state({"a": exo_memory(total, available, swap), "b": exo_memory(total, available, swap)},
                     [("a", "b", "10.0.0.2"), ("b", "a", "10.0.0.1")])


def topology_from_state(state: Dict[str, Any]) -> exoplace.Topology:
    """The Topology a GET /state describes, built through the object layer's
    calls in the order the JSON reader reads the state (exo-main.md 1 and
    2.1): topology nodes (without memory), edges in document order, then
    nodeMemory, nodeNetwork, nodeBackends, nodeRdmaCtl and downloads of the
    topology's nodes."""
    topology = exoplace.Topology()
    graph = state.get("topology") or {}
    for node_id in graph.get("nodes", []):
        topology.add_node(node_id, profile=False)
    for source, sinks in (graph.get("connections") or {}).items():
        for sink, edges in sinks.items():
            for edge in edges:
                if "sinkMultiaddr" in edge:
                    topology.add_connection(source, sink, edge["sinkMultiaddr"]["address"])
                else:
                    topology.add_rdma_connection(source, sink, edge["sourceRdmaIface"], edge["sinkRdmaIface"])
    known = set(topology.node_ids)

    def entries(member: str) -> List[tuple]:
        return [(node_id, value) for node_id, value in (state.get(member) or {}).items() if node_id in known]

    for node_id, memory in entries("nodeMemory"):
        topology.set_node_memory(node_id, ram_total=memory["ramTotal"]["inBytes"],
                                 ram_available=memory["ramAvailable"]["inBytes"],
                                 swap_total=memory["swapTotal"]["inBytes"],
                                 swap_available=memory["swapAvailable"]["inBytes"])
    for node_id, network in entries("nodeNetwork"):
        for interface in network.get("interfaces", []):
            topology.add_interface(node_id, interface["name"], interface["ipAddress"],
                                   interface.get("interfaceType", "unknown"))
    for node_id, backends in entries("nodeBackends"):
        topology.set_backends(node_id, backends)
    for node_id, status in entries("nodeRdmaCtl"):
        topology.set_rdma_ctl(node_id, status["enabled"])
    for node_id, downloads in entries("downloads"):
        for entry in downloads:
            (kind, body), = entry.items()
            (shard,) = body["shardMetadata"].values()
            downloaded = total = 0
            if kind == "DownloadOngoing":
                downloaded = body["downloadProgress"]["downloaded"]["inBytes"]
                total = body["downloadProgress"]["total"]["inBytes"]
            elif kind == "DownloadPending":
                downloaded = body.get("downloaded", {}).get("inBytes", 0)
                total = body.get("total", {}).get("inBytes", 0)
            topology.add_download(node_id, shard["modelCard"]["modelId"], kind, downloaded_bytes=downloaded,
                                  total_bytes=total)
    return topology
