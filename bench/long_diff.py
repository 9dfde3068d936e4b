#!/usr/bin/env python3
"""Compare two long results (docs/scale.md) of one definition (standard library only).

  long_diff.py DEF.ini A.csv B.csv [--names A,B] [--rel-tol 1e-12]

Rows are matched by metric, group_by and the group key columns (every column between
group_by and value: the definition's `by` names, then period, period_start, period_end).
Every metric × grouping × group must be in both; the value, numerator and denominator must be
equal, exactly (as decimals: 1506 = 1506.0) for counts, sums and the amounts of min, max and
median, to a relative 1e-12 for ratios, averages, durations and percentiles (the last digit
of a double may differ between two ways of summing); n, censored, reason, currency and
excluded as text (excluded: its `reason=count` items in any order). Row order does not matter.
Prints one line per difference (at most 50, then a count) and exits 1 if there is any; prints
"long results equal: N rows" and exits 0 otherwise. Exit 2 on a usage error or a file that is
not a long result.
"""
import argparse
import csv
import math
import re
import sys
from decimal import Decimal, InvalidOperation

FIXED_BEFORE = ("metric", "group_by")
FIXED_AFTER = ("value", "numerator", "denominator", "n", "censored", "reason", "currency",
               "excluded")
EXACT_TYPES = {"count", "count_distinct", "sum", "min", "max"}


def metric_types(ini_path):
    """{metric id: (type, has duration)} from the definition's [metric ID] sections."""
    types = {}
    cur = None
    with open(ini_path, encoding="utf-8-sig") as f:
        for line in f:
            s = line.strip()
            if not s or s[0] in ";#":
                continue
            m = re.match(r"\[\s*metric\s+([^\]]+?)\s*\]$", s)
            if m:
                cur = m.group(1)
                types[cur] = ["count", False]
                continue
            if s.startswith("["):
                cur = None
                continue
            if cur is None or "=" not in s:
                continue
            key, val = (p.strip() for p in s.split("=", 1))
            if key == "type":
                types[cur][0] = "avg" if val == "mean" else val
            elif key == "duration":
                types[cur][1] = True
    return {k: tuple(v) for k, v in types.items()}


def exact_fields(mtype, has_duration):
    """The numeric fields of a metric compared exactly (the others to the relative tolerance)."""
    if has_duration:
        # avg of a duration: numerator the (float) sum of days, denominator n.
        return {"denominator"} if mtype == "avg" else set()
    if mtype in EXACT_TYPES or mtype == "median":
        return {"value", "numerator", "denominator"}
    if mtype == "avg":
        return {"numerator", "denominator"}
    if mtype in ("sla", "reached", "km_median"):
        return {"numerator", "denominator"}
    return set()


def read_long(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    if not rows:
        raise ValueError(f"{path}: empty")
    header = rows[0]
    for col in FIXED_BEFORE + FIXED_AFTER:
        if col not in header:
            raise ValueError(f"{path}: no column {col!r} in the header")
    i0, i1 = header.index("group_by") + 1, header.index("value")
    keys = header[i0:i1]
    out = {}
    for line, r in enumerate(rows[1:], start=2):
        if len(r) != len(header):
            raise ValueError(f"{path}:{line}: {len(r)} fields, the header has {len(header)}")
        d = dict(zip(header, r))
        k = (d["metric"], d["group_by"]) + tuple((c, d[c]) for c in keys if d[c] != "")
        if k in out:
            raise ValueError(f"{path}:{line}: {show(k)} twice")
        out[k] = d
    return out


def show(k):
    groups = ", ".join(f"{c}={v!r}" for c, v in k[2:])
    return f"{k[0]} [{k[1] or 'total'}{': ' + groups if groups else ''}]"


def equal_decimal(a, b):
    try:
        return Decimal(a) == Decimal(b)
    except InvalidOperation:
        return False


def equal_float(a, b, tol):
    try:
        x, y = float(a), float(b)
    except ValueError:
        return False
    return x == y or math.isclose(x, y, rel_tol=tol, abs_tol=0.0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("ini")
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--names", default="A,B", help="names of A and B in the messages")
    ap.add_argument("--rel-tol", type=float, default=1e-12)
    args = ap.parse_args()
    na, nb = (args.names.split(",") + ["B"])[:2]
    try:
        types = metric_types(args.ini)
        a, b = read_long(args.a), read_long(args.b)
    except (OSError, ValueError) as e:
        print(f"long_diff: {e}", file=sys.stderr)
        return 2

    diffs = []
    for k in sorted(set(a) | set(b)):
        if k not in b:
            diffs.append(f"{show(k)}: only in {na} (value {a[k]['value']!r})")
            continue
        if k not in a:
            diffs.append(f"{show(k)}: only in {nb} (value {b[k]['value']!r})")
            continue
        ra, rb = a[k], b[k]
        mtype, has_duration = types.get(k[0], ("?", False))
        exact = exact_fields(mtype, has_duration)
        for col in FIXED_AFTER:
            x, y = ra[col], rb[col]
            if x == y:
                continue
            if col in ("value", "numerator", "denominator") and x != "" and y != "":
                same = (equal_decimal(x, y) if col in exact
                        else equal_float(x, y, args.rel_tol))
            elif col == "excluded":
                same = sorted(x.split(";")) == sorted(y.split(";"))
            else:
                same = False
            if not same:
                diffs.append(f"{show(k)}: {col}: {na} {x!r}, {nb} {y!r} ({mtype}"
                             f"{', duration' if has_duration else ''})")
    for d in diffs[:50]:
        print(d)
    if len(diffs) > 50:
        print(f"... and {len(diffs) - 50} more differences")
    if diffs:
        print(f"long results differ: {len(diffs)} differences", file=sys.stderr)
        return 1
    print(f"long results equal: {len(a)} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
