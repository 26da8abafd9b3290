#!/usr/bin/env python3
"""The exoplace command-line tool as a whole process, on the benchmark's
clusters written as exo request JSON (scripts/bench runs this).

    python3 tests/bench/cli_bench.py EXOPLACE BENCH RUNS

EXOPLACE is the CLI, BENCH the benchmark program (it writes the request
files: BENCH --list, BENCH --write-json FILE CASE). For every case: the median
wall time of `place --json` and `previews --json` (up to RUNS runs, fewer when
a run is slow), the exit status and the peak RSS. Then the full mesh of 64 in
more detail, a directed ring of 65 536 nodes placed whole (the table
reads each shard's node by index, so it costs about what --json costs), and
the CLI target. Exits 1 when the target fails, 2 when a program cannot be
run.
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

# Keep in step with EXOPLACE_MAX_INPUT_BYTES (include/exoplace.h).
MAX_INPUT_BYTES = 32 * 1024 * 1024
# Per command: stop repeating after this much wall time (at least one run).
BUDGET_SECONDS = 2.0
TARGET_CASE, TARGET_MS = "mesh-64", 30.0

# Peak RSS from GNU time in one extra run: a child of this python process
# would inherit python's own peak across exec.
GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


def peak_rss_mib(argv):
    if not GNU_TIME:
        return "-"
    with tempfile.NamedTemporaryFile("r") as out:
        subprocess.run([GNU_TIME, "-f", "%M", "-o", out.name, *argv],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            return f"{int(out.read().split()[-1]) / 1024:.1f}"
        except (ValueError, IndexError):
            return "-"


def timed(argv, runs, budget_seconds=None):
    """Wall times (ms) and the set of exit codes of up to `runs` runs; with a
    budget, no new run starts once it is spent (there is always one run)."""
    times, codes = [], set()
    began = time.perf_counter()
    while len(times) < runs and (not times or budget_seconds is None
                                 or time.perf_counter() - began < budget_seconds):
        start = time.perf_counter_ns()
        proc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append((time.perf_counter_ns() - start) / 1e6)
        codes.add(proc.returncode)
    return times, ",".join(map(str, sorted(codes)))


def write_ring(path, n):
    """n nodes, node i linked to node i + 1 (mod n), 1 GiB available each,
    and a model only all of them together can hold: one layer per node."""
    gib = 1 << 30
    memory = ('{"ramTotal": {"inBytes": %d}, "ramAvailable": {"inBytes": %d}, "swapTotal": {"inBytes": 0}, '
              '"swapAvailable": {"inBytes": 0}}' % (2 * gib, gib))
    with open(path, "w") as f:
        f.write('{"topology": {"nodes": [')
        f.write(", ".join('{"nodeId": "n%05d", "nodeProfile": {"memory": %s}}' % (i, memory) for i in range(n)))
        f.write('], "connections": [')
        f.write(", ".join('{"localNodeId": "n%05d", "sendBackNodeId": "n%05d", "sendBackMultiaddr": '
                          '{"address": "/ip4/10.0.%d.%d/tcp/52415"}}' % (i, (i + 1) % n, i >> 8 & 255, i & 255)
                          for i in range(n)))
        f.write(']}, "model": {"modelId": "ring-model", "storageSize": {"inBytes": %d}, "nLayers": %d}}\n'
                % ((n - 1) * gib + 1, n))


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    cli, bench, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    listing = subprocess.run([bench, "--list"], capture_output=True, text=True, check=True).stdout
    # The pseudo-case "...-json" times the JSON entry points in-process.
    cases = [line.split()[0] for line in listing.splitlines() if line.strip() and not line.split()[0].endswith("-json")]

    with tempfile.TemporaryDirectory() as tmp:
        print(f"CLI {cli}, whole process, on each case as a request file; median wall time of up to {runs} "
              f"runs ({BUDGET_SECONDS:.0f} s per command at most), load average {os.getloadavg()[0]:.2f}")
        print(f"{'case':<16} {'request MB':>10} {'place --json':>13} {'runs':>4} {'exit':>4} {'rss MiB':>7}"
              f" {'previews --json':>16} {'runs':>4} {'exit':>4} {'rss MiB':>7}")
        paths = {}
        for case in cases:
            path = os.path.join(tmp, case + ".json")
            subprocess.run([bench, "--write-json", path, case], check=True, stdout=subprocess.DEVNULL)
            size = os.path.getsize(path)
            if size > MAX_INPUT_BYTES:
                print(f"{case:<16} {size / 1e6:10.1f}   over the {MAX_INPUT_BYTES >> 20} MiB input limit "
                      "(EXOPLACE_MAX_INPUT_BYTES): the tool refuses it, by design")
                os.unlink(path)
                continue
            paths[case] = path
            row = f"{case:<16} {size / 1e6:10.1f}"
            for verb in ("place", "previews"):
                argv = [cli, verb, "--json", path]
                times, codes = timed(argv, runs, BUDGET_SECONDS)
                width = 13 if verb == "place" else 16
                row += f" {statistics.median(times):{width}.1f} {len(times):4d} {codes:>4} {peak_rss_mib(argv):>7}"
            print(row)
        print("Times in ms. Exit 0: placed; 1: no placement (here: the search bound); 2: refused input.")

        request = paths[TARGET_CASE]
        print()
        print(f"The full mesh of 64 in detail ({os.path.getsize(request)} bytes), {runs} runs each:")
        print(f"{'command':<40} {'median':>8} {'min':>8} {'max':>8} {'exit':>5} {'rss MiB':>8}")
        commands = [
            ("exoplace --version (process start)", [cli, "--version"]),
            ("exoplace place --json mesh64.json", [cli, "place", "--json", request]),
            ("exoplace place mesh64.json (table)", [cli, "place", request]),
            ("exoplace previews --json mesh64.json", [cli, "previews", "--json", request]),
        ]
        results = {}
        for name, argv in commands:
            times, codes = timed(argv, runs)
            median = statistics.median(times)
            results[name] = (median, codes)
            print(f"{name:<40} {median:8.1f} {min(times):8.1f} {max(times):8.1f} {codes:>5} {peak_rss_mib(argv):>8}")

        ring = os.path.join(tmp, "ring-65536.json")
        write_ring(ring, 65536)
        print()
        print(f"A directed ring of 65536 nodes placed whole ({os.path.getsize(ring)} bytes), up to 5 runs each:")
        for name, argv in (("exoplace place --json ring65536.json", [cli, "place", "--json", ring]),
                           ("exoplace place ring65536.json (table)", [cli, "place", ring])):
            times, codes = timed(argv, 5, BUDGET_SECONDS)
            print(f"{name:<40} {statistics.median(times):8.1f} {min(times):8.1f} {max(times):8.1f} {codes:>5} "
                  f"{peak_rss_mib(argv):>8}")

    median, codes = results["exoplace place --json mesh64.json"]
    ok = codes == "0" and median < TARGET_MS
    print()
    print("Targets (CLI):")
    print(f"  {'PASS' if ok else 'FAIL'} {'CLI place --json, full mesh 64 from a file < 30 ms':<54} "
          f"{median:.1f} ms, exit {codes}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    try:
        main()
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"cli_bench: {e}", file=sys.stderr)
        sys.exit(2)
