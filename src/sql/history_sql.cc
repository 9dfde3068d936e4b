// A stage-history source compiled to SQL (history_sql.h). Durations are whole seconds between
// the instants of the rows, as crmkpi's; days are seconds / 86,400.
#include "history_sql.h"

#include <algorithm>

#include <fmt/format.h>

#include "crmkpi/analysis/stage_history.h"
#include "crmkpi/base/error.h"
#include "crmkpi/base/text.h"
#include "crmkpi/bind/column_roles.h"
#include "crmkpi/bind/stage_rules.h"
#include "crmkpi/read/header_names.h"

#include "km_sql.h"

namespace crmkpi::sql_detail {

namespace {

class HistoryCompiler {
 public:
  HistoryCompiler(SourceSql& s, const std::vector<const MetricDef*>& metrics, const LongColumns& columns,
                  const std::string& as_of_text, const std::string& model_tz)
      : s_(s), sql_(s.sql()), metrics_(metrics), columns_(columns), as_of_text_(as_of_text),
        model_tz_(model_tz), def_(s.def()), rules_(def_.stages) {
    // The analysis' CTEs: the chain's prefix and a second underscore, apart from the chain's own
    // (sh_history_rows is the chain's rows, sh_history__rows the analysis').
    p_ = s.Rows().substr(0, s.Rows().size() - 4) + "_";
    for (const std::string& name : def_.stages.order) order_.push_back(StageRules::Normalize(name));
  }

  std::vector<std::string> Compile(std::vector<std::string>* ctes) {
    Bind();
    Ctes(ctes);
    std::vector<std::string> selects;
    for (const MetricDef* m : metrics_) selects.push_back(Select(*m));
    return selects;
  }

 private:
  std::string Name(const std::string& what) const { return p_ + what; }
  std::string Dbl(const std::string& x) const { return sql_.Cast(x, sql_.DoubleType()); }
  std::string Days(const std::string& seconds) const { return fmt::format("{} / 86400", Dbl(seconds)); }

  void Bind() {
    const std::vector<std::string>& header = s_.schema().header();
    wide_ = !def_.entered.empty() || !DetectEntryColumns(header, def_.stages).empty();
    if (wide_) {
      BindWide();
    } else {
      BindLong();
    }
  }

  int Need(Role r, const char* what, const char* role) const {
    const int c = s_.schema().roles()[r];
    if (c < 0) {
      throw Error(ExitCode::kUsage,
                  fmt::format("source '{}': no {} column (role {}); map one with {} = COLUMN ({})", def_.id, what,
                              role, role, s_.schema().Describe()),
                  def_.loc);
    }
    return c;
  }

  // The long layout: one row per stage change (deal, stage, time).
  void BindLong() {
    const RoleBinding& roles = s_.schema().roles();
    const int id = Need(Role::kId, "deal id", "id");
    const int stage = Need(Role::kStage, "stage", "stage");
    const int time = roles.has(Role::kChanged) ? roles[Role::kChanged] : Need(Role::kCreated, "stage-change time", "changed");
    id_ = s_.Text(id);
    const std::string stage_text = s_.Text(stage);
    key_ = s_.StageNorm();
    class_ = s_.StageClass();
    order_col_ = s_.StageOrder();
    const ParsedDate t = s_.Date(time);
    time_ = t.instant;
    // Rows left out, in the order the reader checks them.
    state_ = s_.Metric(fmt::format(
        "CASE WHEN {} IS NULL THEN 1 WHEN {} IS NULL THEN 2 WHEN {} = 1 THEN 3 WHEN {} = 2 THEN 4 ELSE 0 END", id_,
        stage_text, t.status, t.status));
  }

