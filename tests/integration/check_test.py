#!/usr/bin/env python3
"""Integration tests of `crmkpi check` (issue 5) against the built binary.

    python3 tests/integration/check_test.py path/to/crmkpi [unittest options]

  * flags and INI give the same checks and the same results (examples/quality);
  * the frozen exit codes: 0 pass (warnings allowed), 1 fail or warn with --fail-on-warn,
    2 usage/config error, 3 a check could not run or an input could not be read;
  * JUnit XML validates against tests/data/junit.xsd with xmllint and names the failing check
    with its sample rows;
  * --invalid-out writes the header and the failing rows byte for byte; stdin works;
  * CI gates (issue 18): an empty export fails unless --allow-empty, --min-rows and
    [check] type = row_count, --expect-columns (missing, extra, renamed), a summary on stderr
    when -o takes the report, JUnit warnings and --fail-on-warn failures marked, suite and
    class names independent of the path as typed, no negative zero;
  * on a file from ../shared/bench/gen_deals.py, the duplicate count of the email column after
    trim+lower equals the generator's truth (skipped without ../shared), and an independent
    Python computation of every count agrees on a generated file with quoted newlines.

Standard library only; exits 0 when all pass, 1 on a failure.
"""

import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
EXAMPLE = os.path.join(REPO, "examples", "quality")
XSD = os.path.join(REPO, "tests", "data", "junit.xsd")
GEN = os.path.normpath(os.path.join(REPO, "..", "shared", "bench", "gen_deals.py"))
CRMKPI = None

FLAGS = ["--require", "email,company", "--max-missing", "10%", "--unique", "email",
         "--normalize", "email", "--max-duplicates", "1%", "--valid", "email=email",
         "--max-age-days", "updated_at=30", "--as-of", "2026-11-01"]


def run(args, stdin=None, cwd=None):
    return subprocess.run([CRMKPI] + args, capture_output=True, input=stdin, cwd=cwd)


def run_json(args, want_code):
    p = run(args + ["--format", "json"])
    assert p.returncode == want_code, (p.returncode, p.stderr.decode())
    return json.loads(p.stdout)


class FlagsAndIni(unittest.TestCase):
    def test_same_checks_same_results(self):
        contacts = os.path.join(EXAMPLE, "contacts.csv")
        flags = run_json(["check", contacts] + FLAGS, 1)
        ini = run_json(["check", "-c", os.path.join(EXAMPLE, "quality.ini")], 1)
        self.assertEqual(len(flags["checks"]), 4)
        for f, i in zip(flags["checks"], ini["checks"][:4]):
            for key in f:
                if key in ("name", "source"):
                    continue
                self.assertEqual(f[key], i[key], f"{f['name']} vs {i['name']}: {key}")
        self.assertEqual([c["id"] for c in flags["checks"]],
                         ["completeness", "uniqueness", "validity", "timeliness"])
        self.assertEqual(flags["checks"][0]["columns"], ["email", "company"])
        # The worked example of docs/quality.md.
        u = flags["checks"][1]
        self.assertEqual((u["numerator"], u["denominator"], u["value"]), (2, 5, 40))
        self.assertEqual(flags["as_of"], "2026-11-01T00:00:00Z")

    def test_flag_and_ini_json_schema(self):
        out = run_json(["check", "-c", os.path.join(EXAMPLE, "quality.ini")], 1)
        self.assertEqual(out["schema_version"], 1)
        for c in out["checks"]:
            for key in ("id", "name", "source", "columns", "metric", "value", "numerator",
                        "denominator", "thresholds", "status", "samples"):
                self.assertIn(key, c)


