#!/usr/bin/env python3
"""Helpers of bench/run (standard library only).

  benchlib.py check TRUTH_JSON CRMKPI_JSON [--other NAME=JSONL]... [--check-json JSON]
                    [--full NAME=JSON]... [--keys-out FILE]
      Sanity check of the answers before they are timed:
      - `crmkpi report --by owner --format json` (CRMKPI_JSON) and each per-owner baseline
        (bench/duckdb_report.mjs or bench/pandas_report.py output: one JSON object per owner,
        --other) and the per-owner part of each full baseline (bench/duckdb_full.mjs or
        bench/pandas_full.py output, --full): won/lost per owner equal the generator's
        .truth.json, row totals equal truth.rows, the other per-owner KPIs agree.
      - `crmkpi check --require ... --unique email --normalize trim,lower --format json`
        (--check-json): its row count equals truth.rows; deal_id and stage are never missing
        (the generator always fills them); missing owners equal crmkpi report's deals of the
        empty owner; the duplicate count equals truth.duplicate_email_rows; and rows, missing
        values per column, N, distinct keys and duplicates equal each full baseline's.
      --keys-out writes {"n", "distinct", "duplicates", "key_bytes"} of the uniqueness check
      (key_bytes from a full baseline run with --key-bytes) for the report's memory floor.
      Exit 1 on any difference.

  benchlib.py report --docs DOC [--no-docs] [--md-out FILE] [--meta KEY=VALUE]... \\
                     [--note TEXT]... --file NAME:BYTES:DIR... [--scale NAME:BYTES:DIR]...
      DIR holds hyperfine.json (hyperfine --export-json), rss.tsv (name TAB peak KiB),
      cmds.tsv (name TAB kind TAB command line), background.txt (cores other processes used)
      and, for --file, keys.json (from check --keys-out). --file: the full table of one file;
      --scale: a file timed for the scaling table only (its "crmkpi report" row).
      Prints the floors, the tables and the scaling table and, unless --no-docs, replaces the
      block between <!-- BENCH:BEGIN --> and <!-- BENCH:END --> in DOC with the same as
      Markdown.
"""
import argparse
import json
import math
import os
import re
import sys

BEGIN = "<!-- BENCH:BEGIN -->"
END = "<!-- BENCH:END -->"

# KPIs compared between crmkpi and the baselines: crmkpi id -> baseline field.
EXACT = {"deals": "deals", "won": "won", "lost": "lost", "open": "open",
         "revenue": "revenue", "pipeline_amount": "pipeline_amount"}
APPROX = {"avg_deal_size": "avg_deal_size", "sales_cycle_days_median": "cycle_median",
          "sales_cycle_days_mean": "cycle_mean", "sales_cycle_days_p90": "cycle_p90"}

# Row names bench/run gives the commands (cmds.tsv); the floors are judged on them.
WC = "wc -l"
REPORT = "crmkpi report"
STDIN = "crmkpi report (stdin)"
PIPE = "wc -l from a pipe (cat FILE into it)"
REPORT_T1 = "crmkpi report --threads 1"
REPORT_T2 = "crmkpi report --threads 2"
CHECK = "crmkpi check"
CHECK_T1 = "crmkpi check --threads 1"
CHECK_T2 = "crmkpi check --threads 2"
CHECK_BASE = "crmkpi check without --unique"
FULL = "crmkpi full report"

# Issue 8, point 5 (2 cores, warm cache, medians of >= 3 runs).
FLOOR_FILE = "deals_1g.csv"   # 10^9 bytes; the ratio floors do not depend on the exact size
SCALE_REF = "deals_1g.csv"
MAX_X_WC = 4.0                # crmkpi report --by owner <= 4x wc -l
MIN_X_DUCKDB = 10.0           # the full report >= 10x faster than DuckDB doing the same work
MIN_THREAD_SPEEDUP = 1.7      # 2 threads >= 1.7x faster than 1
MAX_STDIN = 1.3               # stdin within 1.3x of the file path
RSS_BASE_MIB = 64             # peak RSS <= 64 MiB + 64 bytes per distinct key + key bytes
RSS_PER_KEY = 64
LINEAR_TOL = 0.20             # seconds per GB (start-up subtracted) within +-20% of 1 GB's
# An earlier stage's floors, still judged: single-pass throughput and streaming memory.
FLOOR_MBPS = 300


