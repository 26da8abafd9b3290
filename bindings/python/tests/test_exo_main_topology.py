"""The object layer with rule set exo-main: every kind of /state data exo main's
placement reads, given through Topology's calls (RDMA connections, interface
types, backends, RDMA control, nodes without memory, downloads), the card's
fields through Model, the rule set, required nodes and the random seed
through the placement options, and exo's Instance in the results."""
from __future__ import annotations

import json
import os
import unittest
from pathlib import Path

import exoplace
from exoplace import Connection, Host, InputError, Model, PlacementError, Topology
from support import REPO_ROOT, topology_from_state

VECTOR_DIR = Path(os.environ.get("EXOPLACE_EXO_MAIN_CONFORMANCE_DIR", REPO_ROOT / "tests" / "conformance-exo-main"))
GIB = 1 << 30


def card(**members):
    body = {"modelId": "m", "storageSize": {"inBytes": 1500}, "nLayers": 12, "hiddenSize": 4096,
            "supportsTensor": True, "tasks": ["TextGeneration"], "backends": ["MlxMetal"]}
    body.update(members)
    return body


def mesh(*ids, available=1000, total=2000, rdma=False):
    """Nodes with memory and MlxMetal, linked both ways by socket edges (and
    RDMA edges with rdma_ctl on, when asked)."""
    topology = Topology()
    for node_id in ids:
        topology.add_node(node_id, ram_total=total, ram_available=available)
        topology.set_backends(node_id, ["MlxMetal"])
        if rdma:
            topology.set_rdma_ctl(node_id, True)
    for i, source in enumerate(ids):
        for j, sink in enumerate(ids):
            if source != sink:
                topology.add_connection(source, sink, f"/ip4/10.0.{i}.{j + 1}/tcp/52415")
                topology.add_interface(sink, "en0", f"10.0.{i}.{j + 1}", "ethernet")
                if rdma:
                    topology.add_rdma_connection(source, sink, f"rdma_{source}{sink}", f"rdma_{sink}{source}")
    return topology


class SameAsTheJsonReaderTest(unittest.TestCase):
    """Each exo-main vector's /state built through the object layer places as
    the JSON reader does: the same exo instance (same seed), or the same
    failure."""

    def vectors(self):
        for path in sorted(VECTOR_DIR.glob("*.json")):
            vector = json.loads(path.read_text())
            if not vector["expect"].get("bad_input"):
                yield path.name, vector

    def test_every_vector(self):
        checked = 0
        for name, vector in self.vectors():
            request = vector["request"]
            options = {"no_fallback": vector["kind"] != "get_placement", "allow_swap": bool(vector.get("allow_swap")),
                       "random_seed": 9}
            model = Model.from_card(request["model"])
            with self.subTest(vector=name), topology_from_state(request) as topology:
                if vector["kind"] == "previews":
                    from_json = exoplace.previews(request, **options)["previews"]
                    from_objects = topology.previews(model, rules="exo-main", required_nodes=request.get("nodeIds"),
                                                     **options)
                    self.assertEqual([(p["sharding"], p["instance_meta"], p["error"], p["instance"])
                                      for p in from_json],
                                     [(p.sharding, p.instance_meta, p.error,
                                       p.placement.instance.exo_json if p.placement else None)
                                      for p in from_objects])
                else:
                    arguments = dict(sharding=request.get("sharding", "Pipeline"),
                                     instance_meta=request.get("instanceMeta", "MlxRing"),
                                     min_nodes=request.get("minNodes", 1), required_nodes=request.get("nodeIds"),
                                     rules="exo-main", **options)
                    try:
                        expected = ("placed", exoplace.get_placement(request, **options)["instance"])
                    except PlacementError as failure:
                        expected = (failure.code, str(failure))
                    try:
                        placement = topology.get_placement(model, **arguments)
                        got = ("placed", placement.instance.exo_json)
                    except PlacementError as failure:
                        got = (failure.code, str(failure))
                    self.assertEqual(got, expected)
                checked += 1
        self.assertGreater(checked, 60)


