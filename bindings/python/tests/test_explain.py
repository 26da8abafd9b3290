"""Explanations: Topology.explain(), the .explanation of a PlacementError and
of a low-memory placement, through the object layer, the JSON functions and
exo.place_instance. Expected figures are derived from the cluster and model
given, or from the explanation's own parts, never copied from a run."""
from __future__ import annotations

import json
import pickle
import unittest
from typing import Any, Dict, List

import exoplace
from exoplace import InputError, Model, PlacementError, Topology, exo
from support import connection, exo_card, exo_pair, model, node, request, ring, two_node_topology

U64_MAX = 2**64 - 1

# Three nodes in a ring: (id, ram_total, ram_available).
NODES = [("a", 3000, 1200), ("b", 2000, 800), ("c", 1000, 500)]


def ring_topology(nodes=NODES) -> Topology:
    topology = Topology()
    ids = [node_id for node_id, _, _ in nodes]
    for node_id, total, available in nodes:
        topology.add_node(node_id, ram_total=total, ram_available=available)
    for u, v in zip(ids, ids[1:] + ids[:1]):
        topology.add_connection(u, v, "/ip4/10.0.0.1/tcp/52415")
        topology.add_connection(v, u, "/ip4/10.0.0.2/tcp/52415")
    return topology


def ring_request(storage_size: int, n_layers: int = 12, nodes=NODES, **settings: Any) -> Dict[str, Any]:
    """The JSON request of ring_topology() with a model."""
    ids = [node_id for node_id, _, _ in nodes]
    return request([node(node_id, total, available) for node_id, total, available in nodes], ring(*ids),
                   model("m", storage_size, n_layers), **settings)


def dense_request() -> Dict[str, Any]:
    """Eight nodes connected every way: one search step is never enough."""
    ids = [f"n{i}" for i in range(8)]
    return request([node(i, 10, 10) for i in ids], [connection(a, b) for a in ids for b in ids if a != b],
                   model("m", 75, 8))


def candidate_nodes(tier: Dict[str, Any]) -> List[Dict[str, Any]]:
    return tier["candidate"]["nodes"] if tier["candidate"] else []


class ExplanationChecks(unittest.TestCase):
    def assert_adds_up(self, explanation: Dict[str, Any]) -> None:
        """What docs/json.md says of every tier, from the dict alone."""
        self.assertTrue(explanation["tiers"])
        for tier in explanation["tiers"]:
            with self.subTest(tier=tier["tier"]):
                need = tier["need"]
                nodes = candidate_nodes(tier)
                total = sum(n["metric"] for n in nodes)
                if tier["candidate"] is not None:
                    self.assertEqual(tier["candidate"]["sum"], total)
                    self.assertEqual(sum(n["share"] for n in nodes), need)
                    self.assertGreaterEqual(len(nodes), explanation["min_nodes"])
                self.assertEqual(tier["gap"], max(need - total, 0))
                self.assertLessEqual(total, tier["cluster_sum"])
                if tier["gap"] > 0 and nodes:
                    self.assertEqual(sum(n["shortfall"] for n in nodes), tier["gap"])
                for n in nodes:
                    self.assertEqual(n["shortfall"], max(n["share"] - n["metric"], 0))
                self.assertEqual(tier["code"] == "ok", tier["error"] is None)
        placing = [tier["tier"] for tier in explanation["tiers"] if tier["code"] == "ok"]
        self.assertEqual(placing, [explanation["placing_tier"]] if explanation["placed"] else [])
        if explanation["placed"]:
            self.assertEqual(explanation["tiers"][-1]["tier"], explanation["placing_tier"])


