#!/usr/bin/env python3
"""The export corpus (tests/corpus): every file read with no flag gives what its CRM wrote.

    python3 tests/integration/corpus_test.py path/to/crmkpi [unittest options]

tests/corpus holds one small synthetic export per CRM and locale, written from each CRM's
export documentation (tests/corpus/README.md: sources) by make_corpus.py, with expected.json
saying what a reader must find in each: encoding, delimiter, rows, the column of each role,
the won/lost/open counts. This test runs `crmkpi columns FILE -f json` and `crmkpi report FILE
-f json` on each file without any flag and compares. The expected values are computed by
make_corpus.py from the rows it writes, not by crmkpi. Standard library only.
"""

import json
import os
import subprocess
import sys
import unittest

CRMKPI = None
ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
CORPUS = os.path.join(ROOT, "tests", "corpus")

with open(os.path.join(CORPUS, "expected.json"), encoding="utf-8") as f:
    EXPECTED = json.load(f)["files"]


def run(*args):
    r = subprocess.run([CRMKPI, *args], cwd=CORPUS, capture_output=True, timeout=60)
    return r.returncode, r.stdout.decode("utf-8"), r.stderr.decode("utf-8", "replace")


# expected.json's encoding names → what crmkpi prints (a UTF-16 file with a BOM is "utf-16":
# the BOM gives the byte order).
def printed_encoding(e):
    if e["encoding"].startswith("utf-16") and e.get("bom"):
        return "utf-16"
    return e["encoding"]


def report(e, *args):
    """`crmkpi report FILE -f json ARGS`."""
    return run("report", e["file"], "-f", "json", *args)


