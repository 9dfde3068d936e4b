#!/usr/bin/env python3
"""Generate the example CRM exports for crmkpi and their exact ground truth.

Run from the repository root (standard library only, deterministic):

    python3 examples/generate_examples.py

Writes, next to this script:
  deals.csv        Salesforce-style English export, UTF-8 (no BOM), LF, ~300 records
  deals_cp932.csv  Japanese Excel-saved export, CP932 (Windows-31J), CRLF, ~120 records
  README.md        the quirk list with counts (only the block between the GENERATED markers is
                   rewritten; anything above/below it is kept)
and ../tests/data/examples_truth.json, the ground truth computed from the in-memory rows (never
by re-reading the CSV files).

Truth definitions (per file):
  rows                  data records (header excluded)
  physical_lines        lines in the file including the header (a record whose quoted field holds
                        N line feeds spans N+1 lines)
  stage_counts          {stage value as written: records}
  per_owner             {owner as written ("" = empty): {won, lost, open, won_amount_sum,
                        won_with_amount}}; won = "Closed Won"/"受注", lost = "Closed Lost"/"失注",
                        every other stage is open; won_amount_sum = sum of the parseable amounts of
                        won records (integer currency units), won_with_amount = how many there are
  amount_empty          records with an empty amount
  amount_invalid        records with a non-numeric amount (TBD, N/A, 未定)
  created_empty         records with an empty created date
  created_invalid       records with an unparseable created date (e.g. 2024-02-30)
  negative_cycle_won    won records with both dates valid and close < created
  won_cycle_days        sorted (close - created) in days for won records with both dates valid
                        and close >= created
  duplicate_email_rows_after_trim_lower
                        records whose e-mail, trimmed and lower-cased, is non-empty and equals
                        that of an EARLIER record (first occurrences are not counted)
"""

import datetime as dt
import json
import os
import random

SEED = 20240917

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
TRUTH_PATH = os.path.join(REPO, "tests", "data", "examples_truth.json")

FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
FROM_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")

YEAR_START = dt.date(2024, 1, 1)
YEAR_DAYS = 366  # 2024 is a leap year

# ---------------------------------------------------------------------------------------------
# CSV writing (RFC 4180, minimal quoting: only fields containing , " CR or LF are quoted).


def csv_field(value):
    if any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def render_csv(header, records, eol):
    return "".join(",".join(csv_field(f) for f in rec) + eol for rec in [header] + records)


# ---------------------------------------------------------------------------------------------
# Helpers.


def make_ids(rng, n):
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    seen = set()
    out = []
    while len(out) < n:
        oid = "006A000000" + "".join(rng.choice(alphabet) for _ in range(5))
        if oid not in seen:
            seen.add(oid)
            out.append(oid)
    return out


def allocate(rng, n, plan):
    """Assign each of n indices exactly one category. plan = [(category, count), ...]; the
    remainder gets None. Returns a list of categories indexed by row."""
    idx = list(range(n))
    rng.shuffle(idx)
    out = [None] * n
    pos = 0
    for cat, count in plan:
        for i in idx[pos:pos + count]:
            out[i] = cat
        pos += count
    assert pos <= n
    return out


def parse_amount_text(text):
    """Independent parse of the amount text (used only as a self-check of the metadata)."""
    t = text.strip().translate(FROM_FULLWIDTH)
    for mark in ("¥", "￥", "円"):
        t = t.replace(mark, "")
    t = t.replace(",", "")
    if t == "":
        return "empty", None
    if t.isdigit():
        return "ok", int(t)
    return "invalid", None


def weighted(rng, items, weights):
    return rng.choices(items, weights=weights, k=1)[0]


# ---------------------------------------------------------------------------------------------
# Truth.


def compute_truth(rows, won_stage, lost_stage, stage_order):
    truth = {
        "rows": len(rows),
        "physical_lines": 1 + sum(1 + sum(f.count("\n") for f in r["fields"]) for r in rows),
    }
    counts = {}
    for r in rows:
        counts[r["stage"]] = counts.get(r["stage"], 0) + 1
    truth["stage_counts"] = {s: counts[s] for s in stage_order if s in counts}
    assert sum(truth["stage_counts"].values()) == len(rows)

    per_owner = {}
    for r in rows:
        o = per_owner.setdefault(r["owner"], {"won": 0, "lost": 0, "open": 0,
                                              "won_amount_sum": 0, "won_with_amount": 0})
        if r["stage"] == won_stage:
            o["won"] += 1
            if r["amount_status"] == "ok":
                o["won_amount_sum"] += r["amount_value"]
                o["won_with_amount"] += 1
        elif r["stage"] == lost_stage:
            o["lost"] += 1
        else:
            o["open"] += 1
    truth["per_owner"] = {k: per_owner[k] for k in sorted(per_owner)}

    truth["amount_empty"] = sum(r["amount_status"] == "empty" for r in rows)
    truth["amount_invalid"] = sum(r["amount_status"] == "invalid" for r in rows)
    truth["created_empty"] = sum(r["created_status"] == "empty" for r in rows)
    truth["created_invalid"] = sum(r["created_status"] == "invalid" for r in rows)

    neg = 0
    cycles = []
    for r in rows:
        if r["stage"] != won_stage:
            continue
        if r["created_status"] != "ok" or r["close_status"] != "ok":
            continue
        d = (r["close"] - r["created"]).days
        if d < 0:
            neg += 1
        else:
            cycles.append(d)
    truth["negative_cycle_won"] = neg
    truth["won_cycle_days"] = sorted(cycles)

    seen = set()
    dups = 0
    for r in rows:
        norm = r["email"].strip(" \t").lower()
        if not norm:
            continue
        if norm in seen:
            dups += 1
        seen.add(norm)
    truth["duplicate_email_rows_after_trim_lower"] = dups
    return truth


