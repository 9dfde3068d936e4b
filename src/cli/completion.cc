#include "completion.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace crmkpi {
namespace {

// One option as the completion scripts need it.
struct OptionInfo {
  std::vector<std::string> names;    // "--by", "-f", "--format"
  bool takes_value = false;
  std::vector<std::string> choices;  // fixed values ("table", "csv", …), else empty
  enum class Value { kAny, kFile, kIni, kDir } value = Value::kAny;
  std::string help;                  // its first sentence, for zsh
};

bool IsChoiceWord(const std::string& w) {
  if (w.empty() || !std::islower(static_cast<unsigned char>(w[0]))) return false;
  return std::all_of(w.begin(), w.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
           c == '-' || c == '_';
  });
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

// The fixed values of an option: from a type name such as "week|month|quarter" (the lower-case
// words; "closed|created|COL" gives closed, created), or for --format from its help text
// ("table (default), csv, json or md").
std::vector<std::string> Choices(const CLI::Option& opt) {
  std::vector<std::string> out;
  std::string type = opt.get_type_name();
  if (const std::size_t set = type.find(":{"); set != std::string::npos && type.back() == '}') {
    // CLI11 appends ":{a,b}" for a checked set: those are the values.
    for (const std::string& w : Split(type.substr(set + 2, type.size() - set - 3), ',')) {
      if (IsChoiceWord(w)) out.push_back(w);
    }
    return out;
  }
  type = type.substr(0, type.find(':'));
  if (type.find('|') != std::string::npos) {
    for (const std::string& w : Split(type, '|')) {
      if (IsChoiceWord(w)) out.push_back(w);
    }
    return out;
  }
  const std::vector<std::string>& l = opt.get_lnames();
  if (!l.empty() && l.front() == "format") {
    std::string word;
    const std::string desc = opt.get_description() + " ";
    bool in_paren = false;
    for (char c : desc) {
      if (c == '(') in_paren = true;
      if (std::isalnum(static_cast<unsigned char>(c)) || c == '-') {
        word += c;
        continue;
      }
      if (!in_paren && IsChoiceWord(word) && word != "or" && word != "and") out.push_back(word);
      word.clear();
      if (c == ')') in_paren = false;
    }
  }
  return out;
}

std::string FirstSentence(const std::string& text) {
  std::string s = text.substr(0, text.find(". "));
  s = s.substr(0, s.find("; "));
  if (s.size() > 70) {
    std::size_t cut = 67;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
    s = s.substr(0, cut) + "...";
  }
  std::string out;
  for (char c : s) {
    if (c == '[' || c == ']' || c == ':' || c == '\'' || c == '\\' || c == '`' || c == '$') {
      continue;
    }
    out += c;
  }
  return out;
}

std::vector<OptionInfo> OptionsOf(const CLI::App& cmd) {
  std::vector<OptionInfo> out;
  for (const CLI::Option* opt : cmd.get_options()) {
    if (opt->get_positional() || opt->get_group().empty()) continue;  // hidden
    OptionInfo o;
    for (const std::string& s : opt->get_snames()) o.names.push_back("-" + s);
    for (const std::string& l : opt->get_lnames()) o.names.push_back("--" + l);
    if (o.names.empty()) continue;
    o.takes_value = opt->get_expected_max() > 0;
    o.choices = Choices(*opt);
    const std::string type = opt->get_type_name();
    const std::string lname = opt->get_lnames().empty() ? "" : opt->get_lnames().front();
    if (lname == "config") {
      o.value = OptionInfo::Value::kIni;
    } else if (type.find("FILE") != std::string::npos || type.find("PATH") != std::string::npos ||
               lname == "output" || lname == "invalid-out" || lname == "targets") {
      o.value = OptionInfo::Value::kFile;
    }
    o.help = FirstSentence(opt->get_description());
    out.push_back(std::move(o));
  }
  return out;
}

std::vector<const CLI::App*> Commands(const CLI::App& app) {
  return app.get_subcommands([](const CLI::App*) { return true; });
}

std::string Joined(const std::vector<std::string>& v, const char* sep = " ") {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

}  // namespace

std::string BashCompletion(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* c : Commands(app)) names.push_back(c->get_name());
  std::string out = fmt::format(
      "# bash completion for crmkpi {} (made by `crmkpi completion bash`)\n"
      "_crmkpi() {{\n"
      "  local cur prev cmd i opts\n"
      "  cur=\"${{COMP_WORDS[COMP_CWORD]}}\"\n"
      "  prev=\"${{COMP_WORDS[COMP_CWORD-1]}}\"\n"
      "  cmd=\"\"\n"
      "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
      "    case \"${{COMP_WORDS[i]}}\" in -*) ;; *) cmd=\"${{COMP_WORDS[i]}}\"; break ;; esac\n"
      "  done\n"
      "  if [[ -z \"$cmd\" ]]; then\n"
      "    COMPREPLY=($(compgen -W \"{} --help --version\" -- \"$cur\"))\n"
      "    return\n"
      "  fi\n"
      "  case \"$cmd\" in\n",
      CRMKPI_VERSION, Joined(names));
  for (const CLI::App* c : Commands(app)) {
    const std::vector<OptionInfo> opts = OptionsOf(*c);
    std::vector<std::string> all;
    std::string values;
    std::vector<std::string> free_values;
    for (const OptionInfo& o : opts) {
      all.insert(all.end(), o.names.begin(), o.names.end());
      if (!o.takes_value) continue;
      const std::string pattern = Joined(o.names, "|");
      if (!o.choices.empty()) {
        values += fmt::format(
            "        {}) COMPREPLY=($(compgen -W \"{}\" -- \"$cur\")); return ;;\n", pattern,
            Joined(o.choices));
      } else if (o.value == OptionInfo::Value::kIni) {
        values += fmt::format(
            "        {}) compopt -o filenames 2> /dev/null; "
            "COMPREPLY=($(compgen -f -X '!*.ini' -- \"$cur\") $(compgen -d -- \"$cur\")); "
            "return ;;\n",
            pattern);
      } else if (o.value == OptionInfo::Value::kFile) {
        values += fmt::format(
            "        {}) compopt -o filenames 2> /dev/null; "
            "COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n",
            pattern);
      } else {
        free_values.insert(free_values.end(), o.names.begin(), o.names.end());
      }
    }
    if (!free_values.empty()) {
      values += fmt::format("        {}) return ;;\n", Joined(free_values, "|"));
    }
    out += fmt::format("    {})\n      case \"$prev\" in\n{}      esac\n      opts=\"{}\"\n      ;;\n",
                       c->get_name(), values, Joined(all));
  }
  out +=
      "    *) return ;;\n"
      "  esac\n"
      "  if [[ \"$cur\" == -* ]]; then\n"
      "    COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
      "  else\n"
      "    compopt -o filenames 2> /dev/null\n"
      "    COMPREPLY=($(compgen -f -- \"$cur\"))\n"
      "  fi\n"
      "}\n"
      "complete -F _crmkpi crmkpi\n";
  return out;
}

