"""The shared conformance vectors, run through the Python bindings.

Vectors are read at run time from EXOPLACE_CONFORMANCE_DIR (meson sets it to
tests/conformance of the source tree) or the checkout's tests/conformance;
one test per vector file, extra/ included. Pass rule (tests/conformance/README.md), with the
exo layer strategy: the chosen node set is one of optimal_sets, is_low_memory,
the error text, instance_meta and memory tier are the expected ones, the rank order is a
cycle of the topology, and the layers equal expect.layers when the order is
canonical_choice (else exo's split recomputed for the order chosen).
"""
from __future__ import annotations

import json
import unittest
from pathlib import Path
from typing import Any, Dict, List

import exoplace
from exoplace import PlacementError
from support import conformance_dir

VECTOR_DIR = conformance_dir()
# The shared vectors, then the hand-written ones of extra/ (same format).
VECTORS = sorted(VECTOR_DIR.glob("*.json")) + sorted(VECTOR_DIR.glob("extra/*.json"))


def member(mapping: Dict[str, Any], camel: str, snake: str) -> Any:
    return mapping[camel] if camel in mapping else mapping.get(snake)


def byte_count(value: Any) -> int:
    return member(value, "inBytes", "in_bytes") if isinstance(value, dict) else value


def node_metric(request: Dict[str, Any], metric: str) -> Dict[str, int]:
    """Each profiled node's memory in the vector's tier (placement.md section 7)."""
    figures = {}
    for node in request["topology"].get("nodes", []):
        profile = member(node, "nodeProfile", "node_profile")
        if not profile:
            continue
        memory = profile["memory"]
        total = byte_count(member(memory, "ramTotal", "ram_total"))
        available = byte_count(member(memory, "ramAvailable", "ram_available"))
        level = member(memory, "pressureLevel", "pressure_level")
        free_percent = member(memory, "freePercent", "free_percent")
        if metric == "available":
            value = 0 if level == "critical" else available
        elif metric == "pressure":
            value = total * free_percent // 100 if free_percent is not None else available
            value = 0 if level == "critical" else value // 2 if level == "warn" else value
        elif metric == "total":
            value = total
        else:
            value = total + byte_count(member(memory, "swapAvailable", "swap_available") or 0)
        figures[member(node, "nodeId", "node_id")] = value
    return figures


def edges(request: Dict[str, Any]) -> set:
    return {(member(c, "localNodeId", "local_node_id"), member(c, "sendBackNodeId", "send_back_node_id"))
            for c in request["topology"].get("connections", [])}