class TopologyDataTest(unittest.TestCase):
    def test_connections_of_both_kinds_in_order(self):
        with Topology() as topology:
            topology.add_connection("a", "b", "/ip4/10.0.0.2/tcp/52415")
            topology.add_rdma_connection("b", "a", "rdma_en3", "rdma_en4")
            topology.add_rdma_connection("b", "a", "rdma_en3", "rdma_en4")  # identical: counted once
            self.assertEqual(topology.connections, [
                Connection("a", "b", "socket", multiaddr="/ip4/10.0.0.2/tcp/52415"),
                Connection("b", "a", "rdma", source_iface="rdma_en3", sink_iface="rdma_en4")])
            self.assertEqual(topology.connection_count, 2)
            with self.assertRaises(InputError):
                topology.add_rdma_connection("", "a", "x", "y")

    def test_backends_and_rdma_ctl_round_trip(self):
        with Topology() as topology:
            topology.add_node("a", ram_total=1, ram_available=1)
            self.assertEqual((topology.node_backends("a"), topology.node_rdma_ctl("a")), ((), False))
            topology.set_backends("a", ["Vllm", "MlxMetal"])
            topology.set_rdma_ctl("a", True)
            self.assertEqual((topology.node_backends("a"), topology.node_rdma_ctl("a")), (("MlxMetal", "Vllm"), True))
            topology.set_backends("a", [])
            self.assertEqual(topology.node_backends("a"), ())
            with self.assertRaises(InputError) as caught:
                topology.set_backends("a", ["MlxGpu"])
            self.assertEqual(caught.exception.field, "backends")
            for call in (lambda: topology.node_backends("z"), lambda: topology.node_rdma_ctl("z"),
                         lambda: topology.set_rdma_ctl("z", True)):
                with self.assertRaises(InputError) as caught:
                    call()
                self.assertEqual(caught.exception.code, "unknown_node")

    def test_set_node_memory_gives_takes_and_replaces_a_profile(self):
        with mesh("a", "b") as topology:
            model = Model.from_card(card(storageSize={"inBytes": 500}))
            topology.set_node_memory("a", profile=False)
            self.assertIsNone(topology.node_memory("a"))
            self.assertEqual(topology.get_placement(model, rules="exo-main").nodes, ("b",))
            topology.set_node_memory("a", ram_total=4000, ram_available=3000)
            self.assertEqual(topology.node_memory("a"), exoplace.NodeMemory(4000, 3000))
            self.assertEqual(topology.get_placement(model, rules="exo-main").nodes, ("a",))
            with self.assertRaises(InputError) as caught:
                topology.set_node_memory("z", ram_total=1)
            self.assertEqual(caught.exception.code, "unknown_node")
            with self.assertRaises(InputError):
                topology.set_node_memory("a", ram_total=1, profile=False)

    def test_interface_types_choose_the_ring_address(self):
        # b reaches a at two addresses; the ring table prefers thunderbolt (0)
        # to wifi (3), although the wifi edge is the newer (the first
        # candidate).
        with Topology() as topology:
            for node_id in ("a", "b"):
                topology.add_node(node_id, ram_total=2000, ram_available=1000)
                topology.set_backends(node_id, ["MlxMetal"])
            topology.add_connection("a", "b", "/ip4/10.0.0.2/tcp/52415")
            topology.add_connection("b", "a", "/ip4/169.254.0.1/tcp/52415")
            topology.add_connection("b", "a", "/ip4/10.0.0.1/tcp/52415")
            topology.add_interface("a", "en0", "10.0.0.1", "wifi")
            topology.add_interface("a", "en2", "169.254.0.1", "thunderbolt")
            instance = topology.get_placement(Model.from_card(card()), rules="exo-main", min_nodes=2).instance
            ring = {instance.hosts_by_node[r][1 - r].ip for r in range(2)}
            self.assertEqual(ring, {"10.0.0.2", "169.254.0.1"})

    def test_downloads_outrank_memory(self):
        with mesh("a", "b") as topology:
            topology.set_node_memory("a", ram_total=4000, ram_available=3000)
            model = Model.from_card(card(storageSize={"inBytes": 500}))
            self.assertEqual(topology.get_placement(model, rules="exo-main").nodes, ("a",))
            topology.add_download("b", "m", "DownloadOngoing", downloaded_bytes=1, total_bytes=4)
            self.assertEqual(topology.get_placement(model, rules="exo-main").nodes, ("b",))
            with self.assertRaises(InputError) as caught:
                topology.add_download("b", "m", "DownloadStalled")
            self.assertEqual(caught.exception.field, "kind")


