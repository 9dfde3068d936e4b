#!/usr/bin/env python3
"""Regenerate the synthetic CRM-export corpus in this folder.

Every file is written from the row data below with Python's codecs
(cp1252, cp932, euc_jp, utf-8, utf-8 with BOM, UTF-16LE with BOM), so the
bytes are reproducible: running this script twice gives identical files.
expected.json is computed from the same row data (never typed by hand):
row counts, won / lost / open counts and won amounts per currency.

Usage:  python3 tests/corpus/make_corpus.py          (writes next to itself)
        python3 tests/corpus/make_corpus.py --check  (exit 1 if a file differs)

Where each header name, date format and stage word comes from is in
README.md next to this script; anything not backed by a source is marked
"assumed" there.  All names, companies, e-mail addresses and amounts are
invented.
"""

import datetime as dt
import json
import os
import sys
from collections import OrderedDict

HERE = os.path.dirname(os.path.abspath(__file__))


# --------------------------------------------------------------------------
# Writing


def needs_quotes(cell, delimiter):
    return (delimiter in cell or '"' in cell or "\n" in cell or "\r" in cell
            or cell[:1] in (" ",) or cell[-1:] in (" ",))


def render(rows, delimiter, quote_all, newline):
    """rows: list of lists of str (header first, then data, then footer)."""
    out = []
    for row in rows:
        if row == []:  # a truly empty line (e.g. before a report footer)
            out.append("")
            continue
        cells = []
        for cell in row:
            if quote_all or needs_quotes(cell, delimiter):
                cells.append('"' + cell.replace('"', '""') + '"')
            else:
                cells.append(cell)
        out.append(delimiter.join(cells))
    return newline.join(out) + newline


def encode(text, encoding):
    """encoding is one of our labels; returns bytes."""
    if encoding == "utf-16le-bom":
        return "\ufeff".encode("utf-16-le") + text.encode("utf-16-le")
    if encoding == "utf-8-bom":
        return text.encode("utf-8-sig")
    return text.encode(encoding)  # cp1252, cp932, euc_jp, utf-8: strict


# Label used in expected.json for each codec above.
ENCODING_NAME = {
    "cp1252": "windows-1252",
    "cp932": "cp932",
    "euc_jp": "euc-jp",
    "utf-8": "utf-8",
    "utf-8-bom": "utf-8",
    "utf-16le-bom": "utf-16le",
}


# --------------------------------------------------------------------------
# Small date / number helpers (all deterministic, no locale lookups)

D = dt.date
T = dt.datetime
MONTH_ABBR = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
              "Oct", "Nov", "Dec"]


def iso_date(d):
    return d.strftime("%Y-%m-%d")


def sf_datetime(t):  # Data Loader: 2023-03-01T10:15:00.000Z
    return t.strftime("%Y-%m-%dT%H:%M:%S") + ".000Z"


def slash_ymd(d):  # 2024/04/15
    return d.strftime("%Y/%m/%d")


def us_date(d):  # 4/15/2024
    return "%d/%d/%d" % (d.month, d.day, d.year)


def us_datetime(t):  # 4/15/2024 9:30 AM
    hour = t.hour % 12 or 12
    return "%d/%d/%d %d:%02d %s" % (t.month, t.day, t.year, hour, t.minute,
                                     "AM" if t.hour < 12 else "PM")


def zoho_date(d):  # 15 Apr, 2021
    return "%02d %s, %d" % (d.day, MONTH_ABBR[d.month - 1], d.year)


def zoho_datetime(t):  # 15 Apr, 2021 00:02:00
    return zoho_date(t.date()) + t.strftime(" %H:%M:%S")


def excel_serial_date(d):
    return str((d - D(1899, 12, 30)).days)


def excel_serial_datetime(t):
    days = (t.date() - D(1899, 12, 30)).days
    frac = (t.hour * 3600 + t.minute * 60 + t.second) / 86400.0
    return ("%.10f" % (days + frac)).rstrip("0").rstrip(".")


def reiwa_year(y):
    n = y - 2018
    return "元" if n == 1 else str(n)


def wareki_kanji(d):  # 令和6年4月15日
    return "令和%s年%d月%d日" % (reiwa_year(d.year), d.month, d.day)


def wareki_short(d):  # R6.4.15
    return "R%d.%d.%d" % (d.year - 2018, d.month, d.day)


def num_plain(x):  # 12500 or 12500.5
    if x is None:
        return ""
    if float(x).is_integer():
        return str(int(x))
    return ("%.2f" % x)


def num_soap(x):  # Data Loader / SOAP API double: 125000.0
    return "" if x is None else repr(float(x))


def num_2dp(x):
    return "" if x is None else "%.2f" % x


def num_thousands(x):  # 1,200,000
    return "" if x is None else "{:,}".format(int(x))


def num_de(x):  # 1.234,50
    if x is None:
        return ""
    s = "{:,.2f}".format(x)  # 1,234.50
    return s.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def num_fr(x):  # 1234,50  (no thousands separator, see README)
    return "" if x is None else ("%.2f" % x).replace(".", ",")


# --------------------------------------------------------------------------
# File specification helpers


class Spec(object):
    def __init__(self, name, encoding, delimiter, newline, quote_all, header,
                 records, to_row, expected, footer=None):
        self.name = name
        self.encoding = encoding
        self.delimiter = delimiter
        self.newline = newline
        self.quote_all = quote_all
        self.header = header
        self.records = records        # list of dicts (python values)
        self.to_row = to_row          # record -> list[str], same order as header
        self.expected = expected      # partial expected.json entry
        self.footer = footer or []    # list of rows after the data


def classify(stage, exp):
    if stage in exp.get("won_values", []):
        return "won"
    if stage in exp.get("lost_values", []):
        return "lost"
    if stage in exp.get("open_values", []):
        return "open"
    raise ValueError("stage %r not in any value list" % stage)


def finish_expected(spec):
    """Fill counts in spec.expected from the records (not by hand)."""
    e = OrderedDict()
    e["file"] = spec.name
    e["encoding"] = ENCODING_NAME[spec.encoding]
    e["bom"] = spec.encoding in ("utf-8-bom", "utf-16le-bom")
    e["delimiter"] = spec.delimiter
    e["newline"] = {"\r\n": "crlf", "\n": "lf"}[spec.newline]
    e["quoting"] = "all" if spec.quote_all else "minimal"
    e["header"] = list(spec.header)
    for k, v in spec.expected.items():
        if not k.startswith("_"):
            e[k] = v
    e["rows"] = len(spec.records)
    if spec.footer:
        e["footer_lines"] = len(spec.footer)
    stage_key = spec.expected.get("_stage_field")
    if stage_key:
        counts = OrderedDict([("won", 0), ("lost", 0), ("open", 0)])
        won_by_cur = OrderedDict()
        for r in spec.records:
            c = classify(r[stage_key], spec.expected)
            counts[c] += 1
            if c == "won" and r.get("amount") is not None:
                cur = r.get("currency") or spec.expected.get("_default_currency", "")
                won_by_cur[cur] = round(won_by_cur.get(cur, 0) + r["amount"], 2)
        e["won"] = counts["won"]
        e["lost"] = counts["lost"]
        e["open"] = counts["open"]
        e["won_amount_by_currency"] = OrderedDict(
            (k, int(v) if float(v).is_integer() else v)
            for k, v in sorted(won_by_cur.items()))
    status_key = spec.expected.get("_status_field")
    if status_key:
        sc = OrderedDict()
        for r in spec.records:
            sc[r[status_key]] = sc.get(r[status_key], 0) + 1
        e["status_counts"] = sc
    extra = spec.expected.get("_extra")
    if extra:
        for k, fn in extra:
            e[k] = fn(spec.records)
    return e


# --------------------------------------------------------------------------
# 1. Salesforce Data Loader extract (API names), Windows-1252


def salesforce_api():
    stages = {  # StageName -> (IsClosed, IsWon, ForecastCategoryName, Probability)
        "Prospecting": (False, False, "Pipeline", 10),
        "Qualification": (False, False, "Pipeline", 10),
        "Needs Analysis": (False, False, "Pipeline", 20),
        "Proposal/Price Quote": (False, False, "Pipeline", 75),
        "Negotiation/Review": (False, False, "Commit", 90),
        "Closed Won": (True, True, "Closed", 100),
        "Closed Lost": (True, False, "Omitted", 0),
    }
    owners = ["0055g00000AAA01AAA", "0055g00000AAA02AAA", "0055g00000AAA03AAA"]
    # name, account#, stage, amount, currency, created (UTC), close date, owner#, source
    raw = [
        ("Renovación licencias Peñafiel", 1, "Closed Won", 25000, "USD",
         T(2023, 3, 1, 10, 15), D(2023, 3, 1), 0, "Web"),
        ("Implementación ERP Cañada", 2, "Closed Won", 150000, "MXN",
         T(2023, 3, 6, 14, 0), D(2023, 4, 28), 1, "Partner Referral"),
        ("Migración CRM Méndez", 3, "Closed Won", 40000, "USD",
         T(2023, 3, 13, 16, 45), D(2023, 3, 13), 2, "Phone Inquiry"),
        ("Consultoría logística Núñez", 4, "Closed Won", 250000, "MXN",
         T(2023, 4, 3, 9, 0), D(2023, 4, 3), 0, "Web"),
        ("Soporte anual Ibáñez", 5, "Closed Won", 35000, "USD",
         T(2023, 4, 10, 11, 30), D(2023, 5, 31), 1, "Other"),
        ("Capacitación ventas Peña", 6, "Closed Lost", 12000, "USD",
         T(2023, 2, 14, 8, 20), D(2023, 3, 30), 2, "Web"),
        ("Almacén automatizado Muñoz", 7, "Closed Lost", 480000, "MXN",
         T(2023, 2, 20, 13, 5), D(2023, 4, 15), 0, "Partner Referral"),
        ("Licencias adicionales Gálvez", 8, "Closed Lost", 8000, "USD",
         T(2023, 3, 22, 15, 10), D(2023, 3, 22), 1, "Phone Inquiry"),
        ("Análisis de datos Jiménez", 9, "Closed Lost", None, "USD",
         T(2023, 4, 18, 10, 0), D(2023, 5, 12), 2, "Web"),
        ("Portal clientes Cortés", 10, "Negotiation/Review", 60000, "USD",
         T(2023, 5, 2, 9, 45), D(2023, 7, 31), 0, "Web"),
        ("Renovación flota Muñiz", 11, "Proposal/Price Quote", 320000, "MXN",
         T(2023, 5, 9, 12, 0), D(2023, 8, 15), 1, "Other"),
        ("Piloto IoT Echeverría", 12, "Qualification", 15000, "USD",
         T(2023, 5, 16, 17, 30), D(2023, 9, 29), 2, "Web"),
    ]
    recs = []
    for i, (name, acct, stage, amount, cur, created, close, owner, source) in enumerate(raw, 1):
        closed, won, fc, prob = stages[stage]
        modified = created + dt.timedelta(days=(close - created.date()).days, hours=1)
        if modified < created:
            modified = created + dt.timedelta(hours=1)
        recs.append(OrderedDict([
            ("ID", "0065g00000%05dAAA" % i),
            ("ACCOUNTID", "0015g00000%05dAAA" % acct),
            ("NAME", name),
            ("STAGENAME", stage),
            ("amount", amount),
            ("PROBABILITY", prob),
            ("CLOSEDATE", close),
            ("CREATEDDATE", created),
            ("OWNERID", owners[owner]),
            ("FORECASTCATEGORYNAME", fc),
            ("ISWON", won),
            ("ISCLOSED", closed),
            ("currency", cur),
            ("LEADSOURCE", source),
            ("LASTMODIFIEDDATE", modified),
        ]))
    header = ["ID", "ACCOUNTID", "NAME", "STAGENAME", "AMOUNT", "PROBABILITY",
              "EXPECTEDREVENUE", "CLOSEDATE", "CREATEDDATE", "OWNERID",
              "FORECASTCATEGORYNAME", "ISWON", "ISCLOSED", "CURRENCYISOCODE",
              "LEADSOURCE", "LASTMODIFIEDDATE"]

    def to_row(r):
        amt = r["amount"]
        exp_rev = None if amt is None else amt * r["PROBABILITY"] / 100.0
        return [r["ID"], r["ACCOUNTID"], r["NAME"], r["STAGENAME"], num_soap(amt),
                num_soap(r["PROBABILITY"]), num_soap(exp_rev), iso_date(r["CLOSEDATE"]),
                sf_datetime(r["CREATEDDATE"]), r["OWNERID"], r["FORECASTCATEGORYNAME"],
                "true" if r["ISWON"] else "false", "true" if r["ISCLOSED"] else "false",
                r["currency"], r["LEADSOURCE"], sf_datetime(r["LASTMODIFIEDDATE"])]

    def same_day(rs):
        return [r["ID"] for r in rs
                if r["ISWON"] and r["CLOSEDATE"] == r["CREATEDDATE"].date()]

    def flag_counts(rs):
        return OrderedDict([("ISWON=true", sum(1 for r in rs if r["ISWON"])),
                            ("ISCLOSED=true", sum(1 for r in rs if r["ISCLOSED"]))])

    exp = OrderedDict([
        ("crm", "Salesforce (Data Loader extract, API field names)"),
        ("roles", OrderedDict([
            ("id", "ID"), ("account", "ACCOUNTID"), ("name", "NAME"),
            ("stage", "STAGENAME"), ("amount", "AMOUNT"), ("probability", "PROBABILITY"),
            ("closed", "CLOSEDATE"), ("created", "CREATEDDATE"), ("owner", "OWNERID"),
            ("forecast", "FORECASTCATEGORYNAME"), ("won_flag", "ISWON"),
            ("closed_flag", "ISCLOSED"), ("currency", "CURRENCYISOCODE"),
            ("source", "LEADSOURCE"), ("modified", "LASTMODIFIEDDATE")])),
        ("not_roles", OrderedDict([("EXPECTEDREVENUE", "amount x probability; not the deal amount")])),
        ("won_values", ["Closed Won"]),
        ("lost_values", ["Closed Lost"]),
        ("open_values", ["Prospecting", "Qualification", "Needs Analysis",
                         "Proposal/Price Quote", "Negotiation/Review"]),
        ("date_formats", OrderedDict([
            ("CLOSEDATE", "ymd"), ("CREATEDDATE", "iso8601-utc"),
            ("LASTMODIFIEDDATE", "iso8601-utc")])),
        ("ambiguous_dates", []),
        ("_stage_field", "STAGENAME"),
        ("_extra", [("same_day_won_ids", same_day), ("flag_counts", flag_counts)]),
    ])
    return Spec("salesforce_opportunity_api.csv", "cp1252", ",", "\r\n", True,
                header, recs, to_row, exp)


