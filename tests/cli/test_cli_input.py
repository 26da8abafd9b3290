#!/usr/bin/env python3
"""The exoplace tool as a client of the library, against hostile input and
odd usage: --json is what the JSON entry points write, byte for byte; the
tables come from the same structs, whatever else the request holds; flags
are read as the user wrote them; text from the request never reaches a
terminal raw.

usage: test_cli_input.py EXOPLACE REPO_DIR [--library LIBEXOPLACE] [--valgrind PATH]

With --library (the shared library the tool links), --json output is also
compared with the JSON entry points called through ctypes.
"""
import ctypes
import json
import os
import re
import sys
import tempfile
import unicodedata
import unittest

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_support import Exoplace  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bindings", "python"))
from exoplace import _lib as _bindings_lib  # noqa: E402

EXOPLACE = None
REPO = None
LIBRARY = None
GIB = 1 << 30


def node(node_id, total=8 * GIB, available=4 * GIB):
    memory = {"ramTotal": {"inBytes": total}, "ramAvailable": {"inBytes": available},
              "swapTotal": {"inBytes": 0}, "swapAvailable": {"inBytes": 0}}
    return {"nodeId": node_id, "nodeProfile": {"memory": memory}}


def link(a, b, k=1):
    return {"localNodeId": a, "sendBackNodeId": b,
            "sendBackMultiaddr": {"address": "/ip4/169.254.%d.%d/tcp/52415" % (k >> 8 & 255, k & 255)}}


def ring(ids):
    """A directed ring a -> b -> ... -> a."""
    return [link(ids[k], ids[(k + 1) % len(ids)], k + 1) for k in range(len(ids))]


def model(model_id="m", size=GIB, n_layers=4):
    return {"modelId": model_id, "storageSize": {"inBytes": size}, "nLayers": n_layers}


def cells(text):
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def shown(text):
    """A text as the tool's tables and messages show it: the rule --help states."""
    out = []
    for c in text:
        code = ord(c)
        if c == "\\":
            out.append("\\\\")
        elif c in "\n\r\t":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}[c])
        elif code < 0x20 or code == 0x7F:
            out.append("\\x%02x" % code)
        elif unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp"):
            out.append("\\u%04x" % code if code <= 0xFFFF else "\\U%08x" % code)
        else:
            out.append(c)
    return "".join(out)


def raw_controls(text):
    """The characters of text a terminal would act on or hide (newlines between lines aside)."""
    return [c for c in text if c != "\n" and unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")]


def size_text(count):
    """A byte count as the tool writes sizes: "512 B", "12.0 GiB"."""
    units = ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB")
    value, unit = float(count), 0
    while value >= 1024 and unit + 1 < len(units):
        value /= 1024
        unit += 1
    return "%.0f B" % value if unit == 0 else "%.1f %s" % (value, units[unit])


def amount_text(count, explanation):
    """An explanation's amount as the tool writes it: bytes as a size, or layers."""
    if explanation["unit"] == "layers":
        return "%d layer%s" % (count, "" if count == 1 else "s")
    return size_text(count)


def why_lines(err):
    """The explanation's lines on standard error: "why: ..." and the lines indented under it."""
    lines = err.splitlines()
    if not any(line.startswith("why: ") for line in lines):
        return []
    start = next(i for i, line in enumerate(lines) if line.startswith("why: "))
    end = start + 1
    while end < len(lines) and lines[end].startswith("  "):
        end += 1
    return lines[start:end]


class JsonEntryPoints:
    """The library's JSON entry points through ctypes: what --json must print."""

    # The C structs as the Python bindings mirror them (one definition of each layout).
    Options = _bindings_lib.JsonOptions
    Filter = _bindings_lib.CycleFilter

    def __init__(self, path):
        self.lib = ctypes.CDLL(path)
        for name in ("get_placement", "place", "previews", "model_fit", "cycles", "layers"):
            f = getattr(self.lib, "exoplace_%s_json" % name)
            f.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_char_p, ctypes.c_size_t, ctypes.c_void_p,
                          ctypes.c_void_p]
            f.restype = ctypes.c_int
        self.lib.exoplace_free.argtypes = [ctypes.c_void_p]
        self.lib.exoplace_json_options_init.argtypes = [ctypes.c_void_p]
        self.lib.exoplace_cycle_filter_init.argtypes = [ctypes.c_void_p]

    def options(self, **settings):
        options = self.Options()
        self.lib.exoplace_json_options_init(ctypes.byref(options))
        assert options.struct_size == ctypes.sizeof(options), "Options is not exoplace_json_options"
        for key, value in settings.items():
            setattr(options, key, value)
        return options

    def cycle_filter(self, **settings):
        f = self.Filter()
        self.lib.exoplace_cycle_filter_init(ctypes.byref(f))
        assert f.struct_size == ctypes.sizeof(f), "Filter is not exoplace_cycle_filter"
        for key, value in settings.items():
            setattr(f, key, value)
        return f

    def call(self, name, text, settings=None):
        """The response text, or None when the entry point writes none."""
        data = text.encode() if isinstance(text, str) else text
        out = ctypes.c_void_p()
        options = ctypes.byref(settings) if settings is not None else None
        getattr(self.lib, "exoplace_%s_json" % name)(ctypes.byref(out), data, len(data), options, None)
        if not out.value:
            return None
        response = ctypes.string_at(out.value).decode()
        self.lib.exoplace_free(out)
        return response


