#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>

#include "functions.hpp"
#include "grader/expr/ast.hpp"

namespace grader::expr {

namespace {

/// A recursive-descent parser over the raw text; precedence, loosest first:
/// `+ -`, then `* / @`, then unary `-`, then `**` (as Python: -x ** 2 is -(x ** 2), 2 ** -1
/// is 0.5, 2 ** 3 ** 2 is 2 ** 9), then calls and `[...]`.
class Parser {
 public:
  explicit Parser(const std::string& text) : text_(text) {}

  NodePtr parse_all() {
    if (text_.size() > kMaxLength)
      fail(kMaxLength, "an expression may be at most " + std::to_string(kMaxLength) +
                           " characters long; put large values in the data section");
    NodePtr node = parse_additive();
    skip_space();
    if (pos_ < text_.size())
      fail(pos_, "unexpected '" + std::string(1, text_[pos_]) + "' after a complete expression" + dot_advice());
    return node;
  }

 private:
  const std::string& text_;
  std::size_t pos_ = 0;
  int depth_ = 0;
  std::size_t nodes_ = 0;

  static constexpr int kMaxDepth = 200;
  /// Terms of one expression: a chain such as 1+1+...+1 nests as deeply as it is long.
  static constexpr std::size_t kMaxNodes = 1000;
  static constexpr std::size_t kMaxLength = 10000;

  [[noreturn]] void fail(std::size_t at, const std::string& message) { throw ExprError(at, message); }

  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }

  bool accept(char c) {
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  void expect(char c, const std::string& context) {
    if (!accept(c)) {
      skip_space();
      const std::string found = pos_ < text_.size() ? "'" + std::string(1, text_[pos_]) + "'" : "the end";
      fail(pos_, std::string("expected '") + c + "' " + context + ", found " + found + dot_advice());
    }
  }

  /// At a '.' after a name or a call: Python's attribute or method, which an expression has not
  /// (found by an instructor helper: `Q @ K.T / np.sqrt(8)` was told only "unexpected '.'"),
  /// and what to write instead; else "".
  std::string dot_advice() const {
    if (pos_ >= text_.size() || text_[pos_] != '.') return "";
    const auto word = [&](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_'; };
    std::size_t from = pos_, to = pos_ + 1;
    while (from > 0 && word(text_[from - 1])) --from;
    while (to < text_.size() && word(text_[to])) ++to;
    const std::string before = text_.substr(from, pos_ - from), after = text_.substr(pos_ + 1, to - pos_ - 1);
    if (after.empty() || std::isdigit(static_cast<unsigned char>(after[0]))) return "";  // 1.5.2
    const auto names = function_names();
    const bool known = std::find(names.begin(), names.end(), after) != names.end();
    const std::string listed = "docs/spec-format.md lists the functions there are";
    if (before == "np" || before == "numpy" || before == "torch" || before == "F" || before == "math")
      return ": functions are written without their module" +
             (known ? ", " + after + "(...) for " + before + "." + after + "(...)"
                    : ", and there is no function '" + after + "' (" + listed + ")");
    if (after == "T") return ": an expression has no attributes; write transpose(x) for x.T";
    return ": an expression has no methods or attributes" +
           (known ? "; write " + after + "(x, ...) for x." + after + "(...)"
                  : ", and there is no function '" + after + "' (" + listed + ")");
  }

  char peek() {
    skip_space();
    return pos_ < text_.size() ? text_[pos_] : '\0';
  }

  NodePtr make(Node::Kind kind, std::size_t offset) {
    if (++nodes_ > kMaxNodes)
      fail(offset,
           "an expression may have at most " + std::to_string(kMaxNodes) + " terms; split it over data entries");
    auto node = std::make_unique<Node>();
    node->kind = kind;
    node->offset = offset;
    return node;
  }

  struct DepthGuard {
    Parser& p;
    explicit DepthGuard(Parser& parser, std::size_t at) : p(parser) {
      if (++p.depth_ > kMaxDepth) p.fail(at, "expression is nested too deeply");
    }
    ~DepthGuard() { --p.depth_; }
  };

  /// A chain `a + b + c ...` or `a[0][1]...` nests each link one level deeper in the tree
  /// (evaluating it recurses once per link): the links count as depth until the chain ends.
  struct ChainGuard {
    Parser& p;
    int start;
    explicit ChainGuard(Parser& parser) : p(parser), start(parser.depth_) {}
    void link(std::size_t at) {
      if (++p.depth_ > kMaxDepth) p.fail(at, "expression is nested too deeply");
    }
    ~ChainGuard() { p.depth_ = start; }
  };

  NodePtr parse_additive() {
    ChainGuard chain(*this);
    NodePtr left = parse_multiplicative();
    for (;;) {
      const char c = peek();
      if (c != '+' && c != '-') return left;
      const std::size_t at = pos_++;
      chain.link(at);
      left = binary(std::string(1, c), at, std::move(left), parse_multiplicative());
    }
  }

  NodePtr parse_multiplicative() {
    ChainGuard chain(*this);
    NodePtr left = parse_unary();
    for (;;) {
      const char c = peek();
      if (c != '*' && c != '/' && c != '@') return left;
      const std::size_t at = pos_++;
      chain.link(at);
      left = binary(std::string(1, c), at, std::move(left), parse_unary());
    }
  }

  NodePtr binary(std::string op, std::size_t at, NodePtr a, NodePtr b) {
    NodePtr node = make(Node::Kind::binary, at);
    node->text = std::move(op);
    node->children.push_back(std::move(a));
    node->children.push_back(std::move(b));
    return node;
  }

  NodePtr parse_unary() {
    const char c = peek();
    DepthGuard guard(*this, pos_);
    if (c == '-' || c == '+') {
      const std::size_t at = pos_++;
      NodePtr operand = parse_unary();
      if (c == '+') return operand;
      NodePtr node = make(Node::Kind::negate, at);
      node->children.push_back(std::move(operand));
      return node;
    }
    return parse_power();
  }

  /// `base ** exponent`, the exponent a unary expression (so right-associative, each level
  /// counted by parse_unary's depth guard).
  NodePtr parse_power() {
    NodePtr base = parse_postfix();
    if (peek() == '*' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '*') {
      const std::size_t at = pos_;
      pos_ += 2;
      return binary("**", at, std::move(base), parse_unary());
    }
    return base;
  }

  NodePtr parse_postfix() {
    ChainGuard chain(*this);
    NodePtr node = parse_primary();
    while (peek() == '[') {
      const std::size_t at = pos_++;
      chain.link(at);
      NodePtr index = make(Node::Kind::index, at);
      index->children.push_back(std::move(node));
      do {
        index->children.push_back(parse_index_item());
      } while (accept(','));
      expect(']', "to close the index");
      node = std::move(index);
    }
    return node;
  }

  NodePtr parse_index_item() {
    const std::size_t at = (skip_space(), pos_);
    NodePtr start;
    if (peek() != ':') start = parse_additive();
    if (peek() != ':') {
      if (!start) fail(at, "expected an index");
      return start;
    }
    NodePtr slice = make(Node::Kind::slice, at);
    ++pos_;  // ':'
    NodePtr stop, step;
    if (peek() != ':' && peek() != ',' && peek() != ']') stop = parse_additive();
    if (accept(':') && peek() != ',' && peek() != ']') step = parse_additive();
    slice->children.push_back(std::move(start));
    slice->children.push_back(std::move(stop));
    slice->children.push_back(std::move(step));
    return slice;
  }

  NodePtr parse_primary() {
    const char c = peek();
    const std::size_t at = pos_;
    if (c == '\0') fail(at, "expected a value, found the end of the expression");
    if (c == '(') {
      ++pos_;
      NodePtr inner = parse_additive();
      expect(')', "to close '('");
      return inner;
    }
    if (c == '[') {
      ++pos_;
      NodePtr list = make(Node::Kind::list, at);
      if (!accept(']')) {
        do {
          list->children.push_back(parse_additive());
        } while (accept(','));
        expect(']', "to close the list");
      }
      return list;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') return parse_number();
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      std::string name = parse_identifier();
      if (peek() == '(') return parse_call(std::move(name), at);
      if (const auto value = constant(name)) {
        NodePtr node = make(Node::Kind::number, at);
        node->number = *value;
        return node;
      }
      NodePtr node = make(Node::Kind::name, at);
      node->text = std::move(name);
      return node;
    }
    fail(at, "unexpected '" + std::string(1, c) + "'");
  }

  std::string parse_identifier() {
    const std::size_t start = pos_;
    while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_')) ++pos_;
    return text_.substr(start, pos_ - start);
  }

  NodePtr parse_number() {
    const std::size_t at = pos_;
    double value = 0.0;
    const char* first = text_.data() + pos_;
    const char* last = text_.data() + text_.size();
    const auto [end, ec] = std::from_chars(first, last, value);
    if (ec != std::errc() || end == first) fail(at, "malformed number");
    pos_ += static_cast<std::size_t>(end - first);
    if (pos_ < text_.size() && (std::isalpha(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_'))
      fail(at, "malformed number '" + text_.substr(at, pos_ + 1 - at) + "'");
    NodePtr node = make(Node::Kind::number, at);
    node->number = value;
    return node;
  }

  NodePtr parse_call(std::string name, std::size_t at) {
    NodePtr call = make(Node::Kind::call, at);
    call->text = std::move(name);
    ++pos_;  // '('
    if (accept(')')) return call;
    do {
      skip_space();
      const std::size_t arg_at = pos_;
      // A keyword argument is `identifier =` (but not `==`).
      std::size_t probe = pos_;
      while (probe < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[probe])) || text_[probe] == '_'))
        ++probe;
      std::size_t after = probe;
      while (after < text_.size() && std::isspace(static_cast<unsigned char>(text_[after]))) ++after;
      const bool keyword = probe > pos_ && !std::isdigit(static_cast<unsigned char>(text_[pos_])) &&
                           after < text_.size() && text_[after] == '=' &&
                           (after + 1 >= text_.size() || text_[after + 1] != '=');
      if (keyword) {
        KeywordArg kw{text_.substr(pos_, probe - pos_), arg_at, nullptr};
        pos_ = after + 1;
        kw.value = parse_additive();
        for (const auto& other : call->keywords)
          if (other.name == kw.name) fail(arg_at, "keyword '" + kw.name + "' given twice");
        call->keywords.push_back(std::move(kw));
      } else {
        if (!call->keywords.empty()) fail(arg_at, "positional argument after a keyword argument");
        call->children.push_back(parse_additive());
      }
    } while (accept(','));
    expect(')', "to close the call of " + call->text + "()");
    return call;
  }
};

void collect(const Node& node, std::set<std::string>& out) {
  if (node.kind == Node::Kind::name) out.insert(node.text);
  for (const auto& child : node.children)
    if (child) collect(*child, out);
  for (const auto& kw : node.keywords) collect(*kw.value, out);
}

}  // namespace

NodePtr parse(const std::string& text) { return Parser(text).parse_all(); }

std::optional<double> constant(const std::string& name) {
  if (name == "inf") return std::numeric_limits<double>::infinity();
  return std::nullopt;
}

std::set<std::string> names_used(const Node& node) {
  std::set<std::string> out;
  collect(node, out);
  return out;
}

}  // namespace grader::expr
