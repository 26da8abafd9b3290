"""100 000 calls in a loop with flat memory.

Two measures, each read after a warm-up and again after the loop:
- resident memory (VmRSS of /proc/self/status), the figure a user sees;
- bytes in use on the C heap (glibc mallinfo2().uordblks), which is exact: a
  response string, shard array or preview list left unfreed on any path shows
  up as its size times the number of calls, where RSS would hide a few bytes a
  call inside its page granularity.
The paths include the ones that raise, since results must be released before
the exception leaves.
"""
from __future__ import annotations

import ctypes
import gc
import json
import sys
import unittest
from pathlib import Path

import exoplace
from exoplace import Model, PlacementError
from exoplace import exo
from support import exo_card, exo_pair, model, node, request, topology_from_state, two_node_topology

CALLS = 100_000
WARM_UP = 2_000
RSS_SLACK_BYTES = 2 * 1024 * 1024
HEAP_SLACK_BYTES = 64 * 1024  # well under one byte per call
PER_PATH_CALLS = 3_000
PER_PATH_HEAP_SLACK_BYTES = 1024
# The interpreter itself sometimes keeps a block or two during a round (seen:
# 1760 bytes once in 3000 calls of the first path); a leak grows the heap in
# every round, so a path fails only when each of its rounds grows.
PER_PATH_ROUNDS = 3

STATUS = Path("/proc/self/status")


def resident_bytes() -> int:
    for line in STATUS.read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS line in /proc/self/status")


class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks",
                 "keepcost")]


def _mallinfo2():
    try:
        function = ctypes.CDLL(None).mallinfo2  # glibc 2.33 and later
    except AttributeError:
        return None
    function.restype = MallInfo2
    function.argtypes = []
    return function


MALLINFO2 = _mallinfo2() if sys.platform.startswith("linux") else None


def heap_in_use() -> int:
    gc.collect()
    return MALLINFO2().uordblks


