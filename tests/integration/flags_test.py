#!/usr/bin/env python3
"""Every flag of every command that reads exports means something, with and without -c.

For each command that takes both FILE and -c (report, check), and for init (FILE only) and
tree (-c only), the flags are read from its --help, so a new flag without a case here fails this
test. Each flag has a case: the extra
arguments, the arguments they are compared against (base), and the fixture. The test runs the
command with base and with base + the flag, once without -c and once with a definition, and
fails when a flag is accepted (exit 0 or 1) and the run is the same as without it: same exit
code, stdout, stderr and files written. A flag that cannot apply in a mode must be refused with
exit 2 and a message that says why (REFUSED below, with words the message must hold).

    flags_test.py CRMKPI
"""
import os
import shutil
import subprocess
import sys
import tempfile

# Flags whose effect is invisible by design; each with the reason and where it is tested.
EXEMPT = {
    "-h": "prints the help (the flag list this test reads)",
    "--threads": "results are identical on any thread count by design "
                 "(tests/integration/parallel_test.py compares them)",
}

DEALS = """id,owner,stage,amount,created,close_date
1,Sato,won,100,2024-01-10,2024-01-31T20:00:00Z
2,Sato,lost,50,2024-01-05,2024-02-10
3,Ito,proposal,70,2024-02-01,
4,Ito,signed,30,2024-02-03,2024-02-29T23:30:00Z
5,Ito,dead,20,2024-03-01,2024-03-05
6,SATO,qualified,10,2024-03-02,N/A
7,Ｓａｔｏ,lead,5,2024-03-03,
8,Sato K,lead,5,2024-03-04,
"""

FIXTURES = {
    "deals.csv": DEALS,
    "deals_b.csv": DEALS.replace("Ito", "Kato").replace(",100,", ",900,"),
    "deals_semi.csv": DEALS.replace(",", ";"),
    # ';'-separated, and the header splits into more fields at ',' (its last name holds seven
    # commas): the default --delimiter auto takes the most fields, so -d ';' changes the run.
    "deals_semi_tie.csv": "".join(
        line + (';"note (a,b,c,d,e,f,g,h)"' if i == 0 else ";") + "\n"
        for i, line in enumerate(DEALS.replace(",", ";").splitlines())),
    "deals_rep.csv": DEALS.replace("id,owner,", "id,Rep,"),
    "deals_badrow.csv": DEALS + "9,Ito,won,1,2024-03-04,2024-03-05,extra\n",
    "deals_warn.csv": DEALS + "9,Ito,won,abc,2024-03-04,2024-03-05\n",
    "deals_empty.csv": DEALS.splitlines()[0] + "\n",
    # Amounts in two currencies: --fx converts them into one.
    "deals_fx.csv": "".join(
        line + (",currency" if i == 0 else (",USD" if i % 2 else ",JPY")) + "\n"
        for i, line in enumerate(DEALS.splitlines())),
    # The counts of CHECK_INI's checks as `crmkpi sql`'s script returns them (docs/scale.md).
    "check_long.csv": "metric,group_by,period,period_start,period_end,value,numerator,denominator,"
                      "n,censored,reason,currency,excluded\n" + "".join(
        f"@check:{name},,,,,{value},,,,,{count},,\n" for name, count, value in (
            ("owner_required", "rows", 8), ("owner_required", "missing:owner", 3),
            ("owner_required", "complete_records", 5), ("closed_required", "rows", 8),
            ("closed_required", "missing:close_date", 0), ("closed_required", "complete_records", 8),
            *[(v, c, n) for v in ("won_amount", "lost_amount", "reached_amount")
              for c, n in (("rows", 8), ("n", 2), ("invalid", 1), ("missing", 0),
                           ("not_applicable", 6))],
            ("fresh", "rows", 8), ("fresh", "n", 5), ("fresh", "stale", 1), ("fresh", "missing", 3),
            ("fresh", "invalid_timestamps", 0), ("fresh", "newest", "2024-03-05T00:00:00Z"),
            ("fresh", "as_of", "2024-03-31T00:00:00Z"))),
    # A target for the total: without it, win_rate has none.
    "targets.csv": "kpi,target\nwin_rate,50%\n",
    # The tree's KGI against 900, not the definition's 500.
    "tree_targets.csv": "kpi,target\nrevenue_kpi,900\n",
    # An owner with an East Asian ambiguous character (○, which NFKC keeps): 1 or 2 columns (--ambiguous-wide).
    "deals_amb.csv": DEALS.replace("Ito,", "Ito ○,"),
    "exists.ini": "; a definition init must not replace without --force\n",
    "deals_dmy.csv": """id,owner,stage,amount,created,close_date
1,Sato,won,100,13/01/2024,31/01/2024
2,Ito,won,50,02/03/2024,20/03/2024
3,Ito,open,50,02/03/2024,
""",
}

