// Top-level terms of a formula's text (see crmkpi/formula_terms.h).
#include "crmkpi/definition/formula_terms.h"

#include <cctype>

#include "crmkpi/base/text.h"

namespace crmkpi {

std::vector<TermText> SplitTerms(std::string_view f) {
  std::vector<TermText> out;
  int depth = 0;
  int sign = 1;
  std::size_t start = 0;
  bool operand = false;  // the last non-space character ends an operand
  auto push = [&](std::size_t end) {
    std::string_view t = f.substr(start, end - start);
    const std::string_view trimmed = TrimSpace(t);
    out.push_back({sign, std::string(trimmed),
                   trimmed.empty() ? start : static_cast<std::size_t>(trimmed.data() - f.data())});
  };
  for (std::size_t i = 0; i < f.size(); ++i) {
    const char c = f[i];
    if (c == '(') {
      ++depth;
    } else if (c == ')') {
      --depth;
    } else if (depth == 0 &&
               (c == '<' || c == '>' || c == '=' || c == '!' || c == '&' || c == '|' || c == ',')) {
      return {{1, std::string(TrimSpace(f)),
               static_cast<std::size_t>(TrimSpace(f).data() - f.data())}};  // not a sum
    } else if (depth == 0 && (c == '+' || c == '-') && operand) {
      // 1e-3: the sign of a number's exponent.
      bool exponent = false;
      if (i >= 2 && (f[i - 1] == 'e' || f[i - 1] == 'E')) {
        std::size_t s = i - 1;
        while (s > 0 && (std::isalnum(static_cast<unsigned char>(f[s - 1])) || f[s - 1] == '_' ||
                         f[s - 1] == '.')) {
          --s;
        }
        exponent = std::isdigit(static_cast<unsigned char>(f[s])) || f[s] == '.';
      }
      if (!exponent) {
        push(i);
        sign = c == '-' ? -1 : 1;
        start = i + 1;
        operand = false;
        continue;
      }
    }
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    operand = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ')' || c == '%' ||
              c == '.' || static_cast<unsigned char>(c) >= 0x80;
  }
  push(f.size());
  // A leading unary sign belongs to the first term: "-a + b" → (−a), (+b).
  if (!out.empty() && !out.front().text.empty() &&
      (out.front().text[0] == '-' || out.front().text[0] == '+')) {
    const std::string_view rest = TrimSpace(std::string_view(out.front().text).substr(1));
    if (out.size() > 1 || !rest.empty()) {
      out.front().sign = out.front().text[0] == '-' ? -1 : 1;
      out.front().offset += static_cast<std::size_t>(rest.data() - out.front().text.data());
      out.front().text = std::string(rest);
    }
  }
  return out;
}

}  // namespace crmkpi
