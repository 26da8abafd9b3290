#!/usr/bin/env python3
"""A plain reference of exo-main's selection (docs: shared spec exo-main.md
sections 2, 3, 4 and 5.1 to 5.11), written straight from the text and
meant to be read against it: it lists EVERY candidate cycle in rustworkx's
order and applies the steps of section 5 to the list, one after the other.
It is slow on purpose (exponential in the node count) and has no bounds,
no search and no shortcuts, so that the library's branch-and-bound search
(lib/select_exo_main.c) can be compared with it on small clusters
(exo_main_differential.py).

select(request) takes a request in exo's /state shape with the placement
fields at top level (as the vectors in tests/conformance-exo-main hold) and
returns ("ok", [node ids in rank order]) or (code, exo's text) for the
errors of 5.3 to 5.9.

selection_list(request) gives the cycles that reach step 11, in candidate
order, with their keys. after_selection(request, cycle) goes on with 5.12,
the checks of section 6 and the address look-ups of section 7, and returns
None (the placement succeeds) or (code, exo's text) for the errors that
come after the selection; it computes no instance, only whether and how
one fails. place(request) is select then after_selection; previews(request)
is section 8's loop over place(); tier_request(request, tier) puts a memory
tier's metric in place of ramAvailable (section 9).

usage: exo_main_reference.py VECTORS_DIR
  checks the reference against the vectors: every `place` vector whose
  result is a success or an error of 5.1 to 5.9 (the selection; where the
  vector lists them, also the tied cycles in candidate order and how many
  cycles reached step 11), every `place` vector with an error after the
  selection, every `previews` vector (section 8's loop over place()) and
  every tier attempt of the `get_placement` vectors; prints
  "KIND: N of M vectors match" per kind.

Python 3 standard library only.
"""
import glob
import json
import os
import sys

SELECTION_CODES = (
    "insufficient_memory", "tensor_unsupported", "tensor_indivisible", "pipeline_unsupported_model",
    "pipeline_single_node_only", "backend_incompatible_model", "backend_no_cycle", "rdma_no_cycle",
)
AFTER_SELECTION_CODES = (
    "zero_memory", "too_few_layers", "node_insufficient_memory", "ring_no_link", "jaccl_not_all_to_all",
    "jaccl_unreachable_coordinator", "invalid_multiaddr",
)


def field(obj, camel, snake, default=None):
    """A member under either spelling (exo-main.md 1: both are accepted)."""
    if camel in obj:
        return obj[camel]
    if snake in obj:
        return obj[snake]
    return default


# ---- section 2: the graph -------------------------------------------------------------------------------------

class Edge:
    def __init__(self, index, source, sink, data):
        self.index = index
        self.source = source
        self.sink = sink
        self.rdma = "sourceRdmaIface" in data
        if self.rdma:
            self.key = ("rdma", data["sourceRdmaIface"], data["sinkRdmaIface"])
            self.source_iface = data["sourceRdmaIface"]
            self.address = None
        else:
            self.address = data["sinkMultiaddr"]["address"]
            self.key = ("socket", self.address)


class Graph:
    """2.1: nodes (ids) by index, edges by index; 2.2: the derived lists."""

    def __init__(self, topology):
        self.nodes = []
        self.index = {}
        self.edges = []
        for node in topology.get("nodes", []):
            self._add_node(node)
        for source, sinks in topology.get("connections", {}).items():
            for sink, edge_list in sinks.items():
                for data in edge_list:
                    self._add_node(source)
                    self._add_node(sink)
                    s, k = self.index[source], self.index[sink]
                    edge = Edge(len(self.edges), s, k, data)
                    if any(e.source == s and e.sink == k and e.key == edge.key for e in self.edges):
                        continue  # an equal edge for the same (source, sink) is skipped
                    self.edges.append(edge)
        self.n = len(self.nodes)

    def _add_node(self, node):
        if node not in self.index:
            self.index[node] = len(self.nodes)
            self.nodes.append(node)

    def edges_between(self, u, v):
        """edges(u, v): newest first."""
        return [e for e in reversed(self.edges) if e.source == u and e.sink == v]

    def distinct_successors(self, u):
        """The set of sinks of u's edges, any kind, self-edge included."""
        return {e.sink for e in self.edges if e.source == u}

    def has_self_edge(self, u):
        return any(e.source == u and e.sink == u for e in self.edges)

    # G' (no self-edges) restricted to a node set C, as lists newest first.
    def succ(self, u, nodes):
        return [e.sink for e in reversed(self.edges) if e.source == u and e.sink != u and e.sink in nodes]

    def pred(self, u, nodes):
        return [e.source for e in reversed(self.edges) if e.sink == u and e.source != u and e.source in nodes]