# --------------------------------------------------------------------------
# 2. Salesforce report export, Japanese UI labels, CP932, with footer


def salesforce_report_ja():
    raw = [  # 商談名, 取引先名, 所有者, フェーズ, 通貨, 金額, 確度, 完了予定日, 作成日, ソース
        ("基幹システム更新", "株式会社山田製作所", "佐藤 花子", "受注", "JPY", 1000000, 100,
         D(2024, 4, 15), D(2024, 2, 1), "Web"),
        ("勤怠管理クラウド導入", "東都物産株式会社", "鈴木 一郎", "受注", "JPY", 2000000, 100,
         D(2024, 5, 20), D(2024, 3, 4), "紹介"),
        ("販売管理パッケージ", "株式会社北陸精機", "高橋 健太", "受注", "JPY", 3000000, 100,
         D(2024, 6, 28), D(2024, 4, 15), "展示会"),
        ("海外拠点ライセンス", "Pacific Trading Inc.", "佐藤 花子", "受注", "USD", 10000, 100,
         D(2024, 5, 31), D(2024, 4, 2), "Web"),
        ("米国子会社サポート", "Sakura USA LLC", "鈴木 一郎", "受注", "USD", 20000, 100,
         D(2024, 6, 14), D(2024, 4, 22), "紹介"),
        ("経費精算システム", "株式会社南海商会", "高橋 健太", "失注", "JPY", 800000, 0,
         D(2024, 4, 30), D(2024, 2, 19), "Web"),
        ("データ分析基盤", "大和化学工業株式会社", "佐藤 花子", "失注", "JPY", 5000000, 0,
         D(2024, 6, 7), D(2024, 3, 11), "展示会"),
        ("ヘルプデスク外部委託", "株式会社青葉システム", "鈴木 一郎", "失注", "JPY", 1200000, 0,
         D(2024, 5, 10), D(2024, 3, 25), "電話問い合わせ"),
        ("営業支援ツール追加", "株式会社山田製作所", "佐藤 花子", "交渉/レビュー", "JPY", 1500000, 90,
         D(2024, 7, 31), D(2024, 5, 8), "紹介"),
        ("倉庫管理システム", "東都物産株式会社", "高橋 健太", "提案/見積", "JPY", 4000000, 75,
         D(2024, 8, 30), D(2024, 5, 13), "Web"),
        ("電子契約サービス", "株式会社北陸精機", "鈴木 一郎", "ニーズ分析", "JPY", 600000, 20,
         D(2024, 9, 30), D(2024, 5, 20), "展示会"),
        ("セキュリティ診断", "大和化学工業株式会社", "高橋 健太", "評価", "JPY", None, 10,
         D(2024, 10, 31), D(2024, 5, 27), "電話問い合わせ"),
    ]
    recs = []
    for (name, acct, owner, stage, cur, amt, prob, close, created, src) in raw:
        recs.append(OrderedDict([("商談名", name), ("取引先名", acct), ("商談 所有者", owner),
                                 ("フェーズ", stage), ("currency", cur), ("amount", amt),
                                 ("確度 (%)", prob), ("完了予定日", close), ("作成日", created),
                                 ("リードソース", src)]))
    header = ["商談名", "取引先名", "商談 所有者", "フェーズ", "金額 通貨", "金額", "確度 (%)",
              "完了予定日", "作成日", "リードソース"]

    def to_row(r):
        return [r["商談名"], r["取引先名"], r["商談 所有者"], r["フェーズ"], r["currency"],
                num_plain(r["amount"]), str(r["確度 (%)"]), slash_ymd(r["完了予定日"]),
                slash_ymd(r["作成日"]), r["リードソース"]]

    footer = [[], ["機密情報 - 配布禁止"],
              ["Copyright (c) 2000-2024 salesforce.com, inc. All rights reserved."]]
    exp = OrderedDict([
        ("crm", "Salesforce (report 'Export details', Japanese UI labels)"),
        ("roles", OrderedDict([
            ("name", "商談名"), ("account", "取引先名"), ("owner", "商談 所有者"),
            ("stage", "フェーズ"), ("currency", "金額 通貨"), ("amount", "金額"),
            ("probability", "確度 (%)"), ("closed", "完了予定日"), ("created", "作成日"),
            ("source", "リードソース")])),
        ("won_values", ["受注"]),
        ("lost_values", ["失注"]),
        ("open_values", ["評価", "ニーズ分析", "提案/見積", "交渉/レビュー"]),
        ("date_formats", OrderedDict([("完了予定日", "ymd"), ("作成日", "ymd")])),
        ("ambiguous_dates", []),
        ("notes", "After the data: one empty line and two footer lines (confidentiality "
                  "notice, copyright); they are not data rows."),
        ("_stage_field", "フェーズ"),
    ])
    return Spec("salesforce_opportunity_report_ja.csv", "cp932", ",", "\r\n", True,
                header, recs, to_row, exp, footer=footer)


# --------------------------------------------------------------------------
# 3. HubSpot deals export, UTF-8


def hubspot():
    raw = [  # id, name, stage, close, owner, amount, lost reason, modified, created, company
        (8801001001, "Acme Corp - Annual plan", "Closed won", T(2024, 4, 15, 9, 30), "Alex Kim",
         12000, "", T(2024, 4, 15, 9, 31), T(2024, 3, 1, 10, 0), "Acme Corp"),
        (8801001002, "Globex, Inc. - Expansion", "Closed won", T(2024, 4, 22, 16, 5), "Maria Lopez",
         18000, "", T(2024, 4, 22, 16, 6), T(2024, 2, 14, 11, 20), "Globex, Inc."),
        (8801001003, "Initech - Onboarding", "Closed won", T(2024, 5, 3, 13, 45), "Alex Kim",
         20000, "", T(2024, 5, 3, 13, 50), T(2024, 5, 3, 9, 0), "Initech"),
        (8801001004, "Umbrella - Pilot", "Closed lost", T(2024, 4, 9, 10, 0), "Sam Patel",
         7500, "Chose competitor", T(2024, 4, 9, 10, 2), T(2024, 1, 22, 15, 30), "Umbrella Corporation"),
        (8801001005, "Hooli - Renewal", "Closed lost", T(2024, 4, 30, 17, 15), "Maria Lopez",
         9000, "No budget", T(2024, 5, 2, 8, 0), T(2024, 3, 18, 9, 45), "Hooli"),
        (8801001006, "Stark Industries - Seats", "Closed lost", T(2024, 5, 17, 12, 0), "Sam Patel",
         None, "No decision", T(2024, 5, 17, 12, 1), T(2024, 4, 1, 14, 10), "Stark Industries"),
        (8801001007, "Wayne Enterprises - Security", "Contract sent", T(2024, 6, 28, 0, 0), "Alex Kim",
         30000, "", T(2024, 5, 29, 10, 30), T(2024, 4, 8, 13, 0), "Wayne Enterprises"),
        (8801001008, "Soylent - Analytics", "Decision maker bought-in", T(2024, 7, 15, 0, 0),
         "Maria Lopez", 14000, "", T(2024, 5, 27, 16, 40), T(2024, 4, 19, 10, 15), "Soylent Corp"),
        (8801001009, "Tyrell - Integration", "Presentation scheduled", T(2024, 7, 31, 0, 0),
         "Sam Patel", 22000, "", T(2024, 5, 24, 9, 5), T(2024, 5, 6, 11, 0), "Tyrell Corporation"),
        (8801001010, "Cyberdyne - Trial", "Qualified to buy", None, "Alex Kim",
         5000, "", T(2024, 5, 21, 14, 25), T(2024, 5, 13, 8, 50), "Cyberdyne Systems"),
        (8801001011, "Vandelay - Intro call", "Appointment scheduled", None, "Maria Lopez",
         None, "", T(2024, 5, 20, 9, 0), T(2024, 5, 20, 9, 0), "Vandelay Industries"),
    ]
    recs = []
    for (rid, name, stage, close, owner, amt, lr, mod, created, comp) in raw:
        recs.append(OrderedDict([("Record ID", rid), ("Deal Name", name), ("Deal Stage", stage),
                                 ("Close Date", close), ("Deal owner", owner), ("amount", amt),
                                 ("Closed Lost Reason", lr), ("Last Modified Date", mod),
                                 ("Create Date", created), ("Associated Company", comp)]))
    header = ["Record ID", "Deal Name", "Deal Stage", "Close Date", "Deal owner", "Amount",
              "Closed Lost Reason", "Last Modified Date", "Create Date", "Pipeline",
              "Associated Company"]

    def hs(t):
        return "" if t is None else t.strftime("%Y-%m-%d %H:%M")

    def to_row(r):
        return [str(r["Record ID"]), r["Deal Name"], r["Deal Stage"], hs(r["Close Date"]),
                r["Deal owner"], num_plain(r["amount"]), r["Closed Lost Reason"],
                hs(r["Last Modified Date"]), hs(r["Create Date"]), "Sales Pipeline",
                r["Associated Company"]]

    exp = OrderedDict([
        ("crm", "HubSpot (CRM export, all deals)"),
        ("roles", OrderedDict([
            ("id", "Record ID"), ("name", "Deal Name"), ("stage", "Deal Stage"),
            ("closed", "Close Date"), ("owner", "Deal owner"), ("amount", "Amount"),
            ("modified", "Last Modified Date"), ("created", "Create Date"),
            ("category", "Pipeline"), ("account", "Associated Company")])),
        ("won_values", ["Closed won"]),
        ("lost_values", ["Closed lost"]),
        ("open_values", ["Appointment scheduled", "Qualified to buy", "Presentation scheduled",
                         "Decision maker bought-in", "Contract sent"]),
        ("date_formats", OrderedDict([("Close Date", "ymd-hm"), ("Last Modified Date", "ymd-hm"),
                                      ("Create Date", "ymd-hm")])),
        ("ambiguous_dates", []),
        ("notes", "No currency column: won_amount_by_currency uses the key \"\" (account "
                  "currency, not in the file)."),
        ("_stage_field", "Deal Stage"),
    ])
    return Spec("hubspot_deals.csv", "utf-8", ",", "\n", False, header, recs, to_row, exp)


# --------------------------------------------------------------------------
# 4. Zoho CRM: deals, leads, cases (English UI)