# ---------------------------------------------------------------------------------------------
# deals.csv (English, Salesforce style).

EN_HEADER = ["Opportunity ID", "Opportunity Name", "Account Name", "Opportunity Owner",
             "Lead Source", "Product", "Stage", "Amount", "Created Date", "Close Date",
             "Contact Email", "Description"]
EN_STAGES = ["Prospecting", "Qualification", "Proposal", "Negotiation", "Closed Won",
             "Closed Lost"]
EN_OPEN_STAGES = ["Prospecting", "Qualification", "Proposal", "Negotiation"]

# (owner as written, relative share of deals, win rate among closed deals)
EN_OWNERS = [
    ("佐藤\u3000花子", 16, 0.70),   # full-width space
    ("鈴木 一郎", 14, 0.55),
    ("高橋\u3000美咲", 12, 0.40),   # full-width space
    ("田中 健太", 13, 0.30),
    ("Amanda Clark", 12, 0.65),
    ("Brian Lee", 11, 0.45),
    ("Carol White", 12, 0.35),
    ("David Kim", 10, 0.20),
]

# (account name as stored, e-mail domain)
EN_ACCOUNTS = [
    ("株式会社サンプル商事", "sample-shoji.example.jp"),
    ("(株)テスト工業", "test-kogyo.example.jp"),
    ("Acme Inc.", "acme.example.com"),
    ("Globex, Inc.", "globex.example.com"),
    ('Initech "Labs"', "initech.example.com"),
    ("Umbrella Corp", "umbrella.example.com"),
    ("Stark Industries", "stark.example.com"),
    ("Wayne Enterprises", "wayne.example.com"),
    ("Hooli", "hooli.example.com"),
    ("Vandelay Industries", "vandelay.example.com"),
    ("Soylent Corp.", "soylent.example.com"),
    ("Cyberdyne Systems", "cyberdyne.example.com"),
    ("Tyrell Corporation", "tyrell.example.com"),
    ("Wonka Industries", "wonka.example.com"),
    ("Blue Sun Ltd.", "bluesun.example.com"),
    ("Northwind Traders", "northwind.example.com"),
    ("Contoso Ltd.", "contoso.example.com"),
    ("Fabrikam, LLC", "fabrikam.example.com"),
    ("Pied Piper", "piedpiper.example.com"),
    ("Dunder Mifflin", "dundermifflin.example.com"),
    ("Oscorp", "oscorp.example.com"),
    ("Gringotts Bank", "gringotts.example.com"),
    ("株式会社みらい物流", "mirai-butsuryu.example.jp"),
    ("有限会社やまと製作所", "yamato-ss.example.jp"),
    ("ダミー電機株式会社", "dummy-denki.example.jp"),
    ("株式会社ひかりソフト", "hikari-soft.example.jp"),
    ("合同会社アオバ", "aoba.example.jp"),
    ("東都システム株式会社", "toto-sys.example.jp"),
    ("株式会社さくらフーズ", "sakura-foods.example.jp"),
    ("(株)北斗建設", "hokuto-kensetsu.example.jp"),
    ("株式会社ミナト化学", "minato-kagaku.example.jp"),
    ("日本サンプル銀行", "sample-bank.example.jp"),
    ("株式会社ことぶき不動産", "kotobuki-re.example.jp"),
    ("Kanto Trading K.K.", "kanto-trading.example.jp"),
    ("Osaka Robotics Co., Ltd.", "osaka-robotics.example.jp"),
    ("Nagoya Parts Inc.", "nagoya-parts.example.jp"),
    ("Sunrise Media", "sunrise-media.example.com"),
    ("Evergreen Health", "evergreen.example.com"),
    ("Atlas Logistics", "atlas.example.com"),
    ("Quantum Retail", "quantum-retail.example.com"),
]

