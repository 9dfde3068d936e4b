#include "help_format.h"

#include <algorithm>
#include <array>
#include <memory>
#include <sstream>
#include <utility>
#include <vector>

#include "crmkpi/base/text.h"
#include "crmkpi/base/utf8.h"

namespace crmkpi {
namespace {

// The groups in the order --help shows them, and the options of each (long names).
struct GroupOf {
  std::string_view group;
  std::vector<std::string_view> options;
};

const std::vector<GroupOf>& Groups() {
  static const std::vector<GroupOf> kGroups = {
      {"Input",
       {"encoding", "delimiter", "map", "lenient", "date-format", "tz", "missing-tokens", "fx",
        "layout", "out-of-order", "actual", "extra-columns"}},
      {"Definition (-c kpi.ini)",
       {"config", "for", "source", "targets", "no-lint", "data", "set", "checks",
        "baseline-source", "before-source", "after-source", "force", "metrics"}},
      {"Stages",
       {"won", "lost", "stages", "opportunity-stage", "lost-reached", "entered", "conversion",
        "stuck-after"}},
      {"Grouping and periods",
       {"by", "exact-groups", "period", "period-of", "tree-by", "tree-period", "as-of", "fiscal-year-start",
        "fiscal-year-name", "week-start", "compare", "trend", "view", "baseline", "mode",
        "missing-as-zero"}},
      {"Checks",
       {"require", "unique", "normalize", "near", "valid", "max-age-days", "min-rows",
        "expect-columns", "max-missing", "max-duplicates", "max-invalid", "max-stale",
        "warn-missing", "warn-duplicates", "warn-invalid", "warn-stale", "allow-empty",
        "fail-on-warn", "samples", "invalid-out"}},
      {"Costs and gains",
       {"cost", "gain", "benefit-risk", "cost-risk", "attribution-share", "initial-cost",
        "cost-per-month", "cost-per-year", "gain-per-month", "gain-per-year", "years",
        "months", "discount-rate", "margin-rate", "deal-size", "ramp-periods"}},
      {"Output",
       {"format", "output", "quiet", "lang", "kpis", "columns", "width", "color",
        "ambiguous-wide", "bom", "output-encoding"}},
      {"Performance", {"threads"}},
  };
  return kGroups;
}

constexpr std::string_view kOther = "Other options";

// The left column's width (option names and their value hints); descriptions start after it.
constexpr std::size_t kLeft = 30;

// "  --by COL ..." then the description, wrapped: on the same line when the name fits the left
// column, else on the next line.
std::string TwoColumns(const std::string& left, const std::string& desc) {
  std::string out = left;
  const std::size_t w = DisplayWidth(left);
  if (desc.empty()) return out + "\n";
  if (w + 2 > kLeft) {
    out += "\n" + std::string(kLeft, ' ');
  } else {
    out += std::string(kLeft - w, ' ');
  }
  return out + WrapText(desc, kHelpWidth - kLeft, kLeft) + "\n";
}

class HelpFormatter : public CLI::Formatter {
 public:
  std::string make_option(const CLI::Option* opt, bool positional) const override {
    return TwoColumns("  " + make_option_name(opt, positional) + make_option_opts(opt),
                      make_option_desc(opt));
  }

  std::string make_subcommand(const CLI::App* sub) const override {
    return TwoColumns("  " + sub->get_display_name(true), sub->get_description());
  }

  std::string make_description(const CLI::App* app) const override {
    const std::string& desc = app->get_description();
    return desc.empty() ? std::string() : WrapText(desc, kHelpWidth, 0) + "\n";
  }

  std::string make_usage(const CLI::App* app, std::string name) const override {
    std::string usage = CLI::Formatter::make_usage(app, std::move(name));
    while (!usage.empty() && usage.back() == '\n') usage.pop_back();
    return WrapText(usage, kHelpWidth, 2) + "\n";
  }

  // As CLI11's, with the option groups in the order of Groups() (then any other).
  std::string make_help(const CLI::App* app, std::string name,
                        CLI::AppFormatMode mode) const override {
    if (mode == CLI::AppFormatMode::Sub) return make_expanded(app);
    std::ostringstream out;
    out << make_description(app) << make_usage(app, std::move(name)) << make_positionals(app);
    std::vector<std::string> order;
    for (const GroupOf& g : Groups()) order.emplace_back(g.group);
    for (const std::string& g : app->get_groups()) {
      if (std::find(order.begin(), order.end(), g) == order.end()) order.push_back(g);
    }
    for (const std::string& group : order) {
      std::vector<const CLI::Option*> opts = app->get_options([&](const CLI::Option* o) {
        return o->get_group() == group && o->nonpositional();
      });
      if (!group.empty() && !opts.empty()) out << make_group(group, false, opts);
    }
    out << make_subcommands(app, mode) << '\n' << make_footer(app);
    return out.str();
  }
};

}  // namespace

std::string WrapText(std::string_view text, std::size_t width, std::size_t indent) {
  std::string out;
  std::size_t col = 0;  // columns used on the current line
  const std::string pad(indent, ' ');
  const auto new_line = [&] {
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += "\n" + pad;
    col = 0;
  };
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '\n') {  // the text's own line breaks stay
      new_line();
      ++i;
      continue;
    }
    if (text[i] == ' ') {
      if (col > 0 && col < width) {
        out += ' ';
        ++col;
      }
      ++i;
      continue;
    }
    std::size_t end = text.find_first_of(" \n", i);
    if (end == std::string_view::npos) end = text.size();
    std::string_view word = text.substr(i, end - i);
    const std::size_t w = DisplayWidth(word);
    if (col > 0 && col + w > width) new_line();
    if (w > width) {  // a word wider than the line: cut it at code points
      std::size_t k = 0;
      while (k < word.size()) {
        std::size_t len = 1;
        while (k + len < word.size() && (static_cast<unsigned char>(word[k + len]) & 0xC0) == 0x80) {
          ++len;
        }
        const std::string_view cp = word.substr(k, len);
        const std::size_t cw = DisplayWidth(cp);
        if (col + cw > width) new_line();
        out += cp;
        col += cw;
        k += len;
      }
    } else {
      out += word;
      col += w;
    }
    i = end;
  }
  return out;
}

std::string_view OptionGroup(std::string_view lname) {
  for (const GroupOf& g : Groups()) {
    if (std::find(g.options.begin(), g.options.end(), lname) != g.options.end()) return g.group;
  }
  return {};
}

void GroupOptions(CLI::App* cmd) {
  for (CLI::Option* opt : cmd->get_options()) {
    if (opt->get_positional()) continue;
    const std::vector<std::string>& lnames = opt->get_lnames();
    if (lnames.empty()) continue;
    if (opt->get_group().empty()) continue;  // hidden options stay hidden
    const std::string_view group = OptionGroup(lnames.front());
    if (!group.empty()) {
      opt->group(std::string(group));
    } else if (lnames.front() != "help") {
      opt->group(std::string(kOther));
    }
  }
}

void UseHelpFormatter(CLI::App* app) { app->formatter(std::make_shared<HelpFormatter>()); }

}  // namespace crmkpi
