"""``python3 -m exoplace place [OPTIONS] [FILE]``: the exoplace tool's place verb in Python.

Reads a json.md request from FILE (or standard input, also for "-"), runs
get_placement (or one attempt with --no-retry) and prints the placement: a
table for people, or with --json the library's response object.

Exit status: 0 placed, 1 cannot be placed (or a low-memory placement was not
confirmed), 2 bad input or usage.
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Dict, List, Optional, TextIO

from . import json_api
from .errors import InputError, LibraryLoadError, PlacementError

EXIT_PLACED = 0
EXIT_NOT_PLACED = 1
EXIT_USAGE = 2

_TIER_MEANING = {
    "pressure": "fits only in the memory the OS says it can reclaim under pressure "
                "(other programs may be compressed or paged out)",
    "total": "fits only if other programs free memory",
    "swap": "fits only if the OS pushes other programs to swap",
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python3 -m exoplace",
        description="Decides where a large language model runs on an exo cluster.",
        epilog="Exit status: 0 placed, 1 cannot be placed, 2 bad input or usage.")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", required=True)
    place = verbs.add_parser(
        "place", help="place a model: strict, then the low-memory fallback",
        description="Places the request's model on the cluster: the strict placement in available memory "
                    "first, then the fallback tiers (pressure, total, swap). A placement that only fits in a "
                    "fallback tier is low memory: at a terminal you are asked to confirm it; otherwise a "
                    "warning is printed.",
        epilog="exit status: 0 placed, 1 cannot be placed (or not confirmed), 2 bad input")
    place.add_argument("file", nargs="?", metavar="FILE", help="the request (default: standard input)")
    place.add_argument("--json", action="store_true", help="print the library's JSON response only")
    place.add_argument("--no-retry", action="store_true", help="one attempt in the request's own tier (exo's place)")
    place.add_argument("--no-fallback", action="store_true", help="one attempt, no automatic fallback tier")
    place.add_argument("--allow-swap", action="store_true", help="the ladder may reach the swap tier")
    place.add_argument("--yes", action="store_true", help="accept a low-memory placement without asking")
    place.add_argument("--strategy", default="largest-remainder", metavar="NAME",
                       help="layer split: largest-remainder (default) or exo")
    place.add_argument("--max-search-steps", type=_non_negative, default=0, metavar="N",
                       help="work bound of the placement search")
    return parser


def _non_negative(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {text!r}")
    return int(text)


def _read_request(path: Optional[str]) -> str:
    if path is None or path == "-":
        return sys.stdin.read()
    with open(path, encoding="utf-8") as request_file:
        return request_file.read()


def _format_bytes(count: float) -> str:
    units = ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB")
    unit = 0
    while count >= 1024 and unit + 1 < len(units):
        count /= 1024
        unit += 1
    return f"{count:.0f} B" if unit == 0 else f"{count:.1f} {units[unit]}"


def _member(mapping: Any, camel: str, snake: str) -> Any:
    if not isinstance(mapping, dict):
        return None
    value = mapping.get(camel)
    return mapping.get(snake) if value is None else value


def _bytes_of(value: Any) -> Optional[int]:
    if isinstance(value, dict):
        value = _member(value, "inBytes", "in_bytes")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _node_memory(request: Any) -> Dict[str, Dict[str, Optional[int]]]:
    """ram_total and ram_available per node id, read from the request for display only."""
    topology = _member(request, "topology", "topology") or request
    memory: Dict[str, Dict[str, Optional[int]]] = {}
    for node in _member(topology, "nodes", "nodes") or []:
        node_id = _member(node, "nodeId", "node_id")
        profile = _member(_member(node, "nodeProfile", "node_profile"), "memory", "memory")
        if isinstance(node_id, str) and isinstance(profile, dict):
            memory[node_id] = {"total": _bytes_of(_member(profile, "ramTotal", "ram_total")),
                               "available": _bytes_of(_member(profile, "ramAvailable", "ram_available"))}
    return memory


def _print_table(placement: Dict[str, Any], request: Any, out: TextIO) -> None:
    nodes = placement["nodes"]
    model = _member(request, "model", "model")
    size = _bytes_of(_member(model, "storageSize", "storage_size"))
    n_layers = placement["shards"][0]["n_layers"] if placement["shards"] else 0
    print(f"{placement['model_id']}  {_format_bytes(size) if size is not None else '?'}, "
          f"{n_layers} layer{'' if n_layers == 1 else 's'}  {placement['sharding']} / {placement['instance_meta']} "
          f"on {len(nodes)} node{'' if len(nodes) == 1 else 's'}  memory tier: {placement['memory_tier']}", file=out)
    memory = _node_memory(request)
    width = max([4] + [len(node) for node in nodes])
    print(f"  {'NODE':<{width}}  {'TOTAL':>10}  {'AVAILABLE':>10}  LAYERS", file=out)
    for shard in placement["shards"]:
        figures = memory.get(shard["node_id"], {})
        total, available = figures.get("total"), figures.get("available")
        layers = shard["end_layer"] - shard["start_layer"]
        print(f"  {shard['node_id']:<{width}}  {_format_bytes(total) if total is not None else '-':>10}  "
              f"{_format_bytes(available) if available is not None else '-':>10}  "
              f"[{shard['start_layer']}, {shard['end_layer']})  {layers} layer{'' if layers == 1 else 's'}",
              file=out)


def _ask_to_continue() -> Optional[bool]:
    """The person's answer to "Continue anyway?", None when nobody is there to ask.

    The answer comes from /dev/tty so that the request may still arrive on
    standard input."""
    if not sys.stderr.isatty():
        return None
    try:
        tty = open("/dev/tty", "r+", encoding="utf-8")
    except OSError:
        return None
    with tty:
        print("Continue anyway? [y/N] ", end="", file=sys.stderr, flush=True)
        return tty.readline().strip().lower() in ("y", "yes")


def _place(args: argparse.Namespace) -> int:
    try:
        text = _read_request(args.file)
    except (OSError, UnicodeDecodeError) as exc:
        print(f"exoplace place: cannot read {args.file or 'standard input'}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        if args.no_retry:
            placement = json_api.place(text, strategy=args.strategy, max_search_steps=args.max_search_steps)
        else:
            placement = json_api.get_placement(text, strategy=args.strategy, no_fallback=args.no_fallback,
                                               allow_swap=args.allow_swap, max_search_steps=args.max_search_steps)
    except PlacementError as exc:
        if args.json:
            print(json.dumps(exc.response or {"ok": False, "code": exc.code, "error": exc.message}))
        print(f"exoplace place: {exc.message} ({exc.code})", file=sys.stderr)
        if not args.json:
            print("hint: free memory on the cluster, add nodes, or try 'exoplace fit' for what fits", file=sys.stderr)
        return EXIT_NOT_PLACED
    except (InputError, LibraryLoadError) as exc:
        code = f" ({exc.code})" if isinstance(exc, InputError) else ""
        print(f"exoplace place: {exc}{code}", file=sys.stderr)
        return EXIT_USAGE

    request = json.loads(text)
    if placement["is_low_memory"] and not args.yes:
        tier = placement["memory_tier"]
        if args.json:
            print(f"warning: low-memory placement: it fits only in memory tier '{tier}'", file=sys.stderr)
        else:
            print(f"Low memory: {placement['model_id']} fits only in memory tier '{tier}': it "
                  f"{_TIER_MEANING.get(tier, 'fits only beyond the memory that is available now')}.",
                  file=sys.stderr)
            answer = _ask_to_continue()
            if answer is False:
                print("Not placed. Free memory on the chosen nodes (quit other programs or models), "
                      "or pass --yes to place anyway.", file=sys.stderr)
                return EXIT_NOT_PLACED
            if answer is None:
                print("warning: low-memory placement (no terminal to confirm; pass --yes to silence this)",
                      file=sys.stderr)
    if args.json:
        print(json.dumps(placement))
    else:
        _print_table(placement, request, sys.stdout)
    return EXIT_PLACED


def main(argv: Optional[List[str]] = None) -> int:
    """Runs the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    return _place(args)


if __name__ == "__main__":
    sys.exit(main())
