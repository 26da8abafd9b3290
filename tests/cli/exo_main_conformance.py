#!/usr/bin/env python3
"""CLI conformance for the exo-main rule set: every vector of
tests/conformance-exo-main/ through the exoplace binary, the request (exo's
/state with the placement fields) on standard input, as the vectors' README
says:

  place          exoplace place --json --no-fallback
  previews       exoplace previews --json --no-fallback
  get_placement  exoplace place --json [--allow-swap]

Each result is checked at both levels of the README: the placement (exit
status, ok, error and code, the field of bad input, per-rank node and layer
range, instance and shard kinds, the tier) and the whole instance, exo's
random values bound as placeholders.

usage: exo_main_conformance.py EXOPLACE VECTORS_DIR [--valgrind PATH]
Prints one line per failure and "N passed, N failed".
"""
import json
import os
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_support import Exoplace  # noqa: E402


def command_for(vector):
    kind = vector["kind"]
    if kind == "place":
        return ["place", "--json", "--no-fallback"]
    if kind == "previews":
        return ["previews", "--json", "--no-fallback"]
    if kind == "get_placement":
        return ["place", "--json"] + (["--allow-swap"] if vector.get("allow_swap") else [])
    raise ValueError("unknown kind %r" % kind)


def main(argv):
    valgrind = None
    if "--valgrind" in argv:
        at = argv.index("--valgrind")
        valgrind = argv[at + 1]
        del argv[at:at + 2]
    binary, directory = argv[1], argv[2]
    sys.path.insert(0, directory)
    import exo_main_vectors  # noqa: E402  (the vectors' own checker)
    tool = Exoplace(binary, valgrind)
    passed = failed = 0
    for name, vector in exo_main_vectors.vectors(directory):
        status, out, err = tool.run(command_for(vector), stdin_text=json.dumps(vector["request"]))
        try:
            parsed = json.loads(out) if out.strip() else None
        except ValueError:
            parsed = None
        problems = exo_main_vectors.check(vector, status, parsed, err)
        if problems:
            failed += 1
            print("FAIL %s (%s): %s" % (name, vector["kind"], "; ".join(problems[:5])))
        else:
            passed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
