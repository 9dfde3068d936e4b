#!/usr/bin/env python3
"""Check `crmkpi report` on the repository's example exports against their ground truth.

    python3 tests/integration/examples_test.py path/to/crmkpi [unittest options]

Runs
    crmkpi report examples/deals.csv --by owner --format json             (and --by stage)
    crmkpi report examples/deals_cp932.csv --encoding cp932 --by owner --format json  (and stage)
and compares with tests/data/examples_truth.json (written by examples/generate_examples.py from
its in-memory rows; see its docstring for each field):
  rows                      inputs[0].rows
  stage_counts              "deals" per --by stage group
  per_owner won/lost/open   "won"/"lost"/"open" per owner group ("" = empty owner), and totals
  won_amount_sum            "revenue" value per owner (exact) and in total
  won_with_amount           "revenue" n per owner and in total
  won_cycle_days            the total's sales_cycle_days_median/_mean/_p90 (n, value; median =
                            mean of the two middle values for even n, p90 = type 7 / numpy)
  negative_cycle_won        excluded.negative_cycle of the total's sales cycle KPIs
Owners are compared as the report prints group keys (docs/kpis.md, "Group keys"): NFKC, white
space collapsed to one space and trimmed (group_key below, Python's own NFKC); each raw owner
spelling that differs from its key must be listed in merged_spellings with its deal count.

Standard library only; exit status 0 when every check passed, 1 otherwise.
"""

import json
import os
import re
import statistics
import sys
import unicodedata
import unittest

from reportlib import check_rows, close, kpi_index, p90_type7, run_json

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
TRUTH = os.path.join(REPO, "tests", "data", "examples_truth.json")
CYCLE_IDS = ("sales_cycle_days_median", "sales_cycle_days_mean", "sales_cycle_days_p90")

CRMKPI = None  # set from argv[1]


