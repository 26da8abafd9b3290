"""The object layer: Topology, Model, Placement, Shard, Preview, ModelFit, parse_multiaddr."""
from __future__ import annotations

import gc
import unittest

import exoplace
from exoplace import InputError, Model, Placement, PlacementError, Preview, Shard, Topology
from support import node, request, ring, two_node_topology

U64_MAX = 2**64 - 1


class BuildingTest(unittest.TestCase):
    def setUp(self):
        self.topology = Topology()
        self.addCleanup(self.topology.close)

    def test_nodes_in_insertion_order_with_unknown_endpoints(self):
        self.topology.add_node("b", ram_total=10, ram_available=5)
        self.topology.add_node("a", ram_total=10, ram_available=5)
        self.topology.add_connection("b", "z", "/ip4/10.0.0.1/tcp/1")
        self.assertEqual(self.topology.node_ids, ["b", "a", "z"])
        self.assertEqual(len(self.topology), 3)
        self.assertIn("z", self.topology)
        self.assertNotIn("y", self.topology)
        self.assertNotIn("a\0", self.topology)
        self.assertNotIn(5, self.topology)
        self.assertIsNone(self.topology.node_memory("z"))

    def test_node_memory_round_trips(self):
        self.topology.add_node("a", ram_total=U64_MAX, ram_available=U64_MAX - 1, swap_total=7, swap_available=3,
                               pressure_level="critical", free_percent=0)
        self.topology.add_node("b", ram_total=1, ram_available=1)
        self.assertEqual(self.topology.node_memory("a"),
                         exoplace.NodeMemory(U64_MAX, U64_MAX - 1, 7, 3, "critical", 0))
        self.assertEqual(self.topology.node_memory("b"), exoplace.NodeMemory(1, 1))

    def test_node_without_profile_is_never_placed_on(self):
        self.topology.add_node("ghost", profile=False)
        self.assertIsNone(self.topology.node_memory("ghost"))
        with self.assertRaises(PlacementError):
            self.topology.get_placement(Model("m", 0, 1))

    def test_endpoint_added_first_gets_its_profile_later(self):
        self.topology.add_connection("a", "b", "/ip4/10.0.0.1/tcp/1")
        self.topology.add_node("b", ram_total=10, ram_available=10)
        self.assertEqual(self.topology.node_memory("b"), exoplace.NodeMemory(10, 10))

    def test_identical_connections_count_once(self):
        for _ in range(3):
            self.topology.add_connection("a", "b", "/ip4/10.0.0.1/tcp/1")
        self.topology.add_connection("a", "b", "/ip4/10.0.0.2/tcp/1")
        self.assertEqual(self.topology.connection_count, 2)

    def test_interfaces_need_a_known_node(self):
        self.topology.add_node("a", ram_total=1, ram_available=1)
        self.topology.add_interface("a", "en0", "192.168.1.2")
        with self.assertRaises(InputError) as caught:
            self.topology.add_interface("nobody", "en0", "192.168.1.3")
        self.assertEqual(caught.exception.code, "unknown_node")

    def test_bad_nodes_are_refused_naming_the_field(self):
        self.topology.add_node("a", ram_total=1, ram_available=1)
        cases = [
            (lambda: self.topology.add_node("a", ram_total=1, ram_available=1), "duplicate_node", "node_id"),
            (lambda: self.topology.add_node("", ram_total=1, ram_available=1), "invalid_argument", "node_id"),
            (lambda: self.topology.add_node("x" * 1025), "limit_exceeded", "node_id"),
            (lambda: self.topology.add_node("nul\0id"), "invalid_argument", "node_id"),
            (lambda: self.topology.add_node("b", ram_total=-1), "invalid_argument", "ram_total"),
            (lambda: self.topology.add_node("b", swap_available=U64_MAX + 1), "invalid_argument", "swap_available"),
            (lambda: self.topology.add_node("b", free_percent=101), "invalid_argument", "memory.free_percent"),
            (lambda: self.topology.add_node("b", pressure_level="panic"), "invalid_argument", "pressure_level"),
            (lambda: self.topology.add_node("b", ram_total=5, profile=False), "invalid_argument", "profile"),
        ]
        for add, code, field in cases:
            with self.subTest(field=field, code=code):
                with self.assertRaises(ValueError) as caught:
                    add()
                self.assertEqual((caught.exception.code, caught.exception.field), (code, field))
        self.assertEqual(self.topology.node_ids, ["a"])

    def test_bad_connections_are_refused(self):
        with self.assertRaises(InputError) as caught:
            self.topology.add_connection("a", "b", "/ip4/300.0.0.1/tcp/1")
        self.assertEqual(caught.exception.field, "multiaddr")
        with self.assertRaises(InputError):
            self.topology.add_connection("", "b", "/ip4/10.0.0.1/tcp/1")
        with self.assertRaises(TypeError):
            self.topology.add_connection("a", b"b", "/ip4/10.0.0.1/tcp/1")
        self.assertEqual(self.topology.connection_count, 0)

    def test_leaves_and_unknown_nodes(self):
        self.topology.add_connection("a", "b", "/ip4/10.0.0.1/tcp/1")
        self.topology.add_connection("b", "a", "/ip4/10.0.0.2/tcp/1")
        self.topology.add_connection("b", "c", "/ip4/10.0.0.3/tcp/1")
        self.assertTrue(self.topology.is_leaf("a"))
        self.assertFalse(self.topology.is_leaf("b"))
        with self.assertRaises(InputError) as caught:
            self.topology.is_leaf("nobody")
        self.assertEqual(caught.exception.code, "unknown_node")
        with self.assertRaises(InputError):
            self.topology.node_memory("nobody")


