// RoiSettings: the inputs of `crmkpi roi` — flags and/or the [roi] section of an INI file
// (docs/cli.md "crmkpi roi", docs/ini.md "[roi]") — read, merged (a flag replaces the INI key of
// the same name) and checked. Every mistake is an Error(kUsage) (exit 2) that names the flag or
// the file:line:col of the key.
//
// In the INI, amounts may be formulas (formula.h) over constants and the KPIs of a KPI definition
// measured on two exports: `revenue_after - revenue_before` is the KPI `revenue` of the
// definition run on the "after" and on the "before" files. Flags take plain numbers only.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "crmkpi/base/error.h"
#include "crmkpi/base/roi.h"
#include "crmkpi/definition/formula.h"

namespace crmkpi {

// The command line as given: values[key] holds each occurrence of the flag --KEY-WITH-DASHES
// (key as in the INI: "cost_per_month"); a key that is absent was not given.
struct RoiFlags {
  std::string config;  // -c roi.ini
  std::map<std::string, std::vector<std::string>> values;
  std::vector<std::string> before_sources, after_sources;  // ID=PATH
};

// The INI keys that mirror a flag, in help order.
const std::vector<std::string>& RoiFlagKeys();

// One amount: a number, or (INI only) a formula, with the formula's top-level terms so the
// report can show what each contributed.
struct RoiAmount {
  std::string text;                // as written
  std::optional<double> number;    // a plain amount: "600000", "600,000", "¥600,000", "30%"
  std::optional<Formula> formula;  // otherwise (INI): the formula
  struct Term {
    int sign = 1;      // the + or − in front of it
    std::string text;  // without that sign
    Formula formula;
  };
  std::vector<Term> terms;  // a formula's terms (one when it is not a sum)
  SourceLoc loc;            // INI: where the amount starts; flags: none
};

// A key's value(s): one amount, or one per period (cost_per_month, …; `a; b; c` or the flag
// repeated).
struct RoiKey {
  std::string key;   // INI name
  std::string from;  // "--gain-per-year" or "roi.ini:9"
  std::vector<RoiAmount> items;
  bool HasFormula() const;
};

// A rate given as "10%" or "0.1" (discount rate, risks, attribution share).
struct RoiRate {
  double value = 0;
  std::string from = "default";
};

struct RoiSettings {
  std::string config;      // the INI file, "" without -c
  std::string definition;  // the KPI definition (resolved path), "" without one
  // Source id → file for the two runs of the definition (resolved paths).
  std::map<std::string, std::string> before_sources, after_sources;
  // Values a formula can use by name: [roi] constant.NAME and the definition's constants.
  std::map<std::string, double> constants;
  // Where "definition", "before.ID", "after.ID" and "constant.NAME" were given
  // ("roi.ini:4", "--after-source", the definition's file for its constants).
  std::map<std::string, std::string> from;
  // The definition's ids (metrics, constants, KPIs) the formulas use as ID_before / ID_after.
  std::set<std::string> before_ids, after_ids;

  bool simple = false;                                   // --cost / --gain
  std::optional<RoiKey> cost, gain;                      // simple mode
  std::optional<RoiKey> initial_cost;                    // cash-flow mode
  std::optional<RoiKey> recurring_cost, recurring_gain;  // per period (see period)
  RoiPeriod period = RoiPeriod::kYear;
  int horizon = 3;  // periods
  std::string horizon_from = "default";
  int ramp_periods = 0;
  std::string ramp_from = "default";
  RoiRate discount_rate{0.10, "default"};
  RoiRate benefit_risk{0, "default"};
  RoiRate cost_risk{0, "default"};
  RoiRate attribution_share{1, "default"};
  std::optional<RoiKey> margin_rate, deal_size;  // break-even volume

  bool RunsBefore() const { return !before_ids.empty() || !before_sources.empty(); }
  bool RunsAfter() const { return !after_ids.empty() || !after_sources.empty(); }
};

// Reads -c (if any), merges the flags and checks everything, including that every formula
// variable exists (loading the KPI definition for its ids).
RoiSettings LoadRoiSettings(const RoiFlags& flags);

// "10%" → 0.1, "0.1" → 0.1, "12.5 %" → 0.125. A plain number above 1 is refused (10 would be
// 1,000 %: write 10%). Negative values are refused. nullopt when |text| is not a rate at all;
// throws Error(kUsage) naming |what| for a refused value.
std::optional<double> ParseRateText(std::string_view text, const std::string& what,
                                    const SourceLoc& loc);

}  // namespace crmkpi
