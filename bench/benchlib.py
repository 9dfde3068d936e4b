#!/usr/bin/env python3
"""Helpers of bench/run (standard library only).

  benchlib.py check TRUTH_JSON CRMKPI_JSON [--other NAME=JSONL]...
      Sanity check: won/lost per owner of crmkpi (its --format json) and of each baseline
      (bench/duckdb_report.mjs or bench/pandas_report.py output: one JSON object per owner)
      equal the generator's .truth.json; row totals equal truth.rows; and the other per-owner
      KPIs of crmkpi and each baseline agree. Exit 1 if not.

  benchlib.py report --docs DOC [--no-docs] [--meta KEY=VALUE]... \\
                     --file NAME:BYTES:DIR...
      DIR holds hyperfine.json (hyperfine --export-json), rss.tsv (name TAB peak KiB) and
      cmds.tsv (name TAB command line) of one file.
      Prints the results table per file and, unless --no-docs, replaces the block between
      <!-- BENCH:BEGIN --> and <!-- BENCH:END --> in DOC with the same as Markdown.
"""
import argparse
import json
import math
import sys

BEGIN = "<!-- BENCH:BEGIN -->"
END = "<!-- BENCH:END -->"

# KPIs compared between crmkpi and DuckDB: crmkpi id -> DuckDB column.
EXACT = {"deals": "deals", "won": "won", "lost": "lost", "open": "open",
         "revenue": "revenue", "pipeline_amount": "pipeline_amount"}
APPROX = {"avg_deal_size": "avg_deal_size", "sales_cycle_days_median": "cycle_median",
          "sales_cycle_days_mean": "cycle_mean", "sales_cycle_days_p90": "cycle_p90"}


def fail(msg):
    print(f"bench: SANITY CHECK FAILED: {msg}", file=sys.stderr)
    sys.exit(1)


def close(a, b):
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def cmd_check(a):
    with open(a.truth) as f:
        truth = json.load(f)
    with open(a.crmkpi) as f:
        crm = json.load(f)
    others = {}  # baseline name -> owner -> row
    for spec in a.other:
        name, path = spec.split("=", 1)
        rows = {}
        with open(path) as f:
            for line in f:
                if line.strip():
                    r = json.loads(line)
                    rows[r["owner"]] = r
        others[name] = rows

    per = {}
    for k in crm["kpis"]:
        g = k["group"]
        if "owner" in g:
            per.setdefault(g["owner"], {})[k["id"]] = k["value"]

    errors = []
    rows = truth["rows"]
    crm_rows = sum(i["rows"] for i in crm["inputs"])
    if crm_rows != rows:
        errors.append(f"crmkpi read {crm_rows} rows, truth has {rows}")
    for name, od in others.items():
        n = sum(r["deals"] for r in od.values())
        if n != rows:
            errors.append(f"{name} counted {n} rows, truth has {rows}")

    owners = set(truth["per_owner"]) | set(per)
    for od in others.values():
        owners |= set(od)
    for o in sorted(owners):
        t = truth["per_owner"].get(o, {"won": 0, "lost": 0})
        c = per.get(o, {})
        for kpi in ("won", "lost"):
            if c.get(kpi, 0) != t[kpi]:
                errors.append(f"owner {o!r}: crmkpi {kpi}={c.get(kpi, 0)}, truth {t[kpi]}")
        for name, od in others.items():
            d = od.get(o, {})
            for kpi in ("won", "lost"):
                if d.get(kpi, 0) != t[kpi]:
                    errors.append(f"owner {o!r}: {name} {kpi}={d.get(kpi, 0)}, truth {t[kpi]}")
            if not c or not d:
                continue
            for ck, dk in EXACT.items():
                if c.get(ck) != d.get(dk):
                    errors.append(f"owner {o!r}: {ck}: crmkpi {c.get(ck)}, {name} {d.get(dk)}")
            for ck, dk in APPROX.items():
                if not close(c.get(ck), d.get(dk)):
                    errors.append(f"owner {o!r}: {ck}: crmkpi {c.get(ck)}, {name} {d.get(dk)}")
    if errors:
        for e in errors[:20]:
            print(f"  {e}", file=sys.stderr)
        if len(errors) > 20:
            print(f"  ... and {len(errors) - 20} more", file=sys.stderr)
        fail(f"{len(errors)} mismatch(es) for {a.crmkpi}")
    names = " and ".join(["crmkpi"] + list(others))
    print(f"sanity: OK: {rows} rows, {len(owners)} owners; won/lost per owner of {names} equal "
          f"the truth" + (f"; deals, open, revenue, pipeline, avg deal size and cycle "
                          f"median/mean/p90 of {names} agree" if others else ""))


def fmt_num(x, digits):
    return "—" if x is None else f"{x:.{digits}f}"


def read_tsv(path):
    out = {}
    with open(path) as f:
        for line in f:
            if line.strip():
                k, v = line.rstrip("\n").split("\t", 1)
                out[k] = v
    return out


def build_table(nbytes, d):
    with open(f"{d}/hyperfine.json") as f:
        results = json.load(f)["results"]
    rss = {k: int(v) if v.strip().isdigit() else None
           for k, v in read_tsv(f"{d}/rss.tsv").items()}
    by_name = {r["command"]: r for r in results}
    base_wc = next((r["median"] for n, r in by_name.items() if n.startswith("wc")), None)
    # The first DuckDB row is DuckDB with its default thread count.
    base_duck = next((r["median"] for n, r in by_name.items()
                      if n.lower().startswith("duckdb")), None)
    header = ["command", "median s", "MB/s", "× wc -l", "× DuckDB", "peak RSS MiB",
              "CPU s (user+sys)"]
    rows = []
    for r in results:
        med = r["median"]
        kib = rss.get(r["command"])
        rows.append([
            r["command"],
            fmt_num(med, 3),
            fmt_num(None if "load only" in r["command"] else nbytes / med / 1e6, 0),
            fmt_num(med / base_wc if base_wc else None, 2),
            fmt_num(med / base_duck if base_duck else None, 2),
            fmt_num(kib / 1024 if kib is not None else None, 1),
            fmt_num(r["user"] + r["system"], 2),
        ])
    return header, rows, results


