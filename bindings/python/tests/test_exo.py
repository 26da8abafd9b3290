"""exoplace.exo.place_instance: exo's place_instance on a parsed GET /state and a
PlaceInstance command."""
from __future__ import annotations

import copy
import re
import unittest

import exoplace
from exoplace import exo
from support import exo_card, exo_memory, exo_pair, exo_state

UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")

# An instance exo already runs (the library never reads it; it is carried over).
RUNNING = {"MlxRingInstance": {"instanceId": "0b6e1f4e-4d0c-4a43-9b43-3c2d6c1a8f10",
                               "shardAssignments": {"modelId": "other", "runnerToShard": {}, "nodeToRunner": {}},
                               "hostsByNode": {}, "ephemeralPort": 50000}}


def command(card=None, **members):
    body = {"model_card": card if card is not None else exo_card(), "sharding": "Pipeline",
            "instance_meta": "MlxRing", "min_nodes": 1}
    body.update(members)
    return body


class DumpsLikePydantic:
    """Stands for a pydantic model: only model_dump() is used."""

    def __init__(self, data):
        self.data = data
        self.calls = []

    def model_dump(self, **kwargs):
        self.calls.append(kwargs)
        return copy.deepcopy(self.data)


class ResultTest(unittest.TestCase):
    def test_the_mapping_holds_the_current_instances_and_the_new_one(self):
        state = exo_pair(available=1000)
        state["instances"] = {RUNNING["MlxRingInstance"]["instanceId"]: RUNNING}
        before = copy.deepcopy(state)
        placed = exo.place_instance(state, command(exo_card(storage_size=1500)))
        self.assertEqual(set(placed.instances), {RUNNING["MlxRingInstance"]["instanceId"], placed.instance_id})
        self.assertEqual(placed.instances[RUNNING["MlxRingInstance"]["instanceId"]], RUNNING)
        self.assertIs(placed.instances[placed.instance_id], placed.instance)
        self.assertRegex(placed.instance_id, UUID4)
        (kind, body), = placed.instance.items()
        self.assertEqual(kind, "MlxRingInstance")
        self.assertEqual(body["instanceId"], placed.instance_id)
        self.assertEqual(set(body["shardAssignments"]["nodeToRunner"]), {"a", "b"})
        self.assertEqual((placed.memory_tier, placed.is_low_memory), ("available", False))
        # The state is not touched, and the carried-over instances are copies.
        placed.instances[RUNNING["MlxRingInstance"]["instanceId"]]["MlxRingInstance"]["ephemeralPort"] = 1
        self.assertEqual(state, before)

    def test_the_instance_is_the_one_the_json_entry_point_writes(self):
        state = exo_pair()
        card = exo_card(storage_size=1500)
        placed = exo.place_instance(state, command(card), random_seed=7)
        request = dict(state, model=card, rules="exo-main")
        self.assertEqual(placed.instance, exoplace.get_placement(request, random_seed=7)["instance"])

    def test_no_instances_member_gives_the_new_instance_alone(self):
        state = exo_pair()
        del state["instances"]
        placed = exo.place_instance(state, command())
        self.assertEqual(list(placed.instances), [placed.instance_id])

    def test_tensor_jaccl_command(self):
        state = exo_pair()
        state["topology"]["connections"]["a"]["b"].append({"sourceRdmaIface": "rdma_en2", "sinkRdmaIface": "rdma_en3"})
        state["topology"]["connections"]["b"]["a"].append({"sourceRdmaIface": "rdma_en3", "sinkRdmaIface": "rdma_en2"})
        state["nodeRdmaCtl"] = {"a": {"enabled": True}, "b": {"enabled": True}}
        placed = exo.place_instance(state, command(exo_card(storage_size=1500), sharding="Tensor",
                                                   instance_meta="MlxJaccl", min_nodes=2))
        (kind, body), = placed.instance.items()
        self.assertEqual(kind, "MlxJacclInstance")
        shards = [next(iter(tagged)) for tagged in body["shardAssignments"]["runnerToShard"].values()]
        self.assertEqual(shards, ["TensorShardMetadata"] * 2)
        self.assertEqual(len(body["jacclDevices"]), 2)