class CardFieldsTest(unittest.TestCase):
    def test_kv_heads_must_divide_the_tensor_ring(self):
        with mesh("a", "b", "c", available=1000) as topology:
            model = Model.from_card(card(storageSize={"inBytes": 2500}, hiddenSize=2880, numKeyValueHeads=8))
            with self.assertRaises(PlacementError) as caught:
                topology.get_placement(model, rules="exo-main", sharding="Tensor", min_nodes=3, no_fallback=True)
            self.assertEqual(caught.exception.code, "tensor_indivisible")
            self.assertEqual(str(caught.exception), "No tensor sharding found for model with hidden_size=2880, "
                             "num_key_value_heads=8 across candidate cycles")
            # The DeepSeek V4 exemption reads base_model.
            exempt = Model.from_card(card(storageSize={"inBytes": 2500}, hiddenSize=2880, numKeyValueHeads=8,
                                          baseModel="DeepSeek V4 Flash"))
            placed = topology.get_placement(exempt, rules="exo-main", sharding="Tensor", min_nodes=3,
                                            no_fallback=True)
            self.assertEqual([s.kind for s in placed.shards], ["TensorShardMetadata"] * 3)

    def test_uses_cfg_makes_cfg_shards(self):
        with mesh("a", "b", "c", "d", available=1000) as topology:
            model = Model.from_card(card(storageSize={"inBytes": 1500}, usesCfg=True))
            placed = topology.get_placement(model, rules="exo-main", min_nodes=4)
            self.assertEqual([s.kind for s in placed.shards], ["CfgShardMetadata"] * 4)
            self.assertEqual([(s.cfg_rank, s.pipeline_rank, s.cfg_world_size, s.pipeline_world_size)
                              for s in placed.shards], [(0, 0, 2, 2), (0, 1, 2, 2), (1, 1, 2, 2), (1, 0, 2, 2)])
            plain = topology.get_placement(Model.from_card(card(storageSize={"inBytes": 1500})), rules="exo-main",
                                           min_nodes=4)
            self.assertEqual({s.kind for s in plain.shards}, {"PipelineShardMetadata"})

    def test_card_backends_against_the_engine(self):
        with mesh("a", "b") as topology:
            with self.assertRaises(PlacementError) as caught:
                topology.get_placement(Model.from_card(card(backends=["Vllm"])), rules="exo-main", no_fallback=True)
            self.assertEqual(caught.exception.code, "backend_incompatible_model")
            self.assertEqual(str(caught.exception), "Model m backends ['Vllm'] cannot satisfy engine MlxRing which "
                             "requires ['MlxCpu', 'MlxCuda', 'MlxMetal']")

    def test_the_card_is_echoed_in_every_shard(self):
        with mesh("a", "b") as topology:
            text = card(family="llama", quantization="4bit", tasks=["TextGeneration", "ImageToImage"])
            placed = topology.get_placement(Model.from_card(text), rules="exo-main", min_nodes=2)
            body = placed.instance.exo_json["MlxRingInstance"]
            for tagged in body["shardAssignments"]["runnerToShard"].values():
                echoed = tagged["PipelineShardMetadata"]["modelCard"]
                self.assertEqual((echoed["family"], echoed["quantization"], echoed["tasks"]),
                                 ("llama", "4bit", ["TextGeneration", "ImageToImage"]))
            # Without card_json the echoed members take exo's defaults.
            bare = Model("m", 1500, 12, hidden_size=4096, supports_tensor=True, backends=("MlxMetal",),
                         tasks=("TextGeneration",))
            body = topology.get_placement(bare, rules="exo-main", min_nodes=2).instance.exo_json["MlxRingInstance"]
            echoed = next(iter(body["shardAssignments"]["runnerToShard"].values()))["PipelineShardMetadata"]
            self.assertEqual(echoed["modelCard"]["family"], "")

    def test_from_card_and_as_json(self):
        model = Model.from_card({"model_id": "m", "storage_size": {"in_bytes": 7}, "n_layers": 3, "hidden_size": 64,
                                 "supports_tensor": False, "num_key_value_heads": 4, "base_model": "Gemma 4",
                                 "uses_cfg": True, "backends": ["MlxCpu"], "tasks": ["TextToImage"],
                                 "family": "gemma"})
        self.assertEqual((model.model_id, model.storage_size, model.n_layers, model.hidden_size,
                          model.supports_tensor, model.num_key_value_heads, model.base_model, model.uses_cfg,
                          model.backends, model.tasks),
                         ("m", 7, 3, 64, False, 4, "Gemma 4", True, ("MlxCpu",), ("TextToImage",)))
        self.assertEqual(model.as_json(), {"family": "gemma", "modelId": "m", "storageSize": {"inBytes": 7},
                                           "nLayers": 3, "hiddenSize": 64, "supportsTensor": False,
                                           "numKeyValueHeads": 4, "baseModel": "Gemma 4", "usesCfg": True,
                                           "backends": ["MlxCpu"], "tasks": ["TextToImage"]})
        with self.assertRaises(InputError) as caught:
            Model.from_card({"modelId": "m", "storageSize": {"inBytes": 7}})
        self.assertEqual(caught.exception.field, "model.nLayers")
        with self.assertRaises(InputError) as caught:
            Model.from_card(card(usesCfg="yes"))
        self.assertEqual(caught.exception.field, "model.usesCfg")

    def test_a_model_as_the_json_layers_card(self):
        memory = {"ramTotal": {"inBytes": 2000}, "ramAvailable": {"inBytes": 1000},
                  "swapTotal": {"inBytes": 0}, "swapAvailable": {"inBytes": 0}}
        state = {"topology": {"nodes": ["a", "b"], "connections": {}}, "nodeMemory": {"a": memory, "b": memory},
                 "nodeBackends": {"a": ["MlxMetal"], "b": ["MlxMetal"]}}
        model = Model.from_card(card(family="llama"))
        placed = exoplace.get_placement(state, model=model)
        self.assertEqual(placed["memory_tier"], "total")
        echoed = next(iter(placed["instance"]["MlxRingInstance"]["shardAssignments"]["runnerToShard"].values()))
        self.assertEqual(echoed["PipelineShardMetadata"]["modelCard"]["family"], "llama")
        # A model without exo's required card members is bad input for exo-main.
        with self.assertRaises(InputError) as caught:
            exoplace.get_placement(state, model=Model("m", 10, 1))
        self.assertTrue(caught.exception.field.startswith("model."), caught.exception.field)

    def test_bad_card_fields_name_the_field(self):
        with mesh("a") as topology:
            cases = [
                (Model("m", 1, 1, hidden_size=1, supports_tensor=True, num_key_value_heads=0),
                 "model.num_key_value_heads"),
                (Model("m", 1, 1, hidden_size=1, supports_tensor=True, backends=("MlxMetal", "Tpu")),
                 "model.backends[1]"),
                (Model("m", 1, 1, hidden_size=1, supports_tensor=True, tasks=("Chat",)), "model.tasks[0]"),
                (Model("m", 1, 1, hidden_size=1, supports_tensor=True, base_model="a\0b"), "model.base_model"),
            ]
            for model, field in cases:
                with self.subTest(field=field):
                    with self.assertRaises(InputError) as caught:
                        topology.get_placement(model, rules="exo-main")
                    self.assertEqual(caught.exception.field, field)
        with self.assertRaises(TypeError):
            Model("m", 1, 1, backends="MlxMetal")
        with self.assertRaises(TypeError):
            Model("m", 1, 1, uses_cfg=1)


