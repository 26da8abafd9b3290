"""`pip install` of bindings/python works offline and gives a working package."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

from support import PYTHON_DIR

# setuptools before 70.1 builds wheels only with the `wheel` package installed.
_CAN_BUILD = ("import importlib.util as u, importlib.metadata as m; "
              "assert u.find_spec('pip') and u.find_spec('setuptools'); "
              "v = tuple(int(p) for p in m.version('setuptools').split('.')[:2]); "
              "assert v >= (70, 1) or u.find_spec('wheel')")


def interpreter_that_can_build():
    """This Python, else the system's: the first with pip, setuptools and a wheel builder."""
    candidates = [sys.executable, shutil.which("python3"), "/usr/bin/python3"]
    for candidate in dict.fromkeys(c for c in candidates if c):
        probe = subprocess.run([candidate, "-c", _CAN_BUILD], capture_output=True, timeout=60)
        if probe.returncode == 0:
            return candidate
    return None


BUILDER = interpreter_that_can_build()


@unittest.skipUnless(BUILDER, "no Python here has pip, setuptools and wheel")
class PipInstallTest(unittest.TestCase):
    def test_offline_install_without_build_isolation(self):
        with tempfile.TemporaryDirectory() as scratch:
            # Build from a copy: setuptools writes build/ and *.egg-info next to the sources.
            source = Path(scratch, "source")
            shutil.copytree(PYTHON_DIR, source, ignore=shutil.ignore_patterns("__pycache__", "tests"))
            target = Path(scratch, "target")
            environment = dict(os.environ, PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
            result = subprocess.run([BUILDER, "-m", "pip", "install", "--no-build-isolation", "--no-deps",
                                     "--target", str(target), str(source)],
                                    capture_output=True, text=True, env=environment, timeout=120)
            self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
            for name in ("__init__.py", "__main__.py", "_lib.py", "errors.py", "json_api.py", "model.py",
                         "topology.py"):
                self.assertTrue(Path(target, "exoplace", name).is_file(), name)
            check = subprocess.run(
                [sys.executable, "-c", "import exoplace; print(exoplace.__file__); "
                                       "print(exoplace.distribute_layers([1, 3], 4))"],
                capture_output=True, text=True, timeout=60, cwd=scratch,
                env=dict(os.environ, PYTHONPATH=str(target)))
            self.assertEqual(check.returncode, 0, check.stderr)
            installed_file, layers = check.stdout.splitlines()
            self.assertTrue(installed_file.startswith(str(target)), installed_file)
            self.assertEqual(layers, "[1, 3]")


if __name__ == "__main__":
    unittest.main()
