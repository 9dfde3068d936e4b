// Group keys (issue 20, docs/kpis.md "Group keys"): values become group keys after NFKC and
// white-space collapsing (values/normalize's nfkc,collapse-spaces,trim), normalised once per
// distinct raw value (engine CanonicalKeys); the raw spellings merged under each key are listed
// with their rows; exact_groups keeps values as written; the parallel pass gives the serial
// result; count_distinct still counts values as written.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "crmkpi/engine/metric_engine.h"
#include "crmkpi/values/group_keys.h"
#include "crmkpi/values/normalize.h"
#include "temp_dir.h"

using namespace crmkpi;

namespace {

// The chain the engine applies to a group value.
std::string Key(std::string_view raw) {
  Normalizer n = Normalizer::Parse("nfkc,collapse-spaces,trim");
  return std::string(n.Apply(raw));
}

SourceDef Source(const std::string& path, bool exact = false) {
  SourceDef s;
  s.id = "deals";
  s.loc = {"kpi.ini", 1, 1};
  s.file = path;
  s.file_loc = {"kpi.ini", 2, 8};
  s.exact_groups = exact;
  return s;
}

MetricDef Count(const std::string& id, std::vector<std::vector<std::string>> by) {
  MetricDef m;
  m.id = id;
  m.loc = {"kpi.ini", 10, 1};
  m.source = "deals";
  m.aggregation = Aggregation::kCount;
  m.by = std::move(by);
  m.by_loc = {"kpi.ini", 12, 6};
  return m;
}

// "value1|value2 → n" per group row.
std::vector<std::string> Rows(const MetricGrouping& g) {
  std::vector<std::string> out;
  for (const auto& [values, cell] : g.rows) {
    std::string key;
    for (std::size_t i = 0; i < values.size(); ++i) key += (i == 0 ? "" : "|") + values[i];
    out.push_back(key + " → " + (cell.value ? cell.value->ToString() : "n/a"));
  }
  return out;
}

// "key: value ← raw (rows), …" per merged value.
std::vector<std::string> Merged(const MetricGrouping& g) {
  std::vector<std::string> out;
  for (const MergedSpelling& m : g.merged) {
    std::string line = m.key + ": " + m.value + " ←";
    for (const auto& [raw, rows] : m.spellings) line += " [" + raw + "] " + std::to_string(rows);
    out.push_back(line);
  }
  return out;
}

const char* kOwners =
    "id,owner,account\n"
    "1,佐藤 花子,ABC商事\n"
    "2,佐藤　花子,ＡＢＣ商事\n"
    "3,佐藤 花子,ABC商事\n"
    "4,\"佐藤\t 花子\",ABC商事\n"
    "5,鈴木,ＡＢＣ商事\n";

}  // namespace

TEST_CASE("the group-key chain: NFKC, white space collapsed and trimmed", "[group_keys]") {
  CHECK(Key("佐藤　花子") == "佐藤 花子");        // U+3000 → one space
  CHECK(Key("ＡＢＣ商事") == "ABC商事");          // full-width ASCII → ASCII
  CHECK(Key(" 佐藤 \t　花子 ") == "佐藤 花子");   // runs of space, tab, U+3000 → one space
  CHECK(Key("ｻﾄｳ") == "サトウ");                  // half-width katakana → full-width
  CHECK(Key("㈱アルファ") == "(株)アルファ");
  CHECK(Key("Sato") == "Sato");                    // case is kept: SATO and Sato stay apart
  CHECK(Key("") == "");
  CHECK(Key(Key("佐藤　 花子")) == Key("佐藤　 花子"));  // idempotent
}

TEST_CASE("group values merge after normalising; each raw spelling is listed with its rows",
          "[group_keys]") {
  TempDir dir;
  const std::string path = dir.Write("owners.csv", kOwners);
  const MetricRun run =
      RunMetrics({Source(path)}, {}, {Count("deals", {{"owner"}, {"account"}, {"owner", "account"}})}, {}, "");
  const MetricResult& r = run.metrics.at(0);
  REQUIRE(r.groupings.size() == 3);
  // Rows 1–4 are one owner (3 spellings); the key printed is the normalised form.
  CHECK(Rows(r.groupings[0]) == std::vector<std::string>{"佐藤 花子 → 4", "鈴木 → 1"});
  CHECK(Merged(r.groupings[0]) ==
        std::vector<std::string>{"owner: 佐藤 花子 ← [佐藤 花子] 2 [佐藤\t 花子] 1 [佐藤　花子] 1"});
  CHECK(Rows(r.groupings[1]) == std::vector<std::string>{"ABC商事 → 5"});
  CHECK(Merged(r.groupings[1]) ==
        std::vector<std::string>{"account: ABC商事 ← [ABC商事] 3 [ＡＢＣ商事] 2"});
  // A grouping of two columns: both merged, the note per column.
  CHECK(Rows(r.groupings[2]) ==
        std::vector<std::string>{"佐藤 花子|ABC商事 → 4", "鈴木|ABC商事 → 1"});
  CHECK(Merged(r.groupings[2]).size() == 2);
}

