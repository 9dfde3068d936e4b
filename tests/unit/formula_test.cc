#include "crmkpi/definition/formula.h"

#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

namespace crmkpi {
namespace {

using Vars = std::map<std::string, Value, std::less<>>;

Formula::Lookup LookupIn(const Vars& vars) {
  return [&vars](std::string_view name) {
    auto it = vars.find(name);
    if (it == vars.end()) FAIL("lookup of unknown variable " << std::string(name));
    return it->second;
  };
}

Value Eval(std::string_view text, const Vars& vars = {}) {
  return Formula::Parse(text).Eval(LookupIn(vars));
}

// The value of |text|, which must not be n/a.
double Num(std::string_view text, const Vars& vars = {}) {
  INFO(text);
  Value v = Eval(text, vars);
  INFO("reason: " << v.reason);
  REQUIRE(v.v.has_value());
  CHECK(v.reason.empty());
  return *v.v;
}

// The reason |text| is n/a (it must be).
std::string Reason(std::string_view text, const Vars& vars = {}) {
  INFO(text);
  Value v = Eval(text, vars);
  if (v.v) FAIL("expected n/a, got " << *v.v);
  return v.reason;
}

Value N(double x) { return Value::Number(x); }
Value Na(const char* why) { return Value::Na(why); }

void ExpectError(std::string_view text, int column, const std::string& message) {
  INFO("formula: " << std::string(text));
  try {
    Formula::Parse(text);
    FAIL("parsed without error");
  } catch (const FormulaError& e) {
    CHECK(e.message() == message);
    CHECK(e.column() == column);
  }
}

TEST_CASE("Formula precedence and associativity", "[formula]") {
  CHECK(Num("1 + 2 * 3") == 7);
  CHECK(Num("(1 + 2) * 3") == 9);
  CHECK(Num("10 - 4 - 3") == 3);       // left-assoc
  CHECK(Num("64 / 4 / 2") == 8);       // left-assoc
  CHECK(Num("2 ^ 3 ^ 2") == 512);      // right-assoc
  CHECK(Num("-2 ^ 2") == -4);          // ^ before unary minus
  CHECK(Num("(-2) ^ 2") == 4);
  CHECK(Num("2 ^ -1") == 0.5);         // a unary exponent needs no parentheses
  CHECK(Num("-a ^ 2", {{"a", N(3)}}) == -9);
  CHECK(Num("2 * -3") == -6);
  CHECK(Num("- -3") == 3);
  CHECK(Num("+3") == 3);
  CHECK(Num("1 + 2 < 4") == 1);        // + before <
  CHECK(Num("1 + 2 < 3") == 0);
  CHECK(Num("1 || 0 && 0") == 1);      // && before ||
  CHECK(Num("0 && 1 || 1") == 1);
  CHECK(Num("2 > 1 && 1 > 2") == 0);   // comparisons before &&
  CHECK(Num("!0 + 1") == 2);           // ! is unary: before +
  CHECK(Num("!1 == 0") == 1);
  CHECK(Num("!(1 == 0)") == 1);
  CHECK(Num("3 <= 3") == 1);
  CHECK(Num("3 >= 4") == 0);
  CHECK(Num("3 == 3") == 1);
  CHECK(Num("3 != 3") == 0);
  CHECK(Num("2 < 3") == 1);
  CHECK(Num("2 > 3") == 0);
  CHECK(Num("1_000_000 + 1e3 + 0.25 + .5 + 2.5E-3") == 1001000.7525);
  CHECK(Num("1e+2 + 1e-2") == 100.01);
  CHECK(Num("  1+2*3 \n") == 7);
  CHECK(Num("\t1\u3000+\u30002\r\n*\n3") == 7);  // ideographic space is whitespace too
  CHECK(Num("min(3, 1, 2) + max(3, 1, 2) * 10") == 31);
  CHECK(Num("abs(-2) + sqrt(9) + exp(0) + ln(1)") == 6);
  CHECK(Num("ln(exp(2))") == Approx(2));
  CHECK(Num("min(4)") == 4);
  CHECK(Num("if(1, 2, 3) + if(0, 2, 3)") == 5);
  CHECK(Num("if(-0.5, 2, 3)") == 2);  // any nonzero is true
}

TEST_CASE("Formula names: function names are variables unless called", "[formula]") {
  CHECK(Num("min + round", {{"min", N(1)}, {"round", N(2)}}) == 3);
  CHECK(Num("max(min, 5)", {{"min", N(7)}}) == 7);
  CHECK(Num("_x1 * A_b", {{"_x1", N(2)}, {"A_b", N(3)}}) == 6);
}

TEST_CASE("Formula percent literals", "[formula]") {
  CHECK(Num("35%") == 0.35);
  CHECK(Num("0.1%") == 0.001);   // the double nearest 0.001, not 0.1 / 100 rounded twice
  CHECK(Num("35 %") == 0.35);    // whitespace-insensitive
  CHECK(Num("1_5%") == 0.15);
  CHECK(Num("1e2%") == 1);
  CHECK(Num("100% - 35%") == 0.65);
  CHECK(Num("won / (won + lost) >= 35%", {{"won", N(35)}, {"lost", N(65)}}) == 1);
  CHECK(Num("won / (won + lost) >= 35%", {{"won", N(34)}, {"lost", N(66)}}) == 0);
  CHECK(Num("50% ^ 2") == 0.25);
  CHECK(Num("-50%") == -0.5);
  CHECK(Num("1e307%") == 1e305);
}

TEST_CASE("Formula syntax errors: whole message and column", "[formula]") {
  ExpectError("", 1, "empty formula");
  ExpectError("  \t ", 1, "empty formula");
  ExpectError("(a + b", 7, "expected ')' to close '(' opened at column 1");
  ExpectError("1 + (2 * (3 + 4)", 17, "expected ')' to close '(' opened at column 5");
  ExpectError("(a b)", 4, "expected ')' to close '(' opened at column 1");
  ExpectError("a b", 3, "unexpected 'b'");
  ExpectError("2 3", 3, "unexpected '3'");
  ExpectError("a +", 4, "unexpected end of formula");
  ExpectError("-", 2, "unexpected end of formula");
  ExpectError("a + )", 5, "unexpected ')'");
  ExpectError("()", 2, "unexpected ')'");
  ExpectError("a * * b", 5, "unexpected '*'");
  ExpectError("a <= <= b", 6, "unexpected '<='");
  ExpectError("a)", 2, "unexpected ')'");
  ExpectError("a, b", 2, "unexpected ','");
  ExpectError("a % b", 3, "unexpected '%'");
  ExpectError("(a)%", 4, "unexpected '%'");
  ExpectError("a # b", 3, "unexpected '#'");
  ExpectError("a = b", 3, "unexpected '=' (use '==' to compare)");
  ExpectError("a & b", 3, "unexpected '&' (use '&&')");
  ExpectError("a | b", 3, "unexpected '|' (use '||')");
  ExpectError("a < b < c", 7, "unexpected '<' (comparisons do not chain; join them with &&)");
  ExpectError("a == b != c", 8, "unexpected '!=' (comparisons do not chain; join them with &&)");
  ExpectError("x + mean(a)", 5,
              "unknown function 'mean' (functions: min, max, abs, if, sqrt, ln, exp, round, "
              "stddev, cv)");
  ExpectError("if(a, b)", 1, "if() takes 3 arguments, got 2");
  ExpectError("if(a, b, c, d)", 1, "if() takes 3 arguments, got 4");
  ExpectError("1 + abs(a, b)", 5, "abs() takes 1 argument, got 2");
  ExpectError("sqrt()", 1, "sqrt() takes 1 argument, got 0");
  ExpectError("round()", 1, "round() takes 1 or 2 arguments, got 0");
  ExpectError("round(a, 1, 2)", 1, "round() takes 1 or 2 arguments, got 3");
  ExpectError("min()", 1, "min() takes at least 1 argument, got 0");
  ExpectError("x + max(a b)", 11, "expected ',' or ')' to close '(' opened at column 8");
  ExpectError("max(a, b", 9, "expected ',' or ')' to close '(' opened at column 4");
  ExpectError("min(a,)", 7, "unexpected ')'");
  ExpectError("min(,a)", 5, "unexpected ','");
  ExpectError("1__000", 1, "malformed number '1__000'");
  ExpectError("2 * 1_", 5, "malformed number '1_'");
  ExpectError("12abc", 1, "malformed number '12abc'");
  ExpectError("1.2.3", 1, "malformed number '1.2.3'");
  ExpectError("12.", 1, "malformed number '12.'");
  ExpectError("1e", 1, "malformed number '1e'");
  ExpectError("2e+ 1", 1, "malformed number '2e+'");
  ExpectError("0x1F", 1, "malformed number '0x1F'");
  ExpectError("1e999", 1, "number out of range '1e999'");
  ExpectError("a + 1e-999", 5, "number out of range '1e-999'");
  ExpectError("1e-323%", 1, "number out of range '1e-323%'");  // 1e-325 is below every double
  ExpectError("a\x01", 2, "unexpected character U+0001");
  ExpectError("a + \xff", 5, "invalid UTF-8 byte 0xFF");
  ExpectError("受注 / 商談", 1, "unexpected '受' (names are ASCII: letters, digits, _)");
  ExpectError("a + 受注", 5, "unexpected '受' (names are ASCII: letters, digits, _)");
  // Columns count characters, not bytes: U+3000 is 3 bytes but one column.
  ExpectError("a\u3000+\u3000(b", 7, "expected ')' to close '(' opened at column 5");
  ExpectError("\u3000\u3000x y", 5, "unexpected 'y'");
  // The first error in text order wins, even when a later token would not lex.
  ExpectError("a b #", 3, "unexpected 'b'");
}

TEST_CASE("Formula nesting is bounded", "[formula]") {
  ExpectError(std::string(300, '(') + "1" + std::string(300, ')'), 257,
              "formula nested too deeply (more than 256 levels)");
  ExpectError(std::string(300, '-') + "1", 257, "formula nested too deeply (more than 256 levels)");
  // A long left-associative chain is deep as a tree without recursing in the parser: the 256th
  // '+' makes the 257th level.
  std::string chain = "1";
  for (int i = 0; i < 300; ++i) chain += "+1";
  ExpectError(chain, 512, "formula nested too deeply (more than 256 levels)");
  // 255 terms are fine.
  std::string ok = "1";
  for (int i = 0; i < 254; ++i) ok += "+1";
  CHECK(Num(ok) == 255);
  CHECK(Num(std::string(200, '(') + "1" + std::string(200, ')')) == 1);
}

TEST_CASE("FormulaError says the column in what()", "[formula]") {
  try {
    Formula::Parse("(a + b");
    FAIL("parsed");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()) == "column 7: expected ')' to close '(' opened at column 1");
  }
}