def zoho_deals():
    prob = {"Qualification": 10, "Needs Analysis": 20, "Value Proposition": 40,
            "Id. Decision Makers": 60, "Proposal/Price Quote": 75, "Negotiation/Review": 90,
            "Closed Won": 100, "Closed Lost": 0, "Closed-Lost to Competition": 0}
    raw = [  # owner, name, account, type, source, amount, closing, stage, created
        ("Priya Nair", "Zylker - CRM rollout", "Zylker Corp", "New Business", "Advertisement",
         10000, D(2021, 4, 15), "Closed Won", T(2021, 2, 3, 0, 2)),
        ("Tom Becker", "Northwind - Support plan", "Northwind Traders", "Existing Business",
         "Employee Referral", 15000, D(2021, 5, 20), "Closed Won", T(2021, 3, 15, 9, 41)),
        ("Priya Nair", "Contoso - Field service", "Contoso Ltd", "New Business", "Web Download",
         25000, D(2021, 6, 30), "Closed Won", T(2021, 4, 1, 14, 0)),
        ("Liu Wei", "Fabrikam - Upgrade", "Fabrikam Inc", "Existing Business", "Partner",
         8000, D(2021, 4, 29), "Closed Lost", T(2021, 1, 19, 11, 30)),
        ("Tom Becker", "Tailspin - Fleet app", "Tailspin Toys", "New Business", "Cold Call",
         12000, D(2021, 5, 14), "Closed-Lost to Competition", T(2021, 2, 22, 16, 15)),
        ("Liu Wei", "Adatum - Analytics", "Adatum Corporation", "New Business", "Trade Show",
         30000, D(2021, 6, 11), "Closed-Lost to Competition", T(2021, 3, 8, 10, 5)),
        ("Priya Nair", "Litware - Pilot", "Litware Inc", "New Business", "Advertisement",
         4000, D(2021, 5, 3), "Closed Lost", T(2021, 4, 12, 8, 0)),
        ("Tom Becker", "Woodgrove - Portal", "Woodgrove Bank", "New Business", "Web Download",
         40000, D(2021, 8, 31), "Negotiation/Review", T(2021, 4, 26, 13, 20)),
        ("Liu Wei", "Proseware - Licences", "Proseware Inc", "Existing Business", "Partner",
         18000, D(2021, 9, 15), "Proposal/Price Quote", T(2021, 5, 4, 9, 0)),
        ("Priya Nair", "Wingtip - Training", "Wingtip Toys", "New Business", "Seminar Partner",
         6000, D(2021, 9, 30), "Value Proposition", T(2021, 5, 10, 15, 45)),
        ("Tom Becker", "Alpine Ski - Booking", "Alpine Ski House", "New Business", "Cold Call",
         None, D(2021, 10, 29), "Qualification", T(2021, 5, 17, 10, 30)),
    ]
    recs = []
    for i, (owner, name, acct, typ, src, amt, closing, stage, created) in enumerate(raw, 1):
        recs.append(OrderedDict([
            ("Record Id", "zcrm_4150868000000%06d" % (2400 + i)), ("Deal Owner", owner),
            ("Deal Name", name), ("Account Name", acct), ("Type", typ), ("Lead Source", src),
            ("amount", amt), ("Closing Date", closing), ("Stage", stage),
            ("Probability", prob[stage]), ("Created Time", created),
            ("Modified Time", created + dt.timedelta(days=3, minutes=7))]))
    header = ["Record Id", "Deal Owner", "Deal Name", "Account Name", "Type", "Lead Source",
              "Amount", "Closing Date", "Stage", "Probability", "Expected Revenue",
              "Created Time", "Modified Time"]

    def to_row(r):
        amt = r["amount"]
        er = None if amt is None else amt * r["Probability"] / 100.0
        return [r["Record Id"], r["Deal Owner"], r["Deal Name"], r["Account Name"], r["Type"],
                r["Lead Source"], num_2dp(amt), zoho_date(r["Closing Date"]), r["Stage"],
                str(r["Probability"]), num_2dp(er), zoho_datetime(r["Created Time"]),
                zoho_datetime(r["Modified Time"])]

    exp = OrderedDict([
        ("crm", "Zoho CRM (Deals module export, English UI)"),
        ("roles", OrderedDict([
            ("id", "Record Id"), ("owner", "Deal Owner"), ("name", "Deal Name"),
            ("account", "Account Name"), ("category", "Type"), ("source", "Lead Source"),
            ("amount", "Amount"), ("closed", "Closing Date"), ("stage", "Stage"),
            ("probability", "Probability"), ("created", "Created Time"),
            ("modified", "Modified Time")])),
        ("not_roles", OrderedDict([("Expected Revenue", "amount x probability")])),
        ("won_values", ["Closed Won"]),
        ("lost_values", ["Closed Lost", "Closed-Lost to Competition"]),
        ("open_values", ["Qualification", "Needs Analysis", "Value Proposition",
                         "Id. Decision Makers", "Proposal/Price Quote", "Negotiation/Review"]),
        ("date_formats", OrderedDict([("Closing Date", "d-mon-y"), ("Created Time", "d-mon-y-hms"),
                                      ("Modified Time", "d-mon-y-hms")])),
        ("ambiguous_dates", []),
        ("notes", "No currency column: won_amount_by_currency uses the key \"\"."),
        ("_stage_field", "Stage"),
    ])
    return Spec("zoho_deals.csv", "utf-8", ",", "\r\n", True, header, recs, to_row, exp)


def zoho_deals_ambiguous():
    """Same module, user date format dd/MM/yyyy, every day <= 12 (D/M vs M/D undecidable)."""
    raw = [  # owner, name, account, amount, closing, stage, created
        ("Oliver Hughes", "Brightside - Renewal", "Brightside Ltd", 5000, D(2023, 3, 10),
         "Closed Won", T(2023, 1, 2, 9, 15)),
        ("Amelia Clarke", "Kestrel - Upgrade", "Kestrel Holdings", 7000, D(2023, 4, 11),
         "Closed Won", T(2023, 2, 6, 10, 0)),
        ("Oliver Hughes", "Harbour - Licences", "Harbour & Co", 8000, D(2023, 5, 12),
         "Closed Won", T(2023, 3, 7, 14, 30)),
        ("Amelia Clarke", "Fenwick - Pilot", "Fenwick plc", 3000, D(2023, 2, 9),
         "Closed Lost", T(2023, 1, 3, 11, 45)),
        ("Oliver Hughes", "Larkspur - Support", "Larkspur Group", 4500, D(2023, 6, 1),
         "Closed-Lost to Competition", T(2023, 4, 4, 8, 30)),
        ("Amelia Clarke", "Moorgate - Training", "Moorgate Partners", 2500, D(2023, 7, 3),
         "Closed Lost", T(2023, 5, 5, 16, 0)),
        ("Oliver Hughes", "Ashdown - Portal", "Ashdown Estates", 12000, D(2023, 9, 8),
         "Negotiation/Review", T(2023, 6, 8, 9, 0)),
        ("Amelia Clarke", "Quayside - Analytics", "Quayside Retail", 9500, D(2023, 10, 6),
         "Proposal/Price Quote", T(2023, 7, 10, 13, 20)),
        ("Oliver Hughes", "Thornbury - Mobile", "Thornbury Foods", 6000, D(2023, 11, 7),
         "Qualification", T(2023, 8, 11, 10, 10)),
    ]
    recs = []
    for i, (owner, name, acct, amt, closing, stage, created) in enumerate(raw, 1):
        recs.append(OrderedDict([("Record Id", "zcrm_5220114000000%06d" % (7100 + i)),
                                 ("Deal Owner", owner), ("Deal Name", name), ("Account Name", acct),
                                 ("amount", amt), ("Closing Date", closing), ("Stage", stage),
                                 ("Created Time", created)]))
    header = ["Record Id", "Deal Owner", "Deal Name", "Account Name", "Amount", "Closing Date",
              "Stage", "Created Time"]

    def to_row(r):
        return [r["Record Id"], r["Deal Owner"], r["Deal Name"], r["Account Name"],
                num_2dp(r["amount"]), r["Closing Date"].strftime("%d/%m/%Y"), r["Stage"],
                r["Created Time"].strftime("%d/%m/%Y %H:%M")]

    def max_day(rs):
        return max(max(r["Closing Date"].day, r["Created Time"].day) for r in rs)

    exp = OrderedDict([
        ("crm", "Zoho CRM (Deals export, user date format dd/MM/yyyy)"),
        ("roles", OrderedDict([
            ("id", "Record Id"), ("owner", "Deal Owner"), ("name", "Deal Name"),
            ("account", "Account Name"), ("amount", "Amount"), ("closed", "Closing Date"),
            ("stage", "Stage"), ("created", "Created Time")])),
        ("won_values", ["Closed Won"]),
        ("lost_values", ["Closed Lost", "Closed-Lost to Competition"]),
        ("open_values", ["Qualification", "Proposal/Price Quote", "Negotiation/Review"]),
        ("date_formats", OrderedDict([("Closing Date", "ambiguous"),
                                      ("Created Time", "ambiguous")])),
        ("ambiguous_dates", ["Closing Date", "Created Time"]),
        ("true_date_formats", OrderedDict([("Closing Date", "dmy"), ("Created Time", "dmy-hm")])),
        ("notes", "Every day-of-month is <= 12, so D/M/Y and M/D/Y both parse; a tool "
                  "should say the order is undecidable (or ask for a flag) rather than guess "
                  "silently. The generator wrote D/M/Y."),
        ("_stage_field", "Stage"),
        ("_extra", [("max_day_of_month", max_day)]),
    ])
    return Spec("zoho_deals_en-gb.csv", "utf-8", ",", "\r\n", True, header, recs, to_row, exp)


def zoho_leads():
    raw = [  # owner, first, last, company, email, source, status, industry, created
        ("Priya Nair", "Hannah", "Schmidt", "Bluebird Logistics", "hannah.schmidt@bluebird.example",
         "Web Download", "Contacted", "Transportation", T(2021, 4, 1, 9, 12)),
        ("Tom Becker", "Carlos", "Ruiz", "Ruiz Motors", "carlos@ruizmotors.example",
         "Cold Call", "Attempted to Contact", "Automotive", T(2021, 4, 2, 10, 5)),
        ("Liu Wei", "Aiko", "Tanaka", "Tanaka Design", "aiko@tanakadesign.example",
         "Trade Show", "Pre-Qualified", "Design", T(2021, 4, 5, 14, 30)),
        ("Priya Nair", "Oskar", "Lind", "Lind & Berg AB", "oskar.lind@lindberg.example",
         "Advertisement", "Not Contacted", "Manufacturing", T(2021, 4, 6, 8, 45)),
        ("Tom Becker", "Fatima", "Khan", "Khan Pharma", "f.khan@khanpharma.example",
         "Partner", "Contact in Future", "Healthcare", T(2021, 4, 8, 16, 20)),
        ("Liu Wei", "George", "Miller", "Miller Farms", "george@millerfarms.example",
         "Web Download", "Junk Lead", "Agriculture", T(2021, 4, 9, 11, 0)),
        ("Priya Nair", "Ines", "Costa", "Costa Imports", "ines.costa@costaimports.example",
         "Employee Referral", "Lost Lead", "Retail", T(2021, 4, 12, 9, 30)),
        ("Tom Becker", "Jamal", "Wright", "Wright Legal", "jamal@wrightlegal.example",
         "Seminar Partner", "Not Qualified", "Legal", T(2021, 4, 13, 13, 15)),
        ("Liu Wei", "Kerstin", "Vogel", "Vogel Energie", "k.vogel@vogel-energie.example",
         "Trade Show", "Pre-Qualified", "Energy", T(2021, 4, 15, 0, 2)),
        ("Priya Nair", "Luca", "Bianchi", "Bianchi Foods", "luca@bianchifoods.example",
         "Advertisement", "Contacted", "Food & Beverage", T(2021, 4, 16, 15, 40)),
    ]
    recs = []
    for i, (owner, first, last, comp, email, src, status, ind, created) in enumerate(raw, 1):
        recs.append(OrderedDict([("Record Id", "zcrm_4150868000000%06d" % (900 + i)),
                                 ("Lead Owner", owner), ("First Name", first), ("Last Name", last),
                                 ("Company", comp), ("Email", email), ("Lead Source", src),
                                 ("Lead Status", status), ("Industry", ind),
                                 ("Created Time", created)]))
    header = ["Record Id", "Lead Owner", "First Name", "Last Name", "Company", "Email",
              "Lead Source", "Lead Status", "Industry", "Created Time", "Modified Time"]

    def to_row(r):
        return [r["Record Id"], r["Lead Owner"], r["First Name"], r["Last Name"], r["Company"],
                r["Email"], r["Lead Source"], r["Lead Status"], r["Industry"],
                zoho_datetime(r["Created Time"]),
                zoho_datetime(r["Created Time"] + dt.timedelta(days=2, hours=3))]

    exp = OrderedDict([
        ("crm", "Zoho CRM (Leads module export, English UI)"),
        ("roles", OrderedDict([
            ("id", "Record Id"), ("owner", "Lead Owner"), ("account", "Company"),
            ("email", "Email"), ("source", "Lead Source"), ("status", "Lead Status"),
            ("category", "Industry"), ("created", "Created Time"),
            ("modified", "Modified Time")])),
        ("won_values", []), ("lost_values", []), ("open_values", []),
        ("date_formats", OrderedDict([("Created Time", "d-mon-y-hms"),
                                      ("Modified Time", "d-mon-y-hms")])),
        ("ambiguous_dates", []),
        ("notes", "Leads have a status, not a won/lost stage; counts are in status_counts. "
                  "Names are split into First Name / Last Name."),
        ("_status_field", "Lead Status"),
    ])
    return Spec("zoho_leads.csv", "utf-8", ",", "\r\n", True, header, recs, to_row, exp)


