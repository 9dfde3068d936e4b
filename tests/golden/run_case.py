#!/usr/bin/env python3
"""Runs one golden test case: a directory holding input files, a `cmd` file and `expected/`.

    run_case.py CASE_DIR CRMKPI_BINARY

`cmd` is one shell command line in which `crmkpi` is the binary under test, e.g.
    crmkpi report deals.csv --by owner --format json
It runs with a copy of CASE_DIR (minus expected/) as the working directory. Then:
  expected/exit_code   the exit status (required)
  expected/stdout      stdout, byte for byte (absent: stdout must be empty)
  expected/stderr      stderr, byte for byte (absent: not compared)
  expected/files/NAME  a file the command must have written into the working directory
  inputs_from          optional: a directory, relative to the repository root, whose files are
                       copied in as inputs too (so a case can run an example without a copy of it)
The inputs must be unchanged afterwards, compared by SHA-256 (the tool never modifies its input),
and no temporary file (NAME.tmp.XXXXXX) may be left in the working directory, whatever the exit.
With CRMKPI_UPDATE_GOLDEN=1 the expected files are rewritten from the actual run instead
(review the diff: every number in them must be checked independently, see the case's README).
"""
import difflib
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def show_diff(name, want, got):
    print(f"--- {name}: expected vs actual")
    sys.stdout.writelines(difflib.unified_diff(
        want.decode("utf-8", "replace").splitlines(True),
        got.decode("utf-8", "replace").splitlines(True), "expected", "actual"))
    print()


def main():
    case, binary = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    update = os.environ.get("CRMKPI_UPDATE_GOLDEN") == "1"
    expected = os.path.join(case, "expected")
    with open(os.path.join(case, "cmd"), encoding="utf-8") as f:
        cmd = f.read().strip()
    with tempfile.TemporaryDirectory(prefix="crmkpi-golden-") as work:
        inputs = {}  # name in the work directory -> original path
        sources = [case]
        from_file = os.path.join(case, "inputs_from")
        if os.path.exists(from_file):
            with open(from_file, encoding="utf-8") as f:
                root = os.path.normpath(os.path.join(case, "..", "..", ".."))
                sources.append(os.path.join(root, f.read().strip()))
        for src in sources:
            for name in sorted(os.listdir(src)):
                if name in ("expected", "cmd", "README.md", "inputs_from"):
                    continue
                shutil.copy2(os.path.join(src, name), os.path.join(work, name))
                inputs[name] = os.path.join(src, name)
        env = dict(os.environ, CRMKPI=binary, LC_ALL="C.UTF-8", TZ="UTC")
        script = 'crmkpi() { "$CRMKPI" "$@"; }\n' + cmd + "\n"
        proc = subprocess.run(["sh", "-c", script], cwd=work, env=env, capture_output=True,
                              stdin=subprocess.DEVNULL, timeout=120)
        got = {"exit_code": f"{proc.returncode}\n".encode(), "stdout": proc.stdout,
               "stderr": proc.stderr}
        written = {}
        for name in sorted(os.listdir(work)):
            if name not in inputs:
                path = os.path.join(work, name)
                if os.path.isdir(path):
                    written[name + "/"] = b"(a directory)"
                    continue
                with open(path, "rb") as f:
                    written[name] = f.read()
        changed = [n for n, original in inputs.items()
                   if not os.path.isfile(os.path.join(work, n))
                   or sha256(original) != sha256(os.path.join(work, n))]
        left_behind = [n for n in written if ".tmp." in n]

        if update:
            os.makedirs(expected, exist_ok=True)
            for key in ("exit_code", "stdout", "stderr"):
                path = os.path.join(expected, key)
                if key == "stdout" and not got[key]:
                    if os.path.exists(path):
                        os.remove(path)
                    continue
                with open(path, "wb") as f:
                    f.write(got[key])
            if written:
                os.makedirs(os.path.join(expected, "files"), exist_ok=True)
                for name, data in written.items():
                    with open(os.path.join(expected, "files", name), "wb") as f:
                        f.write(data)
            print(f"updated {case}")
            return 0

        failures = 0
        if changed:
            print(f"input files were modified (SHA-256 differs): {changed}")
            failures += 1
        if left_behind:
            print(f"temporary files left behind: {left_behind}")
            failures += 1
        for key in ("exit_code", "stdout", "stderr"):
            path = os.path.join(expected, key)
            if not os.path.exists(path):
                if key == "stdout" and got[key]:
                    show_diff(key, b"", got[key])
                    failures += 1
                if key == "exit_code":
                    print("expected/exit_code is missing")
                    failures += 1
                continue
            with open(path, "rb") as f:
                want = f.read()
            if want != got[key]:
                show_diff(key, want, got[key])
                failures += 1
        files_dir = os.path.join(expected, "files")
        want_files = sorted(os.listdir(files_dir)) if os.path.isdir(files_dir) else []
        if sorted(written) != want_files:
            print(f"files written: {sorted(written)}, expected: {want_files}")
            failures += 1
        for name in want_files:
            with open(os.path.join(files_dir, name), "rb") as f:
                want = f.read()
            if written.get(name) != want:
                show_diff("files/" + name, want, written.get(name, b""))
                failures += 1
        if failures:
            print(f"FAILED: {os.path.basename(case)}: {cmd}")
            print("stderr was:\n" + proc.stderr.decode("utf-8", "replace"))
            return 1
        print(f"ok: {os.path.basename(case)}")
        return 0


if __name__ == "__main__":
    sys.exit(main())