TEST_CASE("Formula n/a: zero denominators and domains", "[formula]") {
  CHECK(Reason("x / 0", {{"x", N(5)}}) == "ZERO_DENOMINATOR");
  CHECK(Reason("0 / 0") == "ZERO_DENOMINATOR");
  CHECK(Reason("won / (won + lost)", {{"won", N(0)}, {"lost", N(0)}}) == "ZERO_DENOMINATOR");
  CHECK(Reason("1 + 1 / (a - a)", {{"a", N(3)}}) == "ZERO_DENOMINATOR");
  CHECK(Reason("0 ^ -1") == "ZERO_DENOMINATOR");
  CHECK(Num("0 ^ 0") == 1);
  CHECK(Reason("sqrt(-1)") == "DOMAIN");
  CHECK(Num("sqrt(0)") == 0);
  CHECK(Reason("ln(0)") == "DOMAIN");
  CHECK(Reason("ln(-1)") == "DOMAIN");
  CHECK(Reason("(-8) ^ 0.5") == "DOMAIN");
  CHECK(Num("(-2) ^ 3") == -8);
  CHECK(Reason("1e308 * 10") == "OVERFLOW");
  CHECK(Reason("-1e308 - 1e308") == "OVERFLOW");
  CHECK(Reason("exp(1000)") == "OVERFLOW");
  CHECK(Reason("10 ^ 400") == "OVERFLOW");
  CHECK(Reason("1e-300 / 1e-300 / 1e-300 / 1e-300") == "OVERFLOW");
  CHECK(Num("exp(-1000)") == 0);  // underflow is a real (tiny) number
}

