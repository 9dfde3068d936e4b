// `crmkpi forecast` as a library call (forecast_report.h): the Part C vector through an actual
// column, the join with a deals export, one-side-only keys, --missing-as-zero, quarters, period
// formats, snapshots and horizons, categories, summed rows, MASE and the errors. Every expected
// value is worked out by hand beside it (e = F − A).
#include "crmkpi/analysis/forecast_report.h"

#include <cmath>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "crmkpi/analysis/forecast_error.h"
#include "crmkpi/base/error.h"
#include "temp_dir.h"

namespace crmkpi {
namespace {

Approx Exactly(double v) { return Approx(v).epsilon(1e-12).margin(1e-15); }

const KpiValue& Find(const std::vector<KpiValue>& kpis, const std::string& id) {
  for (const KpiValue& v : kpis) {
    if (v.id == id) return v;
  }
  FAIL("no KPI " << id);
  throw;
}

const KpiValue& Total(const Report& r, const std::string& id) { return Find(r.total.kpis, id); }

const Grouping& GroupingOf(const Report& r, const std::vector<std::string>& keys) {
  for (const Grouping& g : r.groupings) {
    if (g.keys == keys) return g;
  }
  FAIL("no grouping with those keys");
  throw;
}

const KpiValue& Group(const Report& r, const std::vector<std::string>& keys,
                      const std::vector<std::string>& values, const std::string& id) {
  for (const GroupRow& row : GroupingOf(r, keys).rows) {
    if (row.values == values) return Find(row.kpis, id);
  }
  FAIL("no group row");
  throw;
}

const ReportList& List(const Report& r, const std::string& id) {
  for (const ReportList& l : r.lists) {
    if (l.id == id) return l;
  }
  FAIL("no list " << id);
  throw;
}

std::uint64_t Excluded(const KpiValue& v, const std::string& reason) {
  for (const auto& [r, n] : v.excluded) {
    if (r == reason) return n;
  }
  return 0;
}

double Value(const KpiValue& v) {
  REQUIRE(v.value.has_value());
  return v.value->ToDouble();
}

const DataWarning* Warning(const Report& r, const std::string& kind) {
  for (const DataWarning& w : r.warnings) {
    if (w.kind == kind) return &w;
  }
  return nullptr;
}

// A deals export: Aoki Jan won 100 + 50 = 150, Feb only a lost deal (A = 0); Baba Jan 200,
// Feb 80; Chen Feb 60 (and no forecast); an open deal created 2024-03-05 (the latest date).
constexpr const char* kDeals =
    "id,owner,stage,amount,created_at,closed_at\n"
    "1,Aoki,won,100,2024-01-02,2024-01-10\n"
    "2,Aoki,Closed Won,50,2024-01-05,2024-01-20\n"
    "3,Aoki,lost,70,2024-01-06,2024-02-03\n"
    "4,Baba,won,200,2024-01-03,2024-01-15\n"
    "5,Baba,won,80,2024-02-01,2024-02-10\n"
    "6,Chen,won,60,2024-02-02,2024-02-25\n"
    "7,Baba,proposal,30,2024-03-05,\n";

// Aoki and Baba for Jan and Feb; Dan (not in the deals) for Feb.
constexpr const char* kForecast =
    "period,owner,forecast\n"
    "2024-01,Aoki,120\n"
    "2024-01,Baba,180\n"
    "2024-02,Aoki,20\n"
    "2024-02,Baba,100\n"
    "2024-02,Dan,40\n";

ForecastOptions DealsOptions(const TempDir& dir, const std::string& forecast = kForecast,
                             const std::string& deals = kDeals) {
  ForecastOptions o;
  o.forecast_file = dir.Write("forecast.csv", forecast);
  o.actual_file = dir.Write("deals.csv", deals);
  o.by = {"owner"};
  return o;
}

}  // namespace

TEST_CASE("Forecast: the Part C vector through an actual column", "[forecast]") {
  TempDir dir;
  ForecastOptions o;
  // y = [100, 0, 50, 200], ŷ = [110, 10, 40, 150]; e = 10, 10, −10, −50.
  o.forecast_file = dir.Write("f.csv",
                              "period,forecast,actual\n"
                              "2024-01,110,100\n"
                              "2024-02,10,0\n"
                              "2024-03,40,50\n"
                              "2024-04,150,200\n");
  const Report r = RunForecastReport(o);
  CHECK(r.command == "forecast");
  CHECK(r.as_of.empty());  // no --as-of, no deals file: nothing to take it from

  // accuracy = 1 − |310 − 350| / 350 = 31/35 = 0.885714…; numerator ΣF, denominator ΣA.
  const KpiValue& acc = Total(r, "forecast_accuracy");
  CHECK(Value(acc) == Exactly(31.0 / 35));
  CHECK(acc.numerator->ToString() == "310");
  CHECK(acc.denominator->ToString() == "350");
  CHECK(*acc.n == 4);
  CHECK(acc.unit == Unit::kRatio);
  // WAPE = (10 + 10 + 10 + 50) / 350 = 8/35 = 0.228571…
  const KpiValue& wape = Total(r, "wape");
  CHECK(Value(wape) == Exactly(8.0 / 35));
  CHECK(wape.numerator->ToString() == "80");
  CHECK(wape.denominator->ToString() == "350");
  // MAPE over A ≠ 0: (0.1 + 0.2 + 0.25) / 3 = 11/60 = 0.18333…, 1 zero actual excluded.
  const KpiValue& mape = Total(r, "mape");
  CHECK(Value(mape) == Exactly(11.0 / 60));
  CHECK(*mape.n == 3);
  CHECK(Excluded(mape, "zero_actual") == 1);
  // sMAPE = (20/210 + 20/10 + 20/90 + 100/350) / 4 = 0.650793…
  CHECK(Value(Total(r, "smape")) ==
        Exactly((20.0 / 210 + 2.0 + 20.0 / 90 + 100.0 / 350) / 4));
  CHECK(Value(Total(r, "smape")) == Approx(0.6508).margin(5e-5));
  // bias = −40 / 4 = −10, exact money; bias % = −40 / 350.
  const KpiValue& bias = Total(r, "bias");
  CHECK(bias.value->fixed);
  CHECK(bias.value->ToString() == "-10");
  CHECK(bias.numerator->ToString() == "-40");
  CHECK(bias.denominator->ToString() == "4");
  CHECK(bias.unit == Unit::kAmount);
  const KpiValue& bias_pct = Total(r, "bias_percent");
  CHECK(Value(bias_pct) == Exactly(-40.0 / 350));
  CHECK(bias_pct.numerator->ToString() == "-40");
  CHECK(bias_pct.denominator->ToString() == "350");
  // MAE = 80 / 4 = 20; RMSE = sqrt((100 + 100 + 100 + 2500) / 4) = sqrt(700) = 26.4575…
  CHECK(Total(r, "mae").value->ToString() == "20");
  CHECK(Value(Total(r, "rmse")) == Exactly(std::sqrt(700.0)));
  CHECK(Value(Total(r, "rmse")) == Approx(26.458).margin(5e-4));
  CHECK_FALSE(Total(r, "rmse").value->fixed);
  // MASE needs the deals export's history.
  const KpiValue& mase = Total(r, "mase");
  CHECK_FALSE(mase.value.has_value());
  CHECK(mase.reason == "NO_HISTORY");
  CHECK(Excluded(mase, "no_history") == 4);
  CHECK(mase.unit == Unit::kNumber);
  // Labels say which metric is which.
  CHECK(mape.label.find("A = 0 skipped") != std::string::npos);
  CHECK(Total(r, "smape").label.find("0–200 %") != std::string::npos);

  // Per period: February's actual is 0 → accuracy and WAPE n/a, MAPE has no point, sMAPE 2.
  CHECK(Group(r, {"period"}, {"2024-02"}, "forecast_accuracy").reason == "ZERO_DENOMINATOR");
  CHECK(Group(r, {"period"}, {"2024-02"}, "wape").reason == "ZERO_DENOMINATOR");
  CHECK(Group(r, {"period"}, {"2024-02"}, "mape").reason == "ZERO_DENOMINATOR");
  CHECK(Value(Group(r, {"period"}, {"2024-02"}, "smape")) == 2);
  CHECK(Value(Group(r, {"period"}, {"2024-04"}, "forecast_accuracy")) == Exactly(0.75));

  // The rows list: APE empty when A = 0.
  const ReportList& rows = List(r, "rows");
  REQUIRE(rows.rows.size() == 4);
  CHECK(rows.columns ==
        std::vector<std::string>{"period", "forecast", "actual", "error", "ape", "rows"});
  CHECK(rows.rows[0] == std::vector<std::string>{"2024-01", "110", "100", "10", "0.1", "1"});
  CHECK(rows.rows[1] == std::vector<std::string>{"2024-02", "10", "0", "10", "", "1"});
  CHECK(rows.rows[3] == std::vector<std::string>{"2024-04", "150", "200", "-50", "0.25", "1"});
  CHECK(List(r, "unmatched").rows.empty());
}

TEST_CASE("Forecast: mapped roles of a file with its own actual column", "[forecast]") {
  TempDir dir;
  ForecastOptions o;
  o.forecast_file = dir.Write("f.csv", "Monat;Prognose;Ist\n2024/01;110;100\n2024/02;90;100\n");
  o.csv.delimiter = ';';
  o.mappings = {{Role::kPeriod, "Monat"}, {Role::kForecast, "Prognose"}, {Role::kActual, "Ist"}};
  const Report r = RunForecastReport(o);
  // e = 10, −10 → Σe = 0: accuracy 1, WAPE 20/200.
  CHECK(Value(Total(r, "forecast_accuracy")) == 1);
  CHECK(Value(Total(r, "wape")) == Exactly(0.1));
}

TEST_CASE("Forecast: joined with a deals export by month and owner", "[forecast]") {
  TempDir dir;
  const Report r = RunForecastReport(DealsOptions(dir));
  CHECK(r.as_of == "2024-03-05");  // the open deal's created date
  CHECK(r.as_of_source == "data");
  REQUIRE(r.inputs.size() == 2);
  CHECK(r.inputs[0].rows == 5);
  CHECK(r.inputs[1].rows == 7);

  // Points: Aoki Jan (120, 150), Baba Jan (180, 200), Aoki Feb (20, 0 — a real zero: Aoki is
  // in the deals, with no won deal in February), Baba Feb (100, 80).
  // ΣF = 420, ΣA = 430, Σe = −30 − 20 + 20 + 20 = −10, Σ|e| = 90.
  const KpiValue& acc = Total(r, "forecast_accuracy");
  CHECK(*acc.n == 4);
  CHECK(acc.numerator->ToString() == "420");
  CHECK(acc.denominator->ToString() == "430");
  CHECK(Value(acc) == Exactly(1 - 10.0 / 430));
  CHECK(Value(Total(r, "wape")) == Exactly(90.0 / 430));
  // MAPE: 30/150, 20/200, 20/80 over 3 points; Aoki Feb (A = 0) skipped.
  CHECK(Value(Total(r, "mape")) == Exactly((0.2 + 0.1 + 0.25) / 3));
  CHECK(Excluded(Total(r, "mape"), "zero_actual") == 1);
  CHECK(Total(r, "bias").value->ToString() == "-2.5");  // −10 / 4, exact
  CHECK(Total(r, "bias").value->fixed);
  CHECK(Total(r, "mae").value->ToString() == "22.5");   // 90 / 4
  CHECK(Value(Total(r, "rmse")) == Exactly(std::sqrt((900.0 + 400 + 400 + 400) / 4)));
  // Excluded, in every KPI: Dan (forecast, not in the deals) and Chen (won 60, no forecast).
  for (const KpiValue& v : r.total.kpis) {
    CAPTURE(v.id);
    CHECK(Excluded(v, "no_actual") == 1);
    CHECK(Excluded(v, "no_forecast") == 1);
  }

  const ReportList& unmatched = List(r, "unmatched");
  CHECK(unmatched.columns == std::vector<std::string>{"period", "owner", "side", "amount",
                                                       "reason", "treatment"});
  REQUIRE(unmatched.rows.size() == 2);
  CHECK(unmatched.rows[0] == std::vector<std::string>{"2024-02", "Chen", "actual only", "60",
                                                       "no_forecast", "excluded"});
  CHECK(unmatched.rows[1] == std::vector<std::string>{"2024-02", "Dan", "forecast only", "40",
                                                       "no_actual", "excluded"});

  const ReportList& rows = List(r, "rows");
  REQUIRE(rows.rows.size() == 4);
  CHECK(rows.rows[0] ==
        std::vector<std::string>{"2024-01", "Aoki", "120", "150", "-30", "0.2", "1"});
  CHECK(rows.rows[2] == std::vector<std::string>{"2024-02", "Aoki", "20", "0", "20", "", "1"});

  // Per owner: Aoki ΣF 140, ΣA 150 → 1 − 10/150; Chen and Dan have no point.
  CHECK(Value(Group(r, {"owner"}, {"Aoki"}, "forecast_accuracy")) == Exactly(1 - 10.0 / 150));
  CHECK(Group(r, {"owner"}, {"Chen"}, "forecast_accuracy").reason == "EMPTY");
  CHECK(Excluded(Group(r, {"owner"}, {"Chen"}, "wape"), "no_forecast") == 1);
  CHECK(Excluded(Group(r, {"owner"}, {"Dan"}, "wape"), "no_actual") == 1);
  // Per period: January F 300, A 350; February F 120, A 80 (and the two exclusions).
  CHECK(Value(Group(r, {"period"}, {"2024-01"}, "forecast_accuracy")) ==
        Exactly(1 - 50.0 / 350));
  const KpiValue& feb = Group(r, {"period"}, {"2024-02"}, "forecast_accuracy");
  CHECK(feb.numerator->ToString() == "120");
  CHECK(feb.denominator->ToString() == "80");
  CHECK(Excluded(feb, "no_actual") == 1);
}

TEST_CASE("Forecast: --missing-as-zero counts one-sided keys with 0", "[forecast]") {
  TempDir dir;
  ForecastOptions o = DealsOptions(dir);
  o.missing_as_zero = true;
  const Report r = RunForecastReport(o);
  // Adds Dan (40, 0) and Chen (0, 60): ΣF 460, ΣA 490, Σe −10 + 40 − 60 = −30,
  // Σ|e| 90 + 40 + 60 = 190, n = 6.
  const KpiValue& acc = Total(r, "forecast_accuracy");
  CHECK(*acc.n == 6);
  CHECK(Value(acc) == Exactly(1 - 30.0 / 490));
  CHECK(Value(Total(r, "wape")) == Exactly(190.0 / 490));
  // MAPE: 0.2, 0.1, 0.25 and Chen 60/60 = 1 over 4; Aoki Feb and Dan (A = 0) skipped.
  CHECK(Value(Total(r, "mape")) == Exactly((0.2 + 0.1 + 0.25 + 1) / 4));
  CHECK(Excluded(Total(r, "mape"), "zero_actual") == 2);
  CHECK(Total(r, "bias").value->ToString() == "-5");  // −30 / 6
  CHECK(Excluded(Total(r, "wape"), "no_actual") == 0);
  CHECK(Excluded(Total(r, "wape"), "no_forecast") == 0);
  // Still listed, marked as counted.
  const ReportList& unmatched = List(r, "unmatched");
  REQUIRE(unmatched.rows.size() == 2);
  CHECK(unmatched.rows[0].back() == "counted as 0");
  CHECK(unmatched.rows[1].back() == "counted as 0");
  // And in the rows list with 0 on the missing side.
  const ReportList& rows = List(r, "rows");
  REQUIRE(rows.rows.size() == 6);
  CHECK(rows.rows[4] == std::vector<std::string>{"2024-02", "Chen", "0", "60", "-60", "1", "0"});
  CHECK(rows.rows[5] == std::vector<std::string>{"2024-02", "Dan", "40", "0", "40", "", "1"});
}

TEST_CASE("Forecast: a period not ended at as-of has no actual yet", "[forecast]") {
  TempDir dir;
  ForecastOptions o = DealsOptions(dir);
  o.as_of = "2024-02-28";  // January has ended; February (last day the 29th) has not
  const Report r = RunForecastReport(o);
  CHECK(r.as_of == "2024-02-28");
  CHECK(r.as_of_source == "option");
  // Only January: Aoki (120, 150), Baba (180, 200).
  const KpiValue& acc = Total(r, "forecast_accuracy");
  CHECK(*acc.n == 2);
  CHECK(Value(acc) == Exactly(1 - 50.0 / 350));
  // Aoki, Baba and Dan in February, and Chen's February revenue: period_not_ended.
  CHECK(Excluded(acc, "period_not_ended") == 4);
  CHECK(Excluded(acc, "no_actual") == 0);
  // --missing-as-zero does not count a period that has not ended.
  o.missing_as_zero = true;
  const Report z = RunForecastReport(o);
  CHECK(*Total(z, "forecast_accuracy").n == 2);
  for (const auto& row : List(z, "unmatched").rows) CHECK(row.back() == "excluded");

  o.as_of = "2024-02-29";  // February's last day: ended
  o.missing_as_zero = false;
  CHECK(*Total(RunForecastReport(o), "forecast_accuracy").n == 4);
}

TEST_CASE("Forecast: an open deal's expected close date does not move as-of", "[forecast]") {
  TempDir dir;
  // The open deal expects to close in June; as-of stays the latest date that has happened:
  // the lost deal's close on 2024-02-03 — so February has not ended.
  ForecastOptions o = DealsOptions(dir, "period,owner,forecast\n2024-01,Aoki,120\n2024-02,Aoki,1\n",
                                   "id,owner,stage,amount,created_at,closed_at\n"
                                   "1,Aoki,won,150,2024-01-02,2024-01-10\n"
                                   "2,Aoki,lost,70,2024-01-06,2024-02-03\n"
                                   "3,Aoki,proposal,30,2024-01-20,2024-06-30\n");
  const Report r = RunForecastReport(o);
  CHECK(r.as_of == "2024-02-03");
  CHECK(*Total(r, "forecast_accuracy").n == 1);
  CHECK(Excluded(Total(r, "forecast_accuracy"), "period_not_ended") == 1);
}

TEST_CASE("Forecast: quarter periods", "[forecast]") {
  TempDir dir;
  ForecastOptions o = DealsOptions(
      dir,
      "period,owner,forecast\n"
      "2024-Q1,Aoki,100\n"
      "2024-01,Baba,150\n"   // month labels are placed in their quarter…
      "2024-02,Baba,150\n",  // …and summed there
      "id,owner,stage,amount,created_at,closed_at\n"
      "1,Aoki,won,100,2024-01-02,2024-01-10\n"
      "2,Aoki,won,50,2024-02-05,2024-03-31\n"
      "3,Baba,won,250,2024-01-03,2024-02-15\n"
      "4,Baba,proposal,30,2024-04-01,\n");
  o.period = Period::kQuarter;
  const Report r = RunForecastReport(o);
  // Q1 ended (as-of 2024-04-01). Aoki (100, 150), Baba (300, 250).
  const ReportList& rows = List(r, "rows");
  REQUIRE(rows.rows.size() == 2);
  CHECK(rows.rows[0] == std::vector<std::string>{"2024-Q1", "Aoki", "100", "150", "-50",
                                                  "0.3333333333333333", "1"});
  CHECK(rows.rows[1] ==
        std::vector<std::string>{"2024-Q1", "Baba", "300", "250", "50", "0.2", "2"});
  CHECK(Value(Total(r, "wape")) == Exactly(100.0 / 400));

  // A quarter label cannot be read as a month.
  o.period = Period::kMonth;
  const Report m = RunForecastReport(o);
  const DataWarning* w = Warning(m, "period_too_coarse");
  REQUIRE(w != nullptr);
  CHECK(w->count == 1);
  CHECK(w->first.line == 2);
  CHECK(w->message.find("is a quarter; run with --period quarter") != std::string::npos);
  CHECK(Excluded(Total(m, "wape"), "invalid_forecast_row") == 1);
}

TEST_CASE("Forecast: a label coarser than the period names its own kind", "[forecast]") {
  TempDir dir;
  ForecastOptions o;
  o.forecast_file = dir.Write("f.csv", "period,forecast,actual\n2024-H1,100,90\n2024,50,40\n");
  o.period = Period::kMonth;
  const Report r = RunForecastReport(o);
  const DataWarning* w = Warning(r, "period_too_coarse");
  REQUIRE(w != nullptr);
  CHECK(w->count == 2);
  // The first one's kind: a half (the year label is the second).
  CHECK(w->message.find("is a half; run with --period half") != std::string::npos);
}

TEST_CASE("Forecast: period cells in several formats name the same month", "[forecast]") {
  TempDir dir;
  ForecastOptions o = DealsOptions(dir,
                                   "period,owner,forecast\n"
                                   "2024年1月,Aoki,60\n"
                                   "2024/01,Aoki,30\n"
                                   "2024-01-31,Aoki,30\n"
                                   "202402,Aoki,5\n");
  const Report r = RunForecastReport(o);
  // January: 60 + 30 + 30 = 120 in three rows; February 5.
  const ReportList& rows = List(r, "rows");
  REQUIRE(rows.rows.size() == 2);
  CHECK(rows.rows[0] ==
        std::vector<std::string>{"2024-01", "Aoki", "120", "150", "-30", "0.2", "3"});
  CHECK(rows.rows[1] == std::vector<std::string>{"2024-02", "Aoki", "5", "0", "5", "", "1"});
  const DataWarning* w = Warning(r, "rows_combined");
  REQUIRE(w != nullptr);
  CHECK(w->count == 2);       // two rows added to the first January row
  CHECK(w->first.line == 3);  // the first of them
}

TEST_CASE("Forecast: snapshots — latest before period end, and horizons", "[forecast]") {
  TempDir dir;
  ForecastOptions o;
  // March ends on the 31st. Days before it: Feb 1 → 59 (8 weeks), Mar 1 → 30 (4), Mar 2 → 29
  // (4), Mar 4 → 27 (3). Apr 2 is after the period: not evaluated.
  o.forecast_file = dir.Write("f.csv",
                              "period,snapshot_date,forecast,actual\n"
                              "2024-03,2024-02-01,100,130\n"
                              "2024-03,2024-03-01,120,130\n"
                              "2024-03,2024-03-02,121,130\n"
                              "2024-03,2024-03-04,125,130\n"
                              "2024-03,2024-04-02,131,130\n"
                              "2024-04,2024-05-03,90,80\n");
  const Report r = RunForecastReport(o);
  // Headline: March from its Mar 4 snapshot (125 vs 130); April has only a late snapshot.
  const KpiValue& acc = Total(r, "forecast_accuracy");
  CHECK(*acc.n == 1);
  CHECK(acc.numerator->ToString() == "125");
  CHECK(Excluded(acc, "late_snapshot") == 1);
  const DataWarning* late = Warning(r, "late_snapshot");
  REQUIRE(late != nullptr);
  CHECK(late->count == 2);
  CHECK(late->first.line == 6);

  const ReportList& rows = List(r, "rows");
  REQUIRE(rows.rows.size() == 1);
  CHECK(rows.columns == std::vector<std::string>{"period", "snapshot", "forecast", "actual",
                                                  "error", "ape", "rows"});
  CHECK(rows.rows[0][1] == "2024-03-04");

  // Horizons 3 (Mar 4: 125), 4 (Mar 2, the later of the two 4-week snapshots: 121), 8 (100).
  const Grouping& h = GroupingOf(r, {"horizon_weeks"});
  REQUIRE(h.rows.size() == 3);
  CHECK(h.rows[0].values[0] == "3");
  CHECK(h.rows[1].values[0] == "4");
  CHECK(h.rows[2].values[0] == "8");
  CHECK(Find(h.rows[0].kpis, "forecast_accuracy").numerator->ToString() == "125");
  CHECK(Find(h.rows[1].kpis, "forecast_accuracy").numerator->ToString() == "121");
  CHECK(Value(Find(h.rows[2].kpis, "forecast_accuracy")) == Exactly(1 - 30.0 / 130));
}

TEST_CASE("Forecast: categories are separate forecasts", "[forecast]") {
  TempDir dir;
  ForecastOptions o;
  o.forecast_file = dir.Write("f.csv",
                              "period,owner,forecast_category,forecast,actual\n"
                              "2024-01,Aoki,commit,90,100\n"
                              "2024-01,Aoki,best case,120,100\n"
                              "2024-02,Aoki,commit,50,60\n"
                              "2024-02,Aoki,best case,70,60\n");
  o.by = {"owner"};
  const Report r = RunForecastReport(o);
  // Two categories: no total (summing them would count each actual twice).
  for (const KpiValue& v : r.total.kpis) {
    CAPTURE(v.id);
    CHECK_FALSE(v.value.has_value());
    CHECK(v.reason == "MIXED_CATEGORIES");
  }
  // commit: F 140, A 160 → 1 − 20/160; best case: F 190, A 160 → 1 − 30/160.
  CHECK(Value(Group(r, {"category"}, {"commit"}, "forecast_accuracy")) ==
        Exactly(1 - 20.0 / 160));
  CHECK(Value(Group(r, {"category"}, {"best case"}, "forecast_accuracy")) ==
        Exactly(1 - 30.0 / 160));
  CHECK(Value(Group(r, {"owner", "category"}, {"Aoki", "commit"}, "wape")) ==
        Exactly(20.0 / 160));
  CHECK(Value(Group(r, {"period", "category"}, {"2024-02", "best case"}, "bias_percent")) ==
        Exactly(10.0 / 60));
  CHECK(List(r, "rows").columns[2] == "category");

  // One category: the total is computed.
  o.forecast_file = dir.Write("g.csv",
                              "period,owner,forecast_category,forecast,actual\n"
                              "2024-01,Aoki,commit,90,100\n"
                              "2024-02,Aoki,commit,50,60\n");
  const Report one = RunForecastReport(o);
  CHECK(Value(Total(one, "forecast_accuracy")) == Exactly(1 - 20.0 / 160));
}

TEST_CASE("Forecast: with categories, actual-only is per category", "[forecast]") {
  TempDir dir;
  ForecastOptions o = DealsOptions(dir,
                                   "period,owner,category,forecast\n"
                                   "2024-01,Aoki,commit,100\n"
                                   "2024-01,Aoki,best case,160\n"
                                   "2024-01,Baba,commit,190\n");
  const Report r = RunForecastReport(o);
  // Baba won 200 in January and has a commit forecast but no best-case one.
  const ReportList& unmatched = List(r, "unmatched");
  REQUIRE(unmatched.rows.size() == 1);
  CHECK(unmatched.rows[0] == std::vector<std::string>{"2024-01", "Baba", "best case",
                                                       "actual only", "200", "no_forecast",
                                                       "excluded"});
  // commit: Aoki (100, 150), Baba (190, 200) → WAPE 60/350; best case: Aoki (160, 150).
  CHECK(Value(Group(r, {"category"}, {"commit"}, "wape")) == Exactly(60.0 / 350));
  CHECK(Value(Group(r, {"category"}, {"best case"}, "wape")) == Exactly(10.0 / 150));
  CHECK(Excluded(Group(r, {"category"}, {"best case"}, "wape"), "no_forecast") == 1);
}

TEST_CASE("Forecast: MASE from the deals history before the first forecast", "[forecast]") {
  TempDir dir;
  // Aoki's history: Oct 100, Nov 130, Dec 90 (first date 2023-10-02) → scale (30 + 40) / 2 =
  // 35. Baba's: first date 2023-12-01 → one history point (Dec 0) → no scale.
  ForecastOptions o = DealsOptions(dir,
                                   "period,owner,forecast\n"
                                   "2024-01,Aoki,120\n"
                                   "2024-02,Aoki,80\n"
                                   "2024-01,Baba,10\n",
                                   "id,owner,stage,amount,created_at,closed_at\n"
                                   "1,Aoki,won,100,2023-10-02,2023-10-20\n"
                                   "2,Aoki,won,130,2023-10-25,2023-11-15\n"
                                   "3,Aoki,won,90,2023-11-20,2023-12-12\n"
                                   "4,Aoki,won,100,2023-12-15,2024-01-25\n"
                                   "5,Aoki,won,60,2024-01-05,2024-02-08\n"
                                   "6,Baba,lost,10,2023-12-01,2024-01-05\n"
                                   "7,Baba,open,10,2024-03-01,\n");
  const Report r = RunForecastReport(o);
  // Aoki: e = 20, 20 → MAE 20 → MASE 20 / 35 = 4/7.
  const KpiValue& aoki = Group(r, {"owner"}, {"Aoki"}, "mase");
  CHECK(Value(aoki) == Exactly(4.0 / 7));
  CHECK(*aoki.n == 2);
  const ForecastErrors reference =
      ComputeForecastErrors({{120, 100}, {80, 60}}, {100, 130, 90});
  REQUIRE(reference.mase.has_value());
  CHECK(Value(aoki) == Exactly(*reference.mase));
  const KpiValue& baba = Group(r, {"owner"}, {"Baba"}, "mase");
  CHECK(baba.reason == "NO_HISTORY");
  CHECK(Excluded(baba, "no_history") == 1);
  // The total pools the scaled errors of the points that have a scale: (20/35 + 20/35) / 2.
  const KpiValue& total = Total(r, "mase");
  CHECK(Value(total) == Exactly(4.0 / 7));
  CHECK(*total.n == 2);
  CHECK(Excluded(total, "no_history") == 1);
}

TEST_CASE("Forecast: a weekly MASE history steps week by week", "[forecast]") {
  TempDir dir;
  // Weeks from Monday 2024-01-01: W01 100, W02 300, W03 200 before the first forecast (W04) →
  // scale (200 + 100) / 2 = 150 (a week's ordinal is its first day: stepping a day at a time
  // put six zero days between the weeks, a scale of 1100 / 20 = 55). e = −10, −10 → MAE 10.
  ForecastOptions o = DealsOptions(dir,
                                   "period,owner,forecast\n"
                                   "2024-W04,Aoki,240\n"
                                   "2024-W05,Aoki,250\n",
                                   "id,owner,stage,amount,created_at,closed_at\n"
                                   "1,Aoki,won,100,2024-01-01,2024-01-02\n"
                                   "2,Aoki,won,300,2024-01-08,2024-01-09\n"
                                   "3,Aoki,won,200,2024-01-15,2024-01-16\n"
                                   "4,Aoki,won,250,2024-01-22,2024-01-23\n"
                                   "5,Aoki,won,260,2024-01-29,2024-01-30\n");
  o.period = Period::kWeek;
  o.as_of = "2024-02-04";
  const Report r = RunForecastReport(o);
  const KpiValue& mase = Total(r, "mase");
  CHECK(Value(mase) == Exactly(10.0 / 150));
  CHECK(*mase.n == 2);
}

TEST_CASE("Forecast: weeks from Sunday have their first and last days", "[forecast]") {
  TempDir dir;
  ForecastOptions o;
  o.forecast_file = dir.Write("f.csv", "period,forecast,actual\n2024-03-10,50,60\n2024-03-17,40,50\n");
  o.period = Period::kWeek;
  o.calendar.week_starts_sunday = true;
  const Report r = RunForecastReport(o);
  // The labels ("2024-03-10 week") do not read back as periods: the bounds come from the weeks.
  REQUIRE(r.period_bounds.count("2024-03-10 week") == 1);
  CHECK(r.period_bounds.at("2024-03-10 week") == std::pair<std::string, std::string>{"2024-03-10", "2024-03-16"});
  CHECK(r.period_bounds.at("2024-03-17 week") == std::pair<std::string, std::string>{"2024-03-17", "2024-03-23"});
}

TEST_CASE("Forecast: a constant history has no MASE scale", "[forecast]") {
  TempDir dir;
  ForecastOptions o = DealsOptions(dir, "period,owner,forecast\n2024-01,Aoki,120\n",
                                   "id,owner,stage,amount,created_at,closed_at\n"
                                   "1,Aoki,won,100,2023-11-02,2023-11-20\n"
                                   "2,Aoki,won,100,2023-11-25,2023-12-15\n"
                                   "3,Aoki,won,100,2023-12-15,2024-01-25\n"
                                   "4,Aoki,open,1,2024-02-01,\n");
  const Report r = RunForecastReport(o);
  const KpiValue& mase = Total(r, "mase");
  CHECK(mase.reason == "ZERO_DENOMINATOR");
  CHECK(Excluded(mase, "zero_scale") == 1);
}

TEST_CASE("Forecast: invalid values are warned about and their rows left out", "[forecast]") {
  TempDir dir;
  ForecastOptions o = DealsOptions(dir,
                                   "period,owner,forecast\n"
                                   "2024-01,Aoki,120\n"
                                   "2024-01,Baba,TBD\n"
                                   "Jan 2024,Baba,10\n"
                                   "2024-02,Baba,100\n",
                                   std::string(kDeals) + "8,Baba,won,n/a,2024-01-01,2024-01-02\n");
  const Report r = RunForecastReport(o);
  const DataWarning* amount = nullptr;
  for (const DataWarning& w : r.warnings) {
    if (w.kind == "invalid_amount" && w.first.file.find("forecast") != std::string::npos) {
      amount = &w;
    }
  }
  REQUIRE(amount != nullptr);
  CHECK(amount->column == "forecast");
  CHECK(amount->first.line == 3);
  CHECK(amount->first.column == 14);
  CHECK(amount->sample == "TBD");
  const DataWarning* period = Warning(r, "invalid_period");
  REQUIRE(period != nullptr);
  CHECK(period->first.line == 4);
  CHECK(period->sample == "Jan 2024");
  // The won deal with amount "n/a" is not in Baba's January actual (still 200).
  CHECK(List(r, "unmatched").rows[0][1] == "Baba");  // Baba Jan: no forecast row left
  CHECK(List(r, "unmatched").rows[0][3] == "200");
  CHECK(Excluded(Total(r, "wape"), "invalid_forecast_row") == 2);
}

TEST_CASE("Forecast: usage errors name the missing role and list the headers", "[forecast]") {
  TempDir dir;
  ForecastOptions o;
  o.forecast_file = dir.Write("f.csv", "period,owner,amount\n2024-01,Aoki,10\n");
  o.actual_file = dir.Write("deals.csv", kDeals);
  try {
    RunForecastReport(o);
    FAIL("expected a usage error");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::kUsage);
    CHECK(e.message().find("no forecast amount column found") != std::string::npos);
    CHECK(e.message().find("--map forecast=COLUMN") != std::string::npos);
    CHECK(e.message().find("'period', 'owner', 'amount'") != std::string::npos);
  }
  // --map forecast=amount binds in the forecast file only; the deals file keeps its amount.
  o.mappings = {{Role::kForecast, "amount"}};
  const Report mapped = RunForecastReport(o);
  // Without --by the key is the period alone: January's forecast 10 against all of January's
  // won revenue, 150 + 200.
  CHECK(*Total(mapped, "forecast_accuracy").n == 1);
  CHECK(Total(mapped, "forecast_accuracy").numerator->ToString() == "10");
  CHECK(Total(mapped, "forecast_accuracy").denominator->ToString() == "350");

