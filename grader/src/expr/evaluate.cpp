#include "grader/expr/evaluate.hpp"

#include <cmath>
#include <stdexcept>

#include "functions.hpp"
#include "grader/suggest.hpp"
#include "ops.hpp"

namespace grader::expr {

const Tensor* Scope::find(const std::string& name) const {
  for (const auto* layer : layers_) {
    const auto it = layer->find(name);
    if (it != layer->end()) return &it->second;
  }
  return nullptr;
}

Generator* Scope::generator(const std::string& name) const {
  if (!generators_) return nullptr;
  const auto it = generators_->find(name);
  return it == generators_->end() ? nullptr : &it->second;
}

std::vector<std::string> Scope::names() const {
  std::vector<std::string> out;
  for (const auto* layer : layers_)
    for (const auto& [name, value] : *layer) out.push_back(name);
  return out;
}

namespace {

class Evaluator {
 public:
  explicit Evaluator(const Scope& scope) : scope_(scope) {}

  Tensor eval(const Node& node) {
    try {
      return eval_unchecked(node);
    } catch (const ExprError&) {
      throw;
    } catch (const std::invalid_argument& e) {
      throw ExprError(node.offset, e.what());
    } catch (const std::length_error& e) {
      throw ExprError(node.offset, e.what());
    }
  }

 private:
  const Scope& scope_;

  Tensor eval_unchecked(const Node& node) {
    switch (node.kind) {
      case Node::Kind::number:
        return Tensor::scalar(node.number);
      case Node::Kind::name: {
        if (const Tensor* t = scope_.find(node.text)) return *t;
        if (scope_.generator(node.text))
          throw ExprError(node.offset,
                          "'" + node.text + "' is a generator: draw from it, e.g. randn(" + node.text + ", 4, 3)");
        if (find_function(node.text))
          throw ExprError(node.offset, "'" + node.text + "' is a function; call it: " + node.text + "(...)");
        throw ExprError(node.offset, "unknown name '" + node.text + "'" + did_you_mean(node.text, scope_.names()),
                        node.text);
      }
      case Node::Kind::list: {
        std::vector<Tensor> elements;
        for (const auto& child : node.children) elements.push_back(eval(*child));
        return ops::from_elements(elements);
      }
      case Node::Kind::negate:
        return ops::map(eval(*node.children[0]), [](double v) { return -v; });
      case Node::Kind::binary: {
        const Tensor a = eval(*node.children[0]);
        const Tensor b = eval(*node.children[1]);
        if (node.text == "@") return ops::matmul(a, b);
        return ops::elementwise(a, b, node.text);
      }
      case Node::Kind::call:
        return call(node);
      case Node::Kind::index:
        return index(node);
      case Node::Kind::slice:
        throw ExprError(node.offset, "a slice ':' can only appear inside [...]");
    }
    throw std::logic_error("unknown expression node");
  }

  long long whole_number(const Node& node, const char* what) {
    const Tensor t = eval(node);
    const auto v = t.rank() == 0 ? ops::whole_value(t[0]) : std::nullopt;
    if (!v) throw ExprError(node.offset, std::string(what) + " must be a whole number");
    return *v;
  }

  Tensor index(const Node& node) {
    const Tensor target = eval(*node.children[0]);
    std::vector<ops::IndexItem> items;
    for (std::size_t i = 1; i < node.children.size(); ++i) {
      const Node& child = *node.children[i];
      ops::IndexItem item;
      if (child.kind == Node::Kind::slice) {
        item.kind = ops::IndexItem::Kind::slice;
        const auto bound = [&](std::size_t k) -> std::optional<long long> {
          if (!child.children[k]) return std::nullopt;
          return whole_number(*child.children[k], "a slice bound");
        };
        item.start = bound(0);
        item.stop = bound(1);
        item.step = bound(2);
      } else {
        const Tensor value = eval(child);
        if (value.rank() == 1) {
          item.kind = ops::IndexItem::Kind::list;
          for (double v : value.values()) {
            const auto whole = ops::whole_value(v);
            if (!whole) throw ExprError(child.offset, "indices must be whole numbers");
            item.list.push_back(*whole);
          }
        } else {
          item.integer = whole_number(child, "an index");
        }
      }
      items.push_back(std::move(item));
    }
    try {
      return ops::index(target, items);
    } catch (const std::invalid_argument& e) {
      throw ExprError(node.offset, e.what());
    }
  }

