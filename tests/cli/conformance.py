#!/usr/bin/env python3
"""CLI conformance: every vector of the given directories through the
exoplace binary, the request on standard input, with the exo strategy:

  get_placement  exoplace place --json --strategy exo
  place          exoplace place --json --strategy exo --no-retry
  previews       exoplace previews --json --strategy exo
  cycles         exoplace cycles --json [--min-bytes N] [--use-total-memory]
  layers         exoplace layers --json --strategy exo --memory ... --layers N

and checked by the README's rule (the same facts as tests/conformance/runner.c)
plus the exit status: 0 placed, 1 not placed.

usage: conformance.py EXOPLACE [--valgrind PATH] DIR...
Prints one line per failure and "N passed, N failed".
"""
import glob
import json
import os
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_support import Exoplace  # noqa: E402


def member(obj, camel, snake=None):
    if not isinstance(obj, dict):
        return None
    value = obj.get(camel)
    if value is None and snake:
        value = obj.get(snake)
    return value


def in_bytes(value):
    if isinstance(value, dict):
        value = member(value, "inBytes", "in_bytes")
    return value


def topology_of(request):
    return member(request, "topology") or request


def node_of(topology, node_id):
    for node in member(topology, "nodes") or []:
        if member(node, "nodeId", "node_id") == node_id:
            return node
    return None


def is_cycle(topology, order):
    if not order:
        return False
    if len(order) == 1:
        return node_of(topology, order[0]) is not None
    edges = {(member(c, "localNodeId", "local_node_id"), member(c, "sendBackNodeId", "send_back_node_id"))
             for c in member(topology, "connections") or []}
    return all((order[i], order[(i + 1) % len(order)]) in edges for i in range(len(order)))


def metric(topology, node_id, tier):
    memory = member(member(node_of(topology, node_id), "nodeProfile", "node_profile"), "memory")
    total = in_bytes(member(memory, "ramTotal", "ram_total"))
    available = in_bytes(member(memory, "ramAvailable", "ram_available"))
    swap = in_bytes(member(memory, "swapAvailable", "swap_available")) or 0
    level = member(memory, "pressureLevel", "pressure_level")
    free = member(memory, "freePercent", "free_percent")
    if tier in (None, "available"):
        return 0 if level == "critical" else available
    if tier == "total":
        return total
    if tier == "swap":
        return total + swap
    if tier == "pressure":
        value = total * free // 100 if free is not None else available
        if level == "warn":
            value //= 2
        return 0 if level == "critical" else value
    raise ValueError("unknown tier %r" % tier)


def exo_split(metrics, n_layers):
    """exo's split: each operand to the nearest double, divide, multiply, round half to even."""
    total = max(1, sum(metrics))
    layers = [max(1, round(n_layers * (float(m) / float(total)))) for m in metrics[:-1]]
    layers.append(n_layers - sum(layers))
    return layers if all(x > 0 for x in layers) else None


class Check:
    def __init__(self, name):
        self.name = name
        self.failures = []

    def expect(self, condition, message):
        if not condition:
            self.failures.append(message)


def check_placed(check, got, expect, topology, sharding, n_layers, where=""):
    nodes = got.get("nodes") or []
    sets = expect.get("optimal_sets")
    if sets is not None:
        check.expect(sorted(nodes) in sets, where + "node set %s is not one of optimal_sets" % nodes)
    if isinstance(expect.get("nodes"), list):
        check.expect(sorted(nodes) == sorted(expect["nodes"]), where + "nodes %s, expected %s" % (nodes, expect["nodes"]))
    if "n_nodes" in expect:
        check.expect(len(nodes) == expect["n_nodes"], where + "%d nodes, expected %d" % (len(nodes), expect["n_nodes"]))
    check.expect(is_cycle(topology, nodes), where + "rank order %s is not a cycle" % nodes)
    check.expect(got.get("is_low_memory") == expect.get("is_low_memory"), where + "is_low_memory differs")
    if expect.get("instance_meta"):
        check.expect(got.get("instance_meta") == expect["instance_meta"], where + "instance_meta differs")
    if expect.get("metric"):
        check.expect(got.get("memory_tier") == expect["metric"],
                     where + "memory_tier %s, expected %s" % (got.get("memory_tier"), expect["metric"]))
    shards = got.get("shards") or []
    check.expect([s.get("node_id") for s in shards] == nodes, where + "shards are not in rank order")
    check.expect([s.get("device_rank") for s in shards] == list(range(len(nodes))), where + "device ranks wrong")
    check.expect(all(s.get("world_size") == len(nodes) and s.get("n_layers") == n_layers for s in shards),
                 where + "world_size or n_layers wrong")
    ranges = [(s.get("start_layer"), s.get("end_layer")) for s in shards]
    if expect.get("canonical_choice") == nodes and expect.get("layers") is not None:
        want = [(x["start_layer"], x["end_layer"]) for x in expect["layers"]]
    elif sharding == "Tensor":
        want = [(0, n_layers)] * len(nodes)
    else:
        split = exo_split([metric(topology, n, expect.get("metric")) for n in nodes], n_layers)
        check.expect(split is not None, where + "the exo split of the chosen order is invalid, yet it was placed")
        want, start = [], 0
        for count in split or []:
            want.append((start, start + count))
            start += count
    check.expect(ranges == want, where + "layers %s, expected %s" % (ranges, want))


