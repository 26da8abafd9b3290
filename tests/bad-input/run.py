#!/usr/bin/env python3
"""Runs `exoplace place` on every bad-input case and checks the outcome.

    run.py EXOPLACE [CASES_DIR] [--filter TEXT] [--jobs N] [--timeout SECONDS] [--keep DIR]

A case is cases/<name>.expect, with cases/<name>.json as the request (or a
`generate` line: the runner builds the input at test time, for the inputs too
big to commit). .expect lines, '#' starts a comment:

    exit N          expected exit status: 2 bad input; 0 or 1 for a valid request
    args A B ...    extra arguments before the file (e.g. --json)
    field PATH      the field path standard error must name (a substring)
    stderr TEXT     a substring standard error must contain (repeatable)
    stdout TEXT     a substring standard output must contain (repeatable)
    generate NAME   build the input with the generator NAME (see GENERATORS)

Every case must also: end by itself (no signal), within the time limit; on
exit 2 print nothing on standard output and a message on standard error;
with --json and exit 0 or 1 print one JSON object whose "ok" agrees.

EXOPLACE_TEST_WRAPPER (e.g. "valgrind --error-exitcode=99 --leak-check=full
--errors-for-leak-kinds=definite,indirect -q") is put in front of every
command; a case fails when the wrapper reports anything (its exit status, or
valgrind/sanitizer lines on standard error). When the runner itself runs
under valgrind (meson test --setup valgrind) and no wrapper is set, it uses
that valgrind command for the tool, since valgrind does not follow children.
The time limit (EXOPLACE_TEST_TIMEOUT, default 5 s) is multiplied by 20 under
a wrapper. Under a wrapper the exo-main cases (exo-main-*, a few hundred
mutations of one request) are sampled, every 4th by name, to keep the
valgrind step short: the sanitizer build runs them all, and
EXOPLACE_TEST_ALL_CASES=1 runs them all here too. Output is TAP.
"""
import argparse
import concurrent.futures
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time

DEFAULT_VALGRIND = ("valgrind --error-exitcode=99 --leak-check=full "
                    "--errors-for-leak-kinds=definite,indirect -q")
# What a wrapper or a sanitizer prints when it found something.
REPORT_PATTERNS = [
    re.compile(r"^==\d+== ", re.M),                 # valgrind
    re.compile(r"ERROR: (Address|Leak|Memory|Thread)Sanitizer"),
    re.compile(r"runtime error: "),                # UndefinedBehaviorSanitizer
]

MODEL = {"modelId": "m", "storageSize": {"inBytes": 1000}, "nLayers": 4}


def gen_nodes_100000(path):
    with open(path, "w") as f:
        f.write('{"topology": {"nodes": [')
        f.write(",".join('{"nodeId": "n%d"}' % i for i in range(100000)))
        f.write(']}, "model": %s}\n' % json.dumps(MODEL))


def gen_connections_100000_to_unknown_nodes(path):
    with open(path, "w") as f:
        f.write('{"topology": {"nodes": [], "connections": [')
        f.write(",".join('{"localNodeId": "u%d", "sendBackNodeId": "v%d", '
                         '"sendBackMultiaddr": {"address": "/ip4/10.0.0.1/tcp/1"}}' % (i, i)
                         for i in range(100000)))
        f.write(']}, "model": %s}\n' % json.dumps(MODEL))


def gen_input_50mb(path):
    # A well-formed request whose size alone is the problem.
    with open(path, "w") as f:
        f.write('{"model": %s, "topology": {"nodes": []}, "padding": "' % json.dumps(MODEL))
        chunk = "x" * (1 << 20)
        for _ in range(50):
            f.write(chunk)
        f.write('"}\n')


def gen_ignored_200000_digit_integer(path):
    # Valid JSON the request does not use: read past, never converted.
    with open(path, "w") as f:
        f.write('{"topology": {"nodes": [')
        f.write(", ".join('{"nodeId": "%s", "nodeProfile": {"memory": {"ramTotal": {"inBytes": 1000}, '
                          '"ramAvailable": {"inBytes": %d}, "swapTotal": {"inBytes": 0}, '
                          '"swapAvailable": {"inBytes": 0}}}}' % (n, a) for n, a in (("a", 800), ("b", 600))))
        f.write('], "connections": [%s], "extra": "\\u0000"}, "model": {"modelId": "m", "storageSize": '
                '{"inBytes": 1200}, "nLayers": 4}, "ignored": %s}\n'
                % (", ".join('{"localNodeId": "%s", "sendBackNodeId": "%s", "sendBackMultiaddr": '
                             '{"address": "/ip4/169.254.0.%d/tcp/52415"}}' % (x, y, k)
                             for x, y, k in (("a", "b", 2), ("b", "a", 1))), "9" * 200000))