@unittest.skipUnless(STATUS.is_file() and sys.platform.startswith("linux"), "needs Linux /proc/self/status")
class FlatMemoryTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.topology = two_node_topology(available=1000, total=2000)
        cls.tiny_request = json.dumps(request([node("a", 100, 100)], [], model("m", 50, 2)))
        cls.failing_request = json.dumps(request([node("a", 100, 100)], [], model("m", 500, 2)))
        cls.fitting = Model("m", 1500, 4)
        cls.low_memory = Model("m", 3000, 4)  # more than the available sum, less than the total one
        cls.low_memory_request = json.dumps(request([node("a", 200, 100)], [], model("m", 150, 2)))
        cls.too_big = Model("m", 10_000, 4)

    @classmethod
    def tearDownClass(cls):
        cls.topology.close()

    def raises_placement_error(self, call, explained: bool = False) -> None:
        try:
            call()
        except PlacementError as error:
            if explained and error.explanation is None:
                self.fail("expected a PlacementError with an explanation")
            return
        self.fail("expected a PlacementError")

    def paths(self):
        """(label, call) of each path through the bindings that allocates in C."""
        return [
            ("distribute_layers", lambda: exoplace.distribute_layers([3, 5], 4)),
            ("Topology.get_placement", lambda: self.topology.get_placement(self.fitting)),
            ("get_placement (JSON)", lambda: exoplace.get_placement(self.tiny_request)),
            ("Topology.get_placement raising",
             lambda: self.raises_placement_error(lambda: self.topology.get_placement(self.too_big), explained=True)),
            ("place (JSON) raising",
             lambda: self.raises_placement_error(lambda: exoplace.place(self.failing_request), explained=True)),
            ("Topology.explain", lambda: self.topology.explain(self.too_big)),
        ]

    def test_hundred_thousand_calls_keep_memory_flat(self):
        calls = [call for _, call in self.paths()]
        for index in range(WARM_UP):
            calls[index % len(calls)]()
        gc.collect()
        rss_before = resident_bytes()
        heap_before = heap_in_use() if MALLINFO2 else None
        for index in range(CALLS):
            calls[index % len(calls)]()
        gc.collect()
        rss_after = resident_bytes()
        heap_after = heap_in_use() if MALLINFO2 else None
        report = (f"\n  {CALLS} calls: VmRSS {rss_before / 1024:.0f} KiB -> {rss_after / 1024:.0f} KiB "
                  f"({(rss_after - rss_before) / 1024:+.0f} KiB)")
        if MALLINFO2:
            report += f"; C heap in use {heap_before} -> {heap_after} bytes ({heap_after - heap_before:+d})"
        print(report, file=sys.stderr)
        self.assertLess(rss_after - rss_before, RSS_SLACK_BYTES)
        if MALLINFO2:
            self.assertLess(heap_after - heap_before, HEAP_SLACK_BYTES)

    @unittest.skipUnless(MALLINFO2, "needs glibc's mallinfo2")
    def test_each_path_keeps_the_c_heap_flat(self):
        the_model = Model("m", 1500, 4, hidden_size=3)
        more_paths = [
            ("Topology.previews", lambda: self.topology.previews(the_model)),
            ("previews (JSON)", lambda: exoplace.previews(self.tiny_request)),
            ("Topology.cycles", lambda: self.topology.cycles(min_bytes=1)),
            ("cycles (JSON)", lambda: exoplace.cycles(self.tiny_request)),
            ("model_fit (JSON)", lambda: exoplace.model_fit(self.tiny_request)),
            ("bad input raising", lambda: self.assertRaises(ValueError, exoplace.get_placement, "{")),
            ("Topology.get_placement low memory (explained)",
             lambda: self.assertIsNotNone(self.topology.get_placement(self.low_memory).explanation)),
            ("get_placement (JSON) low memory (explained)",
             lambda: self.assertIn("explanation", exoplace.get_placement(self.low_memory_request))),
            ("Topology.explain Tensor (rules applied)",
             lambda: self.assertTrue(self.topology.explain(the_model, sharding="Tensor")["rules_applied"])),
            ("Topology.explain fit", lambda: self.topology.explain(self.fitting, strategy="fit")),
            ("Topology.explain bad input raising",
             lambda: self.assertRaises(ValueError, self.topology.explain, Model("m", 1, 0))),
            ("Topology.place_model raising",
             lambda: self.raises_placement_error(lambda: self.topology.place_model(self.too_big, min_nodes=2),
                                                 explained=True)),
        ]
        # exo-main: instances (ring hosts, the jaccl matrix, exo's JSON of them).
        state = exo_pair()
        for source, sink in (("a", "b"), ("b", "a")):
            state["topology"]["connections"][source][sink].append({"sourceRdmaIface": f"rdma_{source}",
                                                                   "sinkRdmaIface": f"rdma_{sink}"})
        state["nodeRdmaCtl"] = {"a": {"enabled": True}, "b": {"enabled": True}}
        exo_topology = topology_from_state(state)
        self.addCleanup(exo_topology.close)
        card = exo_card(storage_size=1500)
        exo_model = Model.from_card(card)
        too_big = {"model_card": exo_card(storage_size=10_000)}
        low_memory = {"model_card": exo_card(storage_size=3000)}
        more_paths += [
            ("Topology.get_placement exo-main ring",
             lambda: exo_topology.get_placement(exo_model, rules="exo-main")),
            ("Topology.get_placement exo-main jaccl",
             lambda: exo_topology.get_placement(exo_model, rules="exo-main", sharding="Tensor",
                                                instance_meta="MlxJaccl", min_nodes=2)),
            ("Topology.previews exo-main", lambda: exo_topology.previews(exo_model, rules="exo-main")),
            ("exo.place_instance", lambda: exo.place_instance(state, {"model_card": card})),
            ("exo.place_instance low memory (explained)",
             lambda: self.assertIsNotNone(exo.place_instance(state, low_memory).explanation)),
            ("exo.place_instance raising",
             lambda: self.raises_placement_error(lambda: exo.place_instance(state, too_big), explained=True)),
        ]
        for label, call in self.paths() + more_paths:
            with self.subTest(path=label):
                for _ in range(200):
                    call()
                growths = []
                while len(growths) < PER_PATH_ROUNDS:
                    before = heap_in_use()
                    for _ in range(PER_PATH_CALLS):
                        call()
                    growths.append(heap_in_use() - before)
                    if growths[-1] < PER_PATH_HEAP_SLACK_BYTES:
                        break
                self.assertLess(min(growths), PER_PATH_HEAP_SLACK_BYTES,
                                f"{label}: C heap grew by {growths} bytes in rounds of {PER_PATH_CALLS} calls")


if __name__ == "__main__":
    unittest.main()
