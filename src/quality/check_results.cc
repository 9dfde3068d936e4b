// Finishing the results of `crmkpi check`: the counts and metric of each check after its
// source's pass, and Judge, its status against the fail and warn limits.
#include "check_results.h"

#include <chrono>
#include <cstddef>
#include <optional>

#include <fmt/format.h>

namespace crmkpi {
namespace quality {

std::string IsoUtc(Seconds t) {
  const date::sys_seconds tp{std::chrono::seconds{t}};
  return date::format("%Y-%m-%dT%H:%M:%SZ", tp);
}

void FinishCheckResult(CheckState& c, Seconds as_of) {
  CheckResult& r = c.result;
  if (r.def.type == CheckType::kUniqueness) {
    r.distinct = DistinctKeys(c);
    r.violations = r.denominator - r.distinct;
    for (const KeyPartition& p : c.partitions) {
      for (std::uint32_t n : p.counts) {
        if (n >= 2) {
          ++r.duplicate_groups;
          r.rows_in_duplicate_groups += n;
        }
      }
    }
    if (c.near) {
      std::size_t total = 0;
      r.near = c.near->Find(c.near_threshold, kNearLimit, &total);
      r.near_total = total;
      for (NearPair& p : r.near) {
        p.original_a = Clip(p.original_a);
        p.original_b = Clip(p.original_b);
      }
    }
  } else if (r.def.type == CheckType::kTimeliness && c.has_newest) {
    r.newest = IsoUtc(c.newest);
    r.freshness_days = static_cast<double>(as_of - c.newest) / kSecondsPerDay;
  } else if (r.def.type == CheckType::kRowCount) {
    r.violations = r.rows;  // the metric is R itself
    r.percent = static_cast<double>(r.rows);
  }
  if (r.denominator > 0) {
    r.percent = 100.0 * static_cast<double>(r.violations) /
                static_cast<double>(r.denominator);
  }
  Judge(&r);
}

}  // namespace quality

namespace {

std::string LimitText(const Limit& l) {
  return l.percent ? fmt::format("{}%", l.value) : fmt::format("{}", l.value);
}

// What a limit compares: the percent metric, or the violation count.
std::string Compared(const CheckResult& r, const Limit& l) {
  if (l.percent) return r.metric;
  switch (r.def.type) {
    case CheckType::kCompleteness:
      return "missing_count";
    case CheckType::kUniqueness:
      return "duplicate_count";
    case CheckType::kValidity:
      return "invalid_count";
    case CheckType::kTimeliness:
      return "stale_count";
    case CheckType::kRowCount:
      return "row_count";
    case CheckType::kSchema:
      return "missing_columns";
  }
  return "violations";
}

bool Exceeds(const CheckResult& r, const Limit& l) {
  if (l.percent) return r.percent.has_value() && *r.percent > l.value;
  return static_cast<double>(r.violations) > l.value;
}

}  // namespace

void Judge(CheckResult* r) {
  if (r->status == CheckStatus::kError) return;
  r->breached.clear();
  r->status = CheckStatus::kPass;
  const CheckDef& def = r->def;
  if (def.type == CheckType::kRowCount) {
    // The limits are minimums; no limit at all: at least one row.
    const std::optional<Limit> fail =
        def.fail || def.warn ? def.fail : std::optional<Limit>(Limit{false, 1, ""});
    const char* empty = r->rows == 0 ? " (no rows)" : "";
    if (fail && static_cast<double>(r->rows) < fail->value) {
      r->status = CheckStatus::kFail;
      r->breached = fmt::format("fail: row_count {} < {}{}{}", r->rows, LimitText(*fail),
                                def.fail ? "" : " (default)", empty);
    } else if (def.warn && static_cast<double>(r->rows) < def.warn->value) {
      r->status = CheckStatus::kWarn;
      r->breached = fmt::format("warn: row_count {} < {}{}", r->rows, LimitText(*def.warn), empty);
    }
    return;
  }
  if (def.type == CheckType::kSchema) {
    const std::size_t missing = r->missing_columns.size(), extra = r->extra_columns.size();
    if (missing != 0) {
      r->status = CheckStatus::kFail;
      r->breached = fmt::format("fail: {} expected column{} missing", missing,
                                missing == 1 ? "" : "s");
    } else if (extra != 0 && def.extra != ExtraColumns::kAllow) {
      r->status = def.extra == ExtraColumns::kFail ? CheckStatus::kFail : CheckStatus::kWarn;
      r->breached = fmt::format("{}: {} extra column{} (extra = {})", ExtraColumnsName(def.extra),
                                extra, extra == 1 ? "" : "s", ExtraColumnsName(def.extra));
    }
    return;
  }
  // No rows (an empty export, or a filter that keeps none) cannot pass a gate silently: the
  // check fails, or warns when it has only a warn limit, unless empty sources are allowed.
  if (r->rows == 0 && !def.allow_empty) {
    const bool fails = def.fail || !def.warn;
    r->status = fails ? CheckStatus::kFail : CheckStatus::kWarn;
    r->breached = fmt::format("{}: no rows (allow_empty / --allow-empty accepts an empty source)",
                              fails ? "fail" : "warn");
    return;
  }
  // No limit at all: any violation fails. Only a warn limit: the check warns, never fails.
  const bool fails = r->def.fail ? Exceeds(*r, *r->def.fail)
                                 : (!r->def.warn && r->violations > 0);
  if (fails) {
    r->status = CheckStatus::kFail;
    r->breached = r->def.fail
                      ? fmt::format("fail: {} > {}", Compared(*r, *r->def.fail),
                                    LimitText(*r->def.fail))
                      : fmt::format("fail: {} violation{} (no limit set: any fails)",
                                    r->violations, r->violations == 1 ? "" : "s");
    return;
  }
  if (r->def.warn && Exceeds(*r, *r->def.warn)) {
    r->status = CheckStatus::kWarn;
    r->breached =
        fmt::format("warn: {} > {}", Compared(*r, *r->def.warn), LimitText(*r->def.warn));
    return;
  }
  r->status = CheckStatus::kPass;
}

}  // namespace crmkpi
