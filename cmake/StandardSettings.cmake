# The language standard and the warnings of our own code, as INTERFACE targets linked by every
# target of the project; third-party headers are included as SYSTEM.
add_library(grader_warnings INTERFACE)
target_compile_features(grader_warnings INTERFACE cxx_std_20)
target_compile_options(grader_warnings INTERFACE
  -Wall -Wextra -Werror -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual)
# GCC 12 at -O3 (Release) reports -Wrestrict inside libstdc++ for `"text" + std::string`:
# known false positives of GCC 12 (GCC bugs 105329 and 105651), not of our code.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_GREATER_EQUAL 12
   AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(grader_warnings INTERFACE -Wno-restrict)
endif()
set(CMAKE_CXX_EXTENSIONS OFF)

# grader_standard adds the sanitizers of a sanitizer build (cmake -DGRADER_SANITIZE=ON: ASan +
# UBSan, no recovery). Every target links it except grader-runner, which links
# grader_warnings only: ASan reserves terabytes of shadow address space, which the runner's own
# RLIMIT_AS forbids by design, and its extra system calls would meet the seccomp filter.
option(GRADER_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
add_library(grader_standard INTERFACE)
target_link_libraries(grader_standard INTERFACE grader_warnings)
if(GRADER_SANITIZE)
  # The sanitizers' instrumentation makes GCC report -Wmaybe-uninitialized inside libstdc++
  # (<regex>, std::function) where normal builds see nothing: off in sanitizer builds only.
  target_compile_options(grader_standard INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
    $<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>)
  target_link_options(grader_standard INTERFACE -fsanitize=address,undefined)
endif()
# The fuzz tree (cmake/Fuzzing.cmake) also instruments the grader's code for libFuzzer.
if(GRADER_FUZZ_TREE)
  target_compile_options(grader_standard INTERFACE -fsanitize=fuzzer-no-link)
endif()

if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
  set(CMAKE_BUILD_TYPE RelWithDebInfo CACHE STRING "Build type" FORCE)
endif()
