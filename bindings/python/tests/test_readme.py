"""The README's examples work unchanged: its pycon blocks run as one doctest,
its `python3 -m exoplace` command lines run from the checkout root."""
from __future__ import annotations

import doctest
import os
import re
import subprocess
import unittest

from support import PYTHON_DIR, REPO_ROOT

README = PYTHON_DIR / "README.md"


def fenced_blocks(language: str):
    return re.findall(r"^```" + language + r"\n(.*?)^```$", README.read_text(), flags=re.M | re.S)


class ReadmeTest(unittest.TestCase):
    def test_python_examples(self):
        blocks = fenced_blocks("pycon")
        self.assertGreaterEqual(len(blocks), 4)
        parser = doctest.DocTestParser()
        test = parser.get_doctest("\n".join(blocks), {}, "README.md", str(README), 0)
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
        runner.run(test)
        results = runner.summarize(verbose=False)
        self.assertGreater(results.attempted, 20)
        self.assertEqual(results.failed, 0, "README.md examples failed (see the report above)")

    @unittest.skipUnless((REPO_ROOT / "examples" / "place-request.json").is_file(), "needs the checkout's examples/")
    def test_command_line_examples(self):
        commands = [line for block in fenced_blocks("sh") for line in block.splitlines()
                    if "python3 -m exoplace" in line]
        self.assertGreaterEqual(len(commands), 2)
        for command in commands:
            with self.subTest(command=command):
                result = subprocess.run(command, shell=True, cwd=REPO_ROOT, capture_output=True, text=True,
                                        env=os.environ, timeout=60)
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assertTrue(result.stdout)


if __name__ == "__main__":
    unittest.main()
