"""Loading the library and describing it: the search order, the one table of
functions against exoplace.h, and the Structures against the C compiler's layout."""
from __future__ import annotations

import ctypes
import os
import re
import shlex
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path
from unittest import mock

from exoplace import LibraryLoadError, _lib
from support import include_dir

HEADER = include_dir() / "exoplace.h"


def header_declarations():
    """(name, return type, parameter count) of every EXOPLACE_API function in exoplace.h."""
    text = HEADER.read_text()
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"#define[^\n]*(\\\n[^\n]*)*", " ", text)
    found = []
    for match in re.finditer(r"EXOPLACE_API\s+([^;(]*?)\b(exoplace_\w+)\s*\(([^)]*)\)\s*;", text, flags=re.S):
        return_type = " ".join(match.group(1).split())
        parameters = " ".join(match.group(3).split())
        count = 0 if parameters in ("", "void") else parameters.count(",") + 1
        found.append((match.group(2), return_type, count))
    return found


# The ctypes restype each C return type of the header must have.
RESTYPES = {
    "void": None,
    "const char *": ctypes.c_char_p,
    "exoplace_status": ctypes.c_int,
    "int": ctypes.c_int,
    "size_t": ctypes.c_size_t,
    "uint32_t": ctypes.c_uint32,
    "const exoplace_preview *": ctypes.POINTER(_lib.Preview),
}


@unittest.skipUnless(HEADER.is_file(), f"exoplace.h not found at {HEADER}")
class FunctionTableTest(unittest.TestCase):
    def test_table_lists_every_header_function_once(self):
        declared = {name for name, _, _ in header_declarations()}
        self.assertGreater(len(declared), 40)
        listed = [name for name, _, _ in _lib.FUNCTIONS]
        self.assertEqual(len(listed), len(set(listed)), "a function is listed twice")
        self.assertEqual(set(listed), declared)

    def test_arity_and_return_type_match_the_header(self):
        table = {name: (argtypes, restype) for name, argtypes, restype in _lib.FUNCTIONS}
        for name, return_type, count in header_declarations():
            with self.subTest(function=name):
                argtypes, restype = table[name]
                self.assertEqual(len(argtypes), count)
                self.assertIn(return_type, RESTYPES, "a return type the test does not know")
                self.assertIs(restype, RESTYPES[return_type])

    def test_loaded_functions_carry_the_table(self):
        cdll = _lib.lib()
        for name, argtypes, restype in _lib.FUNCTIONS:
            with self.subTest(function=name):
                self.assertEqual(getattr(cdll, name).argtypes, argtypes)
                self.assertIs(getattr(cdll, name).restype, restype)

    def test_owned_strings_are_never_c_char_p(self):
        # A `char **out` the caller frees must stay an address for exoplace_free.
        for name, argtypes, _ in _lib.FUNCTIONS:
            if name.endswith("_json") or name == "exoplace_probe_local":
                with self.subTest(function=name):
                    self.assertIs(argtypes[0], ctypes.POINTER(ctypes.c_void_p))


def c_compiler():
    command = os.environ.get("EXOPLACE_CC")
    if command:
        return shlex.split(command)
    found = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    return [found] if found else None


@unittest.skipUnless(HEADER.is_file() and c_compiler(), "needs exoplace.h and a C compiler")
class StructureLayoutTest(unittest.TestCase):
    """Compiles a probe that prints sizeof and offsetof of every mirrored struct."""

    def test_sizes_and_offsets_match_the_c_compiler(self):
        lines = []
        for c_name, structure in _lib.STRUCTURES.items():
            lines.append(f'printf("{c_name} %zu\\n", sizeof({c_name}));')
            for field, _ in structure._fields_:
                lines.append(f'printf("{c_name}.{field} %zu\\n", offsetof({c_name}, {field}));')
        source = ("#include <stddef.h>\n#include <stdio.h>\n#include \"exoplace.h\"\n"
                  "int main(void)\n{\n" + "\n".join(lines) + "\nreturn 0;\n}\n")
        with tempfile.TemporaryDirectory() as scratch:
            Path(scratch, "layout.c").write_text(source)
            program = str(Path(scratch, "layout"))
            subprocess.run(c_compiler() + ["-std=c11", "-I", str(include_dir()), "-o", program,
                                           str(Path(scratch, "layout.c"))], check=True)
            output = subprocess.run([program], check=True, capture_output=True, text=True).stdout
        c_layout = dict(line.rsplit(" ", 1) for line in output.splitlines())
        for c_name, structure in _lib.STRUCTURES.items():
            with self.subTest(struct=c_name):
                self.assertEqual(int(c_layout[c_name]), ctypes.sizeof(structure))
                for field, _ in structure._fields_:
                    self.assertEqual(int(c_layout[f"{c_name}.{field}"]), getattr(structure, field).offset, field)


