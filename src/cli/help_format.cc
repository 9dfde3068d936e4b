#include "help_format.h"

#include <algorithm>
#include <array>
#include <memory>
#include <sstream>
#include <utility>
#include <vector>

#include "crmkpi/base/terminal.h"
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

// |text| in lines of at most |width| columns, the first starting at column |start|: each line
// after the first indented to |start|; the text's own line breaks stay (base/terminal.h's
// WrapText breaks each paragraph).
std::string Wrapped(std::string_view text, std::size_t width, std::size_t start) {
  std::string out;
  std::size_t from = 0;
  while (from <= text.size()) {
    std::size_t end = text.find('\n', from);
    if (end == std::string_view::npos) end = text.size();
    for (const std::string& line : WrapText(text.substr(from, end - from), width - start)) {
      if (!out.empty()) out += "\n" + std::string(start, ' ');
      out += line;
    }
    from = end + 1;
  }
  return out;
}

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
  return out + Wrapped(desc, kHelpWidth, kLeft) + "\n";
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
    return desc.empty() ? std::string() : Wrapped(desc, kHelpWidth, 0) + "\n";
  }

  std::string make_usage(const CLI::App* app, std::string name) const override {
    std::string usage = CLI::Formatter::make_usage(app, std::move(name));
    while (!usage.empty() && usage.back() == '\n') usage.pop_back();
    return Wrapped(usage, kHelpWidth, 2) + "\n";
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