REPORT_INI = """[source deals]
file = deals.csv
stages = lead, qualified, proposal, won

[metric deals]
source = deals

[metric won]
source = deals
where = stage is won

[metric lost]
source = deals
where = stage is lost

[metric reached]
source = deals
where = stage reached qualified

[metric revenue]
source = deals
type = sum
column = amount
where = stage is won

[metric cycle]
source = deals
type = median
duration = created..closed
where = stage is won

[kpi win_rate]
formula = won / (won + lost)
unit = ratio

[kpi opportunities]
formula = reached

[kpi revenue_kpi]
formula = revenue

[kpi cycle_kpi]
formula = cycle
"""

# Two sources: a source flag needs --for.
REPORT_INI2 = REPORT_INI + """
[source other]
file = deals_b.csv

[metric other_deals]
source = other
"""

CHECK_INI = """[source deals]
file = deals.csv
stages = lead, qualified, proposal, won

[check owner_required]
type = completeness
source = deals
columns = owner

[check closed_required]
type = completeness
source = deals
columns = close_date
warn = 0

[check won_amount]
type = validity
source = deals
column = amount
rule = >= 60
when = stage is won

[check lost_amount]
type = validity
source = deals
column = amount
rule = >= 60
when = stage is lost

[check reached_amount]
type = validity
source = deals
column = amount
rule = >= 60
when = stage reached qualified

[check fresh]
type = timeliness
source = deals
column = close_date
max_age_days = 30
"""

CHECK_INI2 = CHECK_INI + """
[source other]
file = deals_b.csv

[check other_owner]
type = completeness
source = other
columns = owner
"""


def case(args, base=(), file="deals.csv", plain=None, with_c=None, ini=None, base_c=None):
    """plain / with_c: None = must change the run; ("refused", words) = exit 2 naming why;
    ("mode", _) = the flag is the mode itself (-c). base_c: the base with -c (default: base
    for report; nothing for check, whose -c checks are the INI's)."""
    return dict(args=list(args), base=list(base), file=file, plain=plain, with_c=with_c,
                ini=ini, base_c=None if base_c is None else list(base_c))


def refused(*words):
    return ("refused", words)


MODE = ("mode", ())

