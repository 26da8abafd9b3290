"""The functions on json.md-shaped data: get_placement, place, previews, cycles,
model_fit, distribute_layers, probe_local."""
from __future__ import annotations

import json
import tempfile
import unittest
from pathlib import Path

import exoplace
from exoplace import InputError, Model, PlacementError, ProbeError
from support import connection, exo_card, exo_memory, exo_pair, exo_state, model, node, request, ring, two_node_topology

U64_MAX = 2**64 - 1


def three_node_ring(storage_size: int = 1500, **settings):
    return request([node("a", 1000, 500), node("b", 1000, 500), node("c", 1000, 500)], ring("a", "b", "c"),
                   model("m", storage_size, 12), **settings)


class GetPlacementTest(unittest.TestCase):
    def test_strict_placement_in_available_memory(self):
        placement = exoplace.get_placement(three_node_ring(1400))
        self.assertTrue(placement["ok"])
        self.assertEqual(placement["model_id"], "m")
        self.assertEqual(sorted(placement["nodes"]), ["a", "b", "c"])
        self.assertEqual(placement["memory_tier"], "available")
        self.assertFalse(placement["is_low_memory"])
        self.assertEqual([s["node_id"] for s in placement["shards"]], placement["nodes"])
        self.assertEqual(placement["shards"][0]["start_layer"], 0)
        self.assertEqual(placement["shards"][-1]["end_layer"], 12)

    def test_falls_back_to_total_memory_when_available_is_short(self):
        placement = exoplace.get_placement(three_node_ring(2500))
        self.assertTrue(placement["is_low_memory"])
        self.assertEqual(placement["memory_tier"], "total")

    def test_no_fallback_raises_the_strict_error(self):
        with self.assertRaises(PlacementError) as caught:
            exoplace.get_placement(three_node_ring(2500), no_fallback=True)
        self.assertEqual(caught.exception.code, "insufficient_memory")
        self.assertEqual(str(caught.exception), "No cycles found with sufficient memory")

    def test_swap_tier_only_with_allow_swap(self):
        with_swap = node("a", 1000, 500, swapAvailable={"inBytes": 1000})
        body = request([with_swap], [], model("m", 1800, 4))
        with self.assertRaises(PlacementError):
            exoplace.get_placement(body)
        self.assertEqual(exoplace.get_placement(body, allow_swap=True)["memory_tier"], "swap")

    def test_pressure_tier_when_a_node_reports_free_percent(self):
        body = request([node("a", 1000, 100, freePercent=50)], [], model("m", 400, 4))
        placement = exoplace.get_placement(body)
        self.assertEqual(placement["memory_tier"], "pressure")
        self.assertTrue(placement["is_low_memory"])

    def test_strategy_picks_the_layer_split(self):
        body = request([node("a", 100, 100), node("b", 100, 100)], ring("a", "b"), model("m", 150, 5))
        exo = exoplace.get_placement(body, strategy="exo")
        largest = exoplace.get_placement(body)
        self.assertEqual([s["end_layer"] - s["start_layer"] for s in exo["shards"]], [2, 3])
        self.assertEqual([s["end_layer"] - s["start_layer"] for s in largest["shards"]], [3, 2])

    def test_tensor_not_supported_is_exo_text(self):
        body = three_node_ring(1400, sharding="Tensor")
        body["model"]["supportsTensor"] = False
        with self.assertRaises(PlacementError) as caught:
            exoplace.get_placement(body)
        self.assertEqual(caught.exception.code, "tensor_not_supported")
        self.assertEqual(str(caught.exception),
                         "Requested Tensor sharding but this model does not support tensor parallelism: m")

    def test_search_limit_is_a_placement_failure(self):
        ids = [f"n{i}" for i in range(8)]
        body = request([node(i, 10, 10) for i in ids], [connection(a, b) for a in ids for b in ids if a != b],
                       model("m", 75, 8))
        with self.assertRaises(PlacementError) as caught:
            exoplace.get_placement(body, max_search_steps=1)
        self.assertEqual(caught.exception.code, "search_limit")
        self.assertEqual(len(exoplace.get_placement(body)["nodes"]), 8)

    def test_accepts_json_text_and_bytes(self):
        text = json.dumps(three_node_ring(1400))
        from_dict = exoplace.get_placement(three_node_ring(1400))
        self.assertEqual(exoplace.get_placement(text), from_dict)
        self.assertEqual(exoplace.get_placement(text.encode()), from_dict)

    def test_exo_state_document_with_model_argument(self):
        state = {"topology": three_node_ring()["topology"], "instances": {}, "runners": {}, "downloads": {}}
        placement = exoplace.get_placement(state, model=Model("llama", 1400, 12))
        self.assertEqual(placement["model_id"], "llama")
        as_text = exoplace.get_placement(json.dumps(state), model=model("llama", 1400, 12))
        self.assertEqual(as_text, placement)

    def test_model_argument_replaces_the_requests_model(self):
        body = three_node_ring()
        placement = exoplace.get_placement(body, model=Model("other", 100, 3))
        self.assertEqual(placement["model_id"], "other")
        self.assertEqual(len(placement["nodes"]), 1)
        self.assertEqual(body, three_node_ring(), "the caller's request was modified")

    def test_memory_up_to_2_pow_64_minus_1_round_trips(self):
        body = request([node("a", U64_MAX, U64_MAX), node("b", U64_MAX, U64_MAX)], ring("a", "b"),
                       model("m", U64_MAX, 10), min_nodes=2)
        placement = exoplace.get_placement(body)
        self.assertEqual(sorted(placement["nodes"]), ["a", "b"])
        deltas = exoplace.previews(body)["previews"][1]["memory_delta_by_node"]
        self.assertEqual(deltas, {"a": 2**63, "b": 2**63 - 1})

    def test_bad_field_raises_value_error_naming_it(self):
        body = three_node_ring()
        body["topology"]["nodes"][1]["nodeProfile"]["memory"]["ramAvailable"] = {"inBytes": -5}
        with self.assertRaises(ValueError) as caught:
            exoplace.get_placement(body)
        error = caught.exception
        self.assertIsInstance(error, InputError)
        self.assertEqual(error.code, "invalid_argument")
        self.assertEqual(error.field, "topology.nodes[1].nodeProfile.memory.ramAvailable.inBytes")
        self.assertTrue(str(error).startswith(error.field + ": "), str(error))

    def test_memory_above_2_pow_64_minus_1_is_refused(self):
        body = three_node_ring()
        body["model"]["storageSize"] = U64_MAX + 1
        with self.assertRaises(InputError) as caught:
            exoplace.get_placement(body)
        self.assertEqual(caught.exception.field, "model.storageSize")

    def test_duplicate_node_id_is_refused(self):
        body = request([node("a", 10, 10), node("a", 10, 10)], [], model())
        with self.assertRaises(InputError) as caught:
            exoplace.get_placement(body)
        self.assertEqual(caught.exception.code, "duplicate_node")
        self.assertEqual(caught.exception.field, "topology.nodes[1].nodeId")

    def test_malformed_json_names_line_and_column(self):
        with self.assertRaises(InputError) as caught:
            exoplace.get_placement('{"topology": ')
        self.assertEqual(caught.exception.code, "invalid_json")
        self.assertIn("line 1", str(caught.exception))

    def test_nul_in_request_text_is_refused_not_truncated(self):
        text = json.dumps(three_node_ring()) + "\0 trailing garbage"
        with self.assertRaises(InputError) as caught:
            exoplace.get_placement(text)
        self.assertEqual(caught.exception.code, "invalid_json")
        self.assertIn("\\x00", str(caught.exception))

    def test_model_argument_needs_an_object_request(self):
        with self.assertRaises(InputError):
            exoplace.get_placement("[1, 2]", model=Model("m", 1, 1))
        with self.assertRaises(InputError) as caught:
            exoplace.get_placement("{not json", model=Model("m", 1, 1))
        self.assertEqual(caught.exception.code, "invalid_json")

    def test_wrong_python_types_raise_type_error(self):
        with self.assertRaises(TypeError):
            exoplace.get_placement([three_node_ring()])
        with self.assertRaises(TypeError):
            exoplace.get_placement({"topology": {"nodes": {1, 2}}})
        with self.assertRaises(TypeError):
            exoplace.get_placement(three_node_ring(), max_search_steps="many")

    def test_bad_keyword_options_name_the_option(self):
        with self.assertRaises(InputError) as caught:
            exoplace.get_placement(three_node_ring(), strategy="fastest")
        self.assertEqual(caught.exception.field, "strategy")
        with self.assertRaises(InputError) as caught:
            exoplace.get_placement(three_node_ring(), max_search_steps=-1)
        self.assertEqual(caught.exception.field, "max_search_steps")