class ToolInput(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def write(self, name, content):
        path = os.path.join(self.tmp.name, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(content if isinstance(content, str) else json.dumps(content))
        return path

    def usage_error(self, args, needle, stdin_text="{}"):
        status, out, err = EXOPLACE.run(args, stdin_text=stdin_text)
        self.assertEqual(status, 2, (args, err))
        self.assertEqual(out, "", args)
        self.assertIn(needle, err, args)
        return err

    # ---- --json is the library's own output

    def test_json_is_byte_for_byte_what_the_json_entry_points_write(self):
        if LIBRARY is None:
            self.skipTest("no --library: the entry points cannot be called")
        ids = ["a", "b", "c"]
        fits = {"topology": {"nodes": [node(i) for i in ids], "connections": ring(ids)},
                "model": model(size=9 * GIB, n_layers=7)}
        low = dict(fits, model=model(size=20 * GIB))
        too_big = dict(fits, model=model(size=30 * GIB))
        exo = dict(fits, strategy="exo", models=[model("x", GIB), model("y", 20 * GIB), model("z", 99 * GIB)])
        # Explained in layers (strategy fit), and with a rule that removes a cycle length.
        layered = dict(fits, strategy="fit", model=dict(model(size=20 * GIB, n_layers=10), kvCacheBytesPerLayer=GIB))
        tensor = dict(fits, sharding="Tensor", min_nodes=2,
                      model=dict(model(size=30 * GIB), hiddenSize=4096, supportsTensor=True))
        cases = [(["place", "--json"], "get_placement", None), (["place", "--json", "--no-retry"], "place", None),
                 (["place", "--json", "--no-fallback"], "get_placement", {"no_fallback": 1}),
                 (["place", "--json", "--strategy", "exo"], "get_placement", {"strategy": 1}),
                 (["previews", "--json"], "previews", None), (["fit", "--json"], "model_fit", None),
                 (["cycles", "--json"], "cycles", None)]
        for request in (fits, low, too_big, exo, layered, tensor):
            text = json.dumps(request)
            for args, entry, settings in cases:
                options = LIBRARY.options(**settings) if settings else None
                if entry == "cycles":
                    options = None
                want = LIBRARY.call(entry, text, options)
                status, out, err = EXOPLACE.run(args + ["--yes"] * (args[0] == "place"), stdin_text=text)
                self.assertEqual(out, want + "\n" if want is not None else "", (args, err))
        text = json.dumps(fits)
        want = LIBRARY.call("cycles", text, LIBRARY.cycle_filter(by_memory=1, min_bytes=9 * GIB, tier=2))
        _, out, _ = EXOPLACE.run(["cycles", "--json", "--min-bytes", str(9 * GIB), "--use-total-memory"],
                                 stdin_text=text)
        self.assertEqual(out, want + "\n")
        for memory, n_layers in (([1, 1, 2], 14), ([5, 5, 5], 2), ([3] * 100, 200)):
            want = LIBRARY.call("layers", json.dumps({"memory": memory, "n_layers": n_layers}))
            _, out, _ = EXOPLACE.run(["layers", "--json", "--memory", ",".join(map(str, memory)),
                                      "--layers", str(n_layers)])
            self.assertEqual(out, want + "\n", memory)

    # ---- the explanation in words: what --json's "explanation" holds

    def explained(self, request, args=()):
        """The explanation of `place --json ARGS` and the lines `place ARGS` prints for people."""
        text = json.dumps(request)
        _, out, _ = EXOPLACE.run(["place", "--json"] + list(args), stdin_text=text)
        explanation = json.loads(out)["explanation"]
        status, out, err = EXOPLACE.run(["place"] + list(args), stdin_text=text)
        self.assertEqual(raw_controls(err), [], err)
        return status, explanation, why_lines(err)

    def assert_first_tier_said(self, explanation, lines):
        """The first line: the need, the first tier's best cycle, its sum and the gap; the
        second: what each node of the cycle with a shortfall must free."""
        tier = explanation["tiers"][0]
        nodes = tier["candidate"]["nodes"]
        said = re.fullmatch(r"why: (.+?) needed; in memory tier '(\w+)' the best cycle \((.*)\) (?:has|holds) "
                            r"(.+?): (.+?) short(?: \(a layer takes (.+) with its KV cache\))?", lines[0])
        self.assertIsNotNone(said, lines)
        want = (amount_text(tier["need"], explanation), tier["tier"], ", ".join(shown(n["node_id"]) for n in nodes),
                amount_text(tier["candidate"]["sum"], explanation), amount_text(tier["gap"], explanation),
                size_text(explanation["layer_cost"]) if explanation["unit"] == "layers" else None)
        self.assertEqual(said.groups(), want)
        self.assertTrue(lines[1].startswith("  free "), lines)
        self.assertEqual(lines[1][len("  free "):].split(", "),
                         ["%s on %s" % (size_text(n["shortfall_bytes"]), shown(n["node_id"]))
                          for n in nodes if n["shortfall_bytes"]])

    def test_a_failure_says_why_with_the_explanation_figures(self):
        ids = ["a", "b", "c"]
        cluster = {"nodes": [node(i) for i in ids], "connections": ring(ids)}
        # Not even every node's total memory holds it.
        status, explanation, lines = self.explained({"topology": cluster, "model": model(size=30 * GIB)})
        self.assertEqual(status, 1)
        self.assertFalse(explanation["placed"])
        self.assert_first_tier_said(explanation, lines)
        swap = next(t for t in explanation["tiers"] if t["tier"] == "swap")
        self.assertLess(swap["cluster_sum"], swap["need"])
        self.assertIn("  it cannot fit even with every node's total memory and swap (%s on %d nodes)"
                      % (size_text(swap["cluster_sum"]), swap["cluster_nodes"]), lines)
        # One attempt: the tier that would place it, and the flag in the way.
        status, explanation, lines = self.explained({"topology": cluster, "model": model(size=20 * GIB)},
                                                    ["--no-fallback"])
        self.assertEqual(status, 1)
        self.assert_first_tier_said(explanation, lines)
        self.assertEqual(lines[-1], "  it fits in memory tier '%s' (other programs must free memory): run without "
                         "--no-fallback" % explanation["placing_tier"])
        # In layers with strategy fit: each node holds what its memory takes of layer_cost.
        layered = {"topology": cluster, "strategy": "fit",
                   "model": dict(model(size=20 * GIB, n_layers=10), kvCacheBytesPerLayer=GIB)}
        status, explanation, lines = self.explained(layered, ["--no-fallback"])
        self.assertEqual((status, explanation["unit"]), (1, "layers"))
        self.assert_first_tier_said(explanation, lines)

    def test_a_low_memory_placement_says_why_available_memory_does_not_do(self):
        ids = ["a", "b", "c"]
        low = {"topology": {"nodes": [node(i) for i in ids], "connections": ring(ids)}, "model": model(size=20 * GIB)}
        status, explanation, lines = self.explained(low, ["--yes"])
        self.assertEqual(status, 0)
        self.assertEqual(lines, [], "--yes: nothing to say")
        status, out, err = EXOPLACE.run(["place"], stdin_text=json.dumps(low))
        self.assertEqual(status, 0, err)
        lines = why_lines(err)
        self.assertTrue(explanation["placed"])
        self.assert_first_tier_said(explanation, lines)
        self.assertEqual(len(lines), 2, lines)  # the placing tier is on the "Memory tier" line already
        self.assertIn("Memory tier '%s'" % explanation["placing_tier"], err)

    def test_rules_exo_main_tiers_and_the_work_bound_are_said(self):
        ids = ["a", "b", "c"]
        cluster = {"nodes": [node(i) for i in ids], "connections": ring(ids)}
        tensor = {"topology": cluster, "sharding": "Tensor", "min_nodes": 2,
                  "model": dict(model(size=30 * GIB), hiddenSize=4096, supportsTensor=True)}
        status, explanation, lines = self.explained(tensor)
        self.assertEqual(status, 1)
        self.assertTrue(explanation["rules_applied"])
        for rule in explanation["rules_applied"]:
            self.assertIn("  rule: " + rule["message"], lines)
        # exo-main: the best cycle of exo's graph, said as for seed.
        state, card = self.exo_state()
        big = dict(state, model=dict(card, storageSize={"inBytes": card["storageSize"]["inBytes"] * 100}))
        status, explanation, lines = self.explained(big)
        self.assertEqual(status, 1)
        self.assertEqual(explanation["rules"], "exo-main")
        self.assertIsNotNone(explanation["tiers"][0]["candidate"])
        self.assert_first_tier_said(explanation, lines)
        # A candidate search that the work bound stopped may have missed a better cycle.
        mesh = ["n%d" % i for i in range(6)]
        dense = {"topology": {"nodes": [node(i, 10 + k, 10 + k) for k, i in enumerate(mesh)],
                              "connections": [link(x, y) for x in mesh for y in mesh if x != y]},
                 "model": model(size=100000, n_layers=8)}
        status, explanation, lines = self.explained(dense, ["--max-search-steps", "500"])
        self.assertEqual(status, 1)
        stopped = [t["tier"] for t in explanation["tiers"] if not t["complete"]]
        self.assertTrue(stopped)
        said = [line for line in lines if "a better one may exist" in line]
        self.assertEqual(len(said), 1, lines)
        self.assertEqual(re.findall(r"'(\w+)'", said[0].split(":")[0]), stopped)

    def test_explanation_lines_show_hostile_node_ids_escaped(self):
        ids = ["a\x1b[31m", "b\nforged line", "c\u202e"]
        hostile = {"topology": {"nodes": [node(i) for i in ids], "connections": ring(ids)},
                   "model": model(size=30 * GIB)}
        status, explanation, lines = self.explained(hostile)
        self.assertEqual(status, 1)
        self.assert_first_tier_said(explanation, lines)
        for i in ids:
            self.assertIn(shown(i), lines[0])
            self.assertIn(shown(i), lines[1])
        _, _, err = EXOPLACE.run(["place"], stdin_text=json.dumps(hostile))
        self.assertFalse([line for line in err.splitlines() if line.startswith("forged")], err)

    def test_fit_shows_what_the_first_tier_lacks_per_model(self):
        ids = ["a", "b", "c"]
        cluster = {"nodes": [node(i) for i in ids], "connections": ring(ids)}
        sizes = {"small": GIB, "low": 20 * GIB, "big": 30 * GIB}
        request = {"topology": cluster, "models": [model(name, size) for name, size in sizes.items()]}
        status, out, err = EXOPLACE.run(["fit"], stdin_text=json.dumps(request))
        self.assertEqual(status, 0, err)
        header = next(line for line in out.splitlines() if "MODEL" in line)
        self.assertEqual(re.split(r"\s{2,}", header.strip()), ["MODEL", "SIZE", "SHORT", "FIT"])
        rows = {cols[0]: cols for cols in (re.split(r"\s{2,}", line.strip()) for line in out.splitlines()
                                           if line.startswith("  ") and line.split()[0] in sizes)}
        self.assertEqual(set(rows), set(sizes))
        for name, size in sizes.items():
            # The first tier of the model's own explanation (--no-fallback: one attempt, in that tier).
            _, placed, _ = EXOPLACE.run_json(["place", "--json", "--no-fallback"],
                                             {"topology": cluster, "model": model(name, size)})
            first = placed["explanation"]["tiers"][0] if "explanation" in placed else None
            want = "-" if first is None else size_text(first["gap"])
            self.assertEqual(rows[name][2], want, name)
        self.assertEqual(rows["small"][2], "-")
        self.assertNotEqual(rows["big"][2], "-")

    # ---- layers flags are C values (no JSON text is built from them)

    def test_layers_flags_take_a_hundred_nodes_and_more(self):
        for n in (36, 37, 48, 60, 61, 100, 1000):
            status, out, err = EXOPLACE.run(["layers", "--json", "--memory", ",".join(["1"] * n),
                                             "--layers", str(2 * n)])
            self.assertEqual(status, 0, (n, err))
            self.assertEqual(json.loads(out), {"ok": True, "layers": [2] * n}, n)
        status, out, err = EXOPLACE.run(["layers", "--memory", ",".join(["1"] * 100), "--layers", "200"])
        self.assertEqual(status, 0, err)
        self.assertEqual(len([line for line in out.splitlines() if re.match(r"^  \d+ ", line)]), 100)

    def test_flag_numbers_are_decimal_digits_and_a_leading_zero_is_decimal(self):
        _, plain, _ = EXOPLACE.run(["layers", "--json", "--memory", "10,20", "--layers", "4"])
        status, padded, err = EXOPLACE.run(["layers", "--json", "--memory", "010,0020", "--layers", "04"])
        self.assertEqual((status, padded), (0, plain), err)
        for memory, layers in (("0x10,20", "4"), ("1e1,20", "4"), ("+10,20", "4"), ("10,20", "4.0"), ("10, 20", "4"),
                               ("10,20", "")):
            err = self.usage_error(["layers", "--memory", memory, "--layers", layers], "decimal digits")
            self.assertNotIn("invalid_json", err)
        _, out, _ = EXOPLACE.run(["layers", "--help"])
        self.assertIn("010 is ten", out)

    # ---- option errors name the option as written, with the bound crossed

    def test_usage_errors_name_the_option_as_the_user_wrote_it(self):
        path = self.write("r.json", {"topology": {"nodes": [node("a")]}, "model": model()})
        self.usage_error(["place", "--json=1", path], "option '--json' doesn't allow an argument")
        self.usage_error(["place", "--strategy"], "option '--strategy' requires an argument")
        self.usage_error(["place", "--str"], "option '--str' (--strategy) requires an argument")
        self.usage_error(["place", "--bogus", path], "option '--bogus' is unknown")
        self.usage_error(["place", "--bogus=1", path], "option '--bogus' is unknown")
        self.usage_error(["place", "-j", path], "option '-j' is unknown")
        err = self.usage_error(["place", "--no", path], "option '--no' is ambiguous")
        for candidate in ("--no-retry", "--no-fallback", "--node-ids"):
            self.assertIn(candidate, err)
        self.usage_error(["fit", "--model"], "option '--model' (--models) requires an argument")
        self.usage_error(["place", "--", "--json"], "cannot open --json")  # after "--", an operand
        # A unique prefix is the option; so is --name=value.
        _, full, _ = EXOPLACE.run(["place", "--json", "--strategy", "exo", path])
        status, short, err = EXOPLACE.run(["place", "--js", "--str=exo", path])
        self.assertEqual((status, short), (0, full), err)

    def test_negative_and_huge_flag_numbers_report_the_bound_they_cross(self):
        path = self.write("r.json", {"topology": {"nodes": [node("a")]}, "model": model()})
        for args, option, needle in (
                (["place", "--max-search-steps", "-1", path], "--max-search-steps", "must be at least 0"),
                (["place", "--min-nodes", "-3", path], "--min-nodes", "must be at least 1"),
                (["place", "--min-nodes", "0", path], "--min-nodes", "must be at least 1"),
                (["place", "--min-nodes", "4294967296", path], "--min-nodes", "must be at most 4294967295"),
                (["place", "--max-search-steps", "99999999999999999999", path], "--max-search-steps",
                 "must be at most 18446744073709551615"),
                (["layers", "--memory", "1,-2", "--layers", "3"], "--memory (node 2)", "must be at least 0"),
                (["layers", "--memory", "1,2", "--layers", "-99999999999999999999"], "--layers", "must be at least 1"),
                (["cycles", "--max-cycles", "-5", path], "--max-cycles", "must be at least 1"),
                (["cycles", "--min-bytes", "-1", path], "--min-bytes", "must be at least 0")):
            self.usage_error(args, "%s: %s" % (option, needle))

    # ---- text from the request is shown escaped

    HOSTILE_IDS = ["a\x1b[31mred", "b\nforged row", "c\r\tcr", "d\x07bell\x7f", "e\u009b2J", "f\u202eevil",
                   "g\u2066iso\u2069", "h\u200bzero", "i\u2028line", "j\\x1b", "k\u00e9\u7bc0"]

    def hostile_request(self):
        ids = self.HOSTILE_IDS
        return {"topology": {"nodes": [node(i) for i in ids], "connections": ring(ids)},
                "model": model("m\x1b]0;title\x07", 30 * GIB, len(ids)),
                "models": [model("m\x1b]0;title\x07", 30 * GIB, len(ids)), model("n\u202e", GIB)],
                "min_nodes": len(ids)}

    def test_tables_show_control_and_format_characters_escaped(self):
        path = self.write("hostile.json", self.hostile_request())
        ids = self.HOSTILE_IDS
        for verb in ("place", "previews", "cycles", "fit"):
            status, out, err = EXOPLACE.run([verb, path])
            self.assertEqual(status, 0, (verb, err))
            self.assertEqual(raw_controls(out), [], verb)
            for i in ids if verb != "fit" else ["m\x1b]0;title\x07", "n\u202e"]:
                self.assertIn(shown(i), out, (verb, i))
        # Exactly one table row per node: no id starts a line of its own.
        _, out, _ = EXOPLACE.run(["place", path])
        rows = [line for line in out.splitlines() if line.endswith(" layer") or line.endswith(" layers")]
        self.assertEqual(len(rows), len(ids))
        self.assertEqual([row.split()[0] for row in rows], [shown(i).split()[0] for i in ids])
        # The layer column still lines up: escapes are counted as the cells they take.
        header = next(line for line in out.splitlines() if "LAYERS" in line)
        for row in rows:
            self.assertEqual(cells(row[:row.rindex("[")]), cells(header[:header.index("LAYERS")]), row)
        # --json keeps the exact ids.
        status, out, _ = EXOPLACE.run(["place", "--json", path])
        self.assertEqual(json.loads(out)["nodes"], ids)

    def test_every_control_format_and_separator_character_is_escaped(self):
        chars = [chr(c) for c in range(1, 0x110000) if unicodedata.category(chr(c)) in ("Cc", "Cf", "Zl", "Zp")]
        ids = ["n" + c for c in chars]
        path = self.write("all.json", {"topology": {"nodes": [node(i) for i in ids]}})
        status, out, err = EXOPLACE.run(["cycles", path])
        self.assertEqual(status, 0, err)
        self.assertEqual(raw_controls(out), [])
        lines = set(out.splitlines())
        for i in ids:
            self.assertIn("  " + shown(i), lines, ascii(i))

    def test_standard_error_shows_request_text_and_arguments_escaped(self):
        request = self.hostile_request()
        request["topology"]["nodes"].append(node(self.HOSTILE_IDS[0]))
        for args, text in ((["place", self.write("dup.json", request)], self.HOSTILE_IDS[0]),
                           (["place", os.path.join(self.tmp.name, "no\x1b[2Jfile")], "no\x1b[2Jfile"),
                           (["place", "--\x1b[2J"], "--\x1b[2J"),
                           (["place", "--strategy", "\u202eexo"], "\u202eexo"),
                           (["\x1b[2Jverb"], "\x1b[2Jverb")):
            status, out, err = EXOPLACE.run(args)
            self.assertEqual((status, out), (2, ""), args)
            self.assertEqual(raw_controls(err), [], args)
            self.assertIn(shown(text), err, args)
        # The low-memory warnings name the model escaped too.
        low = dict(request, topology=self.hostile_request()["topology"])
        low["model"] = model("m\x1b[5m", 60 * GIB, 11)
        status, _, err = EXOPLACE.run(["place", self.write("low.json", low)])
        self.assertEqual(status, 0, err)
        self.assertIn("Low memory: m\\x1b[5m needs", err)
        self.assertEqual(raw_controls(err), [])

    def test_help_says_how_text_and_numbers_are_shown(self):
        for args in (["--help"], ["place", "--help"], ["help", "fit"]):
            _, out, _ = EXOPLACE.run(args)
            self.assertIn("\\x1b", out, args)
            self.assertIn("\\u202e", out, args)
            self.assertIn("--json keeps the exact text", out, args)

    # ---- --models: the catalogue is read by the library

    def cluster(self):
        return self.write("cluster.json", {"topology": {"nodes": [node("a", 64 * GIB, 48 * GIB)]}})

    def test_models_catalogue_keeps_the_last_of_repeated_keys_and_reads_escaped_ones(self):
        listed = '[{"modelId": "x", "storageSize": {"inBytes": 5}, "nLayers": 3}]'
        cluster = self.cluster()
        last_wins = self.write("cat1.json", '{"models": %s, "models": "oops"}' % listed)
        status, out, err = EXOPLACE.run(["fit", cluster, "--models", last_wins])
        self.assertEqual((status, out), (2, ""), err)
        self.assertIn("cat1.json: models: expected an array", err)
        status, out, err = EXOPLACE.run(["fit", "--json", cluster, "--models",
                                         self.write("cat2.json", '{"models": "oops", "models": %s}' % listed)])
        self.assertEqual(status, 0, err)
        self.assertEqual([m["model_id"] for m in json.loads(out)["models"]], ["x"])
        _, escaped, err = EXOPLACE.run(["fit", "--json", cluster, "--models",
                                        self.write("cat3.json", '{"mod\\u0065ls": %s}' % listed)])
        self.assertEqual(escaped, out, err)

    def test_errors_name_the_request_or_the_catalogue_where_each_is_wrong(self):
        good = self.write("good.json", [model("x")])
        bad_request = self.write("bad-request.json", {"topology": {"nodes": [node("a"), {"nodeId": 7}]}})
        for verb in ("fit", "previews"):
            status, out, err = EXOPLACE.run([verb, bad_request, "--models", good])
            self.assertEqual((status, out), (2, ""), err)
            self.assertIn("%s: topology.nodes[1].nodeId: expected a string" % verb, err)
            self.assertNotIn("models", err)
        bad = self.write("bad.json", {"models": [model("x"), dict(model("y"), nLayers=-3)]})
        status, out, err = EXOPLACE.run(["fit", self.cluster(), "--models", bad])
        self.assertEqual((status, out), (2, ""), err)
        self.assertIn("bad.json: models[1].nLayers: must be at least 1", err)
        status, _, err = EXOPLACE.run(["previews", self.cluster(), "--models", self.write("none.json", [])])
        self.assertEqual(status, 2)
        self.assertIn("none.json: the catalogue has no models", err)

    # ---- tables from the structs: what the library accepts, the table shows

    def test_tables_show_requests_with_unusual_ignored_members(self):
        request = {"topology": {"nodes": [node("a", 64 * GIB, 48 * GIB)], "extra": "\u0000"},
                   "model": model("big-ignored", 8 * GIB, 4), "huge": 12345, "real": 1e300, "nul": "x\u0000y"}
        text = json.dumps(request).replace("12345", "9" * 200000).replace("1e+300", "1e400")
        path = self.write("ignored.json", text)
        status, out, err = EXOPLACE.run(["place", path])
        self.assertEqual(status, 0, err)
        self.assertIn("big-ignored  8.0 GiB, 4 layers", out)
        self.assertRegex(out, r"\n  a +64\.0 GiB +48\.0 GiB +8\.0 GiB +\[")
        status, out, err = EXOPLACE.run(["fit", path])
        self.assertEqual(status, 0, err)
        self.assertIn("cluster: 1 node, 48.0 GiB available of 64.0 GiB total", out)
        status, out, err = EXOPLACE.run(["previews", path])
        self.assertEqual(status, 0, err)
        self.assertRegex(out, r"\n  a +64\.0 GiB +48\.0 GiB +8\.0 GiB +\[")

    def test_a_ring_placed_whole_is_drawn_row_for_row(self):
        n = 2048
        ids = ["r%04d" % i for i in range(n)]
        request = {"topology": {"nodes": [node(i, 2 * GIB, GIB) for i in ids], "connections": ring(ids)},
                   "model": model("ring", (n - 1) * GIB + 1, n)}
        path = self.write("ring.json", request)
        status, out, err = EXOPLACE.run(["place", path])
        self.assertEqual(status, 0, err)
        rows = [line.split() for line in out.splitlines() if line.startswith("  r")]
        self.assertEqual([row[0] for row in rows], ids)
        for k, row in enumerate(rows):
            self.assertEqual(row[1:5] + row[-4:], ["2.0", "GiB", "1.0", "GiB", "[%d," % k, "%d)" % (k + 1), "1",
                                                   "layer"], row)

    # ---- exo-main: the instance table, checked against --json of the same seed

    RING_COLUMNS = ["RANK", "NODE", "LAYERS", "TO PREV (r-1)", "TO NEXT (r+1)"]
    JACCL_COLUMNS = ["RANK", "NODE", "LAYERS", "COORDINATOR", "RDMA DEVICES (rank:device)"]

    @staticmethod
    def split_cells(line, starts):
        """A line cut at the terminal-cell offsets where the header's columns start."""
        pieces = [""] * len(starts)
        column, offset = -1, 0
        for c in line:
            while column + 1 < len(starts) and offset >= starts[column + 1]:
                column += 1
            if column >= 0:
                pieces[column] += c
            offset += cells(c)
        return [piece.rstrip(" ") for piece in pieces]

    def instance_tables(self, out):
        """Each instance block of a table output: (its first line, column names, rows of cells)."""
        lines = out.splitlines()
        blocks = []
        for i, line in enumerate(lines):
            if not line.startswith("  instance "):
                continue
            header = lines[i + 1]
            names = self.RING_COLUMNS if "TO PREV" in header else self.JACCL_COLUMNS
            starts = [cells(header[:header.index(name)]) for name in names]
            self.assertEqual(self.split_cells(header, starts), names, header)
            rows = []
            for row in lines[i + 2:]:
                if not row.startswith("  ") or not row[2].isdigit():
                    break
                rows.append(self.split_cells(row, starts))
                # Each cell starts at its column: nothing spills over from the one before.
                self.assertEqual([piece.strip(" ") for piece in rows[-1]], rows[-1], row)
            blocks.append((line, names, rows))
        return blocks

    @staticmethod
    def host_shown(host):
        ip = host["ip"]
        return ("[%s]:%d" if ":" in ip else "%s:%d") % (shown(ip), host["port"])

    def expected_instance(self, tagged):
        """What the instance block must show, from exo's Instance in --json."""
        (kind, instance), = tagged.items()
        assignments = instance["shardAssignments"]
        shards = {runner: next(iter(shard.values())) for runner, shard in assignments["runnerToShard"].items()}
        by_rank = sorted((shards[runner]["deviceRank"], node, shards[runner])
                         for node, runner in assignments["nodeToRunner"].items())
        n = len(by_rank)
        port = instance["ephemeralPort"] if kind == "MlxRingInstance" else \
            int(next(iter(instance["jacclCoordinators"].values())).rsplit(":", 1)[1])
        first = "  instance %s (%s)  ephemeral port %d" % (instance["instanceId"], kind, port)
        rows = []
        for rank, node_id, shard in by_rank:
            row = [str(rank), shown(node_id), "[%d, %d)" % (shard["startLayer"], shard["endLayer"])]
            if kind == "MlxRingInstance":
                hosts = instance["hostsByNode"][node_id]
                row += [self.host_shown(hosts[(rank - 1) % n]), self.host_shown(hosts[(rank + 1) % n])]
            else:
                devices = instance["jacclDevices"][rank]
                row += [shown(instance["jacclCoordinators"][node_id]),
                        " ".join("%d:%s" % (k, shown(devices[k])) for k in range(n) if k != rank)]
            rows.append(row)
        return first, self.RING_COLUMNS if kind == "MlxRingInstance" else self.JACCL_COLUMNS, rows

    def vector(self, name):
        with open(os.path.join(REPO, "tests", "conformance-exo-main", name + ".json")) as f:
            return json.load(f)

    def test_instance_table_shows_what_the_json_of_the_same_seed_holds(self):
        # Ring (four nodes with placeholders, IPv6, CFG, one node) and Jaccl
        # (three nodes all-to-all, a socket edge one way only, the ladder).
        for name in ("ring-hosts-four-nodes-placeholder", "ring-hosts-ipv6", "cfg-parallel-4-nodes",
                     "random-005-1n-ring", "exo-test-tensor-rdma-connectivity-matrix",
                     "jaccl-coordinator-socket-ab-only", "ladder-total-tensor-jaccl"):
            vector = self.vector(name)
            args = ["place", "--yes", "--seed", "11"] + (["--no-fallback"] if vector["kind"] == "place" else [])
            path = self.write(name + ".json", vector["request"])
            status, text, err = EXOPLACE.run(args + ["--json", path])
            self.assertEqual(status, 0, (name, err))
            want = self.expected_instance(json.loads(text)["instance"])
            status, out, err = EXOPLACE.run(args + [path])
            self.assertEqual(status, 0, (name, err))
            self.assertEqual(self.instance_tables(out), [want], name)
        # The seed rule set draws no instance: its table is as it was.
        status, out, err = EXOPLACE.run(["place", "--seed", "11"],
                                        stdin_text=json.dumps({"topology": {"nodes": [node("a")]}, "model": model()}))
        self.assertEqual(status, 0, err)
        self.assertNotIn("instance", out)
        self.assertNotIn("RANK", out)

    def test_previews_show_each_placed_instance_as_the_json_of_the_same_seed(self):
        path = self.write("mesh.json", self.vector("previews-three-node-mesh")["request"])
        status, text, err = EXOPLACE.run(["previews", "--json", "--seed", "5", path])
        self.assertEqual(status, 0, err)
        previews = json.loads(text)["previews"]
        want = [self.expected_instance(p["instance"]) for p in previews if p["error"] is None]
        self.assertEqual({w[1][3] for w in want}, {"TO PREV (r-1)", "COORDINATOR"})  # both kinds
        status, out, err = EXOPLACE.run(["previews", "--seed", "5", path])
        self.assertEqual(status, 0, err)
        self.assertEqual(self.instance_tables(out), want)

    def test_instance_table_shows_node_ids_and_rdma_devices_escaped(self):
        # The two-node Jaccl vector with hostile node ids and interface names.
        renames = {"a": "a\x1b[31mred\u7bc0", "b": "b\nforged 0  row", "rdma_en2": "rdma\x1b]0;t\x07en2",
                   "rdma_en3": "en3\u202e\t"}

        def rename(value):
            if isinstance(value, dict):
                return {renames.get(k, k): rename(v) for k, v in value.items()}
            if isinstance(value, list):
                return [rename(v) for v in value]
            return renames.get(value, value) if isinstance(value, str) else value

        request = rename(self.vector("rdma-jaccl-two-nodes-tensor")["request"])
        path = self.write("hostile-jaccl.json", request)
        status, text, err = EXOPLACE.run(["place", "--json", "--seed", "3", path])
        self.assertEqual(status, 0, err)
        instance = json.loads(text)["instance"]
        self.assertEqual(set(instance["MlxJacclInstance"]["jacclCoordinators"]), {renames["a"], renames["b"]})
        status, out, err = EXOPLACE.run(["place", "--seed", "3", path])
        self.assertEqual(status, 0, err)
        self.assertEqual(raw_controls(out), [])
        self.assertEqual(self.instance_tables(out), [self.expected_instance(instance)])
        for text in renames.values():
            self.assertIn(shown(text), out)
        # A ring of the same nodes shows them escaped as well.
        status, text, err = EXOPLACE.run(["place", "--json", "--seed", "3", "--instance-meta", "MlxRing", path])
        self.assertEqual(status, 0, err)
        status, out, err = EXOPLACE.run(["place", "--seed", "3", "--instance-meta", "MlxRing", path])
        self.assertEqual(status, 0, err)
        self.assertEqual(raw_controls(out), [])
        self.assertEqual(self.instance_tables(out), [self.expected_instance(json.loads(text)["instance"])])

    def test_place_and_previews_help_describe_the_instance_columns(self):
        for verb in ("place", "previews"):
            _, out, _ = EXOPLACE.run([verb, "--help"])
            for needle in ("TO PREV / TO NEXT", "hostsByNode", "[ip]:port for IPv6", "COORDINATOR",
                           "jacclCoordinators", "k:device", "jacclDevices", "ephemeral port"):
                self.assertIn(needle, " ".join(out.split()), (verb, needle))

    # ---- place: the model and the placement settings from flags

    def exo_state(self):
        """A vector's /state without its placement fields, and its card."""
        with open(os.path.join(REPO, "tests", "conformance-exo-main", "random-008-4n-mesh.json")) as f:
            state = json.load(f)["request"]
        card = state.pop("model")
        for key in ("sharding", "instanceMeta", "minNodes", "nodeIds", "rules"):
            state.pop(key, None)
        return state, card

    def test_model_flag_adds_the_card_to_a_bare_state(self):
        # --seed fixes the instance's random ids and port, so two runs compare as text.
        state, card = self.exo_state()
        state_path, card_path = self.write("state.json", state), self.write("card.json", card)
        for args in ([], ["--no-retry"]):
            _, joined, _ = EXOPLACE.run(["place", "--json", "--seed", "7"] + args, stdin_text=json.dumps(dict(state, model=card)))
            status, out, err = EXOPLACE.run(["place", "--json", "--seed", "7"] + args + [state_path, "--model", card_path])
            self.assertNotEqual(status, 2, err)
            self.assertEqual(out, joined, args)
        # The placement settings, as exo's /state spells them in the request.
        for args, settings in ((["--node-ids", "n2d,n17c"], {"nodeIds": ["n2d", "n17c"]}),
                               (["--sharding", "Tensor", "--instance-meta", "MlxJaccl", "--min-nodes", "2"],
                                {"sharding": "Tensor", "instanceMeta": "MlxJaccl", "minNodes": 2})):
            _, want, _ = EXOPLACE.run(["place", "--json", "--seed", "7"], stdin_text=json.dumps(dict(state, model=card, **settings)))
            status, out, err = EXOPLACE.run(["place", "--json", "--seed", "7", state_path, "--model", card_path] + args)
            self.assertEqual(out, want, (args, err))
        # The card wins over the request's own model.
        other = self.write("other.json", dict(state, model=dict(card, modelId="other", nLayers=3)))
        _, out, _ = EXOPLACE.run(["place", "--json", "--seed", "7", other, "--model", card_path])
        self.assertEqual(out, joined)
        status, out, err = EXOPLACE.run(["place", state_path])
        self.assertEqual((status, out), (2, ""))
        self.assertIn("place: model: missing", err)
        status, _, err = EXOPLACE.run(["place", state_path, "--model", self.write("two.json", [card, card])])
        self.assertEqual(status, 2)
        self.assertIn("two.json: expected one model, got 2", err)
        status, _, err = EXOPLACE.run(["place", state_path, "--model", self.write("bad.json", dict(card, nLayers=0))])
        self.assertEqual(status, 2)
        self.assertIn("bad.json: nLayers", err)
        status, _, err = EXOPLACE.run(["place", "--model", "-"], stdin_text=json.dumps(state))
        self.assertEqual(status, 2)
        self.assertIn("standard input", err)

    def test_fit_and_previews_take_a_list_of_cards_with_a_state(self):
        state, card = self.exo_state()
        cards = [card, dict(card, modelId="second", storageSize={"inBytes": 3 * GIB})]
        state_path, cards_path = self.write("state.json", state), self.write("cards.json", cards)
        # Fixed instance ids and ports (--seed): the two runs must give the same text.
        for verb, seed in (("fit", []), ("previews", ["--seed", "7"])):
            _, joined, _ = EXOPLACE.run([verb, "--json"] + seed, stdin_text=json.dumps(dict(state, models=cards)))
            status, out, err = EXOPLACE.run([verb, "--json", state_path, "--models", cards_path] + seed)
            self.assertEqual((status, out), (0, joined), err)

    def test_placement_flags_win_over_the_request_settings(self):
        ids = ["a", "b", "c", "d"]
        links = [link(x, y, k) for k, (x, y) in enumerate((x, y) for x in ids for y in ids if x != y)]
        base = {"topology": {"nodes": [node(i) for i in ids], "connections": links},
                "model": dict(model(size=GIB, n_layers=8), hiddenSize=4096, supportsTensor=True),
                "sharding": "Pipeline", "instance_meta": "MlxRing", "min_nodes": 2}
        flags = [(["--sharding", "Tensor"], {"sharding": "Tensor"}),
                 (["--instance-meta", "MlxJaccl"], {"instance_meta": "MlxJaccl"}),
                 (["--min-nodes", "3"], {"min_nodes": 3}),
                 (["--min-nodes", "4", "--sharding", "Tensor"], {"min_nodes": 4, "sharding": "Tensor"})]
        path = self.write("base.json", base)
        _, unchanged, _ = EXOPLACE.run(["place", "--json", path])
        for args, settings in flags:
            status, want, err = EXOPLACE.run(["place", "--json"], stdin_text=json.dumps(dict(base, **settings)))
            self.assertEqual(status, 0, err)
            status, out, err = EXOPLACE.run(["place", "--json"] + args + [path])
            self.assertEqual((status, out), (0, want), (args, err))
            self.assertNotEqual(out, unchanged, args)
        for args, needle in ((["--sharding", "tensor"], "--sharding: unknown value 'tensor' (Pipeline, Tensor)"),
                             (["--instance-meta", "Ring"], "(MlxRing, MlxJaccl)"),
                             (["--node-ids", "a,,b"], "--node-ids: id 2 of 'a,,b' is empty"),
                             (["--node-ids", ""], "--node-ids: id 1 of '' is empty")):
            self.usage_error(["place"] + args + [path], needle)


def main():
    global EXOPLACE, REPO, LIBRARY
    argv = list(sys.argv)
    valgrind = library = None
    for flag in ("--valgrind", "--library"):
        if flag in argv:
            i = argv.index(flag)
            if flag == "--valgrind":
                valgrind = argv[i + 1]
            else:
                library = argv[i + 1]
            del argv[i:i + 2]
    if len(argv) != 3:
        sys.exit(__doc__)
    EXOPLACE = Exoplace(os.path.abspath(argv[1]), valgrind)
    REPO = os.path.abspath(argv[2])
    # Under valgrind only the tool is checked: ctypes in the interpreter has nothing to show.
    if library and not EXOPLACE.prefix:
        LIBRARY = JsonEntryPoints(library)
    result = unittest.main(argv=[argv[0], "-v"], exit=False).result
    sys.exit(0 if result.wasSuccessful() and result.testsRun > 0 else 1)


if __name__ == "__main__":
    main()