std::string ZshCompletion(const CLI::App& app) {
  std::string out = fmt::format(
      "#compdef crmkpi\n"
      "# zsh completion for crmkpi {} (made by `crmkpi completion zsh`)\n"
      "_crmkpi() {{\n"
      "  local -a commands\n"
      "  commands=(\n",
      CRMKPI_VERSION);
  for (const CLI::App* c : Commands(app)) {
    out += fmt::format("    '{}:{}'\n", c->get_name(), FirstSentence(c->get_description()));
  }
  out +=
      "  )\n"
      "  if (( CURRENT == 2 )); then\n"
      "    _describe -t commands 'crmkpi command' commands\n"
      "    return\n"
      "  fi\n"
      "  local cmd=${words[2]}\n"
      "  shift words\n"
      "  (( CURRENT-- ))\n"
      "  case $cmd in\n";
  for (const CLI::App* c : Commands(app)) {
    out += fmt::format("    {})\n      _arguments -s \\\n", c->get_name());
    for (const OptionInfo& o : OptionsOf(*c)) {
      std::string action;
      if (o.takes_value) {
        if (!o.choices.empty()) {
          action = fmt::format(":value:({})", Joined(o.choices));
        } else if (o.value == OptionInfo::Value::kIni) {
          action = ":definition:_files -g '*.ini'";
        } else if (o.value == OptionInfo::Value::kFile) {
          action = ":file:_files";
        } else {
          action = ":value: ";
        }
      }
      const bool repeat = o.takes_value && o.choices.empty() && o.value == OptionInfo::Value::kAny;
      for (const std::string& n : o.names) {
        out += fmt::format("        '{}{}[{}]{}' \\\n", repeat ? "*" : "", n, o.help, action);
      }
    }
    out += "        '*:file:_files'\n      ;;\n";
  }
  out +=
      "  esac\n"
      "}\n"
      "_crmkpi \"$@\"\n";
  return out;
}

}  // namespace crmkpi
