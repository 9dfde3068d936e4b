// Money in several currencies (docs/kpis.md, "Currencies"): never added across currencies —
// split per currency without rates, converted into one with them — in one pass and in chunks;
// the rates' parsing; a KPI over cells in different currencies. Numbers worked out by hand.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "crmkpi/base/error.h"
#include "crmkpi/definition/ini_file.h"
#include "crmkpi/definition/kpi_model.h"
#include "crmkpi/engine/metric_engine.h"
#include "crmkpi/evaluate/kpi_eval.h"
#include "crmkpi/values/amount.h"
#include "crmkpi/values/fx_rates.h"
#include "temp_dir.h"

using namespace crmkpi;

namespace {

// Deal k is on line k + 1. Won: 1 (100 USD), 2 (200.5 EUR), 3 (1,000 USD), 6 (7,000 JPY),
// 7 (40, no currency); lost: 4 (50 USD); open: 5 (300 EUR). Owners: Ana 1, 2; Ben 3, 4, 5;
// Cy 6, 7.
const char* kDeals =
    "id,owner,stage,amount,currency\n"
    "1,Ana,won,100,USD\n"
    "2,Ana,won,200.5,eur\n"
    "3,Ben,won,1000,USD\n"
    "4,Ben,lost,50,USD\n"
    "5,Ben,open,300,EUR\n"
    "6,Cy,won,7000,JPY\n"
    "7,Cy,won,40,\n";

MetricDef Money(const std::string& id, Aggregation a, const std::string& where) {
  MetricDef m;
  m.id = id;
  m.source = "deals";
  m.aggregation = a;
  m.columns = {"amount"};
  m.where = where;
  m.by = {{"owner"}};
  return m;
}

const MetricResult& Find(const MetricRun& run, const std::string& id) {
  for (const MetricResult& r : run.metrics) {
    if (r.id == id) return r;
  }
  FAIL("no metric " << id);
  throw 0;
}

const MetricGrouping& GroupingBy(const MetricResult& r, const std::string& key) {
  for (const MetricGrouping& g : r.groupings) {
    if (g.keys == std::vector<std::string>{key}) return g;
  }
  FAIL("no grouping by " << key);
  throw 0;
}

// "Ana → n/a MIXED_CURRENCIES [EUR USD]", "Ben → 1000 USD".
std::vector<std::string> Rows(const MetricGrouping& g) {
  std::vector<std::string> out;
  for (const auto& [values, c] : g.rows) {
    std::string s = values.at(0) + " → " + (c.value ? c.value->ToString() : "n/a " + c.reason);
    if (!c.currency.empty()) s += " " + c.currency;
    if (!c.currencies.empty()) {
      s += " [";
      for (std::size_t i = 0; i < c.currencies.size(); ++i) {
        s += (i ? " " : "") + (c.currencies[i].empty() ? "-" : c.currencies[i]);
      }
      s += "]";
    }
    out.push_back(s);
  }
  return out;
}

}  // namespace

