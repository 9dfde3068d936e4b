#include "cmd_columns.h"

#include <memory>

#include <fmt/format.h>

#include "crmkpi/base/error.h"
#include "crmkpi/base/text.h"
#include "crmkpi/base/utf8.h"
#include "crmkpi/bind/column_roles.h"
#include "crmkpi/read/csv_reader.h"
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

int Run(const ColumnsArgs& a) {
  const Format format = ParseFormat(a.format);
  Encoding used;
  CsvReader reader(OpenInput(a.file, a.input.GetEncoding(), &used), a.input.Csv());
  const std::vector<std::string>& header = reader.ReadHeader();
  const RoleBinding roles = BindRoles(header, a.input.Mappings(), reader.name());

  std::vector<std::string> role_of(header.size());
  std::vector<std::string> how(header.size());
  std::vector<std::string> missing;
  for (int r = 0; r < kRoleCount; ++r) {
    const int c = roles.column[r];
    if (c < 0) {
      missing.emplace_back(RoleName(static_cast<Role>(r)));
      continue;
    }
    role_of[c] = RoleName(static_cast<Role>(r));
    how[c] = SourceName(roles.source[r]);
  }

  std::string out;
  if (format == Format::kJson) {
    JsonWriter w;
    const char delimiter = reader.delimiter();
    w.BeginObject().VersionKeys().Key("file").String(reader.name());
    w.Key("encoding").String(EncodingName(used)).Key("encoding_detected").Bool(used.detected());
    w.Key("delimiter").String(std::string_view(&delimiter, 1)).Key("columns").BeginArray();
    for (std::size_t i = 0; i < header.size(); ++i) {
      w.Newline().BeginObject().Key("index").Int(i + 1).Key("name").String(header[i]);
      w.Key("role").StringOrNull(role_of[i]).Key("bound_by").StringOrNull(how[i]).EndObject();
    }
    w.EndArray().Newline().Key("missing_roles").BeginArray();
    for (const std::string& m : missing) w.String(m);
    w.EndArray().EndObject().Newline();
    out = w.Take();
  } else if (format == Format::kCsv) {
    out = "index,name,role,bound_by\n";
    for (std::size_t i = 0; i < header.size(); ++i) {
      out += fmt::format("{},{},{},{}\n", i + 1, CsvField(header[i]), role_of[i], how[i]);
    }
  } else {
    const bool md = format == Format::kMarkdown;
    std::size_t w = DisplayWidth("column");
    for (const auto& h : header) w = std::max(w, DisplayWidth(h));
    const std::string sep = md ? " | " : "  ";
    auto line = [&](const std::string& idx, const std::string& name, const std::string& role,
                    const std::string& bound) {
      std::string l = (md ? "| " : "") + PadLeft(idx, 3) + sep + PadRight(name, w) + sep +
                      PadRight(role, 7) + sep + bound;
      if (md) l += " |";
      while (!l.empty() && l.back() == ' ') l.pop_back();
      return l + "\n";
    };
    out += fmt::format("{}: {}, delimiter '{}', {} columns\n\n", reader.name(), EncodingLabel(used),
                       reader.delimiter() == '\t' ? std::string("\\t")
                                                  : std::string(1, reader.delimiter()),
                       header.size());
    out += line("#", "column", "role", "bound by");
    if (md) out += "|----:|" + std::string(w + 2, '-') + "|---------|----------|\n";
    for (std::size_t i = 0; i < header.size(); ++i) {
      out += line(std::to_string(i + 1), header[i], role_of[i], how[i]);
    }
    std::string m;
    for (const auto& r : missing) m += (m.empty() ? "" : ", ") + r;
    out += fmt::format("\nroles not found: {}\n", m.empty() ? "none" : m);
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
  cmd->callback([args, exit_code] { *exit_code = Run(*args); });
}

}  // namespace crmkpi