EN_LEAD_SOURCES = ["Web", "Referral", "Partner", "Event", "Outbound"]
EN_PRODUCTS = ["Sales Cloud Standard", "Sales Cloud Enterprise", "Analytics Add-on",
               "Onboarding Pack"]

FIRST_NAMES = ["taro", "hanako", "ken", "yuki", "mika", "sho", "aya", "daisuke", "emi", "ryo",
               "john", "emily", "michael", "sarah", "james", "laura", "kevin", "olivia", "mark",
               "nina"]
LAST_NAMES = ["yamada", "suzuki", "ito", "watanabe", "nakamura", "kobayashi", "kato", "yoshida",
              "smith", "johnson", "brown", "miller", "davis", "garcia", "wilson", "moore"]

EN_DESC_PLAIN = [
    "Initial call went well",
    "Follow up next week",
    "Budget approved by IT",
    "Waiting on legal review",
    "Inbound from website form",
    "Referred by existing customer",
    "Needs approval from HQ",
    "Pilot running",
    "現地訪問済み",
    "先方決裁者と面談済み、見積提出予定",
    "Decision maker identified",
    "Sent case studies",
]
EN_DESC_COMMA = [
    "Demo done, pricing sent",
    "Champion is the CFO, needs ROI deck",
    "50 seats, annual contract, starts in April",
    "Competing with in-house tool, decision next month",
    "Requested security sheet, SSO, audit log",
    "Trial extended to 30 days, positive feedback",
    "Budget confirmed, waiting for PO",
    "Renewal plus upsell, 20 extra seats",
    "Price too high, revisit in Q3",
    "見積提出済み, 来週回答予定",
    "Met at trade show, wants follow-up",
    "Two stakeholders, one blocker",
]
EN_DESC_NL2 = [
    "Call notes:\nneeds SSO and audit log",
    "Next step: send quote\nFollow up on Friday",
    "予算確保済み\n来月稟議",
    "Met at booth\nasked for a demo, 10 users",
    "Contract sent\nwaiting for signature",
    "Champion left the company\nnew contact: procurement",
]
EN_DESC_NL3 = [
    "Meeting notes:\n- wants pilot, 10 users\n- legal review needed",
    "Step 1: demo\nStep 2: trial\nStep 3: contract",
    "課題: 入力負荷が高い\n提案: モバイル対応\n次回: 見積提示",
    "Q&A:\nData residency in Japan?\nYes, Tokyo region",
]
EN_DESC_QUOTE = [
    'Customer said "too expensive" on first call',
    'Asked for the "Enterprise" tier, 10% discount',
    'Wants "same as last year" terms',
    '"Urgent" - board meeting next week',
    'Quote ref "Q-2024-118"',
]


def email_variant(email, k):
    local, domain = email.split("@")
    cap = ".".join(p.capitalize() for p in local.split(".")) + "@" + domain.capitalize()
    variants = [
        email.upper(),
        cap,
        " " + email + " ",
        email + "  ",
        " " + cap,
        "  " + email.upper(),
    ]
    v = variants[k % len(variants)]
    assert v != email and v.strip(" \t").lower() == email
    return v


def make_emails(rng, n, domains, n_empty, n_dup, dup_min_index):
    """Returns (raw e-mails, categories). Base e-mails are lower-case and unique."""
    used = set()
    emails = [None] * n
    kinds = [None] * n
    idx = list(range(n))
    dup_rows = sorted(rng.sample(range(dup_min_index, n), n_dup))
    rest = [i for i in idx if i not in set(dup_rows)]
    empty_rows = set(rng.sample(rest, n_empty))
    for i in range(n):
        if i in empty_rows:
            emails[i] = ""
            kinds[i] = "empty"
        elif i in dup_rows:
            continue
        else:
            base = rng.choice(FIRST_NAMES) + "." + rng.choice(LAST_NAMES)
            cand = base + "@" + domains[i]
            k = 2
            while cand in used:
                cand = f"{base}{k}@{domains[i]}"
                k += 1
            used.add(cand)
            emails[i] = cand
            kinds[i] = "unique"
    used_sources = set()
    for k, i in enumerate(dup_rows):
        sources = [j for j in range(i) if kinds[j] == "unique" and j not in used_sources]
        j = rng.choice(sources)
        used_sources.add(j)
        emails[i] = email_variant(emails[j], k)
        kinds[i] = "dup"
    return emails, kinds


def fmt_iso(d):
    return d.isoformat()


def fmt_slash(d):
    return d.strftime("%Y/%m/%d")


