#!/usr/bin/env python3
"""pandas baseline for bench/run: the per-owner deal KPIs of `crmkpi report FILE --by owner`.

    python3 bench/pandas_report.py FILE

Prints one JSON object per owner (same fields as bench/duckdb_report.mjs). pandas' CSV reader
is single-threaded; only the columns needed are kept (usecols).
"""
import json
import sys

import pandas as pd


COLUMNS = ["owner", "stage", "amount", "created_at", "closed_at"]


def read_deals(path, extra=()):
    """The deals file with COLUMNS (and the string columns `extra`); empty amount and dates
    read as missing, every other empty value as ""."""
    return pd.read_csv(
        path,
        usecols=list(extra) + COLUMNS,
        dtype={**{c: "string" for c in extra},
               "owner": "string", "stage": "string", "amount": "Int64",
               "created_at": "string", "closed_at": "string"},
        keep_default_na=False,
        na_values={"amount": [""], "created_at": [""], "closed_at": [""]},
    )


def kpis_by_owner(df):
    """One dict per owner (sorted), the fields of bench/duckdb_report.mjs."""
    df = df[COLUMNS].copy()
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
    recs = []
    for owner, r in out.iterrows():
        rec = {"owner": owner}
        for k, v in r.items():
            if pd.isna(v):
                rec[k] = None
            elif k in ("deals", "won", "lost", "open", "revenue", "pipeline_amount"):
                rec[k] = int(v)
            else:
                rec[k] = float(v)
        recs.append(rec)
    return recs


def main():
    recs = kpis_by_owner(read_deals(sys.argv[1]))
    sys.stdout.write("".join(json.dumps(r) + "\n" for r in recs))


if __name__ == "__main__":
    main()