TEST_CASE("Formula n/a: propagation, lazy if, short-circuit, min/max", "[formula]") {
  const Vars vars = {{"a", Na("MISSING_COLUMN")}, {"b", Na("EMPTY")}, {"zero", N(0)},
                     {"one", N(1)},               {"x", N(6)}};
  CHECK(Reason("a + 1", vars) == "MISSING_COLUMN");
  CHECK(Reason("-a", vars) == "MISSING_COLUMN");
  CHECK(Reason("!a", vars) == "MISSING_COLUMN");
  CHECK(Reason("sqrt(a)", vars) == "MISSING_COLUMN");
  CHECK(Reason("a * 0", vars) == "MISSING_COLUMN");  // n/a times zero is still n/a
  CHECK(Reason("a + b", vars) == "MISSING_COLUMN");  // the first n/a left to right
  CHECK(Reason("b + a", vars) == "EMPTY");
  CHECK(Reason("a / 0", vars) == "MISSING_COLUMN");
  CHECK(Reason("x / zero + a", vars) == "ZERO_DENOMINATOR");
  CHECK(Reason("a < 1", vars) == "MISSING_COLUMN");
  CHECK(Reason("round(x, a)", vars) == "MISSING_COLUMN");

  // if() is lazy: the branch not taken may be n/a.
  CHECK(Num("if(zero > 0, x / zero, 0)", vars) == 0);
  CHECK(Num("if(one, x, a)", vars) == 6);
  CHECK(Num("if(zero, a, x)", vars) == 6);
  CHECK(Reason("if(one, a, x)", vars) == "MISSING_COLUMN");
  CHECK(Reason("if(a, one, x)", vars) == "MISSING_COLUMN");  // an unknown condition

  // && and || stop as soon as the result is known.
  CHECK(Num("zero && a", vars) == 0);
  CHECK(Num("one || a", vars) == 1);
  CHECK(Num("zero > 0 && x / zero > 0.5", vars) == 0);
  CHECK(Reason("one && a", vars) == "MISSING_COLUMN");
  CHECK(Reason("zero || a", vars) == "MISSING_COLUMN");
  CHECK(Reason("a && zero", vars) == "MISSING_COLUMN");
  CHECK(Num("2 && -1") == 1);  // logical results are 1/0
  CHECK(Num("0 || 0") == 0);

  // min/max over an unknown value are unknown.
  CHECK(Reason("min(a, 1)", vars) == "MISSING_COLUMN");
  CHECK(Reason("max(1, 2, b)", vars) == "EMPTY");
  CHECK(Reason("min(x / zero, a)", vars) == "ZERO_DENOMINATOR");
}

