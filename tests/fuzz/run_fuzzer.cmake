# Builds the front end's fuzzer with clang (incrementally, in BINARY_DIR/build) or runs it.
#   cmake -DMODE=build -DROOT=<source tree> -DBINARY_DIR=<dir> -DCC=clang-14 -DCXX=clang++-14 -P run_fuzzer.cmake
#   cmake -DMODE=run -DROOT=<source tree> -DBINARY_DIR=<dir> -DSECONDS=60 -P run_fuzzer.cmake
# A run starts from the corpus kept in BINARY_DIR/corpus (new inputs are added to it) and the
# seeds: the standard library, the example models and the diagnostics tests. It fails on any
# crash, assertion, sanitizer report, leak, timeout or excess memory; the input that caused it
# is written to BINARY_DIR/artifacts.
set(build_dir ${BINARY_DIR}/build)
set(fuzzer ${build_dir}/frontend_fuzzer)

if(MODE STREQUAL "build")
  if(NOT EXISTS ${build_dir}/build.ninja)
    execute_process(COMMAND ${CMAKE_COMMAND} -S ${ROOT}/tests/fuzz/fuzzer -B ${build_dir} -G Ninja
                            -DCMAKE_C_COMPILER=${CC} -DCMAKE_CXX_COMPILER=${CXX}
                    RESULT_VARIABLE status)
    if(status)
      message(FATAL_ERROR "configuring the fuzzer failed")
    endif()
  endif()
  execute_process(COMMAND ${CMAKE_COMMAND} --build ${build_dir} RESULT_VARIABLE status)
  if(status)
    message(FATAL_ERROR "building the fuzzer failed")
  endif()
  return()
endif()

file(MAKE_DIRECTORY ${BINARY_DIR}/corpus ${BINARY_DIR}/artifacts)
execute_process(
  COMMAND ${fuzzer} ${BINARY_DIR}/corpus ${ROOT}/dsl/stdlib ${ROOT}/examples/zoo
          ${ROOT}/tests/lit/diagnostics
          -dict=${ROOT}/tests/fuzz/attn.dict -max_total_time=${SECONDS} -timeout=10
          -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=${BINARY_DIR}/artifacts/
  WORKING_DIRECTORY ${BINARY_DIR}
  RESULT_VARIABLE status)
if(status)
  message(FATAL_ERROR "the fuzzer found a failing input (exit status ${status}); see above and "
                      "${BINARY_DIR}/artifacts")
endif()
