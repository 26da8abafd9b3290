"""``python3 -m exoplace place``: output, options and exit statuses (0 placed,
1 cannot be placed, 2 bad input), and the same answers as the C exoplace tool
when meson says where it is (EXOPLACE_CLI)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import exoplace
from support import connection, model, node, request, ring

FITS = request([node("a", 2000, 1000), node("b", 2000, 1000)], ring("a", "b"), model("m", 1500, 5))
LOW_MEMORY = request([node("a", 2000, 1000), node("b", 2000, 1000)], ring("a", "b"), model("m", 3000, 5))
TOO_BIG = request([node("a", 2000, 1000)], [], model("m", 9000, 5))
DENSE = request([node(f"n{i}", 10, 10) for i in range(8)],
                [connection(f"n{i}", f"n{j}") for i in range(8) for j in range(8) if i != j], model("m", 75, 8))


def run(*args: str, stdin: str = "", tool=None) -> subprocess.CompletedProcess:
    command = tool or [sys.executable, "-m", "exoplace"]
    return subprocess.run(command + list(args), input=stdin, capture_output=True, text=True, timeout=60,
                          env=os.environ)


class PlaceCommandTest(unittest.TestCase):
    def setUp(self):
        self.scratch = tempfile.TemporaryDirectory()
        self.addCleanup(self.scratch.cleanup)

    def write(self, body) -> str:
        path = Path(self.scratch.name, f"request{len(os.listdir(self.scratch.name))}.json")
        path.write_text(body if isinstance(body, str) else json.dumps(body))
        return str(path)

    def test_placed_prints_a_table_and_exits_0(self):
        result = run("place", self.write(FITS))
        self.assertEqual(result.returncode, 0, result.stderr)
        lines = result.stdout.splitlines()
        self.assertIn("Pipeline / MlxRing on 2 nodes  memory tier: available", lines[0])
        self.assertRegex(lines[2], r"^  a +2\.0 KiB +1000 B +\[0, 3\)  3 layers$")
        self.assertRegex(lines[3], r"^  b +2\.0 KiB +1000 B +\[3, 5\)  2 layers$")
        self.assertEqual(result.stderr, "")

    def test_json_prints_the_library_response(self):
        result = run("place", "--json", self.write(FITS))
        self.assertEqual(result.returncode, 0)
        self.assertEqual(json.loads(result.stdout), exoplace.get_placement(FITS))

    def test_standard_input_and_dash(self):
        for args in (("place", "--json"), ("place", "--json", "-")):
            with self.subTest(args=args):
                result = run(*args, stdin=json.dumps(FITS))
                self.assertEqual(result.returncode, 0)
                self.assertEqual(json.loads(result.stdout)["nodes"], ["a", "b"])

    def test_strategy_option(self):
        result = run("place", "--json", "--strategy", "exo", self.write(FITS))
        self.assertEqual([s["end_layer"] for s in json.loads(result.stdout)["shards"]], [2, 5])

    def test_cannot_be_placed_exits_1(self):
        result = run("place", "--json", self.write(TOO_BIG))
        self.assertEqual(result.returncode, 1)
        failure = json.loads(result.stdout)
        self.assertEqual({key: failure[key] for key in ("ok", "code", "error")},
                         {"ok": False, "code": "insufficient_memory", "error": "No cycles found with sufficient memory"})
        # The library's failure object, with why it does not fit.
        self.assertEqual(failure["explanation"]["tiers"][0]["need"], TOO_BIG["model"]["storageSize"]["inBytes"])
        self.assertIn("No cycles found with sufficient memory (insufficient_memory)", result.stderr)
        plain = run("place", self.write(TOO_BIG))
        self.assertEqual((plain.returncode, plain.stdout), (1, ""))
        self.assertIn("hint:", plain.stderr)

    def test_low_memory_without_a_terminal_warns_and_places(self):
        result = run("place", self.write(LOW_MEMORY))
        self.assertEqual(result.returncode, 0)
        self.assertIn("memory tier: total", result.stdout)
        self.assertIn("warning: low-memory placement", result.stderr)
        confirmed = run("place", "--yes", self.write(LOW_MEMORY))
        self.assertEqual((confirmed.returncode, confirmed.stderr), (0, ""))

    def test_retry_and_ladder_options(self):
        path = self.write(LOW_MEMORY)
        for option in ("--no-retry", "--no-fallback"):
            with self.subTest(option=option):
                self.assertEqual(run("place", option, path).returncode, 1)
        swap = request([node("a", 1000, 500, swapAvailable={"inBytes": 1000})], [], model("m", 1800, 4))
        swap_path = self.write(swap)
        self.assertEqual(run("place", swap_path).returncode, 1)
        result = run("place", "--json", "--yes", "--allow-swap", swap_path)
        self.assertEqual(json.loads(result.stdout)["memory_tier"], "swap")

    def test_max_search_steps(self):
        path = self.write(DENSE)
        result = run("place", "--max-search-steps", "1", path)
        self.assertEqual(result.returncode, 1)
        self.assertIn("(search_limit)", result.stderr)
        self.assertEqual(run("place", "--max-search-steps", "lots", path).returncode, 2)

    def test_bad_input_exits_2_naming_the_problem(self):
        bad_field = request([node("a", 10, 10)], [], model("m", 5, 0))
        cases = [
            (("place", self.write("{not json")), "invalid_json"),
            (("place", self.write(bad_field)), "model.nLayers"),
            (("place", "--strategy", "fastest", self.write(FITS)), "strategy"),
            (("place", str(Path(self.scratch.name, "missing.json"))), "missing.json"),
            (("place", "--unknown-option", self.write(FITS)), "unrecognized arguments"),
            (("place", self.write(FITS), self.write(FITS)), "unrecognized arguments"),
            ((), "required"),
        ]
        for args, mentioned in cases:
            with self.subTest(args=args):
                result = run(*args)
                self.assertEqual(result.returncode, 2, result.stderr)
                self.assertIn(mentioned, result.stderr)
                self.assertEqual(result.stdout, "")

    def test_help_exits_0(self):
        result = run("place", "--help")
        self.assertEqual(result.returncode, 0)
        self.assertIn("--no-retry", result.stdout)


@unittest.skipUnless(os.environ.get("EXOPLACE_CLI"), "EXOPLACE_CLI (the C exoplace tool) not set")
class SameAsTheCToolTest(unittest.TestCase):
    """The Python verb and `exoplace place` give the same JSON and exit status."""

    def test_same_json_and_exit_status(self):
        tool = [os.environ["EXOPLACE_CLI"]]
        cases = [(FITS, ()), (LOW_MEMORY, ("--yes",)), (LOW_MEMORY, ("--no-retry",)),
                 (LOW_MEMORY, ("--no-fallback",)), (TOO_BIG, ()),
                 (FITS, ("--strategy", "exo")), (DENSE, ("--max-search-steps", "1")), ("{oops", ()),
                 (request([node("a", 1, 1), node("a", 1, 1)], [], model()), ())]
        with tempfile.TemporaryDirectory() as scratch:
            for index, (body, options) in enumerate(cases):
                path = Path(scratch, f"case{index}.json")
                path.write_text(body if isinstance(body, str) else json.dumps(body))
                with self.subTest(case=index, options=options):
                    ours = run("place", "--json", *options, str(path))
                    theirs = run("place", "--json", *options, str(path), tool=tool)
                    self.assertEqual(ours.returncode, theirs.returncode, theirs.stderr)
                    if theirs.stdout:
                        self.assertEqual(json.loads(ours.stdout), json.loads(theirs.stdout))
                    else:
                        self.assertEqual(ours.stdout, "")


if __name__ == "__main__":
    unittest.main()
