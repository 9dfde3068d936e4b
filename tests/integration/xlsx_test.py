#!/usr/bin/env python3
"""-f xlsx of every command on the shipped examples, read back with zipfile + xml.etree.

For each command: the file is a zip whose sheets are the expected ones plus "Settings" (with
the command line and the crmkpi version); every sheet has its header row frozen
(<pane ... state="frozen">) and an autofilter over the table; numbers are numeric cells (no
t="s"/"str"/"inlineStr") equal to the JSON output of the same run, and their number formats are
the ones docs/cli.md promises (counts and yen #,##0, ratios 0.0%, days 0.0). Also: text cells
that look like formulas get a leading apostrophe, a sheet name too long or with []:*?/\\ is made
valid, -f xlsx to a terminal is refused (exit 2, hint -o), --bom with xlsx is refused, and -o
writes the file atomically.

    xlsx_test.py CRMKPI EXAMPLES_DIR
"""
import json
import math
import os
import pty
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
import xml.etree.ElementTree as ET

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
BUILTIN_FORMATS = {0: "General", 3: "#,##0", 4: "#,##0.00", 9: "0%", 10: "0.00%"}
UNIT_FORMAT = {"count": "#,##0", "ratio": "0.0%", "amount": "#,##0", "days": "0.0",
               "hours": "0.0", "number": "General"}

failures = []
compared = [0]  # numbers compared with the JSON (a test that compares none cannot fail)


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def col_index(ref):
    n = 0
    for ch in ref:
        if not ch.isalpha():
            break
        n = n * 26 + (ord(ch.upper()) - 64)
    return n - 1


