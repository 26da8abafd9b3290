"""The exo-main conformance vectors (this directory, README.md) and how a
result is checked against one, shared by the CLI runner
(tests/cli/exo_main_conformance.py) and the Python bindings' test.

A vector's expectations were computed by exo's own code; exo's random parts
(instance id, runner ids, ephemeral port) appear as placeholders that bind
to one value each (README: "compare by binding each placeholder").
"""
import glob
import json
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
PLACEHOLDER = re.compile(r"^<(instance-id|runner|port|model-card)(:[0-9]+)*>$")


def vectors(directory=HERE):
    """(file name, vector) for every vector, in name order."""
    for path in sorted(glob.glob(os.path.join(directory, "*.json"))):
        with open(path, encoding="utf-8") as f:
            yield os.path.basename(path), json.load(f)


class Bindings:
    """Placeholder -> the value it stands for in one result."""

    def __init__(self, model_card):
        self.model_card = model_card
        self.values = {}

    def bind(self, placeholder, value, where, problems):
        kind = placeholder[1:-1].split(":")[0]
        if kind == "model-card":
            if value != self.model_card:
                problems.append("%s: modelCard differs from the vector's model_card: %s" % (where, _short(value)))
            return
        if kind == "port":
            if isinstance(value, str):
                value = int(value) if value.isdigit() else value
            if isinstance(value, bool) or not isinstance(value, int) or not (49152 <= value <= 65535) \
                    or value == 52415:
                problems.append("%s: %r is not an ephemeral port" % (where, value))
                return
        elif not isinstance(value, str) or not UUID4.match(value):
            problems.append("%s: %r is not a uuid4 string" % (where, value))
            return
        if placeholder in self.values:
            if self.values[placeholder] != value:
                problems.append("%s: %s is %r here and %r elsewhere" % (where, placeholder,
                                                                      value, self.values[placeholder]))
            return
        if kind == "runner" and value in (v for p, v in self.values.items() if p.startswith("<runner")):
            problems.append("%s: two runners share the id %r" % (where, value))
        self.values[placeholder] = value


def _dotted(path):
    return re.sub(r"\[([0-9]+)\]", r".\1", path)


def _short(value):
    text = json.dumps(value, sort_keys=True)
    return text if len(text) < 200 else text[:200] + "..."


def _match(expected, actual, bindings, where, problems):
    if isinstance(expected, str) and PLACEHOLDER.match(expected):
        bindings.bind(expected, actual, where, problems)
        return
    if isinstance(expected, str) and ":<port" in expected:
        # "10.0.0.1:<port>" (a preview's "10.0.0.1:<port:K>") in
        # jacclCoordinators: the text after the last ':'.
        at = expected.index(":<port")
        host, placeholder = expected[:at], expected[at + 1:]
        if not isinstance(actual, str) or ":" not in actual:
            problems.append("%s: expected %r, got %r" % (where, expected, actual))
            return
        actual_host, _, actual_port = actual.rpartition(":")
        if actual_host != host:
            problems.append("%s: expected host %r, got %r" % (where, host, actual_host))
        bindings.bind(placeholder, actual_port, where, problems)
        return
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            problems.append("%s: expected an object, got %s" % (where, _short(actual)))
            return
        placeholder_keys = [k for k in expected if PLACEHOLDER.match(k)]
        plain = [k for k in expected if k not in placeholder_keys]
        for key in plain:
            if key not in actual:
                problems.append("%s: missing member %r" % (where, key))
            else:
                _match(expected[key], actual[key], bindings, "%s.%s" % (where, key), problems)
        # Keys that are placeholders: bound ones name their actual key; the
        # others take the actual keys left, in order.
        left = [k for k in actual if k not in plain]
        for key in placeholder_keys:
            target = bindings.values.get(key)
            if target is None or target not in actual:
                if not left:
                    problems.append("%s: no member for %s" % (where, key))
                    continue
                target = left[0]
                bindings.bind(key, target, where, problems)
            if target in left:
                left.remove(target)
            _match(expected[key], actual.get(target), bindings, "%s[%s]" % (where, key), problems)
        extra = [k for k in actual if k not in plain and k not in bindings.values.values()]
        if extra:
            problems.append("%s: unexpected members %s" % (where, extra))
        return
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            problems.append("%s: expected %d items, got %s" % (where, len(expected), _short(actual)))
            return
        for i, (e, a) in enumerate(zip(expected, actual)):
            _match(e, a, bindings, "%s[%d]" % (where, i), problems)
        return
    if expected != actual or type(expected) is not type(actual):
        problems.append("%s: expected %s, got %s" % (where, _short(expected), _short(actual)))


def _bind_runners_first(expected_instance, actual_instance, bindings, problems):
    """nodeToRunner binds every runner placeholder, so that runnerToShard's
    keys are compared by node, not by their order."""
    try:
        (kind, body), = expected_instance.items()
        node_to_runner = body["shardAssignments"]["nodeToRunner"]
        actual_map = actual_instance[kind]["shardAssignments"]["nodeToRunner"]
    except (AttributeError, KeyError, TypeError, ValueError):
        return
    for node, runner in node_to_runner.items():
        if isinstance(actual_map, dict) and node in actual_map:
            bindings.bind(runner, actual_map[node], "nodeToRunner.%s" % node, problems)