class OptionsAndInstanceTest(unittest.TestCase):
    def setUp(self):
        self.topology = mesh("a", "b", "c")
        self.addCleanup(self.topology.close)
        self.model = Model.from_card(card(storageSize={"inBytes": 1500}))

    def test_rules_select_the_rule_set(self):
        seed = self.topology.get_placement(self.model)
        self.assertEqual((seed.rules, seed.instance), ("seed", None))
        main = self.topology.get_placement(self.model, rules="exo-main")
        self.assertEqual(main.rules, "exo-main")
        self.assertEqual(main.instance.kind, "MlxRingInstance")
        with self.assertRaises(InputError) as caught:
            self.topology.get_placement(self.model, rules="exo-next")
        self.assertEqual(caught.exception.field, "rules")

    def test_the_instance_agrees_with_exos_json_of_it(self):
        placed = self.topology.get_placement(self.model, rules="exo-main", min_nodes=3, random_seed=4)
        instance = placed.instance
        body = instance.exo_json["MlxRingInstance"]
        self.assertEqual(body["instanceId"], instance.instance_id)
        self.assertEqual(body["ephemeralPort"], instance.ephemeral_port)
        self.assertEqual(body["shardAssignments"]["nodeToRunner"], dict(zip(placed.nodes, instance.runner_ids)))
        self.assertEqual(body["hostsByNode"], {node: [{"ip": h.ip, "port": h.port} for h in hosts]
                                               for node, hosts in zip(placed.nodes, instance.hosts_by_node)})
        self.assertEqual(instance.hosts_by_node[0][0], Host("0.0.0.0", instance.ephemeral_port))
        self.assertIsNone(instance.jaccl_devices)

    def test_a_jaccl_instance(self):
        with mesh("a", "b", rdma=True) as topology:
            placed = topology.get_placement(self.model, rules="exo-main", sharding="Tensor",
                                            instance_meta="MlxJaccl", min_nodes=2, random_seed=4)
        instance = placed.instance
        self.assertEqual(instance.kind, "MlxJacclInstance")
        body = instance.exo_json["MlxJacclInstance"]
        self.assertEqual(body["jacclDevices"], [list(row) for row in instance.jaccl_devices])
        self.assertEqual(list(body["jacclCoordinators"].values()), list(instance.jaccl_coordinators))
        self.assertEqual(instance.jaccl_devices[0][0], None)
        self.assertEqual(instance.jaccl_coordinators[0], f"0.0.0.0:{instance.ephemeral_port}")
        self.assertIsNone(instance.hosts_by_node)

    def test_random_seed(self):
        first = self.topology.get_placement(self.model, rules="exo-main", random_seed=1)
        self.assertEqual(first, self.topology.get_placement(self.model, rules="exo-main", random_seed=1))
        other = self.topology.get_placement(self.model, rules="exo-main", random_seed=2)
        self.assertNotEqual(first.instance.instance_id, other.instance.instance_id)
        unseeded = {self.topology.get_placement(self.model, rules="exo-main").instance.instance_id for _ in range(3)}
        self.assertEqual(len(unseeded), 3)
        with self.assertRaises(InputError) as caught:
            self.topology.get_placement(self.model, rules="exo-main", random_seed=-1)
        self.assertEqual(caught.exception.field, "random_seed")

    def test_required_nodes(self):
        small = Model.from_card(card(storageSize={"inBytes": 500}))
        self.assertEqual(self.topology.get_placement(small, rules="exo-main", required_nodes=["c"]).nodes, ("c",))
        pair = self.topology.get_placement(small, rules="exo-main", required_nodes=["a", "c"])
        self.assertEqual(sorted(pair.nodes), ["a", "c"])
        with self.assertRaises(PlacementError):
            self.topology.place_model(small, rules="exo-main", required_nodes=["z"])
        with self.assertRaises(InputError) as caught:
            self.topology.get_placement(small, rules="exo-main", required_nodes=["a", "b\0"])
        self.assertEqual(caught.exception.field, "required_nodes[1]")
        with self.assertRaises(TypeError):
            self.topology.get_placement(small, rules="exo-main", required_nodes="a")

    def test_previews_carry_instances(self):
        previews = self.topology.previews(self.model, rules="exo-main", random_seed=3)
        placed = [p for p in previews if p.ok]
        self.assertTrue(placed)
        for preview in placed:
            self.assertEqual(preview.placement.rules, "exo-main")
            self.assertIsNotNone(preview.placement.instance.exo_json)
        self.assertEqual(len({p.placement.instance.instance_id for p in placed}), len(placed))


if __name__ == "__main__":
    unittest.main()