class Corpus(unittest.TestCase):
    def test_encoding_and_delimiter(self):
        for e in EXPECTED:
            with self.subTest(file=e["file"]):
                rc, out, err = run("columns", e["file"], "-f", "json")
                self.assertEqual(rc, 0, err)
                doc = json.loads(out)
                self.assertEqual(doc["encoding"], printed_encoding(e))
                self.assertTrue(doc["encoding_detected"])
                self.assertEqual(doc["delimiter"], e["delimiter"])
                self.assertEqual([c["name"] for c in doc["columns"]], e["header"])

    def test_roles(self):
        """Each role's column, with no --map: the UI labels and API names of each CRM, in each
        language, an object prefix ("Deal - ") ignored, the stage chosen by its values."""
        # expected.json's names for roles crmkpi names otherwise; its "category" is a deal
        # type or pipeline (crmkpi's category is a forecast category), its "forecast"/"actual"
        # are not the forecast file's roles: those are not compared.
        renamed = {"won_flag": "is_won", "closed_flag": "is_closed", "resolved": "resolution"}
        skipped = {"category", "forecast", "actual"}
        for e in EXPECTED:
            with self.subTest(file=e["file"]):
                rc, out, err = run("columns", e["file"], "-f", "json")
                self.assertEqual(rc, 0, err)
                got = {r["role"]: r["column"] for r in json.loads(out)["roles"]}
                want = {renamed.get(k, k): v for k, v in e["roles"].items() if k not in skipped}
                for role, column in want.items():
                    self.assertEqual(got.get(role), column, "role " + role)

    def test_dates(self):
        """Every date of every file is read with no --date-format (ISO, US, day-first, Zoho's
        "15 Apr, 2021 00:02:00", German D.M.Y, Excel serial days, 令和/R6 eras), and a file whose
        numeric dates fit both orders gets the ambiguity warning."""
        for e in EXPECTED:
            if "stage" not in e["roles"]:
                continue
            with self.subTest(file=e["file"]):
                rc, out, err = report(e)
                self.assertEqual(rc, 0, err)
                bad = [w for w in json.loads(out)["warnings"] if w["kind"] == "invalid_date"]
                self.assertEqual(bad, [])
                self.assertEqual("could be month or day first" in err,
                                 bool(e.get("ambiguous_dates")), err)

    def test_excel_serial_dates_equal_written_dates(self):
        """The same Dynamics rows with dates written `4/15/2024 9:30 AM` and as Excel serial day
        numbers (45397.395833…) give the same figures."""
        docs = []
        for name in ("dynamics_opportunities.csv", "dynamics_opportunities_xlserial.csv"):
            rc, out, err = run("report", name, "-f", "json")
            self.assertEqual(rc, 0, err)
            docs.append(json.loads(out)["kpis"])
        self.assertEqual(docs[0], docs[1])

    def test_is_won_is_closed_decide(self):
        """Salesforce IsWon/IsClosed decide won and lost when present: a custom stage 'Signed'
        with IsWon true is won, 'Dropped' with IsClosed true and IsWon false is lost, and a
        'Closed Won' with IsWon false and IsClosed false is open."""
        import tempfile
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "opps.csv"), "w", encoding="utf-8") as f:
                f.write('"ID","STAGENAME","AMOUNT","ISWON","ISCLOSED"\n'
                        '"1","Signed","100","true","true"\n'
                        '"2","Dropped","50","false","true"\n'
                        '"3","Closed Won","70","false","false"\n'
                        '"4","Prospecting","20","false","false"\n')
            r = subprocess.run([CRMKPI, "report", "opps.csv", "-f", "json"], cwd=d,
                               capture_output=True, timeout=60)
            self.assertEqual(r.returncode, 0, r.stderr)
            kpis = {k["id"]: k["value"] for k in json.loads(r.stdout)["kpis"] if not k["group"]}
            self.assertEqual((kpis["won"], kpis["lost"], kpis["open"]), (1, 1, 2))
            self.assertEqual(kpis["revenue"], 100)
            self.assertEqual(kpis["pipeline_amount"], 90)
            # Only custom words and flags: the flags decide, no "none is won or lost" warning.
            with open(os.path.join(d, "custom.csv"), "w", encoding="utf-8") as f:
                f.write("Id,StageName,IsWon,IsClosed\n1,Signed,true,true\n2,Dropped,false,true\n")
            r = subprocess.run([CRMKPI, "report", "custom.csv", "-f", "json"], cwd=d,
                               capture_output=True, timeout=60)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertNotIn(b"won or lost", r.stderr)
            kpis = {k["id"]: k["value"] for k in json.loads(r.stdout)["kpis"] if not k["group"]}
            self.assertEqual((kpis["won"], kpis["lost"]), (1, 1))

    def test_revenue_of_single_currency_files(self):
        """Won amounts as written (1,234.50 or, in the German and French files, 1.234,50 with
        a decimal comma, decided from the values) add up to what the file holds."""
        for e in EXPECTED:
            by_currency = e.get("won_amount_by_currency") or {}
            if "stage" not in e["roles"] or len(by_currency) != 1:
                continue
            with self.subTest(file=e["file"]):
                rc, out, err = report(e)
                self.assertEqual(rc, 0, err)
                kpis = {k["id"]: k for k in json.loads(out)["kpis"] if not k["group"]}
                self.assertEqual(kpis["revenue"]["value"], list(by_currency.values())[0])
                self.assertNotIn("invalid_amount", kpis["revenue"].get("excluded", {}))
                # With a currency column, the amount says its currency.
                if "currency" in e["roles"]:
                    self.assertEqual(kpis["revenue"].get("currency"), list(by_currency)[0])

    def test_several_currencies_warned_and_split(self):
        """Amounts in several currencies are never added: with no flag the total revenue is
        n/a (MIXED_CURRENCIES, naming them), a warning names them and --fx, and a table by the
        currency column gives each currency's revenue; with --fx each is converted and added."""
        for e in EXPECTED:
            by_currency = e.get("won_amount_by_currency") or {}
            if "stage" not in e["roles"] or len(by_currency) < 2:
                continue
            with self.subTest(file=e["file"]):
                column = e["roles"]["currency"]
                rc, out, err = report(e)
                self.assertEqual(rc, 0, err)
                self.assertIn("amounts are in %d currencies" % len(by_currency), err)
                self.assertIn("--fx", err)
                kpis = json.loads(out)["kpis"]
                (total,) = [k for k in kpis if k["id"] == "revenue" and not k["group"]]
                self.assertIsNone(total["value"])
                self.assertEqual(total["reason"], "MIXED_CURRENCIES")
                self.assertEqual(total["currencies"], sorted(by_currency))
                got = {k["group"][column]: (k["value"], k.get("currency")) for k in kpis
                       if k["id"] == "revenue" and list(k["group"]) == [column]}
                for code, amount in by_currency.items():
                    self.assertEqual(got.get(code), (amount, code), code)
                # Rates 1, 2, 3, ...: integers, so each converted amount is exact.
                codes = sorted(by_currency)
                rates = {code: i + 1 for i, code in enumerate(codes)}
                fx = ",".join("%s=%d" % (c, r) for c, r in rates.items())
                rc, out, err = report(e, "--fx", fx)
                self.assertEqual(rc, 0, err)
                self.assertNotIn("currencies", err)
                doc = json.loads(out)
                self.assertEqual(doc["fx"]["base"], codes[0].upper())
                (total,) = [k for k in doc["kpis"] if k["id"] == "revenue" and not k["group"]]
                expected = sum(by_currency[c] * rates[c] for c in codes)
                self.assertAlmostEqual(total["value"], expected, places=4)
                self.assertEqual(total["currency"], codes[0].upper())

    def test_rows_and_encoding_in_report(self):
        for e in EXPECTED:
            with self.subTest(file=e["file"]):
                rc, out, err = report(e)
                if rc == 2 and "no stage column" in err:
                    continue  # files without a stage (cases, tickets): see the role tests
                self.assertEqual(rc, 0, err)
                doc = json.loads(out)
                (inp,) = doc["inputs"]
                self.assertEqual(inp["encoding"], printed_encoding(e))
                self.assertEqual(inp["rows"], e["rows"])
                # A report footer (a blank line, then one-field lines) is left out with a note,
                # not skipped row by row.
                self.assertNotIn("skipped_row", [w["kind"] for w in doc["warnings"]])
                if e.get("footer_lines"):
                    lines = e["footer_lines"] - 1  # after the blank line
                    self.assertIn("note: %d lines after the data are a report footer" % lines, err)

    def test_stage_words_and_column(self):
        """Won, lost and open counts from the stage words of each CRM and language, the stage
        column chosen by its values where the header has several (Dynamics' Sales Stage and
        Status, Pipedrive's Deal - Stage and Deal - Status)."""
        for e in EXPECTED:
            if "stage" not in e["roles"]:
                continue
            with self.subTest(file=e["file"]):
                rc, out, err = report(e)
                self.assertEqual(rc, 0, err)
                kpis = {k["id"]: k["value"] for k in json.loads(out)["kpis"] if not k["group"]}
                self.assertEqual((kpis["won"], kpis["lost"], kpis["open"]),
                                 (e["won"], e["lost"], e["open"]))
                rc, out, err = run("init", e["file"])
                self.assertEqual(rc, 0, err)
                self.assertIn("map.stage = " + e["roles"]["stage"], out)
                chose = any("stage" in k.lower() for k in e.get("not_roles", {}))
                if chose:  # the header's stage column gave way to the one with won/lost values
                    self.assertIn("reading '%s' as the stage" % e["roles"]["stage"], err)


def main():
    global CRMKPI
    if len(sys.argv) < 2:
        sys.exit("usage: corpus_test.py path/to/crmkpi [unittest options]")
    CRMKPI = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)


if __name__ == "__main__":
    main()