def instance_problems(expected, actual, model_card, where="instance"):
    """Differences between exo's instance (with placeholders) and ours."""
    problems = []
    bindings = Bindings(model_card)
    if isinstance(expected, dict) and isinstance(actual, dict):
        _bind_runners_first(expected, actual, bindings, problems)
    _match(expected, actual, bindings, where, problems)
    return problems


def ranks_of(instance):
    """(instance kind, shard kind, [(node, start, end) per device rank]) read
    from an instance as exo serializes it."""
    (kind, body), = instance.items()
    assignments = body["shardAssignments"]
    runner_to_node = {runner: node for node, runner in assignments["nodeToRunner"].items()}
    ranks = {}
    shard_kinds = set()
    for runner, tagged in assignments["runnerToShard"].items():
        (shard_kind, shard), = tagged.items()
        shard_kinds.add(shard_kind)
        ranks[shard["deviceRank"]] = (runner_to_node.get(runner), shard["startLayer"], shard["endLayer"])
    shard_kind = shard_kinds.pop() if len(shard_kinds) == 1 else sorted(shard_kinds)
    return kind, shard_kind, [ranks[r] for r in sorted(ranks)]


def placed_problems(expect, result, where, check_instance, model_card):
    """A successful placement (or preview) against its expectation."""
    problems = []
    instance = result.get("instance") if isinstance(result, dict) else None
    if not isinstance(instance, dict) or len(instance) != 1:
        return ["%s: no instance in %s" % (where, _short(result))]
    try:
        kind, shard_kind, ranks = ranks_of(instance)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        return ["%s: unreadable instance (%s): %s" % (where, exc, _short(instance))]
    if kind != expect["instance_kind"]:
        problems.append("%s: instance kind %s, expected %s" % (where, kind, expect["instance_kind"]))
    if shard_kind != expect["shard_kind"]:
        problems.append("%s: shard kind %s, expected %s" % (where, shard_kind, expect["shard_kind"]))
    want = [(r["node"], r["start"], r["end"]) for r in expect["ranks"]]
    if ranks != want:
        problems.append("%s: ranks %s, expected %s" % (where, ranks, want))
    if check_instance and expect.get("instance") not in (None, "omitted"):
        problems += instance_problems(expect["instance"], instance, model_card, where + ".instance")
    return problems


def check(vector, status, output, stderr, check_instance=True):
    """Problems of one run: exit status, the parsed standard output (None
    when it is empty or not JSON), standard error. [] when it conforms."""
    expect = vector["expect"]
    kind = vector["kind"]
    problems = []
    if expect.get("bad_input"):
        if status != 2:
            problems.append("exit %s, expected 2 (bad input)" % status)
        if output is not None:
            problems.append("standard output is not empty for bad input")
        # exo writes list indexes as path parts (interfaces.0), libexoplace as [0].
        if expect.get("field") and _dotted(expect["field"]) not in _dotted(stderr):
            problems.append("standard error does not name %s: %s" % (expect["field"], stderr.strip()))
        return problems
    if output is None:
        return ["exit %s, no JSON on standard output; stderr: %s" % (status, stderr.strip())]
    model_card = expect.get("model_card")
    if kind == "previews":
        if status != 0:
            problems.append("exit %s, expected 0" % status)
        got = output.get("previews")
        want = expect["previews"]
        if not isinstance(got, list) or len(got) != len(want):
            return problems + ["%s previews, expected %d" % (len(got) if isinstance(got, list) else got, len(want))]
        for i, (w, g) in enumerate(zip(want, got)):
            where = "previews[%d]" % i
            for key in ("sharding", "instance_meta", "error", "memory_delta_by_node"):
                if g.get(key) != w.get(key):
                    problems.append("%s.%s: %r, expected %r" % (where, key, g.get(key), w.get(key)))
            if w.get("error") is None:
                problems += placed_problems(w, g, where, check_instance, model_card)
                if g.get("is_low_memory") is not False or g.get("memory_tier") != "available":
                    problems.append("%s: a --no-fallback preview must be available, not %s"
                                    % (where, g.get("memory_tier")))
            elif g.get("code") != w.get("code") or g.get("instance") is not None:
                problems.append("%s: code %r instance %s, expected %r and null"
                                % (where, g.get("code"), _short(g.get("instance")), w.get("code")))
        return problems
    if expect.get("ok"):
        if status != 0:
            problems.append("exit %s, expected 0" % status)
        if output.get("ok") is not True or output.get("rules") != "exo-main":
            problems.append("not an exo-main success: %s" % _short(output))
        problems += placed_problems(expect, output, "place", check_instance, model_card)
        if kind == "get_placement":
            for key in ("is_low_memory", "memory_tier"):
                if output.get(key) != expect.get(key):
                    problems.append("%s %r, expected %r" % (key, output.get(key), expect.get(key)))
        elif output.get("memory_tier") != "available" or output.get("is_low_memory") is not False:
            problems.append("one attempt must be the available tier, not %s" % output.get("memory_tier"))
        return problems
    if status != 1:
        problems.append("exit %s, expected 1 (cannot be placed)" % status)
    for key in ("error", "code"):
        if output.get(key) != expect.get(key):
            problems.append("%s %r, expected %r" % (key, output.get(key), expect.get(key)))
    if output.get("ok") is not False:
        problems.append("ok is not false")
    return problems