  // No actuals at all.
  ForecastOptions none;
  none.forecast_file = dir.Write("g.csv", "period,forecast\n2024-01,10\n");
  try {
    RunForecastReport(none);
    FAIL("expected a usage error");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::kUsage);
    CHECK(e.message().find("no actual column found and no --actual") != std::string::npos);
  }

  // The deals file without a stage column.
  ForecastOptions nostage =
      DealsOptions(dir, kForecast, "owner,amount,closed_at\nAoki,1,2024-01-01\n");
  try {
    RunForecastReport(nostage);
    FAIL("expected a usage error");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::kUsage);
    CHECK(e.message().find("no stage column found") != std::string::npos);
    CHECK(e.message().find("'owner', 'amount', 'closed_at'") != std::string::npos);
  }

  // An unknown --by column.
  ForecastOptions by = DealsOptions(dir);
  by.by = {"region"};
  CHECK_THROWS_AS(RunForecastReport(by), Error);
}

TEST_CASE("Forecast: malformed input is an input error with its location", "[forecast]") {
  TempDir dir;
  ForecastOptions o = DealsOptions(dir, "period,owner,forecast\n2024-01,Aoki\n");
  try {
    RunForecastReport(o);
    FAIL("expected an input error");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::kInput);
    CHECK(e.loc().line == 2);
    CHECK(e.message().find("'forecast'") != std::string::npos);
  }
  o.lenient = true;
  const Report r = RunForecastReport(o);
  CHECK(r.inputs[0].skipped_rows == 1);
}

}  // namespace crmkpi