TEST_CASE("Formula lookup is called only for what is evaluated", "[formula]") {
  std::vector<std::string> calls;
  auto lookup = [&calls](std::string_view name) {
    calls.emplace_back(name);
    return name == "c" ? Value::Number(0) : Value::Number(2);
  };
  Formula f = Formula::Parse("if(c, a, b) + b");
  CHECK(f.Eval(lookup).v == 4.0);
  CHECK(calls == std::vector<std::string>{"c", "b", "b"});
}

TEST_CASE("Formula never returns NaN, infinity or -0", "[formula]") {
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  CHECK(Reason("a + 1", {{"a", N(inf)}}) == "OVERFLOW");
  CHECK(Reason("a * 0", {{"a", N(nan)}}) == "DOMAIN");
  CHECK(Num("if(1, 1, a)", {{"a", N(inf)}}) == 1);  // not evaluated: fine
}

TEST_CASE("Formula results: -0 becomes 0", "[formula]") {
  for (const char* text :
       {"-0", "-0 * 5", "round(-0.2)", "0 * -1", "-(1 - 1)", "round(-0.001, 2)"}) {
    INFO(text);
    const double x = Num(text);
    CHECK(x == 0);
    CHECK_FALSE(std::signbit(x));
  }
}

TEST_CASE("Formula round: decimal, half away from zero", "[formula]") {
  CHECK(Num("round(2.5)") == 3);
  CHECK(Num("round(-2.5)") == -3);
  CHECK(Num("round(2.4999)") == 2);
  CHECK(Num("round(0.6)") == 1);
  CHECK(Num("round(0.4)") == 0);
  CHECK(Num("round(99.5)") == 100);
  CHECK(Num("round(9.96, 1)") == 10);
  CHECK(Num("round(1.005, 2)") == 1.01);  // binary scaling would give 1.00
  CHECK(Num("round(2.675, 2)") == 2.68);
  CHECK(Num("round(-1.005, 2)") == -1.01);
  CHECK(Num("round(0.123456, 4)") == 0.1235);
  CHECK(Num("round(1234.5, -2)") == 1200);
  CHECK(Num("round(1250, -2)") == 1300);
  CHECK(Num("round(49, -2)") == 0);
  CHECK(Num("round(51, -2)") == 100);
  CHECK(Num("round(1e-5, 2)") == 0);
  CHECK(Num("round(0.1 + 0.2, 10)") == 0.3);
  CHECK(Num("round(123.456, 400)") == 123.456);   // beyond every digit: unchanged
  CHECK(Num("round(123.456, -1e9)") == 0);
  CHECK(Num("round(1e300, 2)") == 1e300);
  CHECK(Reason("round(1.7976931348623157e308, -308)") == "OVERFLOW");
  CHECK(Reason("round(2, 1.5)") == "DOMAIN");
}