# ---- section 3: cycles and their order -------------------------------------------------------------------------

def kosaraju(graph, nodes):
    """SCC(G'[nodes]) as petgraph's kosaraju_scc emits it (section 3)."""
    order = sorted(nodes)
    seen, done, finished = set(), set(), []
    for r in order:
        if r in seen:
            continue
        stack = [r]
        while stack:
            x = stack[-1]
            if x not in seen:
                seen.add(x)
                for p in graph.pred(x, nodes):
                    if p not in seen:
                        stack.append(p)
            else:
                stack.pop()
                if x not in done:
                    done.add(x)
                    finished.append(x)
    seen = set()
    result = []
    for x in reversed(finished):
        if x in seen:
            continue
        component = []
        stack = [x]
        while stack:
            y = stack.pop()
            if y not in seen:
                seen.add(y)
                for v in graph.succ(y, nodes):
                    if v not in seen:
                        stack.append(v)
                component.append(y)
        result.append(component)
    return result


def start_sequence(graph):
    """[(start, piece)] in rustworkx's SimpleCycleIter order."""
    pending = [c for c in kosaraju(graph, set(range(graph.n))) if len(c) >= 2]
    starts = []
    while pending:
        piece = pending.pop()
        s = piece[-1]
        starts.append((s, set(piece)))
        rest = set(piece) - {s}
        pending.extend(c for c in kosaraju(graph, rest) if len(c) >= 2)
    return starts


def cycles_through(graph, s, piece):
    """The cycles through s within its piece, in depth-first order."""
    def next_nodes(u):
        newest = {}
        for e in graph.edges:
            if e.source == u and e.sink != u and e.sink in piece:
                newest[e.sink] = e.index  # edges by increasing index: the last one is the newest
        return sorted(newest, key=lambda v: newest[v])

    found = []
    path = [s]

    def extend(u):
        for v in next_nodes(u):
            if v == s:
                found.append(list(path))
            elif v not in path:
                path.append(v)
                extend(v)
                path.pop()

    extend(s)
    return found


def candidate_cycles(graph):
    """exo's candidate list (section 3), each cycle a list of node indices in rank order."""
    cycles = [[u] for u in reversed(range(graph.n)) if graph.has_self_edge(u)]
    for s, piece in start_sequence(graph):
        cycles.extend(cycles_through(graph, s, piece))
    cycles.extend([u] for u in range(graph.n))
    return cycles


# ---- section 4: definitions ------------------------------------------------------------------------------------

def is_leaf(graph, u):
    return len(graph.distinct_successors(u)) <= 1


def is_rdma_cycle(graph, cycle):
    members = set(cycle)
    for u in cycle:
        for v in graph.distinct_successors(u):
            if v in members and not any(e.rdma for e in graph.edges_between(u, v)):
                return False
    return True


def rdma_ctl_enabled(request, graph, cycle):
    table = request.get("nodeRdmaCtl", {})
    return all(table.get(graph.nodes[u], {}).get("enabled") is True for u in cycle)


def entry_model_id(body):
    try:
        (_, shard), = body["shardMetadata"].items()
        return shard["modelCard"]["modelId"]
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def download_fraction(request, node, model_id):
    for entry in request.get("downloads", {}).get(node, []):
        (kind, body), = entry.items()
        if entry_model_id(body) != model_id:
            continue
        if kind == "DownloadCompleted":
            return 1.0
        if kind == "DownloadFailed":
            return 0.0
        if kind == "DownloadOngoing":
            progress = body["downloadProgress"]
            downloaded, total = progress["downloaded"]["inBytes"], progress["total"]["inBytes"]
        else:  # DownloadPending
            downloaded = body.get("downloaded", {}).get("inBytes", 0)
            total = body.get("total", {}).get("inBytes", 0)
        return downloaded / total if total else 0.0  # Python's int / int is correctly rounded
    return 0.0


def download_score(request, graph, cycle, model_id):
    score = 0.0
    for u in cycle:
        score = score + download_fraction(request, graph.nodes[u], model_id)
    return score


def memory_of(request, node):
    """ramAvailable in bytes, or None without a nodeMemory entry."""
    entry = request.get("nodeMemory", {}).get(node)
    return None if entry is None else entry["ramAvailable"]["inBytes"]