class CyclesTest(unittest.TestCase):
    def test_cycles_filter_and_thunderbolt(self):
        with Topology() as topology:
            topology.add_node("b", ram_total=100, ram_available=10)
            topology.add_node("a", ram_total=100, ram_available=50)
            topology.add_connection("a", "b", "/ip4/169.254.0.2/tcp/1")
            topology.add_connection("b", "a", "/ip4/169.254.0.1/tcp/1")
            topology.add_connection("b", "c", "/ip4/10.0.0.3/tcp/1")
            topology.add_connection("c", "b", "/ip4/10.0.0.2/tcp/1")
            self.assertEqual(topology.cycles(), [["a"], ["b"], ["c"], ["a", "b"], ["b", "c"]])
            self.assertEqual(topology.cycles(min_bytes=50), [["a"], ["a", "b"]])
            self.assertEqual(topology.cycles(min_bytes=101, use_total_memory=True), [["a", "b"]])
            self.assertTrue(topology.is_thunderbolt_cycle(["a", "b"]))
            self.assertFalse(topology.is_thunderbolt_cycle(["b", "c"]))
            self.assertTrue(topology.is_thunderbolt_cycle(["c"]))
            with self.assertRaises(InputError):
                topology.is_thunderbolt_cycle([])
            with self.assertRaises(InputError):
                topology.is_thunderbolt_cycle(["a", "nobody"])
            with self.assertRaises(InputError) as caught:
                topology.cycles(max_cycles=4)
            self.assertEqual(caught.exception.code, "too_many_cycles")

    def test_empty_topology_has_no_cycles(self):
        with Topology() as topology:
            self.assertEqual(topology.cycles(), [])
            self.assertEqual(topology.cycles(min_bytes=0), [])