def gen_english(rng):
    n = 300
    # Hidden "true" created dates, sorted: the export is ordered by created date.
    true_created = sorted(YEAR_START + dt.timedelta(days=rng.randrange(YEAR_DAYS))
                          for _ in range(n))
    ids = make_ids(rng, n)

    # Owners: exactly 3 empty.
    empty_owner = set(rng.sample(range(n), 3))
    owners = []
    for i in range(n):
        if i in empty_owner:
            owners.append(("", 0, 0.5))
        else:
            owners.append(weighted(rng, EN_OWNERS, [o[1] for o in EN_OWNERS]))

    # Stages: exactly 135 closed (45 %).
    closed = set(rng.sample(range(n), 135))
    stages = []
    for i in range(n):
        if i in closed:
            stages.append("Closed Won" if rng.random() < owners[i][2] else "Closed Lost")
        else:
            stages.append(weighted(rng, EN_OPEN_STAGES, [35, 25, 22, 18]))

    # Accounts: exactly 9 empty (3 %); make sure every special account appears.
    acc_empty = set(rng.sample(range(n), 9))
    accounts = []
    for i in range(n):
        accounts.append(None if i in acc_empty else rng.choice(EN_ACCOUNTS))
    non_empty = [i for i in range(n) if i not in acc_empty]
    for special, slot in zip(EN_ACCOUNTS[:5], rng.sample(non_empty, 5)):
        accounts[slot] = special

    lead_empty = set(rng.sample(range(n), 15))
    products = [rng.choice(EN_PRODUCTS) for _ in range(n)]

    # Amount formats: exact counts.
    amount_kind = allocate(rng, n, [("invalid", 2), ("empty", 12), ("thousands", 15),
                                    ("yen", 4), ("fullwidth", 3)])
    invalid_texts = iter(["TBD", "N/A"])

    # Created date formats: 6 empty, 1 invalid, 10 slash-written; the rest ISO.
    created_kind = allocate(rng, n, [("empty", 6), ("invalid", 1), ("slash", 10)])

    # Close dates for closed deals; exactly one won deal closes before it was created.
    won_ok = [i for i in range(n) if stages[i] == "Closed Won" and created_kind[i] is None
              and true_created[i] >= dt.date(2024, 2, 1)]
    negative_row = rng.choice(won_ok)

    desc_kind = allocate(rng, n, [("nl3", 10), ("nl2", 20), ("comma", 90), ("quote", 5),
                                  ("empty", 35)])

    domains = [(a[1] if a else "mail.example.com") for a in accounts]
    emails, _ = make_emails(rng, n, domains, n_empty=15, n_dup=9, dup_min_index=60)

    rows = []
    for i in range(n):
        owner = owners[i][0]
        acc = accounts[i][0] if accounts[i] else ""
        product = products[i]
        name = f"{acc} - {product}" if acc else f"New business - {product}"
        lead = "" if i in lead_empty else rng.choice(EN_LEAD_SOURCES)
        stage = stages[i]

        value = rng.randrange(10, 501) * 10000  # 100,000 .. 5,000,000 JPY
        kind = amount_kind[i]
        if kind == "invalid":
            amount_text, a_status, a_value = next(invalid_texts), "invalid", None
        elif kind == "empty":
            amount_text, a_status, a_value = "", "empty", None
        elif kind == "thousands":
            amount_text, a_status, a_value = f"{value:,}", "ok", value
        elif kind == "yen":
            amount_text, a_status, a_value = f"¥{value:,}", "ok", value
        elif kind == "fullwidth":
            amount_text, a_status, a_value = str(value).translate(FULLWIDTH), "ok", value
        else:
            amount_text, a_status, a_value = str(value), "ok", value
        assert parse_amount_text(amount_text) == (a_status, a_value)

        created = true_created[i]
        ck = created_kind[i]
        if ck == "empty":
            created_text, c_status, c_date = "", "empty", None
        elif ck == "invalid":
            created_text, c_status, c_date = "2024-02-30", "invalid", None
        elif ck == "slash":
            created_text, c_status, c_date = fmt_slash(created), "ok", created
        else:
            created_text, c_status, c_date = fmt_iso(created), "ok", created

        if stage in ("Closed Won", "Closed Lost"):
            if i == negative_row:
                close = created - dt.timedelta(days=rng.randint(3, 20))
            else:
                close = created + dt.timedelta(days=rng.randint(5, 120))
            close_text = fmt_slash(close) if ck == "slash" else fmt_iso(close)
            cl_status, cl_date = "ok", close
        else:
            close_text, cl_status, cl_date = "", "empty", None

        dk = desc_kind[i]
        if dk == "nl3":
            desc = rng.choice(EN_DESC_NL3)
        elif dk == "nl2":
            desc = rng.choice(EN_DESC_NL2)
        elif dk == "comma":
            desc = rng.choice(EN_DESC_COMMA)
        elif dk == "quote":
            desc = rng.choice(EN_DESC_QUOTE)
        elif dk == "empty":
            desc = ""
        else:
            desc = rng.choice(EN_DESC_PLAIN)

        fields = [ids[i], name, acc, owner, lead, product, stage, amount_text, created_text,
                  close_text, emails[i], desc]
        assert len(fields) == 12 and not any("\r" in f for f in fields)
        rows.append({"fields": fields, "owner": owner, "stage": stage,
                     "amount_status": a_status, "amount_value": a_value,
                     "created_status": c_status, "created": c_date,
                     "close_status": cl_status, "close": cl_date, "email": emails[i],
                     "amount_kind": kind or "plain", "created_kind": ck or "iso",
                     "desc_kind": dk or "plain", "account": acc, "lead": lead})
    return rows