# ---------------------------------------------------------------------------- check

def fail(msg):
    print(f"bench: SANITY CHECK FAILED: {msg}", file=sys.stderr)
    sys.exit(1)


def close(a, b):
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def load_json(path):
    with open(path) as f:
        return json.load(f)


def check_owners(truth, per, others, errors):
    """per: owner -> crmkpi KPIs; others: baseline name -> owner -> row."""
    rows = truth["rows"]
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
    return owners


def check_quality(truth, per, chk, fulls, errors):
    """chk: crmkpi check's JSON; fulls: name -> full baseline JSON. Returns the key counts."""
    by_id = {c["id"]: c for c in chk["checks"]}
    comp = by_id.get("completeness")
    uniq = by_id.get("uniqueness")
    if comp is None or uniq is None:
        errors.append("crmkpi check: no completeness or no uniqueness check in its JSON")
        return None
    for c in (comp, uniq):
        if c.get("error"):
            errors.append(f"crmkpi check: {c['id']}: error {c['error']}")
    missing = comp["counts"]["missing_by_column"]
    u = uniq["counts"]
    rows = truth["rows"]
    if comp["counts"]["rows"] != rows:
        errors.append(f"crmkpi check read {comp['counts']['rows']} rows, truth has {rows}")
    for col in ("deal_id", "stage"):  # the generator always fills them
        if missing.get(col) != 0:
            errors.append(f"crmkpi check: {missing.get(col)} missing {col}, truth 0")
    if "owner" in missing and per:
        n = per.get("", {}).get("deals", 0)
        if missing["owner"] != n:
            errors.append(f"crmkpi check: {missing['owner']} missing owners, crmkpi report "
                          f"{n} deals of the empty owner")
    if u["duplicate_count"] != truth["duplicate_email_rows"]:
        errors.append(f"crmkpi check: duplicate_count {u['duplicate_count']}, truth "
                      f"{truth['duplicate_email_rows']}")
    if u["n"] - u["distinct"] != u["duplicate_count"]:
        errors.append(f"crmkpi check: N {u['n']} - D {u['distinct']} != duplicate_count "
                      f"{u['duplicate_count']}")
    for name, full in fulls.items():
        if full["rows"] != rows:
            errors.append(f"{name} read {full['rows']} rows, truth has {rows}")
        for col, n in full["missing"].items():
            if missing.get(col) != n:
                errors.append(f"missing {col}: crmkpi {missing.get(col)}, {name} {n}")
        for ck, fk in (("n", "n"), ("distinct", "distinct"), ("duplicate_count", "duplicates")):
            if u[ck] != full["unique"][fk]:
                errors.append(f"uniqueness {ck}: crmkpi {u[ck]}, {name} {full['unique'][fk]}")
    key_bytes = next((f["key_bytes"] for f in fulls.values() if "key_bytes" in f), None)
    return {"n": u["n"], "distinct": u["distinct"], "duplicates": u["duplicate_count"],
            "key_bytes": key_bytes, "columns": comp["columns"]}


def cmd_check(a):
    truth = load_json(a.truth)
    crm = load_json(a.crmkpi)
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
    fulls = {}
    for spec in a.full:
        name, path = spec.split("=", 1)
        fulls[name] = load_json(path)
        others[name] = {r["owner"]: r for r in fulls[name]["owners"]}

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
    owners = check_owners(truth, per, others, errors)
    keys = None
    if a.check_json:
        keys = check_quality(truth, per, load_json(a.check_json), fulls, errors)
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
    if keys:
        print(f"sanity: OK: crmkpi check: no deal_id or stage missing, missing owners = deals "
              f"of the empty owner, {keys['duplicates']} duplicate emails = truth"
              + (f"; missing values of {', '.join(keys['columns'])} and N {keys['n']}, "
                 f"D {keys['distinct']} equal {' and '.join(fulls)}'s" if fulls else ""))
        if a.keys_out:
            with open(a.keys_out, "w") as f:
                json.dump(keys, f)


