#!/usr/bin/env python3
"""The long result round trip: a definition's KPIs from `--metrics FILE` = from its sources.

For every examples/*/kpi.ini, tests/integration/long_result_data/*/kpi.ini and every definition of a golden case (tests/golden/*/*.ini) that
`report -c` runs (exit 0 or 1): `crmkpi metrics -c X` writes the long result (CSV and JSON),
and each command below prints the same with `--metrics` that file as without it:

    report -c X -f json | -f csv | (table) | --compare previous -f json | --trend 2 |
        --view NAME (the first [view], else the default view manager; with metrics --view NAME)
        | --by COL (with metrics --by COL) |
        --as-of 2030-01-01 (with metrics --as-of 2030-01-01; definitions with sla or km_median)
    tree -c X (table) | -f json | --set KPI=VALUE -f json | --by COL (with metrics --tree-by
        COL) | --period month, also with --baseline previous (with metrics --tree-period month)

"The same" is byte for byte, except what names the input read: with --metrics the input is the
long result, not the sources, so the JSON's "inputs", "warnings" (data warnings are the
sources', not the result's) and "merged_spellings" members, and the table's heading line (the
files and row count), are left out of the comparison; every number is compared as its text.
Also: each long result is read back after a shuffle of its rows (order does not matter), and
a result with a changed count changes the report (the comparison can fail).

    long_result_test.py CRMKPI
"""
import glob
import json
import os
import random
import re
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg)


def run(exe, argv, cwd):
    env = dict(os.environ, LC_ALL="C.UTF-8", TZ="UTC")
    return subprocess.run([exe] + argv, cwd=cwd, env=env, capture_output=True,
                          stdin=subprocess.DEVNULL, timeout=120)


SOURCE_KEYS = ("inputs", "warnings", "merged_spellings")


def strip_json(data):
    """The document without what names the input; numbers kept as their text."""
    text = data.decode("utf-8")
    docs = []
    decoder = json.JSONDecoder(parse_float=str, parse_int=str)
    at = 0
    while at < len(text):
        while at < len(text) and text[at].isspace():
            at += 1
        if at >= len(text):
            break
        doc, at = decoder.raw_decode(text, at)
        for k in SOURCE_KEYS:
            doc.pop(k, None)
            if isinstance(doc.get("report"), dict):
                doc["report"].pop(k, None)
        docs.append(doc)
    return docs


def strip_table(data):
    """A table without its heading line(s) naming the files (crmkpi report: FILES · N rows)
    and the notes on merged spellings (the sources' raw values, which a long result has not)."""
    out, notes = [], False
    for line in data.decode("utf-8").splitlines():
        if re.match(r"^(# )?crmkpi (report|tree)\b.*rows", line):
            continue
        if line.startswith("Merged spellings"):
            if out and out[-1] == "":
                out.pop()  # the note's blank line before it
            notes = True
            continue
        if notes and line.startswith("  "):
            continue
        notes = False
        out.append(line)
    return out


def same(kind, native, given):
    if kind == "json":
        return strip_json(native) == strip_json(given)
    if kind == "table":
        return strip_table(native) == strip_table(given)
    return native == given


def first_by(ini_text):
    m = re.search(r"(?m)^by\s*=\s*([^\s,]+)", ini_text)
    if not m:
        return None
    name = m.group(1)
    return None if " as " in name or "." in name else name


def first_kpi(ini_text):
    m = re.search(r"(?m)^\[kpi\s+([^\]\s]+)\]", ini_text)
    return m.group(1) if m else None