  // The wide layout: one row per deal, an entry-date column per stage (entered.STAGE, else the
  // columns crmkpi detects), as the reader binds them: each stage once, in the order found.
  void BindWide() {
    const std::vector<std::string>& header = s_.schema().header();
    std::vector<std::pair<std::string, int>> found;
    for (const auto& [stage, column] : def_.entered) {
      const int c = FindColumn(header, column);
      if (c < 0) {
        throw Error(ExitCode::kUsage,
                    fmt::format("source '{}': entered.{} = {}: no such column ({})", def_.id, stage, column,
                                s_.schema().Describe()),
                    def_.loc);
      }
      found.emplace_back(std::string(TrimSpace(stage)), c);
    }
    if (found.empty()) found = DetectEntryColumns(header, def_.stages);
    int unknown = static_cast<int>(order_.size());
    for (const auto& entry : found) {
      const std::string& name = entry.first;
      const int c = entry.second;  // a plain variable: clang 14 cannot capture a binding
      Entry e;
      e.key = StageRules::Normalize(name);
      const auto at = std::find(order_.begin(), order_.end(), e.key);
      e.cls = rules_.Lookup(name).cls;
      if (at == order_.end() && e.cls == StageClass::kOpen) {
        throw Error(ExitCode::kUsage,
                    fmt::format("source '{}': entered.{}: '{}' is not in stages (nor a won or lost value)",
                                def_.id, name, name),
                    def_.loc);
      }
      const bool same_stage = std::any_of(entries_.begin(), entries_.end(), [&](const Entry& x) { return x.key == e.key; });
      const bool same_column = std::any_of(entries_.begin(), entries_.end(), [&](const Entry& x) { return x.column == c; });
      if (def_.entered.empty() && (same_stage || same_column)) continue;  // detected: each stage and column once
      if (same_stage) {
        // crmkpi keeps both as visits of one stage; one visit per stage and deal is compiled.
        NotCompiled(sql_, *metrics_.front(), fmt::format("two entry-date columns name the stage '{}'", name));
      }
      e.order = at == order_.end() ? -1 : static_cast<int>(at - order_.begin());
      e.index = at == order_.end() ? unknown++ : e.order;
      e.column = c;
      entries_.push_back(e);
    }
    // The deal's current stage: the stage column's, when the row has one.
    const int stage = s_.schema().roles()[Role::kStage];
    if (stage >= 0) {
      has_current_ = s_.Metric(fmt::format("CASE WHEN {} IS NULL THEN 0 ELSE 1 END", s_.Text(stage)));
      key_ = s_.StageNorm();
      class_ = s_.StageClass();
      order_col_ = s_.StageOrder();
    } else {
      has_current_ = "0";
      key_ = sql_.Cast("NULL", sql_.TextType());
      class_ = key_;
      order_col_ = sql_.Cast("NULL", sql_.BigintType());
    }
    for (Entry& e : entries_) {
      const ParsedDate d = s_.Date(e.column);
      // A column that serves several stages (Maven's close_date) counts for the current one only.
      const bool shared = std::count_if(entries_.begin(), entries_.end(),
                                        [&](const Entry& x) { return x.column == e.column; }) > 1;
      const std::string read = shared ? fmt::format("{} = 1 AND {} = {}", has_current_, key_, sql_.Str(e.key)) : "1 = 1";
      e.time = s_.Metric(fmt::format("CASE WHEN {} AND {} = 0 THEN {} END", read, d.status, d.instant));
      e.invalid = s_.Metric(fmt::format("CASE WHEN {} AND {} = 2 THEN 1 ELSE 0 END", read, d.status));
    }
  }