# ---------------------------------------------------------------------------- report

def fmt_num(x, digits):
    return "—" if x is None else f"{x:.{digits}f}"


def read_cmds(path):
    """[(name, kind, command)] in table order."""
    out = []
    with open(path) as f:
        for line in f:
            if line.strip():
                name, kind, cmd = line.rstrip("\n").split("\t", 2)
                out.append((name, kind, cmd))
    return out


def read_rss(path):
    """name -> peak RSS in KiB (None if not measured)."""
    out = {}
    with open(path) as f:
        for line in f:
            if line.strip():
                k, v = line.rstrip("\n").split("\t", 1)
                out[k] = int(v) if v.strip().isdigit() else None
    return out


class FileResult:
    """The measurements of one file (one results directory)."""

    def __init__(self, spec):
        name, nbytes, d = spec.split(":", 2)
        self.name, self.bytes, self.dir = name, int(nbytes), d
        with open(f"{d}/hyperfine.json") as f:
            self.results = json.load(f)["results"]
        self.by_name = {r["command"]: r for r in self.results}
        self.cmds = read_cmds(f"{d}/cmds.tsv")
        self.kind = {n: k for n, k, _ in self.cmds}
        self.rss = read_rss(f"{d}/rss.tsv")
        try:
            with open(f"{d}/background.txt") as f:
                self.background = f.read().strip()
        except FileNotFoundError:
            self.background = "?"
        self.keys = None
        if os.path.exists(f"{d}/keys.json"):
            self.keys = load_json(f"{d}/keys.json")

    def median(self, name):
        r = self.by_name.get(name)
        return r["median"] if r else None

    def rss_mib(self, name):
        kib = self.rss.get(name)
        return kib / 1024 if kib is not None else None

    def runs(self, name):
        r = self.by_name.get(name)
        return len(r["times"]) if r else None

    def duckdb_of(self, kind):
        """Median of the first DuckDB row doing the work `kind` (DuckDB's default threads)."""
        for r in self.results:
            if r["command"].startswith("DuckDB") and self.kind.get(r["command"]) == kind:
                return r["command"], r["median"]
        return None, None

    def title(self):
        return f"{self.name} ({self.bytes:,} bytes = {self.bytes / 2**30:.3f} GiB)"

    def background_note(self):
        bg = self.background
        skewed = bg == "?" or float(bg) > 0.1
        return (f"Other processes used {bg} cores on average while this table was timed"
                f"{' (the machine was not idle: the timings are skewed)' if skewed else ''}.")


def ratio(a, b):
    return a / b if a is not None and b else None


def main_table(fr):
    base_wc = fr.median(WC)
    header = ["command", "median s", "MB/s", "× wc -l", "× DuckDB", "peak RSS MiB",
              "CPU s (user+sys)"]
    rows = []
    for r in fr.results:
        med = r["median"]
        kind = fr.kind.get(r["command"], "")
        _, duck = fr.duckdb_of(kind) if kind in ("report", "full") else (None, None)
        rows.append([
            r["command"],
            fmt_num(med, 3),
            fmt_num(None if kind == "load" else fr.bytes / med / 1e6, 0),
            fmt_num(ratio(med, base_wc), 2),
            fmt_num(ratio(med, duck), 2),
            fmt_num(fr.rss_mib(r["command"]), 1),
            fmt_num(r["user"] + r["system"], 2),
        ])
    return header, rows


