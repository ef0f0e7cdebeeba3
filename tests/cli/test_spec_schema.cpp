// docs/spec.schema.json, the JSON Schema editors validate specs with: every bundled spec (read
// as YAML 1.2, as editors read it) validates, the schema line heads each of them, and typos
// are rejected. The validator is Debian's python3-jsonschema (the reference implementation).
#include <yaml-cpp/yaml.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>

#include "support/fixtures.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using test_support::read_file;
using test_support::TempDir;

namespace {

/// A YAML node as JSON, resolving plain scalars with YAML 1.2's core schema.
json to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Sequence: {
      json out = json::array();
      for (const auto& item : node) out.push_back(to_json(item));
      return out;
    }
    case YAML::NodeType::Map: {
      json out = json::object();
      for (const auto& kv : node) out[kv.first.Scalar()] = to_json(kv.second);
      return out;
    }
    case YAML::NodeType::Scalar: {
      const std::string s = node.Scalar();
      if (node.Tag() == "!") return s;  // quoted
      static const std::regex integer(R"([-+]?[0-9]+)"), real(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
      if (s == "true" || s == "false") return s == "true";
      if (s == "null" || s == "~") return nullptr;
      if (std::regex_match(s, integer)) return std::stoll(s);
      if (std::regex_match(s, real)) return std::stod(s);
      return s;
    }
    default:
      return nullptr;
  }
}

/// Validates `instance` against the schema; returns the validator's complaint, empty if none.
std::string violations(const json& instance) {
  TempDir dir;
  const auto file = dir.write("instance.json", instance.dump());
  const std::string script =
      "import json, sys, jsonschema\n"
      "schema = json.load(open(sys.argv[1]))\n"
      "jsonschema.Draft7Validator.check_schema(schema)\n"
      "errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(json.load(open(sys.argv[2]))), key=str)\n"
      "for e in errors: print(e.message, 'at', '/'.join(map(str, e.absolute_path)))\n";
  const auto r = test_support::run_process(
      {"/usr/bin/python3", "-c", script, test_support::source_path("docs/spec.schema.json"), file.string()});
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, "the validator failed (is python3-jsonschema installed?): " << r.err);
  return r.out;
}