class CommandTest(unittest.TestCase):
    def setUp(self):
        self.state = exo_pair()
        self.card = exo_card(storage_size=1500)

    def test_every_spelling_of_the_command_places_the_same(self):
        snake = command(self.card, min_nodes=2)
        camel = {"modelCard": self.card, "sharding": "Pipeline", "instanceMeta": "MlxRing", "minNodes": 2}
        tagged = {"PlaceInstance": dict(camel, commandId="5a0b7f4c-1c7e-4d43-8e8e-6b0d7b5b9a21")}
        dumped = DumpsLikePydantic(tagged)
        expected = exo.place_instance(self.state, snake, random_seed=3)
        for form in (camel, tagged, dumped):
            with self.subTest(form=type(form).__name__):
                self.assertEqual(exo.place_instance(self.state, form, random_seed=3), expected)
        self.assertEqual(dumped.calls, [{"mode": "json", "by_alias": True}])

    def test_the_state_may_be_a_pydantic_model(self):
        state = DumpsLikePydantic(self.state)
        self.assertEqual(exo.place_instance(state, command(self.card), random_seed=3),
                         exo.place_instance(self.state, command(self.card), random_seed=3))

    def test_sharding_meta_and_min_nodes_default_as_exo_api(self):
        placed = exo.place_instance(self.state, {"model_card": self.card}, random_seed=3)
        self.assertEqual(placed, exo.place_instance(self.state, command(self.card), random_seed=3))

    def test_min_nodes_is_read(self):
        one = exo.place_instance(self.state, command(exo_card(storage_size=10)))
        two = exo.place_instance(self.state, command(exo_card(storage_size=10), min_nodes=2))
        (body_one,), (body_two,) = one.instance.values(), two.instance.values()
        self.assertEqual(len(body_one["shardAssignments"]["nodeToRunner"]), 1)
        self.assertEqual(len(body_two["shardAssignments"]["nodeToRunner"]), 2)

    def test_the_states_own_placement_members_do_not_count(self):
        state = dict(self.state, model=exo_card("other", storage_size=10), minNodes=2, min_nodes=2,
                     rules="seed", sharding="Tensor")
        placed = exo.place_instance(state, command(self.card), random_seed=3)
        self.assertEqual(placed, exo.place_instance(self.state, command(self.card), random_seed=3))

    def test_required_nodes(self):
        state = exo_state({"a": exo_memory(2000, 1500), "b": exo_memory(2000, 1000)},
                          [("a", "b", "10.0.0.2"), ("b", "a", "10.0.0.1")])
        card = exo_card(storage_size=500)
        self.assertEqual(list(next(iter(exo.place_instance(state, command(card)).instance.values()))
                              ["shardAssignments"]["nodeToRunner"]), ["a"])
        placed = exo.place_instance(state, command(card), required_nodes=["b"])
        self.assertEqual(list(next(iter(placed.instance.values()))["shardAssignments"]["nodeToRunner"]), ["b"])
        with self.assertRaises(exo.PlacementError) as caught:
            exo.place_instance(state, command(card), required_nodes=["c"])
        self.assertEqual(caught.exception.code, "insufficient_memory")


class TierTest(unittest.TestCase):
    def test_fallback_to_total_memory_by_default(self):
        placed = exo.place_instance(exo_pair(available=1000, total=2000), command(exo_card(storage_size=3000)))
        self.assertEqual((placed.memory_tier, placed.is_low_memory), ("total", True))

    def test_no_fallback_is_exos_single_attempt(self):
        with self.assertRaises(exo.PlacementError) as caught:
            exo.place_instance(exo_pair(available=1000, total=2000), command(exo_card(storage_size=3000)),
                               no_fallback=True)
        error = caught.exception
        self.assertEqual(error.code, "insufficient_memory")
        self.assertEqual(str(error), "No cycles found with sufficient memory")
        self.assertIsInstance(error, exoplace.PlacementError)
        self.assertIsInstance(error, ValueError)  # what exo's master catches

    def test_swap_only_with_allow_swap(self):
        state = exo_pair(available=1000, total=2000, swap=1000)
        card = exo_card(storage_size=5000)
        with self.assertRaises(exo.PlacementError):
            exo.place_instance(state, command(card))
        placed = exo.place_instance(state, command(card), allow_swap=True)
        self.assertEqual((placed.memory_tier, placed.is_low_memory), ("swap", True))

    def test_exo_text_of_a_rule(self):
        with self.assertRaises(exo.PlacementError) as caught:
            exo.place_instance(exo_pair(), command(exo_card(storage_size=10), instance_meta="MlxJaccl"))
        self.assertEqual((caught.exception.code, str(caught.exception)),
                         ("rdma_no_cycle", "Requested RDMA (MlxJaccl) but no RDMA-connected cycles available"))