def python_list_text(names):
    return "[" + ", ".join("'%s'" % name for name in names) + "]"


# ---- section 5, steps 1 to 11 ----------------------------------------------------------------------------------

ENGINE_BACKENDS = {"MlxRing": {"MlxMetal", "MlxCuda", "MlxCpu"}, "MlxJaccl": {"MlxMetal"}}


def placement_fields(request):
    sharding = field(request, "sharding", "sharding", "Pipeline")
    instance_meta = field(request, "instanceMeta", "instance_meta", "MlxRing")
    min_nodes = field(request, "minNodes", "min_nodes", 1)
    node_ids = field(request, "nodeIds", "node_ids", None)
    return sharding, instance_meta, min_nodes, node_ids


def select(request):
    """("ok", [node ids in rank order]) or (code, text): exo-main.md 5.1 to 5.11 on the list."""
    result = selection_list(request)
    if result[0] != "ok":
        return result
    cycles, keys = result[1], result[2]
    # 11. Selection: the first cycle with the greatest (score, memory)
    best, best_key = None, None
    for c, key in zip(cycles, keys):
        if best_key is None or key > best_key:
            best, best_key = c, key
    return ("ok", best)


def selection_list(request):
    """("ok", cycles, keys): the cycles that reach step 11 (5.1 to 5.10), in candidate order, node ids in
    rank order, each with its key (download score, memory); or (code, text)."""
    graph = Graph(request.get("topology", {}))
    model = request["model"]
    model_id = model["modelId"]
    storage = model["storageSize"]["inBytes"]
    sharding, instance_meta, min_nodes, node_ids = placement_fields(request)
    ids = graph.nodes

    # 1. Candidates
    cycles = [c for c in candidate_cycles(graph) if len(c) >= min_nodes]
    # 2. Required nodes
    if node_ids:
        cycles = [c for c in cycles if all(node in {ids[u] for u in c} for node in node_ids)]
    # 3. Memory
    def has_memory(c):
        memories = [memory_of(request, ids[u]) for u in c]
        return all(m is not None for m in memories) and sum(memories) >= storage
    cycles = [c for c in cycles if has_memory(c)]
    if not cycles:
        return ("insufficient_memory", "No cycles found with sufficient memory")
    # 4. Tensor
    if sharding == "Tensor":
        if not model["supportsTensor"]:
            return ("tensor_unsupported",
                    "Requested Tensor sharding but this model does not support tensor parallelism: %s" % model_id)
        hidden = model["hiddenSize"]
        kv = model.get("numKeyValueHeads")
        base = model.get("baseModel", "")
        def divisible(c):
            k = len(c)
            if hidden % k != 0:
                return False
            if base.startswith("DeepSeek V4") or kv is None:
                return True
            return kv % k == 0
        cycles = [c for c in cycles if divisible(c)]
        if not cycles:
            if kv is not None:
                return ("tensor_indivisible",
                        "No tensor sharding found for model with hidden_size=%d, num_key_value_heads=%d "
                        "across candidate cycles" % (hidden, kv))
            return ("tensor_indivisible",
                    "No tensor sharding found for model with hidden_size=%d across candidate cycles" % hidden)
    # 5. DeepSeek V3.1 8-bit
    if sharding == "Pipeline" and model_id == "mlx-community/DeepSeek-V3.1-8bit":
        return ("pipeline_unsupported_model", "Pipeline parallelism is not supported for DeepSeek V3.1 (8-bit)")
    # 6. Gemma 4
    if sharding == "Pipeline" and model.get("baseModel", "").startswith("Gemma 4"):
        cycles = [c for c in cycles if len(c) == 1]
        if not cycles:
            return ("pipeline_single_node_only",
                    "Pipeline parallelism is not supported for Gemma 4; use tensor parallelism instead.")
    # 7. Smallest
    smallest = min(len(c) for c in cycles)
    cycles = [c for c in cycles if len(c) == smallest]
    # 8. Backends
    engine = ENGINE_BACKENDS[instance_meta]
    card_backends = model["backends"]
    allowed = engine & set(card_backends)
    if not allowed:
        return ("backend_incompatible_model",
                "Model %s backends %s cannot satisfy engine %s which requires %s"
                % (model_id, python_list_text(sorted(card_backends)), instance_meta,
                   python_list_text(sorted(engine))))
    node_backends = request.get("nodeBackends", {})
    cycles = [c for c in cycles if all(set(node_backends.get(ids[u], [])) & allowed for u in c)]
    if not cycles:
        return ("backend_no_cycle", "No cycle where every node supports a backend in %s for %s"
                % (python_list_text(sorted(allowed)), model_id))
    # 9. RDMA
    if instance_meta == "MlxJaccl":
        cycles = [c for c in cycles if is_rdma_cycle(graph, c) and rdma_ctl_enabled(request, graph, c)]
        if not cycles:
            return ("rdma_no_cycle", "Requested RDMA (MlxJaccl) but no RDMA-connected cycles available")
    # 10. Leaves
    with_leaf = [c for c in cycles if any(is_leaf(graph, u) for u in c)]
    if with_leaf:
        cycles = with_leaf
    keys = [(download_score(request, graph, c, model_id), sum(memory_of(request, ids[u]) for u in c)) for c in cycles]
    return ("ok", [[ids[u] for u in c] for c in cycles], keys)


