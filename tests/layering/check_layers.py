#!/usr/bin/env python3
"""Fails when a folder of src/ or include/crmkpi/ includes a folder above it.

The folders are the stages of the pipeline (docs/design.md, "The house"), lowest first; a file
may include its own folder and the folders listed before it, nothing after. Every file under
src/ and include/crmkpi/ must be in one of them, and src/F/x.cc's header is include/crmkpi/F/x.h
or src/F/x.h (the trees mirror each other).

    tests/layering/check_layers.py [ROOT]      (ROOT: the project, default: two levels up)
    tests/layering/check_layers.py --self-test (the check finds each kind of problem it knows)
Prints each violation as FILE:LINE: message and exits 1; exits 0 with a one-line summary.
"""
import pathlib
import re
import sys

LAYERS = ["base", "values", "read", "bind", "results", "definition", "analysis", "engine",
          "quality", "sql", "evaluate", "write", "cli"]
RANK = {name: i for i, name in enumerate(LAYERS)}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def folder_of(root, path):
    rel = path.relative_to(root)
    parts = rel.parts
    if parts[0] == "src" and len(parts) == 3:
        return parts[1]
    if parts[:2] == ("include", "crmkpi") and len(parts) == 4:
        return parts[2]
    return None


def check(root):
    """Returns the problems of the tree at |root| and a summary line."""
    problems = []
    files = sorted(list((root / "src").rglob("*.cc")) + list((root / "src").rglob("*.h")) +
                   list((root / "include" / "crmkpi").rglob("*.h")))
    if not files:
        return [f"{root}/src:1: no sources"], ""
    includes = 0
    for name in LAYERS:
        if (root / "src" / name).is_dir() and not (root / "src" / name / "README.md").exists():
            problems.append(f"src/{name}/README.md:1: missing (what the folder owns and may include)")
    for path in files:
        rel = path.relative_to(root)
        folder = folder_of(root, path)
        if folder not in RANK:
            problems.append(f"{rel}:1: not in a pipeline folder ({', '.join(LAYERS)})")
            continue
        if rel.parts[0] == "src" and path.suffix == ".cc" and path.stem != "main":
            if not ((root / "include/crmkpi" / folder / (path.stem + ".h")).exists() or
                    (path.with_suffix(".h")).exists()):
                problems.append(f"{rel}:1: no header include/crmkpi/{folder}/{path.stem}.h "
                                f"or src/{folder}/{path.stem}.h (the trees mirror each other)")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            target = m.group(1)
            parts = target.split("/")
            if parts[0] == "crmkpi":
                if len(parts) != 3:
                    problems.append(f"{rel}:{n}: '{target}' is not crmkpi/FOLDER/NAME.h")
                    continue
                to = parts[1]
            elif len(parts) == 2:
                to = parts[0]  # a private header of another folder: src/FOLDER/NAME.h
            elif len(parts) == 1:
                to = folder  # the same folder
            else:
                problems.append(f"{rel}:{n}: '{target}' is not a known include form")
                continue
            if to not in RANK:
                problems.append(f"{rel}:{n}: '{target}' names no pipeline folder")
                continue
            includes += 1
            if RANK[to] > RANK[folder]:
                problems.append(
                    f"{rel}:{n}: {folder}/ includes '{target}' from {to}/, a later stage "
                    f"(allowed: {', '.join(LAYERS[:RANK[folder] + 1])})")
    return problems, (f"layers ok: {len(files)} files, {includes} includes, folders "
                      f"{' < '.join(LAYERS)}")


def self_test():
    """Each kind of problem, planted in a small tree, is found; the clean tree passes."""
    import tempfile
    cases = {
        "upward include": ("src/base/a.cc", '#include "crmkpi/cli/x.h"\n', "a later stage"),
        "upward private include": ("src/read/a.cc", '#include "cli/x.h"\n', "a later stage"),
        "file outside the folders": ("src/a.cc", "", "not in a pipeline folder"),
        "unknown folder": ("src/read/a.cc", '#include "crmkpi/nowhere/x.h"\n',
                           "names no pipeline folder"),
        "flat include": ("src/read/a.cc", '#include "crmkpi/x.h"\n', "not crmkpi/FOLDER"),
        "folder without README": ("src/values/a.cc", "", "README.md:1: missing"),
    }
    failures = 0
    for name, (path, text, expect) in cases.items():
        with tempfile.TemporaryDirectory() as d:
            root = pathlib.Path(d)
            for p, t in (("include/crmkpi/read/a.h", ""), ("include/crmkpi/base/a.h", ""),
                         ("src/read/ok.cc", '#include "crmkpi/base/a.h"\n#include "ok.h"\n'),
                         ("src/read/ok.h", ""), ("src/read/README.md", ""),
                         ("src/base/README.md", ""), ("src/cli/README.md", ""), (path, text)):
                (root / p).parent.mkdir(parents=True, exist_ok=True)
                (root / p).write_text(t, encoding="utf-8")
            problems, _ = check(root)
            if not any(expect in p for p in problems):
                print(f"self-test '{name}': expected a problem with '{expect}', got {problems}")
                failures += 1
    with tempfile.TemporaryDirectory() as d:
        root = pathlib.Path(d)
        for p, t in (("include/crmkpi/base/a.h", ""),
                     ("src/read/b.cc", '#include "crmkpi/base/a.h"\n#include "b.h"\n'),
                     ("src/read/b.h", ""), ("src/read/README.md", "")):
            (root / p).parent.mkdir(parents=True, exist_ok=True)
            (root / p).write_text(t, encoding="utf-8")
        problems, _ = check(root)
        if problems:
            print(f"self-test 'clean tree': unexpected problems {problems}")
            failures += 1
    print(f"self-test: {len(cases) + 1 - failures} of {len(cases) + 1} cases as expected")
    return 1 if failures else 0


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else
                        pathlib.Path(__file__).resolve().parents[2]).resolve()
    problems, summary = check(root)
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} layering problem(s)")
        return 1
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
