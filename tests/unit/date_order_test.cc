// Unit tests of the date-order sample (bind/date_order.h): the first rows' values decide day or
// month first, the note or warning says so, a sample stops at kSampleRows, a file is read again
// from its start after the sample, and a definition's auto sources are resolved
// (engine/date_orders.h).
#include "crmkpi/bind/date_order.h"

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "crmkpi/engine/date_orders.h"
#include "crmkpi/read/column_sample.h"
#include "crmkpi/read/input_stream.h"
#include "../temp_dir.h"

namespace crmkpi {
namespace {

DateOrderDecision Decide(const std::string& csv, const std::vector<int>& columns,
                         const std::string& fix = DateOrderFixFlag()) {
  CsvReader reader(MemoryInput(csv, SIZE_MAX, "d.csv"), CsvOptions{});
  reader.ReadHeader();
  return SampleDateOrder(&reader, columns, fix);
}

TEST_CASE("a part above 12 first makes dates day first, with a note", "[date_order]") {
  const DateOrderDecision d = Decide("a,b\n03/04/2024,x\n15/04/2024,y\n", {0});
  CHECK(d.day_first());
  CHECK_FALSE(d.warning);
  CHECK(d.Line() ==
        "d.csv: note: dates are read day first (D/M/Y): '15/04/2024' has no month 15 (1 such "
        "value in the first 2 rows)");
  const DataWarning w = d.AsDataWarning();
  CHECK(w.kind == "day_first");
  CHECK(w.first.file == "d.csv");
}

TEST_CASE("month first shown says nothing; no numeric dates say nothing", "[date_order]") {
  const DateOrderDecision mdy = Decide("a\n4/15/2024\n03/04/2024\n", {0});
  CHECK(mdy.order == DateOrder::kMdy);
  CHECK_FALSE(mdy.day_first());
  CHECK(mdy.Line().empty());
  const DateOrderDecision none = Decide("a\n2024-04-15\n", {0});
  CHECK(none.order == DateOrder::kNone);
  CHECK(none.message.empty());
}

TEST_CASE("ambiguous dates and both orders warn, naming the fix given", "[date_order]") {
  const DateOrderDecision amb =
      Decide("a,b\n01/03/2024,02/03/2024\n", {0, 1}, DateOrderFixIni("deals"));
  CHECK(amb.order == DateOrder::kAmbiguous);
  CHECK(amb.warning);
  CHECK(amb.Line() ==
        "d.csv: warning: dates such as '01/03/2024' could be month or day first (2 dates in the "
        "first 1 rows, none with a part above 12): read month first (US, M/D/Y); if they are "
        "day first, name the order with date_order = dmy (day first) or mdy (month first) in "
        "[source deals] (or --date-format)");
  CHECK(amb.AsDataWarning().kind == "date_order");
  const DateOrderDecision both = Decide("a\n15/04/2024\n04/13/2024\n", {0});
  CHECK(both.order == DateOrder::kConflict);
  CHECK(both.warning);
  CHECK(both.message.find("--date-format '%d/%m/%Y'") != std::string::npos);
}

TEST_CASE("only the sampled columns and the first 1,000 rows count", "[date_order]") {
  // Column 1 is day first, but only column 0 is sampled.
  CHECK(Decide("a,b\n4/15/2024,15/04/2024\n", {0}).order == DateOrder::kMdy);
  // A day-first date after the first kSampleRows rows is not seen.
  std::string csv = "a\n";
  for (std::size_t i = 0; i < kSampleRows; ++i) csv += "01/02/2024\n";
  csv += "15/04/2024\n";
  CHECK(Decide(csv, {0}).order == DateOrder::kAmbiguous);
  // A short record gives an empty value; a malformed one (an unclosed quote) ends the sample
  // before it, and no error escapes (the pass reports it).
  std::size_t rows = 0;
  CsvReader reader(MemoryInput("a,b\n1\n15/04/2024,\"x\n", SIZE_MAX, "d.csv"), CsvOptions{});
  reader.ReadHeader();
  const auto values = SampleColumns(&reader, {1, 0}, &rows);
  CHECK(rows == 1);
  CHECK(values[0] == std::vector<std::string>{""});
  CHECK(values[1] == std::vector<std::string>{"1"});
}

TEST_CASE("the date roles are the columns sampled by default", "[date_order]") {
  const std::vector<std::string> header = {"id", "Created Date", "stage", "Close Date"};
  const RoleBinding roles = BindRoles(header, {}, "d.csv");
  CHECK(DateRoleColumns(roles) == std::vector<int>{1, 3});
}

TEST_CASE("a file is read again from its start after the sample", "[date_order]") {
  TempDir dir;
  const std::string path = dir.Write("d.csv", "a,b\n15/04/2024,1\n02/05/2024,2\n");
  RecordInput(path);  // a regular file: opened again
  auto reader = std::make_unique<CsvReader>(OpenInput(path, Encoding::kAuto), CsvOptions{});
  reader->ReadHeader();
  Encoding used = Encoding::kAuto;
  const DateOrderDecision d = SampleDateOrderAndReopen(path, Encoding::kAuto, CsvOptions{}, {0},
                                                       DateOrderFixFlag(), &reader, &used);
  CHECK(d.day_first());
  CsvRow row;
  REQUIRE(reader->Next(&row));
  CHECK(row.fields[1] == "1");
  REQUIRE(reader->Next(&row));
  CHECK(row.fields[1] == "2");
  CHECK_FALSE(reader->Next(&row));
}

TEST_CASE("a definition's auto sources become dmy or mdy; set ones stay", "[date_order]") {
  TempDir dir;
  const std::string dmy = dir.Write("dmy.csv", "id,created,due\n1,01/02/2024,20/02/2024\n");
  const std::string amb = dir.Write("amb.csv", "id,created\n1,01/02/2024\n");
  std::vector<SourceDef> sources(4);
  sources[0].id = "a";  // day first only in `due`, a metric's duration end
  sources[0].file = dmy;
  sources[0].loc.file = "kpi.ini";
  sources[1].id = "b";  // ambiguous: a warning naming date_order
  sources[1].file = amb;
  sources[1].loc.file = "kpi.ini";
  sources[2].id = "c";  // mdy given: not sampled
  sources[2].file = dmy;
  sources[2].date_order = "mdy";
  sources[3].id = "d";  // no metric reads it: stays auto
  sources[3].file = dmy;
  MetricDef m;
  m.source = "a";
  m.duration_from = "created";
  m.duration_to = "due";
  MetricDef n;
  n.source = "b";
  MetricDef o;
  o.source = "c";
  const std::vector<DataWarning> notes = DecideDateOrders(
      &sources, MetricDateColumns({m, n, o}), {});
  CHECK(sources[0].date_order == "dmy");
  CHECK(sources[1].date_order == "mdy");
  CHECK(sources[2].date_order == "mdy");
  CHECK(sources[3].date_order == "auto");
  REQUIRE(notes.size() == 2);
  CHECK(notes[0].kind == "day_first");
  CHECK(notes[1].kind == "date_order");
  CHECK(notes[1].message.find("in [source b]") != std::string::npos);
  // Without `due` the file shows nothing day first.
  sources[0].date_order = "auto";
  MetricDef plain;
  plain.source = "a";
  DecideDateOrders(&sources, MetricDateColumns({plain}), {});
  CHECK(sources[0].date_order == "mdy");
}

}  // namespace
}  // namespace crmkpi