# ---- after the selection: 5.12, section 6's checks, section 7's look-ups ------------------------------------

def split_problem(request, nodes, n_layers, storage):
    """6.1 on the node list: None, or (code, text)."""
    memories = [memory_of(request, node) for node in nodes]
    total = sum(memories)
    m = len(nodes)
    if total == 0:
        return ("zero_memory", "Cannot create shard assignments: total available memory is 0")
    if n_layers < m:
        return ("too_few_layers", "Cannot distribute %d layers across %d nodes (need at least 1 layer per node)"
                % (n_layers, m))
    raw = [(a / total) * n_layers for a in memories]
    counts = [int(r) for r in raw]
    order = sorted(range(m), key=lambda i: -(raw[i] - counts[i]))  # stable: ties keep ascending index
    for i in order[:n_layers - sum(counts)]:
        counts[i] += 1
    for i in range(m):
        if counts[i] == 0:
            largest = counts.index(max(counts))
            counts[largest] -= 1
            counts[i] = 1
    for i in range(m):
        need = storage * counts[i] // n_layers
        if need > memories[i]:
            return ("node_insufficient_memory",
                    "Node %d (%s) has insufficient memory: requires %s GB for %d layers, but only has %s GB "
                    "available" % (i, nodes[i], format(need / 1073741824, ".2f"), counts[i],
                                   format(memories[i] / 1073741824, ".2f")))
    return None


class NoAddress(Exception):
    pass


class BadMultiaddr(Exception):
    pass


def ip_exists(graph, u, v):
    """Whether ip(u, v, table) finds an address (7.1); the table only orders the candidates."""
    candidates = [e for e in graph.edges_between(u, v) if not e.rdma]
    for e in candidates:
        if e.address.startswith("/dns"):
            raise BadMultiaddr(e.address)
    if not candidates:
        raise NoAddress()