def check_definition(exe, ini, work):
    cwd = os.path.dirname(ini)
    name = os.path.relpath(ini, ROOT)
    native = run(exe, ["report", "-c", ini, "-f", "json", "-q", "--no-lint"], cwd)
    if native.returncode not in (0, 1):
        return 0
    with open(ini, encoding="utf-8") as f:
        text = f.read()
    long_csv = os.path.join(work, "long.csv")
    long_json = os.path.join(work, "long.json")
    for fmt, path in (("csv", long_csv), ("json", long_json)):
        p = run(exe, ["metrics", "-c", ini, "-f", fmt, "-o", path, "-q"], cwd)
        if p.returncode != 0:
            fail(f"{name}: metrics -f {fmt}: exit {p.returncode}: {p.stderr.decode()[:300]}")
            return 0
    cases = [
        (["report", "-c", ini, "-f", "json"], "json"),
        (["report", "-c", ini, "-f", "csv"], "csv"),
        (["report", "-c", ini], "table"),
        (["report", "-c", ini, "--compare", "previous", "-f", "json"], "json"),
    ]
    has_tree = re.search(r"(?m)^\[tree\]", text) is not None
    if has_tree:
        cases += [(["tree", "-c", ini], "table"), (["tree", "-c", ini, "-f", "json"], "json")]
        kpi = first_kpi(text)
        if kpi:
            cases.append((["tree", "-c", ini, "--set", f"{kpi}=1", "-f", "json"], "json"))
    checked = 0
    for argv, kind in cases:
        base = run(exe, argv + ["-q", "--no-lint"], cwd)
        if base.returncode not in (0, 1):
            continue  # e.g. --compare without periods: refused alike, nothing to compare
        for path in (long_csv, long_json):
            given = run(exe, argv + ["-q", "--no-lint", "--metrics", path], cwd)
            checked += 1
            what = f"{name}: {' '.join(argv[:1] + argv[3:])} --metrics {os.path.basename(path)}"
            if given.returncode != base.returncode:
                fail(f"{what}: exit {given.returncode}, native {base.returncode}: "
                     f"{given.stderr.decode()[:300]}")
            elif not same(kind, base.stdout, given.stdout):
                fail(f"{what}: output differs from the native run\n--- native\n"
                     f"{base.stdout.decode()[:1500]}\n--- --metrics\n{given.stdout.decode()[:1500]}")
    # Regrouped by flags: the long result made with the same flag.
    regrouped = []
    by = first_by(text)
    if by:
        regrouped.append((["--by", by], ["report", "-c", ini, "--by", by, "-f", "json"], "json"))
        if has_tree:
            regrouped.append((["--tree-by", by], ["tree", "-c", ini, "--by", by], "table"))
    if has_tree:
        regrouped.append((["--tree-period", "month"], ["tree", "-c", ini, "--period", "month"],
                          "table"))
        regrouped.append((["--tree-period", "month"], ["tree", "-c", ini, "--period", "month",
                                                   "--baseline", "previous", "-f", "json"], "json"))
    # Another as-of: the metrics made at it, read with it.
    if re.search(r"(?m)^type\s*=\s*(sla|km_median)", text):
        regrouped.append((["--as-of", "2030-01-01"],
                          ["report", "-c", ini, "--as-of", "2030-01-01", "-f", "json"], "json"))
    for view in re.findall(r"(?m)^\[view\s+([^\]\s]+)\]", text)[:1]:
        regrouped.append((["--view", view], ["report", "-c", ini, "--view", view, "-f", "json"],
                          "json"))
    if not re.search(r"(?m)^\[view\s", text):
        # The default views (executive, manager, field) fitted to the sources.
        regrouped.append((["--view", "manager"], ["report", "-c", ini, "--view", "manager",
                                                  "-f", "json"], "json"))
    regrouped.append(([], ["report", "-c", ini, "--trend", "2", "-f", "json"], "json"))
    for flags, argv, kind in regrouped:
        base = run(exe, argv + ["-q", "--no-lint"], cwd)
        if base.returncode not in (0, 1):
            continue
        made = os.path.join(work, "flags.json")
        p = run(exe, ["metrics", "-c", ini, "-f", "json", "-o", made, "-q"] + flags, cwd)
        what = f"{name}: {' '.join(argv[:1] + argv[3:])} --metrics (metrics {' '.join(flags)})"
        if p.returncode != 0:
            fail(f"{what}: metrics exit {p.returncode}: {p.stderr.decode()[:300]}")
            continue
        given = run(exe, argv + ["-q", "--no-lint", "--metrics", made], cwd)
        checked += 1
        if given.returncode != base.returncode:
            fail(f"{what}: exit {given.returncode}, native {base.returncode}: "
                 f"{given.stderr.decode()[:300]}")
        elif not same(kind, base.stdout, given.stdout):
            fail(f"{what}: output differs from the native run\n--- native\n"
                 f"{base.stdout.decode()[:1500]}\n--- --metrics\n{given.stdout.decode()[:1500]}")
    # Row order does not matter: the JSON long result's rows (one a line) shuffled as text, so
    # that every number keeps its exact text, read back the same.
    with open(long_json, encoding="utf-8") as f:
        lines = f.read().splitlines()
    rows = [i for i, l in enumerate(lines) if l.startswith('{"metric"')]
    texts = [lines[i].rstrip(",").removesuffix("]}") for i in rows]
    random.Random(23).shuffle(texts)
    for n, i in enumerate(rows):
        lines[i] = texts[n] + ("," if n + 1 < len(rows) else "]}")
    shuffled = os.path.join(work, "shuffled.json")
    with open(shuffled, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    base = run(exe, ["report", "-c", ini, "-f", "json", "-q", "--no-lint"], cwd)
    given = run(exe, ["report", "-c", ini, "-f", "json", "-q", "--no-lint", "--metrics", shuffled],
                cwd)
    checked += 1
    if given.returncode != base.returncode or not same("json", base.stdout, given.stdout):
        fail(f"{name}: the shuffled long result reads differently: {given.stderr.decode()[:300]}")
    return checked


def can_fail(exe, work):
    """A long result with one count changed must change the report."""
    ini = os.path.join(ROOT, "examples", "sales_efficiency", "kpi.ini")
    cwd = os.path.dirname(ini)
    path = os.path.join(work, "changed.json")
    p = run(exe, ["metrics", "-c", ini, "-f", "json", "-q"], cwd)
    doc = json.loads(p.stdout)
    row = next(r for r in doc["rows"] if r["group_by"] == "" and isinstance(r["value"], int)
               and r["value"] > 0)
    row["value"] += 1
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f)
    base = run(exe, ["report", "-c", ini, "-f", "json", "-q", "--no-lint"], cwd)
    given = run(exe, ["report", "-c", ini, "-f", "json", "-q", "--no-lint", "--metrics", path], cwd)
    if same("json", base.stdout, given.stdout):
        fail(f"a changed count ({row['metric']}) left the report the same: the comparison "
             "cannot fail")


def main():
    exe = os.path.abspath(sys.argv[1])
    inis = sorted(glob.glob(os.path.join(ROOT, "examples", "*", "kpi.ini")))
    examples = len(inis)
    # Definitions made for this test (currencies, sla, km_median, reached, a tree), then those
    # of the golden cases.
    inis += sorted(glob.glob(os.path.join(ROOT, "tests", "integration", "long_result_data", "*",
                                          "kpi.ini")))
    examples = len(inis)
    inis += sorted(glob.glob(os.path.join(ROOT, "tests", "golden", "*", "*.ini")))
    checked = 0
    definitions = 0
    with tempfile.TemporaryDirectory(prefix="crmkpi-long-") as work:
        for i, ini in enumerate(inis):
            n = check_definition(exe, ini, work)
            if n == 0 and i < examples and not ini.endswith("roi/kpi.ini"):
                fail(f"{os.path.relpath(ini, ROOT)}: no round trip ran")
            checked += n
            definitions += 1 if n else 0
        can_fail(exe, work)
    print(f"{definitions} definitions, {checked} round trips, {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
