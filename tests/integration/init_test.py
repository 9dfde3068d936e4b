#!/usr/bin/env python3
"""`crmkpi init` round-trips: `report -c` of init's output prints the KPIs of `report FILE`.

For every `crmkpi report FILE ...` command of the golden cases that succeeds, and for the real
exports in ../shared/data/real (skipped when absent), init is run with the same flags (minus
output-only ones), its INI written with -o into a temporary directory, and `report -c` on that
INI compared with the built-in report, KPI by KPI and group by group: value, numerator,
denominator, n, censored, reason and exclusions. The as-of and the inputs' row counts must agree
too.

    init_test.py CRMKPI GOLDEN_DIR [SHARED_DIR]
"""
import json
import os
import shlex
import subprocess
import sys
import tempfile

# Flags that change how a report is printed, not what it computes: init does not take them
# (--compare sets each KPI beside another period's, --trend keeps the last periods: both over
# what the same definition computes).
OUTPUT_FLAGS = {"--format": 1, "-f": 1, "-o": 1, "--output": 1, "--quiet": 0, "-q": 0,
                "--threads": 1, "-j": 1, "--min-chunk-bytes": 1, "--compare": 1,
                "--trend": 1}
COMPARED = ("value", "numerator", "denominator", "n", "censored", "reason", "excluded", "unit")


def strip_output_flags(args):
    out, i = [], 0
    while i < len(args):
        a = args[i]
        name = a.split("=", 1)[0]
        if name in OUTPUT_FLAGS:
            i += 1 + (OUTPUT_FLAGS[name] if "=" not in a else 0)
            continue
        out.append(a)
        i += 1
    return out


def report_commands(golden):
    """(case dir, argv after 'report') of each plain `crmkpi report` command."""
    for case in sorted(os.listdir(golden)):
        path = os.path.join(golden, case, "cmd")
        if not os.path.isfile(path):
            continue
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for part in text.replace("&&", ";").split(";"):
            if "|" in part:
                continue
            try:
                words = shlex.split(part)
            except ValueError:
                continue
            if len(words) < 3 or words[:2] != ["crmkpi", "report"]:
                continue
            args = words[2:]
            if "-c" in args or "--config" in args or any(w.startswith(">") for w in args):
                continue
            yield os.path.join(golden, case), args


def kpis(doc):
    out = {}
    for k in doc["kpis"]:
        key = (k["id"], tuple(sorted(k.get("group", {}).items())))
        out[key] = {f: k.get(f) for f in COMPARED}
    return out


def compare(exe, cwd, args, tmp, label):
    """Returns a list of differences (empty when init round-trips)."""
    args = strip_output_flags(args)
    base = subprocess.run([exe, "report"] + args + ["--format", "json", "-q"], cwd=cwd,
                          capture_output=True, timeout=120)
    if base.returncode != 0:
        return None  # an error case: nothing to round-trip
    ini = os.path.join(tmp, "kpi.ini")
    if os.path.exists(ini):
        os.remove(ini)
    init = subprocess.run([exe, "init"] + args + ["-o", ini, "-q"], cwd=cwd,
                          capture_output=True, timeout=120)
    if init.returncode != 0:
        return [f"{label}: init exit {init.returncode}: {init.stderr.decode()[:400]}"]
    again = subprocess.run([exe, "report", "-c", ini, "--format", "json", "-q"], cwd=cwd,
                           capture_output=True, timeout=120)
    if again.returncode != 0:
        return [f"{label}: report -c exit {again.returncode}: {again.stderr.decode()[:400]}"]
    a, b = json.loads(base.stdout), json.loads(again.stdout)
    diffs = []
    if a.get("as_of") != b.get("as_of"):
        diffs.append(f"{label}: as_of {a.get('as_of')} vs {b.get('as_of')}")
    rows_a = [i["rows"] for i in a["inputs"]]
    rows_b = [i["rows"] for i in b["inputs"]]
    if rows_a != rows_b:
        diffs.append(f"{label}: input rows {rows_a} vs {rows_b}")
    ka, kb = kpis(a), kpis(b)
    for key in ka:
        if key not in kb:
            diffs.append(f"{label}: {key} missing from report -c")
        elif ka[key] != kb[key]:
            diffs.append(f"{label}: {key}: {ka[key]} vs {kb[key]}")
    for key in kb:
        if key not in ka:
            diffs.append(f"{label}: {key} only in report -c")
    return diffs


def main():
    exe = os.path.abspath(sys.argv[1])
    golden = os.path.abspath(sys.argv[2])
    shared = os.path.abspath(sys.argv[3]) if len(sys.argv) > 3 else None
    failures, compared = [], 0
    with tempfile.TemporaryDirectory() as tmp:
        for case, args in report_commands(golden):
            # Each case runs in a copy of its directory, as the golden runner does.
            work = os.path.join(tmp, "case")
            subprocess.run(["rm", "-rf", work], check=True)
            subprocess.run(["cp", "-r", case, work], check=True)
            diffs = compare(exe, work, args, tmp, f"{os.path.basename(case)}: report "
                            f"{' '.join(args)}")
            if diffs is None:
                continue
            compared += 1
            failures += diffs
        # Several files of one layout (init writes one `file =` line each).
        work = os.path.join(tmp, "two")
        os.makedirs(work, exist_ok=True)
        src = os.path.join(golden, "report_by_owner_json", "deals.csv")
        subprocess.run(["cp", src, os.path.join(work, "a.csv")], check=True)
        subprocess.run(["cp", src, os.path.join(work, "b.csv")], check=True)
        diffs = compare(exe, work, ["a.csv", "b.csv", "--by", "owner"], tmp, "two files")
        if diffs is None:
            failures.append("two files: report a.csv b.csv failed")
        else:
            compared += 1
            failures += diffs
        real = os.path.join(shared, "data", "real") if shared else None
        if real and os.path.isdir(real):
            pipeline = os.path.join(real, "maven_crm", "sales_pipeline.csv")
            for args in ([pipeline, "--by", "sales_agent"], [pipeline, "--period", "quarter"]):
                diffs = compare(exe, tmp, args, tmp, "maven_crm " + " ".join(args[1:]))
                if diffs is not None:
                    compared += 1
                    failures += diffs
        else:
            print("skipped the real exports: ../shared/data/real is absent")
    for f in failures:
        print("FAIL:", f)
    print(f"{compared} report commands round-tripped through init, {len(failures)} difference(s)")
    if compared < 20:
        print("FAIL: fewer than 20 report commands found")
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