class Workbook:
    """The sheets of an .xlsx: name → {"rows": [[cell...]], "xml": root}; a cell is
    (kind, value, format code) with kind "n" (number), "s" (text) or None (no cell)."""

    def __init__(self, data):
        import io
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        names = self.zip.namelist()
        strings = []
        if "xl/sharedStrings.xml" in names:
            for si in ET.fromstring(self.zip.read("xl/sharedStrings.xml")).findall("m:si", NS):
                strings.append("".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t")))
        styles = ET.fromstring(self.zip.read("xl/styles.xml"))
        codes = dict(BUILTIN_FORMATS)
        for nf in styles.findall("m:numFmts/m:numFmt", NS):
            codes[int(nf.get("numFmtId"))] = nf.get("formatCode")
        xf_codes = [codes.get(int(xf.get("numFmtId", "0")), "?")
                    for xf in styles.findall("m:cellXfs/m:xf", NS)]
        rels = {r.get("Id"): r.get("Target") for r in ET.fromstring(
            self.zip.read("xl/_rels/workbook.xml.rels"))}
        self.sheets = {}
        self.order = []
        for s in ET.fromstring(self.zip.read("xl/workbook.xml")).findall("m:sheets/m:sheet", NS):
            root = ET.fromstring(self.zip.read("xl/" + rels[s.get(REL)]))
            rows = []
            for row in root.findall("m:sheetData/m:row", NS):
                r = int(row.get("r")) - 1
                while len(rows) <= r:
                    rows.append([])
                for c in row.findall("m:c", NS):
                    i = col_index(c.get("r"))
                    while len(rows[r]) <= i:
                        rows[r].append((None, None, None))
                    t = c.get("t", "n")
                    v = c.find("m:v", NS)
                    code = xf_codes[int(c.get("s", "0"))]
                    if t == "s":
                        rows[r][i] = ("s", strings[int(v.text)], code)
                    elif t == "n":
                        rows[r][i] = ("n", float(v.text), code)
                    else:
                        rows[r][i] = (t, v.text if v is not None else None, code)
            self.sheets[s.get("name")] = {"rows": rows, "xml": root}
            self.order.append(s.get("name"))

    def table(self, name):
        """Header names and the data rows as dicts header → cell."""
        rows = self.sheets[name]["rows"]
        head = [c[1] for c in rows[0]]
        out = []
        for r in rows[1:]:
            out.append({h: (r[i] if i < len(r) else (None, None, None))
                        for i, h in enumerate(head)})
        return head, out


def close(a, b):
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


def run(exe, args, cwd, stdout=subprocess.PIPE):
    return subprocess.run([exe] + args, cwd=cwd, stdout=stdout, stderr=subprocess.PIPE,
                          timeout=120)


def check_structure(label, wb, expect_sheets):
    for s in expect_sheets + ["Settings"]:
        if s not in wb.sheets:
            fail(f"{label}: no sheet '{s}' (has {wb.order})")
    if wb.order and wb.order[-1] != "Settings":
        fail(f"{label}: Settings is not the last sheet: {wb.order}")
    for name in wb.order:
        sheet = wb.sheets[name]
        if len(name) > 31 or any(ch in name for ch in "[]:*?/\\"):
            fail(f"{label}: invalid sheet name {name!r}")
        pane = sheet["xml"].find("m:sheetViews/m:sheetView/m:pane", NS)
        if pane is None or pane.get("state") != "frozen" or pane.get("ySplit") != "1":
            fail(f"{label}/{name}: header row not frozen")
        af = sheet["xml"].find("m:autoFilter", NS)
        if af is None or not af.get("ref", "").startswith("A1:"):
            fail(f"{label}/{name}: no autofilter over the table")
        cols = sheet["xml"].findall("m:cols/m:col", NS)
        if not cols:
            fail(f"{label}/{name}: no column widths")
        # Widths by display width: East Asian wide and full-width characters count 2.
        widths = {int(c.get("min")) - 1: float(c.get("width")) for c in cols}
        for row in sheet["rows"]:
            for i, (kind, value, code) in enumerate(row):
                if kind == "s" and len(value) < 60:
                    w = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in value)
                    if widths.get(i, 0) < min(w, 80):  # the writer caps widths at 80
                        fail(f"{label}/{name}: column {i} width {widths.get(i)} < {w} "
                             f"of {value!r}")
        for row in sheet["rows"]:
            for kind, value, code in row:
                if kind not in (None, "n", "s"):
                    fail(f"{label}/{name}: a cell of type {kind!r} ({value!r})")
    settings = dict((r.get("setting", (0, ""))[1], r.get("value", (0, ""))[1])
                    for r in wb.table("Settings")[1]) if "Settings" in wb.sheets else {}
    if not str(settings.get("command line", "")).startswith("crmkpi "):
        fail(f"{label}: Settings has no command line: {settings}")
    if not settings.get("crmkpi version"):
        fail(f"{label}: Settings has no crmkpi version")
    return settings


def expect_number(label, cell, want, code=None):
    kind, value, fmt = cell
    if want is None:
        if kind is not None:
            fail(f"{label}: n/a should be an empty cell, got {cell}")
        return
    if kind != "n":
        fail(f"{label}: expected the number {want}, got {cell}")
        return
    compared[0] += 1
    if not close(value, float(want)):
        fail(f"{label}: {value} != JSON {want}")
    if code is not None and fmt != code:
        fail(f"{label}: number format {fmt!r}, expected {code!r}")


