// The parsed form of a formula (crmkpi/definition/formula.h): the node tree formula_parser.cc
// builds and formula.cc evaluates, prints and classifies, with the operators and functions it
// holds.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crmkpi/definition/formula.h"

namespace crmkpi::internal {

// Parsing, evaluation and printing recurse over the tree; a bound keeps a pathological formula
// (thousands of nested parentheses) an error instead of a stack overflow.
inline constexpr int kMaxDepth = 256;

enum class Op : std::uint8_t {
  kNumber, kVariable, kNeg, kNot, kAdd, kSub, kMul, kDiv, kPow,
  kLt, kLe, kGt, kGe, kEq, kNe, kAnd, kOr, kCall,
  kSpread,  // stddev(ID, COLUMN) / cv(ID, COLUMN): looked up by its key (Formula::Spread)
};

enum class Fn : std::uint8_t { kMin, kMax, kAbs, kIf, kSqrt, kLn, kExp, kRound };

struct FnInfo {
  std::string_view name;
  Fn fn;
  int min_args;
  int max_args;  // -1: no limit
};

inline constexpr FnInfo kFunctions[] = {
    {"min", Fn::kMin, 1, -1},  {"max", Fn::kMax, 1, -1},   {"abs", Fn::kAbs, 1, 1},
    {"if", Fn::kIf, 3, 3},     {"sqrt", Fn::kSqrt, 1, 1},  {"ln", Fn::kLn, 1, 1},
    {"exp", Fn::kExp, 1, 1},   {"round", Fn::kRound, 1, 2},
};

// The nodes in one vector, children by index: one allocation for the vector instead of one per
// node, and a copy of the Formula shares it.
struct FormulaTree {
  struct Node {
    Op op = Op::kNumber;
    Fn fn = Fn::kMin;       // kCall
    double number = 0;      // kNumber
    std::string text;       // kNumber: the spelling ("1_000", "35%"); kVariable: the name;
                            // kSpread: its key
    int spread = -1;        // kSpread: index in spreads
    std::vector<int> kids;  // operands / arguments, indexes into nodes
    int depth = 1;
  };

  std::vector<Node> nodes;
  int root = -1;  // -1: the empty formula
  std::vector<std::string> variables;
  std::vector<int> variable_columns;
  std::vector<Formula::Spread> spreads;
};

}  // namespace crmkpi::internal
