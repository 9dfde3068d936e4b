// The checks judged from a long result's counts (quality/check_counts.h): each count read back
// into the CheckResult the pass would have filled (quality_run.cc, check_results.cc), then the
// metric's percent and Judge.
#include "crmkpi/quality/check_counts.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <map>

#include <fmt/format.h>

#include "crmkpi/values/date_time.h"
#include "check_bind.h"
#include "check_results.h"

namespace crmkpi {
namespace {

constexpr std::string_view kHint = "docs/scale.md, \"Checks in the long result\"";

class Counts {
 public:
  Counts(const std::map<std::string, LongCheckCount>& counts, const CheckDef& def, const std::string& file)
      : counts_(counts), def_(def), file_(file) {}

  const LongCheckCount* Find(const std::string& name) const {
    const auto it = counts_.find(name);
    return it == counts_.end() ? nullptr : &it->second;
  }
  const LongCheckCount& Get(const std::string& name) const {
    if (const LongCheckCount* c = Find(name)) return *c;
    throw Error(ExitCode::kUsage,
                fmt::format("check '{}' has no count '{}' in the long result; was it computed from "
                            "another version of the definition? ({})",
                            def_.name, name, kHint),
                {file_, 1, 1});
  }
  std::uint64_t Number(const std::string& name) const {
    const LongCheckCount& c = Get(name);
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(c.value.data(), c.value.data() + c.value.size(), v);
    if (c.value.empty() || ec != std::errc() || end != c.value.data() + c.value.size()) {
      throw Error(ExitCode::kInput,
                  fmt::format("value: '{}' is not a whole number ≥ 0 (count '{}' of check '{}'; {})",
                              c.value, name, def_.name, kHint),
                  c.loc);
    }
    return v;
  }
  // An ISO 8601 instant, or nullopt for an empty value.
  std::optional<Seconds> Instant(const std::string& name) const {
    const LongCheckCount& c = Get(name);
    if (c.value.empty()) return std::nullopt;
    Seconds t = 0;
    if (DateParser({}, "UTC").Parse(c.value, &t) != ParseStatus::kOk) {
      throw Error(ExitCode::kInput,
                  fmt::format("value: cannot read '{}' as a date-time (count '{}' of check '{}')",
                              c.value, name, def_.name),
                  c.loc);
    }
    return t;
  }
  // The counts named PREFIX…, in the order of their rows.
  std::vector<std::pair<std::string, std::uint64_t>> WithPrefix(const std::string& prefix) const {
    std::vector<std::pair<const LongCheckCount*, std::string>> found;
    for (const auto& [name, c] : counts_) {
      if (name.rfind(prefix, 0) == 0) found.emplace_back(&c, name);
    }
    std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
      return std::pair(a.first->loc.line, a.first->loc.column) < std::pair(b.first->loc.line, b.first->loc.column);
    });
    std::vector<std::pair<std::string, std::uint64_t>> out;
    for (const auto& [c, name] : found) out.emplace_back(name.substr(prefix.size()), Number(name));
    return out;
  }

 private:
  const std::map<std::string, LongCheckCount>& counts_;
  const CheckDef& def_;
  const std::string& file_;
};

}  // namespace