REPORT = {
    "--by": case(["--by", "owner"]),
    "--period": case(["--period", "month"]),
    "--period-of": case(["--period-of", "created"], base=["--period", "month"]),
    "--won": case(["--won", "won,signed"]),
    "--lost": case(["--lost", "lost,dead"]),
    # The INI's order is lead, qualified, proposal, won: this one moves proposal before qualified.
    "--stages": case(["--stages", "lead,proposal,qualified,won"],
                     base=["--opportunity-stage", "qualified"], base_c=[]),
    "--opportunity-stage": case(["--opportunity-stage", "qualified"],
                                base=["--stages", "lead,qualified,proposal,won"],
                                with_c=refused("--opportunity-stage", "stage reached")),
    "--lost-reached": case(["--lost-reached", "opportunity"],
                           base=["--stages", "lead,qualified,proposal,won",
                                 "--opportunity-stage", "qualified"], base_c=[]),
    "--date-format": case(["--date-format", "%d/%m/%Y"], file="deals_dmy.csv"),
    "--tz": case(["--tz", "Asia/Tokyo"], base=["--period", "month"]),
    "--as-of": case(["--as-of", "2024-12-31"]),
    "--lenient": case(["--lenient"], file="deals_badrow.csv"),
    "--format": case(["-f", "json"]),
    "--output": case(["-o", "{out}/report.txt"]),
    "--quiet": case(["-q"], file="deals_warn.csv"),
    # A byte-order mark first; a JSON document never has one.
    "--bom": case(["--bom"], base=["-f", "csv"]),
    # The labels' 受注率 (and the heading's ·) in CP932 bytes.
    "--output-encoding": case(["--output-encoding", "cp932"]),
    "--delimiter": case(["-d", ";"], file="deals_semi_tie.csv"),
    "--encoding": case(["--encoding", "cp932"], file="deals_cp932.csv"),
    "--map": case(["--map", "owner=Rep"], base=["--by", "owner"], file="deals_rep.csv"),
    "--config": case([], plain=MODE, with_c=MODE),
    "--source": case(["--source", "deals={dir}/deals_b.csv"], file=None,
                     plain=refused("--source", "-c")),
    # With -c: the definition's [check] sections too (and check's exit code, 1 here).
    "--checks": case(["--checks"], plain=refused("--checks", "-c"),
                     ini=REPORT_INI + CHECK_INI.split("stages = lead, qualified, proposal, won\n", 1)[1]),
    "--for": case(["--for", "deals"], base=["--won", "won,signed"], file=None, ini=REPORT_INI2,
                  plain=refused("--for", "-c")),
    # SATO, Ｓａｔｏ and Sato: Ｓａｔｏ is Sato after NFKC, one group unless --exact-groups.
    "--exact-groups": case(["--exact-groups"], base=["--by", "owner"]),
    # USD and JPY amounts: per currency without rates, converted into JPY with them.
    "--fx": case(["--fx", "JPY=1,USD=150"], file="deals_fx.csv"),
    # January–March closes are FY2023 Q4 from an April start (2024-Q1 otherwise).
    "--fiscal-year-start": case(["--fiscal-year-start", "4"], base=["--period", "quarter"]),
    "--fiscal-year-name": case(["--fiscal-year-name", "end"],
                               base=["--period", "quarter", "--fiscal-year-start", "4"]),
    # 2024-02-10 is a Saturday: its Sunday week starts on 02-04, its ISO week on 02-05.
    "--week-start": case(["--week-start", "sunday"], base=["--period", "week"]),
    "--lang": case(["--lang", "ja"], base=["--period", "quarter"]),
    # Months 2024-01 … 03 each have closes: February and March get a previous month.
    "--compare": case(["--compare", "previous"], base=["--period", "month"]),
    # Three months have closes: the last two keep theirs, January's rows go.
    "--trend": case(["--trend", "2"], base=["--period", "month"]),
    # REPORT_INI has lint findings (no [tree], no definitions): one lint line, hidden.
    "--no-lint": case(["--no-lint"], plain=refused("--no-lint", "-c")),
    "--targets": case(["--targets", "{dir}/targets.csv"], plain=refused("--targets", "-c")),
    # Terminal output: any table is wider than 30 columns; "n/a (0/0)" of an owner without
    # closed deals is dimmed (and "no target" with -c); the owner "Ito ○" is 5 or 6 columns wide.
    "--width": case(["--width", "30"]),
    "--color": case(["--color", "always"], base=["--by", "owner"]),
    "--columns": case(["--columns", "KPI,value"]),
    "--kpis": case(["--kpis", "win_rate"]),
    "--ambiguous-wide": case(["--ambiguous-wide"], base=["--by", "owner"], file="deals_amb.csv"),
    # An audience view: only win_rate, by owner and month.
    # The long result of the same definition over deals_b.csv: other numbers, no source read.
    "--metrics": case(["--metrics", "{dir}/report_long.csv"], plain=refused("--metrics", "-c")),
    "--view": case(["--view", "owners"], plain=refused("--view", "-c"),
                   ini=REPORT_INI + "\n[view owners]\naudience = 営業\nkpis = win_rate\n"
                                    "period = month\nby = owner\n"),
}

