#!/usr/bin/env python3
"""The as-of round trip: `--as-of <the printed as-of>` reproduces every figure, on every command.

    python3 tests/integration/as_of_test.py path/to/crmkpi [unittest options]

Without --as-of, a command takes the latest event in the data (docs/cli.md, `--as-of`) and
prints it in full. Each command here runs once without --as-of and once with the as-of it
printed; the two JSON documents must be equal but for `as_of_source` (data → option). The
inputs have date-times (a Salesforce export whose latest event is 18:30 UTC, a history in
Asia/Tokyo), so a printed date alone would move the figures (the censored durations). Also:
the default is never an open deal's expected close date, and --as-of is read as ISO 8601
whatever --date-format says. Standard library only.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

CRMKPI = None
ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
EX = os.path.join(ROOT, "examples")
CORPUS = os.path.join(ROOT, "tests", "corpus")
STAGES = "Prospecting,Qualification,Proposal,Negotiation,Closed Won"


def run(args, cwd):
    r = subprocess.run([CRMKPI, *args, "-f", "json"], cwd=cwd, capture_output=True, timeout=60)
    if r.returncode not in (0, 1):
        raise AssertionError(r.stderr.decode("utf-8", "replace"))
    return json.loads(r.stdout)


class RoundTrip(unittest.TestCase):
    def round_trip(self, args, cwd, source="data"):
        first = run(args, cwd)
        self.assertEqual(first["as_of_source"], source)
        as_of = first["as_of"]
        self.assertTrue(as_of)
        again = run(args + ["--as-of", as_of], cwd)
        self.assertEqual(again["as_of_source"], "option")
        self.assertEqual(again["as_of"], as_of)
        for doc in (first, again):
            doc.pop("as_of_source")
        self.assertEqual(first, again)
        return as_of

    def test_report(self):
        as_of = self.round_trip(["report", "deals.csv", "--by", "owner"], EX)
        self.assertRegex(as_of, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

    def test_report_date_times(self):
        # CreatedDate date-times, CloseDate dates, open deals with future close dates.
        as_of = self.round_trip(["report", "salesforce_opportunity_api.csv"], CORPUS)
        self.assertEqual(as_of, "2023-09-29T18:30:00Z")

    def test_report_tz(self):
        self.round_trip(["report", "deals.csv", "--tz", "Asia/Tokyo", "--period", "month"],
                        os.path.join(ROOT, "tests", "golden", "dates_tz_period"))

    def test_report_c_sla_without_as_of(self):
        # The definition's `as_of` line removed: its sla metric takes the latest event.
        with tempfile.TemporaryDirectory() as d:
            for name in os.listdir(os.path.join(EX, "customer_experience")):
                shutil.copy(os.path.join(EX, "customer_experience", name), d)
            ini = os.path.join(d, "kpi.ini")
            with open(ini, encoding="utf-8") as f:
                text = f.read()
            self.assertIn("as_of = 2025-06-30\n", text)
            with open(ini, "w", encoding="utf-8") as f:
                f.write(text.replace("as_of = 2025-06-30\n", ""))
            as_of = self.round_trip(["report", "-c", "kpi.ini"], d)
            # The 24 h SLA: of the 4 unresolved cases, the one already late at the latest event
            # (2025-06-28T10:00:00+09:00) is breached, not pending: 15/21, 3 pending. Without an
            # as-of (here: one before every case) all 4 would be pending: 15/20.
            def sla(*extra):
                (k,) = [k for k in run(["report", "-c", "kpi.ini", *extra], d)["kpis"]
                        if k["id"] == "resolution_24h_rate" and not k["group"]]
                return k["numerator"], k["denominator"], k["excluded"]["pending"]
            self.assertEqual(as_of, "2025-06-28T10:00:00+09:00")
            self.assertEqual(sla(), (15, 21, 3))
            self.assertEqual(sla("--as-of", "2000-01-01"), (15, 20, 4))
            # tree prints no as-of: the same tree with the report's.
            self.assertEqual(run(["tree", "-c", "kpi.ini"], d),
                             run(["tree", "-c", "kpi.ini", "--as-of", as_of], d))

    def test_check_c_as_of_data(self):
        """check -c with `as_of = data` (what init writes): timeliness counts from the latest
        event in the checked source, printed, and --as-of with it gives the same checks."""
        with tempfile.TemporaryDirectory() as d:
            shutil.copy(os.path.join(EX, "deals.csv"), d)
            r = subprocess.run([CRMKPI, "init", "deals.csv", "--checks", "-o", "kpi.ini", "-q"],
                               cwd=d, capture_output=True, timeout=60)
            self.assertEqual(r.returncode, 0, r.stderr)
            with open(os.path.join(d, "kpi.ini"), encoding="utf-8") as f:
                self.assertIn("as_of = data\n", f.read())
            report_as_of = run(["report", "-c", "kpi.ini"], d)["as_of"]
            first = run(["check", "-c", "kpi.ini"], d)
            self.assertEqual(first["as_of_source"], "data")
            # The same "now" as report -c on the same definition.
            self.assertEqual(first["as_of"], report_as_of)
            again = run(["check", "-c", "kpi.ini", "--as-of", first["as_of"]], d)
            self.assertEqual(again["as_of"], first["as_of"])
            for doc in (first, again):
                doc.pop("as_of_source")
            self.assertEqual(first, again)

    def test_dwell(self):
        self.round_trip(["dwell", "stage_history/history_long.csv", "--stages", STAGES], EX)

    def test_forecast(self):
        self.round_trip(["forecast", "forecast.csv", "--actual", "deals.csv"],
                        os.path.join(EX, "forecast"))

    def test_open_close_dates_are_not_events(self):
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "deals.csv"), "w", encoding="utf-8") as f:
                f.write("id,stage,amount,created,closed\n"
                        "1,won,100,2023-08-01 10:00:00,2023-08-20 11:00:00\n"
                        "2,open,50,2023-08-05 09:00:00,2023-12-30 00:00:00\n")
            doc = run(["report", "deals.csv"], d)
            self.assertEqual(doc["as_of"], "2023-08-20T11:00:00Z")
            # --as-of is ISO whatever --date-format says.
            doc = run(["report", "deals.csv", "--date-format", "%Y-%m-%d %H:%M:%S",
                       "--as-of", "2023-09-01"], d)
            self.assertEqual(doc["as_of"], "2023-09-01")


def main():
    global CRMKPI
    if len(sys.argv) < 2:
        sys.exit("usage: as_of_test.py path/to/crmkpi [unittest options]")
    CRMKPI = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)


if __name__ == "__main__":
    main()