TEST_CASE("Formula shape: sums", "[formula]") {
  Formula::Shape s = Formula::Parse("a + b - c").shape();
  CHECK(s.kind == Formula::Shape::kSum);
  CHECK(s.vars == std::vector<std::string>{"a", "b", "c"});
  CHECK(s.signs_or_exponents == std::vector<int>{1, 1, -1});

  s = Formula::Parse("a - (b - c)").shape();  // signs distribute through parentheses
  CHECK(s.kind == Formula::Shape::kSum);
  CHECK(s.signs_or_exponents == std::vector<int>{1, -1, 1});

  s = Formula::Parse("-a + b").shape();
  CHECK(s.kind == Formula::Shape::kSum);
  CHECK(s.signs_or_exponents == std::vector<int>{-1, 1});
}

TEST_CASE("Formula shape: products and quotients", "[formula]") {
  Formula::Shape s = Formula::Parse("won_deals * avg_deal_size").shape();
  CHECK(s.kind == Formula::Shape::kProduct);
  CHECK(s.vars == std::vector<std::string>{"won_deals", "avg_deal_size"});
  CHECK(s.signs_or_exponents == std::vector<int>{1, 1});

  s = Formula::Parse("a * b / c").shape();
  CHECK(s.kind == Formula::Shape::kProduct);
  CHECK(s.signs_or_exponents == std::vector<int>{1, 1, -1});

  s = Formula::Parse("a / (b / c)").shape();
  CHECK(s.kind == Formula::Shape::kProduct);
  CHECK(s.vars == std::vector<std::string>{"a", "b", "c"});
  CHECK(s.signs_or_exponents == std::vector<int>{1, -1, 1});

  s = Formula::Parse("(a)").shape();  // a lone variable: product of one
  CHECK(s.kind == Formula::Shape::kProduct);
  CHECK(s.vars == std::vector<std::string>{"a"});
  CHECK(s.signs_or_exponents == std::vector<int>{1});

  s = Formula::Parse("+a").shape();
  CHECK(s.kind == Formula::Shape::kProduct);
}

TEST_CASE("Formula shape: everything else is other", "[formula]") {
  for (const char* text : {"won / (won + lost)",  // nested ratio: the denominator is a sum
                           "a / a", "a + b - a",  // repeated variable
                           "2 * a", "a + 1", "a * -b", "a ^ 2", "(a + b) * c", "a * (b + c)",
                           "min(a, b)", "if(a, b, c)", "a < b", "12", "-(a * b)"}) {
    INFO(text);
    Formula f = Formula::Parse(text);
    Formula::Shape s = f.shape();
    CHECK(s.kind == Formula::Shape::kOther);
    CHECK(s.vars == f.variables());
    CHECK(s.signs_or_exponents.empty());
  }
}