# ---------------------------------------------------------------------------------------------
# deals_cp932.csv (Japanese, Excel-saved).

JA_HEADER = ["商談ID", "商談名", "取引先名", "所有者", "リードソース", "商品", "フェーズ", "金額",
             "作成日", "完了予定日", "メール", "説明"]
JA_STAGES = ["見込み", "要件確認", "提案", "交渉", "受注", "失注"]
JA_OPEN_STAGES = ["見込み", "要件確認", "提案", "交渉"]

JA_OWNERS = [
    ("佐藤\u3000花子", 14, 0.70),
    ("鈴木 一郎", 12, 0.55),
    ("高橋\u3000美咲", 11, 0.40),
    ("田中 健太", 11, 0.30),
    ("山本 さくら", 8, 0.50),
]

JA_ACCOUNTS = [
    ("株式会社サンプル商事", "sample-shoji.example.jp"),
    ("(株)テスト工業", "test-kogyo.example.jp"),
    ("㈱ダミー電機", "dummy-denki.example.jp"),        # ㈱ = NEC special character (CP932 only)
    ("髙田物流株式会社", "takada-butsuryu.example.jp"),  # 髙 = IBM extension (CP932 only)
    ("株式会社みらい物流", "mirai-butsuryu.example.jp"),
    ("有限会社やまと製作所", "yamato-ss.example.jp"),
    ("株式会社ひかりソフト", "hikari-soft.example.jp"),
    ("合同会社アオバ", "aoba.example.jp"),
    ("東都システム株式会社", "toto-sys.example.jp"),
    ("株式会社さくらフーズ", "sakura-foods.example.jp"),
    ("(株)北斗建設", "hokuto-kensetsu.example.jp"),
    ("株式会社ミナト化学", "minato-kagaku.example.jp"),
    ("日本サンプル銀行", "sample-bank.example.jp"),
    ("株式会社ことぶき不動産", "kotobuki-re.example.jp"),
    ("ＡＢＣホールディングス株式会社", "abc-hd.example.jp"),  # full-width Latin letters
    ("Acme Japan株式会社", "acme-japan.example.jp"),
    ("株式会社フジ精工", "fuji-seiko.example.jp"),
    ("医療法人さつき会", "satsuki.example.jp"),
    ("株式会社オオサカ食品", "osaka-shokuhin.example.jp"),
    ("学校法人みどり学園", "midori-gakuen.example.jp"),
]
JA_LEAD_SOURCES = ["Web", "紹介", "パートナー", "展示会", "アウトバウンド"]
JA_PRODUCTS = ["クラウドCRM スタンダード", "クラウドCRM エンタープライズ", "分析オプション",
               "導入支援パック"]

JA_DESC_PLAIN = [
    "初回訪問済み",
    "来週フォロー予定",
    "情報システム部の承認待ち",
    "法務レビュー中",
    "Webフォームからの問い合わせ",
    "既存顧客からの紹介",
    "トライアル実施中",
    "決裁者と面談済み",
]
JA_DESC_TOUTEN = [
    "デモ実施済み、見積送付済み",
    "決裁者はCFO、ROI資料が必要",
    "50ライセンス、年間契約、4月開始",
    "社内ツールと競合、来月判断",
    "セキュリティシート、SSO、監査ログを要望",
    "トライアル30日延長、反応良好",
    "予算確定、発注書待ち",
    "価格が高い、第3四半期に再提案",
]
JA_DESC_COMMA = [
    "見積提出済み, 来週回答予定",
    "予算1,000万円, 稟議中",
]
JA_DESC_NL = [
    "打合せメモ：\nSSOと監査ログが必須",
    "次のアクション：見積送付\n金曜日にフォロー",
    "予算確保済み\n来月稟議",
    "課題：入力負荷が高い\n提案：モバイル対応\n次回：見積提示",
    "展示会で名刺交換\nデモ希望、10名",
]
JA_DESC_QUOTE = [
    '先方いわく "価格が高い" とのこと',
    '"至急" 来週役員会',
]


