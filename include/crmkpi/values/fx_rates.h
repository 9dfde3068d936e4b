// Exchange rates into one currency: how money in several currencies becomes one figure
// (`--fx JPY=1,USD=150`, an INI [fx] section; docs/kpis.md, "Currencies"). Without rates the
// engine never adds amounts of different currencies: it gives them per currency.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace crmkpi {

struct FxRates {
  std::string base;  // the currency every amount is converted into
  // Currency code (as written, upper-cased) → units of |base| per unit, in the order given.
  std::vector<std::pair<std::string, double>> rates;
  std::string origin;  // "--fx" or "[fx]": where the rates came from, for messages

  bool empty() const { return rates.empty(); }
  // The rate of |code| (trimmed, ASCII case-insensitive), if it has one.
  std::optional<double> RateOf(std::string_view code) const;
  // Adds or replaces |code|'s rate (a flag's rate replaces the definition's).
  void Set(const std::string& code, double rate);
  // "USD = 150 JPY, EUR = 160 JPY" (the base currency's own rate 1 left out).
  std::string Describe() const;
  // Sets |base| when it is empty: the one currency at rate 1. Throws Error(kUsage) naming
  // |origin| when none or several are at 1.
  void DecideBase();
};

// A currency code as compared: trimmed (ASCII and U+3000), ASCII upper-cased.
std::string CurrencyCode(std::string_view text);

// Adds the CODE=RATE pairs of |text| ("JPY=1,USD=150", also base=CODE) to |fx|; a code is
// any text without ',' or '=' ("US Dollar=150"). Throws Error(kUsage) prefixed with fx->origin
// naming the part it cannot read or a code given twice.
void AddFxList(std::string_view text, FxRates* fx);

// Parses `--fx` text: CODE=RATE pairs separated by commas ("JPY=1,USD=150,EUR=161.5"), and
// optionally base=CODE. Throws Error(kUsage) naming the part it cannot read. The base is
// decided (DecideBase).
FxRates ParseFxFlag(std::string_view text);

// Reads one rate: a positive finite decimal number ("150", "0.0067", "1e-3"). False otherwise.
bool ParseFxRate(std::string_view text, double* rate);

}  // namespace crmkpi
