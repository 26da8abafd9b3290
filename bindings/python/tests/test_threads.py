"""Calls from 8 threads at once give the answers one thread gives.

ctypes drops the GIL around each C call, so these calls really overlap in the
library; what keeps them right is that the library has no global mutable
state and a built topology is read-only.
"""
from __future__ import annotations

import threading
import time
import unittest

import exoplace
from exoplace import Model, PlacementError, Topology
from support import model, node, request, ring

THREADS = 8
ROUNDS = 150


def build_cluster() -> Topology:
    """Five nodes with different memory, ethernet ring plus a thunderbolt pair."""
    topology = Topology()
    for index, node_id in enumerate(["e", "d", "c", "b", "a"]):
        topology.add_node(node_id, ram_total=(index + 2) * 1000, ram_available=(index + 1) * 700)
    ids = ["a", "b", "c", "d", "e"]
    for u, v in zip(ids, ids[1:] + ids[:1]):
        topology.add_connection(u, v, "/ip4/10.0.0.1/tcp/1")
        topology.add_connection(v, u, "/ip4/10.0.0.2/tcp/1")
    topology.add_connection("a", "c", "/ip4/169.254.0.3/tcp/1")
    topology.add_connection("c", "a", "/ip4/169.254.0.1/tcp/1")
    return topology


def cluster_request(storage_size: int):
    ids = ["a", "b", "c", "d", "e"]
    return request([node(n, (5 - i + 1) * 1000, (5 - i) * 700) for i, n in enumerate(ids)], ring(*ids),
                   model("m", storage_size, 40))


def outcome(call):
    """The result, or the failure (with its explanation) as a comparable value."""
    try:
        return call()
    except PlacementError as error:
        return ("PlacementError", error.code, str(error), error.explanation)


class ConcurrentCallsTest(unittest.TestCase):
    def setUp(self):
        self.topology = build_cluster()
        self.addCleanup(self.topology.close)
        sizes = [500, 3000, 7000, 12000, 20000, 50000]
        self.calls = []
        for size in sizes:
            the_model = Model("m", size, 40, hidden_size=8)
            self.calls += [
                lambda m=the_model: self.topology.get_placement(m),
                lambda m=the_model: self.topology.get_placement(m, sharding="Tensor", strategy="exo"),
                lambda m=the_model: self.topology.place_model(m, min_nodes=3),
                lambda m=the_model: self.topology.previews(m),
                lambda m=the_model: self.topology.explain(m),
                lambda m=the_model: self.topology.explain(m, sharding="Tensor", min_nodes=3),
                lambda m=the_model: self.topology.explain(m, strategy="fit"),
                lambda s=size: exoplace.get_placement(cluster_request(s), strategy="exo"),
                lambda s=size: exoplace.previews(cluster_request(s)),
                lambda s=size: exoplace.distribute_layers([s, 2 * s + 1, 3], 40, "exo"),
            ]
        self.calls += [lambda: self.topology.cycles(min_bytes=4000), lambda: self.topology.model_fit(9000),
                       lambda: exoplace.cycles(cluster_request(1)), lambda: self.topology.node_ids]

    def test_eight_threads_agree_with_one(self):
        expected = [outcome(call) for call in self.calls]
        self.assertTrue(any(isinstance(e, tuple) and e[0] == "PlacementError" for e in expected))
        self.assertTrue(any(isinstance(e, exoplace.Placement) for e in expected))
        self.assertTrue(any(isinstance(e, tuple) and e[-1] is not None for e in expected), "no explained failure")
        self.assertTrue(any(isinstance(e, exoplace.Placement) and e.explanation for e in expected),
                        "no explained low-memory placement")
        start = threading.Barrier(THREADS)
        mismatches = []
        crashes = []

        def worker(offset: int) -> None:
            try:
                start.wait()
                for round_ in range(ROUNDS):
                    # Each thread walks the calls from its own starting point,
                    # so different calls overlap.
                    index = (offset + round_) % len(self.calls)
                    got = outcome(self.calls[index])
                    if got != expected[index]:
                        mismatches.append((offset, index, got, expected[index]))
            except BaseException as error:  # reported below, in the main thread
                crashes.append(error)

        threads = [threading.Thread(target=worker, args=(t * 7,)) for t in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(crashes, [])
        self.assertEqual(mismatches, [])

    def test_close_waits_for_calls_in_flight(self):
        the_model = Model("m", 3000, 40)
        expected = self.topology.get_placement(the_model)
        start = threading.Barrier(THREADS + 1)
        results = [[] for _ in range(THREADS)]

        def worker(slot: int) -> None:
            start.wait()
            while True:
                try:
                    results[slot].append(self.topology.get_placement(the_model))
                except ValueError as error:
                    results[slot].append(str(error))
                    return

        threads = [threading.Thread(target=worker, args=(t,)) for t in range(THREADS)]
        for thread in threads:
            thread.start()
        start.wait()
        while sum(len(r) for r in results) < 200:
            time.sleep(0.001)
        self.topology.close()
        for thread in threads:
            thread.join()
        for slot in results:
            self.assertEqual(slot[-1], "the topology is closed")
            self.assertTrue(all(result == expected for result in slot[:-1]))

    def test_adding_nodes_while_others_read(self):
        the_model = Model("m", 500, 4)
        stop = threading.Event()
        seen = []

        def reader() -> None:
            while not stop.is_set():
                seen.append(len(self.topology.get_placement(the_model).nodes))

        readers = [threading.Thread(target=reader) for _ in range(THREADS - 1)]
        for thread in readers:
            thread.start()
        for index in range(200):
            self.topology.add_node(f"extra{index:03}", ram_total=10, ram_available=10)
        stop.set()
        for thread in readers:
            thread.join()
        self.assertEqual(len(self.topology), 205)
        self.assertEqual(set(seen), {1})


if __name__ == "__main__":
    unittest.main()