json bundled(const std::string& name) {
  return to_json(YAML::LoadFile(test_support::source_path("specs/" + name + ".yaml")));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(spec_schema)

BOOST_AUTO_TEST_CASE(every_bundled_spec_validates_and_names_the_schema) {
  std::size_t specs = 0;
  for (const auto& f : fs::directory_iterator(test_support::source_path("specs"))) {
    if (f.path().extension() != ".yaml") continue;
    BOOST_TEST_CONTEXT(f.path().filename()) {
      BOOST_TEST(read_file(f.path()).rfind("# yaml-language-server: $schema=../docs/spec.schema.json\n", 0) == 0u);
      BOOST_TEST(violations(to_json(YAML::LoadFile(f.path().string()))) == "");
    }
    ++specs;
  }
  BOOST_TEST(specs == 4u);
}

BOOST_AUTO_TEST_CASE(the_documented_command_validates_every_bundled_spec_as_yaml_1_1) {
  // PyYAML reads YAML 1.1, where 1e-9 is text: the command editors and scripts use must agree
  // with the grader on every bundled spec.
  std::vector<std::string> argv = {test_support::source_path("scripts/validate-spec")};
  for (const auto& f : fs::directory_iterator(test_support::source_path("specs")))
    if (f.path().extension() == ".yaml") argv.push_back(f.path().string());
  const auto r = test_support::run_process(argv);
  BOOST_TEST(r.exit_code == 0, r.out << r.err);
  BOOST_TEST(r.out.find("is not of type") == std::string::npos, r.out);
  // A number YAML 1.1 reads as text is named, with its place.
  TempDir dir;
  std::string text = read_file(test_support::source_path("specs/sdpa-masked.yaml"));
  text.replace(text.find("atol: 1.0e-9"), 12, "atol: 1e-9");
  const auto bad = dir.write("bad.yaml", text);
  const auto rb = test_support::run_process({test_support::source_path("scripts/validate-spec"), bad.string()});
  BOOST_TEST(rb.exit_code == 1);
  BOOST_TEST(rb.out.find("exercises/0/tolerance/atol: '1e-9' is not of type 'number'") != std::string::npos, rb.out);
}

BOOST_AUTO_TEST_CASE(numbers_in_the_docs_yaml_examples_are_numbers_to_yaml_1_1_too) {
  // Every ```yaml block of the docs: a plain scalar that YAML 1.2 reads as a number must be a
  // number to YAML 1.1 as well (1.0e-9, not 1e-9).
  const std::string script =
      "import re, sys, yaml\n"
      "number = re.compile(r'^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$')\n"
      "for path in sys.argv[1:]:\n"
      "    text = open(path, encoding='utf-8').read()\n"
      "    for block in re.findall(r'```yaml\\n(.*?)```', text, re.S):\n"
      "        def walk(node):\n"
      "            if isinstance(node, yaml.ScalarNode):\n"
      "                if node.style is None and node.tag.endswith(':str') and number.match(node.value):\n"
      "                    print(path, node.value)\n"
      "            elif isinstance(node, yaml.SequenceNode):\n"
      "                for n in node.value: walk(n)\n"
      "            elif isinstance(node, yaml.MappingNode):\n"
      "                for k, v in node.value: walk(v)\n"
      "        walk(yaml.compose(block))\n";
  std::vector<std::string> argv = {"/usr/bin/python3", "-c", script};
  for (const auto& f : fs::directory_iterator(test_support::source_path("docs")))
    if (f.path().extension() == ".md") argv.push_back(f.path().string());
  const auto r = test_support::run_process(argv);
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(r.out == "", r.out);
}

BOOST_AUTO_TEST_CASE(the_scaffold_of_spec_new_validates) {
  TempDir dir;
  BOOST_REQUIRE(test_support::run_grader({"spec", "new", "demo", "--dir", dir.path().string()}).exit_code == 0);
  BOOST_TEST(violations(to_json(YAML::LoadFile((dir.path() / "demo.yaml").string()))) == "");
  // And as YAML 1.1 reads it, with the documented command (its 1e-3 was text there).
  const auto r = test_support::run_process(
      {test_support::source_path("scripts/validate-spec"), (dir.path() / "demo.yaml").string()});
  BOOST_TEST(r.exit_code == 0, r.out << r.err);
}

BOOST_AUTO_TEST_CASE(python_constants_validate_and_their_typos_do_not) {
  json s = bundled("sdpa-masked");
  json& arguments = s["exercises"][1]["function"]["python"]["arguments"];
  arguments.push_back({{"value", 2}, {"keyword", "n_heads"}});
  arguments.push_back({{"value", nullptr}});
  arguments.push_back({{"value", "mean"}, {"keyword", "reduction"}});
  BOOST_TEST(violations(s) == "");
  arguments.push_back({{"valeu", 2}, {"keyword", "x"}});
  BOOST_TEST(violations(s) != "");
  arguments.back() = {{"value", json::array({1, 2})}};
  BOOST_TEST(violations(s) != "");
}

BOOST_AUTO_TEST_CASE(typos_are_rejected) {
  const auto rejects = [](json spec, const std::string& what) {
    BOOST_TEST_CONTEXT(what) { BOOST_TEST(violations(spec) != ""); }
  };
  json ua = bundled("understanding-attention");
  {
    json s = ua;
    s["exercises"][0]["tolerence"] = s["exercises"][0]["tolerance"];
    rejects(s, "a misspelt exercise key");
  }
  {
    json s = ua;
    s["exercises"][0]["tolerance"]["atoll"] = 1;
    rejects(s, "a misspelt tolerance key");
  }
  {
    json s = ua;
    s["data"]["gen"] = {{"generator", "torhc"}, {"seed", 0}};
    rejects(s, "an unknown generator");
  }
  {
    json s = ua;
    s["exercises"][0]["visibility"] = "secret";
    rejects(s, "a visibility that does not exist");
  }
  {
    json s = ua;
    s["asignment"] = s["assignment"];
    rejects(s, "a misspelt top-level key");
  }
  {
    json s = bundled("sdpa-masked");
    s["exercises"][0]["checks"][1]["random"]["trails"] = 100;
    rejects(s, "a misspelt key in a random check");
  }
  {
    json s = bundled("sdpa-masked");
    s["exercises"][0]["answers"] = json::array();
    rejects(s, "a function exercise with answers");
  }
}

BOOST_AUTO_TEST_SUITE_END()
