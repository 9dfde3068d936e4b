#include "crmkpi/write/xlsx_writer.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <utility>

#include <fmt/format.h>
#include <unistd.h>
#include <utf8proc.h>
#include <xlsxwriter.h>

#include "crmkpi/base/error.h"
#include "crmkpi/base/text.h"

namespace crmkpi {
namespace {

std::string g_command_line;
std::vector<std::pair<std::string, std::string>> g_run_settings;

// Excel's limits: 32,767 characters in a cell, 1,048,576 rows in a sheet.
constexpr std::size_t kMaxCellBytes = 32767;
constexpr std::size_t kMaxRows = 1048576;

// |text| cut to Excel's cell limit at a UTF-8 boundary, marked with "…".
std::string FitCell(std::string text) {
  if (text.size() <= kMaxCellBytes) return text;
  std::size_t end = kMaxCellBytes - 3;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  text.resize(end);
  return text + "\u2026";
}

// Terminal-style display width: East Asian wide and full-width characters count 2
// (utf8proc_charwidth), invalid bytes 1.
std::size_t CellWidth(std::string_view s) {
  std::size_t w = 0;
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(s.size());
  while (left > 0) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
    if (n <= 0) {
      n = 1;
      cp = '?';
    }
    const int cw = utf8proc_charwidth(cp);
    w += cw > 0 ? static_cast<std::size_t>(cw) : (cp == '\t' ? 1 : 0);
    p += n;
    left -= n;
  }
  return w;
}

// The text Excel shows for a number in its format, for the column width.
std::string Shown(const Cell& c) {
  switch (c.kind) {
    case CellKind::kCount:
      return GroupThousands(fmt::format("{:.0f}", c.number));
    case CellKind::kAmount:
      return GroupThousands(fmt::format("{:.{}f}", c.number, c.decimals > 0 ? c.decimals : 0));
    case CellKind::kRatio:
      return fmt::format("{:.1f}%", c.number * 100.0);
    case CellKind::kDays:
      return fmt::format("{:.1f}", c.number);
    case CellKind::kNumber:
      return fmt::format("{:.10g}", c.number);
    case CellKind::kText:
      return c.text;
    case CellKind::kEmpty:
      break;
  }
  return {};
}

class Formats {
 public:
  explicit Formats(lxw_workbook* wb) : wb_(wb) {
    header_ = workbook_add_format(wb_);
    format_set_bold(header_);
    format_set_bottom(header_, LXW_BORDER_THIN);
  }
  lxw_format* header() const { return header_; }
  lxw_format* Of(const Cell& c) {
    std::string code;
    switch (c.kind) {
      case CellKind::kCount:
        code = "#,##0";
        break;
      case CellKind::kAmount:
        code = c.decimals > 0 ? "#,##0." + std::string(static_cast<std::size_t>(c.decimals), '0')
                              : "#,##0";
        break;
      case CellKind::kRatio:
        code = "0.0%";
        break;
      case CellKind::kDays:
        code = "0.0";
        break;
      default:
        return nullptr;  // General
    }
    auto it = by_code_.find(code);
    if (it != by_code_.end()) return it->second;
    lxw_format* f = workbook_add_format(wb_);
    format_set_num_format(f, code.c_str());
    by_code_.emplace(code, f);
    return f;
  }