def zoho_cases():
    raw = [  # owner, subject, status, priority, origin, type, reason, email, account, product, created
        ("Nina Park", "Cannot log in after password reset", "Closed", "High", "Email", "Problem",
         "User did not attend any training", "ops@zylker.example", "Zylker Corp", "Zylker CRM",
         T(2021, 4, 1, 8, 30)),
        ("Omar Haddad", "Invoice shows wrong tax rate", "Closed", "Medium", "Phone", "Question",
         "Complex functionality", "billing@northwind.example", "Northwind Traders", "Billing Add-on",
         T(2021, 4, 2, 9, 5)),
        ("Nina Park", "Export to CSV times out", "Escalated", "High", "Web", "Problem",
         "Existing problem", "it@contoso.example", "Contoso Ltd", "Zylker CRM",
         T(2021, 4, 5, 13, 40)),
        ("Omar Haddad", "Request: dark mode", "New", "Low", "Web", "Feature Request",
         "New problem", "ux@fabrikam.example", "Fabrikam Inc", "Mobile App",
         T(2021, 4, 6, 10, 0)),
        ("Nina Park", "Sync stops on Android 11", "On Hold", "Medium", "Email", "Problem",
         "Instructions not clear", "mobile@tailspin.example", "Tailspin Toys", "Mobile App",
         T(2021, 4, 7, 15, 25)),
        ("Omar Haddad", "How to add a second pipeline?", "Closed", "Low", "Phone", "Question",
         "Complex functionality", "sales@adatum.example", "Adatum Corporation", "Zylker CRM",
         T(2021, 4, 8, 11, 50)),
        ("Nina Park", "Duplicate contacts after import", "New", "Medium", "Email", "Problem",
         "New problem", "crm@litware.example", "Litware Inc", "Zylker CRM",
         T(2021, 4, 12, 9, 10)),
        ("Omar Haddad", "API limit reached daily", "Escalated", "High", "Web", "Problem",
         "Existing problem", "dev@woodgrove.example", "Woodgrove Bank", "API",
         T(2021, 4, 14, 17, 0)),
        ("Nina Park", "Password policy question", "Closed", "Low", "Email", "Question",
         "Instructions not clear", "sec@proseware.example", "Proseware Inc", "Zylker CRM",
         T(2021, 4, 15, 0, 2)),
    ]
    recs = []
    for i, row in enumerate(raw, 1):
        (owner, subj, status, prio, origin, typ, reason, email, acct, prod, created) = row
        recs.append(OrderedDict([("Record Id", "zcrm_4150868000000%06d" % (5200 + i)),
                                 ("Case Number", str(1000 + i)), ("Case Owner", owner),
                                 ("Subject", subj), ("Status", status), ("Priority", prio),
                                 ("Case Origin", origin), ("Type", typ), ("Case Reason", reason),
                                 ("Email", email), ("Account Name", acct), ("Product Name", prod),
                                 ("Created Time", created)]))
    header = ["Record Id", "Case Number", "Case Owner", "Subject", "Status", "Priority",
              "Case Origin", "Type", "Case Reason", "Email", "Account Name", "Product Name",
              "Created Time", "Modified Time"]

    def to_row(r):
        return [r["Record Id"], r["Case Number"], r["Case Owner"], r["Subject"], r["Status"],
                r["Priority"], r["Case Origin"], r["Type"], r["Case Reason"], r["Email"],
                r["Account Name"], r["Product Name"], zoho_datetime(r["Created Time"]),
                zoho_datetime(r["Created Time"] + dt.timedelta(days=1, hours=5))]

    exp = OrderedDict([
        ("crm", "Zoho CRM (Cases module export, English UI)"),
        ("roles", OrderedDict([
            ("id", "Record Id"), ("owner", "Case Owner"), ("name", "Subject"),
            ("status", "Status"), ("priority", "Priority"), ("channel", "Case Origin"),
            ("category", "Type"), ("email", "Email"), ("account", "Account Name"),
            ("product", "Product Name"), ("created", "Created Time"),
            ("modified", "Modified Time")])),
        ("not_roles", OrderedDict([("Case Number", "a second, human-facing id")])),
        ("won_values", []), ("lost_values", []), ("open_values", []),
        ("closed_status_values", ["Closed"]),
        ("date_formats", OrderedDict([("Created Time", "d-mon-y-hms"),
                                      ("Modified Time", "d-mon-y-hms")])),
        ("ambiguous_dates", []),
        ("_status_field", "Status"),
    ])
    return Spec("zoho_cases.csv", "utf-8", ",", "\r\n", True, header, recs, to_row, exp)


# --------------------------------------------------------------------------
# 5. Dynamics 365 Sales opportunities (Export to Excel, saved as CSV)

DYN_RAW = [  # topic, customer, status, reason, sales stage, est rev, actual rev, est close,
    #          actual close, created, owner, currency, probability
    ("Contoso - 50 laptops", "Contoso Pharmaceuticals", "Won", "Won", "Close", 20000, 20000,
     D(2024, 4, 30), D(2024, 4, 15), T(2024, 3, 4, 9, 30), "Dana Whitley", "US Dollar", 100),
    ("Fourth Coffee - POS upgrade", "Fourth Coffee", "Won", "Won", "Close", 30000, 30000,
     D(2024, 5, 31), D(2024, 5, 22), T(2024, 3, 18, 14, 5), "Ravi Menon", "US Dollar", 100),
    ("Litware - Service contract", "Litware, Inc.", "Won", "Won", "Close", 10000, 10000,
     D(2024, 4, 19), D(2024, 4, 19), T(2024, 4, 19, 8, 45), "Dana Whitley", "Euro", 100),
    ("Adventure Works - Bikes fleet", "Adventure Works", "Won", "Won", "Close", 15000, 15000,
     D(2024, 6, 14), D(2024, 6, 3), T(2024, 4, 2, 16, 20), "Ravi Menon", "Euro", 100),
    ("Alpine Ski House - Kiosks", "Alpine Ski House", "Lost", "Out-Sold", "Propose", 25000, None,
     D(2024, 5, 15), D(2024, 5, 2), T(2024, 2, 26, 10, 0), "Dana Whitley", "US Dollar", 0),
    ("Blue Yonder - Wi-Fi", "Blue Yonder Airlines", "Lost", "Canceled", "Develop", 18000, None,
     D(2024, 6, 28), D(2024, 5, 13), T(2024, 3, 25, 11, 15), "Ravi Menon", "US Dollar", 0),
    ("Coho Winery - Labels", "Coho Winery", "Lost", "Out-Sold", "Propose", 6000, None,
     D(2024, 4, 26), D(2024, 4, 24), T(2024, 3, 11, 13, 50), "Dana Whitley", "Euro", 0),
    ("Fabrikam - Smart meters", "Fabrikam, Inc.", "Open", "In Progress", "Propose", 45000, None,
     D(2024, 7, 31), None, T(2024, 4, 29, 9, 10), "Ravi Menon", "US Dollar", 60),
    ("Northwind - Cold storage", "Northwind Traders", "Open", "On Hold", "Develop", 12000, None,
     D(2024, 8, 30), None, T(2024, 5, 6, 15, 35), "Dana Whitley", "Euro", 40),
    ("Trey Research - Lab tablets", "Trey Research", "Open", "In Progress", "Qualify", 8000, None,
     D(2024, 9, 30), None, T(2024, 5, 13, 12, 0), "Ravi Menon", "US Dollar", 20),
    ("A. Datum - Training", "A. Datum Corporation", "Open", "In Progress", "Close", 9000, None,
     D(2024, 6, 21), None, T(2024, 5, 20, 10, 25), "Dana Whitley", "US Dollar", 80),
]


def dynamics_records():
    recs = []
    for i, row in enumerate(DYN_RAW, 1):
        (topic, cust, status, reason, ss, est, act, eclose, aclose, created, owner, cur, prob) = row
        last = aclose if aclose else created.date() + dt.timedelta(days=5)
        modified = max(created, T(last.year, last.month, last.day, 10, 2)) + dt.timedelta(minutes=30)
        recs.append(OrderedDict([
            ("(Do Not Modify) Opportunity", "7d3b6a1e-0c4f-ee11-be6f-%012x" % (0x6045bdd0a100 + i)),
            ("(Do Not Modify) Row Checksum", "Zq%04dVb8sKx2+Yt/9w==" % (i * 37)),
            ("(Do Not Modify) Modified On", modified), ("Topic", topic),
            ("Potential Customer", cust), ("Status", status), ("Status Reason", reason),
            ("Sales Stage", ss), ("amount", est), ("Actual Revenue", act),
            ("Est. Close Date", eclose), ("Actual Close Date", aclose), ("Created On", created),
            ("Owner", owner), ("currency", cur), ("Probability", prob)]))
    return recs


DYN_HEADER = ["(Do Not Modify) Opportunity", "(Do Not Modify) Row Checksum",
              "(Do Not Modify) Modified On", "Topic", "Potential Customer", "Status",
              "Status Reason", "Sales Stage", "Est. Revenue", "Actual Revenue", "Est. Close Date",
              "Actual Close Date", "Created On", "Owner", "Currency", "Probability"]


def dynamics_expected(date_fmt, dt_fmt, title):
    return OrderedDict([
        ("crm", title),
        ("roles", OrderedDict([
            ("id", "(Do Not Modify) Opportunity"), ("modified", "(Do Not Modify) Modified On"),
            ("name", "Topic"), ("account", "Potential Customer"), ("stage", "Status"),
            ("status", "Status Reason"), ("amount", "Est. Revenue"), ("actual", "Actual Revenue"),
            ("closed", "Actual Close Date"), ("created", "Created On"), ("owner", "Owner"),
            ("currency", "Currency"), ("probability", "Probability")])),
        ("not_roles", OrderedDict([
            ("Sales Stage", "process stage (Qualify/Develop/Propose/Close); never says won or "
                            "lost - a won deal and an open deal can both be 'Close'"),
            ("(Do Not Modify) Row Checksum", "export bookkeeping"),
            ("Est. Close Date", "expected close date; Actual Close Date is the real one")])),
        ("won_values", ["Won"]),
        ("lost_values", ["Lost"]),
        ("open_values", ["Open"]),
        ("date_formats", OrderedDict([
            ("(Do Not Modify) Modified On", dt_fmt), ("Est. Close Date", date_fmt),
            ("Actual Close Date", date_fmt), ("Created On", dt_fmt)])),
        ("ambiguous_dates", []),
        ("_stage_field", "Status"),
    ])


def dynamics():
    def to_row(r):
        return [r["(Do Not Modify) Opportunity"], r["(Do Not Modify) Row Checksum"],
                us_datetime(r["(Do Not Modify) Modified On"]), r["Topic"], r["Potential Customer"],
                r["Status"], r["Status Reason"], r["Sales Stage"], num_2dp(r["amount"]),
                num_2dp(r["Actual Revenue"]), us_date(r["Est. Close Date"]),
                us_date(r["Actual Close Date"]) if r["Actual Close Date"] else "",
                us_datetime(r["Created On"]), r["Owner"], r["currency"], str(r["Probability"])]

    exp = dynamics_expected("mdy", "mdy-hm-ampm",
                            "Microsoft Dynamics 365 Sales (Export to Excel, saved as CSV UTF-8, en-US)")
    return Spec("dynamics_opportunities.csv", "utf-8-bom", ",", "\r\n", False, DYN_HEADER,
                dynamics_records(), to_row, exp)


def dynamics_serial():
    def to_row(r):
        return [r["(Do Not Modify) Opportunity"], r["(Do Not Modify) Row Checksum"],
                excel_serial_datetime(r["(Do Not Modify) Modified On"]), r["Topic"],
                r["Potential Customer"], r["Status"], r["Status Reason"], r["Sales Stage"],
                num_2dp(r["amount"]), num_2dp(r["Actual Revenue"]),
                excel_serial_date(r["Est. Close Date"]),
                excel_serial_date(r["Actual Close Date"]) if r["Actual Close Date"] else "",
                excel_serial_datetime(r["Created On"]), r["Owner"], r["currency"],
                str(r["Probability"])]

    exp = dynamics_expected("excel-serial", "excel-serial",
                            "Microsoft Dynamics 365 Sales (Export to Excel; date cells lost their "
                            "format before saving as CSV, so they are Excel serial numbers)")
    exp["notes"] = ("Same rows as dynamics_opportunities.csv. Serial 45397 = 2024-04-15 "
                    "(1900 date system, day 0 = 1899-12-30); a fraction is the time of day.")
    return Spec("dynamics_opportunities_xlserial.csv", "utf-8-bom", ",", "\r\n", False,
                DYN_HEADER, dynamics_records(), to_row, exp)


# --------------------------------------------------------------------------
# 6. Pipedrive and Freshsales