class TopologyExplainTest(ExplanationChecks):
    def setUp(self):
        self.topology = ring_topology()
        self.addCleanup(self.topology.close)
        self.available = {node_id: available for node_id, _, available in NODES}
        self.total = {node_id: total for node_id, total, _ in NODES}

    def test_a_model_that_fits_only_in_total_memory(self):
        size = sum(self.available.values()) + 100
        explanation = self.topology.explain(Model("m", size, 12))
        self.assert_adds_up(explanation)
        self.assertEqual((explanation["rules"], explanation["sharding"], explanation["unit"]),
                         ("seed", "Pipeline", "bytes"))
        self.assertEqual([tier["tier"] for tier in explanation["tiers"]], ["available", "total"])
        self.assertEqual((explanation["placed"], explanation["placing_tier"]), (True, "total"))
        available, total = explanation["tiers"]
        self.assertEqual(available["code"], "insufficient_memory")
        self.assertEqual(available["need"], size)
        self.assertEqual(available["cluster_sum"], sum(self.available.values()))
        self.assertEqual(available["cluster_nodes"], len(NODES))
        # The greatest sum in a ring of three is all three nodes.
        self.assertEqual(sorted(n["node_id"] for n in candidate_nodes(available)), sorted(self.available))
        for n in candidate_nodes(available):
            self.assertEqual(n["metric"], self.available[n["node_id"]])
        self.assertEqual(available["gap"], size - sum(self.available.values()))
        self.assertEqual(total["cluster_sum"], sum(self.total.values()))
        self.assertEqual(total["gap"], 0)
        self.assertEqual(explanation["rules_applied"], [])

    def test_explain_places_nothing_and_matches_the_placement(self):
        the_model = Model("m", sum(self.available.values()) + 100, 12)
        placement = self.topology.get_placement(the_model)
        explanation = self.topology.explain(the_model)
        self.assertEqual(explanation["placing_tier"], placement.memory_tier)
        # The tier that placed shows the placement's own ring, in rank order.
        self.assertEqual(tuple(n["node_id"] for n in candidate_nodes(explanation["tiers"][-1])), placement.nodes)

    def test_amounts_past_2_pow_64_are_exact(self):
        with Topology() as cluster:
            for node_id in "abc":
                cluster.add_node(node_id, ram_total=U64_MAX, ram_available=U64_MAX)
            explanation = cluster.explain(Model("m", U64_MAX, 12))
        (tier,) = explanation["tiers"]
        self.assertEqual(tier["cluster_sum"], 3 * U64_MAX)
        self.assertGreater(tier["cluster_sum"], U64_MAX)
        self.assert_adds_up(explanation)

    def test_no_tier_places_it(self):
        size = sum(self.total.values()) + 1
        explanation = self.topology.explain(Model("m", size, 12), no_fallback=True)
        self.assert_adds_up(explanation)
        # Every tier, whatever no_fallback and allow_swap say.
        self.assertEqual([tier["tier"] for tier in explanation["tiers"]], ["available", "total", "swap"])
        self.assertEqual((explanation["placed"], explanation["placing_tier"]), (False, None))
        self.assertTrue(all(tier["gap"] > 0 for tier in explanation["tiers"]))

    def test_tiers_start_at_the_memory_tier_asked_for(self):
        explanation = self.topology.explain(Model("m", 100, 12), memory_tier="total")
        self.assertEqual([tier["tier"] for tier in explanation["tiers"]], ["total"])

    def test_min_nodes_with_no_such_cycle_has_no_candidate(self):
        with two_node_topology() as cluster:
            explanation = cluster.explain(Model("m", 100, 12), min_nodes=3)
        self.assertFalse(explanation["placed"])
        for tier in explanation["tiers"]:
            self.assertIsNone(tier["candidate"])
            self.assertEqual(tier["gap"], tier["need"])

    def test_tensor_lengths_that_do_not_divide_hidden_size(self):
        hidden_size = 4  # divisible by 1, 2 and 4 but not 3
        the_model = Model("m", sum(self.available.values()) - 1, 12, hidden_size=hidden_size)
        explanation = self.topology.explain(the_model, sharding="Tensor")
        self.assert_adds_up(explanation)
        self.assertEqual(explanation["sharding"], "Tensor")
        removed = [rule for rule in explanation["rules_applied"] if rule["code"] == "no_tensor_sharding"]
        self.assertTrue(removed)
        for rule in removed:
            lengths = range(rule["first_length"], rule["last_length"] + 1)
            self.assertTrue(lengths)
            self.assertTrue(all(hidden_size % length for length in lengths), rule)
            self.assertIn(str(hidden_size), rule["message"])
        self.assertIn(len(NODES), [length for rule in removed
                                   for length in range(rule["first_length"], rule["last_length"] + 1)])
        # No candidate has a length the rule removed: all three nodes are out.
        for tier in explanation["tiers"]:
            self.assertEqual(hidden_size % len(candidate_nodes(tier)), 0)

    def test_tensor_not_supported(self):
        the_model = Model("m", 100, 12, supports_tensor=False)
        explanation = self.topology.explain(the_model, sharding="Tensor")
        (rule,) = explanation["rules_applied"]
        self.assertEqual((rule["code"], rule["first_length"], rule["last_length"]), ("tensor_not_supported", 0, 0))
        self.assertIn(the_model.model_id, rule["message"])
        with self.assertRaises(PlacementError) as caught:
            self.topology.get_placement(the_model, sharding="Tensor")
        self.assertEqual(caught.exception.code, "tensor_not_supported")
        self.assertEqual(caught.exception.explanation, explanation)
        self.assertEqual(caught.exception.explanation["tiers"][0]["code"], "tensor_not_supported")

    def test_fit_strategy_counts_layers(self):
        storage_size, n_layers, kv, reserve = 2400, 12, 30, 50
        the_model = Model("m", storage_size, n_layers, kv_cache_bytes_per_layer=kv)
        explanation = self.topology.explain(the_model, strategy="fit", reserve_bytes=reserve)
        self.assert_adds_up(explanation)
        layer_cost = -(-storage_size // n_layers) + kv
        self.assertEqual((explanation["unit"], explanation["layer_cost"], explanation["reserve_bytes"]),
                         ("layers", layer_cost, reserve))
        self.assertTrue(explanation["tiers"][0]["gap"] > 0, "the test needs a tier that does not fit")
        for tier in explanation["tiers"]:
            self.assertEqual(tier["need"], n_layers)
            for n in candidate_nodes(tier):
                memory = (self.available if tier["tier"] == "available" else self.total)[n["node_id"]]
                self.assertEqual(n["metric_bytes"], memory)
                self.assertEqual(n["metric"], max(memory - reserve, 0) // layer_cost)
                self.assertEqual(n["shortfall_bytes"], max(n["share"] * layer_cost + reserve - memory, 0))

    def test_bytes_shortfall_is_the_bytes_one(self):
        explanation = self.topology.explain(Model("m", sum(self.total.values()) + 10, 12))
        for tier in explanation["tiers"]:
            for n in candidate_nodes(tier):
                self.assertEqual(n["shortfall_bytes"], n["shortfall"])

    def test_node_ids_come_back_exactly(self):
        ids = ["\x1b[31mred\x1b[0m", "\u202eevil", "\u00e9" * 200, 'quote"back\\slash\n']
        nodes = [(node_id, 1000, 100 * (i + 1)) for i, node_id in enumerate(ids)]
        with ring_topology(nodes) as cluster:
            explanation = cluster.explain(Model("m", 10**6, 12))
        for tier in explanation["tiers"]:
            self.assertEqual(sorted(n["node_id"] for n in candidate_nodes(tier)), sorted(ids))

    def test_bad_input_raises_input_error(self):
        with self.assertRaises(InputError) as caught:
            self.topology.explain(Model("m", 100, 0))
        self.assertIn("n_layers", caught.exception.field)
        with self.assertRaises(InputError):
            self.topology.explain(Model("m", 100, 12), sharding="Diagonal")

    def test_closed_topology(self):
        self.topology.close()
        with self.assertRaises(ValueError):
            self.topology.explain(Model("m", 100, 12))


class TopologyPlacementExplanationTest(ExplanationChecks):
    def setUp(self):
        self.topology = ring_topology()
        self.addCleanup(self.topology.close)
        self.too_big = Model("m", sum(total for _, total, _ in NODES) + 1, 12)
        self.low_memory = Model("m", sum(available for _, _, available in NODES) + 1, 12)

    def test_failure_carries_the_explanation(self):
        with self.assertRaises(PlacementError) as caught:
            self.topology.get_placement(self.too_big)
        error = caught.exception
        self.assertEqual(error.code, "insufficient_memory")
        self.assertEqual(error.explanation, self.topology.explain(self.too_big))
        self.assertFalse(error.explanation["placed"])
        self.assert_adds_up(error.explanation)

    def test_failure_of_place_model_carries_the_explanation(self):
        with self.assertRaises(PlacementError) as caught:
            self.topology.place_model(self.low_memory, min_nodes=2)
        explanation = caught.exception.explanation
        self.assertEqual(explanation, self.topology.explain(self.low_memory, min_nodes=2))
        self.assertEqual(explanation["min_nodes"], 2)
        # One attempt failed; the explanation still says which tier would place it.
        self.assertEqual(explanation["placing_tier"], "total")

    def test_low_memory_placement_carries_the_explanation(self):
        placement = self.topology.get_placement(self.low_memory)
        self.assertTrue(placement.is_low_memory)
        self.assertEqual(placement.explanation, self.topology.explain(self.low_memory))
        self.assertEqual(placement.explanation["placing_tier"], placement.memory_tier)
        self.assert_adds_up(placement.explanation)
        in_total = self.topology.place_model(Model("m", 10, 12), memory_tier="total")
        self.assertTrue(in_total.is_low_memory)
        self.assertEqual([tier["tier"] for tier in in_total.explanation["tiers"]], ["total"])

    def test_strict_placement_has_none(self):
        placement = self.topology.get_placement(Model("m", 10, 12))
        self.assertFalse(placement.is_low_memory)
        self.assertIsNone(placement.explanation)
        self.assertIsNone(self.topology.place_model(Model("m", 10, 12)).explanation)

    def test_placements_stay_hashable(self):
        placement = self.topology.get_placement(self.low_memory)
        self.assertEqual(hash(placement), hash(self.topology.get_placement(self.low_memory)))

    def test_search_limit_has_none(self):
        dense = dense_request()
        with Topology() as cluster:
            ids = [n["nodeId"] for n in dense["topology"]["nodes"]]
            for node_id in ids:
                cluster.add_node(node_id, ram_total=10, ram_available=10)
            for a in ids:
                for b in ids:
                    if a != b:
                        cluster.add_connection(a, b, "/ip4/10.0.0.1/tcp/52415")
            with self.assertRaises(PlacementError) as caught:
                cluster.get_placement(Model("m", 75, 8), max_search_steps=1)
        self.assertEqual(caught.exception.code, "search_limit")
        self.assertIsNone(caught.exception.explanation)

    def test_manual_failure_has_none(self):
        with self.assertRaises(PlacementError) as caught:
            self.topology.place_manual(self.too_big, [("a", 4), ("b", 4), ("c", 4)])
        self.assertIsNone(caught.exception.explanation)

    def test_exo_main_failure_and_low_memory(self):
        card = exo_card(storage_size=2500)
        the_model = Model.from_card(card)
        with Topology() as cluster:
            for node_id in "ab":
                cluster.add_node(node_id, ram_total=2000, ram_available=1000)
                cluster.set_backends(node_id, ["MlxMetal"])
            cluster.add_connection("a", "b", "/ip4/10.0.0.2/tcp/52415")
            cluster.add_connection("b", "a", "/ip4/10.0.0.1/tcp/52415")
            cluster.add_interface("b", "en0", "10.0.0.2", "ethernet")
            cluster.add_interface("a", "en0", "10.0.0.1", "ethernet")
            placement = cluster.get_placement(the_model, rules="exo-main", random_seed=1)
            self.assertTrue(placement.is_low_memory)
            self.assertEqual(placement.explanation["rules"], "exo-main")
            self.assertEqual(placement.explanation["placing_tier"], placement.memory_tier)
            with self.assertRaises(PlacementError) as caught:
                cluster.get_placement(the_model, rules="exo-main", no_fallback=True)
            explanation = caught.exception.explanation
            self.assertEqual(explanation, cluster.explain(the_model, rules="exo-main", no_fallback=True))
            self.assertEqual(explanation["tiers"][0]["code"], caught.exception.code)
            # exo's graph has the pair: its best cycle is both nodes, 2000 of 2500 bytes.
            first = explanation["tiers"][0]
            self.assertEqual(sorted(n["node_id"] for n in first["candidate"]["nodes"]), ["a", "b"])
            self.assertEqual(first["gap"], 500)


class JsonExplanationTest(ExplanationChecks):
    def test_failure_carries_the_responses_explanation(self):
        body = ring_request(sum(total for _, total, _ in NODES) + 1)
        with self.assertRaises(PlacementError) as caught:
            exoplace.get_placement(body)
        explanation = caught.exception.explanation
        self.assertFalse(explanation["placed"])
        self.assert_adds_up(explanation)
        # The same cluster built in code explains it the same way.
        with ring_topology() as cluster:
            self.assertEqual(explanation, cluster.explain(Model("m", body["model"]["storageSize"]["inBytes"], 12)))

    def test_place_with_request_text(self):
        body = ring_request(sum(available for _, _, available in NODES) + 1)
        with self.assertRaises(PlacementError) as caught:
            exoplace.place(json.dumps(body))
        explanation = caught.exception.explanation
        self.assertEqual(explanation["tiers"][0]["code"], caught.exception.code)
        self.assertEqual(explanation["placing_tier"], "total")
        self.assert_adds_up(explanation)

    def test_low_memory_response_has_an_explanation(self):
        response = exoplace.get_placement(ring_request(sum(available for _, _, available in NODES) + 1))
        self.assertTrue(response["is_low_memory"])
        explanation = response["explanation"]
        self.assertEqual(explanation["placing_tier"], response["memory_tier"])
        self.assertEqual([n["node_id"] for n in candidate_nodes(explanation["tiers"][-1])], response["nodes"])
        self.assert_adds_up(explanation)

    def test_strict_response_has_none(self):
        response = exoplace.get_placement(ring_request(10))
        self.assertFalse(response["is_low_memory"])
        self.assertNotIn("explanation", response)

    def test_rules_applied_through_json(self):
        body = ring_request(100, sharding="Tensor")
        body["model"]["supportsTensor"] = False
        with self.assertRaises(PlacementError) as caught:
            exoplace.get_placement(body)
        self.assertEqual([rule["code"] for rule in caught.exception.explanation["rules_applied"]],
                         ["tensor_not_supported"])

    def test_search_limit_has_none(self):
        with self.assertRaises(PlacementError) as caught:
            exoplace.get_placement(dense_request(), max_search_steps=1)
        self.assertEqual(caught.exception.code, "search_limit")
        self.assertIsNone(caught.exception.explanation)

    def test_fit_strategy_through_json(self):
        body = ring_request(sum(available for _, _, available in NODES) + 1, strategy="fit")
        response = exoplace.get_placement(body)
        self.assertEqual(response["explanation"]["unit"], "layers")
        self.assertEqual(response["explanation"]["tiers"][0]["need"], body["model"]["nLayers"])

    def test_layers_failure_has_none(self):
        with self.assertRaises(PlacementError) as caught:
            exoplace.fit_layers([100, 100], 1, 10)  # fewer layers than nodes
        self.assertEqual(caught.exception.code, "invalid_split")
        self.assertIsNone(caught.exception.explanation)


class PlaceInstanceExplanationTest(ExplanationChecks):
    def test_low_memory_and_strict(self):
        state = exo_pair(available=1000, total=2000)
        low = exo.place_instance(state, {"model_card": exo_card(storage_size=2500)})
        self.assertTrue(low.is_low_memory)
        self.assertEqual(low.explanation["placing_tier"], low.memory_tier)
        strict = exo.place_instance(state, {"model_card": exo_card(storage_size=1500)})
        self.assertIsNone(strict.explanation)

    def test_failure_carries_it(self):
        state = exo_pair(available=1000, total=2000)
        with self.assertRaises(exo.PlacementError) as caught:
            exo.place_instance(state, {"model_card": exo_card(storage_size=2500)}, no_fallback=True)
        explanation = caught.exception.explanation
        self.assertEqual(explanation["rules"], "exo-main")
        self.assertEqual(explanation["tiers"][0]["code"], caught.exception.code)
        self.assertEqual(explanation["placing_tier"], "total")


class PlacementErrorTest(unittest.TestCase):
    def test_explanation_defaults_to_none(self):
        self.assertIsNone(PlacementError("invalid_split", "no layers").explanation)

    def test_pickling_keeps_the_explanation(self):
        with ring_topology() as cluster:
            with self.assertRaises(PlacementError) as caught:
                cluster.get_placement(Model("m", 10**6, 12))
        for error in (caught.exception, exo.PlacementError("insufficient_memory", "x", "", {"placed": False})):
            with self.subTest(type=type(error).__name__):
                copy = pickle.loads(pickle.dumps(error))
                self.assertIs(type(copy), type(error))
                self.assertEqual(copy.explanation, error.explanation)
                self.assertIsNotNone(copy.explanation)


if __name__ == "__main__":
    unittest.main()