class PlaceTest(unittest.TestCase):
    def test_one_attempt_does_not_fall_back(self):
        with self.assertRaises(PlacementError) as caught:
            exoplace.place(three_node_ring(2500))
        self.assertEqual(caught.exception.code, "insufficient_memory")

    def test_allow_low_memory_places_in_total_memory(self):
        placement = exoplace.place(three_node_ring(2500, allow_low_memory=True))
        self.assertTrue(placement["is_low_memory"])
        self.assertEqual(placement["memory_tier"], "total")

    def test_strict_success_matches_get_placement(self):
        self.assertEqual(exoplace.place(three_node_ring(1400), strategy="exo"),
                         exoplace.get_placement(three_node_ring(1400), strategy="exo"))

    def test_bad_input_raises(self):
        with self.assertRaises(InputError) as caught:
            exoplace.place(three_node_ring(sharding="Diagonal"))
        self.assertEqual(caught.exception.field, "sharding")


class PreviewsTest(unittest.TestCase):
    def test_every_combination_of_one_node(self):
        body = request([node("n", 1000, 1000)], [], model("m", 500, 4))
        previews = exoplace.previews(body)["previews"]
        self.assertEqual([(p["sharding"], p["instance_meta"]) for p in previews],
                         [("Pipeline", "MlxRing"), ("Pipeline", "MlxJaccl"), ("Tensor", "MlxRing"),
                          ("Tensor", "MlxJaccl")])
        for preview in previews:
            self.assertEqual(preview["nodes"], ["n"])
            self.assertIsNone(preview["error"])
            self.assertEqual(preview["memory_delta_by_node"], {"n": 500})

    def test_error_previews_carry_exo_text_and_do_not_raise(self):
        body = request([node("n", 1000, 1000)], [], model("m", 5000, 4))
        previews = exoplace.previews(body)["previews"]
        self.assertEqual({p["error"] for p in previews}, {"No cycles found with sufficient memory"})
        self.assertTrue(all(p["nodes"] is None for p in previews))

    def test_models_list_gives_previews_per_model(self):
        body = request([node("n", 1000, 1000)], [])
        previews = exoplace.previews(body, model=[Model("x", 10, 1), Model("y", 20, 1)])["previews"]
        self.assertEqual([p["model_id"] for p in previews], ["x"] * 4 + ["y"] * 4)

    def test_low_memory_previews_with_no_fallback_become_errors(self):
        body = request([node("n", 1000, 100)], [], model("m", 500, 4))
        self.assertTrue(all(p["is_low_memory"] for p in exoplace.previews(body)["previews"]))
        strict = exoplace.previews(body, no_fallback=True)["previews"]
        self.assertTrue(all(p["error"] == "No cycles found with sufficient memory" for p in strict))

    def test_bad_input_raises(self):
        with self.assertRaises(InputError) as caught:
            exoplace.previews(request([node("n", 1, 1)], []))
        self.assertEqual(caught.exception.field, "model")