def pipedrive():
    raw = [  # title, owner, value, currency, prob, org, person, stage, status, created,
        #      expected close, won time, lost time, lost reason
        ("Helios Solar - 20 inverters", "Jana Novak", 10000, "EUR", None, "Helios Solar GmbH",
         "Petra Wolf", "Negotiations Started", "Won", T(2024, 3, 4, 9, 12, 5), D(2024, 4, 30),
         T(2024, 4, 15, 14, 3, 41), None, ""),
        ("Nordlicht - Support renewal", "Marco Rossi", 20000, "EUR", None, "Nordlicht AG",
         "Uwe Brandt", "Proposal Made", "Won", T(2024, 3, 11, 10, 0, 0), D(2024, 5, 15),
         T(2024, 5, 6, 11, 20, 9), None, ""),
        ("Bayside Dental - Scheduling", "Jana Novak", 5000, "USD", None, "Bayside Dental",
         "Kim Lee", "Demo Scheduled", "Won", T(2024, 4, 2, 8, 30, 0), D(2024, 4, 2),
         T(2024, 4, 2, 17, 45, 0), None, ""),
        ("Prairie Foods - ERP link", "Marco Rossi", 15000, "USD", None, "Prairie Foods Inc",
         "Ann Hale", "Negotiations Started", "Won", T(2024, 4, 8, 13, 10, 0), D(2024, 5, 31),
         T(2024, 5, 28, 9, 0, 0), None, ""),
        ("Fjord Shipping - Tracking", "Jana Novak", 12000, "EUR", None, "Fjord Shipping AS",
         "Ola Berg", "Proposal Made", "Lost", T(2024, 2, 19, 15, 0, 0), D(2024, 4, 1),
         None, T(2024, 3, 28, 10, 5, 0), "Price"),
        ("Cactus Retail - Loyalty", "Marco Rossi", 7000, "USD", None, "Cactus Retail LLC",
         "Rosa Diaz", "Contact Made", "Lost", T(2024, 3, 20, 11, 0, 0), D(2024, 5, 10),
         None, T(2024, 4, 22, 16, 40, 0), "No response"),
        ("Alba Textiles - Pilot", "Jana Novak", None, "EUR", None, "Alba Textiles SL",
         "Lucia Gil", "Qualified", "Lost", T(2024, 4, 15, 9, 0, 0), D(2024, 6, 1),
         None, T(2024, 4, 16, 9, 30, 0), "Not a fit"),
        ("Granite Bank - Kiosk app", "Marco Rossi", 40000, "USD", 60, "Granite Bank",
         "Tom Reed", "Proposal Made", "Open", T(2024, 4, 29, 10, 15, 0), D(2024, 7, 31),
         None, None, ""),
        ("Lumen Optics - Integration", "Jana Novak", 9000, "EUR", 30, "Lumen Optik GmbH",
         "Jens Koch", "Demo Scheduled", "Open", T(2024, 5, 6, 14, 0, 0), D(2024, 8, 15),
         None, None, ""),
        ("Orchard School - Licences", "Marco Rossi", 3000, "USD", 10, "Orchard School",
         "Mia Park", "Qualified", "Open", T(2024, 5, 13, 8, 5, 0), None, None, None, ""),
    ]
    recs = []
    for i, row in enumerate(raw, 1):
        (title, owner, val, cur, prob, org, person, stage, status, created, exp_close,
         won, lost, lost_reason) = row
        closed_on = won or lost
        recs.append(OrderedDict([
            ("Deal - ID", 301 + i), ("Deal - Title", title), ("Deal - Creator", owner),
            ("Deal - Owner", owner), ("amount", val), ("currency", cur),
            ("Deal - Probability", prob), ("Deal - Organization", org),
            ("Deal - Contact person", person), ("Deal - Pipeline", "Sales pipeline"),
            ("Deal - Stage", stage), ("Deal - Status", status), ("Deal - Deal created", created),
            ("Deal - Expected close date", exp_close), ("Deal - Won time", won),
            ("Deal - Lost time", lost), ("Deal - Deal closed on", closed_on),
            ("Deal - Lost reason", lost_reason)]))
    header = ["Deal - ID", "Deal - Title", "Deal - Creator", "Deal - Owner", "Deal - Value",
              "Deal - Currency", "Deal - Probability", "Deal - Organization",
              "Deal - Contact person", "Deal - Pipeline", "Deal - Stage", "Deal - Status",
              "Deal - Deal created", "Deal - Expected close date", "Deal - Won time",
              "Deal - Lost time", "Deal - Deal closed on", "Deal - Lost reason"]

    def ts(t):
        return "" if t is None else t.strftime("%Y-%m-%d %H:%M:%S")

    def to_row(r):
        return [str(r["Deal - ID"]), r["Deal - Title"], r["Deal - Creator"], r["Deal - Owner"],
                num_plain(r["amount"]), r["currency"],
                "" if r["Deal - Probability"] is None else str(r["Deal - Probability"]),
                r["Deal - Organization"], r["Deal - Contact person"], r["Deal - Pipeline"],
                r["Deal - Stage"], r["Deal - Status"], ts(r["Deal - Deal created"]),
                iso_date(r["Deal - Expected close date"]) if r["Deal - Expected close date"] else "",
                ts(r["Deal - Won time"]), ts(r["Deal - Lost time"]), ts(r["Deal - Deal closed on"]),
                r["Deal - Lost reason"]]

    exp = OrderedDict([
        ("crm", "Pipedrive (deals list export, English UI)"),
        ("roles", OrderedDict([
            ("id", "Deal - ID"), ("name", "Deal - Title"), ("owner", "Deal - Owner"),
            ("amount", "Deal - Value"), ("currency", "Deal - Currency"),
            ("probability", "Deal - Probability"), ("account", "Deal - Organization"),
            ("category", "Deal - Pipeline"), ("stage", "Deal - Status"),
            ("created", "Deal - Deal created"), ("closed", "Deal - Deal closed on")])),
        ("not_roles", OrderedDict([
            ("Deal - Stage", "pipeline stage; won/lost live in Deal - Status"),
            ("Deal - Creator", "who typed the deal in, not its owner"),
            ("Deal - Expected close date", "a forecast, not the close date")])),
        ("won_values", ["Won"]),
        ("lost_values", ["Lost"]),
        ("open_values", ["Open"]),
        ("date_formats", OrderedDict([
            ("Deal - Deal created", "ymd-hms"), ("Deal - Expected close date", "ymd"),
            ("Deal - Won time", "ymd-hms"), ("Deal - Lost time", "ymd-hms"),
            ("Deal - Deal closed on", "ymd-hms")])),
        ("ambiguous_dates", []),
        ("_stage_field", "Deal - Status"),
    ])
    return Spec("pipedrive_deals.csv", "utf-8", ",", "\n", False, header, recs, to_row, exp)


def freshsales():
    raw = [  # name, value, stage, owner, account, expected close, closed, prob, source,
        #      product, created
        ("Maple Clinics - EHR bridge", 8000, "Won", "Ruth Okafor", "Maple Clinics",
         D(2024, 4, 30), D(2024, 4, 18), 100, "Email", "Connector Pro", T(2024, 3, 5, 10, 0)),
        ("Riverbend - CPQ", 12000, "Won", "Ian Cole", "Riverbend Supply",
         D(2024, 5, 31), D(2024, 5, 29), 100, "Web", "CPQ Suite", T(2024, 3, 12, 11, 30)),
        ("Summit Gear - Helpdesk", 5000, "Won", "Ruth Okafor", "Summit Gear",
         D(2024, 4, 22), D(2024, 4, 22), 100, "Phone", "Helpdesk", T(2024, 4, 22, 9, 5)),
        ("Copperline - Analytics", 9000, "Lost", "Ian Cole", "Copperline Metals",
         D(2024, 5, 15), D(2024, 5, 9), 0, "Web", "Analytics", T(2024, 2, 28, 14, 20)),
        ("Harborview - Mobile", 4000, "Lost", "Ruth Okafor", "Harborview Hotels",
         D(2024, 6, 7), D(2024, 5, 30), 0, "Campaign", "Mobile SDK", T(2024, 4, 3, 16, 45)),
        ("Ironwood - Renewal", 15000, "Negotiation", "Ian Cole", "Ironwood Legal",
         D(2024, 7, 15), None, 80, "Email", "Helpdesk", T(2024, 5, 2, 8, 50)),
        ("Bluegate - Pilot", 3000, "Demo", "Ruth Okafor", "Bluegate Schools",
         D(2024, 8, 1), None, 40, "Web", "Analytics", T(2024, 5, 9, 13, 0)),
        ("Oakridge - Integrations", 6500, "New", "Ian Cole", "Oakridge Farms",
         D(2024, 9, 30), None, 10, "Chat", "Connector Pro", T(2024, 5, 16, 10, 40)),
    ]
    recs = []
    for (name, val, stage, owner, acct, ecl, closed, prob, src, prod, created) in raw:
        recs.append(OrderedDict([("Deal Name", name), ("amount", val), ("Deal Stage", stage),
                                 ("Owner", owner), ("Account", acct), ("Expected close date", ecl),
                                 ("Closed date", closed), ("Probability", prob), ("Source", src),
                                 ("Product", prod), ("Created at", created), ("currency", "USD")]))
    header = ["Deal Name", "Deal Value", "Currency", "Deal Pipeline", "Deal Stage", "Owner",
              "Account", "Expected close date", "Closed date", "Probability", "Source",
              "Product", "Created at"]

    def to_row(r):
        return [r["Deal Name"], num_2dp(r["amount"]), r["currency"], "Default Pipeline",
                r["Deal Stage"], r["Owner"], r["Account"], iso_date(r["Expected close date"]),
                iso_date(r["Closed date"]) if r["Closed date"] else "", str(r["Probability"]),
                r["Source"], r["Product"], r["Created at"].strftime("%Y-%m-%d %H:%M:%S")]

    exp = OrderedDict([
        ("crm", "Freshsales (Freshworks CRM) deals export"),
        ("roles", OrderedDict([
            ("name", "Deal Name"), ("amount", "Deal Value"), ("currency", "Currency"),
            ("category", "Deal Pipeline"), ("stage", "Deal Stage"), ("owner", "Owner"),
            ("account", "Account"), ("closed", "Closed date"), ("probability", "Probability"),
            ("source", "Source"), ("product", "Product"), ("created", "Created at")])),
        ("not_roles", OrderedDict([("Expected close date", "a forecast, not the close date")])),
        ("won_values", ["Won"]),
        ("lost_values", ["Lost"]),
        ("open_values", ["New", "Demo", "Negotiation"]),
        ("date_formats", OrderedDict([("Expected close date", "ymd"), ("Closed date", "ymd"),
                                      ("Created at", "ymd-hms")])),
        ("ambiguous_dates", []),
        ("_stage_field", "Deal Stage"),
    ])
    return Spec("freshsales_deals.csv", "utf-8", ",", "\n", False, header, recs, to_row, exp)


# --------------------------------------------------------------------------
# 7. Japanese SFA exports: Mazrica (UTF-16LE tab, Excel "Unicode text"),
#    kintone (UTF-8 with BOM, name variants), eセールスマネージャー (EUC-JP, 令和)


def mazrica():
    raw = [  # 案件名, 取引先名, 担当者, フェーズ, 商品, 確度, チャネル, 契約金額, 契約予定日, 作成日時
        ("クラウド会計 全社導入", "株式会社みなと電機", "田中 美咲", "受注済み", "会計クラウド", "A",
         "Web問い合わせ", 1000000, D(2024, 4, 15), T(2024, 2, 5, 10, 0)),
        ("営業日報アプリ", "有限会社さくら食品", "木村 大輔", "受注済み", "日報アプリ", "A",
         "紹介", 2000000, D(2024, 5, 24), T(2024, 3, 1, 14, 30)),
        ("名刺管理 追加ライセンス", "株式会社ひかり不動産", "田中 美咲", "契約", "名刺管理", "A",
         "既存顧客", 1500000, D(2024, 4, 26), T(2024, 4, 26, 9, 15)),
        ("MA連携オプション", "株式会社あおぞら旅行", "中村 翔", "契約", "MA連携", "A",
         "展示会", 500000, D(2024, 6, 12), T(2024, 4, 8, 11, 45)),
        ("受発注システム刷新", "株式会社つばさ物流", "木村 大輔", "失注", "受発注", "C",
         "Web問い合わせ", 3000000, D(2024, 5, 31), T(2024, 2, 19, 16, 0)),
        ("コールセンター連携", "株式会社いろは通販", "中村 翔", "失注", "CTI連携", "C",
         "テレアポ", 800000, D(2024, 4, 30), T(2024, 3, 11, 10, 20)),
        ("人事評価クラウド", "株式会社みなと電機", "田中 美咲", "見送り", "人事評価", "D",
         "既存顧客", 1200000, D(2024, 6, 28), T(2024, 3, 25, 13, 10)),
        ("在庫可視化ダッシュボード", "有限会社さくら食品", "木村 大輔", "見積提出", "BIダッシュボード",
         "B", "紹介", 900000, D(2024, 7, 31), T(2024, 5, 7, 9, 40)),
        ("電子帳簿保存対応", "株式会社ひかり不動産", "中村 翔", "提案", "会計クラウド", "B",
         "Web問い合わせ", 600000, D(2024, 8, 30), T(2024, 5, 14, 15, 5)),
        ("店舗POS連携", "株式会社あおぞら旅行", "田中 美咲", "ヒアリング", "POS連携", "C",
         "展示会", None, D(2024, 9, 30), T(2024, 5, 21, 10, 30)),
    ]
    recs = []
    for i, row in enumerate(raw, 1):
        (name, acct, owner, phase, prod, conf, ch, amt, due, created) = row
        recs.append(OrderedDict([("案件ID", 52000 + i), ("案件名", name), ("取引先名", acct),
                                 ("担当者", owner), ("フェーズ", phase), ("商品・サービス", prod),
                                 ("契約確度", conf), ("チャネル", ch), ("amount", amt),
                                 ("契約予定日", due), ("作成日時", created),
                                 ("currency", "JPY")]))
    header = ["案件ID", "案件名", "取引先名", "担当者", "フェーズ", "商品・サービス", "契約確度",
              "チャネル", "契約金額", "契約予定日", "作成日時"]

    def to_row(r):
        return [str(r["案件ID"]), r["案件名"], r["取引先名"], r["担当者"], r["フェーズ"],
                r["商品・サービス"], r["契約確度"], r["チャネル"], num_thousands(r["amount"]),
                slash_ymd(r["契約予定日"]), r["作成日時"].strftime("%Y/%m/%d %H:%M")]

    exp = OrderedDict([
        ("crm", "Mazrica Sales (formerly Senses) deal list, opened in Excel and saved as "
                "\"Unicode text\" (UTF-16LE with BOM, tab separated)"),
        ("roles", OrderedDict([
            ("id", "案件ID"), ("name", "案件名"), ("account", "取引先名"), ("owner", "担当者"),
            ("stage", "フェーズ"), ("product", "商品・サービス"), ("probability", "契約確度"),
            ("source", "チャネル"), ("amount", "契約金額"), ("closed", "契約予定日"),
            ("created", "作成日時")])),
        ("won_values", ["受注済み", "契約"]),
        ("lost_values", ["失注", "見送り"]),
        ("open_values", ["ヒアリング", "提案", "見積提出"]),
        ("date_formats", OrderedDict([("契約予定日", "ymd"), ("作成日時", "ymd-hm")])),
        ("ambiguous_dates", []),
        ("amount_format", "thousands separator ',' (Excel display format), no decimals"),
        ("notes", "契約確度 is a letter rank (A-D), not a percentage. 見送り (deal shelved by "
                  "the customer) is counted as lost."),
        ("_stage_field", "フェーズ"),
        ("_default_currency", "JPY"),
    ])
    exp["won_amount_note"] = "no currency column; amounts are yen (key JPY)"
    return Spec("mazrica_deals_ja.csv", "utf-16le-bom", "\t", "\r\n", False, header, recs,
                to_row, exp)


