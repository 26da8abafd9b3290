#!/usr/bin/env python3
"""Writes the committed bad-input cases: cases/<name>.json and <name>.expect.

    python3 tests/bad-input/make-cases.py [OUTDIR]      (default: cases/ beside this file)

Most cases are one mutation of BASE, a valid two-node thunderbolt request, so
that each breaks exactly one thing; the exo-main-* cases mutate EXO_BASE, the
/state request of an exo-main conformance vector, read from
tests/conformance-exo-main/ when this script runs; the .json files are the data the runner
reads, and this script only says how each was made. Rerun it after changing a
case here (it rewrites every file it knows; delete cases/ first to drop one).
The biggest inputs are not committed: GEN lists them, run.py builds them.
"""
import copy
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "cases")
os.makedirs(OUT, exist_ok=True)

def mem(total, avail):
    return {"ramTotal": {"inBytes": total}, "ramAvailable": {"inBytes": avail},
            "swapTotal": {"inBytes": 0}, "swapAvailable": {"inBytes": 0}}

BASE = {
    "topology": {
        "nodes": [
            {"nodeId": "a", "nodeProfile": {"memory": mem(1000, 800),
                                            "networkInterfaces": [{"name": "en0", "ipAddress": "169.254.0.1"}]}},
            {"nodeId": "b", "nodeProfile": {"memory": mem(1000, 600), "networkInterfaces": []}},
        ],
        "connections": [
            {"localNodeId": "a", "sendBackNodeId": "b", "sendBackMultiaddr": {"address": "/ip4/169.254.0.2/tcp/52415"}},
            {"localNodeId": "b", "sendBackNodeId": "a", "sendBackMultiaddr": {"address": "/ip4/169.254.0.1/tcp/52415"}},
        ],
    },
    "model": {"modelId": "m", "storageSize": {"inBytes": 1200}, "nLayers": 4},
}

cases = {}

def text_of(doc):
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"

def case(name, data, exit, field=None, stderr=(), stdout=(), args=(), comment=None):
    assert name not in cases, name
    cases[name] = (data, exit, field, list(stderr), list(stdout), list(args), comment)

def mutate(fn):
    d = copy.deepcopy(BASE)
    fn(d)
    return text_of(d)

def setter(path, value):
    def fn(d):
        obj = d
        for k in path[:-1]:
            obj = obj[k]
        obj[path[-1]] = value
    return fn

def deleter(path):
    def fn(d):
        obj = d
        for k in path[:-1]:
            obj = obj[k]
        del obj[path[-1]]
    return fn

N0 = ["topology", "nodes", 0]
M0 = N0 + ["nodeProfile", "memory"]
C0 = ["topology", "connections", 0]
base_text = text_of(BASE)