class PlacingTest(unittest.TestCase):
    def setUp(self):
        self.topology = two_node_topology(available=1000, total=2000)
        self.addCleanup(self.topology.close)

    def test_get_placement_returns_dataclasses(self):
        placement = self.topology.get_placement(Model("m", 1501, 5), strategy="exo")
        self.assertEqual(placement, Placement(
            model_id="m", sharding="Pipeline", instance_meta="MlxRing", memory_tier="available",
            is_low_memory=False, nodes=("a", "b"),
            shards=(Shard("a", 0, 2, 0, 2, 5, 751), Shard("b", 1, 2, 2, 5, 5, 750))))
        self.assertEqual(placement.memory_delta_by_node, {"a": 751, "b": 750})

    def test_matches_the_json_layer(self):
        body = request([node("a", 2000, 1000), node("b", 2000, 1000)], ring("a", "b"))
        for storage_size in (10, 1500, 3000):
            with self.subTest(storage_size=storage_size):
                from_objects = self.topology.get_placement(Model("m", storage_size, 7))
                from_json = exoplace.get_placement(body, model=Model("m", storage_size, 7))
                self.assertEqual(list(from_objects.nodes), from_json["nodes"])
                self.assertEqual(from_objects.memory_tier, from_json["memory_tier"])
                self.assertEqual([(s.node_id, s.device_rank, s.world_size, s.start_layer, s.end_layer, s.n_layers)
                                  for s in from_objects.shards],
                                 [(s["node_id"], s["device_rank"], s["world_size"], s["start_layer"],
                                   s["end_layer"], s["n_layers"]) for s in from_json["shards"]])

    def test_ladder_options(self):
        low = self.topology.get_placement(Model("m", 3000, 4))
        self.assertEqual((low.memory_tier, low.is_low_memory), ("total", True))
        with self.assertRaises(PlacementError):
            self.topology.get_placement(Model("m", 3000, 4), no_fallback=True)
        self.assertEqual(self.topology.get_placement(Model("m", 3000, 4), memory_tier="total").memory_tier, "total")
        with self.assertRaises(PlacementError) as caught:
            self.topology.get_placement(Model("m", 5000, 4), allow_swap=True)
        self.assertEqual(caught.exception.code, "insufficient_memory")

    def test_place_model_is_one_attempt(self):
        with self.assertRaises(PlacementError) as caught:
            self.topology.place_model(Model("m", 3000, 4))
        self.assertEqual(str(caught.exception), "No cycles found with sufficient memory")
        placed = self.topology.place_model(Model("m", 3000, 4), memory_tier="total")
        self.assertTrue(placed.is_low_memory)

    def test_tensor_and_jaccl(self):
        tensor = self.topology.get_placement(Model("m", 1500, 4, hidden_size=4096, supports_tensor=True),
                                             sharding="Tensor", instance_meta="MlxJaccl")
        self.assertEqual((tensor.sharding, tensor.instance_meta), ("Tensor", "MlxJaccl"))
        self.assertTrue(all((s.start_layer, s.end_layer) == (0, 4) for s in tensor.shards))
        single = self.topology.get_placement(Model("m", 10, 4), instance_meta="MlxJaccl")
        self.assertEqual(single.instance_meta, "MlxRing")
        with self.assertRaises(PlacementError) as caught:
            self.topology.get_placement(Model("m", 1500, 4, hidden_size=3), sharding="Tensor", no_fallback=True)
        self.assertEqual(caught.exception.code, "no_tensor_sharding")
        self.assertEqual(caught.exception.field, "model.hidden_size")
        with self.assertRaises(PlacementError) as caught:
            self.topology.place_model(Model("m", 10, 4, supports_tensor=False), sharding="Tensor")
        self.assertEqual(caught.exception.code, "tensor_not_supported")

    def test_min_nodes_and_invalid_split(self):
        self.assertEqual(len(self.topology.get_placement(Model("m", 10, 4), min_nodes=2).nodes), 2)
        with self.assertRaises(PlacementError) as caught:
            self.topology.place_model(Model("m", 10, 1), min_nodes=2)
        self.assertEqual(caught.exception.code, "invalid_split")

    def test_fit_counts_layers_with_the_kv_cache_and_the_reserve(self):
        # 1500 bytes over 5 layers: 300 a layer; a and b hold 3 each in available memory.
        model = Model("m", 1500, 5)
        fitted = self.topology.get_placement(model, strategy="fit")
        self.assertEqual((fitted.nodes, fitted.memory_tier), (("a", "b"), "available"))
        self.assertEqual([s.end_layer - s.start_layer for s in fitted.shards], [3, 2])
        # 100 bytes of KV cache a layer: 400 each, 2 + 2 in available memory, 5 in a's total.
        with_kv = Model("m", 1500, 5, kv_cache_bytes_per_layer=100)
        self.assertEqual(self.topology.get_placement(with_kv).nodes, ("a", "b"))  # bytes alone
        placed = self.topology.get_placement(with_kv, strategy="fit")
        self.assertEqual((placed.nodes, placed.memory_tier, placed.is_low_memory), (("a",), "total", True))
        # A reserve of 201 bytes: 799 // 300 = 2 each in available memory.
        reserved = self.topology.get_placement(model, strategy="fit", reserve_bytes=201)
        self.assertEqual((reserved.nodes, reserved.memory_tier), (("a",), "total"))
        with self.assertRaises(PlacementError) as caught:
            self.topology.place_model(with_kv, strategy="fit")
        self.assertEqual(caught.exception.code, "insufficient_memory")
        # One byte of reserve: 1999 // 400 = 4 in total memory, so a alone no longer holds 5.
        previews = self.topology.previews(with_kv, strategy="fit", reserve_bytes=1)
        self.assertEqual((previews[0].placement.nodes, previews[0].placement.memory_tier), (("a", "b"), "total"))
        with self.assertRaises(InputError) as caught:
            self.topology.get_placement(model, reserve_bytes=1)
        self.assertEqual(caught.exception.field, "reserve_bytes")
        with self.assertRaises(InputError) as caught:
            self.topology.get_placement(Model("m", 1, 1, kv_cache_bytes_per_layer=-1), strategy="fit")
        self.assertEqual(caught.exception.field, "model.kv_cache_bytes_per_layer")
        with self.assertRaises(TypeError):
            Model("m", 1, 1, kv_cache_bytes_per_layer="1")
        self.assertEqual(with_kv.as_json()["kvCacheBytesPerLayer"], 100)
        self.assertNotIn("kvCacheBytesPerLayer", model.as_json())

    def test_place_manual_checks_the_ring_and_each_nodes_memory(self):
        model = Model("m", 1500, 5, kv_cache_bytes_per_layer=100)  # 400 bytes a layer
        placed = self.topology.place_manual(model, [("b", 2), ("a", 3)], memory_tier="total")
        self.assertEqual(placed.nodes, ("b", "a"))
        self.assertEqual([(s.start_layer, s.end_layer) for s in placed.shards], [(0, 2), (2, 5)])
        self.assertEqual((placed.memory_tier, placed.is_low_memory), ("total", True))
        with self.assertRaises(PlacementError) as caught:
            self.topology.place_manual(model, [("a", 3), ("b", 2)])
        self.assertEqual(caught.exception.code, "node_insufficient_memory")
        self.assertEqual(caught.exception.field, "layer_counts[0]")
        self.assertIn("node a cannot hold its 3 layers in available memory", str(caught.exception))
        self.assertIn(": 200 bytes short", str(caught.exception))
        with self.assertRaises(PlacementError):
            self.topology.place_manual(model, [("a", 5)], memory_tier="total", reserve_bytes=1)
        for ring, field in (([("a", 3), ("b", 3)], "layer_counts"), ([("a", 5), ("z", 0)], "layer_counts[1]"),
                            ([("a", 2), ("a", 3)], "node_ids[1]"), ([], "n_nodes")):
            with self.subTest(ring=ring):
                with self.assertRaises(InputError) as caught:
                    self.topology.place_manual(model, ring, memory_tier="total")
                self.assertEqual(caught.exception.field, field)
        with self.assertRaises(TypeError):
            self.topology.place_manual(model, ["a"])

    def test_bad_arguments_name_the_field(self):
        cases = [
            (dict(model=Model("", 1, 1)), "model.model_id"),
            (dict(model=Model("m", 1, 0)), "model.n_layers"),
            (dict(model=Model("m", -1, 1)), "model.storage_size"),
            (dict(model=Model("m", 1, 1, hidden_size=0)), "model.hidden_size"),
            (dict(model=Model("m", 1, 1), min_nodes=0), "min_nodes"),
            (dict(model=Model("m", 1, 1), sharding="Diagonal"), "sharding"),
            (dict(model=Model("m", 1, 1), instance_meta="Mpi"), "instance_meta"),
            (dict(model=Model("m", 1, 1), memory_tier="disk"), "memory_tier"),
            (dict(model=Model("m", 1, 1), strategy="even"), "strategy"),
            (dict(model=Model("m", 1, 1), max_search_steps=-1), "max_search_steps"),
        ]
        for arguments, field in cases:
            with self.subTest(field=field):
                with self.assertRaises(InputError) as caught:
                    self.topology.get_placement(**arguments)
                self.assertEqual(caught.exception.field, field)
        with self.assertRaises(TypeError):
            self.topology.get_placement({"modelId": "m"})

    def test_previews(self):
        previews = self.topology.previews(Model("m", 1500, 4, hidden_size=3))
        self.assertEqual([(p.sharding, p.instance_meta, p.min_nodes, p.ok) for p in previews], [
            ("Pipeline", "MlxRing", 1, True), ("Pipeline", "MlxJaccl", 1, True),
            ("Tensor", "MlxRing", 1, True), ("Tensor", "MlxRing", 2, False),
            ("Tensor", "MlxJaccl", 1, True), ("Tensor", "MlxJaccl", 2, False)])
        # Only the pair holds 1500 bytes in available memory, so min_nodes 1
        # and 2 give the same pipeline placement, listed once.
        self.assertEqual(previews[0].placement.nodes, ("a", "b"))
        self.assertFalse(previews[0].is_low_memory)
        self.assertEqual(previews[0].placement.memory_delta_by_node, {"a": 750, "b": 750})
        # A ring of 2 does not divide hidden_size 3: tensor fits one node in total memory only.
        self.assertEqual(previews[2].placement.nodes, ("a",))
        self.assertTrue(previews[2].is_low_memory)
        self.assertEqual(previews[2].placement.memory_tier, "total")
        self.assertEqual(previews[3], Preview("m", "Tensor", "MlxRing", 2, None, "no_tensor_sharding",
                                              "No tensor sharding found for model with hidden_size 3 candidate cycles"))
        self.assertFalse(previews[3].is_low_memory)
        with self.assertRaises(InputError):
            self.topology.previews(Model("m", 1, 1), strategy="odd")

    def test_model_fit_and_order(self):
        self.assertEqual(self.topology.model_fit(2000), exoplace.ModelFit(True, True))
        self.assertEqual(self.topology.model_fit(4000).fit, "low_memory")
        self.assertEqual(self.topology.model_fit(4001).fit, "does_not_fit")
        self.assertEqual(self.topology.model_fit(1).fit, "fits")
        with self.assertRaises(InputError):
            self.topology.model_fit(-1)
        models = [Model("b", 10, 1), Model("huge", 9999, 1), Model("a", 10, 1), Model("mid", 3000, 1)]
        self.assertEqual([m.model_id for m in self.topology.order_models(models)], ["a", "b", "mid", "huge"])
        self.assertEqual(self.topology.order_models([]), [])


