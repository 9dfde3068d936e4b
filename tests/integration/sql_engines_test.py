#!/usr/bin/env python3
"""`crmkpi sql` proven equal on real engines (issue 23, point 3).

For every definition — each examples/*/*.ini that `crmkpi metrics -c` runs with exit 0, each
tests/sql/cases/*/kpi.ini, and tests/sql/selftest (hand-written SQL, so that the harness is
tested without the compiler) —:

  native     crmkpi metrics -c INI -f csv
  duckdb     crmkpi sql -c INI --dialect duckdb → node tests/sql/run_duckdb.mjs → CSV
  postgres   its sources and lookups loaded into a schema of one throw-away PostgreSQL cluster
             (TEXT columns named as the CSV header, \\copy with the file's delimiter and
             encoding), crmkpi sql -c INI --dialect postgres --table ID=SCHEMA.ID … → psql --csv
             (the set-up statements' output to /dev/null, only the final SELECT's rows kept)
  spark, trino, bigquery, snowflake
             crmkpi sql -c INI --dialect D --table ID=ID … → node tests/sql/parse.mjs D accepts it
             (node-sql-parser: spark as hive; no engine of these runs here)

Each engine's CSV is compared with the native one (sqllib.compare_long): rows matched by metric,
group_by, every key column and period, the same set of rows; value, numerator and denominator
equal as exact decimals (counts and sums with ≤ 4 decimals must be exact), else within a relative
1e-12; n and censored equal integers; reason, currency, period_start, period_end equal texts;
excluded equal as a multiset of reason=count. Then `tree -c INI --metrics RESULT.csv` prints what
`tree -c INI` prints (the heading line that names the inputs aside), where `tree -c` exits 0 or 1.

A dialect whose `crmkpi sql` exits 2 saying "cannot be compiled for DIALECT" is listed as
SKIPPED-BY-COMPILER (not a pass); with CRMKPI_SQL_STRICT=1 any such skip fails the test. Self-
checks: the comparison of a tampered result (one value, one count, one row less) finds the
change; the loader reads CP932, UTF-8 with BOM, UTF-16 and ;/tab/| files as Python does.

Exit 77 (skipped) when node, tests/sql/node_modules or PostgreSQL is missing — with CI=true
that is a failure instead (.ci/setup.sh test installs them) — and, after the self-checks, when
crmkpi has no `sql` command yet.

    sql_engines_test.py CRMKPI [--only NAME]   (NAME: a part of the case's path)

CRMKPI_SQL_KEEP=DIR keeps every script, converted file and result in DIR (else a temporary
folder, removed at the end).
"""
import contextlib
import glob
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sqllib  # noqa: E402
from long_result_test import strip_table  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SQL_DIR = os.path.join(ROOT, "tests", "sql")
RUN_DUCKDB = os.path.join(SQL_DIR, "run_duckdb.mjs")
PARSE = os.path.join(SQL_DIR, "parse.mjs")
PARSED_ONLY = ("spark", "trino", "bigquery", "snowflake")
TIMEOUT = 300
# The compiler's explicit refusal: "… cannot be compiled for DIALECT" (its id or its name).
REFUSED = {d: re.compile(rf"cannot be compiled for ({d}|{name})\b", re.I) for d, name in (
    ("duckdb", "DuckDB"), ("postgres", "PostgreSQL"), ("spark", "Spark( SQL)?"),
    ("trino", "Trino"), ("bigquery", "BigQuery"), ("snowflake", "Snowflake"))}

failures = []
skipped = []  # (case, dialect, message)
stats = {"cases": 0, "comparisons": 0}


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg, flush=True)


def run(argv, cwd=None, input_bytes=None):
    env = dict(os.environ, LC_ALL="C.UTF-8", TZ="UTC")
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, input=input_bytes,
                          stdin=None if input_bytes is not None else subprocess.DEVNULL,
                          timeout=TIMEOUT)


def text(b):
    return b.decode("utf-8", errors="replace")


class Case:
    """A definition; `handwritten`: a folder of DIALECT.sql files that stand for `crmkpi sql`
    ({{ID}} in them is the table of source/lookup ID as crmkpi sql would be given it)."""

    def __init__(self, ini, handwritten=None):
        self.ini = ini
        self.dir = os.path.dirname(ini)
        self.name = os.path.relpath(ini, ROOT)
        self.handwritten = handwritten
        self.tables = sqllib.tables_of(ini)
        self.types = sqllib.metric_types(ini)
        self.checks = sqllib.check_names(ini)
        self.native = None  # crmkpi metrics -c INI -f csv, when already run