def memory_note(fr):
    """Peak RSS per distinct key of crmkpi check (None without the needed measurements)."""
    k = fr.keys
    rss, base = fr.rss.get(CHECK), fr.rss.get(CHECK_BASE)
    if not k or rss is None or base is None or not k["distinct"]:
        return None
    d = k["distinct"]
    per_key = (rss - base) * 1024 / d
    text = (f"Uniqueness memory: {k['n']:,} non-empty emails, {d:,} distinct after trim+lower; "
            f"peak RSS of `{CHECK}` {rss / 1024:.1f} MiB, of `{CHECK_BASE}` {base / 1024:.1f} MiB: "
            f"(difference) / distinct keys = {per_key:.1f} bytes per key")
    if k.get("key_bytes") is not None:
        avg = k["key_bytes"] / d
        text += (f" = key bytes {avg:.1f} on average (DuckDB's sum of the distinct keys' UTF-8 "
                 f"bytes) + overhead {per_key - avg:.1f} (floor ≤ {RSS_PER_KEY})")
    return text + "."


def scale_rows(frs, t0):
    """[(FileResult, median)] of the "crmkpi report" row, by size; the reference s/GB."""
    pts = sorted(((fr, fr.median(REPORT)) for fr in frs if fr.median(REPORT) is not None
                  and fr.bytes > 10_000), key=lambda p: p[0].bytes)
    if not pts:
        return [], None, None
    ref = next((p for p in pts if p[0].name == SCALE_REF), pts[-1])
    net_ref = (ref[1] - (t0 or 0)) / ref[0].bytes * 1e9
    return pts, ref, net_ref


def scale_table(frs):
    startup = next((fr for fr in frs if fr.bytes <= 10_000 and fr.median(REPORT)), None)
    t0 = startup.median(REPORT) if startup else None
    pts, ref, net_ref = scale_rows(frs, t0)
    if not pts:
        return None, None, None, [], None
    header = ["file", "MB", "runs", "median s", "MB/s", "s per GB", "s/GB ÷ ref",
              "net ÷ ref", "peak RSS MiB"]
    rows = []
    devs = []
    for fr, med in pts:
        spg = med / fr.bytes * 1e9
        net = (med - (t0 or 0)) / fr.bytes * 1e9 / net_ref
        devs.append((fr.name, net))
        rows.append([fr.name, fmt_num(fr.bytes / 1e6, 0), str(fr.runs(REPORT)), fmt_num(med, 3),
                     fmt_num(fr.bytes / med / 1e6, 0), fmt_num(spg, 3),
                     fmt_num(spg / (ref[1] / ref[0].bytes * 1e9), 2), fmt_num(net, 2),
                     fmt_num(fr.rss_mib(REPORT), 1)])
    note = (f"`crmkpi report FILE --by owner --format json` (the `{REPORT}` row of each file's "
            f"table), on all cores. s per GB = median / (bytes / 10^9); ÷ ref: divided by the "
            f"same of the reference file {ref[0].name}; net: with the start-up time subtracted "
            f"first")
    if startup:
        note += (f" ({t0 * 1000:.1f} ms: the same command on {startup.name}, the header line "
                 f"only)")
    note += ("; time is linear in the size when net stays near 1.00.")
    return header, rows, note, devs, ref[0].name


def verdict(ok):
    return "—" if ok is None else ("met" if ok else "**NOT met**")