class CyclesTest(unittest.TestCase):
    def setUp(self):
        self.body = request([node("b", 100, 10), node("a", 100, 50), node("c", 100, 50)],
                            ring("a", "b") + [connection("b", "c"), connection("c", "a")])

    def test_canonical_order_from_each_input_form(self):
        expected = [["a"], ["b"], ["c"], ["a", "b"], ["a", "b", "c"]]
        self.assertEqual(exoplace.cycles(self.body), expected)
        self.assertEqual(exoplace.cycles(self.body["topology"]), expected)
        self.assertEqual(exoplace.cycles(json.dumps(self.body)), expected)
        with two_node_topology() as topology:
            self.assertEqual(exoplace.cycles(topology), [["a"], ["b"], ["a", "b"]])

    def test_memory_filter(self):
        self.assertEqual(exoplace.cycles(self.body, min_bytes=60), [["a", "b"], ["a", "b", "c"]])
        self.assertEqual(exoplace.cycles(self.body, min_bytes=200, use_total_memory=True),
                         [["a", "b"], ["a", "b", "c"]])
        self.assertEqual(exoplace.cycles(self.body, min_bytes=301, use_total_memory=True), [])

    def test_too_many_cycles(self):
        with self.assertRaises(InputError) as caught:
            exoplace.cycles(self.body, max_cycles=2)
        self.assertEqual(caught.exception.code, "too_many_cycles")

    def test_bad_input_raises(self):
        with self.assertRaises(InputError):
            exoplace.cycles({"topology": {"nodes": "a"}})
        with self.assertRaises(InputError) as caught:
            exoplace.cycles(self.body, min_bytes=-1)
        self.assertEqual(caught.exception.field, "min_bytes")


