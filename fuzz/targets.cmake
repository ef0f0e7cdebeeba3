# Every fuzz target, one line each: grader_fuzz_target(NAME [libraries...] [SOURCES files...])
# builds fuzz/fuzz_NAME.cpp (with the grader's source files given) against grader_readers (and
# the libraries), seeds it
# from fuzz/corpus/NAME/, and in the main build registers the CTest test fuzz_NAME that runs it
# for a bounded time.
grader_fuzz_target(npy)
grader_fuzz_target(text)
grader_fuzz_target(armadillo)
grader_fuzz_target(answers)
grader_fuzz_target(spec)
grader_fuzz_target(expr)
# The status records of library and Python children, as the grader reads them.
grader_fuzz_target(records SOURCES grader/src/library/records.cpp grader/src/python/records.cpp)