def floors_table(fr, scale_devs, scale_names, scale_ref, quick):
    """Rows [floor, measured, limit, verdict] judged on FileResult fr."""
    rows = []
    wc, rep = fr.median(WC), fr.median(REPORT)
    x = ratio(rep, wc)
    rows.append(["`crmkpi report --by owner` vs `wc -l`",
                 f"{fmt_num(x, 2)}× ({fmt_num(rep, 3)} s vs {fmt_num(wc, 3)} s)",
                 f"≤ {MAX_X_WC:g}×", verdict(None if x is None else x <= MAX_X_WC)])
    full = fr.median(FULL)
    dname, duck = fr.duckdb_of("full")
    x = ratio(duck, full)
    rows.append([f"full report (report + check) vs {dname or 'DuckDB'}, same work",
                 f"{fmt_num(x, 2)}× faster ({fmt_num(full, 3)} s vs {fmt_num(duck, 3)} s)",
                 f"≥ {MIN_X_DUCKDB:g}× faster", verdict(None if x is None else x >= MIN_X_DUCKDB)])
    pname = next((r["command"] for r in fr.results if r["command"].startswith("pandas")
                  and fr.kind.get(r["command"]) == "full"), None)
    if pname:
        pm = fr.median(pname)
        x = ratio(pm, full)
        rows.append([f"full report vs {pname}, same work (no floor)",
                     f"{fmt_num(x, 2)}× faster ({fmt_num(full, 3)} s vs {fmt_num(pm, 3)} s)",
                     "—", "—"])
    for what, t1n, t2n in (("report", REPORT_T1, REPORT_T2), ("check", CHECK_T1, CHECK_T2)):
        t1, t2 = fr.median(t1n), fr.median(t2n)
        x = ratio(t1, t2)
        measured = (f"{fmt_num(x, 2)}× ({fmt_num(t1, 3)} s vs {fmt_num(t2, 3)} s)"
                    if x is not None else
                    f"not measured: no `crmkpi {what} --threads` in this build")
        rows.append([f"`crmkpi {what}`: 2 threads vs 1", measured,
                     f"≥ {MIN_THREAD_SPEEDUP:g}× faster",
                     verdict(None if x is None else x >= MIN_THREAD_SPEEDUP)])
    st, pipe = fr.median(STDIN), fr.median(PIPE)
    x = ratio(st, rep)
    # The pipe itself bounds the stdin path: `cat FILE | wc -l`, against the same file path.
    pipe_note = (f"; the pipe alone (`cat FILE \\| wc -l`) {fmt_num(pipe, 3)} s = "
                 f"{fmt_num(ratio(pipe, rep), 2)}× the file path" if pipe is not None else "")
    rows.append(["`crmkpi report`: stdin vs file",
                 f"{fmt_num(x, 2)}× ({fmt_num(st, 3)} s vs {fmt_num(rep, 3)} s){pipe_note}",
                 f"≤ {MAX_STDIN:g}×", verdict(None if x is None else x <= MAX_STDIN)])
    k = fr.keys
    rss_full = fr.rss_mib(FULL)
    if k and k.get("key_bytes") is not None and rss_full is not None:
        limit = RSS_BASE_MIB + (k["distinct"] * RSS_PER_KEY + k["key_bytes"]) / 2**20
        rows.append(["peak RSS of the full report",
                     f"{rss_full:.1f} MiB ({k['distinct']:,} distinct keys, "
                     f"{k['key_bytes'] / 2**20:.1f} MiB of key bytes)",
                     f"≤ {RSS_BASE_MIB} MiB + {RSS_PER_KEY} B/key + key bytes = "
                     f"{limit:.1f} MiB", verdict(rss_full <= limit)])
    else:
        rows.append(["peak RSS of the full report", "not measured", "", "—"])
    worst = max((fr.rss_mib(n) for n in (REPORT, STDIN, REPORT_T1, REPORT_T2)
                 if fr.rss_mib(n) is not None), default=None)
    rows.append(["peak RSS of `crmkpi report` (no keys; largest row)",
                 f"{fmt_num(worst, 1)} MiB", f"≤ {RSS_BASE_MIB} MiB",
                 verdict(None if worst is None else worst <= RSS_BASE_MIB)])
    if scale_devs:
        worst_dev = max(scale_devs, key=lambda p: abs(p[1] - 1))
        partial = "4g" not in " ".join(scale_names)
        rows.append([f"time linear in size ({', '.join(n.replace('deals_', '').replace('.csv', '') for n in scale_names)})",
                     f"net s/GB {min(p[1] for p in scale_devs):.2f}–"
                     f"{max(p[1] for p in scale_devs):.2f}× {scale_ref}'s "
                     f"(furthest: {worst_dev[0]})"
                     + ("; no 4 GB (--quick)" if partial and quick else ""),
                     f"within {1 - LINEAR_TOL:.2f}–{1 + LINEAR_TOL:.2f}×",
                     verdict(all(abs(n - 1) <= LINEAR_TOL for _, n in scale_devs))])
    mbps = fr.bytes / rep / 1e6 if rep else None
    rows.append(["`crmkpi report` throughput (earlier floor)", f"{fmt_num(mbps, 0)} MB/s",
                 f"≥ {FLOOR_MBPS} MB/s", verdict(None if mbps is None else mbps >= FLOOR_MBPS)])
    return ["floor", "measured", "limit", "verdict"], rows