class ModelFitTest(unittest.TestCase):
    def test_order_and_fit_words(self):
        body = request([node("a", 1000, 400), node("b", 1000, 400)], ring("a", "b"))
        models = [Model("small", 100, 1), Model("huge", 5000, 1), Model("medium", 1500, 1)]
        fits = exoplace.model_fit(body, model=models)
        self.assertEqual([(f["model_id"], f["fit"]) for f in fits],
                         [("small", "fits"), ("medium", "low_memory"), ("huge", "does_not_fit")])
        self.assertEqual(fits[1]["storage_size"], 1500)
        self.assertEqual((fits[1]["will_fit"], fits[1]["can_fit"]), (False, True))

    def test_single_model_request(self):
        fits = exoplace.model_fit(request([node("a", 10, 10)], [], model("m", U64_MAX, 1)))
        self.assertEqual(fits, [{"model_id": "m", "storage_size": U64_MAX, "will_fit": False, "can_fit": False,
                                 "fit": "does_not_fit"}])

    def test_bad_input_raises(self):
        with self.assertRaises(InputError) as caught:
            exoplace.model_fit(request([node("a", 10, 10)], [], {"modelId": "m", "nLayers": 1}))
        self.assertEqual(caught.exception.field, "model.storageSize")


class DistributeLayersTest(unittest.TestCase):
    def test_exo_strategy_rounds_half_to_even(self):
        self.assertEqual(exoplace.distribute_layers([319488, 530432, 1048576], 12, "exo"), [2, 3, 7])
        self.assertEqual(exoplace.distribute_layers([100, 100], 5, "exo"), [2, 3])

    def test_largest_remainder_is_the_default(self):
        self.assertEqual(exoplace.distribute_layers([100, 100], 5), [3, 2])
        self.assertEqual(exoplace.distribute_layers([U64_MAX, U64_MAX, 1], 7), [3, 3, 1])

    def test_invalid_split_is_a_placement_error(self):
        with self.assertRaises(PlacementError) as caught:
            exoplace.distribute_layers([100] * 5, 4, "exo")
        self.assertEqual(caught.exception.code, "invalid_split")
        with self.assertRaises(PlacementError):
            exoplace.distribute_layers([100] * 5, 4)

    def test_bad_arguments_name_the_field(self):
        cases = [(([], 3), "memory"), (([1, -1], 3), "memory[1]"), (([U64_MAX + 1], 3), "memory[0]"),
                 (([1], 0), "n_layers"), (([1], 2**32), "n_layers")]
        for (memory, n_layers), field in cases:
            with self.subTest(memory=memory, n_layers=n_layers):
                with self.assertRaises(InputError) as caught:
                    exoplace.distribute_layers(memory, n_layers)
                self.assertEqual(caught.exception.field, field)
        with self.assertRaises(InputError) as caught:
            exoplace.distribute_layers([1], 1, "random")
        self.assertEqual(caught.exception.field, "strategy")
        with self.assertRaises(TypeError):
            exoplace.distribute_layers([1.5], 1)