FLAG_ONLY = refused("for checks given by flags")
NOT_BOTH = refused("not both")
CHECK = {
    "--require": case(["--require", "close_date"], base=["--unique", "id"], with_c=NOT_BOTH),
    "--unique": case(["--unique", "owner"], base=["--require", "owner"], with_c=NOT_BOTH),
    "--normalize": case(["--normalize", "nfkc,lower"], base=["--unique", "owner"],
                        with_c=FLAG_ONLY),
    "--near": case(["--near", "0.6"], base=["--unique", "owner"], with_c=FLAG_ONLY),
    "--valid": case(["--valid", "amount=>= 60"], base=["--require", "owner"], with_c=NOT_BOTH),
    "--max-age-days": case(["--max-age-days", "close_date=30"], base=["--require", "owner"],
                           with_c=NOT_BOTH),
    "--min-rows": case(["--min-rows", "100"], base=["--require", "owner"], with_c=NOT_BOTH),
    "--expect-columns": case(["--expect-columns", "id,owner,extra"],
                             base=["--require", "owner"], with_c=NOT_BOTH),
    "--extra-columns": case(["--extra-columns", "fail"], base=["--expect-columns", "id,owner"],
                            with_c=FLAG_ONLY),
    "--allow-empty": case(["--allow-empty"], base=["--require", "owner"],
                          file="deals_empty.csv"),
    "--max-missing": case(["--max-missing", "0"], base=["--require", "close_date"],
                          with_c=FLAG_ONLY),
    "--warn-missing": case(["--warn-missing", "0"], base=["--require", "close_date"],
                           with_c=FLAG_ONLY),
    "--max-duplicates": case(["--max-duplicates", "0"], base=["--unique", "owner"],
                             with_c=FLAG_ONLY),
    "--warn-duplicates": case(["--warn-duplicates", "0"], base=["--unique", "owner"],
                              with_c=FLAG_ONLY),
    "--max-invalid": case(["--max-invalid", "0"], base=["--valid", "amount=>= 60"],
                          with_c=FLAG_ONLY),
    "--warn-invalid": case(["--warn-invalid", "0"], base=["--valid", "amount=>= 60"],
                           with_c=FLAG_ONLY),
    "--max-stale": case(["--max-stale", "0"],
                        base=["--max-age-days", "close_date=30", "--as-of", "2024-06-30"],
                        with_c=FLAG_ONLY),
    "--warn-stale": case(["--warn-stale", "0"],
                         base=["--max-age-days", "close_date=30", "--as-of", "2024-06-30"],
                         with_c=FLAG_ONLY),
    "--missing-tokens": case(["--missing-tokens", "N/A"], base=["--require", "close_date"]),
    "--as-of": case(["--as-of", "2024-03-01"], base=["--max-age-days", "close_date=30"]),
    "--samples": case(["--samples", "1"], base=["--require", "close_date", "-f", "json"]),
    # Counts a warehouse computed for CHECK_INI's checks (crmkpi sql), not those of deals.csv.
    "--metrics": case(["--metrics", "{dir}/check_long.csv"], plain=refused("--metrics", "-c")),
    "--invalid-out": case(["--invalid-out", "{out}/bad.csv"], base=["--require", "close_date"]),
    "--fail-on-warn": case(["--fail-on-warn"],
                           base=["--require", "close_date", "--warn-missing", "0"]),
    "--format": case(["-f", "json"], base=["--require", "owner"]),
    "--output": case(["-o", "{out}/checks.txt"], base=["--require", "owner"]),
    "--bom": case(["--bom"], base=["--require", "owner"]),
    # --output-encoding: with JUnit (XML declaring UTF-8) it is refused.
    "--output-encoding": case(["--output-encoding", "cp932"],
                              base=["--require", "owner", "-f", "junit"], base_c=["-f", "junit"],
                              plain=refused("--output-encoding", "junit"),
                              with_c=refused("--output-encoding", "junit")),
    "--quiet": case(["-q"], base=["--require", "owner", "-o", "{out}/checks.txt"],
                    base_c=["-o", "{out}/checks.txt"]),
    "--won": case(["--won", "won,signed"], base=["--valid", "amount=>= 60 when stage is won"]),
    "--lost": case(["--lost", "lost,dead"],
                   base=["--valid", "amount=>= 60 when stage is lost"]),
    "--stages": case(["--stages", "lead,proposal,qualified,won"],
                     base=["--valid", "amount=>= 60 when stage reached qualified"]),
    "--date-format": case(["--date-format", "%d/%m/%Y"],
                          base=["--max-age-days", "close_date=30", "--as-of", "2024-03-01"],
                          file="deals_dmy.csv"),
    "--tz": case(["--tz", "Pacific/Kiritimati"],
                 base=["--max-age-days", "close_date=30", "--as-of", "2024-03-31T10:00:00"]),
    "--delimiter": case(["-d", ";"], base=["--require", "owner"], file="deals_semi_tie.csv"),
    "--encoding": case(["--encoding", "cp932"], base=["--require", "owner"],
                       file="deals_cp932.csv"),
    "--map": case(["--map", "owner=Rep"], base=["--require", "owner"], file="deals_rep.csv"),
    "--config": case([], plain=MODE, with_c=MODE),
    "--source": case(["--source", "deals={dir}/deals_b.csv"], base=["--require", "owner"],
                     file=None, plain=refused("--source", "-c")),
    "--for": case(["--for", "deals"], base=["--won", "won,signed"], file=None, ini=CHECK_INI2,
                  base_c=["--won", "won,signed"],
                  plain=refused("--for", "-c")),
    # Terminal output: the table is wider than 30 columns and FAIL/PASS are coloured; the
    # duplicate owner "Ito ○" in the samples is 6 or 7 columns wide.
    "--width": case(["--width", "30"], base=["--require", "owner"]),
    "--color": case(["--color", "always"], base=["--require", "owner"]),
    "--columns": case(["--columns", "status,check"], base=["--require", "owner"]),
    # The flag check's name without -c, the INI's with it.
    "--lang": case(["--lang", "ja"], base=["--require", "owner"]),  # 状態, チェック, 違反, …
    "--kpis": case(["--kpis", "completeness:id,owner_required"],
                   base=["--require", "id", "--unique", "id"]),
    "--ambiguous-wide": case(["--ambiguous-wide"], base=["--unique", "owner"],
                             file="deals_amb.csv", base_c=[],
                             ini=CHECK_INI + "\n[check owner_unique]\ntype = uniqueness\n"
                                             "source = deals\ncolumns = owner\n"),
}