PROFILE_TOP = 12


def read_profile(path):
    """`perf report --no-children --sort dso,symbol --stdio -q` output: [(percent, dso, symbol)]."""
    out = []
    try:
        with open(path) as f:
            for line in f:
                m = re.match(r"\s*([\d.]+)%\s+(\S+)\s+\[(.)\]\s+(.*?)(?:\s+-\s+-)?\s*$", line)
                if m:
                    out.append((float(m.group(1)), m.group(2), m.group(4)))
    except FileNotFoundError:
        return None
    return out or None


def profile_table(prof):
    """The top symbols, then the kernel's and the rest's shares."""
    rows = []
    for pct, dso, sym in prof[:PROFILE_TOP]:
        sym = sym if len(sym) <= 80 else sym[:77] + "..."
        rows.append([f"{pct:.1f}", dso, sym.replace("|", "\\|")])
    kernel = sum(p for p, d, _ in prof if d.startswith("[kernel"))
    rest = sum(p for p, _, _ in prof[PROFILE_TOP:])
    rows.append([f"{kernel:.1f}", "(all kernel symbols)", "reading the file, page faults, ..."])
    rows.append([f"{rest:.1f}", "(below the top {})".format(PROFILE_TOP), ""])
    return ["% CPU samples", "binary", "symbol"], rows


def aligns_of(n, left, aligns):
    """Column alignments: "l" or "r" per column; the first `left` columns left by default."""
    return aligns or "l" * left + "r" * (n - left)


def render_text(header, rows, left=1, aligns=None):
    al = aligns_of(len(header), left, aligns)
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    out = []
    for i, row in enumerate([header] + rows):
        cells = [str(c).ljust(w) if al[j] == "l" else str(c).rjust(w)
                 for j, (c, w) in enumerate(zip(row, widths))]
        out.append("  ".join(cells).rstrip())
        if i == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def render_md(header, rows, left=1, aligns=None):
    al = aligns_of(len(header), left, aligns)
    out = ["| " + " | ".join(header) + " |",
           "|" + "|".join(":---" if a == "l" else "---:" for a in al) + "|"]
    for row in rows:
        out.append("| " + " | ".join(str(c) for c in row) + " |")
    return "\n".join(out)


def plain(text):
    return text.replace("**", "").replace("`", "")