CheckRun ChecksFromLongResult(const std::vector<SourceDef>& sources, const std::vector<CheckDef>& checks,
                              const LongResult& result, const std::string& file,
                              const CheckOptions& options, const std::string& result_as_of_source) {
  CheckRun run;
  // The as-of: the command's, else the one the timeliness counts were computed at, else now.
  std::optional<Seconds> as_of;
  if (!options.as_of.empty()) {
    Seconds t = 0;
    if (DateParser({}, options.default_tz).Parse(options.as_of, &t) != ParseStatus::kOk) {
      throw Error::Usage(fmt::format("--as-of: expected a date or date-time (YYYY-MM-DD, "
                                     "2026-11-01T09:00:00Z), got '{}'",
                                     options.as_of));
    }
    as_of = t;
    run.as_of_source = options.as_of_source.empty() ? "--as-of" : options.as_of_source;
  }
  for (const CheckDef& def : checks) {
    const auto it = result.checks.find(def.name);
    if (it == result.checks.end() || def.type != CheckType::kTimeliness) continue;
    const Counts counts(it->second, def, file);
    if (counts.Find("error") != nullptr) continue;
    const std::optional<Seconds> t = counts.Instant("as_of");
    if (!t) continue;
    if (as_of && *as_of != *t) {
      throw Error(ExitCode::kUsage,
                  fmt::format("check '{}' was computed at the as-of {} and this run's is {}: compile "
                              "the SQL with the same --as-of (crmkpi sql --as-of), or leave --as-of "
                              "out to take the result's",
                              def.name, quality::IsoUtc(*t), quality::IsoUtc(*as_of)),
                  counts.Get("as_of").loc);
    }
    if (!as_of) {
      as_of = t;
      run.as_of_source = result_as_of_source;
    }
  }
  if (!as_of) {
    as_of = std::chrono::duration_cast<std::chrono::seconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
    run.as_of_source = "clock";
  }
  run.as_of = quality::IsoUtc(*as_of);

  for (const SourceDef& s : sources) {
    const bool checked = std::any_of(checks.begin(), checks.end(), [&](const CheckDef& c) { return c.source == s.id; });
    if (!checked) continue;
    SourceCheckSummary summary;
    summary.id = s.id;
    const auto o = options.file_overrides.find(s.id);
    summary.file = o == options.file_overrides.end() ? s.file : o->second;
    summary.encoding = s.encoding == "auto" ? "utf-8" : s.encoding;
    summary.encoding_detected = s.encoding == "auto";
    run.sources.push_back(summary);
  }
  for (const CheckDef& def : checks) {
    const auto source = std::find_if(run.sources.begin(), run.sources.end(),
                                     [&](const SourceCheckSummary& s) { return s.id == def.source; });
    if (source == run.sources.end()) {
      throw Error(ExitCode::kUsage, fmt::format("check '{}': unknown source '{}'", def.name, def.source), def.loc);
    }
    const auto it = result.checks.find(def.name);
    if (it == result.checks.end()) {
      throw Error(ExitCode::kUsage,
                  fmt::format("check '{}' of the definition has no rows in the long result; it "
                              "must come from `crmkpi sql` of the same definition ({})",
                              def.name, kHint),
                  {file, 1, 1});
    }
    const Counts counts(it->second, def, file);
    CheckResult r;
    r.def = def;
    r.def.allow_empty = def.allow_empty || options.allow_empty;
    r.metric = quality::CheckMetricName(def.type);
    if (const LongCheckCount* error = counts.Find("error")) {
      r.status = CheckStatus::kError;
      r.error = error->value;
      run.checks.push_back(std::move(r));
      continue;
    }
    r.rows = counts.Number("rows");
    source->rows = r.rows;
    switch (def.type) {
      case CheckType::kCompleteness:
        r.missing_by_column = counts.WithPrefix("missing:");
        if (r.missing_by_column.size() != def.columns.size()) {
          throw Error(ExitCode::kUsage,
                      fmt::format("check '{}' has {} count{} missing:COLUMN in the long result for "
                                  "its {} columns; was it computed from another version of the "
                                  "definition? ({})",
                                  def.name, r.missing_by_column.size(),
                                  r.missing_by_column.size() == 1 ? "" : "s", def.columns.size(), kHint),
                      {file, 1, 1});
        }
        for (const auto& [column, n] : r.missing_by_column) r.violations += n;
        r.denominator = r.rows * r.missing_by_column.size();
        r.complete_records = counts.Number("complete_records");
        break;
      case CheckType::kUniqueness:
        r.denominator = counts.Number("n");
        r.missing_key = r.rows - r.denominator;
        r.distinct = counts.Number("distinct");
        r.violations = r.denominator - r.distinct;
        r.duplicate_groups = counts.Number("duplicate_groups");
        r.rows_in_duplicate_groups = counts.Number("rows_in_duplicate_groups");
        break;
      case CheckType::kValidity:
        r.denominator = counts.Number("n");
        r.violations = counts.Number("invalid");
        r.missing = counts.Number("missing");
        r.not_applicable = counts.Number("not_applicable");
        break;
      case CheckType::kTimeliness: {
        r.denominator = counts.Number("n");
        r.violations = counts.Number("stale");
        r.missing = counts.Number("missing");
        r.invalid_timestamps = counts.Number("invalid_timestamps");
        r.as_of = run.as_of;
        if (const std::optional<Seconds> newest = counts.Instant("newest")) {
          r.newest = quality::IsoUtc(*newest);
          r.freshness_days = static_cast<double>(*as_of - *newest) / quality::kSecondsPerDay;
        }
        break;
      }
      case CheckType::kRowCount:
        r.violations = r.rows;
        r.percent = static_cast<double>(r.rows);
        break;
      case CheckType::kSchema: {
        // The table's columns, in their order: column:1, column:2, … and their number.
        std::vector<std::pair<std::size_t, std::string>> named;
        for (const auto& [name, c] : it->second) {
          if (name.rfind("column:", 0) != 0) continue;
          const std::string n = name.substr(7);
          std::size_t at = 0;
          const auto [end, ec] = std::from_chars(n.data(), n.data() + n.size(), at);
          if (ec != std::errc() || end != n.data() + n.size() || at == 0) {
            throw Error(ExitCode::kInput,
                        fmt::format("reason: '{}' is not column:N (check '{}'; {})", name, def.name, kHint),
                        c.loc);
          }
          named.emplace_back(at, c.value);
        }
        std::sort(named.begin(), named.end());
        if (named.size() != counts.Number("columns")) {
          throw Error(ExitCode::kUsage,
                      fmt::format("check '{}' has {} column:N rows in the long result for its {} columns; "
                                  "was it cut short? ({})",
                                  def.name, named.size(), counts.Number("columns"), kHint),
                      counts.Get("columns").loc);
        }
        std::vector<std::string> header;
        for (auto& [at, name] : named) header.push_back(std::move(name));
        quality::CompareSchema(header, options.samples, &r);
        break;
      }
    }
    if (r.denominator > 0) {
      r.percent = 100.0 * static_cast<double>(r.violations) / static_cast<double>(r.denominator);
    }
    Judge(&r);  // schema: from its missing and extra columns
    run.checks.push_back(std::move(r));
  }
  return run;
}

}  // namespace crmkpi
