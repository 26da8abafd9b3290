#!/usr/bin/env python3
"""Writes the seed corpus of the fuzz harnesses into OUTDIR/<harness>/.

    python3 tests/fuzz/make-corpus.py OUTDIR

Seeds are read, never copied into the tree: the "request" member of every
conformance vector (tests/conformance/*.json and extra/*.json, and exo's
/state requests of tests/conformance-exo-main/*.json, plus one /state with
every exo-main card as its "models" for previews and fit), the example
requests (examples/*.json, a cluster joined with its model catalogue), each
written compact so that libFuzzer's length limit stays small; every multiaddr
and address they contain, plus a few hand-written ones; a handful of byte
streams for fuzz_api; and for fuzz_instance a few programs, each followed by
the card of every exo-main vector. scripts/fuzz calls this before each run.
"""
import hashlib
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

MULTIADDRS = [
    "/ip4/169.254.0.2/tcp/5001",
    "/ip4/192.168.1.10/tcp/52415",
    "/ip4/10.0.0.1/udp/0",
    "/ip4/169.254.255.255",
    "/ip6/fe80::1/tcp/52415",
    "/ip6/::ffff:169.254.0.1/tcp/1",
    "/dns/studio.local/tcp/52415",
    "/dns4/a/tcp/65535/p2p/QmNode",
    "/dns6/b/udp/1",
    "/ip4/256.0.0.1/tcp/1",
    "/ip4/1.2.3/tcp/1",
    "/ip4/1.2.3.4/tcp/65536",
    "/ip4/1.2.3.4/sctp/1",
    "/ip9/1.2.3.4/tcp/1",
    "ip4/1.2.3.4/tcp/1",
    "//",
    "",
]

# The exo-main vector whose /state carries every exo-main card as "models".
EXO_CATALOGUE_STATE = "rdma-jaccl-two-nodes-tensor.json"

# fuzz_api byte streams: a pool of ids, then operations (see fuzz_api.c).
API_SEEDS = [
    bytes([3, 1, 97, 1, 98, 1, 99, 9,
           1, 0, 0, 8, 3, 0, 0, 0, 0, 0, 0,
           1, 1, 0, 8, 3, 0, 0, 0, 0, 0, 0,
           1, 2, 0, 8, 3, 0, 0, 0, 0, 0, 0,
           2, 0, 1, 0, 1, 2, 2, 1, 2, 0, 3, 4, 2, 2, 0, 0, 5, 6,
           0, 0, 200, 12, 1, 0, 0, 1, 0, 0, 4, 0, 0, 0]),
    bytes([2, 2, 120, 49, 2, 120, 50, 4,
           1, 0, 5, 1, 0, 0, 0, 0, 0, 0,
           2, 0, 1, 3, 10, 1, 2, 1, 0, 3, 10, 2,
           0, 5, 0, 32, 1, 16, 0, 2, 4, 3, 7, 0]),
    bytes(range(256)),
    bytes([255] * 64),
]


# fuzz_instance programs (see fuzz_instance.c): node count, memory, operations
# (sockets, RDMA, interfaces), the cycle, the model, sharding, engine, tier.
INSTANCE_PROGRAMS = [
    bytes([1, 1, 40, 1, 30, 1, 0, 1, 40, 1, 30, 1, 0, 4, 0, 0, 1, 0, 0, 1, 0, 1, 2, 1, 0, 1, 1, 1, 0,
           0, 1, 1, 20, 7, 16, 1, 0, 2, 1, 0, 0, 0, 1]),
    bytes([3, 1, 10, 1, 9, 0, 0, 1, 12, 1, 11, 0, 0, 1, 14, 1, 13, 0, 0, 1, 16, 1, 15, 0, 0,
           12, 1, 0, 1, 1, 1, 1, 0, 1, 1, 1, 1, 2, 1, 1, 2, 3, 1, 1, 3, 0, 1, 0, 1, 0, 1, 2, 0, 1,
           0, 2, 0, 0, 2, 1, 0, 0, 1, 2, 3, 3, 1, 30, 9, 1, 1, 1, 1, 1, 0, 1, 0, 1]),
    bytes(range(200)),
]