def check_failure(check, got, expect, in_preview=False):
    kind = expect.get("error_kind")
    if not in_preview:
        check.expect(got is not None and got.get("ok") is False, "no failure object on stdout")
        got = got or {}
        codes = {"invalid_split": ["invalid_split"], "memory": ["insufficient_memory"],
                 "tensor": ["tensor_not_supported", "no_tensor_sharding"]}
        if kind in codes:
            check.expect(got.get("code") in codes[kind], "code %s for error kind %s" % (got.get("code"), kind))
    if expect.get("error") is not None:
        check.expect(got.get("error") == expect["error"], "error %r, expected %r" % (got.get("error"), expect["error"]))


def model_layers(model):
    return member(model, "nLayers", "n_layers")


def run_vector(exoplace, vector):
    check = Check(vector.get("name"))
    kind, request, expect = vector["kind"], vector["request"], vector["expect"]
    args = vector.get("args") or {}
    topology = topology_of(request)
    if kind in ("get_placement", "place"):
        command = ["place", "--json", "--strategy", "exo"]
        if kind == "place":
            command.append("--no-retry")
        if args.get("allow_swap"):
            command.append("--allow-swap")
        status, got, err = exoplace.run_json(command, request)
        if expect["ok"]:
            check.expect(status == 0, "exit %d, expected 0 (%s)" % (status, err.strip()))
            if got is not None:
                check.expect(got.get("ok") is True, "ok is not true")
                check_placed(check, got, expect, topology, request.get("sharding", "Pipeline"),
                             model_layers(request.get("model")))
            else:
                check.expect(False, "no JSON on stdout")
        else:
            check.expect(status == 1, "exit %d, expected 1 (%s)" % (status, err.strip()))
            check_failure(check, got, expect)
    elif kind == "previews":
        status, got, err = exoplace.run_json(["previews", "--json", "--strategy", "exo"], request)
        check.expect(status == 0, "exit %d, expected 0 (%s)" % (status, err.strip()))
        previews = (got or {}).get("previews")
        wanted = expect["previews"]
        check.expect(isinstance(previews, list) and len(previews) == len(wanted),
                     "%s previews, expected %d" % (len(previews) if isinstance(previews, list) else "no", len(wanted)))
        models = {member(m, "modelId", "model_id"): m for m in (request.get("models") or [request.get("model")])}
        for i, (g, e) in enumerate(zip(previews or [], wanted)):
            where = "preview %d: " % i
            for key in ("model_id", "sharding", "instance_meta"):
                check.expect(g.get(key) == e.get(key), where + key + " differs")
            if e.get("ok"):
                check.expect(g.get("error") is None, where + "error %r, expected a placement" % g.get("error"))
                if g.get("error") is None:
                    check_placed(check, g, e, topology, e.get("sharding"), model_layers(models.get(e["model_id"])),
                                 where)
            else:
                check.expect(g.get("nodes") is None and not g.get("memory_delta_by_node"),
                             where + "an error preview with nodes")
                check.expect(g.get("is_low_memory") is False, where + "an error preview marked low memory")
                check_failure(check, g, e, in_preview=True)
            check.expect((g.get("memory_delta_by_node") or {}) == (e.get("memory_delta_by_node") or {}),
                         where + "memory_delta_by_node differs")
    elif kind == "cycles":
        command = ["cycles", "--json"]
        if "min_bytes" in args:
            command += ["--min-bytes", str(args["min_bytes"])]
            if args.get("use_total_memory"):
                command.append("--use-total-memory")
        status, got, err = exoplace.run_json(command, request)
        check.expect(status == 0, "exit %d, expected 0 (%s)" % (status, err.strip()))
        check.expect((got or {}).get("cycles") == expect["cycles"], "cycles %s" % (got or {}).get("cycles"))
    elif kind == "layers":
        memory = [in_bytes(m) for m in request["memory"]]
        command = ["layers", "--json", "--strategy", "exo"]
        if set(request) <= {"memory", "n_layers"}:
            command += ["--memory", ",".join(str(m) for m in memory), "--layers", str(request["n_layers"])]
            status, got, err = exoplace.run(command)
            got = json.loads(got) if got.strip() else None
        else:
            # Settings beyond --memory/--layers (a strategy, other spellings): the request itself.
            status, got, err = exoplace.run_json(command, request)
        if expect["ok"]:
            check.expect(status == 0, "exit %d, expected 0 (%s)" % (status, err.strip()))
            check.expect((got or {}).get("layers") == expect["layers"], "layers %s" % (got or {}).get("layers"))
        else:
            check.expect(status == 1, "exit %d, expected 1" % status)
            check_failure(check, got, expect)
    else:
        check.expect(False, "unknown kind %s" % kind)
    return check


def main(argv):
    valgrind = None
    if "--valgrind" in argv:
        i = argv.index("--valgrind")
        valgrind = argv[i + 1]
        del argv[i:i + 2]
    if len(argv) < 3:
        sys.exit(__doc__)
    exoplace = Exoplace(argv[1], valgrind)
    passed = failed = 0
    for directory in argv[2:]:
        for path in sorted(glob.glob(os.path.join(directory, "*.json"))):
            with open(path) as f:
                vector = json.load(f)
            check = run_vector(exoplace, vector)
            if check.failures:
                failed += 1
                for failure in check.failures:
                    print("FAIL %s: %s" % (check.name, failure))
            else:
                passed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