def gen_japanese(rng):
    n = 120
    true_created = sorted(YEAR_START + dt.timedelta(days=rng.randrange(YEAR_DAYS))
                          for _ in range(n))
    ids = make_ids(rng, n)

    empty_owner = set(rng.sample(range(n), 1))
    owners = [("", 0, 0.5) if i in empty_owner else weighted(rng, JA_OWNERS, [o[1] for o in JA_OWNERS])
              for i in range(n)]

    closed = set(rng.sample(range(n), 54))  # 45 %
    stages = []
    for i in range(n):
        if i in closed:
            stages.append("受注" if rng.random() < owners[i][2] else "失注")
        else:
            stages.append(weighted(rng, JA_OPEN_STAGES, [35, 25, 22, 18]))

    acc_empty = set(rng.sample(range(n), 2))
    accounts = [None if i in acc_empty else rng.choice(JA_ACCOUNTS) for i in range(n)]
    non_empty = [i for i in range(n) if i not in acc_empty]
    for special, slot in zip(JA_ACCOUNTS[:4], rng.sample(non_empty, 4)):
        accounts[slot] = special

    lead_empty = set(rng.sample(range(n), 6))
    products = [rng.choice(JA_PRODUCTS) for _ in range(n)]

    amount_kind = allocate(rng, n, [("invalid", 1), ("empty", 4), ("fullwidth", 3),
                                    ("yen_suffix", 2), ("plain", 45)])
    # remainder (None) = "￥1,200,000" (full-width yen sign: U+00A5 does not exist in CP932)

    created_kind = allocate(rng, n, [("empty", 2), ("invalid", 1)])

    desc_kind = allocate(rng, n, [("nl", 12), ("touten", 40), ("comma", 4), ("quote", 2),
                                  ("empty", 15)])

    domains = [(a[1] if a else "mail.example.jp") for a in accounts]
    emails, _ = make_emails(rng, n, domains, n_empty=5, n_dup=3, dup_min_index=30)

    rows = []
    for i in range(n):
        owner = owners[i][0]
        acc = accounts[i][0] if accounts[i] else ""
        product = products[i]
        name = f"{acc} {product}" if acc else f"新規案件 {product}"
        lead = "" if i in lead_empty else rng.choice(JA_LEAD_SOURCES)
        stage = stages[i]

        value = rng.randrange(10, 501) * 10000
        kind = amount_kind[i]
        if kind == "invalid":
            amount_text, a_status, a_value = "未定", "invalid", None
        elif kind == "empty":
            amount_text, a_status, a_value = "", "empty", None
        elif kind == "fullwidth":
            amount_text, a_status, a_value = str(value).translate(FULLWIDTH), "ok", value
        elif kind == "yen_suffix":
            amount_text, a_status, a_value = f"{value:,}円", "ok", value
        elif kind == "plain":
            amount_text, a_status, a_value = str(value), "ok", value
        else:
            amount_text, a_status, a_value = f"￥{value:,}", "ok", value
        assert parse_amount_text(amount_text) == (a_status, a_value)

        created = true_created[i]
        ck = created_kind[i]
        if ck == "empty":
            created_text, c_status, c_date = "", "empty", None
        elif ck == "invalid":
            created_text, c_status, c_date = "2024/02/30", "invalid", None
        else:
            created_text, c_status, c_date = fmt_slash(created), "ok", created

        # Japanese Salesforce always has 完了予定日: actual close for closed deals, expected close
        # for open ones.
        if stage in ("受注", "失注"):
            close = created + dt.timedelta(days=rng.randint(5, 120))
        else:
            close = created + dt.timedelta(days=rng.randint(14, 180))
        close_text, cl_status, cl_date = fmt_slash(close), "ok", close

        dk = desc_kind[i]
        if dk == "nl":
            desc = rng.choice(JA_DESC_NL)
        elif dk == "touten":
            desc = rng.choice(JA_DESC_TOUTEN)
        elif dk == "comma":
            desc = rng.choice(JA_DESC_COMMA)
        elif dk == "quote":
            desc = rng.choice(JA_DESC_QUOTE)
        elif dk == "empty":
            desc = ""
        else:
            desc = rng.choice(JA_DESC_PLAIN)

        fields = [ids[i], name, acc, owner, lead, product, stage, amount_text, created_text,
                  close_text, emails[i], desc]
        assert len(fields) == 12 and not any("\r" in f for f in fields)
        for f in fields:
            f.encode("cp932", errors="strict")
        rows.append({"fields": fields, "owner": owner, "stage": stage,
                     "amount_status": a_status, "amount_value": a_value,
                     "created_status": c_status, "created": c_date,
                     "close_status": cl_status, "close": cl_date, "email": emails[i],
                     "amount_kind": kind or "yen", "created_kind": ck or "slash",
                     "desc_kind": dk or "plain", "account": acc, "lead": lead})
    return rows


# ---------------------------------------------------------------------------------------------
# README.

BEGIN = "<!-- BEGIN GENERATED by examples/generate_examples.py; edits here are overwritten -->"
END = "<!-- END GENERATED -->"

