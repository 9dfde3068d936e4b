#include "crmkpi/write/full_report_writer.h"

#include "crmkpi/base/error.h"
#include "crmkpi/write/check_sheets.h"
#include "crmkpi/write/check_writer.h"
#include "crmkpi/write/json_writer.h"
#include "crmkpi/write/report_sheets.h"
#include "crmkpi/write/tree_sheets.h"
#include "crmkpi/write/tree_writer.h"
#include "html_check.h"
#include "html_page.h"
#include "html_report.h"
#include "html_tree.h"
#include "crmkpi/write/xlsx_writer.h"

namespace crmkpi {

std::string WriteFullReport(const Report& kpis, const TreeResult* tree, const CheckRun& checks,
                            int exit_code, Format format) {
  Report without_signs = kpis;  // the report part prints the failure signs; the tree not again
  without_signs.signs.clear();
  switch (format) {
    case Format::kCsv:
      throw Error::Usage(
          "--checks with -f csv: the KPIs, the tree and the checks are three tables, which one "
          "CSV cannot hold; use -f json, table or md (or report -c and check -c apart)");
    case Format::kJson: {
      JsonWriter w;
      w.BeginObject().VersionKeys();
      w.Key("command").String("report --checks");
      w.Key("exit_code").Int(exit_code);
      w.Key("report").Raw(WriteReport(kpis, Format::kJson));
      w.Key("tree");
      if (tree != nullptr) {
        w.Raw(WriteTree(*tree, without_signs, Format::kJson));
      } else {
        w.Null();
      }
      w.Key("checks").Raw(WriteChecks(checks, CheckFormat::kJson, exit_code));
      w.EndObject();
      return w.Take() + "\n";
    }
    case Format::kHtml: {
      // One dashboard: the KPIs, the tree and the scorecard, pointers into the JSON's members.
      std::string body = html::ReportBody(kpis, "/report");
      if (tree != nullptr) body += html::TreeSections(*tree, "/tree", true);
      body += html::ChecksBody(checks, exit_code, "/checks");
      html::PageHead head;
      head.title = "crmkpi report --checks";
      head.subtitle = html::ReportSubtitle(kpis);
      head.lang = html::ReportLang(kpis);
      return html::Page(head, body);
    }
    case Format::kXlsx: {  // the report's sheets, the tree's, the checks'
      Workbook book = ReportWorkbook(kpis);
      if (tree != nullptr) AddTreeSheets(*tree, {}, &book);
      AddCheckSheets(checks, exit_code, &book);
      return WriteXlsx(book);
    }
    case Format::kTable:
    case Format::kMarkdown: {
      const bool md = format == Format::kMarkdown;
      std::string out = WriteReport(kpis, format);
      if (tree != nullptr) out += "\n" + WriteTree(*tree, without_signs, format);
      out += "\n" + WriteChecks(checks, md ? CheckFormat::kMarkdown : CheckFormat::kTable,
                                exit_code);
      return out;
    }
  }
  return {};
}

}  // namespace crmkpi