def report_like(label, wb, doc):
    """Total and the grouping sheets of report, dwell, forecast, roi against the JSON kpis."""
    head, rows = wb.table("Total")
    totals = [k for k in doc["kpis"] if not k["group"]]
    if len(rows) != len(totals):
        fail(f"{label}: Total has {len(rows)} rows, JSON {len(totals)} total KPIs")
    for k, r in zip(totals, rows):
        if r["kpi"][1] != k["id"]:
            fail(f"{label}: Total row {r['kpi'][1]} != {k['id']}")
            continue
        code = UNIT_FORMAT[k["unit"]]
        if k["unit"] == "amount" and k.get("currency") in ("USD", "EUR", "GBP"):
            code = "#,##0.00"
        expect_number(f"{label} Total {k['id']}", r["value"], k["value"], code)
        if k["value"] is None and k.get("reason") and not r["n/a reason"][1]:
            fail(f"{label}: {k['id']} n/a without its reason beside it")
        if "compared" in k:
            expect_number(f"{label} Total {k['id']} compared", r["compare_value"],
                          k["compared"]["value"])
            expect_number(f"{label} Total {k['id']} change", r["change"],
                          k["compared"]["change"])
        if "target" in k and k.get("status"):
            expect_number(f"{label} Total {k['id']} target", r["target"], k["target"])
            expect_number(f"{label} Total {k['id']} achievement", r["achievement"],
                          k["achievement"], "0.0%" if k["achievement"] is not None else None)
    # Groupings: one sheet per key tuple, KPI columns in the JSON's order.
    groups = {}
    for k in doc["kpis"]:
        if k["group"]:
            keys = tuple(k["group"].keys())
            groups.setdefault(keys, {}).setdefault(tuple(k["group"].values()), []).append(k)
    for keys, by_value in groups.items():
        name = ("By " + " × ".join(keys))[:31]
        if name not in wb.sheets:
            fail(f"{label}: no sheet {name!r} for the grouping {keys}")
            continue
        head = [c[1] for c in wb.sheets[name]["rows"][0]]
        kpi_cols = [i for i, h in enumerate(head)
                    if i >= len(keys) and not h.endswith((" n/a reason", " change"))]
        rows = wb.sheets[name]["rows"][1:]
        if len(rows) != len(by_value):
            fail(f"{label}/{name}: {len(rows)} rows, JSON {len(by_value)} groups")
        for row, (values, kpis) in zip(rows, by_value.items()):
            got = tuple((row[i][1] if i < len(row) and row[i][0] else "") for i in range(len(keys)))
            if got != values:
                fail(f"{label}/{name}: row keys {got} != {values}")
                continue
            if len(kpi_cols) != len(kpis):
                fail(f"{label}/{name}: {len(kpi_cols)} KPI columns, JSON {len(kpis)}")
                continue

            def at(i):
                return row[i] if i < len(row) else (None, None, None)

            for i, k in zip(kpi_cols, kpis):
                expect_number(f"{label}/{name} {values} {k['id']}", at(i), k["value"],
                              UNIT_FORMAT[k["unit"]] if k["unit"] != "amount" else None)
                after = {head[c]: at(c) for c in range(i + 1, min(i + 3, len(head)))}
                reason = after.get(head[i] + " n/a reason")
                if k["value"] is None and k.get("reason") and (reason is None or not reason[1]):
                    fail(f"{label}/{name} {values} {k['id']}: n/a without its reason beside it")
                change = after.get(head[i] + " change")
                if "compared" in k:
                    if change is None:
                        fail(f"{label}/{name}: no change column for {k['id']}")
                    else:
                        expect_number(f"{label}/{name} {values} {k['id']} change", change,
                                      k["compared"]["change"])


def tree_nodes(nodes, out):
    for n in nodes:
        out.append(n)
        tree_nodes(n["children"], out)
    return out


