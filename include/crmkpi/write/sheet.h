// A typed table model for spreadsheet output (-f xlsx, docs/cli.md "Excel"): each table of a
// command's text output becomes one Sheet whose cells are numbers (with what they measure, for
// the number format), text or empty. Built from the result structs by one function per command
// (report_sheets.cc, tree_sheets.cc, ...); written by xlsx_writer.h. Computes nothing.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crmkpi/results/report.h"

namespace crmkpi {

// What a number measures, which sets its format: counts and amounts `#,##0` (amounts with the
// currency's decimals when it has them), ratios `0.0%`, days `0.0`, other numbers General.
enum class CellKind { kEmpty, kText, kCount, kAmount, kRatio, kDays, kNumber };

struct Cell {
  CellKind kind = CellKind::kEmpty;
  double number = 0;     // the numeric kinds
  std::string text;      // kText
  int decimals = -1;     // kAmount: the currency's decimals (2 for USD); -1: none shown

  static Cell Empty() { return {}; }
  static Cell Text(std::string t) {
    Cell c;
    c.kind = t.empty() ? CellKind::kEmpty : CellKind::kText;
    c.text = std::move(t);
    return c;
  }
  static Cell Number(double v, CellKind kind) {
    Cell c;
    c.kind = kind;
    c.number = v;
    return c;
  }
  // A KPI-style value: nullopt → empty (n/a; its reason goes in a column of its own).
  static Cell Of(const std::optional<Num>& v, Unit unit, std::string_view currency = {});
  static Cell Of(const std::optional<double>& v, Unit unit, std::string_view currency = {});
};

struct Sheet {
  std::string name;                  // wished-for name; the writer makes it valid and unique
  std::vector<std::string> columns;  // the header row
  std::vector<std::vector<Cell>> rows;
};

struct Workbook {
  std::vector<Sheet> sheets;
  // The "Settings" sheet (after the command line and crmkpi version the writer adds): each
  // setting the text output's header shows, in order.
  std::vector<std::pair<std::string, std::string>> settings;
};

// What a unit's number is in a sheet; kAmount's decimals from the currency code (JPY 0, USD 2).
CellKind KindOf(Unit unit);
int CurrencyDecimals(std::string_view currency);

// A valid, unique worksheet name: at most 31 characters (UTF-8 code points), none of
// [ ] : * ? / and backslash (each replaced by _), no leading or trailing apostrophe, not empty
// ("Sheet"), and not one of
// |taken| compared case-insensitively (ASCII) — else " (2)", " (3)", ... within the 31.
std::string SheetName(std::string_view wanted, const std::vector<std::string>& taken);

}  // namespace crmkpi
