#include "crmkpi/definition/check_def.h"

#include <cmath>
#include <cstdlib>
#include <string>

#include "crmkpi/base/text.h"

namespace crmkpi {

const char* CheckTypeName(CheckType t) {
  switch (t) {
    case CheckType::kCompleteness:
      return "completeness";
    case CheckType::kUniqueness:
      return "uniqueness";
    case CheckType::kValidity:
      return "validity";
    case CheckType::kTimeliness:
      return "timeliness";
    case CheckType::kRowCount:
      return "row_count";
    case CheckType::kSchema:
      return "schema";
  }
  return "?";
}

const char* ExtraColumnsName(ExtraColumns e) {
  switch (e) {
    case ExtraColumns::kAllow:
      return "allow";
    case ExtraColumns::kWarn:
      return "warn";
    case ExtraColumns::kFail:
      return "fail";
  }
  return "?";
}

bool CountsRows(CheckType t) { return t != CheckType::kRowCount && t != CheckType::kSchema; }

const char* CheckStatusName(CheckStatus s) {
  switch (s) {
    case CheckStatus::kPass:
      return "pass";
    case CheckStatus::kWarn:
      return "warn";
    case CheckStatus::kFail:
      return "fail";
    case CheckStatus::kError:
      return "error";
  }
  return "?";
}

std::optional<Limit> ParseLimit(std::string_view text) {
  std::string_view t = TrimSpace(text);
  Limit limit;
  limit.text = std::string(t);
  if (!t.empty() && t.back() == '%') {
    limit.percent = true;
    t = TrimSpace(t.substr(0, t.size() - 1));
  }
  if (t.empty() || t.size() > 32) return std::nullopt;
  for (char c : t) {  // plain decimal only: no sign, exponent, hex, inf or nan
    if (!((c >= '0' && c <= '9') || c == '.')) return std::nullopt;
  }
  const std::string s(t);
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(v) || v < 0) return std::nullopt;
  if (limit.percent && v > 100) return std::nullopt;
  if (!limit.percent && v != std::floor(v)) return std::nullopt;  // a count is whole
  limit.value = v;
  return limit;
}

std::optional<double> ParseDays(std::string_view text) {
  const std::string_view t = TrimSpace(text);
  if (t.empty() || t.size() > 32) return std::nullopt;
  for (char c : t) {  // plain decimal only: no sign, %, exponent, separators
    if (!((c >= '0' && c <= '9') || c == '.')) return std::nullopt;
  }
  const std::string s(t);
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

}  // namespace crmkpi