class LoadingTest(unittest.TestCase):
    def test_explicit_path_is_the_only_place_tried(self):
        with mock.patch.dict(os.environ, {"EXOPLACE_LIBRARY": "/nonexistent/libexoplace.so"}):
            self.assertEqual(_lib.candidate_paths(), ["/nonexistent/libexoplace.so"])
            with self.assertRaises(LibraryLoadError) as caught:
                _lib.load_library()
        self.assertIn("/nonexistent/libexoplace.so", str(caught.exception))
        self.assertIn("EXOPLACE_LIBRARY", str(caught.exception))

    def test_a_file_that_is_not_a_library_is_reported(self):
        with tempfile.NamedTemporaryFile(suffix=".so") as bogus:
            bogus.write(b"not an ELF file")
            bogus.flush()
            with mock.patch.dict(os.environ, {"EXOPLACE_LIBRARY": bogus.name}):
                with self.assertRaises(LibraryLoadError) as caught:
                    _lib.load_library()
        self.assertIn(bogus.name, str(caught.exception))

    def test_failure_names_every_place_tried(self):
        environment = {k: v for k, v in os.environ.items() if k != "EXOPLACE_LIBRARY"}
        with tempfile.TemporaryDirectory() as checkout, mock.patch.dict(os.environ, environment, clear=True), \
                mock.patch.object(_lib, "checkout_root", return_value=Path(checkout)), \
                mock.patch.object(_lib, "installed_library", return_value="/nonexistent/lib/libexoplace.so.7"), \
                mock.patch("ctypes.util.find_library", return_value=None):
            with self.assertRaises(LibraryLoadError) as caught:
                _lib.load_library()
        message = str(caught.exception)
        self.assertIn(str(Path(checkout, "build", "lib", _lib._SHARED_PATTERNS[0])) + " (found nothing)", message)
        self.assertIn("/nonexistent/lib/libexoplace.so.7: ", message)
        self.assertIn("find_library('exoplace') (found nothing)", message)

    def test_build_directory_of_the_checkout_is_used(self):
        real = self.loaded_path()
        environment = {k: v for k, v in os.environ.items() if k != "EXOPLACE_LIBRARY"}
        with tempfile.TemporaryDirectory() as checkout, mock.patch.dict(os.environ, environment, clear=True), \
                mock.patch.object(_lib, "checkout_root", return_value=Path(checkout)), \
                mock.patch.object(_lib, "installed_library", return_value=None), \
                mock.patch("ctypes.util.find_library", return_value=None):
            build_lib = Path(checkout, "build", "lib")
            build_lib.mkdir(parents=True)
            # Any version meson.build gives the file name.
            build_lib.joinpath("libexoplace.so.0.99.3").symlink_to(real)
            build_lib.joinpath("libexoplace.so.0.99.3.p").mkdir()  # meson's object directory
            cdll = _lib.load_library()
        self.assertEqual(cdll._name, str(build_lib / "libexoplace.so.0.99.3"))
        self.assertEqual(cdll.exoplace_status_name(9), b"insufficient_memory")

    def test_the_newest_library_of_a_build_directory_comes_first(self):
        with tempfile.TemporaryDirectory() as directory:
            old, new = Path(directory, "libexoplace.so.0.1.0"), Path(directory, "libexoplace.so.0.2.0")
            old.write_bytes(b"")
            new.write_bytes(b"")
            os.utime(old, (1000, 1000))
            Path(directory, "libexoplace.so.0").symlink_to(new.name)
            Path(directory, "libexoplace.so").symlink_to(new.name)
            self.assertEqual(_lib.build_directory_libraries(Path(directory)),
                             [str(Path(directory, name)) for name in
                              ("libexoplace.so", "libexoplace.so.0", "libexoplace.so.0.2.0", "libexoplace.so.0.1.0")])

    def test_order_checkout_then_installed_then_find_library(self):
        environment = {k: v for k, v in os.environ.items() if k != "EXOPLACE_LIBRARY"}
        with tempfile.TemporaryDirectory() as checkout, mock.patch.dict(os.environ, environment, clear=True), \
                mock.patch.object(_lib, "checkout_root", return_value=Path(checkout)), \
                mock.patch.object(_lib, "installed_library", return_value="/prefix/lib/libexoplace.so.0.1.0"), \
                mock.patch("ctypes.util.find_library", return_value="libexoplace.so.0"):
            build_lib = Path(checkout, "build", "lib")
            build_lib.mkdir(parents=True)
            build_lib.joinpath("libexoplace.so.0.1.0").write_bytes(b"")
            self.assertEqual(_lib.candidate_paths(), [str(build_lib / "libexoplace.so.0.1.0"),
                                                      "/prefix/lib/libexoplace.so.0.1.0", "libexoplace.so.0"])

    def test_the_installed_library_is_used(self):
        real = self.loaded_path()
        environment = {k: v for k, v in os.environ.items() if k != "EXOPLACE_LIBRARY"}
        with mock.patch.dict(os.environ, environment, clear=True), \
                mock.patch.object(_lib, "checkout_root", return_value=None), \
                mock.patch.object(_lib, "installed_library", return_value=real), \
                mock.patch("ctypes.util.find_library", return_value=None):
            self.assertEqual(_lib.load_library()._name, real)

    @unittest.skipUnless(_lib.checkout_root(), "the package under test is not a checkout's")
    def test_no_installed_library_in_a_checkout(self):
        # exoplace/_installed.py exists only where meson installed the package.
        self.assertIsNone(_lib.installed_library())

    def test_find_library_is_the_last_resort(self):
        real = self.loaded_path()
        environment = {k: v for k, v in os.environ.items() if k != "EXOPLACE_LIBRARY"}
        with mock.patch.dict(os.environ, environment, clear=True), \
                mock.patch.object(_lib, "checkout_root", return_value=None), \
                mock.patch.object(_lib, "installed_library", return_value=None), \
                mock.patch("ctypes.util.find_library", return_value=real):
            self.assertEqual(_lib.candidate_paths(), [real])
            self.assertEqual(_lib.load_library()._name, real)

    def test_other_abi_is_refused(self):
        class OtherVersion:
            @staticmethod
            def exoplace_version():
                return b"0.1.0"

        class GrownOptions:
            @staticmethod
            def exoplace_version():
                return b"0.2.7"

            @staticmethod
            def exoplace_place_options_init(options):
                options._obj.struct_size = 4096

            @staticmethod
            def exoplace_json_options_init(options):
                options._obj.struct_size = ctypes.sizeof(options._obj)

            exoplace_probe_options_init = exoplace_json_options_init
            exoplace_cycle_filter_init = exoplace_json_options_init
            exoplace_model_init = exoplace_json_options_init
            exoplace_download_init = exoplace_json_options_init

        self.assertIn("0.1.0", _lib.abi_mismatch(OtherVersion()))
        self.assertIn("PlaceOptions is 4096 bytes", _lib.abi_mismatch(GrownOptions()))
        self.assertIsNone(_lib.abi_mismatch(_lib.lib()))

    def test_a_library_of_another_abi_is_reported_with_its_path(self):
        real = self.loaded_path()
        with mock.patch.dict(os.environ, {"EXOPLACE_LIBRARY": real}), \
                mock.patch.object(_lib, "abi_mismatch", return_value="it is libexoplace 9.9.0"):
            with self.assertRaises(LibraryLoadError) as caught:
                _lib.load_library()
        self.assertIn(f"{real}: it is libexoplace 9.9.0", str(caught.exception))

    @unittest.skipUnless(HEADER.is_file(), "not run from a checkout")
    def test_checkout_root_is_found_from_the_package(self):
        self.assertEqual(_lib.checkout_root(), Path(__file__).resolve().parents[3])

    @staticmethod
    def loaded_path() -> str:
        return _lib.lib()._name


if __name__ == "__main__":
    unittest.main()
