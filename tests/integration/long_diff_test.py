#!/usr/bin/env python3
"""bench/long_diff.py (the check of bench/sql_vs_duckdb) and the bench's definition.

    long_diff_test.py CRMKPI

1. long_diff.py on the long results `crmkpi metrics -c` writes for examples/*/kpi.ini: a result
   equals itself with its rows shuffled and its exact numbers respelled (1506 → 1506.0) and its
   exclusions reordered (exit 0); it differs (exit 1, naming the metric) with a count one more,
   an average moved by a relative 1e-9 (but not by 1e-15), a row left out, a reason changed.
2. bench/sql_defs/deals_kpi.ini compiles whole (`crmkpi sql --dialect duckdb`, exit 0: no metric
   refused) and `crmkpi metrics` runs it, on a small file with gen_deals.py's columns; when node
   and bench/node_modules/@duckdb/node-api are present, DuckDB running the script
   (bench/duckdb_run_sql.mjs) gives the same long result (long_diff.py exit 0). Without them that
   part is skipped with a note (.ci/setup.sh installs neither).
Standard library only; exit 0 when everything holds.
"""
import csv
import glob
import io
import os
import random
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DIFF = os.path.join(ROOT, "bench", "long_diff.py")
BENCH_DEF = os.path.join(ROOT, "bench", "sql_defs", "deals_kpi.ini")
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg)


def run(argv, cwd=ROOT):
    env = dict(os.environ, LC_ALL="C.UTF-8", TZ="UTC")
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=300)