DEFAULT_TOP = """# Example data

Synthetic CRM deal exports (all names, companies and e-mail addresses are invented; e-mail
domains are under `example.com` / `example.jp`). The quick-start command in the top-level README
runs `crmkpi report` on these files (see there for the exact options), roughly:

    crmkpi report examples/deals.csv
    crmkpi report examples/deals_cp932.csv

"""


def count(rows, key, value):
    return sum(r[key] == value for r in rows)


def readme_block(en, ja, t_en, t_ja):
    def nl_records(rows):
        return sum(any("\n" in f for f in r["fields"]) for r in rows)

    def quoted_records(rows):
        return sum(any(any(c in f for c in ',"\n') for f in r["fields"]) for r in rows)

    def stage_line(t):
        return ", ".join(f"{k} {v}" for k, v in t["stage_counts"].items())

    def owner_empty(t):
        return sum(v["won"] + v["lost"] + v["open"] for k, v in t["per_owner"].items() if k == "")

    en_owners = [k for k in t_en["per_owner"] if k]
    lines = [
        BEGIN,
        "",
        "## Files",
        "",
        "| file | what | encoding / line ends | records | physical lines |",
        "|---|---|---|---|---|",
        f"| `deals.csv` | Salesforce-style opportunity export, English header | UTF-8 (no BOM), LF "
        f"| {t_en['rows']} | {t_en['physical_lines']} |",
        f"| `deals_cp932.csv` | Japanese Salesforce report saved from Excel, Japanese header "
        f"| CP932 (Windows-31J), CRLF | {t_ja['rows']} | {t_ja['physical_lines']} |",
        "",
        "Regenerate (deterministic, fixed seed, Python 3 standard library only) from the repository "
        "root:",
        "",
        "    python3 examples/generate_examples.py",
        "",
        "It rewrites both CSV files, this block of the README, and `tests/data/examples_truth.json`, "
        "the exact expected numbers (rows, physical lines, stage counts, per-owner won/lost/open "
        "and won amount sums, empty/invalid amounts and dates, negative cycles, won cycle days, "
        "duplicate e-mails) computed from the generator's in-memory rows. Its docstring defines "
        "each truth field.",
        "",
        "## Quirks in `deals.csv`",
        "",
        f"- Stages: {stage_line(t_en)}.",
        f"- Owners: {len(en_owners)} ({', '.join('`' + o + '`' for o in en_owners)}); the names "
        "`佐藤　花子` and `高橋　美咲` use a full-width space (U+3000), the other Japanese names an "
        f"ASCII space; win rates differ by owner. {owner_empty(t_en)} records have an empty owner.",
        f"- Accounts: {len(EN_ACCOUNTS)} distinct, including `株式会社サンプル商事`, `(株)テスト工業`, "
        "`Globex, Inc.` (quoted because of the comma) and `Initech \"Labs\"` (written "
        f"`\"Initech \"\"Labs\"\"\"`); {count(en, 'account', '')} empty.",
        f"- Lead Source: {count(en, 'lead', '')} empty.",
        f"- Amount: {count(en, 'amount_kind', 'plain')} plain integers, "
        f"{count(en, 'amount_kind', 'thousands')} with thousands separators (`\"1,200,000\"`), "
        f"{count(en, 'amount_kind', 'yen')} with a yen sign (`\"¥1,500,000\"`), "
        f"{count(en, 'amount_kind', 'fullwidth')} in full-width digits (e.g. `１２０００００`), "
        f"{t_en['amount_empty']} empty, {t_en['amount_invalid']} non-numeric (`TBD`, `N/A`).",
        f"- Created Date: ISO `YYYY-MM-DD` except {count(en, 'created_kind', 'slash')} written "
        f"`YYYY/MM/DD`; {t_en['created_empty']} empty; {t_en['created_invalid']} invalid "
        "(`2024-02-30`).",
        "- Close Date: only on closed deals (created + 5..120 days, same format as the created "
        f"date); open deals have it empty. {t_en['negative_cycle_won']} won deal closes before it "
        "was created (negative cycle).",
        f"- Contact Email: {count(en, 'email', '')} empty; "
        f"{t_en['duplicate_email_rows_after_trim_lower']} records repeat an earlier address with "
        "different case and/or surrounding spaces (duplicates only after trim + lower-case).",
        f"- Description: {count(en, 'desc_kind', 'comma')} quoted because of commas, "
        f"{nl_records(en)} with line feeds inside quotes (records spanning 2–3 physical lines), "
        f"{count(en, 'desc_kind', 'quote')} with doubled quotes, {count(en, 'desc_kind', 'empty')} "
        "empty.",
        f"- {quoted_records(en)} records have at least one quoted field.",
        "",
        "## Quirks in `deals_cp932.csv`",
        "",
        "- Encoded in CP932 (Shift_JIS with the Microsoft extensions: `㈱`, `髙` and the "
        "full-width yen sign `￥` appear; a plain Shift_JIS or EUC-JP decoder fails on them). "
        "Records end with CRLF, but line feeds inside quoted cells are bare LF, as Excel writes "
        "Alt+Enter line breaks. No BOM.",
        f"- Stages (Japanese): {stage_line(t_ja)}.",
        "- Owners: `佐藤　花子`, `高橋　美咲` (full-width space), `鈴木 一郎`, `田中 健太`, "
        f"`山本 さくら`; {owner_empty(t_ja)} empty.",
        f"- Amount: {count(ja, 'amount_kind', 'yen')} as `\"￥1,200,000\"` (full-width yen, quoted), "
        f"{count(ja, 'amount_kind', 'plain')} plain, {count(ja, 'amount_kind', 'yen_suffix')} as "
        f"`\"1,200,000円\"`, {count(ja, 'amount_kind', 'fullwidth')} in full-width digits, "
        f"{t_ja['amount_empty']} empty, {t_ja['amount_invalid']} non-numeric (`未定`).",
        f"- Dates `YYYY/MM/DD`; 作成日 {t_ja['created_empty']} empty, "
        f"{t_ja['created_invalid']} invalid (`2024/02/30`). 完了予定日 is filled on every record "
        "(actual close for 受注/失注, expected close — up to mid-2025 — for open deals); "
        f"{t_ja['negative_cycle_won']} negative cycles.",
        f"- メール: {count(ja, 'email', '')} empty, {t_ja['duplicate_email_rows_after_trim_lower']} "
        "case/space variants of earlier addresses.",
        f"- 説明: Japanese text with 、; {nl_records(ja)} with line breaks inside quotes, "
        f"{count(ja, 'desc_kind', 'comma')} with ASCII commas, {count(ja, 'desc_kind', 'quote')} "
        f"with doubled quotes, {count(ja, 'desc_kind', 'empty')} empty.",
        "",
        "## Headline truth",
        "",
        "| file | won | lost | open |",
        "|---|---|---|---|",
    ]
    for fname, t in (("deals.csv", t_en), ("deals_cp932.csv", t_ja)):
        w = sum(v["won"] for v in t["per_owner"].values())
        l_ = sum(v["lost"] for v in t["per_owner"].values())
        o = sum(v["open"] for v in t["per_owner"].values())
        lines.append(f"| `{fname}` | {w} | {l_} | {o} |")
    lines += ["", END, ""]
    return "\n".join(lines)


