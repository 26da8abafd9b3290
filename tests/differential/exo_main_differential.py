#!/usr/bin/env python3
"""Differential test of exo-main's placement: the exoplace binary
(`place --json --no-fallback --seed 1`, the request on standard input)
against the plain reference exo_main_reference.py on seeded random small
clusters. Every fourth case also runs the memory ladder (`place --json`,
with or without `--allow-swap`: the tier that places and its ranks) and
every fourth `previews --json --no-fallback` (section 8: many selections
on one graph, in order).

Each case is a random /state: 1 to 9 nodes (8 and 9 sparsely linked) in
random order (now and then one known only from an edge), a random directed
multigraph of socket and RDMA edges with self-edges and repeated edges
(half the cases linked both ways with socket and RDMA edges, valid
backends, rdma_ctl on and a divisible card, so that the gates of 5.4 to
5.9 pass and the selection decides), nodes with and without
nodeMemory (few distinct sizes, so that exact ties are common, and meshes
of equal nodes), random nodeBackends, nodeRdmaCtl, downloads of the model
and of another one (completed, ongoing and pending fractions, failed
entries), a random card (size, layers, tensor fields, backends, the
DeepSeek V3.1 8-bit and Gemma 4 / DeepSeek V4 special cases), and random
sharding, instanceMeta, minNodes and nodeIds.

The library's result is read from its output: the node of each device
rank (instance.shardAssignments), or the error code and text. The
reference gives the same for the selection (exo-main.md 5.1 to 5.11) and,
for a selected cycle, the errors that come after it (6 and 7), so every
case compares the exact outcome: ranks in order, or code and text.

usage: exo_main_differential.py EXOPLACE [--valgrind PATH]
  EXOPLACE_EXO_MAIN_DIFFERENTIAL_CASES  number of cases (default 200)
  EXOPLACE_EXO_MAIN_DIFFERENTIAL_SEED   seed of the cases (default 1)
Prints "N cases agree (M runs)", or each disagreement with the command,
both results and a minimal request that still shows it (on one line),
and exits 1.
"""
import copy
import json
import os
import random
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "cli"))
import exo_main_reference as reference  # noqa: E402
from cli_support import Exoplace  # noqa: E402

DEFAULT_CASES = 200
DEFAULT_SEED = 1
GIB = 1 << 30
BACKENDS = ["MlxMetal", "MlxCpu", "MlxCuda", "Vllm"]
# Each case runs `place` (exo's single attempt); every fourth also the
# ladder (with or without swap) and every fourth previews, which run many
# selections on one graph.
VERBS = {
    "place": ["place", "--json", "--no-fallback", "--seed", "1"],
    "ladder": ["place", "--json", "--seed", "1"],
    "ladder-swap": ["place", "--json", "--allow-swap", "--seed", "1"],
    "previews": ["previews", "--json", "--no-fallback", "--seed", "1"],
}


# ---- random requests --------------------------------------------------------------------------------------------

def card(model_id, rng, friendly):
    """A ModelCard; a friendly one passes the tensor, model and backend gates of 5.4 to 5.8."""
    if friendly:
        return {"modelId": model_id, "storageSize": {"inBytes": 0}, "nLayers": rng.choice([16, 32, 40, 61, 80]),
                "hiddenSize": 5040, "supportsTensor": True, "numKeyValueHeads": rng.choice([None, 840]),
                "tasks": ["TextGeneration"], "baseModel": "", "backends": ["MlxMetal", "MlxCuda", "MlxCpu"],
                "usesCfg": rng.random() < 0.1}
    return {
        "modelId": model_id,
        "storageSize": {"inBytes": 0},
        "nLayers": rng.choice([1, 2, 3, 5, 16, 32, 40, 61, 80]),
        "hiddenSize": rng.choice([4096, 4096, 5120, 2048, 3072, 60, 6, 35, 7, 1]),
        "supportsTensor": rng.random() < 0.9,
        "numKeyValueHeads": rng.choice([None, None, None, 2, 4, 8, 8, 1, 3, 5]),
        "tasks": ["TextGeneration"],
        "baseModel": rng.choice([""] * 30 + ["Gemma 4 E4B", "DeepSeek V4 Flash", "Gemma 3"]),
        "backends": rng.choice([["MlxMetal", "MlxCuda", "MlxCpu"]] * 40 +
                               [["MlxMetal"], ["MlxCuda"], ["MlxCpu", "MlxCpu"], ["Vllm"], [],
                                ["Vllm", "MlxCuda"]]),
        "usesCfg": rng.random() < 0.15,
    }