class Harness:
    def __init__(self, exe, work, pg):
        self.exe, self.work, self.pg = exe, work, pg
        self.schemas = 0
        self.tampered = False  # the checks' comparison tested once (tamper_checks)

    # ------------------------------------------------------------------ the SQL of a case

    def compile(self, case, dialect, tables):
        """(script, None) or (None, None) after a failure, or (None, "skip") when the compiler
        says the definition cannot be compiled for the dialect. `tables`: {ID: table name}."""
        if case.handwritten:
            path = os.path.join(case.handwritten, f"{dialect}.sql")
            with open(path, encoding="utf-8") as f:
                script = f.read()
            for t in case.tables:
                if dialect == "duckdb":
                    name = (f"read_csv({sqllib.quote_literal(t.files[0])}, all_varchar = true, "
                            "header = true)")
                else:
                    name = tables[t.id]
                script = script.replace("{{" + t.id + "}}", name)
            return script, None
        argv = [self.exe, "sql", "-c", case.ini, "--dialect", dialect]
        for ident, name in tables.items():
            argv += ["--table", f"{ident}={name}"]
        p = run(argv, cwd=case.dir)
        err = text(p.stderr).strip()
        said = [line for line in err.splitlines() if REFUSED[dialect].search(line)]
        if p.returncode == 2 and said:
            skipped.append((case.name, dialect, said[0]))
            print(f"SKIPPED-BY-COMPILER {case.name} {dialect}: {err[:300]}", flush=True)
            return None, "skip"
        if p.returncode != 0:
            fail(f"{case.name}: crmkpi sql --dialect {dialect}: exit {p.returncode}: {err[:500]}")
            return None, None
        return text(p.stdout), None

    def save(self, case, name, content):
        path = os.path.join(self.work, f"{stats['cases']}.{name}")
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(content)
        return path

    # ------------------------------------------------------------------ engines

    def duckdb(self, case):
        script, _ = self.compile(case, "duckdb", {})
        if script is None:
            return None
        path = self.save(case, "duckdb.sql", script)
        p = run(["node", RUN_DUCKDB, path], cwd=case.dir)
        if p.returncode != 0:
            fail(f"{case.name}: duckdb: {text(p.stderr)[:800]}\n  (script: {path})")
            return None
        return text(p.stdout)

    def postgres(self, case):
        self.schemas += 1
        schema = f"c{self.schemas}"
        tables = {t.id: f"{schema}.{t.id}" for t in case.tables}
        script, _ = self.compile(case, "postgres", tables)
        if script is None:
            return None
        try:
            load = sqllib.pg_load_script(schema, case.tables, self.work)
        except (OSError, UnicodeDecodeError, LookupError) as e:
            fail(f"{case.name}: postgres: reading the CSV files: {e}")
            return None
        p = self.pg.psql(["-f", "-"], input_bytes=load.encode("utf-8"))
        if p.returncode != 0:
            fail(f"{case.name}: postgres: loading the tables: {text(p.stderr)[:800]}")
            return None
        path = self.save(case, "postgres.sql", script)
        statements = sqllib.split_statements(script)
        if not statements:
            fail(f"{case.name}: postgres: the script has no statement ({path})")
            return None
        out = os.path.join(self.work, f"{stats['cases']}.postgres.csv")
        # The set-up statements print nothing (\o /dev/null), the final SELECT into `out`.
        # A statement that runs away (a plan that explodes) ends as an error, not a hang.
        wrapped = ("\\o /dev/null\nSET statement_timeout = '60s';\n" +
                   "".join(s + ";\n" for s in statements[:-1]) +
                   f"\\o {sqllib.quote_literal(out)}\n" + statements[-1] + ";\n\\o\n")
        started = time.monotonic()
        p = self.pg.psql(["--csv", "-f", "-"], input_bytes=wrapped.encode("utf-8"))
        if p.returncode != 0:
            slow = time.monotonic() - started >= 55
            fail(f"{case.name}: postgres: {text(p.stderr)[:800]}\n  (script: {path})" +
                 ("\n  (it ran into the 60 s statement_timeout: a plan that explodes? CTEs "
                  "that PostgreSQL inlines into each other are planned as one nested "
                  "expression; AS MATERIALIZED keeps each one computed once)" if slow else ""))
            return None
        with open(out, encoding="utf-8", newline="") as f:
            return f.read()

    def parse_only(self, case, dialect):
        script, _ = self.compile(case, dialect, {t.id: t.id for t in case.tables})
        if script is None:
            return
        path = self.save(case, f"{dialect}.sql", script)
        p = run(["node", PARSE, dialect, path])
        stats["comparisons"] += 1
        if p.returncode != 0:
            fail(f"{case.name}: {dialect}: node-sql-parser rejects the script:\n"
                 f"  {text(p.stderr)[:800]}")

    # ------------------------------------------------------------------ checks

    def compare_checks(self, case, results):
        """`check -c INI --metrics RESULT` judges every check as `check -c INI` does: the same
        JSON report (without samples, which need the rows) and the same exit code."""
        import json
        argv = [self.exe, "check", "-c", case.ini, "-f", "json", "--samples", "0", "-q"]
        native = run(argv, cwd=case.dir)
        if native.returncode not in (0, 1, 3):
            fail(f"{case.name}: crmkpi check: exit {native.returncode}: {text(native.stderr)[:500]}")
            return
        want = json.loads(native.stdout)
        # A case whose data the SQL must refuse (an @error row): its expect_error holds the message.
        expect_error = os.path.join(case.dir, "expect_error")
        expected = open(expect_error, encoding="utf-8").read().strip() \
            if os.path.exists(expect_error) else None
        for engine, got in results.items():
            path = self.save(case, f"{engine}.checks.csv", got)
            given = run(argv + ["--metrics", path], cwd=case.dir)
            stats["comparisons"] += 1
            what = f"{case.name}: check --metrics ({engine}'s result)"
            if expected is not None:
                if given.returncode != 3 or expected not in text(given.stderr):
                    fail(f"{what}: exit {given.returncode}, not 3 with '{expected}': "
                         f"{text(given.stderr)[:500]}")
                else:
                    print(f"ok {case.name} {engine} refuses the data", flush=True)
                continue
            if given.returncode != native.returncode:
                fail(f"{what}: exit {given.returncode}, check -c {native.returncode}: "
                     f"{text(given.stderr)[:500]}")
                continue
            have = json.loads(given.stdout)
            if not self.tampered:
                self.tampered = True
                self.tamper_checks(case, got, argv, have)
            if have != want:
                diffs = [f"{c['name']}: {json.dumps(c, ensure_ascii=False)[:600]}\n      native: "
                         f"{json.dumps(w, ensure_ascii=False)[:600]}"
                         for c, w in zip(have.get("checks", []), want.get("checks", [])) if c != w]
                fail(f"{what}: another report than check -c:\n    " + "\n    ".join(
                    diffs or [json.dumps(have, ensure_ascii=False)[:1500]]))
            else:
                print(f"ok {case.name} {engine} checks", flush=True)

    def tamper_checks(self, case, result, argv, report):
        """Self-check: one count of a check one more, and `check --metrics` reports otherwise
        (the comparison above can fail)."""
        import csv
        import io
        import json
        rows = list(csv.reader(io.StringIO(result, newline="")))
        value, reason = rows[0].index("value"), rows[0].index("reason")
        at = next((i for i, r in enumerate(rows) if i and r[0].startswith("@check:") and
                   r[reason] not in ("rows", "n") and r[value].isdigit()), None)
        if at is None:
            fail(f"self-check: {case.name}'s result has no count of a check to change")
            return
        rows[at][value] = str(int(rows[at][value]) + 1)
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\r\n").writerows(rows)
        path = self.save(case, "tampered.checks.csv", buf.getvalue())
        p = run(argv + ["--metrics", path], cwd=case.dir)
        if p.returncode in (0, 1, 3) and json.loads(p.stdout) == report:
            fail(f"self-check: {rows[at][0]} {rows[at][reason]} + 1 left check --metrics' report "
                 "the same: the comparison cannot fail")

    # ------------------------------------------------------------------ one case

    def check(self, case):
        stats["cases"] += 1
        native = case.native
        if not case.types:
            native = ""  # checks only: nothing for `crmkpi metrics`
        elif native is None:
            p = run([self.exe, "metrics", "-c", case.ini, "-f", "csv", "-q"], cwd=case.dir)
            if p.returncode != 0:
                fail(f"{case.name}: crmkpi metrics: exit {p.returncode}: "
                     f"{text(p.stderr)[:500]}")
                return
            native = text(p.stdout)
        tree = run([self.exe, "tree", "-c", case.ini, "-q", "--no-lint"], cwd=case.dir)
        results = {}
        # A case whose data the SQL must refuse: its expect_error holds the @error row's message.
        expect_error = os.path.join(case.dir, "expect_error")
        expected = open(expect_error, encoding="utf-8").read().strip() \
            if os.path.exists(expect_error) else None
        for engine, fn in (("duckdb", self.duckdb), ("postgres", self.postgres)):
            got = fn(case)
            if got is None:
                continue
            if expected is not None and not case.checks:
                stats["comparisons"] += 1
                errors = [r for r in sqllib.read_long(got)[1] if r and r[0] == "@error"]
                if not any(expected in ",".join(r) for r in errors):
                    fail(f"{case.name}: {engine}'s result has no @error row with '{expected}': "
                         f"{errors[:3]}")
                else:
                    print(f"ok {case.name} {engine} refuses the data", flush=True)
                continue
            if case.types:
                stats["comparisons"] += 1
                diffs = sqllib.compare_long(native, got, case.types)
                if diffs:
                    fail(f"{case.name}: {engine}'s result differs from crmkpi metrics "
                         f"({len(diffs)} difference(s)):\n    " + "\n    ".join(diffs))
                else:
                    print(f"ok {case.name} {engine}", flush=True)
            results[engine] = got
        if case.checks:
            self.compare_checks(case, results)
        if tree.returncode in (0, 1) and case.types and expected is None:
            for engine, got in results.items():
                path = self.save(case, f"{engine}.result.csv", got)
                given = run([self.exe, "tree", "-c", case.ini, "-q", "--no-lint", "--metrics",
                             path], cwd=case.dir)
                stats["comparisons"] += 1
                what = f"{case.name}: tree --metrics ({engine}'s result)"
                if given.returncode != tree.returncode:
                    fail(f"{what}: exit {given.returncode}, tree -c {tree.returncode}: "
                         f"{text(given.stderr)[:500]}")
                elif strip_table(given.stdout) != strip_table(tree.stdout):
                    fail(f"{what}: prints another tree\n--- tree -c\n{text(tree.stdout)[:1500]}"
                         f"\n--- --metrics\n{text(given.stdout)[:1500]}")
        for dialect in PARSED_ONLY:
            self.parse_only(case, dialect)


