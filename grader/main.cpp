#include <iostream>
#include "grader/version.hpp"
int main() { std::cout << grader::version() << "\n"; }
