#include "crmkpi/values/fx_rates.h"

#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

#include "crmkpi/base/error.h"
#include "crmkpi/base/text.h"

namespace crmkpi {

std::string CurrencyCode(std::string_view text) {
  std::string out(TrimSpace(text));
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

std::optional<double> FxRates::RateOf(std::string_view code) const {
  const std::string c = CurrencyCode(code);
  for (const auto& [k, r] : rates) {
    if (k == c) return r;
  }
  return std::nullopt;
}

void FxRates::Set(const std::string& code, double rate) {
  const std::string c = CurrencyCode(code);
  for (auto& [k, r] : rates) {
    if (k == c) {
      r = rate;
      return;
    }
  }
  rates.emplace_back(c, rate);
}

std::string FxRates::Describe() const {
  std::string out;
  for (const auto& [k, r] : rates) {
    if (k == base) continue;
    out += fmt::format("{}{} = {} {}", out.empty() ? "" : ", ", k, r, base);
  }
  return out;
}

void FxRates::DecideBase() {
  if (rates.empty()) return;
  if (!base.empty()) {
    base = CurrencyCode(base);
    const std::optional<double> own = RateOf(base);
    if (!own) {
      rates.emplace(rates.begin(), base, 1.0);
    } else if (*own != 1.0) {
      throw Error::Usage(fmt::format(
          "{}: the base currency {} has rate {}; its rate is 1 (rates are units of {} per unit)",
          origin, base, *own, base));
    }
    return;
  }
  std::vector<std::string> ones;
  for (const auto& [k, r] : rates) {
    if (r == 1.0) ones.push_back(k);
  }
  if (ones.size() == 1) {
    base = ones.front();
    return;
  }
  const std::string& example = rates.front().first;
  std::string list;
  for (const std::string& k : ones) list += (list.empty() ? "" : ", ") + k;
  throw Error::Usage(fmt::format(
      "{}: {}; name the currency the rates convert into: give it rate 1 ({}=1) or name it "
      "with base={}",
      origin,
      ones.empty() ? std::string("no currency has rate 1")
                   : fmt::format("several currencies have rate 1 ({})", list),
      example, example));
}

bool ParseFxRate(std::string_view text, double* rate) {
  const std::string t(TrimSpace(text));
  if (t.empty()) return false;
  char* end = nullptr;
  const double v = std::strtod(t.c_str(), &end);
  if (end != t.c_str() + t.size() || !std::isfinite(v) || v <= 0) return false;
  *rate = v;
  return true;
}

void AddFxList(std::string_view text, FxRates* fx) {
  const std::string& origin = fx->origin;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    const std::string_view part = TrimSpace(text.substr(start, comma - start));
    start = comma + 1;
    if (part.empty()) continue;
    const std::size_t eq = part.find('=');
    const std::string code = eq == std::string_view::npos
                                 ? std::string()
                                 : std::string(TrimSpace(part.substr(0, eq)));
    if (code.empty()) {
      throw Error::Usage(fmt::format(
          "{}: expected CODE=RATE (units of the base currency per unit, JPY=1,USD=150), got "
          "'{}'",
          origin, part));
    }
    const std::string_view value = TrimSpace(part.substr(eq + 1));
    if (code == "base" || code == "BASE") {
      fx->base = CurrencyCode(value);
      if (fx->base.empty()) {
        throw Error::Usage(fmt::format("{}: base= needs a currency code (base=JPY)", origin));
      }
      continue;
    }
    double rate = 0;
    if (!ParseFxRate(value, &rate)) {
      throw Error::Usage(fmt::format(
          "{}: the rate of {} must be a positive number (units of the base currency per {}), "
          "got '{}'",
          origin, code, code, value));
    }
    if (fx->RateOf(code)) {
      throw Error::Usage(fmt::format("{}: {} is given twice", origin, CurrencyCode(code)));
    }
    fx->Set(code, rate);
  }
}

FxRates ParseFxFlag(std::string_view text) {
  FxRates fx;
  fx.origin = "--fx";
  AddFxList(text, &fx);
  if (fx.rates.empty()) {
    throw Error::Usage("--fx: expected CODE=RATE pairs, e.g. --fx JPY=1,USD=150");
  }
  fx.DecideBase();
  return fx;
}

}  // namespace crmkpi