# fuzz_json_parse texts beyond the requests: escapes, numbers, layout.
JSON_SEEDS = [
    '{"k\\u00e9y": ["\\ud83d\\ude00", "\\u0000x", "a\\/b\\n"], "n": [-0, 1.5e-3, 9223372036854775808]}',
    '[\n\t{ "a" : true , "b" : false , "c" : null } ,\r\n [ ] ]',
    '{"a": "\u00e9\u20ac", "a": 2}',
    '[1e400, 01, "\\ud800", "\\q"]',
]


def write(directory, data):
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    os.makedirs(directory, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)


def compact(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def walk_strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from walk_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk_strings(item)


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make-corpus.py OUTDIR")
    out = sys.argv[1]
    requests = []
    conformance = os.path.join(ROOT, "tests", "conformance")
    for directory in (conformance, os.path.join(conformance, "extra")):
        for name in sorted(os.listdir(directory)):
            if name.endswith(".json"):
                vector = load(os.path.join(directory, name))
                if isinstance(vector, dict) and "request" in vector:
                    requests.append(vector["request"])
    examples = os.path.join(ROOT, "examples")
    catalogue = []
    for name in sorted(os.listdir(examples)):
        if name.endswith(".json"):
            doc = load(os.path.join(examples, name))
            requests.append(doc)
            if isinstance(doc, dict) and isinstance(doc.get("models"), list):
                catalogue = doc["models"]
    # The example cluster with its catalogue (previews, fit) and one model (place).
    for doc in list(requests):
        if isinstance(doc, dict) and "topology" in doc and "model" not in doc and catalogue:
            requests.append({"topology": doc["topology"], "models": catalogue})
            requests.append({"topology": doc["topology"], "model": catalogue[0]})
    # exo-main: exo's /state with the placement fields, whole.
    exo_main = os.path.join(ROOT, "tests", "conformance-exo-main")
    exo_cards = {}
    for name in sorted(os.listdir(exo_main)):
        if name.endswith(".json"):
            vector = load(os.path.join(exo_main, name))
            request = vector.get("request") if isinstance(vector, dict) else None
            if isinstance(request, dict):
                requests.append(request)
                if isinstance(request.get("model"), dict):
                    exo_cards.setdefault(compact(request["model"]), request["model"])
    # The cards as a catalogue on a /state with both edge kinds, backends and rdma_ctl.
    state = load(os.path.join(exo_main, EXO_CATALOGUE_STATE))["request"]
    state = {k: v for k, v in state.items() if k != "model"}
    requests.append(dict(state, models=list(exo_cards.values())))

    addresses = set(MULTIADDRS)
    for doc in requests:
        text = compact(doc)
        write(os.path.join(out, "fuzz_request"), text)
        write(os.path.join(out, "fuzz_previews"), text)
        write(os.path.join(out, "fuzz_json_parse"), text)
        for s in walk_strings(doc):
            if s.startswith("/"):
                addresses.add(s)
            elif s.count(".") == 3 or ":" in s:
                addresses.add("/ip4/%s/tcp/1" % s if ":" not in s else "/ip6/%s/tcp/1" % s)
    for address in sorted(addresses):
        write(os.path.join(out, "fuzz_multiaddr"), address)
    # The parser also sees escapes, reals and layout it must agree on.
    for text in JSON_SEEDS:
        write(os.path.join(out, "fuzz_json_parse"), text)
    for seed in API_SEEDS:
        write(os.path.join(out, "fuzz_api"), seed)
    # The exo-main vectors' cards after each program.
    cards = ["", "{}"]
    for name in sorted(os.listdir(exo_main)):
        if name.endswith(".json"):
            model = load(os.path.join(exo_main, name)).get("request", {}).get("model")
            if isinstance(model, dict):
                cards.append(compact(model))
    for program in INSTANCE_PROGRAMS:
        for card in sorted(set(cards)):
            write(os.path.join(out, "fuzz_instance"), bytes([len(program) % 256]) + program + card.encode())
    print("make-corpus: %d requests, %d multiaddrs, %d api streams in %s"
          % (len(requests), len(addresses), len(API_SEEDS), out))


if __name__ == "__main__":
    main()