def kintone():
    FW = "\u3000"  # full-width (ideographic) space
    raw = [  # 案件名, 会社名, 担当者名, 商談フェーズ, 見込み金額, 受注予定日, 確度, 作成日時, 作成者
        ("複合機リース更新", "ＡＢＣ商事", "佐藤 花子", "成約", 800000, D(2024, 4, 15),
         "A", T(2024, 2, 13, 9, 30), "佐藤 花子"),
        ("社内ネットワーク更改", "ABC商事", "佐藤" + FW + "花子", "成約", 1200000, D(2024, 5, 17),
         "A", T(2024, 3, 4, 13, 0), "佐藤" + FW + "花子"),
        ("監視カメラ設置", "株式会社ミドリ建設", "山本 健一", "成約", 2000000, D(2024, 6, 20),
         "A", T(2024, 4, 1, 10, 45), "山本 健一"),
        ("Web会議システム", "ＡＢＣ商事", "山本" + FW + "健一", "不成立", 300000, D(2024, 4, 26),
         "C", T(2024, 3, 18, 16, 20), "山本" + FW + "健一"),
        ("ノートPC 50台", "株式会社ミドリ建設", "佐藤 花子", "失注（競合）", 4500000, D(2024, 5, 31),
         "B", T(2024, 3, 25, 11, 10), "佐藤 花子"),
        ("UTM導入", "丸山工業株式会社", "伊藤 由美", "失注（競合）", 700000, D(2024, 6, 14),
         "B", T(2024, 4, 8, 14, 55), "伊藤 由美"),
        ("サーバー保守延長", "丸山工業株式会社", "伊藤" + FW + "由美", "不成立", 400000, D(2024, 5, 10),
         "C", T(2024, 4, 15, 9, 0), "伊藤" + FW + "由美"),
        ("電話設備入替", "ABC商事", "佐藤 花子", "見積提出", 1600000, D(2024, 7, 31),
         "B", T(2024, 5, 7, 10, 30), "佐藤 花子"),
        ("無線LAN増設", "株式会社ミドリ建設", "山本 健一", "提案中", 550000, D(2024, 8, 30),
         "B", T(2024, 5, 13, 15, 15), "山本 健一"),
        ("バックアップ運用", "丸山工業株式会社", "伊藤 由美", "ヒアリング", None, D(2024, 9, 30),
         "C", T(2024, 5, 20, 11, 40), "伊藤 由美"),
    ]
    recs = []
    for i, (name, comp, owner, phase, amt, due, conf, created, author) in enumerate(raw, 1):
        recs.append(OrderedDict([("レコード番号", i), ("案件名", name), ("会社名", comp),
                                 ("担当者名", owner), ("商談フェーズ", phase), ("amount", amt),
                                 ("受注予定日", due), ("確度", conf), ("作成日時", created),
                                 ("作成者", author),
                                 ("更新日時", created + dt.timedelta(days=4, hours=1, minutes=5)),
                                 ("currency", "JPY")]))
    header = ["レコード番号", "案件名", "会社名", "担当者名", "商談フェーズ", "見込み金額",
              "受注予定日", "確度", "作成日時", "作成者", "更新日時"]

    def to_row(r):
        return [str(r["レコード番号"]), r["案件名"], r["会社名"], r["担当者名"], r["商談フェーズ"],
                num_plain(r["amount"]), iso_date(r["受注予定日"]), r["確度"],
                r["作成日時"].strftime("%Y-%m-%d %H:%M"), r["作成者"],
                r["更新日時"].strftime("%Y-%m-%d %H:%M")]

    def owner_variants(rs):
        groups = OrderedDict()
        for r in rs:
            key = r["担当者名"].replace(FW, " ")
            groups.setdefault(key, [])
            if r["担当者名"] not in groups[key]:
                groups[key].append(r["担当者名"])
        return OrderedDict((k, v) for k, v in groups.items() if len(v) > 1)

    def account_variants(rs):
        import unicodedata
        groups = OrderedDict()
        for r in rs:
            key = unicodedata.normalize("NFKC", r["会社名"])
            groups.setdefault(key, [])
            if r["会社名"] not in groups[key]:
                groups[key].append(r["会社名"])
        return OrderedDict((k, v) for k, v in groups.items() if len(v) > 1)

    def distinct(field, norm):
        def f(rs):
            return OrderedDict([("raw", len(set(r[field] for r in rs))),
                                ("normalized", len(set(norm(r[field]) for r in rs)))])
        return f

    import unicodedata
    exp = OrderedDict([
        ("crm", "kintone (app record list, 'ファイルに書き出す', BOM付きUTF-8)"),
        ("roles", OrderedDict([
            ("id", "レコード番号"), ("name", "案件名"), ("account", "会社名"), ("owner", "担当者名"),
            ("stage", "商談フェーズ"), ("amount", "見込み金額"), ("closed", "受注予定日"),
            ("probability", "確度"), ("created", "作成日時"), ("modified", "更新日時")])),
        ("not_roles", OrderedDict([("作成者", "who created the record, not the deal owner")])),
        ("won_values", ["成約"]),
        ("lost_values", ["不成立", "失注（競合）"]),
        ("open_values", ["ヒアリング", "提案中", "見積提出"]),
        ("date_formats", OrderedDict([("受注予定日", "ymd"), ("作成日時", "ymd-hm"),
                                      ("更新日時", "ymd-hm")])),
        ("ambiguous_dates", []),
        ("notes", "Owner names appear with an ASCII space and with a full-width space "
                  "(U+3000); the company ＡＢＣ商事 (full-width letters) and ABC商事 are the same "
                  "company. A per-owner / per-account report should merge them (NFKC + space "
                  "folding) or at least warn. 確度 is a letter rank (A-C)."),
        ("_stage_field", "商談フェーズ"),
        ("_default_currency", "JPY"),
        ("_extra", [("owner_variants", owner_variants), ("account_variants", account_variants),
                    ("distinct_owners", distinct("担当者名", lambda s: s.replace(FW, " "))),
                    ("distinct_accounts",
                     distinct("会社名", lambda s: unicodedata.normalize("NFKC", s)))]),
    ])
    return Spec("kintone_deals_ja.csv", "utf-8-bom", ",", "\r\n", True, header, recs, to_row, exp)


def esales():
    raw = [  # 案件名, 顧客名, 担当者, 進捗, 受注金額, 受注予定日, 登録日, 確度
        ("生産管理システム保守", "株式会社東海精工", "小林 誠", "成立", 500000, D(2024, 4, 15),
         D(2024, 1, 22), 100),
        ("ＥＤＩ接続開発", "北斗運輸株式会社", "加藤 直子", "成立", 1500000, D(2024, 5, 20),
         D(2024, 2, 26), 100),
        ("工場ＩｏＴ実証", "株式会社東海精工", "小林 誠", "受注", 3000000, D(2024, 6, 28),
         D(2024, 3, 18), 100),
        ("健康診断予約サイト", "医療法人みどり会", "吉田 拓也", "受注", 2000000, D(2019, 12, 20),
         D(2019, 5, 7), 100),
        ("倉庫ロボット導入", "北斗運輸株式会社", "加藤 直子", "失注", 8000000, D(2024, 5, 31),
         D(2024, 2, 5), 0),
        ("電子カルテ連携", "医療法人みどり会", "吉田 拓也", "失注", 2500000, D(2024, 6, 14),
         D(2024, 3, 4), 0),
        ("社内ポータル刷新", "株式会社東海精工", "小林 誠", "見送り", 900000, D(2024, 7, 12),
         D(2024, 4, 1), 0),
        ("配送ルート最適化", "北斗運輸株式会社", "加藤 直子", "見積", 1800000, D(2024, 8, 30),
         D(2024, 5, 13), 60),
        ("ＲＰＡ導入支援", "医療法人みどり会", "吉田 拓也", "提案", 700000, D(2024, 9, 30),
         D(2024, 5, 20), 40),
        ("ＢＩ研修", "株式会社東海精工", "小林 誠", "初回訪問", None, D(2024, 10, 31),
         D(2024, 5, 27), 10),
    ]
    recs = []
    for (name, cust, owner, prog, amt, due, reg, conf) in raw:
        recs.append(OrderedDict([("案件名", name), ("顧客名", cust), ("担当者", owner),
                                 ("進捗", prog), ("amount", amt), ("受注予定日", due),
                                 ("登録日", reg), ("確度", conf), ("currency", "JPY")]))
    header = ["案件名", "顧客名", "担当者", "進捗", "受注金額", "受注予定日", "登録日", "確度"]

    def to_row(r):
        return [r["案件名"], r["顧客名"], r["担当者"], r["進捗"], num_plain(r["amount"]),
                wareki_kanji(r["受注予定日"]), wareki_short(r["登録日"]), str(r["確度"])]

    exp = OrderedDict([
        ("crm", "eセールスマネージャー (案件 list CSV, EUC-JP, Japanese-era dates)"),
        ("roles", OrderedDict([
            ("name", "案件名"), ("account", "顧客名"), ("owner", "担当者"), ("stage", "進捗"),
            ("amount", "受注金額"), ("closed", "受注予定日"), ("created", "登録日"),
            ("probability", "確度")])),
        ("won_values", ["成立", "受注"]),
        ("lost_values", ["失注", "見送り"]),
        ("open_values", ["初回訪問", "提案", "見積"]),
        ("date_formats", OrderedDict([("受注予定日", "wareki"), ("登録日", "wareki-short")])),
        ("ambiguous_dates", []),
        ("wareki_examples", OrderedDict([("令和6年4月15日", "2024-04-15"),
                                         ("令和元年12月20日", "2019-12-20"),
                                         ("R6.1.22", "2024-01-22"), ("R1.5.7", "2019-05-07")])),
        ("notes", "Reiwa year n = 2018 + n; the first year is written 元年 in the long form "
                  "and 1 in the short form (R1.5.7 = 2019-05-07, the first full week of Reiwa)."),
        ("_stage_field", "進捗"),
        ("_default_currency", "JPY"),
    ])
    return Spec("esales_deals_ja.csv", "euc_jp", ",", "\n", False, header, recs, to_row, exp)


# --------------------------------------------------------------------------
# 8. Support tickets (Kaggle "Customer Support Ticket Dataset" header)