def read(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def write(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows([header] + rows)


def diff(ini, a, b):
    p = run([sys.executable, DIFF, ini, a, b])
    return p.returncode, p.stdout + p.stderr


def expect(ini, a, b, code, what, needle=None):
    rc, out = diff(ini, a, b)
    if rc != code:
        fail(f"{what}: long_diff.py exit {rc}, expected {code}\n{out}")
    elif needle is not None and needle not in out:
        fail(f"{what}: the output does not name {needle!r}\n{out}")


def exact_kinds(ini):
    """Metric ids whose value long_diff compares exactly / to the tolerance (its own reading)."""
    sys.path.insert(0, os.path.dirname(DIFF))
    import long_diff  # noqa: E402 (bench/ is not a package)
    types = long_diff.metric_types(ini)
    return {m: long_diff.exact_fields(*t) for m, t in types.items()}


def mutations(crmkpi, ini, tmp):
    base = os.path.join(tmp, "a.csv")
    p = run([crmkpi, "metrics", "-c", ini, "-q", "-o", base], cwd=os.path.dirname(ini))
    if p.returncode not in (0, 1):
        return 0  # a definition metrics refuses (e.g. one needing flags): not this test's
    header, rows = read(base)
    if len(rows) < 2:
        return 0
    col = {c: i for i, c in enumerate(header)}
    kinds = exact_kinds(ini)
    name = os.path.relpath(ini, ROOT)

    def variant(tag, new_rows):
        path = os.path.join(tmp, f"b_{tag}.csv")
        write(path, header, new_rows)
        return path

    # Equal: shuffled, exact numbers respelled, exclusions reordered.
    same = [list(r) for r in rows]
    for r in same:
        m = r[col["metric"]]
        if "value" in kinds.get(m, ()) and r[col["value"]].lstrip("-").isdigit():
            r[col["value"]] += ".0"
        ex = r[col["excluded"]]
        if ";" in ex:
            r[col["excluded"]] = ";".join(reversed(ex.split(";")))
    random.Random(7).shuffle(same)
    expect(ini, base, variant("same", same), 0, f"{name}: shuffled and respelled")

    # A count one more.
    for i, r in enumerate(rows):
        m = r[col["metric"]]
        if "value" in kinds.get(m, ()) and r[col["value"]].isdigit():
            bad = [list(x) for x in rows]
            bad[i][col["value"]] = str(int(r[col["value"]]) + 1)
            expect(ini, base, variant("count", bad), 1, f"{name}: {m} one more", m)
            break
    # A ratio or average moved by 1e-9 (a difference) and by 1e-15 (within 1e-12).
    for i, r in enumerate(rows):
        m, v = r[col["metric"]], r[col["value"]]
        if m in kinds and "value" not in kinds[m] and v and "." in v:
            try:
                x = float(v)
            except ValueError:
                continue
            if x == 0:
                continue
            for rel, code in ((1e-9, 1), (1e-15, 0)):
                moved = [list(y) for y in rows]
                moved[i][col["value"]] = repr(x * (1 + rel))
                expect(ini, base, variant(f"ratio{code}", moved), code,
                       f"{name}: {m} moved by a relative {rel}", m if code else None)
            break
    # A row left out; a reason changed.
    expect(ini, base, variant("short", rows[:-1]), 1, f"{name}: a row left out", "only in")
    changed = [list(r) for r in rows]
    changed[0][col["reason"]] = "EMPTY" if changed[0][col["reason"]] != "EMPTY" else ""
    expect(ini, base, variant("reason", changed), 1, f"{name}: a reason changed", "reason")
    return 1


HEADER = "deal_id,account,owner,source,stage,amount,created_at,closed_at,email,notes"


def small_deals(path):
    """A few hundred rows in gen_deals.py's shape (its columns, stages, empty cells, quotes)."""
    rnd = random.Random(3)
    owners = ["James Smith", "Mary Jones", "  Robert  Brown ", ""]
    stages = ["lead", "qualified", "proposal", "negotiation", "won", "lost"]
    lines = [HEADER]
    for i in range(400):
        stage = rnd.choice(stages)
        y, m, d = rnd.choice([2019, 2020, 2022, 2023]), rnd.randint(1, 12), rnd.randint(1, 28)
        created = f"{y}-{m:02d}-{d:02d}" if rnd.random() > 0.05 else ""
        closed = ""
        if stage in ("won", "lost"):
            closed = f"{y + rnd.randint(0, 1)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
        amount = str(rnd.randint(500, 250000)) if rnd.random() > 0.05 else ""
        account = rnd.choice(["Acme Labs 1", '"Globex Group 2, Inc"', "Initech Foods 3", ""])
        lines.append(f"{10000000 + i},{account},{rnd.choice(owners)},{rnd.choice(['web', 'event'])},"
                     f"{stage},{amount},{created},{closed},x{i}@example.com,\"Called, no answer\"")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def bench_definition(crmkpi, tmp):
    data = os.path.join(tmp, "deals_small.csv")
    small_deals(data)
    script = os.path.join(tmp, "deals.sql")
    src = f"deals={data}"
    p = run([crmkpi, "sql", "-c", BENCH_DEF, "--source", src, "--dialect", "duckdb", "-q",
             "-o", script])
    if p.returncode != 0:
        fail(f"crmkpi sql -c bench/sql_defs/deals_kpi.ini: exit {p.returncode}\n{p.stderr}")
        return
    ours = os.path.join(tmp, "crmkpi.csv")
    p = run([crmkpi, "metrics", "-c", BENCH_DEF, "--source", src, "-q", "-o", ours])
    if p.returncode != 0:
        fail(f"crmkpi metrics -c bench/sql_defs/deals_kpi.ini: exit {p.returncode}\n{p.stderr}")
        return
    node = shutil.which("node")
    if node is None or not os.path.isdir(os.path.join(ROOT, "bench", "node_modules", "@duckdb",
                                                      "node-api")):
        print("note: node or bench/node_modules/@duckdb/node-api missing (npm install --prefix "
              "bench): DuckDB running the bench's SQL is not checked")
        return
    theirs = os.path.join(tmp, "duckdb.csv")
    p = run([node, os.path.join(ROOT, "bench", "duckdb_run_sql.mjs"), script, theirs])
    if p.returncode != 0:
        fail(f"bench/duckdb_run_sql.mjs: exit {p.returncode}\n{p.stderr}")
        return
    rc, out = diff(BENCH_DEF, ours, theirs)
    if rc != 0:
        fail(f"crmkpi metrics and DuckDB running crmkpi sql differ on the bench definition:\n{out}")


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    crmkpi = os.path.abspath(sys.argv[1])
    checked = 0
    with tempfile.TemporaryDirectory() as tmp:
        for ini in sorted(glob.glob(os.path.join(ROOT, "examples", "*", "kpi.ini"))):
            checked += mutations(crmkpi, ini, tmp)
        bench_definition(crmkpi, tmp)
    if checked == 0:
        fail("no examples/*/kpi.ini gave a long result to mutate")
    if failures:
        print(f"{len(failures)} failures")
        return 1
    print(f"long_diff: OK ({checked} definitions mutated, bench definition compiled)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
