#!/usr/bin/env bash
# Regenerates the seed corpora tests/fuzz/corpus/TARGET/ from the golden cases and examples,
# plus a few hand-written inputs for what the goldens do not show. The corpora are committed
# (small: the CSVs are cut to their first 2 KB); run this after adding goldens, then commit.
#   bash tests/fuzz/make_seeds.sh
# Input formats are described at the top of each tests/fuzz/*_fuzz.cc.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=tests/fuzz/corpus
rm -rf "$out"
mkdir -p "$out"/{csv,ini_model,formula,where,values,transcode}

# seed TARGET NAME: stdin → the corpus file (named by content, so duplicates collapse).
seed() {
  local tmp
  tmp=$(mktemp)
  cat > "$tmp"
  mv "$tmp" "$out/$1/$2-$(sha1sum < "$tmp" | cut -c1-8)"
}
# with_byte BYTE FILE [LIMIT]: the control byte (octal, for printf), then FILE's first LIMIT bytes.
with_byte() { printf "\\$1"; head -c "${3:-2048}" "$2"; }

inputs=$(find tests/golden examples -type f \( -name '*.csv' -o -name '*.txt' -o -name '*.tsv' \) \
           -not -path '*/expected/*' | sort)
for f in $inputs; do
  name=$(basename "$(dirname "$f")")_$(basename "$f" | tr -c 'A-Za-z0-9_.\n' '_')
  case "$f" in
    *cp932*|*sjis*) with_byte 016 "$f" | seed transcode "$name" ;;    # CP932, whole reads
    *utf16*|*unicode*) with_byte 017 "$f" | seed transcode "$name" ;; # UTF-16, whole reads
    *semicolon*) with_byte 003 "$f" | seed csv "$name" ;;              # auto delimiter
    *.tsv) with_byte 002 "$f" | seed csv "$name" ;;
    *) with_byte 000 "$f" | seed csv "$name" ;;
  esac
done

# Reader corner cases (control byte 0: ',', 4-byte buffer, 1-byte reads, two chunks).
printf '\000a,b,c\r\n1,"x, ""y""\nz",3\r\n\r\n2,5" pipe,\n"3",,"last"' | seed csv corner
printf '\003\xEF\xBB\xBFid;name;amount\n1;"a;b";12\n2;c;"1\n2"\n' | seed csv bom_semicolon
printf '\000id,note\n1,"unclosed\n2,x\n' | seed csv unclosed
printf '\010a,b\n1,"x"y\n' | seed csv text_after_quote
printf '\000a,b\n1,\xE3\x81\x82\xFF\n' | seed csv invalid_utf8
printf '\000a,b\r1,2\r3,4\r' | seed csv cr_only
printf '\000id,x\n1,"a\n' | seed csv quote_at_eof
printf '\377' | seed csv empty
printf '\016\x82\xa0\x82\xa2,\x8a\xbf\x8e\x9a\r\n1,2\r\n' | seed transcode cp932_kana
printf '\017\xff\xfea\x00,\x00b\x00\n\x00' | seed transcode utf16_bom_le
printf '\001\xfe\xff\x00a\x00,\xd8\x3d\xde\x00\x00\n' | seed transcode utf16_be_surrogates
printf '\001a\x00,\x00\x00\xd8\n\x00' | seed transcode utf16_lone_surrogate
printf '\016\x81' | seed transcode cp932_truncated

# Definitions: every INI, alone and with the start of a CSV beside it.
for f in $(find tests/golden examples -name '*.ini' -not -path '*/expected/*' | sort); do
  name=$(basename "$(dirname "$f")")_$(basename "$f")
  seed ini_model "$name" < "$f"
  csv=$(find "$(dirname "$f")" -maxdepth 1 -name '*.csv' | sort | head -n 1)
  if [ -n "$csv" ]; then
    { cat "$f"; printf '\n#@csv\n'; head -c 1500 "$csv"; } | seed ini_model "${name}_csv"
  fi
done

# Formulas and where texts as the INIs write them.
grep -rh --include='*.ini' -E '^\s*formula\s*=' tests/golden examples | sed -E 's/^\s*formula\s*=\s*//' |
  sort -u | while IFS= read -r line; do printf '%s' "$line" | seed formula ini; done
for f in 'if(won + lost > 0, win_rate >= 35%, 0)' 'round(1.005, 2) - -2^2 ^ -1' \
         'min(a, max(b, 1_000_000), abs(-c)) / (d + e) * sqrt(ln(exp(.5e1)))' \
         'a / (b / c) && !(x != y) || z <= 2.5E-3'; do
  printf '%s' "$f" | seed formula hand
done
for f in 'cv(win_rate, owner) * 100 + stddev(won, "Lead Source") / stddev(won, `x ""y""`)'; do
  printf '%s' "$f" | seed formula hand
done
grep -rh --include='*.ini' -E '^\s*(where|filter|when)\s*=' tests/golden examples |
  sed -E 's/^\s*(where|filter|when)\s*=\s*//' | sort -u |
  while IFS= read -r line; do printf '%s\n' "$line" | seed where ini; done
printf '%s\n' "stage reached Proposal and not (Owner in ('Alice', \"Bob\") or amount between 1 and 1e3)" \
  '7|Eve|Qualified|500|2024-03-10|2024-03-11 03:00|web|n|x|2|営業|east' | seed where hand
printf '%s\n' '`Close Date` >= 2024-03-10 and "所有者 名" is not empty and users.role = 営業' | seed where hand
printf '%s\n' "created = '2024-03-10 02:30' or score != 9 or stage is not closed" | seed where hand
printf '%s\n' '`Close Date` - "Created Date" < 1d or Amount >= score or Owner = `source`' \
  '8|Ann|Lead|12|2024-03-10 23:00|2024-03-10|Ann|x||12|営業|' | seed where hand
printf '%s\n' '"Close Date" - `Created Date` not between 1.5d and 48h and Amount < `score`' | seed where hand

# Values: amounts, dates (automatic and with formats), normaliser chains.
for a in '¥1,200,000' '$1,234.50' '(1,234)' '１２，０００円' '−3.14159' 'USD 12' '12.34567' '9223372036854775807'; do
  printf '\000%s' "$a" | seed values amount
done
for d in '2024-03-01' '3/9/2024 13:05' '2024年3月9日' '2024-03-10T09:00:00.5+09:00' '２０２４／０３／０１' '2024-11-03 01:30'; do
  printf '\001%s' "$d" | seed values date
  printf '\005%s' "$d" | seed values date_tokyo
done
printf '\002%%d.%%m.%%Y\n01.03.2024' | seed values format
printf '\002%%Y-%%m-%%dT%%H:%%M:%%S%%z\n2024-03-10T09:00:00+0900' | seed values format
printf '\006%%m/%%d/%%Y %%I:%%M %%p\n03/10/2024 02:30 AM' | seed values format
printf '\003company\n株式会社ＡＢＣ' | seed values normalize
printf '\003phone\n+81 (0)3 1234-5678' | seed values normalize
printf '\003email, collapse-spaces\n  Foo@Example.COM ' | seed values normalize
printf '\003nfkc,lower,legal,strip-punct\nACME Co., Ltd.・（株）ｶﾌﾞ Straße' | seed values normalize

du -sh "$out"