# tree has only the -c mode. A tree whose middle node won_deals has no target (derived from
# deal_count × win_rate); deals are grouped by owner, so the JSON's flat KPIs have groups.
TREE_INI = """[source deals]
file = deals.csv
stages = lead, qualified, proposal, won

[metric deals]
source = deals
by = owner

[metric won]
source = deals
where = stage is won

[metric revenue]
source = deals
type = sum
column = amount
where = stage is won

[kpi win_rate]
formula = won / deals
unit = ratio
target = 50%

[kpi deal_count]
formula = deals
target = 10

[kpi won_deals]
formula = deal_count * win_rate

[kpi avg_deal]
formula = revenue / won
target = 100

[kpi revenue_kpi]
formula = revenue
target = 500

[tree]
kgi = revenue_kpi
revenue_kpi = won_deals * avg_deal
won_deals = deal_count * win_rate
"""


def tcase(args, base=(), ini=None):
    return case(args, base=base, plain=MODE, ini=ini)


# The closes fall in 2024-01, -02 and -03 (no as-of in the INI: --period takes the latest month
# with rows, 2024-03, unless --as-of says otherwise).
TREE = {
    "--config": case([], plain=MODE, with_c=MODE),
    "--source": tcase(["--source", "deals={dir}/deals_b.csv"]),  # Kato's 900 won: revenue 900
    "--set": tcase(["--set", "win_rate=50%"]),
    # Against the targets for 2024-03, or against 2024-02.
    "--baseline": tcase(["--baseline", "previous"], base=["--period", "month"]),
    "--baseline-source": tcase(["--baseline-source", "deals={dir}/deals_b.csv"]),
    "--period": tcase(["--period", "month"]),
    "--format": tcase(["-f", "json"]),
    "--output": tcase(["-o", "{out}/tree.txt"]),
    "--bom": tcase(["--bom"]),
    # The tree's × and ≤ in CP932; with -f json refused.
    "--output-encoding": case(["--output-encoding", "cp932"], plain=MODE,
                              with_c=None),
    "--as-of": tcase(["--as-of", "2024-02-15"], base=["--period", "month"]),
    # TREE_INI has lint findings: -q and --no-lint hide the lint line.
    "--quiet": tcase(["-q"]),
    "--no-lint": tcase(["--no-lint"]),
    # SATO, Ｓａｔｏ and Sato in the flat KPIs by owner.
    "--exact-groups": tcase(["--exact-groups"], base=["-f", "json"]),
    "--fx": tcase(["--fx", "JPY=1,USD=150"], ini=TREE_INI.replace("deals.csv", "deals_fx.csv")),
    "--fiscal-year-start": tcase(["--fiscal-year-start", "4"], base=["--period", "quarter"]),
    "--fiscal-year-name": tcase(["--fiscal-year-name", "end"],
                                base=["--period", "quarter", "--fiscal-year-start", "4"]),
    # The last close, 2024-03-05 (a Tuesday): ISO week 2024-W10 or the week of Sunday 03-03.
    "--week-start": tcase(["--week-start", "sunday"], base=["--period", "week"]),
    "--lang": tcase(["--lang", "ja"], base=["--period", "quarter"]),
    "--targets": tcase(["--targets", "{dir}/tree_targets.csv"]),
    # Each owner's tree after the whole data's.
    "--by": tcase(["--by", "owner"]),
    # Terminal output: the tree is wider than 40 columns, its statuses are coloured, and its
    # lines (├─, ambiguous) are 1 or 2 columns each.
    "--width": tcase(["--width", "40"]),
    "--color": tcase(["--color", "always"]),
    "--columns": tcase(["--columns", "node,actual"]),
    "--kpis": tcase(["--kpis", "revenue_kpi,win_rate"]),
    "--ambiguous-wide": tcase(["--ambiguous-wide"]),
    # The long result of TREE_INI over deals_b.csv (Kato's 900 won): revenue 900.
    "--metrics": tcase(["--metrics", "{dir}/tree_long.json"]),
}