GENERATORS = {
    "ignored-200000-digit-integer": gen_ignored_200000_digit_integer,
    "nodes-100000": gen_nodes_100000,
    "connections-100000-to-unknown-nodes": gen_connections_100000_to_unknown_nodes,
    "input-50mb": gen_input_50mb,
    "input-50mb-stdin": gen_input_50mb,
}
STDIN_CASES = {"input-50mb-stdin"}


class Case:
    def __init__(self, name, expect_path, request_path):
        self.name = name
        self.request_path = request_path
        self.exit = None
        self.args = []
        self.fields = []
        self.stderr = []
        self.stdout = []
        self.generate = None
        with open(expect_path, encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                line = line.rstrip("\n")
                if not line.strip() or line.lstrip().startswith("#"):
                    continue
                key, _, value = line.partition(" ")
                if key == "exit":
                    self.exit = int(value)
                elif key == "args":
                    self.args = shlex.split(value)
                elif key == "field":
                    self.fields.append(value)
                elif key == "stderr":
                    self.stderr.append(value)
                elif key == "stdout":
                    self.stdout.append(value)
                elif key == "generate":
                    self.generate = value
                else:
                    raise ValueError("%s:%d: unknown key %r" % (expect_path, number, key))
        if self.exit is None:
            raise ValueError("%s: no exit line" % expect_path)
        if self.generate is None and not os.path.exists(request_path):
            raise ValueError("%s: no request %s and no generate line" % (expect_path, request_path))
        if self.generate is not None and self.generate not in GENERATORS:
            raise ValueError("%s: unknown generator %r" % (expect_path, self.generate))
        if self.exit == 2 and not (self.fields or self.stderr):
            raise ValueError("%s: exit 2 needs a field or stderr line" % expect_path)


def load_cases(directory, pattern):
    cases = []
    for entry in sorted(os.listdir(directory)):
        if not entry.endswith(".expect"):
            continue
        name = entry[: -len(".expect")]
        if pattern and pattern not in name:
            continue
        cases.append(Case(name, os.path.join(directory, entry), os.path.join(directory, name + ".json")))
    return cases


def child_env():
    env = dict(os.environ)
    # Running under valgrind puts its preload libraries in LD_PRELOAD; a
    # child started without valgrind must not inherit them.
    preload = [p for p in env.get("LD_PRELOAD", "").split(":") if p and "vgpreload" not in p]
    if preload:
        env["LD_PRELOAD"] = ":".join(preload)
    else:
        env.pop("LD_PRELOAD", None)
    env.pop("NO_COLOR", None)
    env["NO_COLOR"] = "1"
    return env


def wrapper_command():
    text = os.environ.get("EXOPLACE_TEST_WRAPPER")
    if text is None and "vgpreload" in os.environ.get("LD_PRELOAD", ""):
        text = DEFAULT_VALGRIND
    return shlex.split(text) if text else []


def wrapper_error_status(wrapper):
    for arg in wrapper:
        if arg.startswith("--error-exitcode="):
            return int(arg.split("=", 1)[1])
    return None


def run_case(case, exoplace, wrapper, limit, workdir):
    """Returns (problems, seconds)."""
    problems = []
    request = case.request_path
    if case.generate:
        request = os.path.join(workdir, case.name + ".json")
        GENERATORS[case.generate](request)
    use_stdin = case.name in STDIN_CASES
    cmd = wrapper + [exoplace, "place"] + case.args + ([] if use_stdin else [request])
    stdin = open(request, "rb") if use_stdin else subprocess.DEVNULL
    start = time.monotonic()
    try:
        proc = subprocess.run(cmd, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=limit, env=child_env())
    except subprocess.TimeoutExpired:
        return ["did not finish within %.0f s" % limit], time.monotonic() - start
    finally:
        if use_stdin:
            stdin.close()
        if case.generate:
            os.unlink(request)
    seconds = time.monotonic() - start
    out = proc.stdout.decode("utf-8", "replace")
    err = proc.stderr.decode("utf-8", "replace")

    if proc.returncode < 0:
        problems.append("killed by signal %d" % -proc.returncode)
    for pattern in REPORT_PATTERNS:
        if pattern.search(err):
            problems.append("the wrapper or a sanitizer reported errors")
            break
    error_status = wrapper_error_status(wrapper)
    if error_status is not None and proc.returncode == error_status and case.exit != error_status:
        problems.append("the wrapper reported errors (exit %d)" % error_status)
    if proc.returncode != case.exit:
        problems.append("exit status %d, expected %d" % (proc.returncode, case.exit))
    for field in case.fields:
        if field not in err:
            problems.append("standard error does not name the field %r" % field)
    for text in case.stderr:
        if text not in err:
            problems.append("standard error lacks %r" % text)
    for text in case.stdout:
        if text not in out:
            problems.append("standard output lacks %r" % text)
    if case.exit == 2:
        if out:
            problems.append("bad input, yet something on standard output")
        if not err.strip():
            problems.append("bad input, yet no message on standard error")
        elif len(err) > 4096:
            problems.append("a message of %d bytes on standard error" % len(err))
    elif "--json" in case.args and proc.returncode in (0, 1):
        try:
            doc = json.loads(out)
        except ValueError as e:
            problems.append("standard output is not JSON: %s" % e)
        else:
            if not isinstance(doc, dict) or doc.get("ok") is not (proc.returncode == 0):
                problems.append('"ok" disagrees with exit status %d' % proc.returncode)
    if problems:
        problems.append("command: %s" % " ".join(shlex.quote(c) for c in cmd[:len(cmd) - (0 if use_stdin else 1)])
                        + " " + (("< " + case.name + " (generated)") if case.generate else
                                 shlex.quote(request)))
        for line in err.splitlines()[:15]:
            problems.append("stderr: " + line)
        for line in out.splitlines()[:5]:
            problems.append("stdout: " + line[:300])
    return problems, seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("exoplace", help="the built exoplace tool")
    parser.add_argument("cases", nargs="?", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "cases"))
    parser.add_argument("--filter", default="", help="only the cases whose name contains TEXT")
    parser.add_argument("--jobs", type=int, default=int(os.environ.get("EXOPLACE_TEST_JOBS", os.cpu_count() or 2)))
    parser.add_argument("--timeout", type=float, default=float(os.environ.get("EXOPLACE_TEST_TIMEOUT", "5")))
    args = parser.parse_args()

    exoplace = os.path.abspath(args.exoplace)
    wrapper = wrapper_command()
    limit = args.timeout * (20 if wrapper else 1)
    cases = load_cases(args.cases, args.filter)
    sampled = ""
    if wrapper and not os.environ.get("EXOPLACE_TEST_ALL_CASES"):
        exo_main = [c for c in cases if c.name.startswith("exo-main-")]
        keep = {c.name for c in exo_main[::4]}
        cases = [c for c in cases if not c.name.startswith("exo-main-") or c.name in keep]
        sampled = "%d of %d exo-main cases (every 4th)" % (len(keep), len(exo_main))
    if not cases:
        print("1..0 # SKIP no cases")
        return 0
    print("1..%d" % len(cases))
    if wrapper:
        print("# wrapper: %s" % " ".join(wrapper))
    if sampled:
        print("# under the wrapper: %s; EXOPLACE_TEST_ALL_CASES=1 runs all" % sampled)
    failed = 0
    with tempfile.TemporaryDirectory(prefix="exoplace-bad-input-") as workdir, \
            concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(run_case, case, exoplace, wrapper, limit, workdir) for case in cases]
        for number, (case, future) in enumerate(zip(cases, futures), 1):
            problems, seconds = future.result()
            if problems:
                failed += 1
                print("not ok %d - %s (%.2fs)" % (number, case.name, seconds))
                for line in problems:
                    print("#   " + line)
            else:
                print("ok %d - %s (%.2fs)" % (number, case.name, seconds))
            sys.stdout.flush()
    print("# %d passed, %d failed" % (len(cases) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
