#define BOOST_TEST_MODULE python
#include <boost/test/unit_test.hpp>