TEST_CASE("Formula ratio parts", "[formula]") {
  const Formula f = Formula::Parse("won / (won + lost)");
  REQUIRE(f.IsRatio());
  Vars vars = {{"won", N(57)}, {"lost", N(78)}};
  CHECK(f.EvalNumerator(LookupIn(vars)).v == 57.0);
  CHECK(f.EvalDenominator(LookupIn(vars)).v == 135.0);
  CHECK(f.Eval(LookupIn(vars)).v == 57.0 / 135.0);

  // No closed deals: the ratio is n/a, its parts are printable zeros.
  vars = {{"won", N(0)}, {"lost", N(0)}};
  CHECK(f.Eval(LookupIn(vars)).reason == "ZERO_DENOMINATOR");
  CHECK(f.EvalNumerator(LookupIn(vars)).v == 0.0);
  CHECK(f.EvalDenominator(LookupIn(vars)).v == 0.0);

  vars = {{"won", N(3)}, {"lost", Na("MISSING_COLUMN")}};
  CHECK(f.EvalNumerator(LookupIn(vars)).v == 3.0);
  CHECK(f.EvalDenominator(LookupIn(vars)).reason == "MISSING_COLUMN");

  CHECK(Formula::Parse("(a / b)").IsRatio());
  CHECK(Formula::Parse("a / b / c").IsRatio());
  CHECK_FALSE(Formula::Parse("a / b * c").IsRatio());
  CHECK_FALSE(Formula::Parse("-(a / b)").IsRatio());
  CHECK_FALSE(Formula::Parse("a").IsRatio());
  const Formula sum = Formula::Parse("a + b");
  CHECK_THROWS_AS(sum.EvalNumerator(LookupIn(vars)), std::logic_error);
  CHECK_THROWS_AS(sum.EvalDenominator(LookupIn(vars)), std::logic_error);
}

TEST_CASE("Formula variables: unique, in order, with columns", "[formula]") {
  const Formula f = Formula::Parse("if(lost > 0, won / lost, won) + max(won, target) - lost");
  CHECK(f.variables() == std::vector<std::string>{"lost", "won", "target"});
  CHECK(f.VariableColumn("lost") == 4);
  CHECK(f.VariableColumn("won") == 14);
  CHECK(f.VariableColumn("target") == 42);
  CHECK(f.VariableColumn("if") == 0);  // function names are not variables
  CHECK(f.VariableColumn("nope") == 0);

  // Columns count characters: each U+3000 is 3 bytes, one column.
  const Formula g = Formula::Parse("revenue\u3000/\u3000won\n+ revenue");
  CHECK(g.variables() == std::vector<std::string>{"revenue", "won"});
  CHECK(g.VariableColumn("revenue") == 1);
  CHECK(g.VariableColumn("won") == 11);

  CHECK(Formula::Parse("1 + 2").variables().empty());
}