FLOOR_FILE = "deals_1g.csv"
FLOOR_MBPS = 300
FLOOR_RSS_MIB = 64


def floor_lines(nbytes, results, d):
    """The throughput and memory floors, judged on the crmkpi row of FLOOR_FILE."""
    r = next((r for r in results if r["command"] == "crmkpi"), None)
    if r is None:
        return []
    mbps = nbytes / r["median"] / 1e6
    kib = read_tsv(f"{d}/rss.tsv").get("crmkpi", "")
    rss = int(kib) / 1024 if kib.strip().isdigit() else None
    ok = "met" if mbps >= FLOOR_MBPS else "NOT met"
    out = [f"Floors ({FLOOR_FILE}, `crmkpi` row): throughput {mbps:.0f} MB/s, floor "
           f"{FLOOR_MBPS}: {ok}; "]
    if rss is None:
        out[0] += "peak RSS not measured."
    else:
        ok = "met" if rss < FLOOR_RSS_MIB else "NOT met"
        out[0] += f"peak RSS {rss:.1f} MiB, floor < {FLOOR_RSS_MIB}: {ok}."
    return out


def render_text(header, rows):
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    out = []
    for i, row in enumerate([header] + rows):
        cells = [str(c).ljust(w) if j == 0 else str(c).rjust(w)
                 for j, (c, w) in enumerate(zip(row, widths))]
        out.append("  ".join(cells))
        if i == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def render_md(header, rows):
    out = ["| " + " | ".join(header) + " |",
           "|" + "|".join([":---"] + ["---:"] * (len(header) - 1)) + "|"]
    for row in rows:
        out.append("| " + " | ".join(str(c) for c in row) + " |")
    return "\n".join(out)


def cmd_report(a):
    meta = dict(kv.split("=", 1) for kv in a.meta)
    md = [BEGIN, "", "### Results", ""]
    for key, label in (("date", "Date"), ("host", "Machine"), ("cpu", "CPU"),
                       ("nproc", "nproc"), ("commit", "crmkpi commit"),
                       ("duckdb", "DuckDB"), ("pandas", "pandas"),
                       ("hyperfine", "hyperfine"), ("command", "Command")):
        if key in meta:
            val = meta[key]
            if key in ("command", "commit"):
                val = f"`{val}`"
            md.append(f"- {label}: {val}")
    md.append("")
    floor_at = len(md)  # the floor verdicts go here, above the tables
    for spec in a.file:
        name, nbytes, d = spec.split(":", 2)
        nbytes = int(nbytes)
        header, rows, results = build_table(nbytes, d)
        cmds = read_tsv(f"{d}/cmds.tsv")
        try:
            with open(f"{d}/background.txt") as f:
                bg = f.read().strip()
        except FileNotFoundError:
            bg = "?"
        title = f"{name} ({nbytes:,} bytes = {nbytes / 2**30:.3f} GiB)"
        note = (f"Other processes used {bg} cores on average while this table was timed"
                f"{' (the machine was not idle: the timings are skewed)' if bg == '?' or float(bg) > 0.1 else ''}.")
        print(f"\n{title}")
        print(render_text(header, rows))
        print(note)
        md += [f"#### {title}", "", render_md(header, rows), "", note, "",
               "Commands (`FILE` = `bench/data/{name}`, run from the repository root):".replace(
                   "{name}", name), ""]
        for r in results:
            cmd = cmds.get(r["command"], "?").replace(f"bench/data/{name}", "FILE")
            md.append(f"- {r['command']}: `{cmd}`")
        md.append("")
        if name == FLOOR_FILE:
            floors = floor_lines(nbytes, results, d)
            print("\n".join(floors))
            md[floor_at:floor_at] = floors + [""]
    md.append(END)
    block = "\n".join(md)
    if a.md_out:
        with open(a.md_out, "w") as f:
            f.write(block + "\n")
    if a.no_docs:
        return
    try:
        with open(a.docs) as f:
            doc = f.read()
    except FileNotFoundError:
        doc = ""
    if BEGIN in doc and END in doc and doc.index(BEGIN) < doc.index(END):
        head = doc[:doc.index(BEGIN)]
        tail = doc[doc.index(END) + len(END):]
        doc = head + block + tail
    else:
        doc = doc.rstrip("\n") + ("\n\n" if doc else "") + block + "\n"
    with open(a.docs, "w") as f:
        f.write(doc)
    print(f"\nbench: wrote the results into {a.docs}")


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("check")
    c.add_argument("truth")
    c.add_argument("crmkpi")
    c.add_argument("--other", action="append", default=[], metavar="NAME=JSONL")
    r = sub.add_parser("report")
    r.add_argument("--docs", required=True)
    r.add_argument("--no-docs", action="store_true")
    r.add_argument("--md-out")
    r.add_argument("--meta", action="append", default=[])
    r.add_argument("--file", action="append", required=True)
    a = ap.parse_args()
    if a.cmd == "check":
        cmd_check(a)
    else:
        cmd_report(a)


if __name__ == "__main__":
    main()