def after_selection(request, cycle):
    """None when the chosen cycle gets an instance, else (code, text) of 6 and 7."""
    graph = Graph(request.get("topology", {}))
    model = request["model"]
    sharding, instance_meta, _, _ = placement_fields(request)
    if len(cycle) == 1:  # 12
        sharding, instance_meta = "Pipeline", "MlxRing"
    n = len(cycle)
    n_layers, storage = model["nLayers"], model["storageSize"]["inBytes"]
    if sharding == "Pipeline":
        if model.get("usesCfg", False) and n % 2 == 0 and n >= 2:
            problem = split_problem(request, cycle[:n // 2], n_layers, storage)
        else:
            problem = split_problem(request, cycle, n_layers, storage)
        if problem:
            return problem
    u = [graph.index[node] for node in cycle]
    try:
        if instance_meta == "MlxRing":
            for r in range(n):
                for idx in range(n):
                    if idx == r or idx not in ((r - 1) % n, (r + 1) % n):
                        continue
                    try:
                        ip_exists(graph, u[r], u[idx])
                    except NoAddress:
                        return ("ring_no_link", "MLX ring backend requires connectivity between neighbouring nodes")
        else:
            for i in range(n):
                for j in range(n):
                    if i != j and not any(e.rdma for e in graph.edges_between(u[i], u[j])):
                        return ("jaccl_not_all_to_all", "Current jaccl backend requires all-to-all RDMA connections")
            for r in range(1, n):
                try:
                    ip_exists(graph, u[r], u[0])
                except NoAddress:
                    return ("jaccl_unreachable_coordinator",
                            "Current jaccl backend requires all participating devices to be able to communicate")
    except BadMultiaddr as bad:
        return ("invalid_multiaddr", "Invalid multiaddr format: %s. Expected format like /ip6/::1/tcp/4001" % bad)
    return None


def place(request):
    """("ok", [node ids in rank order]) or (code, text): 5.1 to 7 without the instance."""
    result = select(request)
    if result[0] != "ok":
        return result
    return after_selection(request, result[1]) or result


# ---- previews, tiers, and the vectors -------------------------------------------------------------------------

def with_fields(request, **members):
    changed = dict(request)
    changed.update(members)
    return changed


def previews(request):
    """exo-main.md 8 on place(): [(sharding, instanceMeta, result)] in exo's order."""
    graph = Graph(request.get("topology", {}))
    shown, keys = [], set()
    if graph.n == 0:
        return shown
    node_ids = field(request, "nodeIds", "node_ids", None)
    for sharding in ("Pipeline", "Tensor"):
        for instance_meta in ("MlxRing", "MlxJaccl"):
            for min_nodes in range(1, graph.n + 1):
                attempt = {k: v for k, v in request.items()
                           if k not in ("sharding", "instanceMeta", "instance_meta", "minNodes", "min_nodes")}
                attempt.update(sharding=sharding, instanceMeta=instance_meta, minNodes=min_nodes)
                if node_ids is not None:
                    attempt["nodeIds"] = node_ids
                result = place(attempt)
                key = (sharding, instance_meta, len(result[1]) if result[0] == "ok" else 0)
                if key not in keys:
                    keys.add(key)
                    shown.append((sharding, instance_meta, result))
    return shown


def tier_request(request, tier):
    """The request with every ramAvailable replaced by the tier's metric (vectors README, get_placement)."""
    memory = {}
    for node, entry in request.get("nodeMemory", {}).items():
        entry = dict(entry)
        if tier == "total":
            entry["ramAvailable"] = entry["ramTotal"]
        elif tier == "swap":
            entry["ramAvailable"] = {"inBytes": entry["ramTotal"]["inBytes"] + entry["swapAvailable"]["inBytes"]}
        memory[node] = entry
    return with_fields(request, nodeMemory=memory)


def expected_result(expect):
    if expect.get("ok", expect.get("error") is None):
        return ("ok", [r["node"] for r in expect["ranks"]])
    return (expect["code"], expect["error"])


def check_vectors(directory):
    """Counts per kind: [matched, checked]; prints each mismatch."""
    counts = {"place-selection": [0, 0], "place-after-selection": [0, 0], "previews": [0, 0],
              "get_placement attempts": [0, 0]}
    for path in sorted(glob.glob(os.path.join(directory, "*.json"))):
        with open(path, encoding="utf-8") as f:
            vector = json.load(f)
        expect, request = vector["expect"], vector["request"]
        name = os.path.basename(path)
        if expect.get("bad_input"):
            continue
        if vector["kind"] == "place":
            if expect["ok"] or expect["code"] in SELECTION_CODES:
                kind = "place-selection"
            elif expect["code"] in AFTER_SELECTION_CODES:
                kind = "place-after-selection"
            else:
                continue
            want, got = expected_result(expect), place(request)
            if "optimal_cycles" in expect:
                # the tied cycles in candidate order and how many reached the selection (information in the
                # vectors, and a check of the whole candidate order)
                listed = selection_list(request)
                best = max(listed[2])
                want = (want, expect["optimal_cycles"], expect.get("selected_from"))
                got = (got, [c for c, key in zip(listed[1], listed[2]) if key == best], len(listed[1]))
        elif vector["kind"] == "previews":
            kind = "previews"
            want = [(p["sharding"], p["instance_meta"], expected_result(p)) for p in expect["previews"]]
            got = previews(request)
        elif vector["kind"] == "get_placement":
            kind = "get_placement attempts"
            want, got = [], []
            for attempt in expect["attempts"]:
                result = place(tier_request(request, attempt["tier"]))
                got.append((attempt["tier"], result if attempt["code"] is None else result[0]))
                want.append((attempt["tier"], expected_result(expect) if attempt["code"] is None
                             else attempt["code"]))
        else:
            continue
        counts[kind][1] += 1
        if got == want:
            counts[kind][0] += 1
        else:
            print("MISMATCH %s: reference %r, vector %r" % (name, got, want))
    for kind, (matched, checked) in counts.items():
        print("%s: %d of %d vectors match" % (kind, matched, checked))
    return all(matched == checked for matched, checked in counts.values()) and counts["place-selection"][1] > 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__.split("usage:")[1].split("\n\n")[0].strip(), file=sys.stderr)
        sys.exit(2)
    sys.exit(0 if check_vectors(sys.argv[1]) else 1)