  // The rows (deal, sk, sc, so, si, t) of the layout, its visits (deal, sk, sc, so, t_in, t_out,
  // from_last, xu: 1 for a visit left at an unknown time) and the rows left out.
  void LayoutCtes(std::vector<std::string>* ctes) {
    if (!wide_) {
      ctes->push_back(fmt::format(
          "{} AS (\n  SELECT {} AS deal, {} AS sk, {} AS sc, {} AS so, 0 AS si, {} AS t FROM {} WHERE {} = 0\n)",
          Name("rows"), id_, key_, class_, order_col_, time_, s_.Rows(), state_));
      std::string counts;
      static constexpr const char* kLeftOut[] = {"missing_id", "missing_stage", "missing_time", "invalid_time"};
      for (int i = 0; i < 4; ++i) {
        counts += fmt::format("{}SUM(CASE WHEN {} = {} THEN 1 ELSE 0 END) AS {}", i == 0 ? "" : ", ", state_,
                              i + 1, kLeftOut[i]);
      }
      ctes->push_back(fmt::format("{} AS (\n  SELECT {} FROM {}\n)", Name("left_out"), counts, s_.Rows()));
      // Visits: runs of one stage in time order, each exited when the next begins.
      ctes->push_back(fmt::format(
          "{} AS (\n  SELECT deal, sk, sc, so, t AS t_in, LEAD(t) OVER (PARTITION BY deal ORDER BY t) AS t_out,\n"
          "    ROW_NUMBER() OVER (PARTITION BY deal ORDER BY t DESC) AS from_last, 0 AS xu\n"
          "  FROM (SELECT r.*, LAG(sk) OVER (PARTITION BY deal ORDER BY t, sk) AS prev FROM {} r) x\n"
          "  WHERE prev IS NULL OR prev <> sk\n)",
          Name("visits"), Name("rows")));
      // Stage changes of a deal at the same time: ordered by the file in crmkpi, by nothing here.
      s_.AddGuard(fmt::format(
          "SELECT {} AS crmkpi_message FROM (SELECT deal, MIN(sk) AS a, MAX(sk) AS b FROM {} GROUP BY deal, t "
          "HAVING MIN(sk) <> MAX(sk)) x LIMIT 1",
          sql_.Concat({sql_.Str(fmt::format("source '{}': deal ", def_.id)), "x.deal",
                       sql_.Str(" changes to two stages at the same time ('"), "x.a", sql_.Str("', '"), "x.b",
                       sql_.Str("'), which crmkpi orders by their place in the file and a table does not keep: "
                                "give the stage changes' times to the second, or run crmkpi on the export")}),
          Name("rows")));
      // Per deal: the ordered stages it entered, its current stage (its last visit's) and
      // whether that is lost.
      ctes->push_back(fmt::format(
          "{} AS (\n  SELECT deal, {}MAX(CASE WHEN from_last = 1 THEN so END) AS cur,\n"
          "    MAX(CASE WHEN from_last = 1 AND sc = 'lost' THEN 1 ELSE 0 END) AS cur_lost\n"
          "  FROM {} GROUP BY deal\n)",
          Name("deals"), Flags("so"), Name("visits")));
      return;
    }
    // One deal per row, numbered (a row's number is only its identity).
    std::string cols, order, bad;
    for (std::size_t i = 0; i < entries_.size(); ++i) {
      cols += fmt::format(", {} AS t{}", entries_[i].time, i);
      order += fmt::format("{}{}", i == 0 ? "" : ", ", entries_[i].time);
      bad += fmt::format("{}{}", i == 0 ? "" : " + ", entries_[i].invalid);
    }
    ctes->push_back(fmt::format(
        "{} AS (\n  SELECT ROW_NUMBER() OVER (ORDER BY {}, {}) AS deal, {} AS has_cur, {} AS ck, {} AS cc, {} AS cs,\n"
        "    {} AS bad{}\n  FROM {}\n)",
        Name("wide"), order, key_, has_current_, key_, class_, order_col_, bad, cols, s_.Rows()));
    std::string rows;
    for (std::size_t i = 0; i < entries_.size(); ++i) {
      const Entry& e = entries_[i];
      rows += fmt::format("{}SELECT deal, {} AS sk, {} AS sc, {} AS so, {} AS si, t{} AS t FROM {} WHERE t{} IS NOT NULL",
                          i == 0 ? "" : "\n  UNION ALL ", sql_.Str(e.key),
                          sql_.Str(e.cls == StageClass::kWon ? "won" : e.cls == StageClass::kLost ? "lost" : "open"),
                          e.order < 0 ? sql_.Cast("NULL", sql_.BigintType()) : std::to_string(e.order), e.index, i,
                          Name("wide"), i);
    }
    ctes->push_back(fmt::format("{} AS (\n  {}\n)", Name("rows"), rows));
    ctes->push_back(fmt::format(
        "{} AS (\n  SELECT 0 AS missing_id, 0 AS missing_stage, 0 AS missing_time, SUM(bad) AS invalid_time FROM {}\n)",
        Name("left_out"), Name("wide")));
    // Each entry one visit, exited at the next entry (ties in the order of the stages); the last
    // one, when the deal is now in another stage without an entry date, left at an unknown time.
    ctes->push_back(fmt::format(
        "{} AS (\n  SELECT deal, sk, sc, so, t_in, t_out, from_last,\n"
        "    CASE WHEN from_last = 1 AND has_cur = 1 AND ck <> sk THEN 1 ELSE 0 END AS xu\n"
        "  FROM (SELECT r.deal, r.sk, r.sc, r.so, r.t AS t_in,\n"
        "          LEAD(r.t) OVER (PARTITION BY r.deal ORDER BY r.t, r.si) AS t_out,\n"
        "          ROW_NUMBER() OVER (PARTITION BY r.deal ORDER BY r.t DESC, r.si DESC) AS from_last, w.has_cur, w.ck\n"
        "        FROM {} r JOIN {} w ON w.deal = r.deal) x\n)",
        Name("visits"), Name("rows"), Name("wide")));
    // Per deal (every row): the ordered stages it entered, the stage it is in now counting as
    // entered, dated or not; its current stage (the stage column's, else its last visit's).
    std::string flags;
    for (std::size_t k = 0; k < order_.size(); ++k) {
      flags += fmt::format("MAX(CASE WHEN v.so = {0} OR w.cs = {0} THEN 1 ELSE 0 END) AS e{0}, ", k);
    }
    ctes->push_back(fmt::format(
        "{} AS (\n  SELECT w.deal, {}CASE WHEN w.has_cur = 1 THEN w.cs ELSE MAX(CASE WHEN v.from_last = 1 THEN v.so END) END AS cur,\n"
        "    CASE WHEN w.has_cur = 1 THEN CASE WHEN w.cc = 'lost' THEN 1 ELSE 0 END\n"
        "      ELSE MAX(CASE WHEN v.from_last = 1 AND v.sc = 'lost' THEN 1 ELSE 0 END) END AS cur_lost\n"
        "  FROM {} w LEFT JOIN {} v ON v.deal = w.deal\n  GROUP BY w.deal, w.has_cur, w.cs, w.cc\n)",
        Name("deals"), flags, Name("wide"), Name("visits")));
  }

