#!/usr/bin/env python3
"""Checks the dynamic symbols of libexoplace against its public header.

Usage: check_exports.py LIBRARY HEADER [NM]

Fails when the shared library exports a symbol that does not start with
exoplace_ (a leak into the host's namespace), exports a semi-private
exoplace__ helper or any exoplace_ symbol the header does not declare with
EXOPLACE_API, or misses a function the header declares with EXOPLACE_API.
Compare jansson:test/suites/api/check-exports and
libxkbcommon:test/symbols-leak-test.py.
"""

import re
import subprocess
import sys

# Defined by the linker, not by the library's code.
LINKER_SYMBOLS = {"_init", "_fini", "_edata", "_end", "__bss_start"}


def header_functions(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    # Drop preprocessor lines with their continuations (the EXOPLACE_API
    # definitions and the status X-macro table).
    kept, in_directive = [], False
    for line in text.splitlines():
        if in_directive or line.lstrip().startswith("#"):
            in_directive = line.rstrip().endswith("\\")
            continue
        kept.append(line)
    text = "\n".join(kept)
    names = set()
    for decl in re.finditer(r"\bEXOPLACE_API\b([^;{]*);", text):
        m = re.search(r"\b(\w+)\s*\(", decl.group(1))
        if not m:
            sys.exit(f"cannot read the declaration: EXOPLACE_API{decl.group(1)};")
        names.add(m.group(1))
    return names


def exported_symbols(nm, library):
    out = subprocess.run([nm, "-D", "--defined-only", library], check=True, capture_output=True,
                         text=True).stdout
    symbols = set()
    for line in out.splitlines():
        fields = line.split()
        if len(fields) < 2:
            continue
        kind, name = fields[-2], fields[-1].split("@")[0]
        if kind == "A":  # symbol-version nodes of a version script
            continue
        symbols.add(name)
    return symbols


def main(argv):
    if len(argv) not in (3, 4):
        sys.exit(__doc__)
    library, header = argv[1], argv[2]
    nm = argv[3] if len(argv) == 4 else "nm"
    declared = header_functions(header)
    exported = exported_symbols(nm, library) - LINKER_SYMBOLS
    if not declared:
        sys.exit(f"no EXOPLACE_API declaration found in {header}")

    problems = []
    for name in sorted(exported):
        if not name.startswith("exoplace_"):
            problems.append(f"exported without the exoplace_ prefix: {name}")
        elif name.startswith("exoplace__"):
            problems.append(f"semi-private helper exported (should be hidden): {name}")
        elif name not in declared:
            problems.append(f"exported but not declared with EXOPLACE_API in the header: {name}")
    for name in sorted(declared - exported):
        problems.append(f"declared with EXOPLACE_API but not exported: {name}")

    print(f"{len(declared)} functions declared, {len(exported)} symbols exported by {library}")
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
