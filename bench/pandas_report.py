#!/usr/bin/env python3
"""pandas baseline for bench/run: the per-owner deal KPIs of `crmkpi report FILE --by owner`.

    python3 bench/pandas_report.py FILE

Prints one JSON object per owner (same fields as bench/duckdb_report.mjs). pandas' CSV reader
is single-threaded; only the columns needed are kept (usecols).
"""
import json
import sys

import pandas as pd


def main():
    path = sys.argv[1]
    df = pd.read_csv(
        path,
        usecols=["owner", "stage", "amount", "created_at", "closed_at"],
        dtype={"owner": "string", "stage": "string", "amount": "Int64",
               "created_at": "string", "closed_at": "string"},
        keep_default_na=False,
        na_values={"amount": [""], "created_at": [""], "closed_at": [""]},
    )
    for c in ("created_at", "closed_at"):
        df[c] = pd.to_datetime(df[c], format="%Y-%m-%d")
    won = df["stage"] == "won"
    lost = df["stage"] == "lost"
    open_ = ~(won | lost)
    df["cycle"] = (df["closed_at"] - df["created_at"]).dt.days
    df["won"] = won
    df["lost"] = lost
    df["open"] = open_
    df["won_amount"] = df["amount"].where(won)
    df["open_amount"] = df["amount"].where(open_)
    df["won_cycle"] = df["cycle"].where(won)
    g = df.groupby("owner", sort=True)
    out = pd.DataFrame({
        "deals": g.size(),
        "won": g["won"].sum(),
        "lost": g["lost"].sum(),
        "open": g["open"].sum(),
        "revenue": g["won_amount"].sum(),
        "avg_deal_size": g["won_amount"].mean(),
        "pipeline_amount": g["open_amount"].sum(),
        "cycle_median": g["won_cycle"].median(),
        "cycle_mean": g["won_cycle"].mean(),
        "cycle_p90": g["won_cycle"].quantile(0.9),
    })
    lines = []
    for owner, r in out.iterrows():
        rec = {"owner": owner}
        for k, v in r.items():
            if pd.isna(v):
                rec[k] = None
            elif k in ("deals", "won", "lost", "open", "revenue", "pipeline_amount"):
                rec[k] = int(v)
            else:
                rec[k] = float(v)
        lines.append(json.dumps(rec))
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