  std::string Flags(const char* so) const {
    std::string flags;
    for (std::size_t k = 0; k < order_.size(); ++k) {
      flags += fmt::format("MAX(CASE WHEN {} = {} THEN 1 ELSE 0 END) AS e{}, ", so, k, k);
    }
    return flags;
  }

  void Ctes(std::vector<std::string>* ctes) {
    LayoutCtes(ctes);
    // The as-of: given, else the history's latest time.
    std::string asof;
    if (!as_of_text_.empty()) {
      Seconds t = 0;
      if (DateParser({}, model_tz_).Parse(as_of_text_, &t) != ParseStatus::kOk) {
        throw Error::Usage(fmt::format("--as-of: cannot read '{}' as a date", as_of_text_));
      }
      asof = fmt::format("SELECT {} AS asof", sql_.Cast(std::to_string(t), sql_.BigintType()));
    } else {
      asof = fmt::format("SELECT MAX(t) AS asof FROM {}", Name("rows"));
    }
    ctes->push_back(fmt::format("{} AS (\n  {}\n)", Name("asof"), asof));
    // Each deal's observation per stage: its kept visits' days summed (cumulative) or its last
    // kept visit's (latest); open when that visit is; visits whose duration to their exit (or
    // the as-of) is negative left out.
    const bool latest = def_.dwell_mode == "latest";
    ctes->push_back(fmt::format(
        "{} AS (\n  SELECT deal, sk, MIN(sc) AS sc, COUNT(*) AS visits, SUM(neg) AS neg_n, MAX(kept) AS measured,\n"
        "    {} AS secs,\n"
        "    MAX(CASE WHEN kept = 1 AND rk = 1 AND t_out IS NULL THEN 1 ELSE 0 END) AS is_open\n"
        "  FROM (SELECT v.*, CASE WHEN xu = 0 AND neg = 0 THEN 1 ELSE 0 END AS kept,\n"
        "          ROW_NUMBER() OVER (PARTITION BY deal, sk ORDER BY xu + neg, t_in DESC) AS rk\n"
        "        FROM (SELECT v0.*, CASE WHEN v0.xu = 0 AND COALESCE(v0.t_out, a.asof) - v0.t_in < 0 THEN 1 ELSE 0 END AS neg,\n"
        "                COALESCE(v0.t_out, a.asof) - v0.t_in AS dur\n"
        "              FROM {} v0 CROSS JOIN {} a) v) w\n"
        "  GROUP BY deal, sk\n)",
        Name("obs"), latest ? "MAX(CASE WHEN kept = 1 AND rk = 1 THEN dur END)" : "SUM(CASE WHEN kept = 1 THEN dur ELSE 0 END)",
        Name("visits"), Name("asof")));
    const std::string exited = "o.measured = 1 AND o.is_open = 0";
    ctes->push_back(fmt::format(
        "{name} AS (\n  SELECT o.sk, MIN(o.sc) AS sc, COUNT(*) AS entered, SUM(o.visits) AS visits, SUM(o.neg_n) AS neg_n,\n"
        "    SUM(CASE WHEN {exited} THEN 1 ELSE 0 END) AS exited_n,\n"
        "    SUM(CASE WHEN o.measured = 1 AND o.is_open = 1 THEN 1 ELSE 0 END) AS open_n,\n"
        "    SUM(CASE WHEN {exited} THEN o.secs ELSE 0 END) AS exited_sum\n"
        "  FROM {obs} o GROUP BY o.sk\n)",
        fmt::arg("name", Name("stages")), fmt::arg("exited", exited), fmt::arg("obs", Name("obs"))));
    // Type-7 quantiles of the exited observations, from their ranks.
    auto quantile = [&](double p) {
      const std::string h = fmt::format("({} * (cnt - 1))", p);
      const std::string lo = fmt::format("MAX(CASE WHEN rnk = FLOOR({}) THEN {} END)", h, Dbl("secs"));
      const std::string hi = fmt::format("MAX(CASE WHEN rnk = FLOOR({}) + 1 THEN {} END)", h, Dbl("secs"));
      return fmt::format("({0} + MAX({1} - FLOOR({1})) * (COALESCE({2}, {0}) - {0}))", lo, h, hi);
    };
    ctes->push_back(fmt::format(
        "{} AS (\n  SELECT sk, {} AS q50, {} AS q90\n"
        "  FROM (SELECT o.sk, o.secs, ROW_NUMBER() OVER (PARTITION BY o.sk ORDER BY o.secs) - 1 AS rnk,\n"
        "          COUNT(*) OVER (PARTITION BY o.sk) AS cnt\n"
        "        FROM {} o WHERE {} AND o.sc = 'open') x\n  GROUP BY sk\n)",
        Name("quantiles"), quantile(0.5), quantile(0.9), Name("obs"), exited));
    // The Kaplan–Meier median of each stage's observations, open ones censored (km_sql.h).
    ctes->push_back(KmMedianCte(sql_, Name("km"), {"sk"},
                                fmt::format("SELECT sk, secs AS t, SUM(1 - is_open) AS d, COUNT(*) AS c FROM {} "
                                            "WHERE measured = 1 AND sc = 'open' GROUP BY sk, secs",
                                            Name("obs"))));
  }