 private:
  lxw_workbook* wb_;
  lxw_format* header_ = nullptr;
  std::map<std::string, lxw_format*> by_code_;
};

void Check(lxw_error e, std::string_view what) {
  if (e != LXW_NO_ERROR) {
    throw Error::Input(fmt::format("xlsx: {}: {}", what, lxw_strerror(e)));
  }
}

void WriteSheet(lxw_workbook* wb, Formats* formats, const Sheet& sheet,
                std::vector<std::string>* taken) {
  const std::string name = SheetName(sheet.name, *taken);
  taken->push_back(name);
  if (sheet.rows.size() + 1 > kMaxRows) {
    throw Error::Usage(fmt::format("-f xlsx: the sheet '{}' has {} rows, more than Excel's "
                                   "{}; use -f csv", name, sheet.rows.size(), kMaxRows - 1));
  }
  lxw_worksheet* ws = workbook_add_worksheet(wb, name.c_str());
  if (ws == nullptr) throw Error::Input(fmt::format("xlsx: cannot add the sheet '{}'", name));
  std::vector<std::size_t> width(sheet.columns.size(), 4);
  for (std::size_t c = 0; c < sheet.columns.size(); ++c) {
    const std::string head = NeutraliseFormula(sheet.columns[c]);
    Check(worksheet_write_string(ws, 0, static_cast<lxw_col_t>(c), head.c_str(),
                                 formats->header()),
          "header");
    width[c] = std::max(width[c], CellWidth(head) + 3);  // + the autofilter's button
  }
  for (std::size_t r = 0; r < sheet.rows.size(); ++r) {
    const std::vector<Cell>& row = sheet.rows[r];
    const auto xr = static_cast<lxw_row_t>(r + 1);
    for (std::size_t c = 0; c < row.size() && c < sheet.columns.size(); ++c) {
      const Cell& cell = row[c];
      const auto xc = static_cast<lxw_col_t>(c);
      if (cell.kind == CellKind::kEmpty) continue;
      if (cell.kind == CellKind::kText) {
        const std::string text = FitCell(NeutraliseFormula(cell.text));
        Check(worksheet_write_string(ws, xr, xc, text.c_str(), nullptr), "cell");
        width[c] = std::max(width[c], CellWidth(text));
      } else if (std::isfinite(cell.number)) {
        Check(worksheet_write_number(ws, xr, xc, cell.number, formats->Of(cell)), "cell");
        width[c] = std::max(width[c], CellWidth(Shown(cell)));
      }
    }
  }
  for (std::size_t c = 0; c < width.size(); ++c) {
    const double w = static_cast<double>(std::min<std::size_t>(width[c] + 1, 80));
    worksheet_set_column(ws, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c), w, nullptr);
  }
  worksheet_freeze_panes(ws, 1, 0);
  if (!sheet.columns.empty()) {
    Check(worksheet_autofilter(ws, 0, 0, static_cast<lxw_row_t>(sheet.rows.size()),
                               static_cast<lxw_col_t>(sheet.columns.size() - 1)),
          "autofilter");
  }
}

std::string ReadAndRemove(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const bool ok = static_cast<bool>(in) || in.eof();
  ::unlink(path.c_str());
  if (!ok) throw Error::Input(fmt::format("xlsx: cannot read back the temporary file {}", path));
  return bytes;
}

}  // namespace

void SetXlsxCommandLine(std::string command_line) { g_command_line = std::move(command_line); }

void AddXlsxRunSetting(std::string name, std::string value) {
  g_run_settings.emplace_back(std::move(name), std::move(value));
}

std::string WriteXlsx(const Workbook& book) {
  const char* dir = std::getenv("TMPDIR");
  std::string path = fmt::format("{}/crmkpi-xlsx-XXXXXX", dir && *dir ? dir : "/tmp");
  const int fd = ::mkstemp(path.data());
  if (fd < 0) {
    throw Error::Input(fmt::format("xlsx: cannot create a temporary file in {}: {}",
                                   dir && *dir ? dir : "/tmp", std::strerror(errno)));
  }
  ::close(fd);
  lxw_workbook_options options = {};
  options.constant_memory = LXW_FALSE;
  options.tmpdir = nullptr;
  options.use_zip64 = LXW_FALSE;
  lxw_workbook* wb = workbook_new_opt(path.c_str(), &options);
  if (wb == nullptr) {
    ::unlink(path.c_str());
    throw Error::Input("xlsx: cannot start the workbook");
  }
  try {
    Formats formats(wb);
    std::vector<std::string> taken = {"Settings"};
    for (const Sheet& sheet : book.sheets) WriteSheet(wb, &formats, sheet, &taken);
    Sheet settings;
    settings.name = "Settings";
    settings.columns = {"setting", "value"};
    settings.rows.push_back({Cell::Text("command line"), Cell::Text(g_command_line)});
    settings.rows.push_back({Cell::Text("crmkpi version"), Cell::Text(CRMKPI_VERSION)});
    using Settings = std::vector<std::pair<std::string, std::string>>;
    for (const Settings* list : {&std::as_const(g_run_settings), &book.settings}) {
      for (const auto& [k, v] : *list) settings.rows.push_back({Cell::Text(k), Cell::Text(v)});
    }
    std::vector<std::string> none;
    WriteSheet(wb, &formats, settings, &none);
  } catch (...) {
    workbook_close(wb);
    ::unlink(path.c_str());
    throw;
  }
  const lxw_error e = workbook_close(wb);
  if (e != LXW_NO_ERROR) {
    ::unlink(path.c_str());
    throw Error::Input(fmt::format("xlsx: cannot write the workbook: {}", lxw_strerror(e)));
  }
  return ReadAndRemove(path);
}

}  // namespace crmkpi