def group_key(raw):
    """The printed group key of a raw value: NFKC, white space collapsed and trimmed."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", raw)).strip()


def run_report(path, by, extra):
    return run_json([CRMKPI, "report", path, *extra, "--by", by, "--format", "json"])


class ExampleTruth:
    """Mixed into one TestCase per example file."""

    FILE = None
    EXTRA = []

    @classmethod
    def setUpClass(cls):
        with open(TRUTH, encoding="utf-8") as f:
            cls.truth = json.load(f)[cls.FILE]
        cls.path = os.path.join(REPO, "examples", cls.FILE)
        cls.reports = {by: run_report(cls.path, by, cls.EXTRA) for by in ("owner", "stage")}
        cls.kpis = {by: kpi_index(r, by) for by, r in cls.reports.items()}

    def test_rows(self):
        check_rows(self, self.reports, self.kpis, self.truth["rows"])

    def test_stage_counts(self):
        k = self.kpis["stage"]
        got = {g: k[(g, "deals")]["value"] for (g, i) in k if g is not None and i == "deals"}
        self.assertEqual(got, self.truth["stage_counts"])

    def test_owner_groups(self):
        k = self.kpis["owner"]
        got = {g for (g, _) in k if g is not None}
        self.assertEqual(got, {group_key(o) for o in self.truth["per_owner"]})

    def test_merged_spellings(self):
        merged = {(m["column"], m["value"]): m["spellings"]
                  for m in self.reports["owner"].get("merged_spellings", [])}
        want = {}
        for raw, o in self.truth["per_owner"].items():
            if group_key(raw) != raw:
                want[("owner", group_key(raw))] = [
                    {"value": raw, "rows": o["won"] + o["lost"] + o["open"]}]
        self.assertEqual(merged, want)

    def test_per_owner_counts_and_revenue(self):
        k = self.kpis["owner"]
        for raw_owner, o in self.truth["per_owner"].items():
            owner = group_key(raw_owner)  # no two raw owners share a key in the examples
            with self.subTest(owner=owner):
                self.assertIn((owner, "won"), k, "owner missing from the report")
                for i in ("won", "lost", "open"):
                    self.assertEqual(k[(owner, i)]["value"], o[i], i)
                self.assertEqual(k[(owner, "deals")]["value"], o["won"] + o["lost"] + o["open"])
                wr = k[(owner, "win_rate")]
                self.assertEqual((wr["numerator"], wr["denominator"]),
                                 (o["won"], o["won"] + o["lost"]))
                rev = k[(owner, "revenue")]
                self.assertEqual(rev["value"], o["won_amount_sum"], "revenue")
                self.assertIsInstance(rev["value"], int, f"revenue printed as {rev['value']}")
                self.assertEqual(rev["n"], o["won_with_amount"], "revenue n")
                avg = k[(owner, "avg_deal_size")]
                if o["won_with_amount"]:
                    self.assertTrue(close(avg["value"], o["won_amount_sum"] / o["won_with_amount"]),
                                    avg)
                else:
                    self.assertIsNone(avg.get("value"), avg)
                    self.assertEqual(avg.get("reason"), "EMPTY", avg)

    def test_totals(self):
        k = self.kpis["owner"]
        owners = self.truth["per_owner"].values()
        for i in ("won", "lost", "open"):
            self.assertEqual(k[(None, i)]["value"], sum(o[i] for o in owners), i)
        self.assertEqual(k[(None, "revenue")]["value"], sum(o["won_amount_sum"] for o in owners))
        self.assertEqual(k[(None, "revenue")]["n"], sum(o["won_with_amount"] for o in owners))

    def test_total_sales_cycle(self):
        days = self.truth["won_cycle_days"]
        self.assertTrue(days)
        want = {"sales_cycle_days_median": statistics.median(days),
                "sales_cycle_days_mean": sum(days) / len(days),
                "sales_cycle_days_p90": p90_type7(days)}
        for by in ("owner", "stage"):
            for i in CYCLE_IDS:
                with self.subTest(by=by, kpi=i):
                    k = self.kpis[by][(None, i)]
                    self.assertEqual(k["n"], len(days))
                    self.assertTrue(close(k["value"], want[i]), (k["value"], want[i]))
                    self.assertEqual(k.get("excluded", {}).get("negative_duration", 0),
                                     self.truth["negative_cycle_won"])
        mean = self.kpis["owner"][(None, "sales_cycle_days_mean")]
        self.assertEqual(mean["numerator"], sum(days))
        self.assertEqual(mean["denominator"], len(days))

    def test_negative_cycle_warning(self):
        # A closed deal (won or lost) closing before it was created is left out of the cycles
        # and reported as a negative_duration warning: counted here from the file itself.
        import csv
        import datetime
        enc = "cp932" if "cp932" in self.FILE else "utf-8"
        n = 0
        with open(self.path, encoding=enc, newline="") as f:
            rows = csv.reader(f)
            header = next(rows)
            # The English export's names, else the Japanese one's (columns_japanese).
            stage_i, created_i, closed_i = (
                (header.index("Stage"), header.index("Created Date"), header.index("Close Date"))
                if "Stage" in header else
                (header.index("フェーズ"), header.index("作成日"), header.index("完了予定日")))
            for row in rows:
                stage = row[stage_i].strip().lower()
                if stage not in ("closed won", "closed lost", "won", "lost", "受注", "失注"):
                    continue
                try:
                    c = datetime.date.fromisoformat(row[created_i].strip())
                    d = datetime.date.fromisoformat(row[closed_i].strip())
                except ValueError:
                    continue
                n += d < c
        self.assertGreaterEqual(n, self.truth["negative_cycle_won"])
        got = sum(w["count"] for w in self.reports["owner"]["warnings"]
                  if w["kind"] == "negative_duration")
        self.assertEqual(got, n)


class DealsCsv(ExampleTruth, unittest.TestCase):
    FILE = "deals.csv"
    EXTRA = []

    def test_truth_has_a_negative_cycle(self):
        # Otherwise the exclusion check above proves nothing for this file.
        self.assertGreater(self.truth["negative_cycle_won"], 0)


class DealsCp932(ExampleTruth, unittest.TestCase):
    FILE = "deals_cp932.csv"
    EXTRA = ["--encoding", "cp932"]


def main():
    global CRMKPI
    if len(sys.argv) < 2:
        print(f"usage: {sys.argv[0]} path/to/crmkpi [unittest options]", file=sys.stderr)
        return 2
    CRMKPI = os.path.abspath(sys.argv[1])
    prog = unittest.main(argv=[sys.argv[0]] + sys.argv[2:], exit=False, verbosity=2)
    return 0 if prog.result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