  // Whether a deal reached ordered stage |k| (conversion any or strict).
  std::string Reached(std::size_t k) const {
    if (def_.conversion == "strict") {
      std::string all;
      for (std::size_t i = 0; i <= k; ++i) all += fmt::format("{}e{} = 1", i == 0 ? "" : " AND ", i);
      return "(" + all + ")";
    }
    return fmt::format("(e{0} = 1 OR (cur IS NOT NULL AND cur_lost = 0 AND {0} < cur))", k);
  }

  std::string Select(const MetricDef& m) {
    const std::string null_text = sql_.Cast("NULL", sql_.TextType());
    auto text = [&](const std::string& x) { return sql_.ToText(fmt::format("COALESCE({}, 0)", x)); };
    std::string value = null_text, numerator = null_text, denominator = null_text, n = "'0'", reason = null_text;
    std::vector<std::string> excluded;
    std::string from = Name("asof") + " a";
    const std::string& figure = m.figure;
    if (figure == "history_deals") {
      from += fmt::format(" CROSS JOIN (SELECT COUNT(*) AS c FROM {}) x", Name("deals"));
      value = sql_.ToText("x.c");
    } else if (figure == "history_visits") {
      from += fmt::format(" CROSS JOIN (SELECT COUNT(*) AS c FROM {}) x CROSS JOIN {} lo", Name("visits"), Name("left_out"));
      value = sql_.ToText("x.c");
      for (const char* e : {"missing_id", "missing_stage", "missing_time", "invalid_time"}) {
        excluded.push_back(ExcludedPart(sql_, e, fmt::format("COALESCE(lo.{}, 0)", e)));
      }
    } else if (figure == "stuck_deals") {
      // Open observations longer than their stage's p90 of exited ones.
      from += fmt::format(
          " CROSS JOIN (SELECT COUNT(*) AS c FROM {} o JOIN {} q ON q.sk = o.sk\n"
          "    WHERE o.measured = 1 AND o.is_open = 1 AND o.sc = 'open' AND {} > q.q90 / 86400) x",
          Name("obs"), Name("quantiles"), Days("o.secs"));
      value = sql_.ToText("x.c");
    } else if (figure == "stage_conversion") {
      const std::string want = StageRules::Normalize(m.stage);
      const auto at = std::find(order_.begin(), order_.end(), want);
      if (at == order_.end() || at + 1 == order_.end()) {
        std::string list;
        for (std::size_t k = 0; k + 1 < def_.stages.order.size(); ++k) list += (list.empty() ? "" : ", ") + def_.stages.order[k];
        throw Error(ExitCode::kUsage,
                    fmt::format("metric '{}': no stage_conversion for stage '{}' in source '{}' (stages: {})", m.id,
                                m.stage, def_.id, list.empty() ? "none" : list),
                    m.stage_loc.line > 0 ? m.stage_loc : m.loc);
      }
      const auto k = static_cast<std::size_t>(at - order_.begin());
      from += fmt::format(
          " CROSS JOIN (SELECT SUM(CASE WHEN {0} THEN 1 ELSE 0 END) AS den, SUM(CASE WHEN {0} AND {1} THEN 1 ELSE 0 END) AS num,\n"
          "    SUM(e{2}) AS ever_from, SUM(e{3}) AS ever_to FROM {4}) x",
          Reached(k), Reached(k + 1), k, k + 1, Name("deals"));
      // Nobody entered the first stage (or the second, with deals counted as reaching it): the
      // count is back-fill only and says nothing of the data.
      const std::string not_entered = "COALESCE(x.den, 0) > 0 AND NOT (x.ever_from > 0 AND (x.ever_to > 0 OR x.num = 0))";
      numerator = fmt::format("CASE WHEN {} THEN NULL ELSE {} END", not_entered, text("x.num"));
      denominator = fmt::format("CASE WHEN {} THEN NULL ELSE {} END", not_entered, text("x.den"));
      n = fmt::format("CASE WHEN {} THEN '0' ELSE {} END", not_entered, text("x.den"));
      value = fmt::format("CASE WHEN {} OR COALESCE(x.den, 0) = 0 THEN NULL ELSE {} END", not_entered,
                          sql_.DoubleText(fmt::format("{} / {}", Dbl("x.num"), Dbl("x.den"))));
      reason = fmt::format("CASE WHEN {} THEN 'STAGE_NOT_ENTERED' WHEN COALESCE(x.den, 0) = 0 THEN 'ZERO_DENOMINATOR' END",
                           not_entered);
    } else {
      const std::string want = StageRules::Normalize(m.stage);
      const std::string k = sql_.Str(want);
      from += fmt::format(" LEFT JOIN {} st ON st.sk = {} LEFT JOIN {} q ON q.sk = {} LEFT JOIN {} km ON km.sk = {}",
                          Name("stages"), k, Name("quantiles"), k, Name("km"), k);
      const bool entry = std::any_of(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.key == want; });
      if (std::find(order_.begin(), order_.end(), want) == order_.end() && !entry) {
        // A stage outside the order (and the entry columns) is one only when the data has it.
        const std::string known =
            wide_ ? fmt::format("SELECT sk FROM {} UNION ALL SELECT ck AS sk FROM {} WHERE has_cur = 1", Name("visits"),
                                Name("wide"))
                  : fmt::format("SELECT sk FROM {}", Name("visits"));
        s_.AddGuard(fmt::format(
            "SELECT {} AS crmkpi_message FROM (SELECT COUNT(*) AS c FROM ({}) s WHERE sk = {}) x WHERE x.c = 0",
            sql_.Str(fmt::format("metric '{}': no {} for stage '{}' in source '{}' (the stages of `stages =` and "
                                 "those the data has)",
                                 m.id, figure, m.stage, def_.id)),
            known, k));
      }
      const bool terminal = rules_.Lookup(m.stage).cls != StageClass::kOpen;
      const std::string neg = ExcludedPart(sql_, "negative_dwell", "COALESCE(st.neg_n, 0)");
      const std::string exited_n = "COALESCE(st.exited_n, 0)";
      if (figure == "dwell_entered") {
        value = text("st.entered");
      } else if (figure == "dwell_visits") {
        value = text("st.visits");
      } else if (figure == "dwell_reentries") {
        value = text("st.visits - st.entered");
      } else if (terminal) {
        reason = "'TERMINAL'";  // won and lost close a deal: nobody dwells in them
      } else if (figure == "dwell_exited") {
        value = text("st.exited_n");
        excluded.push_back(neg);
      } else if (figure == "dwell_open") {
        value = text("st.open_n");
      } else if (figure == "dwell_days_median" || figure == "dwell_days_p90") {
        n = text("st.exited_n");
        value = fmt::format("CASE WHEN {} > 0 THEN {} END", exited_n,
                            sql_.DoubleText(fmt::format("{} / 86400", figure == "dwell_days_median" ? "q.q50" : "q.q90")));
        reason = fmt::format("CASE WHEN {} = 0 THEN 'EMPTY' END", exited_n);
        excluded.push_back(neg);
      } else if (figure == "dwell_days_mean") {
        n = text("st.exited_n");
        numerator = sql_.DoubleText(Days("COALESCE(st.exited_sum, 0)"));
        denominator = text("st.exited_n");
        value = fmt::format("CASE WHEN {} > 0 THEN {} END", exited_n,
                            sql_.DoubleText(fmt::format("{} / {} / 86400", Dbl("st.exited_sum"), Dbl("st.exited_n"))));
        reason = fmt::format("CASE WHEN {} = 0 THEN 'EMPTY' END", exited_n);
        excluded.push_back(neg);
      } else if (figure == "dwell_days_km_median") {
        const std::string all = "COALESCE(st.exited_n + st.open_n, 0)";
        n = text("st.exited_n + st.open_n");
        value = fmt::format("CASE WHEN km.median_secs IS NOT NULL THEN {} END", sql_.DoubleText(Days("km.median_secs")));
        reason = fmt::format("CASE WHEN {} = 0 THEN 'EMPTY' WHEN km.median_secs IS NULL THEN 'ALL_CENSORED' END", all);
        excluded.push_back(neg);
      } else {
        NotCompiled(sql_, m, fmt::format("'{}' is not a figure of a stage-history source", figure));
      }
    }
    std::vector<std::string> values = {sql_.Str(m.id), "''"};
    for (std::size_t i = 0; i < columns_.keys.size() + 2; ++i) values.push_back(null_text);
    const std::string ex = excluded.empty() ? null_text
                                            : fmt::format("NULLIF({}, '')", sql_.JoinSkippingNull(";", excluded));
    for (const std::string& x : {value, numerator, denominator, n, null_text, reason, null_text, ex}) values.push_back(x);
    return LongRow(sql_, columns_, values) + "\n  FROM " + from;
  }

