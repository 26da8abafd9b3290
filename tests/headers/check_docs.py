#!/usr/bin/env python3
"""Checks that every exported call of the public header is documented.

Usage: check_docs.py [HEADER]     (default: include/exoplace.h)

For each EXOPLACE_API declaration the doc block (/** ... */) directly
before it must exist, carry an @param for every named parameter (with an
optional direction: @param[in], @param[out], @param[in,out]) and none for a
name the prototype lacks, and have @returns (or @return) unless the call
returns void. Each problem is printed as `HEADER:LINE: function: problem`
(LINE is where EXOPLACE_API stands) and the script exits 1; a header
without any EXOPLACE_API declaration is a problem too.
"""

import os
import re
import sys

# Words of a parameter that are never its name.
TYPE_WORDS = {"void", "char", "short", "int", "long", "float", "double", "signed", "unsigned", "_Bool", "bool"}
QUALIFIERS = {"const", "volatile", "restrict", "struct", "enum", "union", "register"}
DIRECTIONS = {"in", "out", "in,out"}

PARAM_TAG = re.compile(r"[@\\]param(?:\[([^\]]*)\])?[ \t]+([A-Za-z_]\w*)?")
RETURNS_TAG = re.compile(r"[@\\]returns?\b")
IDENTIFIER = re.compile(r"[A-Za-z_]\w*")


def split_source(text):
    """Returns (code, comments): code is text with every comment, string and
    character literal and preprocessor directive blanked out (newlines
    kept, so offsets and lines stay), comments a list of (start, end)."""
    code = list(text)
    comments = []

    def blank(start, end):
        for k in range(start, end):
            if code[k] != "\n":
                code[k] = " "

    i, n = 0, len(text)
    at_line_start, in_directive = True, False
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            comments.append((i, end))
            blank(i, end)
            i = end
            continue
        if text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            comments.append((i, end))
            blank(i, end)
            i = end
            continue
        if c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            blank(i, min(j + 1, n))
            i = j + 1
            continue
        if c == "\n":
            # A directive goes on past a newline escaped with a backslash.
            if in_directive and not (i > 0 and text[i - 1] == "\\"):
                in_directive = False
            at_line_start = not in_directive
        elif c == "#" and at_line_start:
            in_directive = True
            at_line_start = False
        elif not c.isspace():
            at_line_start = False
        if in_directive and c != "\n":
            code[i] = " "
        i += 1
    return "".join(code), comments


def split_top_level(text, sep=","):
    """Splits text at sep outside (), [] and {}."""
    parts, depth, start = [], 0, 0
    for k, c in enumerate(text):
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == sep and depth == 0:
            parts.append(text[start:k])
            start = k + 1
    parts.append(text[start:])
    return parts


def parameter_name(param):
    """The name a parameter declares, "" for void or ..., None when unnamed."""
    param = param.strip()
    if param in ("", "void", "..."):
        return ""
    pointer = re.search(r"\(\s*\*\s*(?:const\s+)?([A-Za-z_]\w*)\s*\)", param)
    if pointer:  # a function pointer or pointer to array: int (*name)(...)
        return pointer.group(1)
    param = re.sub(r"\[[^\]]*\]", " ", param)
    words = IDENTIFIER.findall(param)
    if not words or words[-1] in TYPE_WORDS or words[-1] in QUALIFIERS:
        return None
    others = [w for w in words if w not in TYPE_WORDS and w not in QUALIFIERS]
    has_builtin = any(w in TYPE_WORDS for w in words)
    # "size_t" or "const exoplace_topology *" alone name a type, not a parameter.
    if len(others) >= 2 or has_builtin:
        return words[-1]
    return None


def matching_paren(code, open_at):
    depth = 0
    for k in range(open_at, len(code)):
        if code[k] == "(":
            depth += 1
        elif code[k] == ")":
            depth -= 1
            if depth == 0:
                return k
    return -1


def declarations(text):
    """Yields (offset, line, name, returns_void, params) for each EXOPLACE_API
    declaration; params is a list of names (None for an unnamed one), or None
    when the declaration is not a function."""
    code, comments = split_source(text)
    for m in re.finditer(r"\bEXOPLACE_API\b", code):
        start = m.start()
        line = text.count("\n", 0, start) + 1
        end = len(code)
        for stop in (";", "{"):
            k = code.find(stop, m.end())
            if 0 <= k < end:
                end = k
        decl = code[m.end():end]
        open_at = decl.find("(")
        if open_at < 0:
            words = IDENTIFIER.findall(decl)
            yield start, line, words[-1] if words else "?", False, None
            continue
        head = decl[:open_at]
        words = IDENTIFIER.findall(head)
        name = words[-1] if words else "?"
        return_type = head[: head.rfind(name)] if words else head
        returns_void = re.fullmatch(r"\s*void\s*", return_type) is not None
        close_at = matching_paren(decl, open_at)
        inside = decl[open_at + 1 : close_at if close_at >= 0 else len(decl)]
        params = [parameter_name(p) for p in split_top_level(inside)]
        yield start, line, name, returns_void, [p for p in params if p != ""]


def doc_block_before(text, comments, offset):
    """The text of the /** ... */ block that ends right before offset (only
    white space between them), or None."""
    before = [c for c in comments if c[1] <= offset]
    if not before:
        return None
    start, end = before[-1]
    if text[end:offset].strip():
        return None
    block = text[start:end]
    if not block.startswith("/**") or block.startswith("/**<") or block == "/**/":
        return None
    return block


def check_text(text):
    """The problems of a header's text: a list of (line, function, problem)."""
    _, comments = split_source(text)
    problems = []
    found = 0
    for offset, line, name, returns_void, params in declarations(text):
        found += 1

        def report(problem):
            problems.append((line, name, problem))

        block = doc_block_before(text, comments, offset)
        if block is None:
            report("no doc block (/** ... */) directly before the declaration")
            continue
        if params is None:
            continue
        documented = []
        for tag in PARAM_TAG.finditer(block):
            direction, pname = tag.group(1), tag.group(2)
            if pname is None:
                report("@param without a parameter name")
                continue
            if direction is not None and direction.replace(" ", "") not in DIRECTIONS:
                report(f"@param[{direction}] {pname}: the direction is not in, out or in,out")
            documented.append(pname)
        named = [p for p in params if p is not None]
        if len(named) != len(params):
            report("a parameter has no name")
        for pname in named:
            if pname not in documented:
                report(f"no @param for parameter '{pname}'")
        for pname in sorted(set(documented)):
            if pname not in named:
                report(f"@param '{pname}' names no parameter")
            elif documented.count(pname) > 1:
                report(f"@param '{pname}' given {documented.count(pname)} times")
        if not returns_void and not RETURNS_TAG.search(block):
            report("no @returns")
    if found == 0:
        problems.append((1, "-", "no EXOPLACE_API declaration found"))
    return problems, found


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    path = argv[1] if len(argv) > 1 else os.path.join(here, "..", "..", "include", "exoplace.h")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    problems, found = check_text(text)
    label = os.path.basename(path)
    for line, name, problem in problems:
        print(f"{label}:{line}: {name}: {problem}")
    if problems:
        print(f"{len(problems)} problems in {found} EXOPLACE_API declarations", file=sys.stderr)
        return 1
    print(f"{found} EXOPLACE_API declarations documented")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