class FitLayersTest(unittest.TestCase):
    def test_no_node_gets_more_layers_than_it_holds(self):
        # exo PR #2227: 1536 MiB a layer; largest remainder gives the first node 15.
        mib = 2**20
        self.assertEqual(exoplace.distribute_layers([22938 * mib, 27648 * mib], 32), [15, 17])
        self.assertEqual(exoplace.fit_layers([22938 * mib, 27648 * mib], 32, 1536 * mib), [14, 18])
        self.assertEqual(exoplace.fit_layers([0, 0, 0], 10, 0), [4, 3, 3])

    def test_no_safe_split_is_invalid_split(self):
        for capacity, n_layers, cost in (([19, 21], 4, 10), ([100, 9], 2, 10), ([100] * 3, 2, 1)):
            with self.subTest(capacity=capacity):
                with self.assertRaises(PlacementError) as caught:
                    exoplace.fit_layers(capacity, n_layers, cost)
                self.assertEqual(caught.exception.code, "invalid_split")

    def test_bad_arguments_name_the_field(self):
        for args, field in ((([], 1, 1), "capacity"), (([1, -1], 1, 1), "capacity[1]"), (([1], 0, 1), "n_layers"),
                            (([1], 1, -1), "layer_cost"), (([1], 1, U64_MAX + 1), "layer_cost")):
            with self.subTest(field=field):
                with self.assertRaises(InputError) as caught:
                    exoplace.fit_layers(*args)
                self.assertEqual(caught.exception.field, field)
        with self.assertRaises(InputError) as caught:
            exoplace.distribute_layers([1], 1, "fit")
        self.assertEqual(caught.exception.field, "strategy")

    def test_a_request_with_a_kv_cache_places_by_layers_held(self):
        body = request([node("a", 2000, 1000), node("b", 2000, 1000)], ring("a", "b"),
                       {"modelId": "m", "storageSize": 1500, "nLayers": 5, "kvBytesPerTokenPerLayer": 25,
                        "contextLength": 4})
        self.assertEqual(exoplace.get_placement(body)["nodes"], ["a", "b"])
        placed = exoplace.get_placement(body, strategy="fit")
        self.assertEqual((placed["nodes"], placed["memory_tier"]), (["a"], "total"))
        body["reserveBytes"] = 1
        with self.assertRaises(InputError) as caught:
            exoplace.get_placement(body)
        self.assertEqual(caught.exception.field, "reserve_bytes")


