// Python hand-ins run in a confined child of the Python zygote: notebooks and scripts in every
// form students hand in, each hostile behaviour ending in its verdict while the other answers
// are still taken.
#include <boost/test/unit_test.hpp>

#include "grader/python/run.hpp"

using namespace grader;
using python::HandIn;
using python::Request;

namespace {

python::Run run(const std::string& name, const std::string& source, const std::vector<Request>& requests,
                python::Limits limits = {}) {
  return python::run(HandIn{name, source, {}}, requests, 1, limits);
}

std::string verdict(const python::Value& v) { return v.value ? "value" : std::string(to_string(v.problem)); }

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_SUITE(notebooks)

BOOST_AUTO_TEST_CASE(a_script_hands_back_its_variables) {
  const auto r = run("A2S1.py",
                     "import torch\n"
                     "query121 = torch.tensor([[1.0, 2.0, 3.0]])\n"
                     "query131 =\n"
                     "x = [1, 2]\n",
                     {{"query121", "query121", ""}, {"query131", "query131", ""}, {"x", "x", ""}});
  BOOST_TEST_MESSAGE(r.isolation);
  BOOST_REQUIRE_EQUAL(r.values.size(), 3u);
  BOOST_TEST(verdict(r.values[0]) == "value", r.values[0].message);
  if (r.values[0].value) BOOST_TEST(r.values[0].value->shape() == (Shape{1, 3}), boost::test_tools::per_element());
  BOOST_TEST(r.values[0].dtype == "float32");
  BOOST_TEST(verdict(r.values[1]) == "missing");
  BOOST_TEST(contains(r.values[1].message, "line 3: SyntaxError"), r.values[1].message);
  BOOST_TEST(verdict(r.values[2]) == "value", r.values[2].message);
}

BOOST_AUTO_TEST_SUITE_END()