  SourceSql& s_;
  const Sql& sql_;
  const std::vector<const MetricDef*>& metrics_;
  const LongColumns& columns_;
  std::string as_of_text_, model_tz_;
  const SourceDef& def_;
  StageRules rules_;
  std::string p_;
  std::vector<std::string> order_;  // the ordered stages' normal forms
  std::string id_, key_, class_, order_col_, time_, state_;
  // The wide layout: its entry-date columns, and whether a row has a current stage.
  struct Entry {
    std::string key;             // the stage's normal form
    StageClass cls = StageClass::kOpen;
    int order = -1;              // in `stages`, or -1
    int index = 0;               // the reader's stage index: ties are ordered by it
    int column = -1;
    std::string time, invalid;   // per row: the entry's instant when read, 1 when not a date
  };
  bool wide_ = false;
  std::vector<Entry> entries_;
  std::string has_current_;
};

}  // namespace

std::vector<std::string> HistorySelects(SourceSql& history, const std::vector<const MetricDef*>& metrics,
                                        const LongColumns& columns, const std::string& as_of_text,
                                        const std::string& model_tz, std::vector<std::string>* ctes) {
  HistoryCompiler c(history, metrics, columns, as_of_text, model_tz);
  return c.Compile(ctes);
}

}  // namespace crmkpi::sql_detail