def tickets():
    raw = [  # id, name, email, age, gender, product, purchase, type, subject, description,
        #      status, resolution, priority, channel, first response, resolved, rating
        (1, "Dana Whitfield", "dwhitfield@example.com", 34, "Female", "GoPro Hero",
         D(2021, 3, 22), "Technical issue", "Product setup",
         "I'm having an issue with the {product_purchased}. Please assist.",
         "Pending Customer Response", "", "Critical", "Social media",
         T(2023, 6, 1, 12, 15, 36), None, None),
        (2, "Omar Castillo", "ocastillo@example.com", 41, "Male", "LG Smart TV",
         D(2021, 5, 22), "Technical issue", "Peripheral compatibility",
         "The TV no longer sees my soundbar.", "Pending Customer Response",
         "", "Critical", "Chat", T(2023, 6, 1, 16, 45, 38), None, None),
        (3, "Greta Lindqvist", "glindqvist@example.org", 48, "Other", "Dell XPS",
         D(2020, 7, 14), "Technical issue", "Network problem",
         "Wi-Fi drops every few minutes, even next to the router.", "Closed",
         "Updated the wireless driver.", "Low", "Social media",
         T(2023, 6, 1, 11, 14, 38), T(2023, 6, 1, 18, 5, 38), 3),
        (4, "Hiro Matsuda", "hmatsuda@example.org", 27, "Male", "Microsoft Office",
         D(2020, 11, 13), "Billing inquiry", "Account access",
         "I was charged twice for the same licence.", "Closed",
         "Refunded the duplicate charge.", "Low", "Social media",
         T(2023, 6, 1, 7, 29, 40), T(2023, 6, 1, 1, 57, 40), 3),
        (5, "Priscilla Nwosu", "pnwosu@example.com", 67, "Female", "Autodesk AutoCAD",
         D(2020, 2, 4), "Billing inquiry", "Data loss",
         "My drawings disappeared after the update.", "Closed",
         "Restored files from the cloud backup.", "Low", "Email",
         T(2023, 6, 1, 0, 12, 42), T(2023, 6, 1, 19, 53, 42), 1),
        (6, "Tobias Frank", "tfrank@example.net", 53, "Male", "Microsoft Office",
         D(2020, 7, 28), "Cancellation request", "Payment issue",
         "Please cancel; I was charged after cancelling.", "Open",
         "", "Low", "Social media", None, None, None),
        (7, "Leila Haddad", "lhaddad@example.org", 24, "Female", "Microsoft Surface",
         D(2020, 2, 23), "Product inquiry", "Refund request",
         "Can I return a device bought 40 days ago?", "Open",
         "", "Critical", "Social media", None, None, None),
        (8, "Marco Bellini", "mbellini@example.com", 23, "Male", "Philips Hue Lights",
         D(2020, 8, 9), "Refund request", "Battery life",
         "The remote's battery lasts a week.", "Open",
         "", "Critical", "Social media", None, None, None),
        (9, "Ines Duarte", "iduarte@example.com", 60, "Other", "Fitbit Versa Smartwatch",
         D(2020, 7, 16), "Technical issue", "Product recommendation",
         "Which band fits a 20 cm wrist?", "Pending Customer Response",
         "", "Low", "Social media", T(2023, 6, 1, 10, 32, 47), None, None),
        (10, "Kwame Mensah", "kmensah@example.com", 27, "Male", "Dyson Vacuum Cleaner",
         D(2020, 1, 6), "Refund request", "Installation support",
         "The charging dock will not mount on drywall.", "Pending Customer Response",
         "", "Critical", "Phone", T(2023, 6, 1, 9, 25, 48), None, None),
        (11, "Sofia Petrova", "spetrova@example.org", 48, "Female", "Nintendo Switch",
         D(2021, 1, 19), "Cancellation request", "Refund request",
         "Cancel my order, it shipped to the wrong address.", "Closed",
         "Order cancelled and refunded.", "High", "Phone",
         T(2023, 6, 1, 17, 46, 49), T(2023, 5, 31, 23, 51, 49), 2),
        (12, "Ethan Brooks", "ebrooks@example.net", 51, "Male", "Microsoft Xbox Controller",
         D(2021, 10, 24), "Product inquiry", "Product recommendation",
         "Is the controller compatible with a Mac?", "Open",
         "", "Critical", "Chat", None, None, None),
    ]
    recs = []
    for row in raw:
        (tid, name, email, age, gender, prod, purchase, typ, subj, desc, status, res, prio,
         chan, first, resolved, rating) = row
        recs.append(OrderedDict([
            ("Ticket ID", tid), ("Customer Name", name), ("Customer Email", email),
            ("Customer Age", age), ("Customer Gender", gender), ("Product Purchased", prod),
            ("Date of Purchase", purchase), ("Ticket Type", typ), ("Ticket Subject", subj),
            ("Ticket Description", desc), ("Ticket Status", status), ("Resolution", res),
            ("Ticket Priority", prio), ("Ticket Channel", chan), ("First Response Time", first),
            ("Time to Resolution", resolved), ("Customer Satisfaction Rating", rating)]))
    header = list(recs[0].keys())

    def ts(t):
        return "" if t is None else t.strftime("%Y-%m-%d %H:%M:%S")

    def to_row(r):
        return [str(r["Ticket ID"]), r["Customer Name"], r["Customer Email"], str(r["Customer Age"]),
                r["Customer Gender"], r["Product Purchased"], iso_date(r["Date of Purchase"]),
                r["Ticket Type"], r["Ticket Subject"], r["Ticket Description"], r["Ticket Status"],
                r["Resolution"], r["Ticket Priority"], r["Ticket Channel"],
                ts(r["First Response Time"]), ts(r["Time to Resolution"]),
                "" if r["Customer Satisfaction Rating"] is None
                else "%.1f" % r["Customer Satisfaction Rating"]]

    def csat(rs):
        vals = [r["Customer Satisfaction Rating"] for r in rs
                if r["Customer Satisfaction Rating"] is not None]
        return OrderedDict([("rated", len(vals)), ("sum", sum(vals)),
                            ("mean", round(sum(vals) / float(len(vals)), 4))])

    def neg_resolution(rs):
        return [r["Ticket ID"] for r in rs
                if r["Time to Resolution"] is not None and r["First Response Time"] is not None
                and r["Time to Resolution"] < r["First Response Time"]]

    exp = OrderedDict([
        ("crm", "Support tickets (header of the public Kaggle 'Customer Support Ticket "
                "Dataset', suraj520)"),
        ("roles", OrderedDict([
            ("id", "Ticket ID"), ("account", "Customer Name"), ("email", "Customer Email"),
            ("product", "Product Purchased"), ("category", "Ticket Type"),
            ("name", "Ticket Subject"), ("status", "Ticket Status"),
            ("priority", "Ticket Priority"), ("channel", "Ticket Channel"),
            ("resolved", "Time to Resolution"),
            ("satisfaction", "Customer Satisfaction Rating")])),
        ("not_roles", OrderedDict([
            ("Date of Purchase", "when the product was bought, not when the ticket was opened "
                                 "(the dataset has no ticket-created column)"),
            ("First Response Time", "a timestamp of the first reply, despite the name"),
            ("Time to Resolution", "a timestamp, despite the name; in the public dataset it "
                                   "is sometimes earlier than First Response Time")])),
        ("won_values", []), ("lost_values", []), ("open_values", []),
        ("closed_status_values", ["Closed"]),
        ("date_formats", OrderedDict([("Date of Purchase", "ymd"),
                                      ("First Response Time", "ymd-hms"),
                                      ("Time to Resolution", "ymd-hms")])),
        ("ambiguous_dates", []),
        ("notes", "Resolution, Time to Resolution and Customer Satisfaction Rating are empty "
                  "unless the ticket is Closed; First Response Time is empty for Open tickets "
                  "(the same pattern as the public dataset). Ticket Description keeps the "
                  "dataset's literal '{product_purchased}' placeholder in one row."),
        ("_status_field", "Ticket Status"),
        ("_extra", [("satisfaction", csat),
                    ("resolution_before_first_response_ids", neg_resolution)]),
    ])
    return Spec("tickets_support.csv", "utf-8", ",", "\n", False, header, recs, to_row, exp)


# --------------------------------------------------------------------------
# 9. European files


def salesforce_report_de():
    raw = [  # name, account, owner, phase, amount, prob, close, created, source
        ("Wartungsvertrag Müller", "Müller Maschinenbau GmbH", "Jürgen Weiß", "Gewonnen", 10000.00,
         100, D(2021, 4, 15), D(2021, 2, 22), "Messe"),
        ("Lizenzerweiterung Köhler", "Köhler & Söhne KG", "Anna Schäfer", "Gewonnen", 12345.50,
         100, D(2021, 5, 27), D(2021, 3, 16), "Empfehlung"),
        ("Schulung Großhandel Süd", "Großhandel Süd AG", "Jürgen Weiß", "Gewonnen", 7654.50,
         100, D(2021, 6, 18), D(2021, 6, 18), "Web"),
        ("Rollout Bäckerei Groß", "Bäckerei Groß e.K.", "Anna Schäfer", "Verloren", 4999.99,
         0, D(2021, 4, 30), D(2021, 1, 19), "Web"),
        ("Pilot Stadtwerke Lüneburg", "Stadtwerke Lüneburg", "Jürgen Weiß", "Verloren", 23500.00,
         0, D(2021, 5, 21), D(2021, 2, 8), "Messe"),
        ("Migration Öko-Energie", "Öko-Energie eG", "Anna Schäfer", "Verloren", 1234.50,
         0, D(2021, 6, 25), D(2021, 4, 13), "Kaltakquise"),
        ("Portal Fußbodentechnik", "Fußbodentechnik Kühn GmbH", "Jürgen Weiß", "Verhandlung",
         18900.00, 80, D(2021, 8, 31), D(2021, 5, 17), "Empfehlung"),
        ("Analyse Ärztehaus Nord", "Ärztehaus Nord", "Anna Schäfer", "Angebot", 6250.75,
         60, D(2021, 9, 24), D(2021, 6, 14), "Web"),
        ("Erstgespräch Straßenbau", "Straßenbau Jäger GmbH", "Jürgen Weiß", "Qualifizierung",
         None, 10, D(2021, 10, 29), D(2021, 6, 28), "Kaltakquise"),
    ]
    recs = []
    for (name, acct, owner, phase, amt, prob, close, created, src) in raw:
        recs.append(OrderedDict([("Opportunity-Name", name), ("Accountname", acct),
                                 ("Opportunity-Inhaber", owner), ("Phase", phase), ("amount", amt),
                                 ("Wahrscheinlichkeit (%)", prob), ("Schlusstermin", close),
                                 ("Erstelldatum", created), ("Lead-Quelle", src),
                                 ("currency", "EUR")]))
    header = ["Opportunity-Name", "Accountname", "Opportunity-Inhaber", "Phase", "Betrag",
              "Wahrscheinlichkeit (%)", "Schlusstermin", "Erstelldatum", "Lead-Quelle"]

    def to_row(r):
        return [r["Opportunity-Name"], r["Accountname"], r["Opportunity-Inhaber"], r["Phase"],
                num_de(r["amount"]), str(r["Wahrscheinlichkeit (%)"]),
                r["Schlusstermin"].strftime("%d.%m.%Y"), r["Erstelldatum"].strftime("%d.%m.%Y"),
                r["Lead-Quelle"]]

    exp = OrderedDict([
        ("crm", "Salesforce report (German UI labels) re-saved by German Excel as "
                "'CSV (Trennzeichen-getrennt)'"),
        ("roles", OrderedDict([
            ("name", "Opportunity-Name"), ("account", "Accountname"),
            ("owner", "Opportunity-Inhaber"), ("stage", "Phase"), ("amount", "Betrag"),
            ("probability", "Wahrscheinlichkeit (%)"), ("closed", "Schlusstermin"),
            ("created", "Erstelldatum"), ("source", "Lead-Quelle")])),
        ("won_values", ["Gewonnen"]),
        ("lost_values", ["Verloren"]),
        ("open_values", ["Qualifizierung", "Angebot", "Verhandlung"]),
        ("date_formats", OrderedDict([("Schlusstermin", "dmy-dot"), ("Erstelldatum", "dmy-dot")])),
        ("ambiguous_dates", []),
        ("amount_format", "decimal comma, '.' thousands separator (1.234,50)"),
        ("notes", "No currency column; all amounts are euro (key EUR). Some days are > 12, so "
                  "D.M.Y is decidable from the data as well as from the dots."),
        ("_stage_field", "Phase"),
        ("_default_currency", "EUR"),
    ])
    return Spec("salesforce_opportunity_report_de.csv", "cp1252", ";", "\r\n", False, header,
                recs, to_row, exp)


