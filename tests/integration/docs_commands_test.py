#!/usr/bin/env python3
"""Every command shown in README.md, docs/*.md and examples/**/README.md, and every example
each command's --help ends with, runs, with the exit code the text documents.

    python3 tests/integration/docs_commands_test.py path/to/crmkpi [--list]

The commands are extracted from the files, not copied here:
  - every line of a fenced code block that starts with `crmkpi `, `$ crmkpi ` or
    `cat FILE | crmkpi ` (a trailing `\\` joins the next line) is a command;
  - a block fenced as ```text holds synopses and output, not commands: its `crmkpi ` lines
    must show a placeholder (an UPPER-CASE word such as FILE, or `[`), so that no runnable
    command can hide there;
  - the exit code a command must end with is 0, or N when its comment says `exit N`.
Commands run in the order of their file, from a fresh copy of the repository's examples/ (as
`examples/`) that is the working directory, as a user at the repository's root would type
them, with the binary under test first on PATH. A command that writes a file (-o) writes it
there, so a later command of the same file can read it (init → report -c). A block right
after the comment `<!-- run in tests/golden/NAME -->` runs in a fresh copy of that golden
case instead (its inputs, and those of its inputs_from), where the example's files are.

The --help of crmkpi and of each command: no line wider than 100 columns (East Asian wide
characters count 2), options in groups, and 3 to 5 examples after "Examples", which run as the
README's commands do.

Each command must also finish within 60 s and print something (on stdout, or the file it
writes). Standard library only; exit status 0 when every command ran as documented.
"""

import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata

REPO = pathlib.Path(__file__).resolve().parents[2]
COMMAND = re.compile(r"^\s*(?:\$ )?(?:cat \S+ \| *)?crmkpi(?: |$)")
PLACEHOLDER = re.compile(r"\[|\b[A-Z][A-Z0-9_.]{2,}\b|\|")


def doc_files():
    files = [REPO / "README.md"] + sorted((REPO / "docs").glob("*.md"))
    files += sorted((REPO / "examples").glob("**/README.md"))
    return files


RUN_IN = re.compile(r"^<!-- run in (\S+) -->$")


def commands_of(path):
    """[(line number, command, expected exit, is_synopsis, directory or None)] of one file."""
    out = []
    lines = path.read_text(encoding="utf-8").split("\n")
    fence = None
    run_in = None  # the directory of the block that follows a `run in` comment
    block_dir = None
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if fence is None and RUN_IN.match(stripped):
            run_in = RUN_IN.match(stripped).group(1)
        if stripped.startswith("```"):
            if fence is None:
                fence = stripped[3:].strip()
                block_dir, run_in = run_in, None
            else:
                fence = None
            i += 1
            continue
        if fence is not None and COMMAND.match(line):
            start = i + 1
            cmd = line.rstrip()
            while cmd.endswith("\\") and i + 1 < len(lines):
                i += 1
                cmd = cmd[:-1].rstrip() + " " + lines[i].strip()
            cmd = cmd.strip()
            if cmd.startswith("$ "):
                cmd = cmd[2:]
            comment = ""
            m = re.search(r"\s#\s.*$", cmd)
            if m:
                comment = m.group(0)
                cmd = cmd[: m.start()].rstrip()
            expect = 0
            e = re.search(r"\bexit (\d)\b", comment)
            if e:
                expect = int(e.group(1))
            out.append((start, cmd, expect, fence == "text", block_dir))
        i += 1
    return out


def golden_copy(block_dir, tmp, where, failures):
    """A fresh copy of a golden case's inputs (kept across the block's commands)."""
    src = REPO / block_dir
    dst = tmp / "golden" / block_dir.replace("/", "_")
    if dst.exists():
        return dst
    if not (src / "cmd").is_file():
        failures.append(f"{where}: `run in {block_dir}` names no golden case")
        return None
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("expected", "README.md"))
    inputs_from = src / "inputs_from"
    if inputs_from.is_file():
        more = REPO / inputs_from.read_text().strip()
        for f in more.iterdir():
            if f.is_file() and not (dst / f.name).exists():
                shutil.copy(f, dst / f.name)
    return dst


