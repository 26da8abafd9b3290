#!/usr/bin/env python3
"""The exoplace command line tool: exit statuses, --json output, the
low-memory confirmation (refused without a terminal, asked on a pty), bad
input named on standard error, --help and --version, and the examples.

usage: test_cli.py EXOPLACE EXAMPLES_DIR SIMPLE_PLACEMENT [--valgrind PATH]
"""
import copy
import json
import os
import pty
import re
import select
import subprocess
import sys
import tempfile
import time
import unicodedata
import unittest

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_support import Exoplace, VALGRIND_STATUS  # noqa: E402

EXOPLACE = None
EXAMPLES = None
SIMPLE = None
GIB = 1 << 30


def node(node_id, total, available, **memory_extra):
    memory = {"ramTotal": {"inBytes": total}, "ramAvailable": {"inBytes": available},
              "swapTotal": {"inBytes": 0}, "swapAvailable": {"inBytes": 0}}
    memory.update(memory_extra)
    return {"nodeId": node_id, "nodeProfile": {"memory": memory, "networkInterfaces": []}}


def link(a, b, ip):
    return {"localNodeId": a, "sendBackNodeId": b, "sendBackMultiaddr": {"address": "/ip4/%s/tcp/52415" % ip}}


# Two thunderbolt-linked nodes: 24 + 40 GiB available of 32 + 64 GiB.
CLUSTER = {"nodes": [node("alpha", 32 * GIB, 24 * GIB), node("beta", 64 * GIB, 40 * GIB)],
           "connections": [link("alpha", "beta", "169.254.3.2"), link("beta", "alpha", "169.254.3.1")]}


def request(size_gib, n_layers=16, **extra):
    r = {"topology": copy.deepcopy(CLUSTER),
         "model": {"modelId": "test-model", "storageSize": {"inBytes": size_gib * GIB}, "nLayers": n_layers}}
    r.update(extra)
    return r


STRICT = request(50)       # 64 GiB available: fits
LOW = request(80)          # 64 available < 80 <= 96 total: low memory only
TOO_BIG = request(100)     # more than the 96 GiB total