# ---------------------------------------------------------------------- self-checks


def self_check_comparison(exe):
    """The comparison finds a changed value, a changed count and a missing row; a result the
    same but for row order, trailing zeros and the excluded order passes."""
    ini = os.path.join(ROOT, "examples", "sales_efficiency", "kpi.ini")
    p = run([exe, "metrics", "-c", ini, "-f", "csv", "-q"], cwd=os.path.dirname(ini))
    native = text(p.stdout)
    types = sqllib.metric_types(ini)
    header, rows = sqllib.read_long(native)
    v, n = header.index("value"), header.index("n")
    at = next(i for i, r in enumerate(rows) if r[v].isdigit() and int(r[v]) > 0)

    def csv_of(rs):
        import csv
        import io
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\r\n").writerows([header] + rs)
        return buf.getvalue()

    same = [list(r) for r in reversed(rows)]
    for r in same:
        if r[v].isdigit():
            r[v] += ".000"
    if sqllib.compare_long(native, csv_of(same), types):
        fail("self-check: the reordered result with trailing zeros differs: "
             f"{sqllib.compare_long(native, csv_of(same), types)}")
    for what, change in (("a value + 1", lambda r: r.__setitem__(v, str(int(r[v]) + 1))),
                         ("n + 1", lambda r: r.__setitem__(n, str(int(r[n]) + 1))),
                         ("a value + 1e-9", lambda r: r.__setitem__(v, r[v] + ".000000001"))):
        tampered = [list(r) for r in rows]
        change(tampered[at])
        if not sqllib.compare_long(native, csv_of(tampered), types):
            fail(f"self-check: {what} in {rows[at][0]} left the comparison equal: it cannot fail")
    if not sqllib.compare_long(native, csv_of(rows[:at] + rows[at + 1:]), types):
        fail("self-check: a result without one row compared equal")
    if not sqllib.excluded_equal("a=1;b=2", "b=2;a=1") or sqllib.excluded_equal("a=1", "a=2"):
        fail("self-check: excluded is not compared as a multiset")
    for a, b, exact, want in (("0.6666666666666666", "0.66666666666666663", False, True),
                              ("0.5", "0.5001", False, False), ("3", "3.0000", True, True),
                              ("1000000000000", "1000000000001", True, False),
                              ("2.5", "2.500000000000001", False, True), ("0", "1e-13", False, True),
                              ("0", "1e-11", False, False), ("", "0", False, False)):
        if sqllib.numbers_equal(a, b, exact) != want:
            fail(f"self-check: numbers_equal({a!r}, {b!r}, exact={exact}) is not {want}")


