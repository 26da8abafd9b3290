"""The exo-main conformance vectors (tests/conformance-exo-main), run through the
Python API and checked by the vectors' own checker (exo_main_vectors.check)
at the instance level: the whole instance, exo's random values bound as
placeholders.

The vectors' README runs them through the command line; here each kind goes
through the functions that stand for the same call:

  place          place() (exo's single attempt) and get_placement(no_fallback=True)
  previews       previews(no_fallback=True)
  get_placement  get_placement(allow_swap=...) as the vector says

and every place and get_placement vector once more through
exo.place_instance(), its request split into the /state and a PlaceInstance
command. The checker reads a run as the command line reports it (exit
status, the JSON output, standard error); a Python call maps onto it as: a
result is status 0 with the result as output, a PlacementError status 1 with
{"ok": false, "code", "error"}, an InputError status 2 with no output and its
message as the error text.

The directory is EXOPLACE_EXO_MAIN_CONFORMANCE_DIR (meson sets it), else the
checkout's tests/conformance-exo-main.
"""
from __future__ import annotations

import os
import sys
import unittest
from pathlib import Path
from typing import Any, Callable, Dict, Optional, Tuple

import exoplace
from exoplace import exo
from support import REPO_ROOT

VECTOR_DIR = Path(os.environ.get("EXOPLACE_EXO_MAIN_CONFORMANCE_DIR",
                                 REPO_ROOT / "tests" / "conformance-exo-main"))
sys.path.insert(0, str(VECTOR_DIR))
import exo_main_vectors  # noqa: E402  (the vectors' own checker, shared with the CLI runner)

VECTORS = list(exo_main_vectors.vectors(str(VECTOR_DIR)))

Run = Tuple[int, Optional[Dict[str, Any]], str]


def run(call: Callable[[], Dict[str, Any]]) -> Run:
    """A Python call as the checker reads a command line run."""
    try:
        return 0, call(), ""
    except exoplace.PlacementError as failure:
        return 1, {"ok": False, "rules": "exo-main", "code": failure.code, "error": str(failure)}, ""
    except exoplace.InputError as bad:
        return 2, None, str(bad)


# The request's placement fields, and the command member each becomes.
COMMAND_MEMBERS = {"model": "model_card", "sharding": "sharding", "instanceMeta": "instance_meta",
                   "minNodes": "min_nodes"}


def place_instance_run(vector: Dict[str, Any]) -> Run:
    """The vector's request as exo's place_instance takes it: the /state and a
    PlaceInstance command (nodeIds: required_nodes)."""
    request = vector["request"]
    state = {key: value for key, value in request.items()
             if key not in COMMAND_MEMBERS and key not in ("nodeIds", "rules")}
    command = {COMMAND_MEMBERS[key]: request[key] for key in COMMAND_MEMBERS if key in request}
    options = {"required_nodes": request.get("nodeIds"),
               "no_fallback": vector["kind"] == "place", "allow_swap": bool(vector.get("allow_swap"))}

    def call() -> Dict[str, Any]:
        placed = exo.place_instance(state, command, **options)
        return {"ok": True, "rules": "exo-main", "instance": placed.instance,
                "memory_tier": placed.memory_tier, "is_low_memory": placed.is_low_memory}
    return run(call)


def command_field(vector: Dict[str, Any]) -> Dict[str, Any]:
    """The vector with the bad field a PlaceInstance command names it by
    (model.hiddenSize: command.model_card.hiddenSize)."""
    expect = vector["expect"]
    field = expect.get("field") or ""
    head, dot, rest = field.partition(".")
    if head not in COMMAND_MEMBERS:
        return vector
    return dict(vector, expect=dict(expect, field="command." + COMMAND_MEMBERS[head] + dot + rest))


class ExoMainConformance(unittest.TestCase):
    """One test per vector, added below."""

    def assert_conforms(self, vector: Dict[str, Any], how: str, result: Run) -> None:
        status, output, stderr = result
        problems = exo_main_vectors.check(vector, status, output, stderr, check_instance=True)
        self.assertEqual(problems, [], f"{how}: " + "; ".join(problems[:5]))

    def run_vector(self, vector: Dict[str, Any]) -> None:
        request, kind = vector["request"], vector["kind"]
        if kind == "place":
            self.assert_conforms(vector, "place()", run(lambda: exoplace.place(request)))
            self.assert_conforms(vector, "get_placement(no_fallback=True)",
                                 run(lambda: exoplace.get_placement(request, no_fallback=True)))
        elif kind == "previews":
            self.assert_conforms(vector, "previews(no_fallback=True)",
                                 run(lambda: exoplace.previews(request, no_fallback=True)))
        elif kind == "get_placement":
            allow_swap = bool(vector.get("allow_swap"))
            self.assert_conforms(vector, f"get_placement(allow_swap={allow_swap})",
                                 run(lambda: exoplace.get_placement(request, allow_swap=allow_swap)))
        else:
            self.fail(f"unknown vector kind {kind!r}")
        if kind in ("place", "get_placement"):
            self.assert_conforms(command_field(vector), "exo.place_instance()", place_instance_run(vector))


def _add_vector_test(name: str, vector: Dict[str, Any]) -> None:
    def test(self: ExoMainConformance) -> None:
        self.run_vector(vector)
    method = "test_" + Path(name).stem.replace("-", "_").replace(".", "_")
    test.__name__ = method
    test.__doc__ = f"exo-main vector {name} ({vector['kind']})"
    setattr(ExoMainConformance, method, test)


for _name, _vector in VECTORS:
    _add_vector_test(_name, _vector)


class VectorsPresent(unittest.TestCase):
    def test_the_vectors_are_there(self):
        self.assertTrue(VECTORS, f"no exo-main vectors in {VECTOR_DIR}")
        self.assertEqual({vector["kind"] for _, vector in VECTORS}, {"place", "previews", "get_placement"})


if __name__ == "__main__":
    unittest.main()