class ConformanceCase(unittest.TestCase):
    """One test method per vector file, added below."""

    def check_placement(self, request: Dict[str, Any], expect: Dict[str, Any], placement: Dict[str, Any]) -> None:
        nodes: List[str] = placement["nodes"]
        self.assertIn(sorted(nodes), [sorted(s) for s in expect["optimal_sets"]], "chosen set not optimal")
        self.assertEqual(placement["is_low_memory"], expect["is_low_memory"])
        self.assertEqual(placement["instance_meta"], expect["instance_meta"])
        self.assertEqual(placement["memory_tier"], expect["metric"])
        if "n_nodes" in expect:
            self.assertEqual(len(nodes), expect["n_nodes"])
        if len(nodes) > 1:
            links = edges(request)
            for u, v in zip(nodes, nodes[1:] + nodes[:1]):
                self.assertIn((u, v), links, f"rank order {nodes} is not a cycle of the topology")
        layers = [{"node_id": s["node_id"], "start_layer": s["start_layer"], "end_layer": s["end_layer"]}
                  for s in placement["shards"]]
        if nodes == expect["canonical_choice"]:
            self.assertEqual(layers, expect["layers"])
        elif placement["sharding"] == "Pipeline":
            metric = node_metric(request, expect["metric"])
            n_layers = placement["shards"][0]["n_layers"]
            counts = exoplace.distribute_layers([metric[n] for n in nodes], n_layers, "exo")
            self.assertEqual([s["end_layer"] - s["start_layer"] for s in layers], counts)

    def run_placement_vector(self, vector: Dict[str, Any], call) -> None:
        expect = vector["expect"]
        options = {"strategy": "exo"}
        if (vector.get("args") or {}).get("allow_swap"):
            options["allow_swap"] = True  # only get_placement vectors carry it
        if expect["ok"]:
            placement = call(vector["request"], **options)
            self.assertTrue(placement["ok"])
            self.check_placement(vector["request"], expect, placement)
            return
        with self.assertRaises(PlacementError) as caught:
            call(vector["request"], **options)
        if expect.get("error") is not None:
            self.assertEqual(str(caught.exception), expect["error"])
        if expect.get("error_kind") == "invalid_split":
            self.assertEqual(caught.exception.code, "invalid_split")

    def run_previews_vector(self, vector: Dict[str, Any]) -> None:
        got = exoplace.previews(vector["request"], strategy="exo")["previews"]
        expected = vector["expect"]["previews"]
        self.assertEqual(len(got), len(expected))
        for index, (preview, expect) in enumerate(zip(got, expected)):
            with self.subTest(preview=index):
                self.assertEqual((preview["model_id"], preview["sharding"], preview["instance_meta"]),
                                 (expect["model_id"], expect["sharding"], expect["instance_meta"]))
                self.assertEqual(preview["error"], expect["error"])
                self.assertEqual(preview["is_low_memory"], expect["is_low_memory"])
                # The library writes {} where exo has null (an error preview);
                # the C runner takes them as the same, and so does this one.
                self.assertEqual(preview["memory_delta_by_node"] or None, expect["memory_delta_by_node"] or None)
                if not expect["ok"]:
                    self.assertIsNone(preview["nodes"])
                    continue
                optimal = expect.get("optimal_sets") or [expect["nodes"]]
                self.assertIn(sorted(preview["nodes"]), [sorted(s) for s in optimal])
                if "metric" in expect:
                    self.assertEqual(preview["memory_tier"], expect["metric"])
                if "canonical_choice" in expect and preview["nodes"] == expect["canonical_choice"]:
                    self.assertEqual([{"node_id": s["node_id"], "start_layer": s["start_layer"],
                                       "end_layer": s["end_layer"]} for s in preview["shards"]], expect["layers"])

    def run_cycles_vector(self, vector: Dict[str, Any]) -> None:
        args = vector.get("args") or {}
        got = exoplace.cycles(vector["request"], min_bytes=args.get("min_bytes"),
                              use_total_memory=args.get("use_total_memory", False))
        self.assertEqual(got, vector["expect"]["cycles"])

    def run_layers_vector(self, vector: Dict[str, Any]) -> None:
        request, expect = vector["request"], vector["expect"]
        memory = [byte_count(value) for value in request["memory"]]
        n_layers = member(request, "n_layers", "nLayers")
        strategy = request.get("strategy", "exo")  # the request's own choice, else exo's split
        if expect["ok"]:
            self.assertEqual(exoplace.distribute_layers(memory, n_layers, strategy), expect["layers"])
        else:
            with self.assertRaises(PlacementError) as caught:
                exoplace.distribute_layers(memory, n_layers, strategy)
            self.assertEqual(caught.exception.code, expect.get("error_kind", "invalid_split"))

    def run_vector(self, path: Path) -> None:
        vector = json.loads(path.read_text())
        kind = vector["kind"]
        if kind == "get_placement":
            self.run_placement_vector(vector, exoplace.get_placement)
        elif kind == "place":
            self.run_placement_vector(vector, exoplace.place)
        elif kind == "previews":
            self.run_previews_vector(vector)
        elif kind == "cycles":
            self.run_cycles_vector(vector)
        elif kind == "layers":
            self.run_layers_vector(vector)
        else:
            self.fail(f"unknown vector kind {kind!r}")


def _add_vector_test(path: Path) -> None:
    def test(self: ConformanceCase) -> None:
        self.run_vector(path)
    prefix = "test_extra_" if path.parent.name == "extra" else "test_"
    name = prefix + path.stem.replace("-", "_")
    test.__name__ = name
    test.__doc__ = f"conformance vector {path.name}"
    setattr(ConformanceCase, name, test)


for _path in VECTORS:
    _add_vector_test(_path)

if not VECTORS:
    def _test_vectors_present(self: ConformanceCase) -> None:
        self.skipTest(f"no conformance vectors in {VECTOR_DIR} (set EXOPLACE_CONFORMANCE_DIR)")
    ConformanceCase.test_vectors_present = _test_vectors_present  # type: ignore[attr-defined]


if __name__ == "__main__":
    unittest.main()