  /// The generator a drawing function's first argument names.
  Generator* generator_argument(const Node& node, const Function& f) {
    if (!scope_.can_draw())
      throw ExprError(node.offset, f.info.name +
                                       "() draws random numbers, which only the data section may do: "
                                       "draw there, from a generator ({generator: torch, seed: 0}), and use the "
                                       "result by name");
    const Node* arg = node.children.empty() ? nullptr : node.children.front().get();
    if (!arg || arg->kind != Node::Kind::name)
      throw ExprError(arg ? arg->offset : node.offset,
                      f.info.name + "() needs a generator first, e.g. " + f.info.name +
                          "(gen, 4, 3) after `gen: {generator: torch, seed: 0}` in the data section");
    if (Generator* g = scope_.generator(arg->text)) return g;
    throw ExprError(arg->offset,
                    "'" + arg->text +
                        "' is not a generator of the data section; define it above, "
                        "e.g. " +
                        arg->text + ": {generator: torch, seed: 0}",
                    arg->text);
  }

  Tensor call(const Node& node) {
    const Function* f = find_function(node.text);
    if (!f)
      throw ExprError(node.offset, "unknown function '" + node.text + "'" + did_you_mean(node.text, function_names()));
    const auto& params = f->parameters;
    std::vector<std::optional<Tensor>> bound(params.size());
    std::vector<Tensor> rest;
    std::size_t next = 0;
    Generator* generator = nullptr;
    auto first = node.children.begin();
    if (f->draw) {  // randn(gen, 4, 3): the first argument names a generator
      generator = generator_argument(node, *f);
      ++first;
    }
    for (auto it = first; it != node.children.end(); ++it) {
      const auto& child = *it;
      while (next < params.size() && params[next].keyword_only) ++next;
      if (next < params.size()) {
        bound[next++] = eval(*child);
      } else if (!f->rest.empty()) {
        rest.push_back(eval(*child));
      } else {
        throw ExprError(child->offset, f->info.signature + " takes at most " + std::to_string(params.size()) +
                                           " arguments, got " + std::to_string(node.children.size()));
      }
    }
    for (const auto& kw : node.keywords) {
      std::size_t i = 0;
      while (i < params.size() && params[i].name != kw.name) ++i;
      if (i == params.size()) {
        std::vector<std::string> names;
        for (const auto& p : params) names.push_back(p.name);
        throw ExprError(kw.offset, f->info.name + "() has no parameter '" + kw.name + "'" +
                                       did_you_mean(kw.name, names) + " (" + f->info.signature + ")");
      }
      if (bound[i]) throw ExprError(kw.offset, f->info.name + "(): '" + kw.name + "' is given twice");
      bound[i] = eval(*kw.value);
    }
    std::vector<const Tensor*> pointers(params.size(), nullptr);
    std::vector<Tensor> defaults;
    defaults.reserve(params.size());
    for (std::size_t i = 0; i < params.size(); ++i) {
      if (bound[i]) {
        pointers[i] = &*bound[i];
      } else if (params[i].default_number) {
        defaults.push_back(Tensor::scalar(*params[i].default_number));
        pointers[i] = &defaults.back();
      } else if (params[i].required) {
        throw ExprError(node.offset, f->info.name + "() is missing its argument '" + params[i].name + "' (" +
                                         f->info.signature + ")");
      }
    }
    try {
      Arguments args(f->info.name, std::move(pointers), std::move(rest));
      return generator ? f->draw(*generator, args) : f->call(args);
    } catch (const std::invalid_argument& e) {
      const std::string message = e.what();
      // The reference's own messages already start with "name(): ".
      const bool named = message.rfind(f->info.name + "(", 0) == 0 || message.find("(): ") != std::string::npos;
      throw ExprError(node.offset, named ? message : f->info.name + "(): " + message);
    }
  }
};

}  // namespace

Tensor evaluate(const Node& node, const Scope& scope) { return Evaluator(scope).eval(node); }

}  // namespace grader::expr