# ---- malformed and truncated JSON
case("json-empty-file", "", 2, stderr=["invalid_json"], comment="an empty file")
case("json-whitespace-only", " \n\t\n", 2, stderr=["invalid_json"])
case("json-truncated-half", base_text[: len(base_text) // 2], 2, stderr=["invalid_json", "line "])
case("json-truncated-in-string", '{"topology": {"nodes": [{"nodeId": "a', 2, stderr=["invalid_json"])
case("json-truncated-after-colon", '{"topology":', 2, stderr=["invalid_json"])
case("json-trailing-comma", '{"topology": {"nodes": [],}, "model": {"modelId": "m", "storageSize": 1, "nLayers": 1}}\n', 2, stderr=["invalid_json"])
case("json-trailing-garbage", base_text + "x\n", 2, stderr=["invalid_json"])
case("json-two-documents", base_text + base_text, 2, stderr=["invalid_json"])
case("json-single-quotes", "{'topology': {'nodes': []}}\n", 2, stderr=["invalid_json"])
case("json-comment", "// a comment\n" + base_text, 2, stderr=["invalid_json"])
case("json-control-char-in-string", '{"topology": {"nodes": [{"nodeId": "a\tb"}]}}\n', 2, stderr=["invalid_json"])
case("json-bad-escape", '{"topology": {"nodes": [{"nodeId": "a\\xb"}]}}\n', 2, stderr=["invalid_json"])
case("json-lone-surrogate", '{"topology": {"nodes": [{"nodeId": "\\ud800"}]}}\n', 2, stderr=["invalid_json"])
case("json-nan-literal", base_text.replace('"inBytes": 1000', '"inBytes": NaN', 1), 2, stderr=["invalid_json"])
case("json-infinity-literal", base_text.replace('"inBytes": 1000', '"inBytes": Infinity', 1), 2, stderr=["invalid_json"])
case("json-big-integer-as-key", '{"topology": {"nodes": []}, 99999999999999999999: 1}\n', 2, stderr=["invalid_json"],
     comment="a number outside int64 where a key belongs: still malformed")
case("json-nul-byte-in-file", base_text[:20].encode() + b"\x00" + base_text[20:].encode(), 2, stderr=["NUL"])
case("top-level-array", "[]\n", 2, stderr=["place:"])
case("top-level-array-of-request", "[" + base_text + "]\n", 2, stderr=["place:"])
case("top-level-number", "42\n", 2, stderr=["place:"])
case("top-level-string", '"topology"\n', 2, stderr=["place:"])
case("top-level-null", "null\n", 2, stderr=["place:"])
case("top-level-true", "true\n", 2, stderr=["place:"])

# ---- wrong types at every level
case("topology-missing", mutate(deleter(["topology"])), 2, field="topology")
case("topology-array", mutate(setter(["topology"], [])), 2, field="topology")
case("topology-string", mutate(setter(["topology"], "cluster")), 2, field="topology")
case("nodes-object", mutate(setter(["topology", "nodes"], {"a": {}})), 2, field="topology.nodes")
case("nodes-string", mutate(setter(["topology", "nodes"], "a,b")), 2, field="topology.nodes")
case("node-string", mutate(setter(N0, "a")), 2, field="topology.nodes[0]")
case("node-array", mutate(setter(N0, ["a"])), 2, field="topology.nodes[0]")
case("node-id-number", mutate(setter(N0 + ["nodeId"], 1)), 2, field="topology.nodes[0].nodeId")
case("node-id-missing", mutate(deleter(["topology", "nodes", 1, "nodeId"])), 2, field="topology.nodes[1].nodeId")
case("node-profile-array", mutate(setter(N0 + ["nodeProfile"], [])), 2, field="topology.nodes[0].nodeProfile")
case("node-profile-string", mutate(setter(N0 + ["nodeProfile"], "mac")), 2, field="topology.nodes[0].nodeProfile")
case("memory-missing", mutate(deleter(M0)), 2, field="topology.nodes[0].nodeProfile.memory")
case("memory-array", mutate(setter(M0, [1000, 800])), 2, field="topology.nodes[0].nodeProfile.memory")
case("memory-number", mutate(setter(M0, 1000)), 2, field="topology.nodes[0].nodeProfile.memory")
case("ram-total-string", mutate(setter(M0 + ["ramTotal"], "1000")), 2, field="nodeProfile.memory.ramTotal")
case("ram-total-missing", mutate(deleter(M0 + ["ramTotal"])), 2, field="nodeProfile.memory.ramTotal")
case("ram-available-bool", mutate(setter(M0 + ["ramAvailable"], True)), 2, field="nodeProfile.memory.ramAvailable")
case("ram-available-array", mutate(setter(M0 + ["ramAvailable"], [800])), 2, field="nodeProfile.memory.ramAvailable")
case("swap-total-string", mutate(setter(M0 + ["swapTotal"], "0")), 2, field="nodeProfile.memory.swapTotal")
case("swap-available-object-without-in-bytes", mutate(setter(M0 + ["swapAvailable"], {"bytes": 0})), 2,
     field="nodeProfile.memory.swapAvailable.inBytes")
case("in-bytes-string", mutate(setter(M0 + ["ramTotal"], {"inBytes": "1000"})), 2, field="memory.ramTotal.inBytes")
case("in-bytes-null", mutate(setter(M0 + ["ramTotal"], {"inBytes": None})), 2, field="memory.ramTotal.inBytes")
case("interfaces-object", mutate(setter(N0 + ["nodeProfile", "networkInterfaces"], {"en0": "169.254.0.1"})), 2,
     field="topology.nodes[0].nodeProfile.networkInterfaces")
case("interface-address-number", mutate(setter(N0 + ["nodeProfile", "networkInterfaces", 0, "ipAddress"], 169)), 2,
     field="networkInterfaces[0].ipAddress")
case("pressure-level-unknown", mutate(setter(M0 + ["pressureLevel"], "high")), 2, field="memory.pressureLevel")
case("free-percent-101", mutate(setter(M0 + ["freePercent"], 101)), 2, field="memory.freePercent")
# A connections object is exo's /state shape (exo-main): "rules" keeps this one json.md's.
case("connections-object", mutate(lambda r: (setter(["topology", "connections"], {})(r), r.update(rules="seed"))),
     2, field="topology.connections")
case("connection-string", mutate(setter(C0, "a->b")), 2, field="topology.connections[0]")
case("connection-local-id-number", mutate(setter(C0 + ["localNodeId"], 0)), 2, field="topology.connections[0].localNodeId")
case("connection-send-back-id-missing", mutate(deleter(C0 + ["sendBackNodeId"])), 2,
     field="topology.connections[0].sendBackNodeId")
case("connection-send-back-id-empty", mutate(setter(C0 + ["sendBackNodeId"], "")), 2,
     field="topology.connections[0].sendBackNodeId")
case("multiaddr-missing", mutate(deleter(C0 + ["sendBackMultiaddr"])), 2, field="topology.connections[0].sendBackMultiaddr")
case("multiaddr-number", mutate(setter(C0 + ["sendBackMultiaddr"], 52415)), 2, field="topology.connections[0].sendBackMultiaddr")
case("multiaddr-address-missing", mutate(setter(C0 + ["sendBackMultiaddr"], {"addr": "/ip4/169.254.0.2/tcp/1"})), 2,
     field="topology.connections[0].sendBackMultiaddr.address")
case("model-missing", mutate(deleter(["model"])), 2, field="model")
case("model-array", mutate(setter(["model"], [BASE["model"]])), 2, field="model")
case("model-models-list-for-place", mutate(lambda d: d.update(models=[d.pop("model")])), 2, field="model")
case("model-id-number", mutate(setter(["model", "modelId"], 7)), 2, field="model.modelId")
case("model-id-empty", mutate(setter(["model", "modelId"], "")), 2, field="model.modelId")
case("model-id-missing", mutate(deleter(["model", "modelId"])), 2, field="model.modelId")
case("storage-size-string", mutate(setter(["model", "storageSize"], "1200")), 2, field="model.storageSize")
case("storage-size-missing", mutate(deleter(["model", "storageSize"])), 2, field="model.storageSize")
case("storage-size-negative", mutate(setter(["model", "storageSize"], {"inBytes": -1})), 2, field="model.storageSize.inBytes")
case("n-layers-string", mutate(setter(["model", "nLayers"], "4")), 2, field="model.nLayers")
case("n-layers-zero", mutate(setter(["model", "nLayers"], 0)), 2, field="model.nLayers")
case("n-layers-negative", mutate(setter(["model", "nLayers"], -4)), 2, field="model.nLayers")
case("n-layers-fraction", mutate(setter(["model", "nLayers"], 4.5)), 2, field="model.nLayers")
case("n-layers-2pow32", mutate(setter(["model", "nLayers"], 2 ** 32)), 2, field="model.nLayers")
case("n-layers-over-2pow64", mutate(setter(["model", "nLayers"], 2 ** 64)), 2, field="model.nLayers")
case("hidden-size-zero", mutate(setter(["model", "hiddenSize"], 0)), 2, field="model.hiddenSize")
case("hidden-size-string", mutate(setter(["model", "hiddenSize"], "4096")), 2, field="model.hiddenSize")
case("supports-tensor-string", mutate(setter(["model", "supportsTensor"], "true")), 2, field="model.supportsTensor")
case("supports-tensor-number", mutate(setter(["model", "supportsTensor"], 1)), 2, field="model.supportsTensor")
case("sharding-number", mutate(setter(["sharding"], 0)), 2, field="sharding")
case("sharding-unknown", mutate(setter(["sharding"], "Pipelined")), 2, field="sharding")
case("sharding-lowercase", mutate(setter(["sharding"], "pipeline")), 2, field="sharding")
case("sharding-object", mutate(setter(["sharding"], {"Pipeline": True})), 2, field="sharding")
case("instance-meta-unknown", mutate(setter(["instance_meta"], "MlxIbv")), 2, field="instance_meta")
case("instance-meta-number", mutate(setter(["instance_meta"], 1)), 2, field="instance_meta")
case("min-nodes-zero", mutate(setter(["min_nodes"], 0)), 2, field="min_nodes")
case("min-nodes-negative", mutate(setter(["min_nodes"], -1)), 2, field="min_nodes")
case("min-nodes-string", mutate(setter(["min_nodes"], "1")), 2, field="min_nodes")
case("min-nodes-fraction", mutate(setter(["min_nodes"], 1.5)), 2, field="min_nodes")
case("min-nodes-over-2pow64", mutate(setter(["min_nodes"], 2 ** 64 + 1)), 2, field="min_nodes")
case("allow-low-memory-string", mutate(setter(["allow_low_memory"], "true")), 2, field="allow_low_memory")
case("allow-low-memory-number", mutate(setter(["allow_low_memory"], 1)), 2, field="allow_low_memory")
case("allow-low-memory-array", mutate(setter(["allow_low_memory"], [])), 2, field="allow_low_memory")

# ---- numbers: negative, fractional, NaN-like, past 2^64
case("memory-negative", mutate(setter(M0 + ["ramTotal"], {"inBytes": -1000})), 2, field="memory.ramTotal.inBytes")
case("memory-fraction", mutate(setter(M0 + ["ramAvailable"], {"inBytes": 800.5})), 2, field="memory.ramAvailable.inBytes")
case("memory-integral-real", mutate(setter(M0 + ["ramAvailable"], {"inBytes": 800.0})), 2, field="memory.ramAvailable.inBytes")
case("memory-exponent", base_text.replace('"inBytes": 800', '"inBytes": 8e2', 1), 2, field="memory.ramAvailable.inBytes")
case("memory-1e999", base_text.replace('"inBytes": 800', '"inBytes": 1e999', 1), 2, field="memory.ramAvailable.inBytes",
     comment="valid JSON, a real too large for a double: not a byte count")
case("memory-nan-string", mutate(setter(M0 + ["ramTotal"], {"inBytes": "NaN"})), 2, field="memory.ramTotal.inBytes")
case("memory-infinity-string", mutate(setter(M0 + ["ramTotal"], "Infinity")), 2, field="memory.ramTotal")
case("memory-2pow64", mutate(setter(M0 + ["ramTotal"], {"inBytes": 2 ** 64})), 2, field="memory.ramTotal.inBytes")
case("memory-far-over-2pow64", mutate(setter(M0 + ["ramTotal"], {"inBytes": int("9" * 400)})), 2, field="memory.ramTotal.inBytes")
case("memory-big-negative", mutate(setter(M0 + ["swapTotal"], {"inBytes": -(2 ** 64)})), 2, field="memory.swapTotal.inBytes")
case("memory-minus-zero-real", base_text.replace('"inBytes": 800', '"inBytes": -0.0', 1), 2, field="memory.ramAvailable.inBytes")

# ---- node ids
case("node-id-empty", mutate(setter(N0 + ["nodeId"], "")), 2, field="topology.nodes[0].nodeId")
case("node-id-duplicate", mutate(setter(["topology", "nodes", 1, "nodeId"], "a")), 2, field="topology.nodes[1].nodeId",
     stderr=["duplicate_node"])
case("node-id-10000-chars", mutate(setter(N0 + ["nodeId"], "n" * 10000)), 2, field="topology.nodes[0].nodeId",
     stderr=["limit_exceeded"])
case("node-id-escaped-nul", base_text.replace('"nodeId": "a"', '"nodeId": "a\\u0000b"', 1), 2, field="topology.nodes[0].nodeId")
case("node-id-leading-escaped-nul", base_text.replace('"nodeId": "a"', '"nodeId": "\\u0000a"', 1), 2, field="topology.nodes[0].nodeId")
case("node-id-non-utf8", base_text.replace('"nodeId": "a"', '"nodeId": "a\udcff\udcfe"', 1).encode("utf-8", "surrogateescape"),
     2, stderr=["invalid_json"], comment="raw bytes 0xff 0xfe in a node id")
case("node-id-overlong-utf8", base_text.replace('"nodeId": "a"', '"nodeId": "\udcc0\udcaf"', 1).encode("utf-8", "surrogateescape"),
     2, stderr=["invalid_json"], comment="an overlong encoding of '/'")
case("model-id-10000-chars", mutate(setter(["model", "modelId"], "m" * 10000)), 2, field="model.modelId",
     stderr=["limit_exceeded"])

# ---- multiaddrs
for name, addr in [("ip4-octet-256", "/ip4/169.254.0.256/tcp/1"), ("ip4-three-octets", "/ip4/169.254.0/tcp/1"),
                   ("ip4-empty-host", "/ip4//tcp/1"), ("unknown-protocol", "/ipx/169.254.0.2/tcp/1"),
                   ("no-leading-slash", "ip4/169.254.0.2/tcp/1"), ("port-65536", "/ip4/169.254.0.2/tcp/65536"),
                   ("port-not-number", "/ip4/169.254.0.2/tcp/http"), ("bad-transport", "/ip4/169.254.0.2/sctp/1"),
                   ("ip6-invalid", "/ip6/fe80:::1/tcp/1"), ("empty", ""), ("missing-port", "/ip4/169.254.0.2/tcp"),
                   ("trailing-text", "/ip4/169.254.0.2/tcp/1x")]:
    case("multiaddr-" + name, mutate(setter(C0 + ["sendBackMultiaddr", "address"], addr)), 2,
         field="topology.connections[0].sendBackMultiaddr.address")
case("multiaddr-bare-string-invalid", mutate(setter(C0 + ["sendBackMultiaddr"], "/ip4/1.2.3/tcp/1")), 2,
     field="topology.connections[0].sendBackMultiaddr")

# ---- nesting
deep = '{"topology": {"nodes": [], "extra": ' + "[" * 10000 + "]" * 10000 + "}}\n"
case("nesting-10000-deep", deep, 2, stderr=["limit_exceeded", "nested deeper than 64"])
deep65 = '{"x": ' + "[" * 64 + "]" * 64 + "}\n"
case("nesting-65-deep", deep65, 2, stderr=["limit_exceeded"])
deep_objects = '{"model": ' + '{"a": ' * 10000 + "1" + "}" * 10000 + "}\n"
case("nesting-10000-deep-objects", deep_objects, 2, stderr=["limit_exceeded"])
case("nesting-10000-unclosed", "[" * 10000, 2, stderr=["limit_exceeded"], comment="too deep is found before the end is missed")

# ---- valid but odd: exit 0 or 1 with the right answer
V = ["--json"]
case("valid-base", base_text, 0, args=V, stdout=['"ok": true', '"nodes": ["a", "b"]'],
     comment="the base every other case mutates: a thunderbolt pair, 1200 bytes over 800 + 600 available")
case("valid-connection-to-unknown-node", mutate(lambda d: d["topology"]["connections"].append(
    {"localNodeId": "a", "sendBackNodeId": "ghost", "sendBackMultiaddr": {"address": "/ip4/10.0.0.9/tcp/1"}})), 0,
     args=V, stdout=['"ok": true', '"nodes": ["a", "b"]'], comment="ghost is added without a profile and never placed")
case("valid-connection-between-unknown-nodes", mutate(lambda d: d["topology"]["connections"].extend([
    {"localNodeId": "x", "sendBackNodeId": "y", "sendBackMultiaddr": {"address": "/ip4/169.254.9.9/tcp/1"}},
    {"localNodeId": "y", "sendBackNodeId": "x", "sendBackMultiaddr": {"address": "/ip4/169.254.9.8/tcp/1"}}])), 0,
     args=V, stdout=['"nodes": ["a", "b"]'])
case("valid-self-connection", mutate(lambda d: d["topology"]["connections"].append(
    {"localNodeId": "a", "sendBackNodeId": "a", "sendBackMultiaddr": {"address": "/ip4/169.254.0.1/tcp/2"}})), 0,
     args=V, stdout=['"nodes": ["a", "b"]'])
case("valid-self-connection-only", mutate(lambda d: (d["topology"].__setitem__("connections", [
    {"localNodeId": "a", "sendBackNodeId": "a", "sendBackMultiaddr": {"address": "/ip4/169.254.0.1/tcp/2"}}]),
    d["model"]["storageSize"].__setitem__("inBytes", 700))), 0, args=V, stdout=['"nodes": ["a"]'])
case("valid-only-unknown-nodes", text_of({"topology": {"connections": [
    {"localNodeId": "x", "sendBackNodeId": "y", "sendBackMultiaddr": {"address": "/ip4/169.254.9.9/tcp/1"}},
    {"localNodeId": "y", "sendBackNodeId": "x", "sendBackMultiaddr": {"address": "/ip4/169.254.9.8/tcp/1"}}]},
    "model": BASE["model"]}), 1, args=V, stdout=['"code": "insufficient_memory"'],
     comment="nodes known only from connections have no profile")
case("valid-identical-connections-twice", mutate(lambda d: d["topology"]["connections"].extend(
    copy.deepcopy(d["topology"]["connections"]))), 0, args=V, stdout=['"nodes": ["a", "b"]'])
case("valid-min-nodes-above-node-count", mutate(setter(["min_nodes"], 3)), 1, args=V,
     stdout=['"ok": false', '"code": "insufficient_memory"', "No cycles found with sufficient memory"])
case("valid-min-nodes-2pow31", mutate(setter(["min_nodes"], 2 ** 31)), 1, args=V, stdout=['"code": "insufficient_memory"'])
case("valid-n-layers-2pow31", mutate(setter(["model", "nLayers"], 2 ** 31)), 0, args=V,
     stdout=['"end_layer": 2147483648'], comment="2^31 layers is absurd but within uint32")
case("valid-n-layers-2pow32-minus-1", mutate(setter(["model", "nLayers"], 2 ** 32 - 1)), 0, args=V,
     stdout=['"end_layer": 4294967295'])
case("valid-nodes-empty", mutate(lambda d: d["topology"].update(nodes=[], connections=[])), 1, args=V,
     stdout=['"code": "insufficient_memory"'])
case("valid-topology-empty-object", mutate(setter(["topology"], {})), 1, args=V, stdout=['"code": "insufficient_memory"'])
case("valid-storage-size-zero", mutate(setter(["model", "storageSize"], 0)), 0, args=V, stdout=['"ok": true'])
case("valid-memory-2pow64-minus-1", mutate(lambda d: (setter(M0 + ["ramTotal"], {"inBytes": 2 ** 64 - 1})(d),
    setter(M0 + ["ramAvailable"], {"inBytes": 2 ** 64 - 1})(d),
    setter(["model", "storageSize"], {"inBytes": 2 ** 64 - 1})(d))), 0, args=V, stdout=['"nodes": ["a"]'])
case("valid-memory-sum-over-2pow64", mutate(lambda d: (
    setter(M0 + ["ramAvailable"], {"inBytes": 2 ** 63})(d),
    setter(["topology", "nodes", 1, "nodeProfile", "memory", "ramAvailable"], {"inBytes": 2 ** 63})(d),
    setter(["model", "storageSize"], {"inBytes": 2 ** 64 - 1})(d))), 0, args=V, stdout=['"nodes": ["a", "b"]'],
     comment="the pair's sum is exactly 2^64: needs an exact sum, not a wrapping one")
case("valid-nulls-are-absent", mutate(lambda d: d.update(sharding=None, instance_meta=None, min_nodes=None,
    allow_low_memory=None)), 0, args=V, stdout=['"sharding": "Pipeline"', '"instance_meta": "MlxRing"'])
case("valid-unknown-keys-ignored", mutate(lambda d: (d.update(extra={"x": [1, 2, {"y": None}]}),
    d["model"].update(prettyName="M", tags=["a"]), d["topology"]["nodes"][0].update(lastSeen=12.5))), 0, args=V,
     stdout=['"ok": true'])
case("valid-node-id-unicode", mutate(lambda d: (setter(N0 + ["nodeId"], "ノード-é")(d),
    setter(C0 + ["localNodeId"], "ノード-é")(d), setter(["topology", "connections", 1, "sendBackNodeId"], "ノード-é")(d))), 0,
     args=V, stdout=['"ok": true', "ノード-é"])
case("valid-node-id-1024-chars", mutate(lambda d: (setter(N0 + ["nodeId"], "n" * 1024)(d),
    setter(C0 + ["localNodeId"], "n" * 1024)(d), setter(["topology", "connections", 1, "sendBackNodeId"], "n" * 1024)(d))), 0,
     args=V, stdout=['"ok": true'], comment="exactly EXOPLACE_MAX_ID_BYTES")
case("valid-node-without-profile", mutate(lambda d: d["topology"]["nodes"][1].pop("nodeProfile")), 1, args=V,
     stdout=['"code": "insufficient_memory"'], comment="b has no profile: a alone (1000 total) cannot hold 1200")
case("valid-low-memory-fallback", mutate(setter(["model", "storageSize"], 1900)), 0, args=V + ["--yes"],
     stdout=['"is_low_memory": true', '"memory_tier": "total"'])
case("valid-tensor-hidden-size-indivisible", mutate(lambda d: (d.update(sharding="Tensor"),
    d["model"].update(hiddenSize=4097, supportsTensor=True))), 1, args=V, stdout=['"code": "no_tensor_sharding"'])

# ---- the same odd requests through the table for people (no --json)
def table(name, source, exit, stdout=(), stderr=(), args=(), comment=None):
    data, _, _, _, _, _, _ = cases[source]
    case("table-" + name, data, exit, stdout=stdout, stderr=stderr, args=args,
         comment=comment or "the table for people, drawn for " + source)
table("memory-2pow64-minus-1", "valid-memory-2pow64-minus-1", 0, stdout=["16.0 EiB", "[0, 4)"])
table("memory-sum-over-2pow64", "valid-memory-sum-over-2pow64", 0, stdout=["memory tier: available"])
table("node-id-unicode", "valid-node-id-unicode", 0, stdout=["ノード-é"])
table("node-id-1024-chars", "valid-node-id-1024-chars", 0, stdout=["n" * 1024])
table("n-layers-2pow32-minus-1", "valid-n-layers-2pow32-minus-1", 0, stdout=["4294967295)"])
table("low-memory-no-terminal", "valid-low-memory-fallback", 0, stdout=["memory tier: total"],
      stderr=["Low memory:", "warning: low-memory placement"],
      comment="no terminal to ask on: a warning, never a silent default")
table("not-placed", "valid-min-nodes-above-node-count", 1, stderr=["No cycles found with sufficient memory"])
table("only-unknown-nodes", "valid-only-unknown-nodes", 1, stderr=["insufficient_memory"])
table("storage-size-zero", "valid-storage-size-zero", 0, stdout=["0 B"])

# ---- the tool's own flags, before the file (a usage error names the option as written)
case("flag-json-with-value", base_text, 2, args=["--json=1"], stderr=["option '--json' doesn't allow an argument"])
case("flag-unknown", base_text, 2, args=["--no-such-flag"], stderr=["option '--no-such-flag' is unknown"])
case("flag-ambiguous", base_text, 2, args=["--no"], stderr=["option '--no' is ambiguous", "--no-retry"])
case("flag-min-nodes-negative", base_text, 2, args=["--min-nodes", "-1"], stderr=["--min-nodes: must be at least 1"],
     comment="a negative number is below the bound, not 'not a number'")
case("flag-min-nodes-over-2pow32", base_text, 2, args=["--min-nodes", "4294967296"],
     stderr=["--min-nodes: must be at most 4294967295"])
case("flag-min-nodes-hex", base_text, 2, args=["--min-nodes", "0x2"], stderr=["--min-nodes: expected a number in decimal digits"])
case("flag-max-search-steps-negative", base_text, 2, args=["--max-search-steps", "-5"],
     stderr=["--max-search-steps: must be at least 0"])
case("flag-sharding-lowercase", base_text, 2, args=["--sharding", "pipeline"], stderr=["--sharding: unknown value 'pipeline'"])
case("flag-node-ids-empty-id", base_text, 2, args=["--node-ids", "a,,b"], stderr=["--node-ids: id 2"])
case("flag-model-missing-file", base_text, 2, args=["--model", "no-such-card.json"], stderr=["cannot open no-such-card.json"])
case("valid-flag-min-nodes-leading-zero", mutate(setter(["model", "storageSize"], 700)), 0, args=V + ["--min-nodes", "02"],
     stdout=['"nodes": ["a", "b"]'], comment="010 is ten: flag numbers are decimal, leading zeros and all")
case("valid-flag-min-nodes-wins", mutate(lambda d: (d.update(min_nodes=2), d["model"].update(storageSize=700))), 0,
     args=V + ["--min-nodes", "1"], stdout=['"nodes": ["a"]'], comment="a flag wins over the request's own setting")

# ---- text a terminal would act on, in tables: shown escaped, never raw
def with_first_id(node_id):
    return lambda d: (setter(N0 + ["nodeId"], node_id)(d), setter(C0 + ["localNodeId"], node_id)(d),
                      setter(["topology", "connections", 1, "sendBackNodeId"], node_id)(d))
case("table-node-id-escape-sequence", mutate(with_first_id("a\x1b[2J\x1b[31m")), 0, stdout=["a\\x1b[2J\\x1b[31m"],
     comment="ESC in an id: the table shows \\x1b, the terminal never sees it")
case("table-node-id-newline", mutate(with_first_id("a\nforged 0 B 0 B")), 0, stdout=["a\\nforged 0 B 0 B"],
     comment="a newline in an id cannot start a table line")
case("table-node-id-bidi-override", mutate(with_first_id("a\u202eevil")), 0, stdout=["a\\u202eevil"])
case("table-model-id-bell", mutate(setter(["model", "modelId"], "m\x07\x1b]0;title")), 0, stdout=["m\\x07\\x1b]0;title"])
case("node-id-escape-in-error", mutate(lambda d: (setter(N0 + ["nodeId"], "a\x1b[2J")(d),
                                                  setter(["topology", "nodes", 1, "nodeId"], "a\x1b[2J")(d))), 2,
     field="topology.nodes[1].nodeId", stderr=["duplicate node id", "a\\x1b[2J"],
     comment="standard error shows request text escaped too")

# ---- exo-main: exo's GET /state with the placement fields (exo-main.md section 1)
# Every case is one mutation of a conformance vector's request, unchanged: a
# pair a <-> b with both edge kinds (RDMA first, then two sockets), interfaces,
# backends, rdma_ctl and a Tensor / MlxJaccl card. The vector is read here, not
# copied, so the cases follow it when it is regenerated.
EXO_VECTOR = os.path.join(ROOT, "tests", "conformance-exo-main", "rdma-jaccl-two-nodes-tensor.json")
with open(EXO_VECTOR, encoding="utf-8") as f:
    EXO_BASE = json.load(f)["request"]
# Download entries of each kind, as exo serializes them, from another vector.
with open(os.path.join(ROOT, "tests", "conformance-exo-main", "download-fractions-and-other-model.json"),
          encoding="utf-8") as f:
    _exo_downloads = json.load(f)["request"]["downloads"]


def exo_mutate(fn):
    d = copy.deepcopy(EXO_BASE)
    fn(d)
    return text_of(d)


def exo_case(name, fn, field, **kw):
    case("exo-main-" + name, exo_mutate(fn), 2, field=field, **kw)


def exo_download(kind, model_id=None):
    """A download entry of `kind` at node a for the base's model (or model_id)."""
    if kind == "DownloadFailed":
        body = copy.deepcopy(_exo_downloads["a"][0]["DownloadOngoing"])
        del body["downloadProgress"]
        body["errorMessage"] = "disk full"
    else:
        source = {"DownloadOngoing": _exo_downloads["a"][0], "DownloadPending": _exo_downloads["b"][0],
                  "DownloadCompleted": _exo_downloads["c"][0]}[kind]
        body = copy.deepcopy(source[kind])
    body["nodeId"] = "a"
    card = copy.deepcopy(EXO_BASE["model"])
    if model_id is not None:
        card["modelId"] = model_id
    body["shardMetadata"]["PipelineShardMetadata"]["modelCard"] = card
    return {kind: body}


def with_download(entry_fn, node="a"):
    """Sets downloads.<node> to the one entry entry_fn() returns."""
    return lambda d: d["downloads"].update({node: [entry_fn()]})


def edit_download(kind, fn):
    """An entry of `kind` for the base's model, changed by fn(body)."""
    def make():
        entry = exo_download(kind)
        fn(entry[kind])
        return entry
    return with_download(make)


def shard_of(body):
    return body["shardMetadata"]["PipelineShardMetadata"]


XE = ["topology", "connections", "a", "b"]  # a -> b: [RDMA edge, socket edge, socket edge]
XE_RDMA = "topology.connections.a.b[0]"
XE_SOCKET = "topology.connections.a.b[1]"
XADDR = XE_SOCKET + ".sinkMultiaddr.address"
XM = ["nodeMemory", "a"]
XN = ["nodeNetwork", "a", "interfaces"]
XB = ["nodeBackends", "a"]
XR = ["nodeRdmaCtl", "a"]
XC = ["model"]
XDL = "downloads.a[0]"

# topology.nodes
exo_case("nodes-object", setter(["topology", "nodes"], {"a": {}, "b": {}}), "topology.nodes")
exo_case("nodes-string", setter(["topology", "nodes"], "a,b"), "topology.nodes")
exo_case("node-object", setter(["topology", "nodes", 0], {"nodeId": "a"}),
         "topology.nodes[0]", comment="the json.md node object inside a /state")
exo_case("node-number", setter(["topology", "nodes", 0], 1), "topology.nodes[0]")
exo_case("node-null", setter(["topology", "nodes", 1], None), "topology.nodes[1]")
exo_case("node-empty", setter(["topology", "nodes", 1], ""), "topology.nodes[1]",
         comment="exo turns an empty id into a random uuid4; libexoplace refuses it (exo-main.md 11.2)")
exo_case("node-duplicate", setter(["topology", "nodes", 1], "a"), "topology.nodes[1]", stderr=["duplicate_node"],
         comment="exo keeps the first silently; libexoplace refuses it (exo-main.md 11.2)")
exo_case("node-nul", setter(["topology", "nodes", 1], "b\u0000"), "topology.nodes[1]")
exo_case("node-1025-bytes", lambda d: d["topology"]["nodes"].append("n" * 1025), "topology.nodes[2]",
         stderr=["limit_exceeded"])
exo_case("topology-array", setter(["topology"], []), "topology")

# topology.connections: source -> sink -> [edges]
case("exo-main-connections-array", exo_mutate(setter(["topology", "connections"], [])), 2, field="topology.connections",
     comment='an array is json.md\'s shape: only "rules" makes this request exo-main')
exo_case("connections-string", setter(["topology", "connections"], "a->b"), "topology.connections")
exo_case("source-array", setter(["topology", "connections", "a"], [{"b": []}]), "topology.connections.a")
exo_case("source-empty-id", lambda d: d["topology"]["connections"].update({"": {}}), "topology.connections.",
         stderr=["empty node id"])
exo_case("source-nul", lambda d: d["topology"]["connections"].update({"x\u0000": {}}), "topology.connections.x\\\\x00")
exo_case("sink-object", setter(XE, {}), "topology.connections.a.b")
exo_case("sink-string", setter(["topology", "connections", "a"], {"b": "edge"}), "topology.connections.a.b")
exo_case("sink-empty-id", lambda d: d["topology"]["connections"]["a"].update({"": []}), "topology.connections.a.",
         stderr=["empty node id"])
exo_case("edge-empty-object", setter(XE + [0], {}), XE_RDMA, stderr=["expected sinkMultiaddr"])
exo_case("edge-array", setter(XE + [0], ["rdma_en2", "rdma_en3"]), XE_RDMA)
exo_case("edge-null", setter(XE + [0], None), XE_RDMA)
exo_case("edge-neither-kind", setter(XE + [0], {"address": "/ip4/10.0.0.5/tcp/52415"}), XE_RDMA + ".address",
         stderr=["unknown member"])
exo_case("edge-both-kinds", lambda d: d["topology"]["connections"]["a"]["b"][0].update(
    sinkMultiaddr={"address": "/ip4/10.0.0.5/tcp/52415"}), XE_RDMA, stderr=["not both"])
exo_case("edge-socket-with-source-iface", lambda d: d["topology"]["connections"]["a"]["b"][1].update(
    sourceRdmaIface="rdma_en2"), XE_SOCKET, stderr=["not both"])
exo_case("edge-rdma-extra-member", lambda d: d["topology"]["connections"]["a"]["b"][0].update(weight=1),
         XE_RDMA + ".weight", stderr=["unknown member"])
exo_case("edge-socket-extra-member", lambda d: d["topology"]["connections"]["a"]["b"][1].update(latencyMs=1),
         XE_SOCKET + ".latencyMs", stderr=["unknown member"])
exo_case("edge-rdma-source-missing", deleter(XE + [0, "sourceRdmaIface"]), XE_RDMA + ".sourceRdmaIface",
         stderr=["missing"])
exo_case("edge-rdma-sink-missing", deleter(XE + [0, "sinkRdmaIface"]), XE_RDMA + ".sinkRdmaIface", stderr=["missing"])
exo_case("edge-rdma-source-number", setter(XE + [0, "sourceRdmaIface"], 2), XE_RDMA + ".sourceRdmaIface")
exo_case("edge-rdma-sink-array", setter(XE + [0, "sinkRdmaIface"], ["rdma_en3"]), XE_RDMA + ".sinkRdmaIface")
exo_case("edge-rdma-source-null", setter(XE + [0, "sourceRdmaIface"], None), XE_RDMA + ".sourceRdmaIface")
exo_case("edge-rdma-sink-1025-bytes", setter(XE + [0, "sinkRdmaIface"], "r" * 1025), XE_RDMA + ".sinkRdmaIface",
         stderr=["limit_exceeded"])
exo_case("edge-multiaddr-string", setter(XE + [1, "sinkMultiaddr"], "/ip4/10.0.0.5/tcp/52415"),
         XE_SOCKET + ".sinkMultiaddr")
exo_case("edge-multiaddr-address-missing", deleter(XE + [1, "sinkMultiaddr", "address"]), XADDR, stderr=["missing"])
exo_case("edge-multiaddr-address-number", setter(XE + [1, "sinkMultiaddr", "address"], 52415), XADDR)

# Near misses of each of exo's Multiaddr.PATTERNS (exo-main.md 1.1).
for name, address in [
        # /ip4/ + four dot-separated groups of 1-3 digits
        ("ip4-four-digit-group", "/ip4/1000.0.0.5/tcp/52415"), ("ip4-three-groups", "/ip4/10.0.5/tcp/52415"),
        ("ip4-five-groups", "/ip4/10.0.0.5.1/tcp/52415"), ("ip4-empty-group", "/ip4/10..0.5/tcp/52415"),
        ("ip4-letter", "/ip4/10.0.0.a/tcp/52415"), ("ip4-trailing-dot", "/ip4/10.0.0.5./tcp/52415"),
        ("ip4-empty", "/ip4//tcp/52415"), ("ip4-arabic-digits", "/ip4/\u0661\u0660.0.0.5/tcp/52415"),
        # /ip6/ + hex digits and colons
        ("ip6-non-hex", "/ip6/fe80::g/tcp/52415"), ("ip6-dotted-tail", "/ip6/::ffff:10.0.0.5/tcp/52415"),
        ("ip6-zone", "/ip6/fe80::1%en0/tcp/52415"), ("ip6-brackets", "/ip6/[fe80::1]/tcp/52415"),
        ("ip6-empty", "/ip6//tcp/52415"),
        # /dns/, /dns4/, /dns6/ + letters, digits, '.' and '-'
        ("dns-underscore", "/dns/studio_1.local/tcp/52415"), ("dns5", "/dns5/studio.local/tcp/52415"),
        ("dnsaddr", "/dnsaddr/studio.local/tcp/52415"), ("dns-empty", "/dns//tcp/52415"),
        ("dns-non-ascii", "/dns/st\u00fcdio.local/tcp/52415"),
        # then optionally /tcp/ + 1-5 digits
        ("tcp-six-digits", "/ip4/10.0.0.5/tcp/524150"), ("tcp-empty", "/ip4/10.0.0.5/tcp/"),
        ("tcp-name", "/ip4/10.0.0.5/tcp/http"), ("udp", "/ip4/10.0.0.5/udp/52415"),
        ("tcp-twice", "/ip4/10.0.0.5/tcp/52415/tcp/1"), ("tcp-signed", "/ip4/10.0.0.5/tcp/+1"),
        # then optionally /p2p/ + letters and digits
        ("p2p-empty", "/ip4/10.0.0.5/tcp/52415/p2p/"), ("p2p-dash", "/ip4/10.0.0.5/tcp/52415/p2p/Qm-x"),
        ("p2p-before-tcp", "/ip4/10.0.0.5/p2p/QmPeer/tcp/52415"), ("ipfs", "/ip4/10.0.0.5/tcp/52415/ipfs/QmPeer"),
        # and nothing else
        ("trailing-slash", "/ip4/10.0.0.5/tcp/52415/"), ("trailing-newline", "/ip4/10.0.0.5/tcp/52415\n"),
        ("trailing-space", "/ip4/10.0.0.5/tcp/52415 "), ("leading-space", " /ip4/10.0.0.5/tcp/52415"),
        ("no-leading-slash", "ip4/10.0.0.5/tcp/52415"), ("protocol-upper-case", "/IP4/10.0.0.5/tcp/52415"),
        ("unknown-protocol", "/ip5/10.0.0.5/tcp/52415"), ("url", "tcp://10.0.0.5:52415")]:
    exo_case("multiaddr-" + name, setter(XE + [1, "sinkMultiaddr", "address"], address), XADDR,
             stderr=["not a multiaddr exo accepts"])
exo_case("multiaddr-empty", setter(XE + [1, "sinkMultiaddr", "address"], ""), XADDR)
exo_case("multiaddr-nul", setter(XE + [1, "sinkMultiaddr", "address"], "/ip4/10.0.0.5/tcp/52415\u0000"), XADDR)

# nodeMemory: id -> four Memory objects {"inBytes": N}
exo_case("node-memory-array", setter(["nodeMemory"], []), "nodeMemory")
exo_case("node-memory-entry-array", setter(XM, []), "nodeMemory.a")
exo_case("node-memory-entry-null", setter(XM, None), "nodeMemory.a")
for member in ["ramTotal", "ramAvailable", "swapTotal", "swapAvailable"]:
    exo_case("node-memory-%s-missing" % member, deleter(XM + [member]), "nodeMemory.a." + member, stderr=["missing"])
exo_case("node-memory-in-bytes-missing", setter(XM + ["ramAvailable"], {}), "nodeMemory.a.ramAvailable.inBytes")
exo_case("node-memory-in-bytes-misspelt", setter(XM + ["ramAvailable"], {"bytes": 42949672960}),
         "nodeMemory.a.ramAvailable.inBytes")
exo_case("node-memory-string", setter(XM + ["ramAvailable"], "40 GiB"), "nodeMemory.a.ramAvailable")
exo_case("node-memory-bare-integer", setter(XM + ["ramAvailable"], 5), "nodeMemory.a.ramAvailable",
         stderr=['expected an object {"inBytes": N}'],
         comment="exo's Memory is an object: a bare byte count is refused (the seed rule set takes it)")
exo_case("node-memory-swap-total-bare-integer", setter(XM + ["swapTotal"], 0), "nodeMemory.a.swapTotal")
for name, value in [("negative", -1), ("fraction", 0.5), ("integral-real", 42949672960.0), ("string", "42949672960"),
                    ("bool", True), ("null", None), ("2pow64", 2 ** 64), ("far-over-2pow64", int("9" * 40))]:
    exo_case("node-memory-ram-available-" + name, setter(XM + ["ramAvailable", "inBytes"], value),
             "nodeMemory.a.ramAvailable.inBytes")
exo_case("node-memory-ram-total-negative", setter(XM + ["ramTotal", "inBytes"], -42949672960),
         "nodeMemory.a.ramTotal.inBytes", comment="exo accepts negative memory; libexoplace refuses it (exo-main.md 11.3)")
exo_case("node-memory-swap-available-fraction", setter(XM + ["swapAvailable", "inBytes"], 1.5),
         "nodeMemory.a.swapAvailable.inBytes")
case("exo-main-node-memory-exponent",
     exo_mutate(lambda d: None).replace('"inBytes": 42949672960', '"inBytes": 4.294967296e10', 1), 2,
     field="nodeMemory.a.ramAvailable.inBytes", comment="a byte count written with an exponent is not a JSON integer")
exo_case("node-memory-unknown-node-checked", lambda d: d["nodeMemory"].update(ghost={"ramTotal": {"inBytes": 1}}),
         "nodeMemory.ghost.ramAvailable", comment="an entry for an id that is no topology node is ignored, "
         "but it is still read")

# Keys of the per-node maps: an empty id is bad input (exo-main.md 11.2), and one
# holding U+0000 is refused as in topology.nodes; each value is valid.
for prefix, member, value in [("node-memory", "nodeMemory", lambda d: copy.deepcopy(d["nodeMemory"]["a"])),
                              ("node-network", "nodeNetwork", lambda d: {"interfaces": []}),
                              ("node-backends", "nodeBackends", lambda d: ["MlxMetal"]),
                              ("node-rdma-ctl", "nodeRdmaCtl", lambda d: {"enabled": True}),
                              ("downloads", "downloads", lambda d: [])]:
    for name, key, field, stderr in [("empty-id", "", member + ".", "empty node id"),
                                     ("nul-id", "a\u0000", member + ".a\\\\x00", "contains a NUL character")]:
        exo_case("%s-%s" % (prefix, name), lambda d, m=member, k=key, v=value: d.setdefault(m, {}).update({k: v(d)}),
                 field, stderr=[stderr])

# nodeNetwork: id -> {"interfaces": [{"name", "ipAddress", "interfaceType"}]}
exo_case("node-network-array", setter(["nodeNetwork"], []), "nodeNetwork")
exo_case("node-network-entry-array", setter(["nodeNetwork", "a"], []), "nodeNetwork.a")
exo_case("interfaces-object", setter(XN, {"en0": "10.0.0.3"}), "nodeNetwork.a.interfaces")
exo_case("interfaces-string", setter(XN, "en0"), "nodeNetwork.a.interfaces")
exo_case("interface-string", setter(XN + [0], "en0"), "nodeNetwork.a.interfaces[0]")
exo_case("interface-name-missing", deleter(XN + [0, "name"]), "nodeNetwork.a.interfaces[0].name")
exo_case("interface-ip-address-number", setter(XN + [1, "ipAddress"], 169), "nodeNetwork.a.interfaces[1].ipAddress")
for name, value in [("unknown", "infiniband"), ("capitalised", "Thunderbolt"), ("dash", "maybe-ethernet"),
                    ("empty", ""), ("number", 2), ("array", ["ethernet"])]:
    exo_case("interface-type-" + name, setter(XN + [1, "interfaceType"], value),
             "nodeNetwork.a.interfaces[1].interfaceType")

# nodeBackends: id -> [Backend]
exo_case("node-backends-array", setter(["nodeBackends"], [["MlxMetal"]]), "nodeBackends")
exo_case("node-backends-entry-string", setter(XB, "MlxMetal"), "nodeBackends.a")
exo_case("node-backends-entry-object", setter(XB, {"MlxMetal": True}), "nodeBackends.a")
for name, value in [("unknown", ["MlxMetal", "Metal"]), ("lower-case", ["MlxMetal", "mlxcuda"]),
                    ("number", ["MlxMetal", 0]), ("null", ["MlxMetal", None]), ("engine-name", ["MlxMetal", "MlxJaccl"])]:
    exo_case("node-backend-" + name, setter(XB, value), "nodeBackends.a[1]")

# nodeRdmaCtl: id -> {"enabled": boolean}
exo_case("node-rdma-ctl-array", setter(["nodeRdmaCtl"], []), "nodeRdmaCtl")
exo_case("node-rdma-ctl-entry-bool", setter(XR, True), "nodeRdmaCtl.a")
exo_case("rdma-ctl-enabled-missing", deleter(XR + ["enabled"]), "nodeRdmaCtl.a.enabled", stderr=["missing"])
for name, value in [("string", "true"), ("number", 1), ("null", None), ("array", [True])]:
    exo_case("rdma-ctl-enabled-" + name, setter(XR + ["enabled"], value), "nodeRdmaCtl.a.enabled")

# downloads: id -> [{kind: entry}] (exo-main.md 1.6)
exo_case("downloads-array", setter(["downloads"], []), "downloads")
exo_case("downloads-entry-object", lambda d: d["downloads"].update(a=exo_download("DownloadCompleted")), "downloads.a")
exo_case("download-string", with_download(lambda: "DownloadCompleted"), XDL)
exo_case("download-empty-object", with_download(lambda: {}), XDL, stderr=["expected one of DownloadCompleted"])
exo_case("download-kind-unknown", with_download(lambda: {"DownloadStarted": exo_download("DownloadOngoing")["DownloadOngoing"]}),
         XDL + ".DownloadStarted", stderr=["unknown download kind"])
exo_case("download-kind-lower-case", with_download(lambda: {"downloadCompleted": exo_download("DownloadCompleted")["DownloadCompleted"]}),
         XDL + ".downloadCompleted", stderr=["unknown download kind"])
exo_case("download-two-kinds", with_download(lambda: {**exo_download("DownloadCompleted"), **exo_download("DownloadFailed")}),
         XDL, stderr=["has one member"], comment="an entry is a one-member object keyed by its kind (exo-main.md 1.6)")
exo_case("download-kind-and-other-member", with_download(lambda: {**exo_download("DownloadOngoing"), "nodeId": "a"}),
         XDL, stderr=["has one member"])
exo_case("download-kind-value-string", with_download(lambda: {"DownloadCompleted": "done"}), XDL + ".DownloadCompleted")
exo_case("download-progress-string", edit_download("DownloadOngoing", lambda b: b.update(downloadProgress="25%")),
         XDL + ".DownloadOngoing.downloadProgress")
exo_case("download-progress-downloaded-negative",
         edit_download("DownloadOngoing", lambda b: b["downloadProgress"]["downloaded"].update(inBytes=-1)),
         XDL + ".DownloadOngoing.downloadProgress.downloaded.inBytes")
exo_case("download-progress-total-fraction",
         edit_download("DownloadOngoing", lambda b: b["downloadProgress"]["total"].update(inBytes=0.5)),
         XDL + ".DownloadOngoing.downloadProgress.total.inBytes")
exo_case("download-progress-total-2pow64",
         edit_download("DownloadOngoing", lambda b: b["downloadProgress"]["total"].update(inBytes=2 ** 64)),
         XDL + ".DownloadOngoing.downloadProgress.total.inBytes")
exo_case("download-pending-downloaded-string",
         edit_download("DownloadPending", lambda b: b["downloaded"].update(inBytes="1")),
         XDL + ".DownloadPending.downloaded.inBytes")
exo_case("download-pending-downloaded-bare-integer", edit_download("DownloadPending", lambda b: b.update(downloaded=5)),
         XDL + ".DownloadPending.downloaded", stderr=['expected an object {"inBytes": N}'])
exo_case("download-progress-total-bare-integer",
         edit_download("DownloadOngoing", lambda b: b["downloadProgress"].update(total=10)),
         XDL + ".DownloadOngoing.downloadProgress.total")
exo_case("download-pending-total-negative", edit_download("DownloadPending", lambda b: b["total"].update(inBytes=-1)),
         XDL + ".DownloadPending.total.inBytes")
exo_case("download-other-model-bad-progress", with_download(lambda: (lambda e: (
    e["DownloadOngoing"]["downloadProgress"]["total"].update(inBytes=-1), e)[1])(
        exo_download("DownloadOngoing", model_id="mlx-community/other"))),
         XDL + ".DownloadOngoing.downloadProgress.total.inBytes",
         comment="the figures an entry is read for are checked whatever model it is for")
exo_case("download-unknown-node-checked", with_download(lambda: {}, node="ghost"), "downloads.ghost[0]")

# model: exo's ModelCard (exo-main.md 1.7)
for member in ["modelId", "storageSize", "nLayers", "hiddenSize", "supportsTensor", "tasks", "backends"]:
    exo_case("card-%s-missing" % member, deleter(XC + [member]), "model." + member, stderr=["missing"])
    exo_case("card-%s-null" % member, setter(XC + [member], None), "model." + member)
exo_case("card-n-layers-zero", setter(XC + ["nLayers"], 0), "model.nLayers")
exo_case("card-n-layers-negative", setter(XC + ["nLayers"], -48), "model.nLayers")
exo_case("card-n-layers-2pow32", setter(XC + ["nLayers"], 2 ** 32), "model.nLayers")
exo_case("card-hidden-size-zero", setter(XC + ["hiddenSize"], 0), "model.hiddenSize")
exo_case("card-hidden-size-fraction", setter(XC + ["hiddenSize"], 2048.5), "model.hiddenSize")
exo_case("card-hidden-size-string", setter(XC + ["hiddenSize"], "2048"), "model.hiddenSize")
exo_case("card-num-key-value-heads-zero", setter(XC + ["numKeyValueHeads"], 0), "model.numKeyValueHeads")
exo_case("card-num-key-value-heads-negative", setter(XC + ["numKeyValueHeads"], -4), "model.numKeyValueHeads")
exo_case("card-num-key-value-heads-string", setter(XC + ["numKeyValueHeads"], "4"), "model.numKeyValueHeads")
exo_case("card-storage-size-negative", setter(XC + ["storageSize", "inBytes"], -1), "model.storageSize.inBytes")
exo_case("card-storage-size-2pow64", setter(XC + ["storageSize", "inBytes"], 2 ** 64), "model.storageSize.inBytes")
exo_case("card-storage-size-string", setter(XC + ["storageSize"], "50 GiB"), "model.storageSize")
exo_case("card-storage-size-bare-integer", setter(XC + ["storageSize"], 53687091200), "model.storageSize",
         stderr=['expected an object {"inBytes": N}'])
exo_case("card-model-id-empty", setter(XC + ["modelId"], ""), "model.modelId",
         comment="exo turns an empty id into a random uuid4; libexoplace refuses it (exo-main.md 11.2)")
exo_case("card-model-id-number", setter(XC + ["modelId"], 30), "model.modelId")
exo_case("card-supports-tensor-string", setter(XC + ["supportsTensor"], "true"), "model.supportsTensor")
exo_case("card-supports-tensor-number", setter(XC + ["supportsTensor"], 1), "model.supportsTensor")
exo_case("card-tasks-string", setter(XC + ["tasks"], "TextGeneration"), "model.tasks")
for name, value in [("unknown", ["TextGeneration", "Embedding"]), ("snake-case", ["TextGeneration", "text_generation"]),
                    ("number", ["TextGeneration", 0])]:
    exo_case("card-task-" + name, setter(XC + ["tasks"], value), "model.tasks[1]")
exo_case("card-backends-string", setter(XC + ["backends"], "MlxMetal"), "model.backends")
for name, value in [("unknown", ["MlxMetal", "Cuda"]), ("engine-name", ["MlxMetal", "MlxRing"]),
                    ("null", ["MlxMetal", None])]:
    exo_case("card-backend-" + name, setter(XC + ["backends"], value), "model.backends[1]")
for name, value in [("unknown", "think"), ("capitalised", "None"), ("dash", "post-last-user"), ("number", 0)]:
    exo_case("card-reasoning-dialect-" + name, setter(XC + ["reasoningDialect"], value), "model.reasoningDialect")
exo_case("card-base-model-number", setter(XC + ["baseModel"], 3), "model.baseModel")
exo_case("card-uses-cfg-string", setter(XC + ["usesCfg"], "false"), "model.usesCfg")
exo_case("card-capabilities-string", setter(XC + ["capabilities"], "tools"), "model.capabilities")
exo_case("card-sampling-defaults-temperature-string", setter(XC + ["samplingDefaults", "temperature"], "warm"),
         "model.samplingDefaults.temperature")
exo_case("model-array", setter(XC, [EXO_BASE["model"]]), "model")
exo_case("model-id-only", setter(XC, "mlx-community/Qwen3-30B-A3B-4bit"), "model")
exo_case("model-missing", deleter(XC), "model", stderr=["missing"])

# The placement fields
for name, value in [("unknown", "Hybrid"), ("lower-case", "tensor"), ("number", 1)]:
    exo_case("sharding-" + name, setter(["sharding"], value), "sharding")
for name, value in [("unknown", "MlxIbv"), ("instance-kind", "MlxJacclInstance"), ("number", 1)]:
    exo_case("instance-meta-" + name, setter(["instanceMeta"], value), "instanceMeta")
exo_case("instance-meta-snake-case-unknown", lambda d: (d.pop("instanceMeta"), d.update(instance_meta="jaccl")),
         "instance_meta")
for name, value in [("zero", 0), ("negative", -1), ("fraction", 1.5), ("string", "2"), ("bool", True),
                    ("2pow64", 2 ** 64)]:
    exo_case("min-nodes-" + name, setter(["minNodes"], value), "minNodes")
exo_case("min-nodes-zero-snake-case", lambda d: d.update(min_nodes=0), "min_nodes",
         comment="exo treats values below 1 as 1; libexoplace refuses them (exo-main.md 11.3)")
exo_case("node-ids-string", setter(["nodeIds"], "a"), "nodeIds")
exo_case("node-ids-object", setter(["nodeIds"], {"a": True}), "nodeIds")
exo_case("node-ids-number", setter(["nodeIds"], ["a", 2]), "nodeIds[1]")
exo_case("node-ids-empty-id", setter(["nodeIds"], ["a", ""]), "nodeIds[1]")
exo_case("node-ids-null-id", setter(["nodeIds"], [None]), "nodeIds[0]")
exo_case("node-ids-snake-case-number", lambda d: d.update(node_ids=[1]), "node_ids[0]")
for name, value in [("unknown", "exo"), ("capitalised", "Exo-Main"), ("underscore", "exo_main"), ("number", 2)]:
    exo_case("rules-" + name, setter(["rules"], value), "rules")
exo_case("rules-seed-on-a-state", setter(["rules"], "seed"), "topology.nodes[0]",
         comment='"rules" wins over the shape: json.md wants node objects')

# ---- exo-main: valid but odd (exo-main.md 1): exit 0 with exo main's single attempt
XV = ["--json", "--no-fallback"]
XOK = ['"ok": true', '"rules": "exo-main"']


def exo_valid(name, fn, stdout=(), exit=0, comment=None):
    case("exo-main-valid-" + name, exo_mutate(fn), exit, args=XV, stdout=list(stdout) or XOK + ['"MlxJacclInstance"'],
         comment=comment)


exo_valid("base", lambda d: None, comment="the request every exo-main case mutates: %s" % os.path.basename(EXO_VECTOR))
exo_valid("ignored-members", lambda d: (d.update(nodeDisk={"a": 1}, extra=[None]), d["model"].update(prettyName=1),
                                        d["nodeMemory"]["a"].update(pressure=True)),
          comment="unknown and unread /state members are ignored (exo-main.md 11.4)")
exo_valid("snake-case-keys", lambda d: (d.update(instance_meta=d.pop("instanceMeta")),
                                        d["topology"]["connections"]["a"]["b"].__setitem__(0, {
                                            "source_rdma_iface": "rdma_en2", "sink_rdma_iface": "rdma_en3"}),
                                        d["nodeMemory"]["a"].update(ram_available=d["nodeMemory"]["a"].pop("ramAvailable"))))
exo_valid("multiaddr-host-only", setter(XE + [2, "sinkMultiaddr"], {"address": "/ip4/169.254.0.6"}))
exo_valid("multiaddr-tcp-and-p2p", setter(XE + [1, "sinkMultiaddr"], {"address": "/ip4/10.0.0.5/tcp/52415/p2p/QmPeer1"}))
exo_valid("multiaddr-leading-zeros", setter(XE + [1, "sinkMultiaddr"], {"address": "/ip4/010.000.000.005/tcp/00001"}),
          comment="1-3 digits per group, 1-5 per port: leading zeros included; the IP is used as written")
# exo's patterns check the shape only: groups past 255, ports past 65535, /p2p
# without /tcp and any hex-and-colons text are valid, and the instance uses the
# IP as written (exo-main.md 1.1, 7.1). The jaccl coordinator of rank 1 (a) is
# reached through a -> b's socket edges: unknown type (2) beats thunderbolt (4).
for name, address, ip in [("ip4-group-999", "/ip4/999.0.0.5/tcp/52415", "999.0.0.5"),
                          ("ip4-group-256", "/ip4/10.0.0.256/tcp/52415", "10.0.0.256"),
                          ("tcp-65536", "/ip4/10.0.0.7/tcp/65536", "10.0.0.7"),
                          ("tcp-99999", "/ip4/10.0.0.7/tcp/99999", "10.0.0.7"),
                          ("p2p-without-tcp", "/ip4/10.0.0.7/p2p/QmPeer", "10.0.0.7"),
                          ("ip6-one-digit", "/ip6/1/tcp/1", "1"),
                          ("ip6-colons-only", "/ip6/:::::/tcp/1", ":::::")]:
    exo_valid("multiaddr-" + name, setter(XE + [1, "sinkMultiaddr"], {"address": address}),
              stdout=XOK + ['"a": "%s:' % ip])
exo_valid("multiaddr-ring-odd-ip-matches-interface", lambda d: (
    d.update(sharding="Pipeline", instanceMeta="MlxRing"),
    setter(XE + [2, "sinkMultiaddr"], {"address": "/ip4/999.0.0.6/tcp/65536"})(d),
    setter(["nodeNetwork", "b", "interfaces", 1, "ipAddress"], "999.0.0.6")(d)),
          stdout=XOK + ['"MlxRingInstance"', '"ip": "999.0.0.6"'],
          comment="the IP as written is matched with the sink's interfaces: thunderbolt wins the ring's table")
exo_valid("multiaddr-dns", setter(XE + [1, "sinkMultiaddr"], {"address": "/dns4/studio-2.local/tcp/52415"}), exit=1,
          stdout=['"ok": false', '"code": "invalid_multiaddr"'],
          comment="a /dns edge is valid input; looking up its IP is the placement failure of exo-main.md 7.1")
exo_valid("multiaddr-computed-members-ignored", lambda d: d["topology"]["connections"]["a"]["b"][1]["sinkMultiaddr"].update(
    address_type=4, ip_address=None, port="x"), comment="exo computes them on output")
exo_valid("edge-twice", lambda d: d["topology"]["connections"]["a"]["b"].append(
    copy.deepcopy(d["topology"]["connections"]["a"]["b"][0])))
exo_valid("sink-not-in-nodes", lambda d: d["topology"]["connections"]["a"].update(
    ghost=[{"sourceRdmaIface": "rdma_en9", "sinkRdmaIface": "rdma_en0"}]),
          comment="an endpoint that is not in nodes becomes a node (exo-main.md 2.1), never placed without memory")
exo_valid("rdma-iface-empty", setter(XE + [0, "sourceRdmaIface"], ""), comment="RDMAConnection's members are strings")
exo_valid("interface-type-missing", deleter(XN + [1, "interfaceType"]), comment='interfaceType defaults to "unknown"')
exo_valid("interfaces-missing", lambda d: d["nodeNetwork"]["a"].pop("interfaces"), comment="interfaces defaults to []")
exo_valid("num-key-value-heads-null", setter(XC + ["numKeyValueHeads"], None))
exo_valid("downloads-every-kind", lambda d: d["downloads"].update(a=[
    exo_download("DownloadFailed"), exo_download("DownloadOngoing"), exo_download("DownloadPending"),
    exo_download("DownloadCompleted")]))
for name, fn in [("shard-metadata-string", lambda b: b.update(shardMetadata="pipeline")),
                 ("shard-metadata-empty", lambda b: b.update(shardMetadata={})),
                 ("shard-metadata-missing", lambda b: b.pop("shardMetadata")),
                 ("model-card-missing", lambda b: shard_of(b).pop("modelCard")),
                 ("model-id-missing", lambda b: shard_of(b)["modelCard"].pop("modelId")),
                 ("model-id-number", lambda b: shard_of(b)["modelCard"].update(modelId=7)),
                 ("shard-kind-unknown", lambda b: b.update(shardMetadata={"FooShardMetadata": shard_of(b)})),
                 ("shard-two-kinds", lambda b: b["shardMetadata"].update(TensorShardMetadata=shard_of(b))),
                 ("card-not-checked", lambda b: shard_of(b)["modelCard"].update(nLayers=0, backends="x"))]:
    exo_valid("download-" + name, edit_download("DownloadOngoing", fn),
              comment="an entry whose model id cannot be found is ignored (exo-main.md 1.6)")
exo_valid("download-progress-missing", edit_download("DownloadOngoing", lambda b: b.pop("downloadProgress")),
          comment="downloaded and total default to 0")
exo_valid("download-completed-total-not-read", edit_download("DownloadCompleted", lambda b: b["total"].update(inBytes=-1)),
          comment="only the kind of a completed entry is read")
exo_valid("node-ids-unknown", setter(["nodeIds"], ["ghost"]), exit=1,
          stdout=['"ok": false', '"code": "insufficient_memory"'],
          comment="a listed id that is no topology node leaves no cycle (exo-main.md 5.2)")
exo_valid("topology-missing", deleter(["topology"]), exit=1, stdout=['"code": "insufficient_memory"'],
          comment="a missing member is an empty object: no nodes")

# ---- generated at test time (not committed): the runner builds the input
GEN = {
    "ignored-200000-digit-integer": (0, None, [], "an unused member holding a 200 000-digit integer: valid JSON, "
                                     "ignored; the table is drawn from the structs the library filled",
                                     ["m  1.2 KiB, 4 layers  Pipeline / MlxRing on 2 nodes", "1000 B"]),
    "nodes-100000": (2, None, ["limit_exceeded", "topology.nodes"],
                     "100 000 nodes, past EXOPLACE_MAX_NODES: refused before any is added"),
    "connections-100000-to-unknown-nodes": (2, None, ["limit_exceeded"],
                     "100 000 connections between ids never listed as nodes: the node limit must trigger"),
    "input-50mb": (2, None, ["limit_exceeded"], "a 50 MB request, past EXOPLACE_MAX_INPUT_BYTES"),
    "input-50mb-stdin": (2, None, ["limit_exceeded"], "the same on standard input"),
}

for name, (data, exit, field, stderr, stdout, args, comment) in sorted(cases.items()):
    raw = data if isinstance(data, bytes) else data.encode("utf-8")
    with open(os.path.join(OUT, name + ".json"), "wb") as f:
        f.write(raw)
    lines = []
    if comment:
        lines.append("# " + comment)
    lines.append("exit %d" % exit)
    if args:
        lines.append("args " + " ".join(args))
    if field:
        lines.append("field " + field)
    for s in stderr:
        lines.append("stderr " + s)
    for s in stdout:
        lines.append("stdout " + s)
    with open(os.path.join(OUT, name + ".expect"), "w") as f:
        f.write("\n".join(lines) + "\n")
for name, (exit, field, stderr, comment, *stdout) in GEN.items():
    lines = (["# " + comment, "generate " + name, "exit %d" % exit] + ["stderr " + s for s in stderr] +
             ["stdout " + s for s in (stdout[0] if stdout else [])])
    with open(os.path.join(OUT, name + ".expect"), "w") as f:
        f.write("\n".join(lines) + "\n")
print(len(cases), "committed,", len(GEN), "generated")
