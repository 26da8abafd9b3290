"""Running the exoplace binary from the CLI tests.

Under `meson test --setup valgrind` the test script itself runs under
valgrind, which does not follow it into the exoplace processes it starts.
That setup sets EXOPLACE_TEST_VALGRIND=1 (tests/meson.build), so when it is
set and a valgrind was found, each exoplace run is wrapped in valgrind too
and a valgrind error fails the run with status 99.
EXOPLACE_CLI_WRAPPER (a command prefix) overrides this choice.
"""
import json
import os
import shlex
import subprocess

VALGRIND_STATUS = 99


def wrapper(valgrind_path):
    explicit = os.environ.get("EXOPLACE_CLI_WRAPPER")
    if explicit is not None:
        return shlex.split(explicit)
    if valgrind_path and os.environ.get("EXOPLACE_TEST_VALGRIND") == "1":
        return [valgrind_path, "--quiet", "--error-exitcode=%d" % VALGRIND_STATUS, "--leak-check=full",
                "--errors-for-leak-kinds=definite,indirect"]
    return []


class Exoplace:
    def __init__(self, binary, valgrind_path=None):
        self.binary = binary
        self.prefix = wrapper(valgrind_path)

    def command(self, args):
        return self.prefix + [self.binary] + list(args)

    def run(self, args, stdin_text=None, stdin_file=None, env=None):
        """Runs without a controlling terminal (a new session), as CI does."""
        full_env = dict(os.environ)
        full_env.pop("NO_COLOR", None)
        if env:
            full_env.update(env)
        if stdin_file is not None:
            with open(stdin_file, "rb") as f:
                done = subprocess.run(self.command(args), stdin=f, capture_output=True, env=full_env,
                                      start_new_session=True, timeout=600)
        else:
            done = subprocess.run(self.command(args), input=(stdin_text or "").encode(), capture_output=True,
                                  env=full_env, start_new_session=True, timeout=600)
        if done.returncode == VALGRIND_STATUS and self.prefix:
            raise AssertionError("valgrind reported errors for %s:\n%s" % (args, done.stderr.decode()))
        return done.returncode, done.stdout.decode(), done.stderr.decode()

    def run_json(self, args, request):
        """Runs with the request on standard input; returns (status, parsed stdout or None, stderr)."""
        status, out, err = self.run(args, stdin_text=json.dumps(request))
        try:
            parsed = json.loads(out) if out.strip() else None
        except ValueError:
            parsed = None
        return status, parsed, err