TEST_CASE("without rates, money is split per currency, in one pass and in chunks", "[fx]") {
  TempDir dir;
  SourceDef s;
  s.id = "deals";
  s.file = dir.Write("deals.csv", kDeals);
  const MetricDef won_amount = Money("won_amount", Aggregation::kSum, "stage is won");
  const MetricDef open_amount = Money("open_amount", Aggregation::kSum, "stage is open");
  MetricDef won = Money("won", Aggregation::kCount, "stage is won");
  won.columns.clear();
  for (unsigned threads : {1u, 3u}) {
    INFO("threads " << threads);
    ParallelOptions parallel;
    parallel.threads = threads;
    parallel.min_chunk_bytes = 16;
    const MetricRun run =
        RunMetrics({s}, {}, {won_amount, open_amount, won}, {}, "", std::nullopt, parallel);
    const MetricResult& w = Find(run, "won_amount");
    // Currencies are group values (NFKC, no case folding): 'eur' and 'EUR' are two; the
    // empty currency is one too. Only currencies with a won amount count for won_amount.
    CHECK_FALSE(w.total.value);
    CHECK(w.total.reason == "MIXED_CURRENCIES");
    CHECK(w.total.n == 5);
    CHECK(w.total.currencies == std::vector<std::string>{"", "JPY", "USD", "eur"});
    CHECK(Rows(w.groupings.at(0)) ==
          std::vector<std::string>{"Ana → n/a MIXED_CURRENCIES [USD eur]", "Ben → 1000 USD",
                                   "Cy → n/a MIXED_CURRENCIES [- JPY]"});
    // One currency: a value with its code; Ana and Cy have no open amount, so no currency.
    const MetricResult& o = Find(run, "open_amount");
    CHECK(o.total.value->ToString() == "300");
    CHECK(o.total.currency == "EUR");
    // Per currency, every metric (counts too), because the total mixes currencies.
    CHECK(Rows(GroupingBy(w, "currency")) ==
          std::vector<std::string>{" → 40", "EUR → 0", "JPY → 7000 JPY", "USD → 1100 USD",
                                   "eur → 200.5 eur"});
    CHECK(Rows(GroupingBy(Find(run, "won"), "currency")) ==
          std::vector<std::string>{" → 1", "EUR → 0", "JPY → 1", "USD → 2", "eur → 1"});
    const DataWarning* mixed = nullptr;
    for (const DataWarning& x : run.warnings) {
      if (x.kind == "mixed_currencies") mixed = &x;
    }
    REQUIRE(mixed != nullptr);
    // Over every money metric: won_amount's four and open_amount's EUR.
    CHECK(mixed->message.find("5 currencies ((empty), EUR, JPY, USD, eur") != std::string::npos);
  }
}

TEST_CASE("with rates, money is converted per row; unknown and empty currencies excluded",
          "[fx]") {
  TempDir dir;
  SourceDef s;
  s.id = "deals";
  s.file = dir.Write("deals.csv", kDeals);
  s.fx = ParseFxFlag("JPY=1,USD=150,EUR=160.5");
  MetricDef won_amount = Money("won_amount", Aggregation::kSum, "stage is won");
  MetricDef avg = Money("avg", Aggregation::kAvg, "stage is won");
  MetricDef max = Money("max", Aggregation::kMax, "");
  MetricDef raw = Money("raw", Aggregation::kSum, "stage is won");
  raw.money = false;  // as written, whatever the currency
  for (unsigned threads : {1u, 3u}) {
    INFO("threads " << threads);
    ParallelOptions parallel;
    parallel.threads = threads;
    parallel.min_chunk_bytes = 16;
    const MetricRun run =
        RunMetrics({s}, {}, {won_amount, avg, max, raw}, {}, "", std::nullopt, parallel);
    // 100 × 150 + 200.5 × 160.5 ('eur' matches EUR) + 1,000 × 150 + 7,000 × 1 = 204,180.25;
    // deal 7 has no currency.
    const MetricResult& w = Find(run, "won_amount");
    CHECK(w.total.value->ToString() == "204180.25");
    CHECK(w.total.currency == "JPY");
    CHECK(w.total.n == 4);
    REQUIRE(w.total.excluded.size() == 1);
    CHECK(w.total.excluded[0] == std::pair<std::string, std::uint64_t>{"missing_currency", 1});
    CHECK(Rows(w.groupings.at(0)) ==
          std::vector<std::string>{"Ana → 47180.25 JPY", "Ben → 150000 JPY", "Cy → 7000 JPY"});
    CHECK(Find(run, "avg").total.value->ToDouble() == Approx(204180.25 / 4));
    CHECK(Find(run, "max").total.value->ToString() == "150000");  // 1,000 USD
    CHECK(Find(run, "raw").total.value->ToString() == "8340.5");
    CHECK(Find(run, "raw").total.currency.empty());
    // No table by currency: everything is in JPY.
    CHECK(w.groupings.size() == 1);
  }
  // A code without a rate: excluded and warned, naming the code to add.
  s.fx = ParseFxFlag("JPY=1,USD=150");
  const MetricRun run = RunMetrics({s}, {}, {won_amount}, {}, "");
  const MetricResult& w = Find(run, "won_amount");
  CHECK(w.total.value->ToString() == "172000");  // 15,000 + 150,000 + 7,000
  CHECK(w.total.excluded ==
        std::vector<std::pair<std::string, std::uint64_t>>{{"missing_currency", 1},
                                                            {"unknown_currency", 1}});
  bool warned = false;
  for (const DataWarning& x : run.warnings) {
    if (x.kind != "unknown_currency") continue;
    warned = true;
    CHECK(x.first.line == 3);
    CHECK(x.message.find("add EUR=RATE") != std::string::npos);
  }
  CHECK(warned);
}

