#!/usr/bin/env python3
"""Tests of check_docs.py: it reports what it exists to report, passes a
header documented as it asks, and sees every function of the real header
that the export check sees.

usage: test_check_docs.py [HEADER]     (default: include/exoplace.h)
"""
import os
import subprocess
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True  # keep the source tree clean
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "exports"))
import check_docs  # noqa: E402
import check_exports  # noqa: E402

HEADER = os.path.join(HERE, "..", "..", "include", "exoplace.h")

GOOD = """\
#define EXOPLACE_API __attribute__((visibility("default")))
/* EXOPLACE_API in a plain comment is no declaration. */
#define EXOPLACE_LIST(X) \\
    X(EXOPLACE_API, "a string with /* inside")

/**
 * Adds.
 * @param[out] out the sum.
 * @param[in] a the first term.
 * @param b the second term.
 * @param[out] err optional details.
 * @returns EXOPLACE_OK; E_INVALID_ARGUMENT (NULL out).
 */
EXOPLACE_API exoplace_status exoplace_add(uint64_t *out,
                                          const uint64_t a,
                                          uint64_t b, exoplace_error *err);

/**
 * Frees nothing.
 * @param[in,out] ptr NULL is accepted.
 */
EXOPLACE_API void exoplace_release(void *ptr);

/** @returns a static string. */
EXOPLACE_API const char *exoplace_name(void);

/**
 * @param[out] buffer filled.
 * @param[in] fill called per byte.
 * @param[in] ctx passed to fill.
 * @return 0.
 */
EXOPLACE_API int exoplace_fill(char buffer[16], int (*fill)(void *ctx, char *byte), void *ctx);

/** Pointer return: not void. @param[in] list the list. @returns the first. */
EXOPLACE_API void *exoplace_first(const exoplace_list *list);
"""


def problems_of(text):
    problems, _ = check_docs.check_text(text)
    return problems


class CheckDocsTest(unittest.TestCase):
    def test_a_documented_header_passes(self):
        problems, found = check_docs.check_text(GOOD)
        self.assertEqual(problems, [])
        self.assertEqual(found, 5)

    def test_a_missing_param_is_reported_with_line_and_name(self):
        text = GOOD.replace(" * @param b the second term.\n", "")
        line = text.splitlines().index("EXOPLACE_API exoplace_status exoplace_add(uint64_t *out,") + 1
        self.assertEqual(problems_of(text), [(line, "exoplace_add", "no @param for parameter 'b'")])

    def test_a_param_of_a_multi_line_prototype_is_seen(self):
        text = GOOD.replace(" * @param[out] err optional details.\n", "")
        self.assertEqual([p[2] for p in problems_of(text)], ["no @param for parameter 'err'"])

    def test_a_function_pointer_parameter_is_named(self):
        text = GOOD.replace(" * @param[in] fill called per byte.\n", "")
        self.assertEqual([(p[1], p[2]) for p in problems_of(text)],
                         [("exoplace_fill", "no @param for parameter 'fill'")])

    def test_a_param_that_names_no_parameter_is_reported(self):
        text = GOOD.replace("@param b the second", "@param c the second")
        self.assertEqual(sorted(p[2] for p in problems_of(text)),
                         ["@param 'c' names no parameter", "no @param for parameter 'b'"])

    def test_a_param_given_twice_is_reported(self):
        text = GOOD.replace(" * @param b the second term.\n", " * @param b the second term.\n * @param b again.\n")
        self.assertEqual([p[2] for p in problems_of(text)], ["@param 'b' given 2 times"])

    def test_an_unknown_direction_is_reported(self):
        text = GOOD.replace("@param[in,out] ptr", "@param[inout] ptr")
        self.assertEqual([p[2] for p in problems_of(text)],
                         ["@param[inout] ptr: the direction is not in, out or in,out"])

    def test_a_missing_returns_is_reported_unless_void(self):
        text = GOOD.replace(" * @returns EXOPLACE_OK; E_INVALID_ARGUMENT (NULL out).\n", "")
        self.assertEqual([(p[1], p[2]) for p in problems_of(text)], [("exoplace_add", "no @returns")])
        text = GOOD.replace("@param[in] list the list. @returns the first.", "@param[in] list the list.")
        self.assertEqual([(p[1], p[2]) for p in problems_of(text)], [("exoplace_first", "no @returns")])
        text = GOOD.replace("/** @returns a static string. */", "/** A name. */")
        self.assertEqual([(p[1], p[2]) for p in problems_of(text)], [("exoplace_name", "no @returns")])

    def test_a_block_must_be_a_doc_block_right_before(self):
        no_block = "no doc block (/** ... */) directly before the declaration"
        for before, after in [
            ("/** @returns a static string. */", "/* @returns a static string. */"),
            ("/** @returns a static string. */", "/** @returns a static string. */\nint other;"),
            ("/** @returns a static string. */", "/** @returns a static string. */\n// a line comment"),
            ("/** @returns a static string. */", "/**< @returns a static string. */"),
        ]:
            text = GOOD.replace(before, after)
            self.assertNotEqual(text, GOOD)
            self.assertEqual([(p[1], p[2]) for p in problems_of(text)], [("exoplace_name", no_block)], after)

    def test_an_unnamed_parameter_is_reported(self):
        text = GOOD.replace("EXOPLACE_API void *exoplace_first(const exoplace_list *list);",
                            "EXOPLACE_API void *exoplace_first(const exoplace_list *);")
        self.assertEqual(sorted(p[2] for p in problems_of(text)),
                         ["@param 'list' names no parameter", "a parameter has no name"])

    def test_a_header_without_declarations_fails(self):
        self.assertEqual(problems_of("/** Nothing. */\nint x;\n"), [(1, "-", "no EXOPLACE_API declaration found")])

    def test_the_script_prints_each_problem_and_exits_1(self):
        text = GOOD.replace(" * @param b the second term.\n", "")
        line = text.splitlines().index("EXOPLACE_API exoplace_status exoplace_add(uint64_t *out,") + 1
        with tempfile.TemporaryDirectory() as tmp:
            bad = os.path.join(tmp, "exoplace.h")
            with open(bad, "w", encoding="utf-8") as f:
                f.write(text)
            run = subprocess.run([sys.executable, os.path.join(HERE, "check_docs.py"), bad],
                                 capture_output=True, text=True)
            self.assertEqual(run.returncode, 1)
            self.assertEqual(run.stdout, f"exoplace.h:{line}: exoplace_add: no @param for parameter 'b'\n")
            with open(bad, "w", encoding="utf-8") as f:
                f.write(GOOD)
            run = subprocess.run([sys.executable, os.path.join(HERE, "check_docs.py"), bad],
                                 capture_output=True, text=True)
            self.assertEqual(run.returncode, 0, run.stdout)

    def test_every_function_of_the_header_is_checked(self):
        with open(HEADER, encoding="utf-8") as f:
            text = f.read()
        seen = [d[2] for d in check_docs.declarations(text)]
        self.assertEqual(len(seen), len(set(seen)))
        self.assertEqual(set(seen), check_exports.header_functions(HEADER))
        self.assertTrue(all(d[4] is not None for d in check_docs.declarations(text)))


if __name__ == "__main__":
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        HEADER = sys.argv.pop(1)
    unittest.main()