class ExitCodes(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="crmkpi-check-")
        self.contacts = os.path.join(EXAMPLE, "contacts.csv")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def code(self, args):
        return run(["check"] + args).returncode

    def test_pass(self):
        self.assertEqual(self.code([self.contacts, "--require", "id,stage"]), 0)

    def test_fail(self):
        self.assertEqual(self.code([self.contacts, "--require", "email"]), 1)

    def test_warn_and_fail_on_warn(self):
        args = [self.contacts, "--require", "email", "--max-missing", "20%",
                "--warn-missing", "10%"]  # 1 of 6 = 16.7 %: a warning
        self.assertEqual(self.code(args), 0)
        self.assertEqual(self.code(args + ["--fail-on-warn"]), 1)
        out = run_json(["check"] + args, 0)
        self.assertEqual(out["checks"][0]["status"], "warn")
        self.assertEqual(out["status"], "warn")

    def test_missing_column_is_an_error_not_a_pass(self):
        p = run(["check", self.contacts, "--require", "mail", "--format", "junit"])
        self.assertEqual(p.returncode, 3)
        root = ET.fromstring(p.stdout)
        self.assertEqual(root.get("errors"), "1")
        self.assertIsNotNone(root.find(".//testcase/error"))

    def test_unreadable_file(self):
        p = run(["check", os.path.join(self.tmp, "nope.csv"), "--require", "a"])
        self.assertEqual(p.returncode, 3)
        self.assertIn(b"crmkpi: ", p.stderr)
        self.assertEqual(p.stdout, b"")

    def test_usage_errors(self):
        self.assertEqual(self.code([self.contacts]), 2)  # no checks
        self.assertEqual(self.code([self.contacts, "--require", "a", "--max-missing", "5x"]), 2)
        self.assertEqual(self.code([self.contacts, "--valid", "email=emial"]), 2)
        self.assertEqual(self.code([self.contacts, "--unique", "email", "--normalize", "lowr"]), 2)
        ini = os.path.join(self.tmp, "bad.ini")
        with open(ini, "w") as f:
            f.write("[source s]\nfile = x.csv\n[check c]\ntype = completenes\nsource = s\n"
                    "columns = a\n")
        p = run(["check", "-c", ini])
        self.assertEqual(p.returncode, 2)
        self.assertIn(b"bad.ini:4:", p.stderr)
        self.assertIn(b"did you mean 'completeness'", p.stderr)


class JUnit(unittest.TestCase):
    def test_validates_and_names_the_failure(self):
        p = run(["check", "-c", os.path.join(EXAMPLE, "quality.ini"), "--format", "junit"])
        self.assertEqual(p.returncode, 1)
        with tempfile.NamedTemporaryFile(suffix=".xml", delete=False) as f:
            f.write(p.stdout)
            path = f.name
        try:
            if shutil.which("xmllint"):
                v = subprocess.run(["xmllint", "--noout", "--schema", XSD, path],
                                   capture_output=True)
                self.assertEqual(v.returncode, 0, v.stderr.decode())
            else:
                print("xmllint not installed: schema validation skipped", file=sys.stderr)
        finally:
            os.unlink(path)
        root = ET.fromstring(p.stdout)
        suites = root.findall("testsuite")
        self.assertEqual(len(suites), 1)
        cases = suites[0].findall("testcase")
        self.assertEqual(len(cases), 6)
        failures = [c for c in cases if c.find("failure") is not None]
        self.assertEqual(len(failures), 4)
        self.assertEqual(root.get("failures"), "4")
        unique = [c for c in cases if c.get("name").startswith("email_unique")][0]
        text = unique.find("failure").text
        self.assertIn("duplicate of line 2", text)
        self.assertIn("A@X.com", text)
        warn = [c for c in cases if c.get("name").startswith("company_unique")][0]
        self.assertIsNone(warn.find("failure"))
        self.assertIn("WARN", warn.find("system-out").text)


class Quarantine(unittest.TestCase):
    def test_invalid_out_and_stdin(self):
        tmp = tempfile.mkdtemp(prefix="crmkpi-check-")
        try:
            data = (b"id,email,note\r\n1,a@x.com,\"two\r\nlines\"\r\n2,,x\r\n3,A@x.com ,y\r\n"
                    b"4,b@x.com,z\r\n")
            src = os.path.join(tmp, "in.csv")
            with open(src, "wb") as f:
                f.write(data)
            out = os.path.join(tmp, "bad.csv")
            p = run(["check", "-", "--require", "email", "--unique", "email", "--normalize",
                     "email", "--invalid-out", out, "--format", "json"], stdin=data)
            self.assertEqual(p.returncode, 1, p.stderr)
            self.assertEqual(json.loads(p.stdout)["invalid_rows_written"], 2)
            with open(out, "rb") as f:
                self.assertEqual(f.read(), b"id,email,note\n2,,x\n3,A@x.com ,y\n")
            with open(src, "rb") as f:
                self.assertEqual(f.read(), data)
        finally:
            shutil.rmtree(tmp)