# Long results made by `crmkpi metrics` before the cases run: (file, definition, arguments).
GENERATED = [
    ("report_long.csv", "REPORT_INI", ["--source", "deals={dir}/deals_b.csv"]),
    ("tree_long.json", "TREE_INI", ["--source", "deals={dir}/deals_b.csv", "-f", "json"]),
]

NO_C = ("mode", ())  # a command without -c: only the run without it
INIT = {
    "--by": case(["--by", "owner"], with_c=NO_C),
    "--period": case(["--period", "month"], with_c=NO_C),
    "--period-of": case(["--period-of", "created"], base=["--period", "month"], with_c=NO_C),
    "--won": case(["--won", "won,signed"], with_c=NO_C),
    "--lost": case(["--lost", "lost,dead"], with_c=NO_C),
    "--stages": case(["--stages", "lead,qualified,proposal,won"],
                     base=["--opportunity-stage", "qualified"], with_c=NO_C),
    "--opportunity-stage": case(["--opportunity-stage", "qualified"],
                                base=["--stages", "lead,qualified,proposal,won"], with_c=NO_C),
    "--lost-reached": case(["--lost-reached", "opportunity"],
                           base=["--stages", "lead,qualified,proposal,won",
                                 "--opportunity-stage", "qualified"], with_c=NO_C),
    "--date-format": case(["--date-format", "%d/%m/%Y"], file="deals_dmy.csv", with_c=NO_C),
    "--tz": case(["--tz", "Asia/Tokyo"], with_c=NO_C),
    "--as-of": case(["--as-of", "2024-12-31"], with_c=NO_C),
    "--lenient": case(["--lenient"], with_c=NO_C),
    "--checks": case(["--checks"], with_c=NO_C),
    "--output": case(["-o", "{out}/kpi.ini"], with_c=NO_C),
    # exists.ini is a fixture: without --force init refuses to replace it.
    "--force": case(["--force"], base=["-o", "{dir}/exists.ini"], with_c=NO_C),
    "--quiet": case(["-q"], base=["-o", "{out}/kpi.ini"], with_c=NO_C),
    "--delimiter": case(["-d", ";"], file="deals_semi_tie.csv", with_c=NO_C),
    "--encoding": case(["--encoding", "cp932"], file="deals_cp932.csv", with_c=NO_C),
    "--map": case(["--map", "owner=Rep"], file="deals_rep.csv", with_c=NO_C),
    "--exact-groups": case(["--exact-groups"], with_c=NO_C),
    "--fx": case(["--fx", "JPY=1,USD=150"], file="deals_fx.csv", with_c=NO_C),
    "--fiscal-year-start": case(["--fiscal-year-start", "4"], with_c=NO_C),
    "--fiscal-year-name": case(["--fiscal-year-name", "end"], with_c=NO_C),
    "--week-start": case(["--week-start", "sunday"], with_c=NO_C),
    "--lang": case(["--lang", "ja"], with_c=NO_C),
}

