#include "cmd_columns.h"


#include <memory>

#include <fmt/format.h>

#include "crmkpi/base/error.h"
#include "crmkpi/base/text.h"
#include "crmkpi/base/utf8.h"
#include "crmkpi/bind/column_roles.h"
#include "crmkpi/bind/stage_column.h"
#include "crmkpi/read/input_stream.h"
#include "excel_options.h"
#include "deals_flags.h"
#include "crmkpi/read/csv_reader.h"
#include "crmkpi/write/sheet.h"
#include "crmkpi/write/xlsx_writer.h"
#include "crmkpi/write/json_writer.h"
#include "crmkpi/write/output_file.h"
#include "crmkpi/write/report_writer.h"
#include "input_options.h"

namespace crmkpi {
namespace {

struct ColumnsArgs {
  std::string file;
  std::string format = "table";
  InputOptions input;
};

std::string_view SourceName(BindingSource s) {
  switch (s) {
    case BindingSource::kMapped:
      return "--map";
    case BindingSource::kDetected:
      return "detected";
    case BindingSource::kNone:
      break;
  }
  return "";
}

// Why a role has its column: "--map", "name 'closedate'", "name after the prefix: 'status'",
// "values: 4 won, 3 lost in the first 11 rows".
std::string RuleOf(const std::vector<RoleMatch>& matches, int column) {
  for (const RoleMatch& m : matches) {
    if (m.column != column) continue;
    return m.after_prefix ? fmt::format("name after the prefix: '{}'", m.name)
                          : fmt::format("name '{}'", m.name);
  }
  return "";
}

struct RoleRow {
  Role role;
  int column;
  std::string bound_by, rule;
  std::vector<std::pair<int, std::string>> runners_up;  // column, why it was not taken
};

int Run(const ColumnsArgs& a) {
  const Format format = ParseFormat(a.format);
  if (format == Format::kHtml) {
    throw Error::Usage("--format html: columns has no dashboard (table, csv, json, md)");
  }
  Encoding used;
  RecordInput(a.file);  // the stage check reads rows; standard input is not read twice here
  CsvReader reader(OpenInput(a.file, a.input.GetEncoding(), &used), a.input.Csv());
  const std::vector<std::string>& header = reader.ReadHeader();
  RoleBinding roles = BindRoles(header, a.input.Mappings(), reader.name());
  const int header_stage = roles[Role::kStage];
  const StageColumnChoice stage = SampleStageColumn(&reader, header, roles, {}, {});
  if (stage.changed) roles.column[static_cast<int>(Role::kStage)] = stage.column;
  RewindInput(a.file);

  std::vector<RoleRow> rows;
  std::vector<std::string> missing;
  for (int r = 0; r < kRoleCount; ++r) {
    const Role role = static_cast<Role>(r);
    const std::vector<RoleMatch> matches = RoleMatches(header, role);
    const int c = roles.column[r];
    if (c < 0) {
      missing.emplace_back(RoleName(role));
      continue;
    }
    RoleRow row{role, c, std::string(SourceName(roles.source[r])), RuleOf(matches, c), {}};
    if (roles.source[r] == BindingSource::kMapped) row.rule = "--map";
    if (role == Role::kStage && (stage.changed || !stage.evidence.empty())) {
      row.rule = stage.changed ? stage.evidence : row.rule + "; values: " + stage.evidence;
      if (stage.changed) row.bound_by = "values";
    }
    for (const RoleMatch& m : matches) {
      if (m.column == c || (role == Role::kStage && stage.changed && m.column == header_stage)) {
        continue;
      }
      std::string why = m.after_prefix ? fmt::format("name after the prefix: '{}'", m.name)
                                       : fmt::format("name '{}'", m.name);
      for (int other = 0; other < kRoleCount; ++other) {
        if (other != r && roles.column[other] == m.column) {
          why += fmt::format(", taken by {}", RoleName(static_cast<Role>(other)));
        }
      }
      row.runners_up.emplace_back(m.column, why);
    }
    if (role == Role::kStage && stage.changed && header_stage >= 0) {
      row.runners_up.emplace_back(header_stage, "the header's choice; no won or lost value");
    }
    rows.push_back(std::move(row));
  }
  std::vector<const RoleRow*> role_of(header.size(), nullptr);
  for (const RoleRow& r : rows) {
    if (role_of[static_cast<std::size_t>(r.column)] == nullptr) {
      role_of[static_cast<std::size_t>(r.column)] = &r;
    }
  }

  std::string out;
  if (format == Format::kJson) {
    JsonWriter w;
    const char delimiter = reader.delimiter();
    w.BeginObject().VersionKeys().Key("file").String(reader.name());
    w.Key("encoding").String(EncodingName(used)).Key("encoding_detected").Bool(used.detected());
    w.Key("delimiter").String(std::string_view(&delimiter, 1)).Key("columns").BeginArray();
    for (std::size_t i = 0; i < header.size(); ++i) {
      const RoleRow* r = role_of[i];
      w.Newline().BeginObject().Key("index").Int(i + 1).Key("name").String(header[i]);
      w.Key("role").StringOrNull(r ? std::string(RoleName(r->role)) : "");
      w.Key("bound_by").StringOrNull(r ? r->bound_by : "").EndObject();
    }
    w.EndArray().Newline().Key("roles").BeginArray();
    for (const RoleRow& r : rows) {
      w.Newline().BeginObject().Key("role").String(RoleName(r.role));
      w.Key("column").String(header[static_cast<std::size_t>(r.column)]);
      w.Key("bound_by").String(r.bound_by).Key("rule").String(r.rule);
      w.Key("runners_up").BeginArray();
      for (const auto& [col, why] : r.runners_up) {
        w.BeginObject().Key("column").String(header[static_cast<std::size_t>(col)]);
        w.Key("rule").String(why).EndObject();
      }
      w.EndArray().EndObject();
    }
    w.EndArray().Newline().Key("missing_roles").BeginArray();
    for (const std::string& m : missing) w.String(m);
    w.EndArray().EndObject().Newline();
    out = w.Take();
  } else if (format == Format::kXlsx) {
    Workbook book;
    Sheet s;
    s.name = "Columns";
    s.columns = {"index", "name", "role", "bound_by"};
    for (std::size_t i = 0; i < header.size(); ++i) {
      const RoleRow* r = role_of[i];
      s.rows.push_back({Cell::Number(static_cast<double>(i + 1), CellKind::kCount),
                        Cell::Text(header[i]), Cell::Text(r ? std::string(RoleName(r->role)) : ""),
                        Cell::Text(r ? r->bound_by : "")});
    }
    book.sheets.push_back(std::move(s));
    book.settings.emplace_back("file", reader.name());
    book.settings.emplace_back("encoding", std::string(EncodingName(used)) +
                                               (used.detected() ? " (detected)" : ""));
    out = WriteXlsx(book);
  } else if (format == Format::kCsv) {
    out = "index,name,role,bound_by\n";
    for (std::size_t i = 0; i < header.size(); ++i) {
      const RoleRow* r = role_of[i];
      out += fmt::format("{},{},{},{}\n", i + 1, CsvField(header[i]),
                         r ? RoleName(r->role) : "", CsvField(r ? r->bound_by : ""));
    }
  } else {
    const bool md = format == Format::kMarkdown;
    std::size_t w = DisplayWidth("column");
    for (const auto& h : header) w = std::max(w, DisplayWidth(h));
    std::size_t rw = DisplayWidth("role");
    for (const RoleRow& r : rows) rw = std::max(rw, RoleName(r.role).size());
    const std::string sep = md ? " | " : "  ";
    auto line = [&](const std::string& idx, const std::string& name, const std::string& role,
                    const std::string& bound) {
      std::string l = (md ? "| " : "") + PadLeft(idx, 3) + sep + PadRight(name, w) + sep +
                      PadRight(role, rw) + sep + bound;
      if (md) l += " |";
      while (!l.empty() && l.back() == ' ') l.pop_back();
      return l + "\n";
    };
    out += fmt::format("{}: {}, delimiter '{}', {} columns\n\n", reader.name(), EncodingLabel(used),
                       reader.delimiter() == '\t' ? std::string("\\t")
                                                  : std::string(1, reader.delimiter()),
                       header.size());
    out += line("#", "column", "role", "bound by");
    if (md) out += "|----:|" + std::string(w + 2, '-') + "|" + std::string(rw + 2, '-') + "|----------|\n";
    for (std::size_t i = 0; i < header.size(); ++i) {
      const RoleRow* r = role_of[i];
      out += line(std::to_string(i + 1), header[i], r ? std::string(RoleName(r->role)) : "",
                  r ? r->bound_by + (r->rule.empty() ? "" : ": " + r->rule) : "");
    }
    std::string runners;
    for (const RoleRow& r : rows) {
      for (const auto& [col, why] : r.runners_up) {
        runners += fmt::format("{}{}: '{}' ({})\n", md ? "- " : "  ", RoleName(r.role),
                               header[static_cast<std::size_t>(col)], why);
      }
    }
    if (!runners.empty()) out += "\nrunners-up:\n" + runners;
    std::string m;
    for (const auto& r : missing) m += (m.empty() ? "" : ", ") + r;
    out += fmt::format("\nroles not found: {}\n", m.empty() ? "none" : m);
    if (!stage.warning.empty()) out += "\nwarning: " + stage.warning + "\n";
  }
  WriteOutput("", out);
  return 0;
}

}  // namespace

void SetUpColumnsCommand(CLI::App* app, int* exit_code) {
  auto args = std::make_shared<ColumnsArgs>();
  CLI::App* cmd = app->add_subcommand(
      "columns", "Show the columns of a CSV file and the role each was bound to");
  cmd->add_option("file", args->file, "CSV file; - reads standard input")
      ->required()
      ->type_name("FILE");
  cmd->add_option("--format,-f", args->format, "table (default), csv, json or md")
      ->type_name("FORMAT");
  args->input.Register(cmd);
  AddExcelOptions(cmd, &args->format);
  cmd->callback([args, exit_code] { *exit_code = Run(*args); });
}

}  // namespace crmkpi
