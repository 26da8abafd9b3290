"""Installing bindings/python: `pip install` offline, into a target directory
and into a virtual environment, and the layout `meson install` gives (the
package with a generated module naming the installed library)."""
from __future__ import annotations

import ctypes.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path
from typing import Dict, List, Optional

from support import PYTHON_DIR

# setuptools before 70.1 builds wheels only with the `wheel` package installed.
_CAN_BUILD = ("import importlib.util as u, importlib.metadata as m; "
              "assert u.find_spec('pip') and u.find_spec('setuptools'); "
              "v = tuple(int(p) for p in m.version('setuptools').split('.')[:2]); "
              "assert v >= (70, 1) or u.find_spec('wheel')")


def first_interpreter(probe: str):
    """This Python, else the system's: the first that runs the code `probe`."""
    candidates = [sys.executable, shutil.which("python3"), "/usr/bin/python3"]
    for candidate in dict.fromkeys(c for c in candidates if c):
        if subprocess.run([candidate, "-c", probe], capture_output=True, timeout=60).returncode == 0:
            return candidate
    return None


# Builds the package offline: pip, setuptools and a wheel builder.
BUILDER = first_interpreter(_CAN_BUILD)
# Also makes virtual environments with pip in them (Debian: python3-venv).
VENV_MAKER = first_interpreter("import ensurepip, venv; " + _CAN_BUILD)

# Run in the installed package: where it looks for the library when
# EXOPLACE_LIBRARY is not set, then what it loads and a first call.
_REPORT = """
import json, os
from unittest import mock
import exoplace
from exoplace import _lib
with mock.patch.dict(os.environ):
    os.environ.pop("EXOPLACE_LIBRARY", None)
    print(json.dumps([exoplace.__file__, _lib.candidate_paths()]))
print(json.dumps([_lib.lib()._name, exoplace.distribute_layers([1, 3], 8)]))
"""


def report(lines: str):
    """(package file, candidate paths, loaded library, layers) from _REPORT's output."""
    first, second = lines.splitlines()
    return (*json.loads(first), *json.loads(second))


def package_copy(target: Path) -> None:
    """The package's sources, as an installer copies them."""
    shutil.copytree(Path(PYTHON_DIR, "exoplace"), target, ignore=shutil.ignore_patterns("__pycache__"))


def project_copy(scratch: str) -> Path:
    """A copy of bindings/python to pip-install: setuptools writes build/ and
    *.egg-info next to the sources."""
    source = Path(scratch, "source")
    shutil.copytree(PYTHON_DIR, source, ignore=shutil.ignore_patterns("__pycache__", "tests"))
    return source


def pip_install_offline(test: unittest.TestCase, pip: List[str], source: Path, *options: str,
                        environment: Optional[Dict[str, str]] = None) -> None:
    """`pip install` of source without an index or build isolation, asserted to succeed."""
    result = subprocess.run(pip + ["install", "--no-build-isolation", "--no-deps", *options, str(source)],
                            capture_output=True, text=True, timeout=180,
                            env=dict(os.environ if environment is None else environment,
                                     PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1"))
    test.assertEqual(result.returncode, 0, result.stdout + result.stderr)


@unittest.skipUnless(BUILDER, "no Python here has pip, setuptools and wheel")
class PipInstallTest(unittest.TestCase):
    def test_offline_install_without_build_isolation(self):
        with tempfile.TemporaryDirectory() as scratch:
            source = project_copy(scratch)
            target = Path(scratch, "target")
            pip_install_offline(self, [BUILDER, "-m", "pip"], source, "--target", str(target))
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


@unittest.skipUnless(VENV_MAKER, "no Python here makes virtual environments that can build the package offline")
class VirtualEnvironmentTest(unittest.TestCase):
    def test_pip_install_into_a_venv_offline(self):
        with tempfile.TemporaryDirectory() as scratch:
            source = project_copy(scratch)
            venv = Path(scratch, "venv")
            # The system's setuptools and wheel build the package: no download.
            made = subprocess.run([VENV_MAKER, "-m", "venv", "--system-site-packages", str(venv)],
                                  capture_output=True, text=True, timeout=120)
            self.assertEqual(made.returncode, 0, made.stdout + made.stderr)
            # The venv's own packages only: not the checkout's through PYTHONPATH.
            environment = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
            pip_install_offline(self, [str(venv / "bin" / "pip")], source, environment=environment)
            check = subprocess.run([str(venv / "bin" / "python"), "-c", _REPORT], capture_output=True, text=True,
                                   timeout=60, cwd=scratch, env=environment)
            self.assertEqual(check.returncode, 0, check.stderr)
            installed_file, candidates, loaded, layers = report(check.stdout)
            self.assertTrue(installed_file.startswith(str(venv)), installed_file)
            # Not in a checkout, not installed by meson: EXOPLACE_LIBRARY, else the loader's path.
            self.assertEqual(candidates, [ctypes.util.find_library("exoplace") or "find_library('exoplace') (found nothing)"])
            self.assertEqual(loaded, os.environ["EXOPLACE_LIBRARY"])
            self.assertEqual(layers, [2, 6])


@unittest.skipUnless(os.environ.get("EXOPLACE_LIBRARY"), "needs EXOPLACE_LIBRARY, the library to install")
class MesonInstallLayoutTest(unittest.TestCase):
    def test_the_generated_module_leads_to_the_installed_library(self):
        template = Path(PYTHON_DIR, "_installed.py.in").read_text()
        built = Path(os.environ["EXOPLACE_LIBRARY"]).resolve()
        with tempfile.TemporaryDirectory() as scratch:
            prefix_lib = Path(scratch, "prefix", "lib")
            prefix_lib.mkdir(parents=True)
            installed = prefix_lib / built.name
            shutil.copy2(built, installed)
            package = Path(scratch, "prefix", "site", "exoplace")
            package_copy(package)
            package.joinpath("_installed.py").write_text(template.replace("@LIBRARY@", str(installed)))
            environment = {k: v for k, v in os.environ.items() if k != "EXOPLACE_LIBRARY"}
            environment["PYTHONPATH"] = str(package.parent)
            home = Path(scratch, "home")
            home.mkdir()
            check = subprocess.run([sys.executable, "-c", _REPORT], capture_output=True, text=True, timeout=60,
                                   cwd=home, env=environment)
            self.assertEqual(check.returncode, 0, check.stderr)
            installed_file, candidates, loaded, layers = report(check.stdout)
            self.assertTrue(installed_file.startswith(str(package)), installed_file)
            self.assertEqual(candidates[0], str(installed))
            self.assertEqual(loaded, str(installed))
            self.assertEqual(layers, [2, 6])


if __name__ == "__main__":
    unittest.main()
