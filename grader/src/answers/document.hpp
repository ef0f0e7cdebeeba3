#pragma once
/// answers.yaml and answers.json as a flat tree of nodes, built from the events of yaml-cpp's
/// parser and nlohmann::json's SAX parser, without recursion of our own and without their
/// document trees (YAML::Load took 9.3 s and 940 MB for a 4 MB list of 2 million numbers, its
/// events alone 1.2 s and 15 MB; a JSON tree is copied and destroyed recursively). An alias stays one node pointing at
/// its anchor, so a document of repeated aliases stays as small as its text; tensor_from_nested() bounds what reading
/// it expands.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace grader {

class Document {
 public:
  using Id = std::uint32_t;
  enum class Kind : std::uint8_t {
    list,
    map,     ///< items: key, value, key, value, ...
    scalar,  ///< YAML scalar, or JSON string
    number,  ///< JSON number
    other,   ///< YAML null; JSON true, false, null
    alias,   ///< YAML *name: stands for the node its anchor names
  };

  /// Parses YAML (its first document); throws ReadError naming the line.
  static Document from_yaml(std::string_view text);
  /// Parses JSON; throws ReadError with the JSON parser's reason.
  static Document from_json(std::string_view text);

  /// The top node; nothing for an empty document.
  std::optional<Id> root() const { return root_; }
  /// The node itself, or the one an alias stands for.
  Id resolved(Id id) const;
  Kind kind(Id id) const { return nodes_[resolved(id)].kind; }
  std::span<const Id> items(Id id) const;
  /// A scalar's text (a JSON string's value); nothing for other nodes.
  std::optional<std::string_view> text(Id id) const;
  /// A number as the document's own rules read it (YAML: 1e3, .inf, .nan; JSON: numbers only).
  std::optional<double> number(Id id) const;
  /// How a message names the node: "'x'", "\"x\"", "a mapping", "true", "nothing", short and
  /// safe to print.
  std::string show(Id id) const;
  /// 1-based line and column of the node itself (an alias: where it is written); 0 if unknown.
  std::pair<int, int> mark(Id id) const;

 private:
  friend class DocumentBuilder;
  struct Node {
    Kind kind;
    std::uint32_t line = 0, column = 0;
    std::uint32_t first = 0, count = 0;  ///< items, text in pool_, or an alias's target
    double number = 0.0;
    std::string_view other;  ///< the text shown for Kind::other
  };
  bool json_ = false;
  std::vector<Node> nodes_;
  std::vector<Id> items_;
  std::string pool_;
  std::optional<Id> root_;
};

/// How tensor_from_nested() reads a Document.
struct DocumentAccess {
  const Document& doc;
  bool is_list(Document::Id n) const { return doc.kind(n) == Document::Kind::list; }
  std::span<const Document::Id> items(Document::Id n) const { return doc.items(n); }
  std::optional<double> number(Document::Id n) const { return doc.number(n); }
  std::string show(Document::Id n) const { return doc.show(n); }
  std::pair<int, int> mark(Document::Id n) const { return doc.mark(n); }
};

}  // namespace grader