def display_width(line):
    return sum(0 if unicodedata.combining(c) else
               2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def help_commands(binary, failures):
    """The examples of every --help, as commands_of gives a file's; checks the help's shape."""
    top = subprocess.run([binary, "--help"], capture_output=True, text=True).stdout
    names = re.findall(r"^  ([a-z]+) ", top.split("Subcommands:")[1].split("\n\n")[0], re.M)
    if len(names) < 10:
        failures.append(f"crmkpi --help lists {len(names)} commands")
    out = []
    for name in [""] + names:
        args = [binary] + ([name] if name else []) + ["--help"]
        text = subprocess.run(args, capture_output=True, text=True).stdout
        where = f"crmkpi {name} --help".replace("  ", " ")
        for n, line in enumerate(text.split("\n"), 1):
            if display_width(line) > 100:
                failures.append(f"{where}:{n}: {display_width(line)} columns: {line}")
        if name and "Input:" not in text and "Output:" not in text and name != "completion":
            failures.append(f"{where}: options are not grouped (no Input/Output group)")
        if "Examples" not in text:
            failures.append(f"{where}: no Examples")
            continue
        block = text.split("Examples", 1)[1].split("\n\n")[0].split("\n")[1:]
        lines = []
        for line in block:
            if lines and lines[-1].endswith("\\"):
                lines[-1] = lines[-1][:-1].rstrip() + " " + line.strip()
            else:
                lines.append(line.strip())
        examples = []
        for cmd in lines:
            expect = 0
            m = re.search(r"\s#\s.*$", cmd)
            if m:
                e = re.search(r"\bexit (\d)\b", m.group(0))
                expect = int(e.group(1)) if e else 0
                cmd = cmd[: m.start()].rstrip()
            examples.append((0, cmd, expect, False, None))
        if not 3 <= len(examples) <= 5:
            failures.append(f"{where}: {len(examples)} examples (3 to 5 wanted)")
        out.append((where, examples))
    return out


def run_file(binary, path, failures, cmds=None):
    rel = path.relative_to(REPO) if cmds is None else path
    if cmds is None:
        cmds = commands_of(path)
    if not cmds:
        return 0
    ran = 0
    with tempfile.TemporaryDirectory(prefix="crmkpi-docs-") as tmp:
        work = pathlib.Path(tmp) / "work"
        shutil.copytree(REPO / "examples", work / "examples")
        bindir = pathlib.Path(tmp) / "bin"
        bindir.mkdir()
        os.symlink(os.path.abspath(binary), bindir / "crmkpi")
        env = dict(os.environ)
        env["PATH"] = f"{bindir}:{env.get('PATH', '/usr/bin:/bin')}"
        env.pop("COLUMNS", None)
        env["NO_COLOR"] = "1"
        for line, cmd, expect, synopsis, block_dir in cmds:
            where = f"{rel}:{line}" if line else f"{rel}: {cmd}"
            cwd = work
            if block_dir is not None:
                cwd = golden_copy(block_dir, pathlib.Path(tmp), where, failures)
                if cwd is None:
                    continue
            if synopsis:
                if not PLACEHOLDER.search(cmd.split(None, 2)[-1]):
                    failures.append(f"{where}: a runnable command in a ```text block (run it "
                                    f"in a plain block, or write its placeholders in "
                                    f"UPPER CASE): {cmd}")
                continue
            before = {p: p.stat().st_mtime_ns for p in cwd.rglob("*") if p.is_file()}
            try:
                r = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], cwd=cwd, env=env,
                                   stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
            except subprocess.TimeoutExpired:
                failures.append(f"{where}: did not finish in 60 s: {cmd}")
                continue
            ran += 1
            if r.returncode != expect:
                err = r.stderr.decode("utf-8", "replace").strip()[-600:]
                failures.append(f"{where}: exit {r.returncode}, documented {expect}: {cmd}\n"
                                f"    {err}")
                continue
            wrote = any(p.is_file() and before.get(p) != p.stat().st_mtime_ns
                        for p in cwd.rglob("*"))
            if not r.stdout.strip() and not wrote and expect == 0:
                failures.append(f"{where}: printed nothing and wrote no file: {cmd}")
    return ran


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    binary = sys.argv[1]
    if "--list" in sys.argv:
        for path in doc_files():
            for line, cmd, expect, synopsis, block_dir in commands_of(path):
                kind = "synopsis" if synopsis else f"exit {expect}"
                print(f"{path.relative_to(REPO)}:{line}: [{kind}] {cmd}")
        return 0
    failures = []
    total = 0
    for path in doc_files():
        total += run_file(binary, path, failures)
    for where, examples in help_commands(binary, failures):
        total += run_file(binary, where, failures, examples)
    # The extraction itself must find the commands it is meant to find: the README's.
    readme = [c for c in commands_of(REPO / "README.md") if not c[3]]
    if len(readme) < 10:
        failures.append(f"README.md: only {len(readme)} commands extracted; the extractor "
                        "no longer sees the README's code blocks")
    for f in failures:
        print("FAIL", f)
    print(f"{total} documented commands run, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