TEST_CASE("Formula ToString: canonical text", "[formula]") {
  struct Case {
    const char* text;
    const char* canonical;
  };
  const Case cases[] = {
      {"won/(won+lost)", "won / (won + lost)"},
      {"((a))", "a"},
      {"(a + b) + c", "a + b + c"},
      {"a + (b + c)", "a + (b + c)"},
      {"a - (b - c)", "a - (b - c)"},
      {"(a * b) / c", "a * b / c"},
      {"a / (b * c)", "a / (b * c)"},
      {"2^3^2", "2 ^ 3 ^ 2"},
      {"(2^3)^2", "(2 ^ 3) ^ 2"},
      {"-2^2", "-2 ^ 2"},
      {"(-2)^2", "(-2) ^ 2"},
      {"2^-1", "2 ^ -1"},
      {"2^(-1)", "2 ^ -1"},
      {"-(a+b)", "-(a + b)"},
      {"- -a", "--a"},
      {"+a", "a"},
      {"!(a<b)", "!(a < b)"},
      {"(a<b)==(c<d)", "(a < b) == (c < d)"},
      {"a||b&&c", "a || b && c"},
      {"(a||b)&&c", "(a || b) && c"},
      {"1_000_000*35 %", "1_000_000 * 35%"},
      {".5+1E3", ".5 + 1E3"},
      {"min( a ,b,\tc )", "min(a, b, c)"},
      {"if(a>=1,round(b,2),-c)", "if(a >= 1, round(b, 2), -c)"},
      {"a - -b", "a - -b"},
      {"(a*b)^c", "(a * b) ^ c"},
      {"a^(b*c)", "a ^ (b * c)"},
      {"a * (b ^ c)", "a * b ^ c"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    CHECK(Formula::Parse(c.text).ToString() == c.canonical);
  }
  CHECK(Formula().ToString().empty());
}

TEST_CASE("Formula ToString round-trips", "[formula]") {
  const char* texts[] = {
      "won / (won + lost)", "a - (b - c) * 2 ^ -a", "-(a - b) ^ 2", "(-a) ^ b ^ c / 3",
      "if(a < b || !c, min(a, b / c, 1e2), max(-a, 35%)) - round(a / 3, 2)",
      "a == b && (c != a || b >= 2) <= 1", "abs(a - 2 * c) / sqrt(b) + ln(c) * exp(-a)",
      "((a - b) - (c - a)) / ((a / b) / (c / a))", "1_000 * a / 35% ^ 2",
  };
  const Vars vars = {{"a", N(1.5)}, {"b", N(2.25)}, {"c", N(-0.75)}, {"won", N(57)},
                     {"lost", N(78)}};
  for (const char* text : texts) {
    INFO(text);
    const Formula f = Formula::Parse(text);
    const Formula g = Formula::Parse(f.ToString());
    CHECK(g.ToString() == f.ToString());
    const Value x = f.Eval(LookupIn(vars));
    const Value y = g.Eval(LookupIn(vars));
    CHECK(x.v == y.v);
    CHECK(x.reason == y.reason);
    CHECK(g.variables() == f.variables());
  }
}

TEST_CASE("Formula ToWords: names for ids, the signs written by hand", "[formula]") {
  const std::map<std::string, std::string> labels = {
      {"won", "受注件数"}, {"lost", "失注件数"}, {"amount", "受注金額"}, {"a", "Win rate"}};
  const auto name = [&](std::string_view id) {
    const auto it = labels.find(std::string(id));
    return it == labels.end() ? std::string(id) : it->second;
  };
  struct Case {
    const char* text;
    const char* words;
  };
  const Case cases[] = {
      {"won / (won + lost)", "受注件数 ÷ (受注件数 + 失注件数)"},
      {"amount / won * 100%", "受注金額 ÷ 受注件数 × 100%"},
      {"won - lost - (won - lost)", "受注件数 − 失注件数 − (受注件数 − 失注件数)"},
      {"-won ^ 2", "−受注件数 ^ 2"},
      {"if(won >= 10 && lost != 0, won / lost, 0)",
       "if(受注件数 ≥ 10 and 失注件数 ≠ 0, 受注件数 ÷ 失注件数, 0)"},
      {"!(a <= 1) || a == 2", "not (Win rate ≤ 1) or Win rate = 2"},
      {"min(won, other) / 1_000", "min(受注件数, other) ÷ 1_000"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    CHECK(Formula::Parse(c.text).ToWords(name) == c.words);
  }
  // The ids' own names, with the signs only.
  CHECK(Formula::Parse("a / b").ToWords([](std::string_view id) { return std::string(id); }) ==
        "a ÷ b");
  CHECK(Formula().ToWords(name).empty());
}

TEST_CASE("Formula is a cheap, self-contained value", "[formula]") {
  Formula copy;
  CHECK(copy.empty());
  CHECK(copy.Eval(LookupIn({})).reason == "EMPTY_FORMULA");
  CHECK(copy.variables().empty());
  CHECK(copy.shape().kind == Formula::Shape::kOther);
  CHECK_FALSE(copy.IsRatio());
  {
    std::string text = "a * 2";
    const Formula f = Formula::Parse(text);
    text = "garbage";  // the formula does not point into its text
    copy = f;
  }
  CHECK_FALSE(copy.empty());
  CHECK(Num(copy.ToString(), {{"a", N(4)}}) == 8);
  const Formula moved = std::move(copy);
  CHECK(moved.Eval(LookupIn({{"a", N(1)}})).v == 2.0);
}


TEST_CASE("stddev and cv: spreads looked up by their key, ID a dependency", "[formula]") {
  const Formula f = Formula::Parse("100 * cv(win_rate, owner) + stddev(win_rate, \"Lead Source\")");
  REQUIRE(f.spreads().size() == 2);
  CHECK(f.spreads()[0].kind == Formula::Spread::kCv);
  CHECK(f.spreads()[0].of == "win_rate");
  CHECK(f.spreads()[0].over == "owner");
  CHECK(f.spreads()[0].key == "cv(win_rate, owner)");
  CHECK(f.spreads()[0].column == 7);
  CHECK(f.spreads()[1].kind == Formula::Spread::kStddev);
  CHECK(f.spreads()[1].over == "Lead Source");
  CHECK(f.spreads()[1].key == "stddev(win_rate, \"Lead Source\")");
  CHECK(f.variables() == std::vector<std::string>{"win_rate"});
  CHECK(f.ToString() == "100 * cv(win_rate, owner) + stddev(win_rate, \"Lead Source\")");
  CHECK(Formula::Parse(f.ToString()).ToString() == f.ToString());
  // The value comes from the lookup under the key; n/a propagates as any variable's.
  const Vars vars = {{"cv(win_rate, owner)", N(0.25)},
                     {"stddev(win_rate, \"Lead Source\")", N(0.5)}};
  CHECK(f.Eval(LookupIn(vars)).v == 25.5);
  const Vars na = {{"cv(win_rate, owner)", Na("NOT_GROUPED")},
                   {"stddev(win_rate, \"Lead Source\")", N(0.5)}};
  CHECK(f.Eval(LookupIn(na)).reason == "NOT_GROUPED");
  // One key per call however often it is written; backticks and doubled quotes.
  const Formula twice = Formula::Parse("stddev(a, `x y`) / stddev(a, \"x y\")");
  CHECK(twice.spreads().size() == 1);
  CHECK(twice.IsRatio());
  CHECK(twice.shape().kind == Formula::Shape::kOther);
  CHECK(Formula::Parse("cv(a, \"say \"\"hi\"\"\")").spreads()[0].over == "say \"hi\"");
  CHECK(Formula::Parse("cv(a, \"say \"\"hi\"\"\")").ToString() == "cv(a, \"say \"\"hi\"\"\")");
  // stddev and cv are ordinary names elsewhere.
  CHECK(Num("stddev + cv", {{"stddev", N(1)}, {"cv", N(2)}}) == 3);
}

TEST_CASE("stddev and cv: syntax errors at their columns", "[formula]") {
  const std::string usage = "stddev(ID, COLUMN): a metric or KPI id and the column its groups "
                            "are by, e.g. stddev(win_rate, owner)";
  ExpectError("stddev(win_rate)", 16, "expected ',' and the column after 'win_rate'; " + usage);
  ExpectError("stddev(1, owner)", 8, "expected a metric or KPI id; " + usage);
  ExpectError("stddev(a + b, owner)", 10, "expected ',' and the column after 'a'; " + usage);
  ExpectError("stddev(abs(a), owner)", 8, "'abs' is a function; " + usage);
  ExpectError("stddev(a, 3)", 11,
              "expected the column the groups are by (a name, or \"quoted\"); " + usage);
  ExpectError("stddev(a, owner, x)", 16, "expected ')' to close '(' opened at column 7; " + usage);
  ExpectError("stddev(a, \"owner)", 11, "unclosed \" quote");
  ExpectError("stddev(a, \"\")", 11, "an empty column name");
  ExpectError("cv(a, \"x\xff\")", 7, "invalid UTF-8 byte 0xFF in a quoted name");
  // Overlong and surrogate forms are not UTF-8 either (the formula fuzzer's find).
  ExpectError("cv(a, \"x\xe0\x80\x80\")", 7, "invalid UTF-8 byte 0xE0 in a quoted name");
  ExpectError("cv(a, \"x\xed\xa0\x80\")", 7, "invalid UTF-8 byte 0xED in a quoted name");
  ExpectError("a + \"owner\"", 5, "unexpected '\"owner\"'");
  ExpectError("cv(a, 担当者)", 7,
              "unexpected '担' (names are ASCII: letters, digits, _)");
}

}  // namespace
}  // namespace crmkpi
