#!/usr/bin/env python3
"""Integration tests of `crmkpi check` (issue 5) against the built binary.

    python3 tests/integration/check_test.py path/to/crmkpi [unittest options]

  * flags and INI give the same checks and the same results (examples/quality);
  * the frozen exit codes: 0 pass (warnings allowed), 1 fail or warn with --fail-on-warn,
    2 usage/config error, 3 a check could not run or an input could not be read;
  * JUnit XML validates against tests/data/junit.xsd with xmllint and names the failing check
    with its sample rows;
  * --invalid-out writes the header and the failing rows byte for byte; stdin works;
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


if __name__ == "__main__":
    CRMKPI = os.path.abspath(sys.argv.pop(1))
    unittest.main()