SPLIT_SCRIPT = """-- a comment; with semicolons;
CREATE VIEW "a;b" AS SELECT 'x;
y' AS c;   -- after the end
/* a block;
comment */ SELECT 1 AS "x"";y";
SELECT 'it''s;' AS q, `b;` AS r; SELECT 2
"""
SPLIT_WANT = ["-- a comment; with semicolons;\nCREATE VIEW \"a;b\" AS SELECT 'x;\ny' AS c",
              # a comment after a statement's ; opens the next one
              "-- after the end\n/* a block;\ncomment */ SELECT 1 AS \"x\"\";y\"",
              "SELECT 'it''s;' AS q, `b;` AS r; SELECT 2"]


def self_check_split():
    """The two statement splitters (sqllib for psql, tests/sql/split.mjs for DuckDB and the
    parser) cut a script with ; in strings, names and comments alike."""
    got = sqllib.split_statements(SPLIT_SCRIPT)
    if got != SPLIT_WANT:
        fail(f"self-check: sqllib.split_statements gives {got}")
    js = ("import { splitStatements } from './split.mjs';\n"
          "let s = ''; process.stdin.on('data', (d) => { s += d; });\n"
          "process.stdin.on('end', () => console.log(JSON.stringify("
          "splitStatements(s).map((x) => x.text))));\n")
    p = run(["node", "--input-type=module", "-e", js], cwd=SQL_DIR,
            input_bytes=SPLIT_SCRIPT.encode("utf-8"))
    import json
    if p.returncode != 0 or json.loads(p.stdout or b"null") != SPLIT_WANT:
        fail(f"self-check: split.mjs gives {text(p.stdout)} {text(p.stderr)[:300]}")