TEST_CASE("rates: --fx and [fx], the base at rate 1, errors that say the fix", "[fx]") {
  const FxRates fx = ParseFxFlag(" jpy=1, USD = 150 ,US Dollar=151,EUR=1.6e2");
  CHECK(fx.base == "JPY");
  CHECK(fx.RateOf("usd") == 150.0);
  CHECK(fx.RateOf(" US DOLLAR ") == 151.0);
  CHECK(fx.RateOf("EUR") == 160.0);
  CHECK_FALSE(fx.RateOf("GBP"));
  CHECK(fx.Describe() == "USD = 150 JPY, US DOLLAR = 151 JPY, EUR = 160 JPY");
  CHECK(ParseFxFlag("base=usd,JPY=0.0067").RateOf("USD") == 1.0);
  auto error = [](const char* text) {
    try {
      ParseFxFlag(text);
    } catch (const Error& e) {
      return e.message();
    }
    return std::string("no error");
  };
  CHECK(error("USD=150,EUR=160") ==
        "--fx: no currency has rate 1; name the currency the rates convert into: give it rate "
        "1 (USD=1) or name it with base=USD");
  CHECK(error("USD=1,EUR=1") .find("several currencies have rate 1 (USD, EUR)") !=
        std::string::npos);
  CHECK(error("JPY=1,USD=-3").find("the rate of USD must be a positive number") !=
        std::string::npos);
  CHECK(error("JPY=1,USD").find("expected CODE=RATE") != std::string::npos);
  CHECK(error("JPY=1,jpy=1").find("JPY is given twice") != std::string::npos);
  CHECK(error("base=JPY,JPY=2").find("the base currency JPY has rate 2") != std::string::npos);

  const KpiModel m = KpiModel::Load(IniFile::Parse(
      "[fx]\nbase = JPY\nUSD = 150\nrates = US Dollar=151, EUR=160\n"
      "[source deals]\nfile = d.csv\n",
      "kpi.ini"));
  CHECK(m.fx.base == "JPY");
  CHECK(m.fx.origin == "[fx]");
  CHECK(m.sources.at(0).fx.RateOf("us dollar") == 151.0);
  // The message as a string: the exception's text dies with it.
  auto ini_error = [](const std::string& text) -> std::string {
    try {
      KpiModel::Load(IniFile::Parse(text, "kpi.ini"));
    } catch (const Error& e) {
      return e.what();
    }
    return "no error";
  };
  CHECK(ini_error("[fx]\nUSD = lots\n").find("kpi.ini:2:7: USD: expected a positive") !=
        std::string::npos);
  CHECK(ini_error("[fx]\nUSD = 150\n").find("kpi.ini:1:1: [fx]: no currency has rate 1") !=
        std::string::npos);
}

TEST_CASE("a KPI over amounts in two currencies is n/a, one currency labels it", "[fx]") {
  TempDir dir;
  // Ana: won USD 100, open EUR 300; Ben: won USD 50, open USD 20.
  const std::string csv = dir.Write("d.csv",
                                    "id,owner,stage,amount,currency\n"
                                    "1,Ana,won,100,USD\n2,Ana,open,300,EUR\n"
                                    "3,Ben,won,50,USD\n4,Ben,open,20,USD\n");
  KpiModel model = KpiModel::Load(IniFile::Parse(
      "[source deals]\nfile = " + csv +
          "\n[metric won_amount]\nsource = deals\ntype = sum\ncolumn = amount\n"
          "where = stage is won\nby = owner\n"
          "[metric open_amount]\nsource = deals\ntype = sum\ncolumn = amount\n"
          "where = stage is open\nby = owner\n"
          "[kpi coverage]\nformula = open_amount / won_amount\nunit = ratio\n"
          "[kpi revenue]\nformula = won_amount\nunit = currency\n",
      "kpi.ini"));
  const MetricRun run = RunMetrics(model.sources, {}, model.metrics, {}, "");
  const KpiEvaluation e = EvaluateKpis(model, run);
  const auto& total = e.report.total.kpis;
  REQUIRE(total.size() == 2);
  // Total: won is all USD (150), open mixes EUR and USD → coverage n/a.
  CHECK_FALSE(total[0].value);
  CHECK(total[0].reason == "MIXED_CURRENCIES");
  CHECK(total[0].currencies == std::vector<std::string>{"EUR", "USD"});
  CHECK(total[1].value->ToString() == "150");
  CHECK(total[1].currency == "USD");
  // By owner: Ana's cells are USD and EUR → n/a; Ben's both USD → 20 / 50.
  const auto& by_owner = e.report.groupings.at(0);
  REQUIRE(by_owner.keys == std::vector<std::string>{"owner"});
  CHECK_FALSE(by_owner.rows.at(0).kpis.at(0).value);
  CHECK(by_owner.rows.at(1).kpis.at(0).value->ToDouble() == Approx(0.4));
  CHECK(by_owner.rows.at(1).kpis.at(0).currency.empty());  // a ratio has no currency
}