TEST_CASE("exact_groups keeps values as written and lists nothing", "[group_keys]") {
  TempDir dir;
  const std::string path = dir.Write("owners.csv", kOwners);
  const MetricRun run = RunMetrics({Source(path, true)}, {}, {Count("deals", {{"owner"}})}, {}, "");
  const MetricGrouping& g = run.metrics.at(0).groupings.at(0);
  CHECK(Rows(g) == std::vector<std::string>{"佐藤\t 花子 → 1", "佐藤 花子 → 2", "佐藤　花子 → 1",
                                            "鈴木 → 1"});
  CHECK(g.merged.empty());
}

TEST_CASE("a single spelling that differs from its key is listed; one that equals it is not",
          "[group_keys]") {
  TempDir dir;
  const std::string path = dir.Write("d.csv", "id,owner\n1,ＡＢＣ\n2,ＡＢＣ\n3,Ito\n");
  const MetricRun run = RunMetrics({Source(path)}, {}, {Count("deals", {{"owner"}})}, {}, "");
  const MetricGrouping& g = run.metrics.at(0).groupings.at(0);
  CHECK(Rows(g) == std::vector<std::string>{"ABC → 2", "Ito → 1"});
  CHECK(Merged(g) == std::vector<std::string>{"owner: ABC ← [ＡＢＣ] 2"});
}

TEST_CASE("count_distinct counts values as written (group keys only are normalised)",
          "[group_keys]") {
  TempDir dir;
  const std::string path = dir.Write("owners.csv", kOwners);
  MetricDef distinct = Count("owners", {{"account"}});
  distinct.aggregation = Aggregation::kCountDistinct;
  distinct.columns = {"owner"};
  const MetricRun run = RunMetrics({Source(path)}, {}, {distinct}, {}, "");
  CHECK(run.metrics.at(0).total.value->ToString() == "4");  // 3 spellings of 佐藤 + 鈴木
}

TEST_CASE("the parallel pass merges spellings and their rows as the serial pass counts them",
          "[group_keys]") {
  // 3,000 rows cycling through spellings, so each chunk meets them in another order and some
  // spellings first appear in a later chunk.
  TempDir dir;
  const char* owners[] = {"佐藤 花子", "佐藤　花子", "ＡＢＣ", "ABC", "\"佐藤\t花子\"", "Ito", "ｲﾄｳ", "イトウ"};
  std::string csv = "id,owner,stage\n";
  for (int i = 0; i < 3000; ++i) {
    csv += std::to_string(i) + "," + owners[(i * i + i / 7) % 8] + (i % 3 ? ",won\n" : ",lost\n");
  }
  const std::string path = dir.Write("many.csv", csv);
  MetricDef won = Count("won", {{"owner"}});
  won.where = "stage is won";
  won.where_loc = {"kpi.ini", 13, 9};
  std::vector<std::string> rows, merged;
  for (unsigned threads : {1u, 3u, 7u}) {
    ParallelOptions parallel;
    parallel.threads = threads;
    parallel.min_chunk_bytes = 1000;  // split the small file
    const MetricRun run =
        RunMetrics({Source(path)}, {}, {won}, {}, "", std::nullopt, parallel);
    const MetricGrouping& g = run.metrics.at(0).groupings.at(0);
    INFO("threads " << threads);
    if (threads == 1) {
      rows = Rows(g);
      merged = Merged(g);
      CHECK(rows.size() == 4);  // 佐藤 花子, ABC, Ito, イトウ
      CHECK(merged.size() == 3);
    } else {
      CHECK(Rows(g) == rows);
      CHECK(Merged(g) == merged);
    }
  }
}

TEST_CASE("GroupKeyMap: one normalisation per raw value, counts per spelling, merged parts",
          "[group_keys]") {
  GroupKeyMap a;
  CHECK(a.Key("佐藤 花子") == "佐藤 花子");
  CHECK(a.Key("佐藤　花子") == "佐藤 花子");
  CHECK(a.Key("佐藤 花子") == "佐藤 花子");
  CHECK(a.Key("Ito") == "Ito");
  GroupKeyMap b;
  CHECK(b.Key("佐藤　花子") == "佐藤 花子");
  CHECK(b.Key("ＡＢＣ") == "ABC");
  a.Merge(b);
  const auto merged = a.MergedSpellings();
  REQUIRE(merged.size() == 2);  // Ito: one spelling equal to its key, not listed
  CHECK(merged[0].key == "ABC");
  CHECK(merged[0].spellings == std::vector<std::pair<std::string, std::uint64_t>>{{"ＡＢＣ", 1}});
  CHECK(merged[1].key == "佐藤 花子");
  // Equal counts: by bytes ("佐藤 " < "佐藤　").
  CHECK(merged[1].spellings ==
        std::vector<std::pair<std::string, std::uint64_t>>{{"佐藤 花子", 2}, {"佐藤　花子", 2}});

  GroupKeyMap exact(true);
  CHECK(exact.Key("佐藤　花子") == "佐藤　花子");
  CHECK(exact.MergedSpellings().empty());
}
