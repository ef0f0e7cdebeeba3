# Fuzzing from the main build. The fuzz targets need clang's libFuzzer, while the main build
# uses GCC: when clang++ can link a libFuzzer program, the main build configures a second tree
# with clang (BUILD/fuzz, an ExternalProject built with `all`, only the fuzz targets) and
# registers one CTest test per target (fuzz/targets.cmake) that fuzzes it for
# GRADER_FUZZ_SECONDS from its seed corpus. Without clang the tests are skipped, or fail when
# CI=true: a CI machine must fuzz. Included only when BUILD_TESTING is on.
option(GRADER_FUZZ "Build the fuzz targets with clang (libFuzzer) and test with them" ON)
set(GRADER_FUZZ_SECONDS 25 CACHE STRING "How long each fuzz test runs its target")

set(grader_fuzz_built OFF)
if(GRADER_FUZZ)
  find_program(GRADER_FUZZ_CXX NAMES clang++ clang++-14)
  find_program(GRADER_FUZZ_CC NAMES clang clang-14)
  # Only success is remembered: a machine that gets clang later is probed again.
  if(GRADER_FUZZ_CXX AND GRADER_FUZZ_CC AND NOT GRADER_FUZZ_WORKS)
    set(probe ${CMAKE_BINARY_DIR}/CMakeFiles/fuzz_probe)
    file(WRITE ${probe}.cpp "extern \"C\" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }\n")
    execute_process(COMMAND ${GRADER_FUZZ_CXX} -fsanitize=fuzzer,address,undefined ${probe}.cpp -o ${probe}
                    RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
    if(rc EQUAL 0)
      set(GRADER_FUZZ_WORKS ON CACHE INTERNAL "clang++ links libFuzzer programs")
    endif()
  endif()
  if(GRADER_FUZZ_WORKS)
    set(grader_fuzz_built ON)
  else()
    message(WARNING "No clang++ with libFuzzer: the fuzz targets are not built (Debian: clang "
                    "libclang-rt-14-dev). Their tests are skipped, and fail when CI=true.")
  endif()
endif()

set(grader_fuzz_dir ${CMAKE_BINARY_DIR}/fuzz)
if(grader_fuzz_built)
  include(ExternalProject)
  set(launchers)
  foreach(lang C CXX)
    if(CMAKE_${lang}_COMPILER_LAUNCHER)
      list(APPEND launchers -DCMAKE_${lang}_COMPILER_LAUNCHER=${CMAKE_${lang}_COMPILER_LAUNCHER})
    endif()
  endforeach()
  ExternalProject_Add(fuzz_tree
    SOURCE_DIR ${PROJECT_SOURCE_DIR}
    BINARY_DIR ${grader_fuzz_dir}
    CMAKE_ARGS -DCMAKE_C_COMPILER=${GRADER_FUZZ_CC} -DCMAKE_CXX_COMPILER=${GRADER_FUZZ_CXX}
               -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGRADER_FUZZ_TREE=ON -DGRADER_SANITIZE=ON
               -DBUILD_TESTING=OFF ${launchers}
    INSTALL_COMMAND ""
    BUILD_ALWAYS ON)
endif()

# The fuzz targets as tests: run_fuzz.sh runs each for GRADER_FUZZ_SECONDS (with time to
# load its corpus and stop).
math(EXPR grader_fuzz_timeout "${GRADER_FUZZ_SECONDS} + 120")
function(grader_fuzz_target name)
  set(work ${CMAKE_BINARY_DIR}/fuzz-runs/${name})
  add_test(NAME fuzz_${name}
           COMMAND ${PROJECT_SOURCE_DIR}/fuzz/run_fuzz.sh ${grader_fuzz_dir}/fuzz/fuzz_${name}
                   ${GRADER_FUZZ_SECONDS} ${PROJECT_SOURCE_DIR}/fuzz/corpus/${name} ${work})
  set_tests_properties(fuzz_${name} PROPERTIES SKIP_RETURN_CODE 77 LABELS fuzz
                       TIMEOUT ${grader_fuzz_timeout})
endfunction()
include(${PROJECT_SOURCE_DIR}/fuzz/targets.cmake)