class ProbeLocalTest(unittest.TestCase):
    def test_reads_meminfo_and_psi_under_proc_root(self):
        with tempfile.TemporaryDirectory() as root:
            Path(root, "meminfo").write_text("MemTotal: 1000 kB\nMemFree: 100 kB\nMemAvailable: 600 kB\n"
                                             "SwapTotal: 10 kB\nSwapFree: 5 kB\n")
            Path(root, "pressure").mkdir()
            Path(root, "pressure", "memory").write_text(
                "some avg10=12.00 avg60=0.00 avg300=0.00 total=0\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n")
            described = exoplace.probe_local(node_id="probe-test", proc_root=root)
            memory = described["nodeProfile"]["memory"]
            self.assertEqual(described["nodeId"], "probe-test")
            self.assertEqual(memory["ramTotal"], {"inBytes": 1024000})
            self.assertEqual(memory["ramAvailable"], {"inBytes": 614400})
            self.assertEqual(memory["swapAvailable"], {"inBytes": 5120})
            self.assertEqual(memory["pressureLevel"], "warn")
            calmer = exoplace.probe_local(node_id="probe-test", proc_root=root, warn_some_avg10=20,
                                          critical_some_avg10=30, critical_full_avg10=30)
            self.assertEqual(calmer["nodeProfile"]["memory"]["pressureLevel"], "normal")

    def test_missing_meminfo_is_a_probe_error(self):
        with tempfile.TemporaryDirectory() as root:
            with self.assertRaises(ProbeError) as caught:
                exoplace.probe_local(proc_root=root)
        self.assertIsInstance(caught.exception, OSError)
        self.assertEqual(caught.exception.code, "probe_failed")
        self.assertIn("meminfo", str(caught.exception))

    def test_probe_node_gives_the_same_node_as_objects(self):
        with tempfile.TemporaryDirectory() as root:
            Path(root, "meminfo").write_text("MemTotal: 1000 kB\nMemAvailable: 600 kB\nSwapTotal: 10 kB\nSwapFree: 5 kB\n")
            node = exoplace.probe_node(node_id="probe-test", proc_root=root)
            described = exoplace.probe_local(node_id="probe-test", proc_root=root)
        self.assertIsInstance(node, exoplace.ProbedNode)
        self.assertEqual(node.node_id, "probe-test")
        self.assertEqual(node.memory, exoplace.NodeMemory(ram_total=1024000, ram_available=614400,
                                                          swap_total=10240, swap_available=5120))
        memory = described["nodeProfile"]["memory"]
        self.assertEqual(node.memory.ram_total, memory["ramTotal"]["inBytes"])
        self.assertEqual(node.memory.swap_available, memory["swapAvailable"]["inBytes"])
        self.assertNotIn("pressureLevel", memory)
        self.assertEqual([(i.name, i.ip_address) for i in node.interfaces],
                         [(i["name"], i["ipAddress"]) for i in described["nodeProfile"]["networkInterfaces"]])

    def test_probe_node_errors(self):
        with tempfile.TemporaryDirectory() as root:
            with self.assertRaises(ProbeError) as caught:
                exoplace.probe_node(proc_root=root)
            self.assertIn("meminfo", str(caught.exception))
            with self.assertRaises(InputError) as caught:
                exoplace.probe_node(proc_root=root, warn_some_avg10=-1)
            self.assertEqual(caught.exception.field, "options.warn_some_avg10")

    def test_probed_node_can_be_placed_on(self):
        with tempfile.TemporaryDirectory() as root:
            Path(root, "meminfo").write_text("MemTotal: 4 kB\nMemAvailable: 2 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n")
            described = exoplace.probe_local(node_id="here", proc_root=root)
        placement = exoplace.get_placement({"topology": {"nodes": [described]}}, model=Model("m", 2048, 2))
        self.assertEqual(placement["nodes"], ["here"])


class HostileInputTest(unittest.TestCase):
    """Text and arguments an attacker or a careless caller passes."""

    def test_a_long_non_ascii_model_id_in_an_error_never_breaks_decoding(self):
        req = three_node_ring()
        req["model"] = {"modelId": "\u00e9" * 500, "storageSize": {"inBytes": 1000}, "nLayers": 3,
                        "supportsTensor": False}
        req["sharding"] = "Tensor"
        with self.assertRaises(PlacementError) as caught:
            exoplace.get_placement(req)
        self.assertEqual(caught.exception.code, "tensor_not_supported")
        previews = exoplace.previews(req)
        self.assertTrue(any(p["error"] and "\u00e9" in p["error"] for p in previews["previews"]))

    def test_lone_surrogates_are_input_errors(self):
        with self.assertRaises(InputError):
            exoplace.get_placement('{"topology": {"nodes": [{"nodeId": "\ud800"}]}}'.replace("\\ud800", "\ud800"))
        with self.assertRaises(InputError):
            exoplace.get_placement("{\"model\": \"\ud800\"}")
        topology = exoplace.Topology()
        with self.assertRaises(InputError):
            topology.add_node("\udc00", ram_total=1, ram_available=1)
        topology.close()

    def test_model_arguments_of_the_wrong_type_are_type_errors(self):
        with self.assertRaises(TypeError):
            Model("m", 1000, 4, supports_tensor="no")
        with self.assertRaises(TypeError):
            Model("m", "1000", 4)
        with self.assertRaises(TypeError):
            exoplace.get_placement(three_node_ring(), model="m")

    def test_free_percent_reports_its_own_range(self):
        topology = exoplace.Topology()
        with self.assertRaises(InputError) as caught:
            topology.add_node("a", ram_total=1, ram_available=1, free_percent=-1)
        self.assertIn("0..100", str(caught.exception))
        topology.close()