def vtiger_fr():
    raw = [  # no, name, org, stage, amount, prob, close, assigned, created
        ("POT101", "Logiciel de caisse Boulangerie Lefèvre", "Boulangerie Lefèvre", "Gagnée",
         4500.00, 100, D(2021, 4, 15), "Élodie Mercier", T(2021, 2, 17, 9, 30)),
        ("POT102", "Contrat de maintenance Société Générale d'Élevage", "SGE Élevage", "Gagnée",
         15500.00, 100, D(2021, 5, 28), "Rémi Fournier", T(2021, 3, 22, 14, 0)),
        ("POT103", "Formation équipe Hôtel Bellevue", "Hôtel Bellevue", "Gagnée", 2000.00,
         100, D(2021, 6, 14), "Élodie Mercier", T(2021, 6, 14, 8, 15)),
        ("POT104", "Migration ERP Château Dufour", "Château Dufour", "Perdue", 38000.00,
         0, D(2021, 4, 30), "Rémi Fournier", T(2021, 1, 25, 11, 0)),
        ("POT105", "Site e-commerce Crèmerie Moreau", "Crèmerie Moreau", "Perdue", 6400.50,
         0, D(2021, 5, 19), "Élodie Mercier", T(2021, 3, 30, 16, 45)),
        ("POT106", "Tablettes terrain Coopérative Agricole", "Coopérative Agricole du Léman",
         "Négociation/Révision", 12750.00, 80, D(2021, 8, 27), "Rémi Fournier",
         T(2021, 5, 18, 10, 20)),
        ("POT107", "Téléphonie IP Cabinet Garnier", "Cabinet Garnier & Associés",
         "Proposition/Prix", 3300.00, 60, D(2021, 9, 17), "Élodie Mercier",
         T(2021, 6, 2, 13, 30)),
        ("POT108", "Audit sécurité Mairie de Sète", "Mairie de Sète", "Prospection", None,
         10, D(2021, 10, 29), "Rémi Fournier", T(2021, 6, 21, 9, 5)),
    ]
    recs = []
    for (no, name, org, stage, amt, prob, close, assigned, created) in raw:
        recs.append(OrderedDict([("Affaire N°", no), ("Nom de l'affaire", name),
                                 ("Nom du compte", org), ("Phase de vente", stage),
                                 ("amount", amt), ("Probabilité", prob),
                                 ("Date de clôture prévue", close), ("Assigné à", assigned),
                                 ("Date de création", created), ("currency", "EUR")]))
    header = ["Affaire N°", "Nom de l'affaire", "Nom du compte", "Phase de vente", "Montant",
              "Probabilité", "Date de clôture prévue", "Assigné à", "Date de création"]

    def to_row(r):
        return [r["Affaire N°"], r["Nom de l'affaire"], r["Nom du compte"], r["Phase de vente"],
                num_fr(r["amount"]), str(r["Probabilité"]),
                r["Date de clôture prévue"].strftime("%d/%m/%Y"), r["Assigné à"],
                r["Date de création"].strftime("%d/%m/%Y %H:%M")]

    exp = OrderedDict([
        ("crm", "vtiger CRM (Opportunities/Affaires export, French UI) re-saved by French "
                "Excel as 'CSV (séparateur : point-virgule)'"),
        ("roles", OrderedDict([
            ("id", "Affaire N°"), ("name", "Nom de l'affaire"), ("account", "Nom du compte"),
            ("stage", "Phase de vente"), ("amount", "Montant"), ("probability", "Probabilité"),
            ("closed", "Date de clôture prévue"), ("owner", "Assigné à"),
            ("created", "Date de création")])),
        ("won_values", ["Gagnée"]),
        ("lost_values", ["Perdue"]),
        ("open_values", ["Prospection", "Proposition/Prix", "Négociation/Révision"]),
        ("date_formats", OrderedDict([("Date de clôture prévue", "dmy"),
                                      ("Date de création", "dmy-hm")])),
        ("ambiguous_dates", []),
        ("amount_format", "decimal comma, no thousands separator (6400,50)"),
        ("notes", "vtiger has no separate actual close date; for won/lost deals the expected "
                  "close date is the close date. Amounts are euro (key EUR)."),
        ("_stage_field", "Phase de vente"),
        ("_default_currency", "EUR"),
    ])
    return Spec("vtiger_potentials_fr.csv", "cp1252", ";", "\r\n", False, header, recs, to_row,
                exp)


def vtiger_es():
    raw = [  # no, name, org, stage, amount, prob, close, assigned, created
        ("POT201", "Renovación de licencias Ferretería Ruiz", "Ferretería Ruiz S.L.",
         "Cerrada-Ganada", 3000, 100, D(2022, 3, 18), "Lucía Fernández", T(2022, 1, 13, 9, 0)),
        ("POT202", "Implantación TPV Panadería Núñez", "Panadería Núñez", "Cerrada-Ganada", 7000,
         100, D(2022, 4, 22), "Javier Ortega", T(2022, 2, 14, 10, 30)),
        ("POT203", "Soporte anual Clínica Dental Sanz", "Clínica Dental Sanz", "Cerrada-Ganada",
         5000, 100, D(2022, 5, 27), "Lucía Fernández", T(2022, 5, 27, 16, 10)),
        ("POT204", "Web corporativa Bodegas Peñalba", "Bodegas Peñalba S.A.", "Cerrada-Perdida",
         4200, 0, D(2022, 3, 31), "Javier Ortega", T(2022, 1, 19, 12, 0)),
        ("POT205", "CRM Inmobiliaria Castaño", "Inmobiliaria Castaño", "Cerrada-Perdida", 9800,
         0, D(2022, 5, 13), "Lucía Fernández", T(2022, 3, 21, 8, 45)),
        ("POT206", "Cuadro de mando Transportes Gómez", "Transportes Gómez e Hijos",
         "Negociando-Revisando", 15000, 80, D(2022, 7, 29), "Javier Ortega",
         T(2022, 4, 25, 11, 20)),
        ("POT207", "App de reservas Hotel Marbella", "Hotel Marbella Playa",
         "Presupuesto Propuesto", 11000, 60, D(2022, 9, 16), "Lucía Fernández",
         T(2022, 5, 16, 15, 0)),
        ("POT208", "Auditoría RGPD Colegio Cervantes", "Colegio Cervantes", "Calificando", None,
         20, D(2022, 10, 28), "Javier Ortega", T(2022, 5, 30, 9, 40)),
    ]
    recs = []
    for (no, name, org, stage, amt, prob, close, assigned, created) in raw:
        recs.append(OrderedDict([("Número Oportunidad", no), ("Nombre Oportunidad", name),
                                 ("Organización", org), ("Fase de Venta", stage), ("amount", amt),
                                 ("Probabilidad", prob), ("Fecha estimada de cierre", close),
                                 ("Asignado a", assigned), ("Fecha de creación", created),
                                 ("currency", "EUR")]))
    header = ["Número Oportunidad", "Nombre Oportunidad", "Organización", "Fase de Venta",
              "Importe", "Probabilidad", "Fecha estimada de cierre", "Asignado a",
              "Fecha de creación"]

    def to_row(r):
        return [r["Número Oportunidad"], r["Nombre Oportunidad"], r["Organización"],
                r["Fase de Venta"], num_2dp(r["amount"]), str(r["Probabilidad"]),
                r["Fecha estimada de cierre"].strftime("%d-%m-%Y"), r["Asignado a"],
                r["Fecha de creación"].strftime("%d-%m-%Y %H:%M:%S")]

    exp = OrderedDict([
        ("crm", "vtiger CRM (Oportunidades export, Spanish UI, user date format dd-mm-yyyy)"),
        ("roles", OrderedDict([
            ("id", "Número Oportunidad"), ("name", "Nombre Oportunidad"),
            ("account", "Organización"), ("stage", "Fase de Venta"), ("amount", "Importe"),
            ("probability", "Probabilidad"), ("closed", "Fecha estimada de cierre"),
            ("owner", "Asignado a"), ("created", "Fecha de creación")])),
        ("won_values", ["Cerrada-Ganada"]),
        ("lost_values", ["Cerrada-Perdida"]),
        ("open_values", ["Calificando", "Presupuesto Propuesto", "Negociando-Revisando"]),
        ("date_formats", OrderedDict([("Fecha estimada de cierre", "dmy"),
                                      ("Fecha de creación", "dmy-hms")])),
        ("ambiguous_dates", []),
        ("notes", "Day-of-month > 12 in most rows, so D-M-Y is decidable from the data. "
                  "Amounts are euro (key EUR)."),
        ("_stage_field", "Fase de Venta"),
        ("_default_currency", "EUR"),
    ])
    return Spec("vtiger_potentials_es.csv", "utf-8", ",", "\r\n", True, header, recs, to_row,
                exp)


def pipedrive_ptbr():
    raw = [  # title, owner, value, status, stage, created, won, lost
        ("Clínica Sorriso - Agenda online", "Beatriz Souza", 4000, "Ganho", "Negociação iniciada",
         T(2024, 2, 19, 9, 0), T(2024, 3, 21, 15, 30), None),
        ("Padaria São João - PDV", "Rafael Lima", 6000, "Ganho", "Proposta feita",
         T(2024, 3, 4, 10, 15), T(2024, 4, 17, 11, 0), None),
        ("Construtora Araújo - Portal", "Beatriz Souza", 10000, "Ganho", "Negociação iniciada",
         T(2024, 4, 25, 14, 20), T(2024, 4, 25, 18, 5), None),
        ("Escola Aprender - Licenças", "Rafael Lima", 3500, "Perdido", "Proposta feita",
         T(2024, 2, 13, 8, 30), None, T(2024, 3, 28, 9, 45)),
        ("Farmácia Vida - App", "Beatriz Souza", 8800, "Perdido", "Contato feito",
         T(2024, 3, 18, 16, 0), None, T(2024, 4, 30, 10, 10)),
        ("Transportes Rápido - Frota", "Rafael Lima", 22000, "Aberto", "Negociação iniciada",
         T(2024, 4, 29, 11, 40), None, None),
        ("Mercado Bom Preço - BI", "Beatriz Souza", 5200, "Aberto", "Demonstração agendada",
         T(2024, 5, 13, 13, 0), None, None),
        ("Hotel Beira-Mar - Reservas", "Rafael Lima", None, "Aberto", "Qualificado",
         T(2024, 5, 20, 9, 25), None, None),
    ]
    recs = []
    for i, (title, owner, val, status, stage, created, won, lost) in enumerate(raw, 1):
        recs.append(OrderedDict([("Negócio - ID", 700 + i), ("Negócio - Título", title),
                                 ("Negócio - Proprietário", owner), ("amount", val),
                                 ("currency", "BRL"), ("Negócio - Etapa", stage),
                                 ("Negócio - Status", status), ("Negócio - Criado em", created),
                                 ("Negócio - Data de ganho", won), ("Negócio - Data de perda", lost)]))
    header = ["Negócio - ID", "Negócio - Título", "Negócio - Proprietário", "Negócio - Valor",
              "Negócio - Moeda", "Negócio - Etapa", "Negócio - Status", "Negócio - Criado em",
              "Negócio - Data de ganho", "Negócio - Data de perda"]

    def ts(t):
        return "" if t is None else t.strftime("%d/%m/%Y %H:%M")

    def to_row(r):
        return [str(r["Negócio - ID"]), r["Negócio - Título"], r["Negócio - Proprietário"],
                num_plain(r["amount"]), r["currency"], r["Negócio - Etapa"], r["Negócio - Status"],
                ts(r["Negócio - Criado em"]), ts(r["Negócio - Data de ganho"]),
                ts(r["Negócio - Data de perda"])]

    exp = OrderedDict([
        ("crm", "Pipedrive (deals export, Brazilian Portuguese UI)"),
        ("roles", OrderedDict([
            ("id", "Negócio - ID"), ("name", "Negócio - Título"),
            ("owner", "Negócio - Proprietário"), ("amount", "Negócio - Valor"),
            ("currency", "Negócio - Moeda"), ("stage", "Negócio - Status"),
            ("created", "Negócio - Criado em")])),
        ("not_roles", OrderedDict([("Negócio - Etapa", "pipeline stage; won/lost live in "
                                                       "Negócio - Status")])),
        ("won_values", ["Ganho"]),
        ("lost_values", ["Perdido"]),
        ("open_values", ["Aberto"]),
        ("date_formats", OrderedDict([("Negócio - Criado em", "dmy-hm"),
                                      ("Negócio - Data de ganho", "dmy-hm"),
                                      ("Negócio - Data de perda", "dmy-hm")])),
        ("ambiguous_dates", []),
        ("notes", "Won and lost dates are in two columns; the close date of a row is whichever "
                  "is filled. Some days are > 12, so D/M/Y is decidable."),
        ("_stage_field", "Negócio - Status"),
    ])
    return Spec("pipedrive_deals_pt-br.csv", "utf-8", ",", "\n", False, header, recs, to_row,
                exp)


# --------------------------------------------------------------------------

BUILDERS = [salesforce_api, salesforce_report_ja, hubspot, zoho_deals, zoho_deals_ambiguous,
            zoho_leads, zoho_cases, dynamics, dynamics_serial, pipedrive, freshsales, mazrica,
            kintone, esales, tickets, salesforce_report_de, vtiger_fr, vtiger_es,
            pipedrive_ptbr]


def build_all():
    files = OrderedDict()
    expected = []
    for b in BUILDERS:
        spec = b()
        rows = [spec.header] + [spec.to_row(r) for r in spec.records] + spec.footer
        for row in rows[1:len(spec.records) + 1]:
            assert len(row) == len(spec.header), (spec.name, row)
        text = render(rows, spec.delimiter, spec.quote_all, spec.newline)
        files[spec.name] = encode(text, spec.encoding)
        expected.append(finish_expected(spec))
    doc = OrderedDict([
        ("comment", "Generated by make_corpus.py from the same row data as the files; do not "
                    "edit by hand. Role names are the tool's (id, name, stage, amount, owner, "
                    "source, product, account, email, created, closed, changed, period, "
                    "forecast, actual, snapshot, category) plus currency, won_flag, "
                    "closed_flag, status, priority, channel, satisfaction, resolved, "
                    "probability, modified where such a column exists."),
        ("files", expected),
    ])
    files["expected.json"] = (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    return files


def main(argv):
    check = "--check" in argv
    files = build_all()
    bad = 0
    for name, data in files.items():
        path = os.path.join(HERE, name)
        if check:
            try:
                with open(path, "rb") as f:
                    same = f.read() == data
            except IOError:
                same = False
            if not same:
                print("differs: %s" % name)
                bad += 1
        else:
            with open(path, "wb") as f:
                f.write(data)
    if check:
        print("%d files, %d differ" % (len(files), bad))
        return 1 if bad else 0
    print("wrote %d files to %s" % (len(files), HERE))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