def memory_entry(available, rng):
    total = available + rng.choice([0, GIB, 4 * GIB])
    swap = rng.choice([0, 0, 2 * GIB])
    return {"ramTotal": {"inBytes": total}, "ramAvailable": {"inBytes": available},
            "swapTotal": {"inBytes": swap}, "swapAvailable": {"inBytes": swap}}


def download_entry(node, model, rng):
    shard = {"PipelineShardMetadata": {"modelCard": model, "deviceRank": 0, "worldSize": 1,
                                       "immediateException": False, "shouldTimeout": None,
                                       "startLayer": 0, "endLayer": model["nLayers"],
                                       "nLayers": model["nLayers"]}}
    kind = rng.choice(["DownloadCompleted", "DownloadOngoing", "DownloadPending", "DownloadFailed"])
    body = {"nodeId": node, "shardMetadata": shard, "modelDirectory": ""}
    total = rng.choice([0, 3, 7, 10, 10, 8 * GIB, 10 ** 12 + 39, (1 << 60) + 1, (1 << 64) - 1])
    done = min(rng.choice([0, 1, 2, 3, total // 3, total // 2, total, total + 1]), (1 << 64) - 1)
    if kind == "DownloadCompleted":
        body.update(total={"inBytes": total}, readOnly=False)
    elif kind == "DownloadOngoing":
        body["downloadProgress"] = {"total": {"inBytes": total}, "downloaded": {"inBytes": done},
                                    "downloadedThisSession": {"inBytes": done}, "completedFiles": 0,
                                    "totalFiles": 1, "speed": 0.0, "etaMs": 0, "files": {}}
    elif kind == "DownloadPending":
        if rng.random() < 0.8:
            body.update(downloaded={"inBytes": done}, total={"inBytes": total})
    else:
        body["errorMessage"] = "connection reset"
    return {kind: body}


def socket_edge(sink_number, rng, friendly):
    kind = rng.random()
    if kind < 0.85 or friendly:
        address = "/ip4/10.0.%d.%d/tcp/52415" % (rng.randrange(2), sink_number + 1)
    elif kind < 0.97:
        address = "/ip6/fe80::%x/tcp/52415" % (sink_number + 1)
    else:
        address = "/dns/node-%d.local/tcp/52415" % sink_number
    return {"sinkMultiaddr": {"address": address}}


def rdma_edge(source_number, sink_number, rng):
    return {"sourceRdmaIface": "rdma_en%d" % (rng.randrange(2) + source_number * 2),
            "sinkRdmaIface": "rdma_en%d" % (sink_number * 2)}


def random_edges(u, v, number, rng, friendly, rdma_share):
    """The edges of one (source, sink) pair, in random order."""
    edges = []
    if friendly and u != v:
        # a socket edge, and mostly an RDMA edge too: every gate after the selection can pass
        edges.append(socket_edge(number[v], rng, friendly))
        if rng.random() < 0.8:
            edges.append(rdma_edge(number[u], number[v], rng))
        rng.shuffle(edges)
    else:
        for _ in range(rng.choice([1, 1, 1, 2, 3])):
            if rng.random() < rdma_share:
                edges.append(rdma_edge(number[u], number[v], rng))
            else:
                edges.append(socket_edge(number[v], rng, friendly))
    if rng.random() < 0.1:
        edges.insert(rng.randrange(len(edges) + 1), copy.deepcopy(rng.choice(edges)))  # skipped (2.1)
    return edges


def random_request(rng):
    # Half the cases are friendly: the gates of 5.4 to 5.9 and the checks after
    # the selection mostly pass, so that the selection itself decides.
    friendly = rng.random() < 0.5
    n = rng.choice([1, 2, 2, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 6, 6, 7, 7, 8, 9])
    ids = []
    while len(ids) < n:
        node = "%0*x" % (rng.choice([2, 4]), rng.randrange(1 << 16))
        if node not in ids:
            ids.append(node)
    number = {node: i for i, node in enumerate(ids)}
    listed = list(ids)
    if n >= 3 and rng.random() < 0.1:
        listed.remove(rng.choice(ids))  # a node known only from its edges (2.1)
    rng.shuffle(listed)

    mesh = n <= 7 and rng.random() < 0.3
    density = 1.0 if mesh else rng.choice([0.3, 0.5, 0.7, 0.85] if n <= 7 else [0.2, 0.3, 0.4])
    # exo learns most links both ways: then a pair is linked in both directions or in neither
    symmetric = friendly or rng.random() < 0.5
    linked = set()
    for u in ids:
        for v in ids:
            if u != v and rng.random() < density:
                linked.add((u, v))
                if symmetric and rng.random() < 0.95:
                    linked.add((v, u))
    rdma_share = rng.choice([0.0, 0.3, 0.7, 1.0])
    pairs = {}
    for u in ids:
        for v in ids:
            if u == v and rng.random() >= 0.08:
                continue
            if u != v and (u, v) not in linked:
                continue
            pairs[(u, v)] = random_edges(u, v, number, rng, friendly, rdma_share)
    sources = list(ids)
    rng.shuffle(sources)
    connections = {}
    for u in sources:
        sinks = [v for v in ids if (u, v) in pairs]
        rng.shuffle(sinks)
        if sinks:
            connections[u] = {v: pairs[(u, v)] for v in sinks}
    if any(node not in listed for node in ids):
        # the unlisted node must have an edge to exist
        missing = [node for node in ids if node not in listed][0]
        other = rng.choice(listed)
        connections.setdefault(other, {}).setdefault(missing, [socket_edge(number[missing], rng, friendly)])

    sizes = [0, 4, 8, 8, 16, 16, 16, 24, 32, 64]
    # now and then sizes near 2^64, whose sums only fit in wider integers
    unit, offsets = (GIB, [0, 0, 0, 1, 12345]) if rng.random() < 0.95 else (1 << 58, [0, 1, (1 << 58) - 1])
    equal = rng.choice(sizes[1:]) * unit if mesh or rng.random() < 0.15 else None
    memory = {}
    for node in ids:
        if rng.random() < 0.93:
            available = equal if equal is not None else rng.choice(sizes) * unit + rng.choice(offsets)
            memory[node] = memory_entry(min(available, (1 << 64) - 1 - 4 * GIB), rng)

    model_id = "mlx-community/Qwen3-14B-4bit"
    if not friendly and rng.random() < 0.05:
        model_id = "mlx-community/DeepSeek-V3.1-8bit"
    model = card(model_id, rng, friendly)
    placed = [memory[node]["ramAvailable"]["inBytes"] for node in ids if node in memory]
    rng.shuffle(placed)
    chosen = placed[:rng.choice([1, 1, 2, 2, 3, 4])]
    if rng.random() < 0.7:
        # the memory of one cycle, mostly a longer one, so that the model often just fits it
        graph = reference.Graph({"nodes": listed, "connections": connections})
        cycles = reference.candidate_cycles(graph)
        longer = [c for c in cycles if len(c) > 1]
        cycle = rng.choice(longer if longer and rng.random() < 0.9 else cycles)
        chosen = [memory.get(graph.nodes[u], {"ramAvailable": {"inBytes": 0}})["ramAvailable"]["inBytes"]
                  for u in cycle]
    storage = sum(chosen) + rng.choice([-GIB, -1, 0, 0, 0, 1])
    storage = max(0, storage if rng.random() < 0.9 else rng.randrange(1, 80) * GIB)
    model["storageSize"]["inBytes"] = min(storage, (1 << 64) - 1)
    other = dict(model, modelId="mlx-community/other-model")

    downloads = {}
    for node in ids:
        if rng.random() < 0.35:
            downloads[node] = [download_entry(node, model if rng.random() < 0.7 else other, rng)
                               for _ in range(rng.choice([1, 1, 2, 3]))]

    backends = {}
    for node in ids:
        if friendly:
            backends[node] = rng.choice([["MlxMetal"], ["MlxMetal", "MlxCpu"]])
        elif rng.random() < 0.97:
            backends[node] = rng.choice([["MlxMetal"]] * 25 + [["MlxCpu"], ["MlxCuda", "MlxCpu"], ["Vllm"], [],
                                                                ["MlxMetal", "MlxCpu"]])
    rdma_ctl = {}
    for node in ids:
        state = rng.random()
        if state < 0.75 or friendly:
            rdma_ctl[node] = {"enabled": True}
        elif state < 0.9:
            rdma_ctl[node] = {"enabled": False}

    network = {}
    for node in ids:
        if rng.random() < 0.5:
            network[node] = {"interfaces": [{"name": "en0", "ipAddress": "10.0.0.%d" % (number[node] + 1),
                                             "interfaceType": rng.choice(["ethernet", "thunderbolt", "wifi"])}]}

    request = {"topology": {"nodes": listed, "connections": connections}, "nodeMemory": memory,
               "nodeNetwork": network, "nodeBackends": backends, "nodeRdmaCtl": rdma_ctl, "downloads": downloads,
               "instances": {}, "runners": {}, "model": model, "rules": "exo-main"}
    snake = rng.random() < 0.1
    if rng.random() < 0.8:
        request["sharding"] = rng.choice(["Pipeline", "Tensor"])
    if rng.random() < 0.8:
        request["instance_meta" if snake else "instanceMeta"] = rng.choice(["MlxRing", "MlxJaccl"])
    if rng.random() < 0.6:
        request["min_nodes" if snake else "minNodes"] = rng.randrange(1, n + 1) if rng.random() < 0.9 else n + 1
    if rng.random() < 0.2:
        required = rng.sample(ids, min(n, rng.choice([0, 1, 1, 2]))) if rng.random() < 0.9 else ["ffffff"]
        if required and rng.random() < 0.1:
            required.append(required[0])
        request["node_ids" if snake else "nodeIds"] = required
    return request


# ---- the two sides ---------------------------------------------------------------------------------------------

def ranks_of(instance):
    """The node of each device rank of an instance (shardAssignments)."""
    (_, body), = instance.items()
    assignments = body["shardAssignments"]
    node_of = {runner: node for node, runner in assignments["nodeToRunner"].items()}
    ranks = {}
    for runner, tagged in assignments["runnerToShard"].items():
        (_, shard), = tagged.items()
        ranks[shard["deviceRank"]] = node_of[runner]
    return [ranks[r] for r in sorted(ranks)]


def library_result(tool, verb, request):
    """What the binary says for one verb of VERBS, in the shape of reference_result; ("bad_input", stderr)
    for exit status 2."""
    status, out, err = tool.run(VERBS[verb], stdin_text=json.dumps(request))
    if status == 2:
        return ("bad_input", err.strip())
    try:
        output = json.loads(out)
    except ValueError:
        return ("unreadable", "exit %d: %r %r" % (status, out[:200], err[:200]))
    if verb == "previews":
        if status != 0 or not isinstance(output.get("previews"), list):
            return ("unreadable", "exit %d: %r" % (status, out[:200]))
        return [(p["sharding"], p["instance_meta"],
                 (p.get("code"), p["error"]) if p["error"] is not None else ("ok", ranks_of(p["instance"])))
                for p in output["previews"]]
    if status == 1 and output.get("ok") is False:
        return (output.get("code"), output.get("error"))
    if status != 0 or output.get("ok") is not True:
        return ("unreadable", "exit %d: %r" % (status, out[:200]))
    if verb == "place":
        return ("ok", ranks_of(output["instance"]))
    return ("ok", ranks_of(output["instance"]), output.get("memory_tier"))


def reference_result(verb, request):
    if verb == "place":
        return reference.place(request)
    if verb == "previews":
        return reference.previews(request)
    # the ladder (exo-main.md 9): available, total, swap when allowed; no
    # pressure tier, since no entry carries pressureLevel or freePercent
    first_failure = None
    for tier in ["available", "total"] + (["swap"] if verb == "ladder-swap" else []):
        result = reference.place(reference.tier_request(request, tier))
        if result[0] == "ok":
            return ("ok", result[1], tier)
        first_failure = first_failure or result
    return first_failure


def disagree(tool, verb, request):
    """(library, reference) when they differ, else None."""
    mine, theirs = library_result(tool, verb, request), reference_result(verb, request)
    return None if mine == theirs else (mine, theirs)


# ---- a smaller request with the same disagreement -------------------------------------------------------------

def without_node(request, node):
    smaller = copy.deepcopy(request)
    topology = smaller["topology"]
    topology["nodes"] = [x for x in topology["nodes"] if x != node]
    topology["connections"].pop(node, None)
    for sinks in topology["connections"].values():
        sinks.pop(node, None)
    topology["connections"] = {u: s for u, s in topology["connections"].items() if s}
    for member in ("nodeMemory", "nodeNetwork", "nodeBackends", "nodeRdmaCtl", "downloads"):
        smaller[member].pop(node, None)
    for key in ("nodeIds", "node_ids"):
        if key in smaller:
            smaller[key] = [x for x in smaller[key] if x != node]
    return smaller


def smaller_requests(request):
    """Candidates one step smaller than request, the biggest cuts first."""
    topology = request["topology"]
    nodes = list(topology["nodes"])
    for sinks in topology["connections"].values():
        nodes += [v for v in sinks if v not in nodes]
    for node in nodes:
        yield without_node(request, node)
    for member in ("nodeNetwork", "downloads", "nodeBackends", "nodeRdmaCtl"):
        if request[member]:
            smaller = copy.deepcopy(request)
            smaller[member] = {}
            yield smaller
    for u, sinks in topology["connections"].items():
        for v, edges in sinks.items():
            for i in range(len(edges)):
                smaller = copy.deepcopy(request)
                del smaller["topology"]["connections"][u][v][i]
                if not smaller["topology"]["connections"][u][v]:
                    del smaller["topology"]["connections"][u][v]
                if not smaller["topology"]["connections"][u]:
                    del smaller["topology"]["connections"][u]
                yield smaller
    for node, entries in request["downloads"].items():
        for i in range(len(entries)):
            smaller = copy.deepcopy(request)
            del smaller["downloads"][node][i]
            if not smaller["downloads"][node]:
                del smaller["downloads"][node]
            yield smaller
    for key in ("nodeIds", "node_ids", "minNodes", "min_nodes", "sharding", "instanceMeta", "instance_meta",
                "instances", "runners"):
        if key in request:
            smaller = copy.deepcopy(request)
            del smaller[key]
            yield smaller
    for member in ("nodeNetwork", "nodeBackends", "nodeRdmaCtl"):
        for node in request[member]:
            smaller = copy.deepcopy(request)
            del smaller[member][node]
            yield smaller
    for node, entry in request["nodeMemory"].items():
        available = entry["ramAvailable"]["inBytes"]
        if entry["ramTotal"]["inBytes"] != available or entry["swapTotal"]["inBytes"] or \
                entry["swapAvailable"]["inBytes"]:
            smaller = copy.deepcopy(request)
            smaller["nodeMemory"][node] = {"ramTotal": {"inBytes": available}, "ramAvailable": {"inBytes": available},
                                           "swapTotal": {"inBytes": 0}, "swapAvailable": {"inBytes": 0}}
            yield smaller
    for key, default in (("numKeyValueHeads", None), ("baseModel", ""), ("usesCfg", False)):
        if request["model"].get(key, default) == default and key in request["model"]:
            smaller = copy.deepcopy(request)
            del smaller["model"][key]
            yield smaller


def outcome_kinds(found):
    """What a disagreement is about, which a smaller request must keep: the two outcome codes (for
    previews, at the first preview that differs)."""
    mine, theirs = found
    if isinstance(mine, list) and isinstance(theirs, list):
        for a, b in zip(mine, theirs):
            if a != b:
                return (a[0], a[1], a[2][0]), (b[0], b[1], b[2][0])
        return len(mine), len(theirs)
    return mine[0], theirs[0]


def minimize(tool, verb, request, found):
    """Greedy: take any one-step-smaller request with the same disagreement, until none has it."""
    kinds = outcome_kinds(found)
    shrinking = True
    while shrinking:
        shrinking = False
        for smaller in smaller_requests(request):
            still = disagree(tool, verb, smaller)
            if still and outcome_kinds(still) == kinds:
                request, found, shrinking = smaller, still, True
                break
    return request, found


# ---- main ------------------------------------------------------------------------------------------------------

def main(argv):
    valgrind = None
    if "--valgrind" in argv:
        at = argv.index("--valgrind")
        valgrind = argv[at + 1]
        del argv[at:at + 2]
    if len(argv) != 2:
        print("usage: exo_main_differential.py EXOPLACE [--valgrind PATH]", file=sys.stderr)
        return 2
    tool = Exoplace(argv[1], valgrind)
    cases = int(os.environ.get("EXOPLACE_EXO_MAIN_DIFFERENTIAL_CASES", DEFAULT_CASES))
    seed = int(os.environ.get("EXOPLACE_EXO_MAIN_DIFFERENTIAL_SEED", DEFAULT_SEED))
    if tool.prefix:
        cases = min(cases, 40)  # under valgrind each run takes a second
    agree = checks = 0
    outcomes = {}
    for case in range(cases):
        rng = random.Random("%d:%d" % (seed, case))
        request = random_request(rng)
        verbs = ["place"]
        if case % 4 == 1:
            verbs.append(rng.choice(["ladder", "ladder-swap"]))
        elif case % 4 == 3:
            verbs.append("previews")
        for verb in verbs:
            checks += 1
            found = disagree(tool, verb, request)
            if not found:
                agree += 1
                if verb == "place":
                    result = reference_result(verb, request)
                    outcome = "ok, %d nodes" % len(result[1]) if result[0] == "ok" else result[0]
                else:
                    outcome = verb
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
                continue
            small, (mine, theirs) = minimize(tool, verb, request, found)
            print("DISAGREE case %d (seed %d), %s: library %r, reference %r"
                  % (case, seed, " ".join(VERBS[verb]), found[0], found[1]))
            print("  minimal request: library %r, reference %r" % (mine, theirs))
            print("  " + json.dumps(small, separators=(",", ":")))
    print("outcomes: " + ", ".join("%s %d" % item for item in sorted(outcomes.items())))
    if agree == checks:
        print("%d cases agree (%d runs)" % (cases, checks))
    else:
        print("%d of %d runs agree" % (agree, checks))
    return 0 if agree == checks and cases > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