class LifetimeTest(unittest.TestCase):
    def test_closed_topology_refuses_calls(self):
        topology = two_node_topology()
        topology.close()
        topology.close()
        self.assertTrue(topology.closed)
        for call in (lambda: topology.node_ids, lambda: topology.get_placement(Model("m", 1, 1)),
                     lambda: topology.add_node("c"), lambda: topology.cycles()):
            with self.assertRaisesRegex(ValueError, "closed"):
                call()

    def test_results_outlive_the_topology(self):
        with two_node_topology() as topology:
            placement = topology.get_placement(Model("m", 1500, 4))
            previews = topology.previews(Model("m", 1500, 4))
        self.assertTrue(topology.closed)
        self.assertEqual(placement.nodes, ("a", "b"))
        self.assertEqual(previews[1].placement.nodes, ("a", "b"))

    def test_garbage_collector_frees_an_unclosed_topology(self):
        topology = two_node_topology()
        handle = topology._handle
        self.assertTrue(handle.value)
        del topology
        gc.collect()
        self.assertIsNone(handle.value, "__del__ did not free the C topology")

    def test_model_as_json_is_exo_wire_format(self):
        self.assertEqual(Model("m", 5, 2).as_json(), {"modelId": "m", "storageSize": {"inBytes": 5}, "nLayers": 2})
        self.assertEqual(Model("m", 5, 2, 64, False).as_json(),
                         {"modelId": "m", "storageSize": {"inBytes": 5}, "nLayers": 2, "hiddenSize": 64,
                          "supportsTensor": False})


class MultiaddrTest(unittest.TestCase):
    def test_parses_each_kind(self):
        self.assertEqual(exoplace.parse_multiaddr("/ip4/169.254.1.2/tcp/5001"),
                         exoplace.Multiaddr("ip4", "169.254.1.2", 5001, True))
        self.assertEqual(exoplace.parse_multiaddr("/ip6/fe80::1/tcp/80"), exoplace.Multiaddr("ip6", "fe80::1", 80))
        self.assertEqual(exoplace.parse_multiaddr("/dns4/studio.local"), exoplace.Multiaddr("dns", "studio.local"))

    def test_refuses_bad_text(self):
        for text in ("/ip4/1.2.3/tcp/1", "/ip4/1.2.3.4/tcp/70000", "ip4", ""):
            with self.subTest(text=text):
                with self.assertRaises(InputError):
                    exoplace.parse_multiaddr(text)


if __name__ == "__main__":
    unittest.main()
