// Binding the checks of `crmkpi check` to a source's header: columns resolved, limits and
// settings checked; row_count and schema checks are decided here, from the header alone.
#include "check_bind.h"

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "crmkpi/base/text.h"
#include "crmkpi/read/parallel_scan.h"

namespace crmkpi::quality {
namespace {

// A header name compared loosely: ASCII letters lower-cased; ASCII spaces, '_', '-' and '.'
// dropped; every other byte kept (so Japanese names compare as written).
std::string LooseName(std::string_view s) {
  std::string out;
  for (char ch : s) {
    if (ch == ' ' || ch == '_' || ch == '-' || ch == '.' || ch == '\t') continue;
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch | 0x20);
    out.push_back(ch);
  }
  return out;
}

// How likely the header column |found| is a renamed |expected| (lower is likelier), or nullopt
// when they are not alike: 0 the same loose name ("Close Date" / "close_date"); then one loose
// name inside the other, at least 3 bytes ("Stage" / "Sales Stage"), by the length difference;
// then at most max(1, shorter / 3) edits apart ("Amount" / "Amuont"), by the distance.
std::optional<std::pair<int, std::size_t>> RenameScore(std::string_view expected,
                                                       std::string_view found) {
  const std::string a = LooseName(expected), b = LooseName(found);
  if (a.empty() || b.empty()) return std::nullopt;
  if (a == b) return std::pair<int, std::size_t>{0, 0};
  const std::size_t shorter = std::min(a.size(), b.size());
  const std::size_t longer = std::max(a.size(), b.size());
  if (shorter >= 3 && (a.find(b) != std::string::npos || b.find(a) != std::string::npos)) {
    return std::pair<int, std::size_t>{1, longer - shorter};
  }
  const std::size_t d = EditDistance(a, b);
  if (d <= std::max<std::size_t>(1, shorter / 3)) return std::pair<int, std::size_t>{2, d};
  return std::nullopt;
}

// row_count and schema: decided by the row count and the header, nothing per row.
void BindWhole(CheckState& c, const CheckBinding& b) {
  CheckResult& r = c.result;
  const CheckDef& def = r.def;
  auto usage = [&](const std::string& message) {
    throw Error(ExitCode::kUsage, fmt::format("check '{}': {}", def.name, message), def.loc);
  };
  if (def.type == CheckType::kRowCount) {
    if (!def.columns.empty()) usage("a row_count check takes no columns");
    if ((def.fail && def.fail->percent) || (def.warn && def.warn->percent)) {
      usage("row_count limits are numbers of rows (min = 1000), not percents");
    }
    if (def.fail && def.warn && def.warn->value < def.fail->value) {
      usage(fmt::format("the warn minimum {} is below the fail minimum {}; a warning must "
                        "come before a failure",
                        def.warn->text, def.fail->text));
    }
    return;
  }
  if (def.columns.empty()) usage("a schema check needs the expected columns (columns = a,b,c)");
  if (def.fail || def.warn) {
    usage("a schema check takes no fail or warn limit: missing columns fail, extra columns "
          "do what 'extra = allow|warn|fail' says");
  }
  CompareSchema(b.schema.header(), b.options.samples, &r);
}

}  // namespace

void CompareSchema(const std::vector<std::string>& header, std::size_t samples, CheckResult* result) {
  CheckResult& r = *result;
  const CheckDef& def = r.def;
  std::vector<std::string> expected;
  for (const std::string& name : def.columns) {
    const std::string n(TrimSpace(name));
    if (std::find(expected.begin(), expected.end(), n) == expected.end()) expected.push_back(n);
  }
  std::vector<std::string> extra;  // header names not expected, in header order, once each
  for (const std::string& h : header) {
    if (std::find(expected.begin(), expected.end(), h) == expected.end() &&
        std::find(extra.begin(), extra.end(), h) == extra.end()) {
      extra.push_back(h);
    }
  }
  std::vector<bool> taken(extra.size(), false);  // an extra column named as a rename
  std::vector<std::string> rename_of(expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    if (std::find(header.begin(), header.end(), expected[i]) != header.end()) continue;
    r.missing_columns.push_back(expected[i]);
    std::optional<std::pair<int, std::size_t>> best;
    std::size_t best_at = 0;
    for (std::size_t j = 0; j < extra.size(); ++j) {
      if (taken[j]) continue;
      const auto score = RenameScore(expected[i], extra[j]);
      if (score && (!best || *score < *best)) {
        best = score;
        best_at = j;
      }
    }
    if (best) {
      taken[best_at] = true;
      rename_of[i] = extra[best_at];
      r.renamed.emplace_back(expected[i], extra[best_at]);
    }
  }
  for (std::size_t j = 0; j < extra.size(); ++j) {
    if (!taken[j]) r.extra_columns.push_back(extra[j]);
  }
  r.denominator = expected.size();
  r.violations = r.missing_columns.size();
  // Samples: the header line, one per missing column, then one per extra column.
  auto sample = [&](const std::string& column, std::string rule) {
    if (r.samples.size() >= samples) return;
    CheckSample s;
    s.line = 1;
    s.row = 0;
    s.column = column;
    s.rule = std::move(rule);
    r.samples.push_back(std::move(s));
  };
  for (std::size_t i = 0; i < expected.size(); ++i) {
    if (std::find(r.missing_columns.begin(), r.missing_columns.end(), expected[i]) ==
        r.missing_columns.end()) {
      continue;
    }
    sample(expected[i], rename_of[i].empty()
                            ? std::string("missing column")
                            : fmt::format("missing column; renamed? '{}' → '{}'", expected[i],
                                          rename_of[i]));
  }
  for (const std::string& e : r.extra_columns) sample(e, "extra column");
}