def write_readme(block):
    path = os.path.join(HERE, "README.md")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            old = f.read()
    else:
        old = ""
    if BEGIN in old and END in old:
        top = old[:old.index(BEGIN)]
        bottom = old[old.index(END) + len(END):].lstrip("\n")
    else:
        top = old if old.strip() else DEFAULT_TOP
        if not top.endswith("\n\n"):
            top = top.rstrip("\n") + "\n\n"
        bottom = ""
    text = top + block + (("\n" + bottom) if bottom else "")
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


# ---------------------------------------------------------------------------------------------


def main():
    rng = random.Random(SEED)
    en = gen_english(rng)
    ja = gen_japanese(rng)

    en_text = render_csv(EN_HEADER, [r["fields"] for r in en], "\n")
    ja_text = render_csv(JA_HEADER, [r["fields"] for r in ja], "\r\n")

    with open(os.path.join(HERE, "deals.csv"), "wb") as f:
        f.write(en_text.encode("utf-8"))
    with open(os.path.join(HERE, "deals_cp932.csv"), "wb") as f:
        f.write(ja_text.encode("cp932", errors="strict"))

    t_en = compute_truth(en, "Closed Won", "Closed Lost", EN_STAGES)
    t_ja = compute_truth(ja, "受注", "失注", JA_STAGES)
    # Sanity: physical line counts agree with the rendered text.
    assert t_en["physical_lines"] == en_text.count("\n")
    assert t_ja["physical_lines"] == ja_text.count("\n")
    assert t_en["negative_cycle_won"] == 1 and t_en["amount_invalid"] == 2
    assert t_en["created_invalid"] == 1

    os.makedirs(os.path.dirname(TRUTH_PATH), exist_ok=True)
    truth = {"deals.csv": t_en, "deals_cp932.csv": t_ja}
    with open(TRUTH_PATH, "w", encoding="utf-8", newline="\n") as f:
        json.dump(truth, f, ensure_ascii=False, indent=2)
        f.write("\n")

    write_readme(readme_block(en, ja, t_en, t_ja))

    for fname, t in truth.items():
        w = sum(v["won"] for v in t["per_owner"].values())
        l_ = sum(v["lost"] for v in t["per_owner"].values())
        o = sum(v["open"] for v in t["per_owner"].values())
        print(f"{fname}: {t['rows']} records, {t['physical_lines']} lines, "
              f"won {w} / lost {l_} / open {o}")


if __name__ == "__main__":
    main()
