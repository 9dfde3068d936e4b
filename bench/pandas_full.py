#!/usr/bin/env python3
"""pandas baseline for bench/run: the same work as crmkpi's "full report" (see
bench/duckdb_full.mjs): the per-owner deal KPIs, the empty values of the six required columns
and the exact duplicate count of the emails after trim + lower-case.

    python3 bench/pandas_full.py FILE

Prints one JSON object, the same fields as bench/duckdb_full.mjs (without key_bytes). The file
is read once (single-threaded, like every pandas read_csv).
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pandas_report import kpis_by_owner, read_deals  # noqa: E402

REQUIRED = ["deal_id", "account", "owner", "stage", "amount", "created_at"]


def main():
    df = read_deals(sys.argv[1], extra=("deal_id", "account", "email"))
    missing = {}
    for c in REQUIRED:
        if c in ("amount", "created_at"):  # read as missing when empty
            missing[c] = int(df[c].isna().sum())
        else:
            missing[c] = int((df[c].str.strip() == "").sum())
    keys = df["email"].str.strip().str.lower()
    keys = keys[keys != ""]
    n = int(len(keys))
    d = int(keys.nunique())
    out = {"owners": kpis_by_owner(df), "rows": int(len(df)), "missing": missing,
           "unique": {"n": n, "distinct": d, "duplicates": n - d}}
    sys.stdout.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