class RandomTest(unittest.TestCase):
    def test_a_seed_fixes_the_random_values(self):
        state, body = exo_pair(), command()
        self.assertEqual(exo.place_instance(state, body, random_seed=11),
                         exo.place_instance(state, body, random_seed=11))
        self.assertNotEqual(exo.place_instance(state, body, random_seed=11).instance_id,
                            exo.place_instance(state, body, random_seed=12).instance_id)

    def test_fresh_ids_without_a_seed(self):
        state, body = exo_pair(), command()
        first, second = exo.place_instance(state, body), exo.place_instance(state, body)
        self.assertNotEqual(first.instance_id, second.instance_id)
        for placed in (first, second):
            self.assertRegex(placed.instance_id, UUID4)

    def test_a_reused_seed_cannot_replace_a_running_instance(self):
        state, body = exo_pair(), command()
        placed = exo.place_instance(state, body, random_seed=5)
        with self.assertRaises(exoplace.InputError) as caught:
            exo.place_instance(dict(state, instances=placed.instances), body, random_seed=5)
        self.assertEqual(caught.exception.field, "random_seed")


class BadInputTest(unittest.TestCase):
    def assert_field(self, field, state, body, **options):
        with self.assertRaises(exoplace.InputError) as caught:
            exo.place_instance(state, body, **options)
        self.assertEqual(caught.exception.field, field)
        self.assertTrue(str(caught.exception).startswith(field + ":"), str(caught.exception))
        self.assertIsInstance(caught.exception, ValueError)

    def test_fields_are_named_as_the_caller_wrote_them(self):
        state = exo_pair()
        self.assert_field("command.model_card", state, {"sharding": "Pipeline"})
        self.assert_field("command.min_nodes", state, {"modelCard": exo_card(), "min_nodes": 1, "minNodes": 1})
        self.assert_field("command.model_card.hiddenSize", state, command(exo_card(hiddenSize=0)))
        self.assert_field("command.modelCard.hiddenSize", state, {"modelCard": exo_card(hiddenSize=0)})
        self.assert_field("command.model_card.supportsTensor", state,
                          command({k: v for k, v in exo_card().items() if k != "supportsTensor"}))
        self.assert_field("command.min_nodes", state, command(min_nodes=0))
        self.assert_field("command.instanceMeta", state, {"modelCard": exo_card(), "instanceMeta": "MlxTcp"})
        self.assert_field("command.sharding", state, command(sharding="Diagonal"))
        self.assert_field("required_nodes[0]", state, command(), required_nodes=[""])
        self.assert_field("instances", dict(state, instances=[]), command())

    def test_state_fields_keep_their_state_path(self):
        state = exo_pair()
        state["nodeMemory"]["a"]["ramAvailable"] = {"inBytes": -1}
        self.assert_field("nodeMemory.a.ramAvailable.inBytes", state, command())
        state = exo_pair()
        state["nodeNetwork"]["a"]["interfaces"][0]["interfaceType"] = "carrier-pigeon"
        self.assert_field("nodeNetwork.a.interfaces[0].interfaceType", state, command())

    def test_wrong_python_types(self):
        with self.assertRaises(TypeError):
            exo.place_instance('{"topology": {}}', command())
        with self.assertRaises(TypeError):
            exo.place_instance(exo_pair(), [command()])
        with self.assertRaises(TypeError):
            exo.place_instance(exo_pair(), command(), required_nodes="a")
        with self.assertRaises(TypeError):
            exo.place_instance(exo_pair(), command(), random_seed="1")


if __name__ == "__main__":
    unittest.main()
