#!/usr/bin/env python3
"""Writes deals.csv of examples/yojitsu: a Japanese sales team on an April fiscal year, 18 months
of closed deals (2024-04 … 2025-09) and the open pipeline on 2025-09-15. Deterministic: the
numbers follow fixed rules (no random), so the README's hand computation holds.

    python3 examples/yojitsu/generate.py   (writes examples/yojitsu/deals.csv)
"""
import datetime
import os

OWNERS = [("佐藤", "営業1課"), ("鈴木", "営業1課"), ("田中", "営業2課")]
MONTHS = [(2024 + (3 + i) // 12, (3 + i) % 12 + 1) for i in range(18)]  # 2024-04 … 2025-09


def main():
    rows = []
    n = 0
    for mi, (y, m) in enumerate(MONTHS):
        for oi, (owner, team) in enumerate(OWNERS):
            # Deals closed this month: 3 to 6, by owner and month; every third one lost.
            closed = 3 + (mi + 2 * oi) % 4
            for k in range(closed):
                n += 1
                won = k % 3 != 2
                amount = 500000 + 100000 * ((mi + k + oi) % 8)
                day = 1 + (5 * k + 3 * oi) % 27
                if (y, m) == (2025, 9) and day > 15:  # nothing after the as-of
                    day = 2 + k
                close = datetime.date(y, m, day)
                created = close - datetime.timedelta(days=20 + 7 * ((k + oi) % 5))
                rows.append((f"D{n:04d}", owner, team, "受注" if won else "失注", amount,
                             created.isoformat(), close.isoformat()))
    # The open pipeline: two deals per owner created in late August / September 2025.
    for oi, (owner, team) in enumerate(OWNERS):
        for k in range(2):
            n += 1
            created = datetime.date(2025, 8, 20) + datetime.timedelta(days=5 * k + oi)
            rows.append((f"D{n:04d}", owner, team, "提案" if k == 0 else "商談",
                         800000 + 100000 * oi, created.isoformat(), ""))
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "deals.csv")
    with open(out, "w", encoding="utf-8", newline="") as f:
        f.write("商談ID,担当者,チーム,フェーズ,金額,作成日,完了日\n")
        for r in rows:
            f.write(",".join(str(x) for x in r) + "\n")


if __name__ == "__main__":
    main()