# Commands that take only -c (no FILE): every case runs with a definition only.
C_ONLY = ("mode", ())

# describe reads no data: a definition with a Japanese label, a formula and a target.
DESCRIBE_INI = REPORT_INI.replace("[kpi win_rate]\n", "[kpi win_rate]\nlabel = 受注率\ntarget = 30%\n")
DESCRIBE = {
    "--config": case([], plain=MODE, with_c=MODE),
    "--format": case(["-f", "json"], plain=C_ONLY),
    "--output": case(["-o", "{out}/sheet.md"], plain=C_ONLY),
    # -o writes a note on stderr ("describe: 1 KPI …"); -q drops it.
    "--quiet": case(["-q"], base=["-o", "{out}/sheet.md"], base_c=["-o", "{out}/sheet.md"],
                    plain=C_ONLY),
    "--lang": case(["--lang", "ja"], plain=C_ONLY),
    "--width": case(["--width", "30"], plain=C_ONLY),
    "--bom": case(["--bom"], plain=C_ONLY),
    "--output-encoding": case(["--output-encoding", "cp932"], base=["--lang", "ja"],
                              base_c=["--lang", "ja"], plain=C_ONLY),
}

# lint: a target of 300 on the won amount (REPORT_INI's metric revenue) and a review date. deals.csv's only won deal (100,
# January) makes the target more than 2x the best month with --data; deals_b.csv's (900) does
# not. Without an as-of in the definition, --as-of makes the 2024-01-31 review stale.
LINT_INI = REPORT_INI + """
[kpi won_revenue]
formula = revenue
target = 300
deadline = 2024-12-31
last_review = 2024-01-31
"""
LINT = {
    "--config": case([], plain=MODE, with_c=MODE),
    "--as-of": case(["--as-of", "2024-12-31"], plain=C_ONLY),
    "--format": case(["-f", "json"], plain=C_ONLY),
    "--bom": case(["--bom"], plain=C_ONLY),
    # The findings are ASCII: the CP932 output is the same bytes; -f json refuses it.
    "--output-encoding": case(["--output-encoding", "cp932"], base_c=["-f", "json"],
                              plain=C_ONLY, with_c=refused("--output-encoding", "json")),
    "--data": case(["--data"], plain=C_ONLY),
    "--source": case(["--source", "deals={dir}/deals_b.csv"], base_c=["--data"], plain=C_ONLY),
    "--width": case(["--width", "30"], plain=C_ONLY),
}

COMMANDS = {"report": (REPORT, REPORT_INI), "check": (CHECK, CHECK_INI), "init": (INIT, ""),
            "tree": (TREE, TREE_INI), "describe": (DESCRIBE, DESCRIBE_INI),
            "lint": (LINT, LINT_INI)}
MIN_FLAGS = {"describe": 5, "lint": 5}  # the others: 10 (a help text that lost its flags fails)


def help_flags(exe, command):
    """The long name (or the only name) of every option in `crmkpi COMMAND --help`."""
    out = subprocess.run([exe, command, "--help"], capture_output=True, text=True).stdout
    flags = []
    for line in out.splitlines():
        s = line.strip()
        if not s.startswith("-"):
            continue
        names = s.split()[0].split(",")
        longs = [n for n in names if n.startswith("--")]
        flags.append(longs[0] if longs else names[0])
    return flags