def parallel_fixture(path, rows, dup_every, seed):
    """Contacts with quoted newlines, duplicate emails (every |dup_every|-th row repeats an
    earlier one with other case and spaces; 0 = one duplicate pair only, rows 1 and last),
    missing and invalid values, stale timestamps and a short row (a structural error)."""
    import random
    rng = random.Random(seed)
    lines = ["id,email,company,updated_at,notes"]
    for i in range(rows):
        if dup_every and i % dup_every == 0 and i > 0:
            email = f"  USER{rng.randrange(i)}@Example.com "
        elif not dup_every and i == rows - 1:
            email = " User1@example.com"
        else:
            email = f"user{i}@example.com"
        if i % 17 == 0:
            email = ""
        if i % 23 == 0:
            email = f"not-an-email-{i}"
        company = "" if i % 11 == 0 else f"Company {i % 50}"
        updated = f"2026-{1 + i % 10:02d}-{1 + i % 28:02d}T09:00:00Z"
        notes = '"line one\nline ""two"", and three"' if i % 3 == 0 else "plain"
        lines.append(f"{i},{email},{company},{updated},{notes}")
        if i == rows // 2:
            lines.append(f"{i}x,short@example.com")  # structural error
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("\n".join(lines) + "\n")


class Parallel(unittest.TestCase):
    """--threads N splits the file (small chunks here); stdout and the exit code must equal the
    serial pass's, byte for byte: counts, samples with their lines and rows, structural errors.
    Also when the only duplicates span chunks (the parallel samples cannot be exact, so the
    file is read again serially) and with --near (always serial)."""

    ARGS = ["--require", "email,company", "--unique", "email", "--normalize", "trim,lower",
            "--valid", "email=email", "--max-age-days", "updated_at=30",
            "--as-of", "2026-11-01", "--samples", "5", "--format", "json"]

    def same_as_serial(self, path, extra=()):
        """Runs check on |path| (and on it as standard input, where blocks are cut as they
        arrive and merged in order, or read serially from the first block whose duplicates
        the merge cannot place) with 1 thread and with several; returns the serial report."""
        serial = None
        for source, thread_counts in ((path, ("2", "3", "7")), ("-", ("2", "3"))):
            cmd = [CRMKPI, "check", source, *self.ARGS, *extra]
            runs = {}
            for threads in ("1", *thread_counts):
                small = [] if threads == "1" else ["--min-chunk-bytes", "20000"]
                with open(path, "rb") as f:
                    runs[threads] = subprocess.run(cmd + ["--threads", threads, *small],
                                                   stdin=f, capture_output=True)
            one = runs.pop("1")
            self.assertIn(one.returncode, (0, 1), one.stderr)
            self.assertIn(b'"uniqueness"', one.stdout)
            serial = serial or one
            for threads, par in runs.items():
                with self.subTest(path=os.path.basename(path), source=source, threads=threads,
                                  extra=extra):
                    self.assertEqual(par.returncode, one.returncode)
                    self.assertEqual(par.stdout, one.stdout)
                    self.assertEqual(par.stderr, one.stderr)
        return json.loads(serial.stdout)

    def uniqueness(self, report):
        return [c for c in report["checks"] if c["id"] == "uniqueness"][0]

    def test_spread_duplicates(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "contacts.csv")
            parallel_fixture(path, 6000, 7, 1)
            self.assertGreater(self.uniqueness(self.same_as_serial(path))["numerator"], 100)
            self.same_as_serial(path, ["--near", "0.9"])

    def test_duplicates_only_across_chunks(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "contacts.csv")
            parallel_fixture(path, 6000, 0, 2)
            self.assertEqual(self.uniqueness(self.same_as_serial(path))["numerator"], 1)


