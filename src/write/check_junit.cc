// `crmkpi check` for CI servers: the junit format of check_writer.h (XML escaping, suite and
// class names, the text of a testcase).
#include "check_junit.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "check_text.h"

namespace crmkpi::check_writing {
namespace {

// ---- junit -------------------------------------------------------------------------------

// 'line 3 (row 2) email = "Foo" → "foo": duplicate of line 2' (made visible).
std::string SampleLine(const CheckSample& s) {
  if (s.row == 0) return Visible(fmt::format("line {} (header) {}: {}", s.line, s.column, s.rule));
  std::string out = fmt::format("line {} (row {}) {} = \"{}\"", s.line, s.row, s.column, s.value);
  if (!s.normalized.empty()) out += fmt::format(" → \"{}\"", s.normalized);
  if (!s.rule.empty()) out += ": " + s.rule;
  return Visible(out);
}

// '"ABC株式会社" (line 3) ~ "株式会社ABC" (line 9): similarity 0.92, shared token "abc"'.
std::string NearLine(const NearPair& p) {
  std::string out = fmt::format("\"{}\" (line {}) ~ \"{}\" (line {}): similarity {}", p.original_a,
                                p.line_a, p.original_b, p.line_b, Decimal(p.similarity, 2));
  if (!p.shared_token.empty()) out += fmt::format(", shared token \"{}\"", p.shared_token);
  return Visible(out);
}

// XML character data / attribute value: visible (so only characters XML 1.0 allows), with
// & < > " ' escaped, and CR (and in attributes tab and LF) as character references so a
// parser's end-of-line and attribute normalisation keep them.
std::string Xml(std::string_view text, bool attribute) {
  const std::string s = Visible(text, /*keep_lines=*/true);
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\r':
        out += "&#13;";
        break;
      case '\n':
        out += attribute ? "&#10;" : "\n";
        break;
      case '\t':
        out += attribute ? "&#9;" : "\t";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}
std::string XmlAttr(std::string_view s) { return Xml(s, true); }
std::string XmlText(std::string_view s) { return Xml(s, false); }

// A source's name in JUnit suite and class names: the INI source id, or for a file named on the
// command line its base name, so "./a.csv", "a.csv" and "/abs/a.csv" give the same names (CI
// servers track a test's history by them). The path as given is the suite's "file" property.
std::string StableName(const std::string& id) {
  const std::size_t slash = id.find_last_of('/');
  if (slash == std::string::npos || slash + 1 == id.size()) return id;
  return id.substr(slash + 1);
}

// <properties> of a testcase that warned (or failed only because of --fail-on-warn).
std::string StatusProperties(const char* status, bool fail_on_warn) {
  std::string out = "      <properties>\n";
  out += fmt::format("        <property name=\"status\" value=\"{}\"/>\n", status);
  if (fail_on_warn) {
    out += "        <property name=\"failed_by\" value=\"--fail-on-warn\"/>\n";
  }
  return out + "      </properties>\n";
}

// The text of a testcase: status line, details, samples, near-duplicate candidates.
std::string CaseBody(const CheckResult& r) {
  if (!Ran(r)) return fmt::format("ERROR {}: {}\n", CheckTypeName(r.def.type), r.error);
  std::string out =
      fmt::format("{} {} {}: {} ({})\n", StatusLabel(r.status), CheckTypeName(r.def.type), r.metric,
                  MetricText(r), ThresholdText(r.def));
  out += Visible(Details(r)) + "\n";
  if (!r.samples.empty()) {
    out += "samples:\n";
    for (const CheckSample& s : r.samples) out += "  " + SampleLine(s) + "\n";
  }
  if (!r.near.empty()) {
    out += "near-duplicate candidates (candidates, not counted):\n";
    for (const NearPair& p : r.near) out += "  " + NearLine(p) + "\n";
  }
  return out;
}

}  // namespace

std::string WriteJunit(const CheckRun& run) {
  const Tally t = CountStatuses(run);
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format(
      "<testsuites name=\"crmkpi check\" tests=\"{}\" failures=\"{}\" errors=\"{}\" "
      "skipped=\"0\" time=\"0\">\n",
      run.checks.size(), t.fail, t.error);
  for (const SourceGroup& g : GroupBySource(run)) {
    if (g.checks.empty()) continue;
    std::uint64_t failures = 0, errors = 0;
    for (const CheckResult* r : g.checks) {
      failures += r->status == CheckStatus::kFail;
      errors += r->status == CheckStatus::kError;
    }
    out += fmt::format(
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"0\" "
        "time=\"0\">\n",
        XmlAttr(StableName(g.id)), g.checks.size(), failures, errors);
    std::vector<std::pair<std::string, std::string>> props;
    if (g.summary) {
      props = {{"file", g.summary->file},
               {"rows", std::to_string(g.summary->rows)},
               {"structural_errors", std::to_string(g.summary->structural_errors)},
               {"encoding", g.summary->encoding}};
    }
    // The as-of matters only to timeliness checks (and comes from the clock without --as-of).
    bool timeliness = false;
    for (const CheckResult* r : g.checks) timeliness |= r->def.type == CheckType::kTimeliness;
    if (timeliness && !run.as_of.empty()) props.push_back({"as_of", run.as_of});
    if (!props.empty()) {
      out += "    <properties>\n";
      for (const auto& [name, value] : props) {
        out += fmt::format("      <property name=\"{}\" value=\"{}\"/>\n", name, XmlAttr(value));
      }
      out += "    </properties>\n";
    }
    // Jenkins splits a classname at its last '.' into package and class: keep the file
    // name's dots out of it ("contacts.csv" → "crmkpi.check.contacts_csv").
    std::string source = StableName(g.id);
    std::replace(source.begin(), source.end(), '.', '_');
    const std::string classname = "crmkpi.check." + source;
    for (const CheckResult* r : g.checks) {
      std::string name = r->def.name;
      if (!r->def.columns.empty()) name += " (" + Join(r->def.columns, ", ") + ")";
      out += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"0\">\n",
                         XmlAttr(classname), XmlAttr(name));
      switch (r->status) {
        case CheckStatus::kFail:
          if (r->failed_on_warn) out += StatusProperties("warn", true);
          out += fmt::format(
              "      <failure message=\"{}\" type=\"{}\">{}</failure>\n",
              XmlAttr(fmt::format("{}{}: {} ({})",
                                  r->failed_on_warn ? "warning failed by --fail-on-warn: " : "",
                                  r->metric, MetricText(*r), ThresholdText(r->def))),
              CheckTypeName(r->def.type), XmlText(CaseBody(*r)));
          break;
        case CheckStatus::kError:
          out += fmt::format("      <error message=\"{}\" type=\"{}\">{}</error>\n",
                             XmlAttr(r->error), CheckTypeName(r->def.type), XmlText(CaseBody(*r)));
          break;
        case CheckStatus::kPass:
          out += fmt::format("      <system-out>{}</system-out>\n", XmlText(CaseBody(*r)));
          break;
        case CheckStatus::kWarn:
          // A passing testcase (a warning does not fail the job), marked as a warning where CI
          // servers show it: a status property and a "WARN: ..." line in <system-err>.
          out += StatusProperties("warn", false);
          out += fmt::format("      <system-out>{}</system-out>\n", XmlText(CaseBody(*r)));
          out += fmt::format(
              "      <system-err>{}</system-err>\n",
              XmlText(fmt::format("WARN: {} — {}\n",
                                  r->breached.rfind("warn: ", 0) == 0 ? r->breached.substr(6)
                                                                      : r->breached,
                                  MetricText(*r))));
          break;
      }
      out += "    </testcase>\n";
    }
    out += "  </testsuite>\n";
  }
  return out + "</testsuites>\n";
}

}  // namespace crmkpi::check_writing