def run(exe, argv, cwd, out_dir):
    for f in os.listdir(out_dir):
        os.remove(os.path.join(out_dir, f))
    p = subprocess.run([exe] + argv, cwd=cwd, capture_output=True, timeout=60)
    files = {}
    for f in sorted(os.listdir(out_dir)):
        with open(os.path.join(out_dir, f), "rb") as fh:
            files[f] = fh.read()
    return p.returncode, p.stdout, p.stderr, files


def main():
    exe = os.path.abspath(sys.argv[1])
    failures = []
    checked = 0
    with tempfile.TemporaryDirectory() as d:
        out_dir = os.path.join(d, "out")
        os.mkdir(out_dir)
        for name, text in FIXTURES.items():
            with open(os.path.join(d, name), "w", encoding="utf-8") as f:
                f.write(text)
        with open(os.path.join(d, "deals_cp932.csv"), "wb") as f:
            f.write(DEALS.replace("id,owner,", "id,担当者,").replace("Ｓａｔｏ", "佐藤")
                    .encode("cp932"))

        def expand(args):
            return [a.replace("{out}", out_dir).replace("{dir}", d) for a in args]

        for name, ini_name, args in GENERATED:
            ini = os.path.join(d, f"long_{name}.ini")
            with open(ini, "w", encoding="utf-8") as f:
                f.write(globals()[ini_name])
            p = subprocess.run([exe, "metrics", "-c", ini, "-q", "-o", os.path.join(d, name)]
                               + expand(args), cwd=d, capture_output=True, timeout=60)
            if p.returncode != 0:
                failures.append(f"crmkpi metrics for {name}: exit {p.returncode}: "
                                f"{p.stderr.decode()[:300]}")

        for command, (cases, ini_text) in COMMANDS.items():
            flags = help_flags(exe, command)
            if len(flags) < MIN_FLAGS.get(command, 10):
                failures.append(f"{command} --help lists {len(flags)} flags: {flags}")
            for flag in flags:
                if flag in EXEMPT or flag == "--help":
                    continue
                if flag not in cases:
                    failures.append(f"{command} {flag}: no case in flags_test.py (each flag "
                                    f"must be shown to change the run, with and without -c)")
                    continue
                c = cases[flag]
                for mode in ("plain", "with_c"):
                    expect = c[mode]
                    if expect == MODE:
                        continue
                    argv = [command]
                    if mode == "with_c":
                        ini = os.path.join(d, f"{command}_{flag.strip('-')}.ini")
                        with open(ini, "w", encoding="utf-8") as f:
                            f.write(c["ini"] or ini_text)
                        argv += ["-c", ini]
                        if c["file"] not in (None, "deals.csv"):
                            argv.append(os.path.join(d, c["file"]))
                    else:
                        argv.append(os.path.join(d, c["file"] or "deals.csv"))
                    base_args = c["base"]
                    if mode == "with_c":
                        base_args = c["base_c"] if c["base_c"] is not None else (
                            c["base"] if command in ("report", "tree") else [])
                    base = run(exe, argv + expand(base_args), d, out_dir)
                    with_flag = run(exe, argv + expand(base_args + c["args"]), d, out_dir)
                    checked += 1
                    label = f"{command} {flag} ({'with -c' if mode == 'with_c' else 'without -c'})"
                    if expect is None:
                        if with_flag[0] == 2:
                            failures.append(f"{label}: refused: {with_flag[2].decode()[:300]}")
                        elif with_flag == base:
                            failures.append(f"{label}: accepted and changes nothing "
                                            f"(exit {base[0]}; stdout {base[1][:200]!r})")
                    else:
                        words = expect[1]
                        msg = with_flag[2].decode("utf-8", "replace")
                        if with_flag[0] != 2 or not all(w in msg for w in words):
                            failures.append(f"{label}: expected exit 2 saying {words}, got "
                                            f"exit {with_flag[0]}: {msg[:300]!r}")
    for f in failures:
        print("FAIL:", f)
    print(f"{checked} flag runs checked, {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