class ExoStateTest(unittest.TestCase):
    """A parsed GET /state (rule set exo-main, chosen by its shape) with the
    model given apart or inside it."""

    def setUp(self):
        self.state = exo_pair(available=1000, total=2000)  # no "rules", no "model": a bare /state
        self.card = exo_card(storage_size=1500)

    def assert_exo_instance(self, response, nodes):
        self.assertEqual((response["ok"], response["rules"]), (True, "exo-main"))
        (kind, body), = response["instance"].items()
        self.assertEqual(kind, "MlxRingInstance")
        self.assertEqual(sorted(body["shardAssignments"]["nodeToRunner"]), nodes)
        self.assertEqual(body["shardAssignments"]["modelId"], self.card["modelId"])

    def test_get_placement_on_a_parsed_state(self):
        placed = exoplace.get_placement(self.state, model=self.card, random_seed=1)
        self.assert_exo_instance(placed, ["a", "b"])
        self.assertEqual((placed["memory_tier"], placed["is_low_memory"]), ("available", False))
        # The model inside the state, and the state as JSON text, are the same request.
        self.assertEqual(exoplace.get_placement(dict(self.state, model=self.card), random_seed=1), placed)
        self.assertEqual(exoplace.get_placement(json.dumps(self.state), model=self.card, random_seed=1), placed)
        self.assertNotIn("model", self.state)  # the caller's dict is left alone

    def test_the_ladder_on_a_parsed_state(self):
        big = exo_card(storage_size=3000)
        placed = exoplace.get_placement(self.state, model=big)
        self.assertEqual((placed["memory_tier"], placed["is_low_memory"]), ("total", True))
        with self.assertRaises(PlacementError) as caught:
            exoplace.get_placement(self.state, model=big, no_fallback=True)
        self.assertEqual((caught.exception.code, str(caught.exception)),
                         ("insufficient_memory", "No cycles found with sufficient memory"))

    def test_place_and_previews_on_a_parsed_state(self):
        self.assert_exo_instance(exoplace.place(self.state, model=self.card), ["a", "b"])
        previews = exoplace.previews(self.state, model=self.card)["previews"]
        self.assertEqual([(p["sharding"], p["instance_meta"]) for p in previews][:2],
                         [("Pipeline", "MlxRing"), ("Pipeline", "MlxJaccl")])
        self.assert_exo_instance(dict(previews[0], ok=True, rules="exo-main"), ["a", "b"])

    def test_a_state_with_a_node_without_memory(self):
        state = exo_state({"a": exo_memory(2000, 1000)}, [("a", "b", "10.0.0.2"), ("b", "a", "10.0.0.1")])
        self.assert_exo_instance(exoplace.get_placement(state, model=exo_card(storage_size=500)), ["a"])
        with self.assertRaises(PlacementError):
            exoplace.get_placement(state, model=self.card, no_fallback=True)

    def test_bad_state_names_the_state_field(self):
        state = exo_pair()
        state["nodeBackends"]["a"] = ["MlxGpu"]
        with self.assertRaises(InputError) as caught:
            exoplace.get_placement(state, model=self.card)
        self.assertEqual(caught.exception.field, "nodeBackends.a[0]")


class VersionTest(unittest.TestCase):
    def test_library_version_matches_the_bindings(self):
        self.assertEqual(exoplace.library_version().split(".")[:2], exoplace.__version__.split(".")[:2])


if __name__ == "__main__":
    unittest.main()
