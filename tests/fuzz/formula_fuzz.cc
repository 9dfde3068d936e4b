// The KPI formula language (formula.h). Input: the formula text.
//
// Checked: Parse throws only FormulaError, at a column inside the text; a parsed formula's
// canonical text parses to the same formula (same text, variables, shape and values); Eval,
// EvalNumerator and EvalDenominator give a finite number or n/a with a reason, never NaN or
// infinity, whatever the variables hold (n/a, 0, ±1e308, NaN, infinity...); every variable has a
// column; shape() lists only the formula's variables.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "crmkpi/base/utf8.h"
#include "crmkpi/definition/formula.h"
#include "fuzz_common.h"

namespace crmkpi::fuzz {
namespace {

// A variable's value, from its name: a spread of awkward numbers.
Value Lookup(std::string_view name) {
  std::uint32_t h = 2166136261u;
  for (const char c : name) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
  switch (h % 14) {
    case 0: return Value::Na("NO_DATA");
    case 1: return Value::Number(0);
    case 2: return Value::Number(1);
    case 3: return Value::Number(-1);
    case 4: return Value::Number(0.35);
    case 5: return Value::Number(2);
    case 6: return Value::Number(1e308);
    case 7: return Value::Number(-1e308);
    case 8: return Value::Number(5e-324);
    case 9: return Value::Number(std::numeric_limits<double>::quiet_NaN());
    case 10: return Value::Number(std::numeric_limits<double>::infinity());
    case 11: return Value::Number(-0.0);
    case 12: return Value::Number(1234567.891);
    default: return Value::Number(-3);
  }
}

void CheckValue(const Value& v, const char* what) {
  if (v.v) {
    FUZZ_CHECK(std::isfinite(*v.v) && v.reason.empty(), "%s: %g with reason '%s'", what, *v.v,
               v.reason.c_str());
  } else {
    FUZZ_CHECK(!v.reason.empty(), "%s: n/a without a reason", what);
  }
}

bool SameValue(const Value& a, const Value& b) {
  if (a.v.has_value() != b.v.has_value()) return false;
  if (a.v) return *a.v == *b.v || (std::isnan(*a.v) && std::isnan(*b.v));
  return a.reason == b.reason;
}

std::size_t Characters(std::string_view s) {
  std::size_t n = 0;
  for (const char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

}  // namespace
}  // namespace crmkpi::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace crmkpi;
  using namespace crmkpi::fuzz;
  const std::string_view text = AsText(data, size);
  Formula f;
  try {
    f = Formula::Parse(text);
  } catch (const FormulaError& e) {
    FUZZ_CHECK(e.column() >= 1 && static_cast<std::size_t>(e.column()) <= Characters(text) + 1,
               "error column %d of %zu characters: %s", e.column(), Characters(text), e.what());
    return 0;
  }
  FUZZ_CHECK(!f.empty(), "a parsed formula is empty");
  for (const std::string& v : f.variables()) {
    FUZZ_CHECK(f.VariableColumn(v) >= 1, "variable '%s' without a column", v.c_str());
  }
  const Formula::Shape shape = f.shape();
  if (shape.kind != Formula::Shape::kOther) {
    FUZZ_CHECK(shape.vars.size() == shape.signs_or_exponents.size(), "shape sizes differ");
  }
  for (const std::string& v : shape.vars) {
    FUZZ_CHECK(f.VariableColumn(v) >= 1, "shape variable '%s' not in the formula", v.c_str());
  }

  const Value value = f.Eval(Lookup);
  CheckValue(value, "Eval");
  if (f.IsRatio()) {
    CheckValue(f.EvalNumerator(Lookup), "EvalNumerator");
    CheckValue(f.EvalDenominator(Lookup), "EvalDenominator");
  }

  // The canonical text is the same formula.
  const std::string canonical = f.ToString();
  size_t bad_tail = 0;
  FUZZ_CHECK(FindInvalidUtf8(canonical.data(), canonical.size(), &bad_tail) == canonical.size() &&
                 bad_tail == 0,
             "ToString is not UTF-8: %s", canonical.c_str());
  Formula g;
  try {
    g = Formula::Parse(canonical);
  } catch (const FormulaError& e) {
    FUZZ_CHECK(false, "the canonical text '%s' does not parse: %s", canonical.c_str(), e.what());
  }
  FUZZ_CHECK(g.ToString() == canonical, "ToString is not stable: '%s' then '%s'",
             canonical.c_str(), g.ToString().c_str());
  FUZZ_CHECK(g.variables() == f.variables(), "variables differ after a round trip: '%s'",
             canonical.c_str());
  FUZZ_CHECK(g.IsRatio() == f.IsRatio() && g.shape().kind == shape.kind &&
                 g.shape().vars == shape.vars,
             "shape differs after a round trip: '%s'", canonical.c_str());
  const Value again = g.Eval(Lookup);
  FUZZ_CHECK(SameValue(value, again), "value differs after a round trip: '%s'",
             canonical.c_str());
  return 0;
}
