// Value parsers: amounts (amount.h), dates (date_time.h, automatic and with a --date-format),
// key normalisers (normalize.h).
//
// Input: a mode byte, then text. Mode % 4:
//   0  amount: the rest is the value.
//   1  automatic date: the rest is the value; odd mode bytes >= 4 read it in Asia/Tokyo, the
//      others in America/New_York (DST) or UTC.
//   2  date with a format: the first line is the format, the rest the value.
//   3  normaliser: the first line is the chain (`nfkc,lower`), the rest the value.
//
// Checked: nothing throws but Error where Error is documented (a bad chain, zone or format);
// ParseAmount ignores surrounding whitespace and agrees with ParsePlainDigits; ParsePlainDate
// agrees with Parse + LocalDate; LocalDate, FormatDate and FormatPeriod work on every parsed
// instant; every normaliser step is idempotent (normalize.h) and keeps valid UTF-8 valid.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "crmkpi/base/error.h"
#include "crmkpi/base/utf8.h"
#include "crmkpi/values/amount.h"
#include "crmkpi/values/date_time.h"
#include "crmkpi/values/normalize.h"
#include "fuzz_common.h"

namespace crmkpi::fuzz {
namespace {

bool ValidUtf8(std::string_view s) {
  std::size_t tail = 0;
  return FindInvalidUtf8(s.data(), s.size(), &tail) == s.size() && tail == 0;
}

void FuzzAmount(std::string_view text) {
  std::int64_t units = 0;
  const ParseStatus status = ParseAmount(text, &units);
  std::int64_t again = 0;
  const ParseStatus padded = ParseAmount(" \t" + std::string(text) + "\xE3\x80\x80 ", &again);
  FUZZ_CHECK(padded == status && (status != ParseStatus::kOk || again == units),
             "surrounding whitespace changes the amount: %d %lld / %d %lld",
             static_cast<int>(status), static_cast<long long>(units), static_cast<int>(padded),
             static_cast<long long>(again));
  std::int64_t plain = 0;
  if (ParsePlainDigits(text, &plain)) {
    FUZZ_CHECK(status == ParseStatus::kOk && plain == units,
               "ParsePlainDigits %lld, ParseAmount %d %lld", static_cast<long long>(plain),
               static_cast<int>(status), static_cast<long long>(units));
  }
}

void CheckInstant(const DateParser& dates, Seconds t) {
  const date::year_month_day ymd = dates.LocalDate(t);
  FUZZ_CHECK(ymd.ok(), "LocalDate of %lld is not a date", static_cast<long long>(t));
  const std::string day = FormatDate(ymd);
  FUZZ_CHECK(!day.empty(), "FormatDate");
  for (const Period p : {Period::kWeek, Period::kMonth, Period::kQuarter, Period::kYear}) {
    FUZZ_CHECK(!FormatPeriod(p, ymd).empty(), "FormatPeriod of %s", day.c_str());
  }
}

void FuzzDate(const DateParser& dates, std::string_view text) {
  Seconds t = 0;
  const ParseStatus status = dates.Parse(text, &t);
  if (status == ParseStatus::kOk) CheckInstant(dates, t);
  Seconds plain = 0;
  std::int64_t day = 0;
  if (dates.ParsePlainDate(text, &plain, &day)) {
    FUZZ_CHECK(status == ParseStatus::kOk && plain == t, "ParsePlainDate %lld, Parse %d %lld",
               static_cast<long long>(plain), static_cast<int>(status),
               static_cast<long long>(t));
    const date::sys_days local{date::days{day}};
    FUZZ_CHECK(date::year_month_day{local} == dates.LocalDate(t),
               "ParsePlainDate's day %lld is not LocalDate's", static_cast<long long>(day));
  }
}

void FuzzNormalizer(std::string_view chain, std::string_view value) {
  Normalizer n;
  try {
    n = Normalizer::Parse(chain);
  } catch (const Error& e) {
    FUZZ_CHECK(e.code() == ExitCode::kUsage, "%s", e.Formatted().c_str());
    return;
  }
  const std::string once(n.Apply(value));
  if (ValidUtf8(value)) {
    FUZZ_CHECK(ValidUtf8(once), "'%s' made valid UTF-8 invalid", n.Describe().c_str());
  }
  // Each step alone is idempotent (the chain as a whole need not be).
  for (const NormalizeStep step : n.steps()) {
    Normalizer single = Normalizer::Parse(NormalizeStepName(step));
    const std::string first(single.Apply(value));
    const std::string second(single.Apply(first));
    FUZZ_CHECK(first == second, "step %s is not idempotent: '%s' -> '%s' -> '%s'",
               NormalizeStepName(step), std::string(value).c_str(), first.c_str(),
               second.c_str());
  }
  (void)TrimWhitespace(value);
  Normalizer copy = Normalizer::Parse(n.Describe());
  FUZZ_CHECK(copy.Describe() == n.Describe() && std::string(copy.Apply(value)) == once,
             "Describe() '%s' is not the same chain", n.Describe().c_str());
}

}  // namespace
}  // namespace crmkpi::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace crmkpi;
  using namespace crmkpi::fuzz;
  if (size < 1) return 0;
  const unsigned mode = data[0];
  std::string_view rest = AsText(data + 1, size - 1);
  static const DateParser utc;
  static const DateParser tokyo("", "Asia/Tokyo");
  static const DateParser new_york("", "America/New_York");
  switch (mode % 4) {
    case 0:
      FuzzAmount(rest);
      break;
    case 1:
      FuzzDate(mode % 8 == 5 ? tokyo : mode % 8 == 1 ? new_york : utc, rest);
      break;
    case 2: {
      const std::string format(TakeLine(&rest));
      try {
        const DateParser dates(format, mode % 8 == 2 ? "" : "Europe/Berlin");
        FuzzDate(dates, rest);
      } catch (const Error& e) {
        FUZZ_CHECK(e.code() == ExitCode::kUsage, "%s", e.Formatted().c_str());
      }
      break;
    }
    default: {
      const std::string_view chain = TakeLine(&rest);
      FuzzNormalizer(chain, rest);
      break;
    }
  }
  return 0;
}