def self_check_loader(pg, work):
    """CSV files of each encoding and delimiter load into PostgreSQL as Python reads them."""
    import csv
    rows = [["番号", "担当 者", "amount"], ["1", "佐藤", "1,000"], ["2", "", "x\"y"],
            ["3", "髙橋 ①", "line\nbreak"]]
    kinds = [("cp932", ",", "auto", "auto"), ("utf-8-sig", ";", "auto", "auto"),
             ("utf-16", "\t", "auto", "auto"), ("utf-8", "|", "utf-8", "|"),
             ("cp932", "\t", "cp932", "\\t")]
    tables = []
    for i, (codec, delim, enc_setting, delim_setting) in enumerate(kinds):
        path = os.path.join(work, f"loader{i}.csv")
        with open(path, "w", encoding=codec, newline="") as f:
            csv.writer(f, delimiter=delim, lineterminator="\r\n").writerows(rows)
        tables.append(sqllib.Table("source", f"t{i}", [path], enc_setting, delim_setting))
    # Two files of one source: the second with its columns in another order and case.
    second = os.path.join(work, "loader_second.csv")
    with open(second, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["AMOUNT", "番号", "担当 者"], ["5", "4", "伊藤"]])
    tables.append(sqllib.Table("source", "two", [tables[3].files[0], second], "auto", "auto"))
    p = pg.psql(["-f", "-"], input_bytes=sqllib.pg_load_script("loader", tables, work)
                .encode("utf-8"))
    if p.returncode != 0:
        fail(f"self-check: loading the test files: {text(p.stderr)[:800]}")
        return
    want = rows[1:]
    for t in tables:
        q = (f"SELECT \"番号\", coalesce(\"担当 者\", ''), amount FROM loader.{t.id} "
             "ORDER BY \"番号\"")
        p = pg.psql(["--csv", "-t", "-c", q])
        got = list(csv.reader(text(p.stdout).splitlines(keepends=True)))
        expect = want + ([["4", "伊藤", "5"]] if t.id == "two" else [])
        if p.returncode != 0 or got != expect:
            fail(f"self-check: the loader read {t.id} ({t.files[0]}) as {got} "
                 f"{text(p.stderr)[:300]}, not {expect}")


