#include "document.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../text.hpp"
#include "grader/answers/read.hpp"

namespace grader {

/// Adds nodes in document order; containers stay open on an explicit stack.
class DocumentBuilder {
 public:
  explicit DocumentBuilder(bool json) { doc_.json_ = json; }

  Document::Id add(Document::Kind kind, int line = 0, int column = 0) {
    if (doc_.nodes_.size() >= std::numeric_limits<Document::Id>::max()) throw ReadError("has too many values");
    const auto id = static_cast<Document::Id>(doc_.nodes_.size());
    Document::Node node{};
    node.kind = kind;
    node.line = static_cast<std::uint32_t>(line);
    node.column = static_cast<std::uint32_t>(column);
    doc_.nodes_.push_back(node);
    if (open_.empty()) {
      if (!doc_.root_) doc_.root_ = id;
    } else {
      open_.back().second.push_back(id);
    }
    return id;
  }
  Document::Id add_text(Document::Kind kind, std::string_view text, int line = 0, int column = 0) {
    const Document::Id id = add(kind, line, column);
    doc_.nodes_[id].first = static_cast<std::uint32_t>(doc_.pool_.size());
    doc_.nodes_[id].count = static_cast<std::uint32_t>(text.size());
    doc_.pool_ += text;
    return id;
  }
  void add_number(double v) { doc_.nodes_[add(Document::Kind::number)].number = v; }
  /// `shown` must outlive the document (a literal).
  Document::Id add_other(std::string_view shown, int line = 0, int column = 0) {
    const Document::Id id = add(Document::Kind::other, line, column);
    doc_.nodes_[id].other = shown;
    return id;
  }
  void add_alias(Document::Id target, int line, int column) {
    doc_.nodes_[add(Document::Kind::alias, line, column)].first = target;
  }
  Document::Id open(Document::Kind kind, int line = 0, int column = 0) {
    const Document::Id id = add(kind, line, column);
    open_.emplace_back(id, std::vector<Document::Id>{});
    return id;
  }
  void close() {
    auto& [id, items] = open_.back();
    doc_.nodes_[id].first = static_cast<std::uint32_t>(doc_.items_.size());
    doc_.nodes_[id].count = static_cast<std::uint32_t>(items.size());
    doc_.items_.insert(doc_.items_.end(), items.begin(), items.end());
    open_.pop_back();
  }
  bool done() const { return doc_.root_ && open_.empty(); }
  Document finish() { return std::move(doc_); }

 private:
  Document doc_;
  std::vector<std::pair<Document::Id, std::vector<Document::Id>>> open_;
};

namespace {

constexpr std::size_t kShownBytes = 40;

class YamlEvents : public YAML::EventHandler {
 public:
  explicit YamlEvents(DocumentBuilder& b) : b_(b) {}

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    remember(anchor, b_.add_other("nothing", mark.line + 1, mark.column + 1));
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    const auto target = anchors_.find(anchor);  // yaml-cpp itself refuses unknown anchors
    if (target == anchors_.end())
      throw ReadError("is not valid YAML (line " + std::to_string(mark.line + 1) + "): an alias names no anchor");
    b_.add_alias(target->second, mark.line + 1, mark.column + 1);
  }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor, const std::string& value) override {
    remember(anchor, b_.add_text(Document::Kind::scalar, value, mark.line + 1, mark.column + 1));
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    remember(anchor, b_.open(Document::Kind::list, mark.line + 1, mark.column + 1));
  }
  void OnSequenceEnd() override { b_.close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    remember(anchor, b_.open(Document::Kind::map, mark.line + 1, mark.column + 1));
  }
  void OnMapEnd() override { b_.close(); }

 private:
  DocumentBuilder& b_;
  std::map<YAML::anchor_t, Document::Id> anchors_;

  void remember(YAML::anchor_t anchor, Document::Id id) {
    if (anchor != YAML::NullAnchor) anchors_[anchor] = id;
  }
};