def cmd_report(a):
    meta = dict(kv.split("=", 1) for kv in a.meta)
    files = [FileResult(s) for s in a.file]
    scales = [FileResult(s) for s in a.scale]
    md = [BEGIN, "", "### Results", ""]
    for key, label in (("date", "Date"), ("machine", "Machine"), ("cpu", "CPU"),
                       ("nproc", "nproc"), ("commit", "crmkpi commit"),
                       ("crmkpi", "crmkpi"), ("duckdb", "DuckDB"), ("node", "Node.js"),
                       ("pandas", "pandas"), ("hyperfine", "hyperfine"),
                       ("command", "Command")):
        if key in meta:
            val = meta[key]
            if key in ("command", "commit"):
                val = f"`{val}`"
            md.append(f"- {label}: {val}")
    md.append("")

    # Floors, judged on deals_1g.csv (or the largest file of a --quick run).
    judged = next((fr for fr in files if fr.name == FLOOR_FILE),
                  max(files, key=lambda fr: fr.bytes))
    sh, srows, snote, sdevs, sref = scale_table(files + scales)
    scale_names = [r[0] for r in srows] if srows else []
    fh, frows = floors_table(judged, sdevs, scale_names, sref, a.quick)
    ftitle = f"Floors (issue 8, point 5), judged on {judged.name}"
    if judged.name != FLOOR_FILE:
        ftitle += f" ({FLOOR_FILE} not measured in this run)"
    busy = [fr.name for fr in files + scales
            if fr.background == "?" or float(fr.background) > 0.1]
    if busy:
        ftitle += (f"; the machine was not idle while {', '.join(busy)} "
                   f"{'was' if len(busy) == 1 else 'were'} timed: verdicts unreliable")
    print(f"\n{ftitle}")
    print(render_text([plain(c) for c in fh], [[plain(c) for c in r] for r in frows], left=4))
    md += [f"#### {ftitle}", "", render_md(fh, frows, left=4), ""]
    for note in a.note:
        note = " ".join(note.split())
        print(f"note: {plain(note)}")
        md += [f"- {note}"]
    if a.note:
        md.append("")

    # Where the time goes: perf profiles of crmkpi report and check on the judged file.
    for what, fname in (("`crmkpi report --by owner`", "profile_report.txt"),
                        ("`crmkpi check` (the full report's second pass)", "profile_check.txt")):
        prof = read_profile(f"{judged.dir}/{fname}")
        if not prof:
            continue
        ph, prows = profile_table(prof)
        title = f"Where the time goes: {what} on {judged.name} (perf record, all threads)"
        print(f"\n{plain(title)}")
        print(render_text(ph, prows, aligns="rll").replace("\\|", "|"))
        md += [f"#### {title}", "", render_md(ph, prows, aligns="rll"), ""]

    for fr in files:
        header, rows = main_table(fr)
        print(f"\n{fr.title()}")
        print(render_text(header, rows))
        mem = memory_note(fr)
        if mem:
            print(plain(mem))
        print(fr.background_note())
        md += [f"#### {fr.title()}", "", render_md(header, rows), ""]
        if mem:
            md += [mem, ""]
        md += [fr.background_note(), "",
               f"Commands (`FILE` = `bench/data/{fr.name}`, run from the repository root):", ""]
        timed = set(fr.by_name)
        for name, _, cmd in fr.cmds:
            cmd = cmd.replace(f"bench/data/{fr.name}", "FILE")
            md.append(f"- {name}{'' if name in timed else ' (peak RSS only)'}: `{cmd}`")
        md.append("")

    if srows:
        title = "Scaling: `crmkpi report --by owner`, 10 MB to 4 GB"
        print(f"\n{plain(title)}")
        print(render_text(sh, srows))
        print(plain(snote))
        md += [f"#### {title}", "", render_md(sh, srows), "", snote, ""]
        for fr in scales:
            if fr.bytes > 10_000:
                md.append(f"- {fr.name}: {fr.background_note()}")
        md.append("")
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
    c.add_argument("--full", action="append", default=[], metavar="NAME=JSON")
    c.add_argument("--check-json")
    c.add_argument("--keys-out")
    r = sub.add_parser("report")
    r.add_argument("--docs", required=True)
    r.add_argument("--no-docs", action="store_true")
    r.add_argument("--quick", action="store_true")
    r.add_argument("--md-out")
    r.add_argument("--meta", action="append", default=[])
    r.add_argument("--note", action="append", default=[])
    r.add_argument("--file", action="append", required=True)
    r.add_argument("--scale", action="append", default=[])
    a = ap.parse_args()
    if a.cmd == "check":
        cmd_check(a)
    else:
        cmd_report(a)


if __name__ == "__main__":
    main()