TEST_CASE("without a currency column, the amounts' marks say the currency", "[fx]") {
  CHECK(AmountCurrencyMark("¥1,000") == "JPY");
  CHECK(AmountCurrencyMark("1,000,000円") == "JPY");
  CHECK(AmountCurrencyMark("(￥1,234)") == "JPY");
  CHECK(AmountCurrencyMark("$3,000.50") == "USD");
  CHECK(AmountCurrencyMark("USD 70") == "USD");
  CHECK(AmountCurrencyMark("€400") == "EUR");
  CHECK(AmountCurrencyMark("£50") == "GBP");
  CHECK(AmountCurrencyMark("1,500") == "");
  TempDir dir;
  SourceDef s;
  s.id = "deals";
  // Won: $100 (Ana), ¥2,000 (Ana), 300 (Ben, no mark); open: ¥500 (Ben).
  s.file = dir.Write("d.csv",
                     "id,owner,stage,amount\n1,Ana,won,$100\n2,Ana,won,\"¥2,000\"\n"
                     "3,Ben,won,300\n4,Ben,open,¥500\n");
  MetricDef won_amount = Money("won_amount", Aggregation::kSum, "stage is won");
  MetricDef open_amount = Money("open_amount", Aggregation::kSum, "stage is open");
  open_amount.columns = {"amount"};
  for (unsigned threads : {1u, 3u}) {
    INFO("threads " << threads);
    ParallelOptions parallel;
    parallel.threads = threads;
    parallel.min_chunk_bytes = 8;
    {
      // The column's marks name two currencies: every money cell over it is n/a.
      const MetricRun run =
          RunMetrics({s}, {}, {won_amount, open_amount}, {}, "", std::nullopt, parallel);
      const MetricResult& w = Find(run, "won_amount");
      CHECK(w.total.reason == "MIXED_CURRENCIES");
      CHECK(w.total.currencies == std::vector<std::string>{"JPY", "USD"});
      CHECK(w.total.n == 3);
      bool warned = false;
      for (const DataWarning& x : run.warnings) warned = warned || x.kind == "mixed_currencies";
      CHECK(warned);
    }
    // With rates, each marked amount by its mark, plain numbers as the base:
    // 100 × 150 + 2,000 + 300 = 17,300 JPY.
    s.fx = ParseFxFlag("JPY=1,USD=150");
    const MetricRun run = RunMetrics({s}, {}, {won_amount}, {}, "", std::nullopt, parallel);
    CHECK(Find(run, "won_amount").total.value->ToString() == "17300");
    CHECK(Find(run, "won_amount").total.currency == "JPY");
    CHECK(Rows(Find(run, "won_amount").groupings.at(0)) ==
          std::vector<std::string>{"Ana → 17000 JPY", "Ben → 300 JPY"});
    s.fx = {};
  }
  // One currency's marks (and plain numbers): the value, labelled with it.
  s.file = dir.Write("y.csv", "id,owner,stage,amount\n1,Ana,won,¥100\n2,Ana,won,200\n");
  const MetricRun run = RunMetrics({s}, {}, {won_amount}, {}, "");
  CHECK(Find(run, "won_amount").total.value->ToString() == "300");
  CHECK(Find(run, "won_amount").total.currency == "JPY");
}