def py_counts(path):
    """Independent counts for the generated deals: completeness of 6 columns, email uniqueness
    after trim + lower, with the csv module."""
    cols = ["account", "owner", "source", "amount", "created_at", "email"]
    missing = {c: 0 for c in cols}
    seen = {}
    rows = 0
    with open(path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            rows += 1
            for c in cols:
                if r[c].strip() == "":
                    missing[c] += 1
            e = r["email"].strip().lower()
            if e:
                seen[e] = seen.get(e, 0) + 1
    n = sum(seen.values())
    return {"rows": rows, "missing": missing, "n": n, "distinct": len(seen),
            "groups": sum(1 for v in seen.values() if v > 1),
            "in_groups": sum(v for v in seen.values() if v > 1)}


@unittest.skipUnless(os.path.exists(GEN), f"{GEN} not found (no ../shared)")
class Generated(unittest.TestCase):
    def test_duplicates_equal_truth_and_python(self):
        tmp = tempfile.mkdtemp(prefix="crmkpi-check-")
        try:
            for rate in ("0", "0.05"):
                path = os.path.join(tmp, f"deals_{rate}.csv")
                subprocess.run([sys.executable, GEN, "--bytes", "2000000", "--newline-rate", rate,
                                "--out", path], check=True, capture_output=True)
                with open(path + ".truth.json") as f:
                    truth = json.load(f)
                cols = "account,owner,source,amount,created_at,email"
                out = run_json(["check", path, "--require", cols, "--max-missing", "100%",
                                "--unique", "email", "--normalize", "trim,lower",
                                "--max-duplicates", "100%"], 0)
                c, u = out["checks"]
                self.assertEqual(u["numerator"], truth["duplicate_email_rows"])
                py = py_counts(path)
                self.assertEqual(out["sources"][0]["rows"], truth["rows"])
                self.assertEqual(py["rows"], truth["rows"])
                self.assertEqual(u["denominator"], py["n"])
                self.assertEqual(u["counts"]["distinct"], py["distinct"])
                self.assertEqual(u["counts"]["duplicate_groups"], py["groups"])
                self.assertEqual(u["counts"]["rows_in_duplicate_groups"], py["in_groups"])
                self.assertEqual(c["numerator"], sum(py["missing"].values()))
                self.assertEqual(c["denominator"], py["rows"] * 6)
                self.assertEqual(c["counts"]["missing_by_column"], py["missing"])
        finally:
            shutil.rmtree(tmp)


def validate_junit(testcase, xml_bytes):
    """Validates JUnit XML against tests/data/junit.xsd when xmllint is installed."""
    if not shutil.which("xmllint"):
        print("xmllint not installed: schema validation skipped", file=sys.stderr)
        return
    with tempfile.NamedTemporaryFile(suffix=".xml", delete=False) as f:
        f.write(xml_bytes)
        path = f.name
    try:
        v = subprocess.run(["xmllint", "--noout", "--schema", XSD, path], capture_output=True)
        testcase.assertEqual(v.returncode, 0, v.stderr.decode())
    finally:
        os.unlink(path)


class Gates(unittest.TestCase):
    """Issue 18: CI gates that catch an empty or reshaped export."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="crmkpi-gates-")
        self.contacts = os.path.join(EXAMPLE, "contacts.csv")
        self.empty = os.path.join(self.tmp, "empty.csv")
        with open(self.empty, "wb") as f:
            f.write(b"Id,Name,Stage,Amount\r\n")  # a header-only export

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def test_empty_export_fails_unless_allowed(self):
        args = ["check", self.empty, "--require", "Stage", "--max-missing", "5%"]
        p = run(args)
        self.assertEqual(p.returncode, 1, p.stdout.decode())  # was 0: n/a passed
        self.assertIn(b"FAIL", p.stdout)
        self.assertIn(b"no rows", p.stdout)
        out = run_json(args, 1)
        self.assertEqual(out["checks"][0]["status"], "fail")
        self.assertTrue(out["checks"][0]["breached"].startswith("fail: no rows"))
        self.assertEqual(run(args + ["--allow-empty"]).returncode, 0)
        # Every row-counting type; a warn-only check warns.
        for check in (["--unique", "Name"], ["--valid", "Amount=>= 0"],
                      ["--max-age-days", "Stage=30"]):
            self.assertEqual(run(["check", self.empty] + check).returncode, 1, check)
        warn = run_json(["check", self.empty, "--require", "Stage", "--warn-missing", "1%"], 0)
        self.assertEqual(warn["checks"][0]["status"], "warn")
        # The INI: [crmkpi] allow_empty, and a check's own allow_empty overriding it.
        ini = os.path.join(self.tmp, "gates.ini")
        with open(ini, "w") as f:
            f.write("[crmkpi]\nallow_empty = true\n[source s]\nfile = empty.csv\n"
                    "[check a]\ntype = completeness\nsource = s\ncolumns = Stage\n"
                    "fail = 5%\n")
        self.assertEqual(run(["check", "-c", ini]).returncode, 0)
        with open(ini, "a") as f:
            f.write("[check b]\ntype = completeness\nsource = s\ncolumns = Name\n"
                    "allow_empty = false\n")
        self.assertEqual(run(["check", "-c", ini]).returncode, 1)

    def test_min_rows_flag_and_ini(self):
        self.assertEqual(run(["check", self.contacts, "--min-rows", "6"]).returncode, 0)
        out = run_json(["check", self.contacts, "--min-rows", "7"], 1)
        self.assertEqual(out["checks"][0]["id"], "row_count")
        self.assertEqual(out["checks"][0]["value"], 6)
        self.assertEqual(out["checks"][0]["breached"], "fail: row_count 6 < 7")
        self.assertEqual(run(["check", self.empty, "--min-rows", "1"]).returncode, 1)
        # --allow-empty does not weaken an explicit minimum.
        self.assertEqual(run(["check", self.empty, "--min-rows", "1", "--allow-empty"]).returncode, 1)
        self.assertEqual(run(["check", self.contacts, "--min-rows", "5%"]).returncode, 2)
        ini = os.path.join(self.tmp, "rows.ini")
        with open(ini, "w") as f:
            f.write("[source s]\nfile = %s\n[check rows]\ntype = row_count\nsource = s\n"
                    "min = 2\nwarn = 10\n" % self.contacts)
        out = run_json(["check", "-c", ini], 0)
        self.assertEqual(out["checks"][0]["status"], "warn")  # 6 < 10
        with open(ini, "a") as f:
            f.write("[check typo]\ntype = row_count\nsource = s\nfail = 2\n")
        p = run(["check", "-c", ini])
        self.assertEqual(p.returncode, 2)
        self.assertIn(b"unknown key 'fail'", p.stderr)

    def test_expect_columns_missing_extra_renamed(self):
        # contacts.csv: id,email,company,phone,updated_at,stage,amount
        args = ["check", self.contacts, "--expect-columns", "id,E-mail,Company,zip"]
        out = run_json(args, 1)
        c = out["checks"][0]
        self.assertEqual(c["id"], "schema")
        self.assertEqual(c["status"], "fail")
        self.assertEqual((c["numerator"], c["denominator"]), (3, 4))
        self.assertEqual(c["counts"]["missing_columns"], ["E-mail", "Company", "zip"])
        self.assertEqual(c["counts"]["renamed"], [{"expected": "E-mail", "found": "email"},
                                                  {"expected": "Company", "found": "company"}])
        self.assertEqual(c["counts"]["extra_columns"], ["phone", "updated_at", "stage", "amount"])
        self.assertEqual([s["rule"] for s in c["samples"]][:3],
                         ["missing column; renamed? 'E-mail' → 'email'",
                          "missing column; renamed? 'Company' → 'company'", "missing column"])
        table = run(args).stdout.decode()
        self.assertIn("renamed? 'E-mail' → 'email'", table)
        every = "id,email,company,phone,updated_at,stage,amount"
        self.assertEqual(run(["check", self.contacts, "--expect-columns", every,
                              "--extra-columns", "fail"]).returncode, 0)
        some = ["check", self.contacts, "--expect-columns", "id,email"]
        self.assertEqual(run(some).returncode, 0)  # extra columns allowed by default
        self.assertEqual(run(some + ["--extra-columns", "warn"]).returncode, 0)
        self.assertEqual(run(some + ["--extra-columns", "warn", "--fail-on-warn"]).returncode, 1)
        self.assertEqual(run(some + ["--extra-columns", "fail"]).returncode, 1)
        self.assertEqual(run(some + ["--extra-columns", "maybe"]).returncode, 2)
        # --extra-columns without --expect-columns is a usage error.
        self.assertEqual(run(["check", self.contacts, "--require", "id", "--extra-columns",
                              "warn"]).returncode, 2)

    def test_summary_on_stderr_when_output_goes_to_a_file(self):
        args = ["check", self.contacts, "--require", "email", "--max-missing", "20%",
                "--warn-missing", "10%", "--require", "id", "--min-rows", "7"]
        for fmt in ("table", "json", "junit", "csv", "md"):
            out = os.path.join(self.tmp, "report." + fmt)
            p = run(args + ["--format", fmt, "-o", out])
            self.assertEqual(p.returncode, 1)
            self.assertEqual(p.stdout, b"")
            self.assertEqual(p.stderr.decode(),
                             "crmkpi: check: 1 failed, 1 warned, 1 passed "
                             "(report written to %s)\n" % out, fmt)
            self.assertTrue(os.path.getsize(out) > 0)
        # -q: nothing; without -o the report itself is on stdout, so no summary line.
        q = run(args + ["-o", os.path.join(self.tmp, "q.txt"), "-q"])
        self.assertEqual((q.returncode, q.stderr), (1, b""))
        self.assertEqual(run(args).stderr, b"")

    def test_junit_warnings_fail_on_warn_and_stable_names(self):
        shutil.copy(self.contacts, os.path.join(self.tmp, "contacts.csv"))
        args = ["--require", "email", "--max-missing", "20%", "--warn-missing", "10%",
                "--format", "junit"]
        names = set()
        for path in ("contacts.csv", "./contacts.csv", os.path.join(self.tmp, "contacts.csv"),
                     "../" + os.path.basename(self.tmp) + "/contacts.csv"):
            p = run(["check", path] + args, cwd=self.tmp)
            self.assertEqual(p.returncode, 0, p.stderr.decode())
            validate_junit(self, p.stdout)
            root = ET.fromstring(p.stdout)
            suite = root.find("testsuite")
            case = suite.find("testcase")
            names.add((suite.get("name"), case.get("classname"), case.get("name")))
            # The warning: a passing testcase marked as a warning.
            self.assertIsNone(case.find("failure"))
            self.assertTrue(case.find("system-err").text.startswith("WARN: "))
            props = {e.get("name"): e.get("value") for e in case.find("properties")}
            self.assertEqual(props, {"status": "warn"})
        self.assertEqual(names, {("contacts.csv", "crmkpi.check.contacts_csv",
                                  "completeness:email (email)")})
        p = run(["check", "contacts.csv"] + args + ["--fail-on-warn"], cwd=self.tmp)
        self.assertEqual(p.returncode, 1)
        validate_junit(self, p.stdout)
        failure = ET.fromstring(p.stdout).find(".//testcase/failure")
        self.assertTrue(failure.get("message").startswith("warning failed by --fail-on-warn: "),
                        failure.get("message"))

    def test_no_negative_zero(self):
        leads = os.path.join(self.tmp, "leads.csv")
        with open(leads, "w") as f:
            f.write("id,updated_at\n1,2026-11-01T01:00:00Z\n")
        for fmt in ("table", "junit", "md"):
            p = run(["check", leads, "--max-age-days", "updated_at=30", "--as-of",
                     "2026-11-01T00:00:00Z", "--format", fmt])
            self.assertEqual(p.returncode, 0)
            self.assertNotIn(b"-0.0", p.stdout, fmt)
            self.assertIn(b"freshness 0.0 d", p.stdout, fmt)


if __name__ == "__main__":
    CRMKPI = os.path.abspath(sys.argv.pop(1))
    unittest.main()