# ---------------------------------------------------------------------- main


def missing_tools():
    out = []
    if shutil.which("node") is None:
        out.append("node (Debian: nodejs npm)")
    elif not os.path.isdir(os.path.join(SQL_DIR, "node_modules", "@duckdb", "node-api")) or \
            not os.path.isdir(os.path.join(SQL_DIR, "node_modules", "node-sql-parser")):
        out.append("tests/sql/node_modules (npm ci --prefix tests/sql)")
    if sqllib.find_pg_bin() is None:
        out.append("PostgreSQL's initdb and psql in /usr/lib/postgresql/N/bin (Debian: postgresql)")
    return out


def definitions(exe):
    cases = []
    for ini in sorted(glob.glob(os.path.join(ROOT, "examples", "*", "*.ini"))):
        p = run([exe, "metrics", "-c", ini, "-f", "csv", "-q"],
                cwd=os.path.dirname(ini))
        if p.returncode == 0 and len(text(p.stdout).splitlines()) > 1:
            cases.append(Case(ini))
            cases[-1].native = text(p.stdout)
        elif sqllib.check_names(ini) and not sqllib.metric_types(ini):
            cases.append(Case(ini))  # checks only (examples/quality)
    for ini in sorted(glob.glob(os.path.join(SQL_DIR, "cases", "*", "kpi.ini"))):
        cases.append(Case(ini))
    return cases


def main():
    args = sys.argv[1:]
    only = None
    if "--only" in args:
        i = args.index("--only")
        if i + 1 >= len(args):
            print(__doc__)
            return 2
        only = args[i + 1]
        del args[i:i + 2]
    if len(args) != 1:
        print(__doc__)
        return 2
    exe = os.path.abspath(args[0])
    absent = missing_tools()
    if absent:
        msg = "missing: " + "; ".join(absent) + " (.ci/setup.sh test installs them)"
        if os.environ.get("CI") == "true":
            print("FAIL: " + msg)
            return 1
        print("SKIP: " + msg)
        return 77
    has_sql = run([exe, "sql", "--help"]).returncode == 0
    selftest = Case(os.path.join(SQL_DIR, "selftest", "kpi.ini"),
                    handwritten=os.path.join(SQL_DIR, "selftest"))
    cases = [selftest] + (definitions(exe) if has_sql else [])
    if only:
        cases = [c for c in cases if only in c.name]
    pg = sqllib.PgCluster(sqllib.find_pg_bin())
    # A SIGTERM (a stopped ctest) ends the run through the finally below too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    keep = os.environ.get("CRMKPI_SQL_KEEP")  # a folder to keep the scripts and results in
    if keep:
        os.makedirs(keep, exist_ok=True)
    with (contextlib.nullcontext(os.path.abspath(keep)) if keep else
          tempfile.TemporaryDirectory(prefix="crmkpi-sql-")) as work:
        try:
            pg.start()
            self_check_comparison(exe)
            self_check_split()
            self_check_loader(pg, work)
            harness = Harness(exe, work, pg)
            for case in cases:
                try:
                    harness.check(case)
                except subprocess.TimeoutExpired as e:
                    fail(f"{case.name}: no answer in {e.timeout:.0f} s: {' '.join(e.cmd)[:300]}")
        except KeyboardInterrupt:
            print("interrupted: stopping the PostgreSQL cluster", flush=True)
            raise
        except RuntimeError as e:
            fail(str(e))
        finally:
            pg.stop()
    if skipped:
        print(f"SKIPPED-BY-COMPILER ({len(skipped)}): not passes, the compiler's coverage:")
        for name, dialect, msg in skipped:
            print(f"  {name} [{dialect}]: {msg}")
        if os.environ.get("CRMKPI_SQL_STRICT") == "1":
            fail(f"CRMKPI_SQL_STRICT=1 and the compiler refused {len(skipped)} case × dialect(s)")
    print(f"sql_engines: {stats['cases']} cases, {stats['comparisons']} comparisons, "
          f"{len(skipped)} skipped")
    if failures:
        print(f"{len(failures)} failure(s)")
        return 1
    if not has_sql:
        print("SKIP: crmkpi has no `sql` command yet: only the self-checks and the hand-written "
              "tests/sql/selftest ran")
        return 77
    return 0


if __name__ == "__main__":
    sys.exit(main())