class Cli(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, name, content):
        path = os.path.join(self.tmp.name, name)
        with open(path, "w") as f:
            f.write(content if isinstance(content, str) else json.dumps(content))
        return path

    # ---- help, version, usage ----

    def test_help_lists_every_verb_and_each_verb_has_help(self):
        status, out, _ = EXOPLACE.run(["--help"])
        self.assertEqual(status, 0)
        for verb in ("place", "previews", "cycles", "layers", "fit", "probe"):
            self.assertIn(verb, out)
            status, verb_out, _ = EXOPLACE.run([verb, "--help"])
            self.assertEqual(status, 0, verb)
            self.assertTrue(verb_out.startswith("usage: exoplace " + verb), verb_out)

    def test_version_prints_the_library_version(self):
        status, out, _ = EXOPLACE.run(["--version"])
        self.assertEqual(status, 0)
        self.assertRegex(out, r"^exoplace \d+\.\d+\.\d+\n$")

    def test_usage_errors_exit_2_with_a_message(self):
        for args, needle in ((["frobnicate"], "frobnicate"), (["place", "--bogus"], "--bogus"),
                             (["place", "--strategy", "fast"], "fast"),
                             (["place", "--max-search-steps", "ten"], "--max-search-steps"),
                             (["place", "a.json", "b.json"], "b.json"),
                             (["place", os.path.join("no", "such", "file.json")], "file.json"),
                             (["cycles", "--use-total-memory"], "--min-bytes"),
                             (["layers", "--memory", "1,x", "--layers", "3"], "--memory"),
                             (["layers", "--memory", "1,2", "--layers", "0"], "--layers")):
            status, out, err = EXOPLACE.run(args, stdin_text="{}")
            self.assertEqual(status, 2, args)
            self.assertIn(needle, err, args)
            self.assertEqual(out, "", args)
        status, _, _ = EXOPLACE.run([])
        self.assertEqual(status, 2)

    # ---- place ----

    def test_place_json_prints_the_library_object_and_exits_0(self):
        status, got, err = EXOPLACE.run_json(["place", "--json"], STRICT)
        self.assertEqual(status, 0, err)
        self.assertEqual(set(got), {"ok", "model_id", "sharding", "instance_meta", "is_low_memory", "memory_tier",
                                    "nodes", "shards"})
        self.assertIs(got["is_low_memory"], False)
        self.assertEqual(sorted(got["nodes"]), ["alpha", "beta"])
        self.assertEqual(got["shards"][-1]["end_layer"], 16)
        self.assertEqual(err, "")

    def test_place_reads_a_file_operand_like_stdin(self):
        path = self.write("strict.json", STRICT)
        _, from_file, _ = EXOPLACE.run(["place", "--json", path])
        _, from_stdin, _ = EXOPLACE.run(["place", "--json", "-"], stdin_text=json.dumps(STRICT))
        self.assertEqual(from_file, from_stdin)
        self.assertTrue(from_file.startswith('{"ok": true'))

    def test_tables_line_up_ids_of_any_script(self):
        # Wide (CJK), accented and combining ids: columns are counted in
        # terminal cells, not bytes.
        ids = ["\u7bc0\u70b9", "e\u0301-node", "n"]
        nodes = [node(i, 64 * GIB, 48 * GIB) for i in ids]
        links = [link(ids[k], ids[(k + 1) % 3], "169.254.0.%d" % (k + 1)) for k in range(3)]
        body = {"topology": {"nodes": nodes, "connections": links},
                "model": {"modelId": "\u6a21\u578b-model", "storageSize": {"inBytes": 100 * GIB}, "nLayers": 12},
                "models": [{"modelId": "\u6a21\u578b-model", "storageSize": {"inBytes": 100 * GIB}, "nLayers": 12},
                           {"modelId": "m", "storageSize": {"inBytes": GIB}, "nLayers": 12}],
                "min_nodes": 3}
        path = self.write("wide.json", json.dumps(body))

        def cells(text):
            return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
                       for c in text)

        status, out, err = EXOPLACE.run(["place", path], env={"NO_COLOR": "1"})
        self.assertEqual(status, 0, err)
        header = next(line for line in out.splitlines() if "LAYERS" in line)
        rows = [line for line in out.splitlines() if any(line.startswith("  " + i) for i in ids)]
        self.assertEqual(len(rows), 3, out)
        # Every row's layer range starts in the header's LAYERS column.
        want = cells(header[:header.index("LAYERS")])
        for row in rows:
            self.assertEqual(cells(row[:row.rindex("[")]), want, out)

        status, out, err = EXOPLACE.run(["fit", path], env={"NO_COLOR": "1"})
        self.assertEqual(status, 0, err)
        header = next(line for line in out.splitlines() if "SIZE" in line)
        rows = [line for line in out.splitlines() if "GiB" in line and not line.startswith("cluster")]
        self.assertEqual(len(rows), 2, out)
        want = cells(header[:header.index("SIZE") + len("SIZE")])
        for row in rows:
            self.assertEqual(cells(row[:row.index("GiB") + len("GiB")]), want, out)

    def test_place_that_cannot_fit_exits_1(self):
        status, got, err = EXOPLACE.run_json(["place", "--json"], TOO_BIG)
        self.assertEqual(status, 1)
        self.assertEqual({key: got[key] for key in ("ok", "code", "error")},
                         {"ok": False, "code": "insufficient_memory", "error": "No cycles found with sufficient memory"})
        # Why, as the JSON entry points explain it: not placed in any tier, for a need of the model's size.
        self.assertIs(got["explanation"]["placed"], False)
        self.assertEqual(got["explanation"]["tiers"][0]["need"], TOO_BIG["model"]["storageSize"]["inBytes"])
        status, out, err = EXOPLACE.run(["place"], stdin_text=json.dumps(TOO_BIG))
        self.assertEqual(status, 1)
        self.assertIn("No cycles found with sufficient memory", err)
        self.assertIn("why: 100.0 GiB needed", err)
        self.assertIn("it cannot fit even with every node's total memory", err)

    def test_low_memory_without_a_terminal_warns_and_places(self):
        path = self.write("low.json", LOW)
        status, out, err = EXOPLACE.run(["place", "--json"], stdin_file=path)
        self.assertEqual(status, 0)
        self.assertIs(json.loads(out)["is_low_memory"], True)
        self.assertEqual(json.loads(out)["memory_tier"], "total")
        self.assertIn("warning", err)
        # The table for people, still no prompt: stdin is a file and there is no terminal.
        status, out, err = EXOPLACE.run(["place"], stdin_file=path)
        self.assertEqual(status, 0)
        self.assertNotIn("[y/N]", err)
        self.assertIn("warning", err)
        self.assertIn("memory tier: total", out)
        self.assertIn("80.0 GiB", err)  # what the model needs
        self.assertNotIn("\033[", out)  # no colour when stdout is not a terminal

    def test_one_attempt_switches_refuse_the_low_memory_placement(self):
        for flag in ("--no-retry", "--no-fallback"):
            status, got, _ = EXOPLACE.run_json(["place", "--json", flag], LOW)
            self.assertEqual(status, 1, flag)
            self.assertEqual(got["code"], "insufficient_memory", flag)
        # allow_low_memory in the request makes the one attempt use total memory.
        status, got, _ = EXOPLACE.run_json(["place", "--json", "--no-retry"], dict(LOW, allow_low_memory=True))
        self.assertEqual(status, 0)
        self.assertIs(got["is_low_memory"], True)

    def test_swap_tier_only_with_allow_swap(self):
        swapping = request(100)
        for n in swapping["topology"]["nodes"]:
            n["nodeProfile"]["memory"]["swapAvailable"] = {"inBytes": 8 * GIB}
        status, _, _ = EXOPLACE.run_json(["place", "--json"], swapping)
        self.assertEqual(status, 1)
        status, got, err = EXOPLACE.run_json(["place", "--json", "--allow-swap"], swapping)
        self.assertEqual(status, 0, err)
        self.assertEqual(got["memory_tier"], "swap")

    def test_strategy_flag_changes_the_split(self):
        # Three equal nodes, 4 layers: exo gives 4/3 -> 1, 1 and the rest 2 to the last node;
        # largest remainder gives the leftover layer to the lowest index.
        three = request(1, n_layers=4)
        three["topology"]["nodes"] = [node(i, 10 * GIB, 10 * GIB) for i in ("a", "b", "c")]
        three["topology"]["connections"] = [link(x, y, "10.0.0.9") for x in "abc" for y in "abc" if x != y]
        three["min_nodes"] = 3
        _, exo, _ = EXOPLACE.run_json(["place", "--json", "--strategy", "exo"], three)
        _, lr, _ = EXOPLACE.run_json(["place", "--json", "--strategy", "largest-remainder"], three)
        count = lambda got: [s["end_layer"] - s["start_layer"] for s in got["shards"]]
        self.assertEqual(count(exo), [1, 1, 2])
        self.assertEqual(count(lr), [2, 1, 1])

    # ---- the confirmation at a terminal ----

    def run_on_pty(self, args, answer):
        """Runs with a pseudo-terminal as controlling terminal, stdin, stdout and stderr."""
        pid, fd = pty.fork()
        if pid == 0:
            os.environ.pop("NO_COLOR", None)
            command = EXOPLACE.command(args)
            try:
                os.execvp(command[0], command)
            finally:
                os._exit(127)
        output = b""
        answered = answer is False
        deadline = time.time() + 300
        while time.time() < deadline:
            ready, _, _ = select.select([fd], [], [], 1.0)
            if ready:
                try:
                    data = os.read(fd, 4096)
                except OSError:
                    break
                if not data:
                    break
                output += data
            if not answered and b"[y/N]" in output:
                os.write(fd, answer if answer is not None else b"\x04")  # None: end of file (Ctrl-D)
                answered = True
        _, wait_status = os.waitpid(pid, 0)
        os.close(fd)
        status = os.waitstatus_to_exitcode(wait_status)
        self.assertNotEqual(status, VALGRIND_STATUS, output.decode(errors="replace"))
        return status, output.decode(errors="replace")

    def test_terminal_prompt_no_refuses_with_a_hint(self):
        path = self.write("low.json", LOW)
        for answer in (b"n\n", b"\n", None):
            status, output = self.run_on_pty(["place", path], answer)
            self.assertEqual(status, 1, (answer, output))
            self.assertIn("Continue anyway? [y/N]", output)
            self.assertIn("fits only if other programs free memory", output)
            self.assertIn("Free memory", output)

    def test_terminal_prompt_yes_places_in_colour(self):
        path = self.write("low.json", LOW)
        status, output = self.run_on_pty(["place", path], b"y\n")
        self.assertEqual(status, 0, output)
        self.assertIn("Continue anyway? [y/N]", output)
        self.assertIn("memory tier", output)
        self.assertIn("\033[33m", output)  # low memory in yellow on a terminal

    def test_terminal_yes_flag_and_json_never_prompt(self):
        path = self.write("low.json", LOW)
        for args in (["place", "--yes", path], ["place", "--json", path]):
            status, output = self.run_on_pty(args, False)
            self.assertEqual(status, 0, output)
            self.assertNotIn("[y/N]", output)

    # ---- bad input ----

    def test_bad_input_exits_2_naming_the_field(self):
        bad = copy.deepcopy(STRICT)
        bad["topology"]["nodes"][1]["nodeProfile"]["memory"]["ramAvailable"] = {"inBytes": -5}
        for verb in ("place", "previews", "fit", "cycles"):
            status, out, err = EXOPLACE.run([verb], stdin_text=json.dumps(bad))
            self.assertEqual(status, 2, verb)
            self.assertIn("topology.nodes[1].nodeProfile.memory.ramAvailable.inBytes", err, verb)
            self.assertEqual(out, "", verb)
        status, _, err = EXOPLACE.run(["place", "--json"], stdin_text='{"topology": {"nodes": []},\n "model": }')
        self.assertEqual(status, 2)
        self.assertIn("line 2, column", err)
        status, _, err = EXOPLACE.run(["place"], stdin_text='{"a": 1}\0{"b": 2}')
        self.assertEqual(status, 2)
        self.assertIn("NUL", err)

    def test_over_2pow64_is_refused_and_2pow64_minus_1_is_kept(self):
        text = json.dumps(request(1)).replace('"inBytes": %d}, "nLayers"' % GIB,
                                              '"inBytes": 18446744073709551616}, "nLayers"')
        status, _, err = EXOPLACE.run(["fit"], stdin_text=text)
        self.assertEqual(status, 2)
        self.assertIn("model.storageSize.inBytes: exceeds 2^64-1", err)
        status, out, _ = EXOPLACE.run(["fit", "--json"], stdin_text=text.replace("18446744073709551616",
                                                                                  "18446744073709551615"))
        self.assertEqual(status, 0)
        self.assertIn('"storage_size": 18446744073709551615', out)

    # ---- the other verbs ----

    def test_previews_exit_0_even_when_every_preview_is_an_error(self):
        status, got, err = EXOPLACE.run_json(["previews", "--json"], request(1000))
        self.assertEqual(status, 0, err)
        self.assertTrue(got["previews"])
        self.assertTrue(all(p["error"] for p in got["previews"]))
        status, out, _ = EXOPLACE.run(["previews"], stdin_text=json.dumps(request(1000)))
        self.assertEqual(status, 0)
        self.assertIn("does not fit", out)

    def test_cycles_lists_and_filters(self):
        status, got, _ = EXOPLACE.run_json(["cycles", "--json"], {"topology": CLUSTER})
        self.assertEqual(status, 0)
        self.assertEqual(got, {"cycles": [["alpha"], ["beta"], ["alpha", "beta"]]})
        status, got, _ = EXOPLACE.run_json(["cycles", "--json", "--min-bytes", str(30 * GIB)], CLUSTER)
        self.assertEqual(got, {"cycles": [["beta"], ["alpha", "beta"]]})
        status, got, _ = EXOPLACE.run_json(["cycles", "--json", "--min-bytes", str(90 * GIB), "--use-total-memory"],
                                           CLUSTER)
        self.assertEqual(got, {"cycles": [["alpha", "beta"]]})
        status, out, _ = EXOPLACE.run(["cycles"], stdin_text=json.dumps(CLUSTER))
        self.assertIn("alpha -> beta -> alpha", out)

    def test_layers_from_flags_and_exit_1_on_invalid_split(self):
        status, out, _ = EXOPLACE.run(["layers", "--json", "--strategy", "exo", "--memory", "1,1,2", "--layers", "14"])
        self.assertEqual(status, 0)
        self.assertEqual(json.loads(out), {"ok": True, "layers": [4, 4, 6]})
        status, out, _ = EXOPLACE.run(["layers", "--json", "--memory", "5,5,5", "--layers", "2"])
        self.assertEqual(status, 1)
        self.assertEqual(json.loads(out)["code"], "invalid_split")
        status, out, _ = EXOPLACE.run(["layers", "--memory", "1,1,2", "--layers", "14", "--strategy", "exo"])
        self.assertEqual(status, 0)
        self.assertIn("[8, 14)", out)

    def test_layers_fit_from_flags_and_a_file(self):
        # exo PR #2227's split: 1536 MiB a layer, capacities 22938 and 27648 MiB:
        # largest remainder gives the first node 15 layers, fit the 14 it holds.
        memory = f"{22938 * 2**20},{27648 * 2**20}"
        status, out, _ = EXOPLACE.run(["layers", "--json", "--memory", memory, "--layers", "32"])
        self.assertEqual((status, json.loads(out)), (0, {"ok": True, "layers": [15, 17]}))
        status, out, _ = EXOPLACE.run(["layers", "--json", "--strategy", "fit", "--layer-cost", str(1536 * 2**20),
                                       "--memory", memory, "--layers", "32"])
        self.assertEqual((status, json.loads(out)), (0, {"ok": True, "layers": [14, 18]}))
        status, got, err = EXOPLACE.run_json(["layers", "--json"], {"memory": [19, 21], "n_layers": 4,
                                                                    "strategy": "fit", "layer_cost": 10})
        self.assertEqual(status, 1, err)
        self.assertEqual(got["code"], "invalid_split")
        status, _, err = EXOPLACE.run(["layers", "--strategy", "fit", "--memory", "1,2", "--layers", "2"])
        self.assertEqual(status, 2)
        self.assertIn("--strategy fit needs --layer-cost", err)

    def test_place_with_fit_takes_the_ring_whose_nodes_hold_the_layers(self):
        # 16 layers of 50 / 16 GiB + 1 GiB of KV cache each, 4.125 GiB: alpha
        # (24 GiB available) holds 5 and beta (40 GiB) 9, 14 of 16; in total
        # memory 7 + 15, split 32 : 64 as 5.33 and 10.67.
        fitted = request(50)
        fitted["model"]["kvCacheBytesPerLayer"] = GIB
        status, got, err = EXOPLACE.run_json(["place", "--json", "--yes"], fitted)
        self.assertEqual(status, 0, err)
        self.assertFalse(got["is_low_memory"])
        status, got, err = EXOPLACE.run_json(["place", "--json", "--yes", "--strategy", "fit"], fitted)
        self.assertEqual(status, 0, err)
        self.assertTrue(got["is_low_memory"])
        self.assertEqual(got["memory_tier"], "total")
        self.assertEqual([s["end_layer"] - s["start_layer"] for s in got["shards"]], [5, 11])

    def test_probe_reads_the_given_proc_root(self):
        root = os.path.join(self.tmp.name, "proc")
        os.makedirs(root)
        self.write(os.path.join("proc", "meminfo"),
                   "MemTotal:       16384000 kB\nMemFree:         1000000 kB\nMemAvailable:    8192000 kB\n"
                   "SwapTotal:       2048000 kB\nSwapFree:        1024000 kB\n")
        status, out, err = EXOPLACE.run(["probe", "--json", "--id", "n1", "--proc-root", root])
        self.assertEqual(status, 0, err)
        got = json.loads(out)
        self.assertEqual(got["nodeId"], "n1")
        self.assertEqual(got["nodeProfile"]["memory"]["ramTotal"]["inBytes"], 16384000 * 1024)
        status, out, _ = EXOPLACE.run(["probe", "--id", "n2"], env={"EXOPLACE_PROC_ROOT": root})
        self.assertEqual(status, 0)
        self.assertIn("node n2", out)
        status, _, err = EXOPLACE.run(["probe", "--proc-root", os.path.join(root, "missing")])
        self.assertEqual(status, 2)
        self.assertIn("probe", err)

    # ---- the examples ----

    def example_request(self, *model):
        args = [sys.executable, os.path.join(EXAMPLES, "make-request.py"), os.path.join(EXAMPLES, "cluster.json"),
                os.path.join(EXAMPLES, "models.json")]
        if model:
            args += ["--model", model[0]]
        return subprocess.run(args, check=True, capture_output=True, text=True).stdout

    def test_example_catalogue_shows_every_kind_of_fit_in_display_order(self):
        status, out, err = EXOPLACE.run(["fit", "--json"], stdin_text=self.example_request())
        self.assertEqual(status, 0, err)
        models = json.loads(out)["models"]
        self.assertEqual({m["fit"] for m in models}, {"fits", "low_memory", "does_not_fit"})
        key = lambda m: (not m["can_fit"], not m["will_fit"], -m["storage_size"], m["model_id"])
        self.assertEqual(models, sorted(models, key=key))
        status, out, _ = EXOPLACE.run(["fit"], stdin_text=self.example_request())
        for label in ("fits", "low memory", "does not fit"):
            self.assertIn(label, out)

    def test_models_option_joins_a_catalogue_to_the_cluster(self):
        cluster = os.path.join(EXAMPLES, "cluster.json")
        catalogue = os.path.join(EXAMPLES, "models.json")
        for verb in ("fit", "previews"):
            status, joined, err = EXOPLACE.run([verb, "--json"], stdin_text=self.example_request())
            self.assertEqual(status, 0, err)
            status, out, err = EXOPLACE.run([verb, "--json", cluster, "--models", catalogue])
            self.assertEqual(status, 0, err)
            self.assertEqual(json.loads(out), json.loads(joined), verb)
            # The cluster on standard input, the catalogue from a file.
            with open(cluster) as f:
                status, piped, err = EXOPLACE.run([verb, "--json", "--models", catalogue], stdin_text=f.read())
            self.assertEqual((status, piped), (0, out), err)

    def test_models_option_takes_a_bare_list_wins_over_the_request_and_keeps_big_sizes(self):
        big = {"modelId": "huge", "storageSize": {"inBytes": 18446744073709551615}, "nLayers": 4}
        listed = self.write("list.json", [big])
        # The request's own (empty) list and its "model" give way to --models.
        path = self.write("req.json", request(1, models=[]))
        status, out, err = EXOPLACE.run(["fit", "--json", path, "--models", listed])
        self.assertEqual(status, 0, err)
        self.assertIn('"storage_size": 18446744073709551615', out)  # exact, not rounded
        self.assertEqual([m["model_id"] for m in json.loads(out)["models"]], ["huge"])
        # An empty request object still gets valid JSON: the library names the missing topology.
        status, _, err = EXOPLACE.run(["fit", self.write("empty.json", " { } "), "--models", listed])
        self.assertEqual(status, 2)
        self.assertIn("topology", err)
        self.assertNotIn("invalid_json", err)

    def test_models_option_refuses_what_it_cannot_join(self):
        cluster = os.path.join(EXAMPLES, "cluster.json")
        cases = [
            (["--models", self.write("bad.json", '{"models": [1,,]}')], "bad.json: line 1"),
            # One object is one model: its fields are read as the model's.
            (["--models", self.write("none.json", '{"model": {}}')], "none.json: modelId: missing"),
            (["--models", os.path.join(self.tmp.name, "missing.json")], "cannot open"),
        ]
        for args, message in cases:
            status, out, err = EXOPLACE.run(["fit", cluster] + args)
            self.assertEqual(status, 2, err)
            self.assertIn(message, err)
            self.assertEqual(out, "")
        listed = self.write("list.json", [])
        status, _, err = EXOPLACE.run(["fit", self.write("array.json", "[]"), "--models", listed])
        self.assertEqual(status, 2)
        self.assertIn("fit: expected an object (invalid_argument)", err)
        status, _, err = EXOPLACE.run(["fit", "--models", "-"], stdin_text="{}")
        self.assertEqual(status, 2)
        self.assertIn("standard input", err)

    def test_example_place_request_needs_the_low_memory_tier(self):
        path = os.path.join(EXAMPLES, "place-request.json")
        with open(path) as f:
            place_request = json.load(f)
        # The committed request is what make-request.py builds from the cluster and the catalogue.
        self.assertEqual(place_request, json.loads(self.example_request(place_request["model"]["modelId"])))
        status, got, err = EXOPLACE.run_json(["place", "--json"], place_request)
        self.assertEqual(status, 0, err)
        self.assertIs(got["is_low_memory"], True)
        status, _, err = EXOPLACE.run(["place", "--no-fallback", path])
        self.assertEqual(status, 1)
        # The README shows these words for this run.
        with open(os.path.join(EXAMPLES, "..", "README.md"), encoding="utf-8") as f:
            readme = f.read()
        shown = re.search(r"for `place --no-fallback examples/place-request.json`:\n\n```\n(.*?)```", readme, re.S)
        self.assertIsNotNone(shown, "README: the example of place's explanation")
        self.assertEqual(shown.group(1), err)

    def test_example_cluster_is_an_exo_state_object(self):
        with open(os.path.join(EXAMPLES, "cluster.json")) as f:
            cluster = json.load(f)
        status, got, err = EXOPLACE.run_json(["cycles", "--json", "--min-bytes", "1"], cluster)
        self.assertEqual(status, 0, err)
        self.assertIn(["studio"], got["cycles"])

    def test_simple_placement_example_runs(self):
        done = subprocess.run(EXOPLACE.prefix + [SIMPLE], capture_output=True, text=True, timeout=300)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertRegex(done.stdout, r"rank 0 +\S+ +layers \[0, \d+\)")


def main():
    global EXOPLACE, EXAMPLES, SIMPLE
    argv = list(sys.argv)
    valgrind = None
    if "--valgrind" in argv:
        i = argv.index("--valgrind")
        valgrind = argv[i + 1]
        del argv[i:i + 2]
    if len(argv) != 4:
        sys.exit(__doc__)
    EXOPLACE = Exoplace(os.path.abspath(argv[1]), valgrind)
    EXAMPLES = os.path.abspath(argv[2])
    SIMPLE = os.path.abspath(argv[3])
    result = unittest.main(argv=[argv[0], "-v"], exit=False).result
    sys.exit(0 if result.wasSuccessful() and result.testsRun > 0 else 1)


if __name__ == "__main__":
    main()