const char* CheckMetricName(CheckType t) {
  switch (t) {
    case CheckType::kCompleteness: return "missing_percent";
    case CheckType::kUniqueness: return "duplicate_percent";
    case CheckType::kValidity: return "invalid_percent";
    case CheckType::kTimeliness: return "stale_percent";
    case CheckType::kRowCount: return "row_count";
    case CheckType::kSchema: return "missing_columns_percent";
  }
  return "";
}

CheckState BindCheck(std::size_t index, const CheckDef& def, const CheckBinding& b) {
  CheckState c;
  c.index = index;
  c.result.def = def;
  c.result.metric = CheckMetricName(def.type);
  c.result.def.allow_empty = def.allow_empty || b.options.allow_empty;
  const char* what = CheckTypeName(def.type);
  if (!CountsRows(def.type)) {
    BindWhole(c, b);
    return c;
  }
  if (def.fail && def.warn && def.fail->percent == def.warn->percent &&
      def.warn->value > def.fail->value) {
    throw Error(ExitCode::kUsage,
                fmt::format("check '{}': the warn limit {} is above the fail limit {}; a "
                            "warning must come before a failure",
                            def.name, def.warn->text, def.fail->text),
                def.loc);
  }
  if (def.columns.empty()) {
    throw Error(ExitCode::kUsage, fmt::format("check '{}': {} needs a column", def.name, what),
                def.loc);
  }
  if ((def.type == CheckType::kValidity || def.type == CheckType::kTimeliness) &&
      def.columns.size() != 1) {
    throw Error(ExitCode::kUsage,
                fmt::format("check '{}': {} takes one column, got {}", def.name, what,
                            def.columns.size()),
                def.loc);
  }
  std::vector<std::string> unknown;
  for (const std::string& name : def.columns) {
    const int col = b.schema.Resolve(TrimSpace(name));
    if (col < 0) unknown.push_back(name);
    c.columns.push_back(col);
  }
  if (!unknown.empty()) {
    // The check cannot run: an error result, never a pass (and never a thrown usage error,
    // so the other checks still report).
    c.result.status = CheckStatus::kError;
    std::string names;
    for (const auto& u : unknown) names += (names.empty() ? "'" : ", '") + u + "'";
    c.result.error = fmt::format("column{} {} not in {} ({})", unknown.size() == 1 ? "" : "s",
                                 names, b.file, b.schema.Describe());
    return c;
  }
  switch (def.type) {
    case CheckType::kCompleteness:
      for (int col : c.columns) c.result.missing_by_column.emplace_back(b.schema.name(col), 0);
      break;
    case CheckType::kUniqueness: {
      Normalizer n;
      try {
        n = Normalizer::Parse(def.normalize);
      } catch (const Error& e) {
        throw Error(ExitCode::kUsage,
                    fmt::format("check '{}': normalize: {}", def.name, e.message()), def.loc);
      }
      c.normalizers.assign(c.columns.size(), n);
      // One partition per thread that can run a merge at the same time: more cores than
      // the machine has would only start idle threads (the results do not depend on it).
      c.partitions.resize(std::min(ResolveThreads(b.options.parallel.threads),
                                   ResolveThreads(0)));
      if (!TrimSpace(def.near).empty()) {
        char* end = nullptr;
        const std::string t(TrimSpace(def.near));
        const double v = std::strtod(t.c_str(), &end);
        if (end != t.c_str() + t.size() || !(v > 0 && v <= 1)) {
          throw Error(ExitCode::kUsage,
                      fmt::format("check '{}': near: expected a similarity in (0, 1], e.g. "
                                  "0.85, got '{}'",
                                  def.name, def.near),
                      def.loc);
        }
        if (c.columns.size() != 1) {
          throw Error(ExitCode::kUsage,
                      fmt::format("check '{}': near-duplicate candidates need a one-column key",
                                  def.name),
                      def.loc);
        }
        c.near = std::make_unique<NearDuplicates>();
        c.near_threshold = v;
      }
      break;
    }
    case CheckType::kValidity:
      c.rule = ValidityRule::Bind(def.rule, def.when, c.columns[0], b.schema, b.rules, b.tz,
                                  def.rule_loc.line > 0 ? def.rule_loc : def.loc);
      break;
    case CheckType::kTimeliness:
      if (!(def.max_age_days >= 0)) {
        throw Error(ExitCode::kUsage,
                    fmt::format("check '{}': max_age_days must be a number of days >= 0",
                                def.name),
                    def.loc);
      }
      c.result.as_of = b.as_of_text;
      break;
    case CheckType::kRowCount:
    case CheckType::kSchema:
      break;
  }
  return c;
}

}  // namespace crmkpi::quality