def main():
    exe = os.path.abspath(sys.argv[1])
    examples = os.path.abspath(sys.argv[2])
    cases = [
        ("report", ["report", "deals.csv", "--by", "owner", "--period", "quarter",
                    "--compare", "previous"], ["Total", "By period", "By owner × period"]),
        ("report -c", ["report", "-c", "sales_efficiency/kpi.ini"], ["Total"]),
        ("report --view", ["report", "-c", "sales_efficiency/kpi.ini", "--view", "manager"],
         ["Total"]),
        ("report --trend", ["report", "deals.csv", "--period", "quarter", "--trend", "3"],
         ["Total", "Trend"]),
        ("report 予実", ["report", "-c", "yojitsu/kpi.ini", "--compare", "previous",
                       "--trend", "3"], ["Total", "Trend", "Targets by period"]),
        ("report --checks", ["report", "-c", "quality/quality.ini", "--checks"],
         ["Total", "Checks", "Sources", "Samples"]),
        ("tree", ["tree", "-c", "sales_efficiency/kpi.ini"], ["KPI tree", "KPIs"]),
        ("check", ["check", "-c", "quality/quality.ini", "--as-of", "2026-11-01"],
         ["Checks", "Sources"]),
        ("dwell", ["dwell", "stage_history/history_long.csv", "--as-of", "2025-03-31"],
         ["Total", "By stage", "Stuck deals"]),
        ("forecast", ["forecast", "forecast/forecast.csv", "--actual", "forecast/deals.csv",
                      "--by", "owner"], ["Total", "By owner", "Rows"]),
        ("roi", ["roi", "-c", "roi/roi.ini"], ["Total", "Cash flow per month"]),
        ("views", ["views", "-c", "sales_efficiency/kpi.ini"], ["Views"]),
        ("describe", ["describe", "-c", "sales_efficiency/kpi.ini"], ["KPIs"]),
        ("lint", ["lint", "-c", "sales_efficiency/kpi.ini"], ["Findings"]),
        ("columns", ["columns", "deals.csv"], ["Columns"]),
    ]
    with tempfile.TemporaryDirectory(prefix="crmkpi-xlsx-") as tmp:
        for label, args, sheets in cases:
            xp = run(exe, args + ["-f", "xlsx"], examples)
            jp = run(exe, args + ["-f", "json"], examples)
            if xp.returncode not in (0, 1) or xp.returncode != jp.returncode:
                fail(f"{label}: exit {xp.returncode} (json {jp.returncode}): "
                     f"{xp.stderr.decode()[:300]}")
                continue
            if not xp.stdout.startswith(b"PK\x03\x04"):
                fail(f"{label}: stdout is not a zip")
                continue
            wb = Workbook(xp.stdout)
            settings = check_structure(label, wb, sheets)
            if "-c" in args and settings.get("definition") != args[args.index("-c") + 1]:
                fail(f"{label}: Settings names no definition: {settings}")
            if label in ("report", "dwell", "forecast") and not settings.get("as of"):
                fail(f"{label}: Settings has no as-of")
            doc = json.loads(jp.stdout)
            if label == "report --checks":
                report_like(label, wb, doc["report"])
            elif label.startswith("report") or label in ("dwell", "forecast", "roi"):
                report_like(label, wb, doc)
            elif label == "tree":
                head, rows = wb.table("KPI tree")
                nodes = tree_nodes(doc["tree"], [])
                if len(rows) != len(nodes):
                    fail(f"tree: {len(rows)} rows, JSON {len(nodes)} nodes")
                for n, r in zip(nodes, rows):
                    if r["node"][1].strip() != n["id"]:
                        fail(f"tree: node {r['node'][1]!r} != {n['id']}")
                    expect_number(f"tree {n['id']} actual", r["actual"], n["value"])
                    expect_number(f"tree {n['id']} target", r["target"], n["target"])
                    expect_number(f"tree {n['id']} achievement", r["achievement"],
                                  n["achievement"], "0.0%" if n["achievement"] is not None
                                  else None)
                    expect_number(f"tree {n['id']} share", r["contribution_share"],
                                  n["contribution_share"])
                report_like("tree KPIs", type("W", (), {
                    "table": lambda self, s: wb.table("KPIs" if s == "Total" else s),
                    "sheets": wb.sheets})(), doc)
            elif label == "check":
                head, rows = wb.table("Checks")
                if len(rows) != len(doc["checks"]):
                    fail(f"check: {len(rows)} rows, JSON {len(doc['checks'])}")
                for c, r in zip(doc["checks"], rows):
                    if r["name"][1] != c["name"]:
                        fail(f"check: {r['name'][1]} != {c['name']}")
                    want = None if c["value"] is None else c["value"] / 100.0
                    expect_number(f"check {c['name']} value", r["value"], want,
                                  "0.0%" if want is not None else None)
                    expect_number(f"check {c['name']} violations", r["violations"],
                                  c["numerator"], "#,##0" if c["numerator"] is not None else None)
                    expect_number(f"check {c['name']} denominator", r["denominator"],
                                  c["denominator"])
            elif label == "describe":
                head, rows = wb.table("KPIs")
                for k, r in zip(doc["kpis"], rows):
                    expect_number(f"describe {k['id']} target", r["target"], k["target"])
            elif label == "lint":
                head, rows = wb.table("Findings")
                if len(rows) != len(doc["findings"]):
                    fail(f"lint: {len(rows)} rows, JSON {len(doc['findings'])}")
                for f, r in zip(doc["findings"], rows):
                    expect_number(f"lint {f['rule']} line", r["line"], f["line"], "#,##0")
            elif label == "columns":
                head, rows = wb.table("Columns")
                for c, r in zip(doc["columns"], rows):
                    expect_number(f"columns {c['name']} index", r["index"], c["index"])
                    if r["name"][1] != c["name"]:
                        fail(f"columns: {r['name'][1]} != {c['name']}")
            elif label == "views":
                head, rows = wb.table("Views")
                if [r["view"][1] for r in rows] != [v["name"] for v in doc["views"]]:
                    fail("views: the view names differ from the JSON's")

        # --output-encoding cp932: every command's own text converts (its look-alikes mapped,
        # docs/cli.md), and the bytes decode to the UTF-8 output: nothing vanished.
        look_alikes = {"\u301c": "\uff5e", "\u2212": "\uff0d", "\u00b7": "\u30fb",
                       "\u2014": "\u2015", "\u2016": "\u2225", "\u2013": "-", "\u2264": "\u2266",
                       "\u2265": "\u2267", "\u2308": "ceil(", "\u2309": ")"}
        for label, args, _ in cases:
            for fmt in ("table", "csv", "md"):
                if label == "report --checks" and fmt == "csv":
                    continue  # refused: three tables are not one CSV
                utf8 = run(exe, args + ["-f", fmt, "-q"], examples)
                sjis = run(exe, args + ["-f", fmt, "-q", "--output-encoding", "cp932"], examples)
                if sjis.returncode != utf8.returncode:
                    fail(f"{label} -f {fmt} cp932: exit {sjis.returncode}: "
                         f"{sjis.stderr.decode()[:300]}")
                    continue
                want = utf8.stdout.decode("utf-8")
                for a, b in look_alikes.items():
                    want = want.replace(a, b)
                # glibc writes ¥ U+00A5 as 0x5C, which Python's cp932 reads as a backslash.
                got = sjis.stdout.decode("cp932", "replace")
                if got != want.replace("\u00a5", "\\"):
                    fail(f"{label} -f {fmt} cp932: the text differs from the UTF-8 output")
        bom = run(exe, ["report", "deals.csv", "-f", "csv-excel", "-q"], examples)
        if not bom.stdout.startswith(b"\xef\xbb\xbfkpi,"):
            fail("-f csv-excel: no BOM")

        # Days with one decimal: dwell's median days.
        wb = Workbook(run(exe, ["dwell", "stage_history/history_long.csv", "--as-of",
                                "2025-03-31", "-f", "xlsx"], examples).stdout)
        head = wb.table("By stage")[0]
        rows = wb.sheets["By stage"]["rows"][1:]
        days = [r[i][2] for r in rows for i, h in enumerate(head)
                if h == "dwell_days_median" and i < len(r) and r[i][0] == "n"]
        if not days or set(days) != {"0.0"}:
            fail(f"dwell: days not formatted 0.0: {set(days)}")

        # Formula-looking text is neutralised; numbers keep their sign; sheet names are valid.
        with open(os.path.join(tmp, "evil.csv"), "w", encoding="utf-8") as f:
            f.write('deal_id,stage,amount,owner\n1,won,-500,"=HYPERLINK(""http://x"",""y"")"\n'
                    "2,lost,100,@SUM(A1)\n3,won,300,+1\n4,open,10,-cmd\n")
        p = run(exe, ["report", "evil.csv", "--by", "owner", "-f", "xlsx"], tmp)
        wb = Workbook(p.stdout)
        owners = sorted(r[0][1] for r in wb.sheets["By owner"]["rows"][1:])
        want = sorted(["'=HYPERLINK(\"http://x\",\"y\")", "'@SUM(A1)", "'+1", "'-cmd"])
        if owners != want:
            fail(f"injection: owners {owners} != {want}")
        revenue = [r for r in wb.table("Total")[1] if r["kpi"][1] == "revenue"][0]
        expect_number("injection: revenue stays a number", revenue["value"], -200, "#,##0")
        # Amounts in a currency with cents: #,##0.00; yen: #,##0.
        with open(os.path.join(tmp, "usd.csv"), "w", encoding="utf-8") as f:
            f.write("deal_id,stage,amount,currency\n1,won,1500.5,USD\n2,won,700,USD\n")
        with open(os.path.join(tmp, "jpy.csv"), "w", encoding="utf-8") as f:
            f.write("deal_id,stage,amount,currency\n1,won,1500,JPY\n2,won,700,JPY\n")
        for name, code in (("usd.csv", "#,##0.00"), ("jpy.csv", "#,##0")):
            wb = Workbook(run(exe, ["report", name, "-f", "xlsx"], tmp).stdout)
            revenue = [r for r in wb.table("Total")[1] if r["kpi"][1] == "revenue"][0]
            expect_number(f"{name} revenue", revenue["value"], 2200.5 if "usd" in name else 2200,
                          code)
        long_by = "a" * 40 + "[x]"
        with open(os.path.join(tmp, "long.csv"), "w", encoding="utf-8") as f:
            f.write(f"deal_id,stage,amount,{long_by}\n1,won,1,x\n")
        wb = Workbook(run(exe, ["report", "long.csv", "--by", long_by, "-f", "xlsx"], tmp).stdout)
        check_structure("long sheet name", wb, ["Total"])

        # -o: the file, nothing on stdout, no temporary left behind.
        out = os.path.join(tmp, "r.xlsx")
        p = run(exe, ["report", "deals.csv", "-f", "xlsx", "-o", out, "-q"], examples)
        if p.returncode != 0 or p.stdout or not open(out, "rb").read(4) == b"PK\x03\x04":
            fail(f"-o: exit {p.returncode}, stdout {len(p.stdout)} bytes")
        if [n for n in os.listdir(tmp) if ".tmp." in n]:
            fail("-o left a temporary file")

        # To a terminal: refused, exit 2, hint -o.
        master, slave = pty.openpty()
        try:
            p = subprocess.run([exe, "report", "deals.csv", "-f", "xlsx"], cwd=examples,
                               stdout=slave, stderr=subprocess.PIPE, timeout=60)
        finally:
            os.close(slave)
            os.close(master)
        if p.returncode != 2 or b"-o FILE" not in p.stderr:
            fail(f"xlsx to a terminal: exit {p.returncode}, {p.stderr.decode()[:200]}")
        p = run(exe, ["report", "deals.csv", "-f", "xlsx", "--bom"], examples)
        if p.returncode != 2 or b"--bom" not in p.stderr:
            fail(f"--bom with xlsx: exit {p.returncode}")

    if compared[0] < 500:
        fail(f"only {compared[0]} numbers compared with the JSON")
    if failures:
        print(f"{len(failures)} failure(s)")
        return 1
    print(f"xlsx: all commands read back, {compared[0]} numbers equal to the JSON's")
    return 0


if __name__ == "__main__":
    sys.exit(main())