class JsonEvents : public nlohmann::json_sax<nlohmann::json> {
 public:
  explicit JsonEvents(DocumentBuilder& b) : b_(b) {}
  std::string error;

  bool null() override { return b_.add_other("null"), true; }
  bool boolean(bool v) override { return b_.add_other(v ? "true" : "false"), true; }
  bool number_integer(number_integer_t v) override { return b_.add_number(static_cast<double>(v)), true; }
  bool number_unsigned(number_unsigned_t v) override { return b_.add_number(static_cast<double>(v)), true; }
  bool number_float(number_float_t v, const string_t&) override { return b_.add_number(v), true; }
  bool string(string_t& v) override { return b_.add_text(Document::Kind::scalar, v), true; }
  bool binary(binary_t&) override { return b_.add_other("binary data"), true; }
  bool start_object(std::size_t) override { return b_.open(Document::Kind::map), true; }
  bool key(string_t& v) override { return b_.add_text(Document::Kind::scalar, v), true; }
  bool end_object() override { return b_.close(), true; }
  bool start_array(std::size_t) override { return b_.open(Document::Kind::list), true; }
  bool end_array() override { return b_.close(), true; }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
    error = e.what();
    return false;
  }

 private:
  DocumentBuilder& b_;
};

}  // namespace

Document Document::from_yaml(std::string_view text) {
  DocumentBuilder builder(false);
  YamlEvents events(builder);
  try {
    std::istringstream in{std::string(text)};
    YAML::Parser parser(in);
    parser.HandleNextDocument(events);  // the first document, as YAML::Load reads
  } catch (const YAML::DeepRecursion& e) {
    throw ReadError("is not valid YAML (line " + std::to_string(e.mark.line + 1) + "): lists and mappings nested " +
                    std::to_string(e.depth()) + " levels deep (yaml-cpp's limit); an answer has rank 3 at most");
  } catch (const YAML::Exception& e) {
    throw ReadError("is not valid YAML (line " + std::to_string(e.mark.line + 1) + "): " + one_line(e.msg, 200));
  }
  return builder.finish();
}

Document Document::from_json(std::string_view text) {
  DocumentBuilder builder(true);
  JsonEvents events(builder);
  if (!nlohmann::json::sax_parse(text.begin(), text.end(), &events) || !builder.done())
    throw ReadError("is not valid JSON: " + one_line(events.error, 200));
  return builder.finish();
}

Document::Id Document::resolved(Id id) const { return nodes_[id].kind == Kind::alias ? nodes_[id].first : id; }

std::span<const Document::Id> Document::items(Id id) const {
  const Node& n = nodes_[resolved(id)];
  if (n.kind != Kind::list && n.kind != Kind::map) return {};
  return std::span<const Id>(items_).subspan(n.first, n.count);
}

std::optional<std::string_view> Document::text(Id id) const {
  const Node& n = nodes_[resolved(id)];
  if (n.kind != Kind::scalar) return std::nullopt;
  return std::string_view(pool_).substr(n.first, n.count);
}

std::optional<double> Document::number(Id id) const {
  const Node& n = nodes_[resolved(id)];
  if (n.kind == Kind::number) return n.number;
  if (n.kind != Kind::scalar || json_) return std::nullopt;
  double v = 0.0;  // YAML's own reading of a scalar as a number
  if (YAML::convert<double>::decode(YAML::Node(std::string(*text(id))), v)) return v;
  return std::nullopt;
}

std::string Document::show(Id id) const {
  const Node& n = nodes_[resolved(id)];
  const char* quote = json_ ? "\"" : "'";
  switch (n.kind) {
    case Kind::scalar:
      return quote + one_line(*text(id), kShownBytes) + quote;
    case Kind::map:
      return json_ ? "an object" : "a mapping";
    case Kind::list:
      return "a list";
    case Kind::number:
      return std::to_string(n.number);
    default:
      return std::string(n.other);
  }
}

std::pair<int, int> Document::mark(Id id) const {
  return {static_cast<int>(nodes_[id].line), static_cast<int>(nodes_[id].column)};
}

}  // namespace grader
