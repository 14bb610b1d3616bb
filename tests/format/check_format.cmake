# Fails if any C++ source of the project differs from what clang-format (the root .clang-format)
# would make of it.
file(GLOB_RECURSE sources
     ${ROOT}/dsl/*.cpp ${ROOT}/dsl/*.h ${ROOT}/compiler/*.cpp ${ROOT}/compiler/*.h
     ${ROOT}/runtime/*.cpp ${ROOT}/runtime/*.h ${ROOT}/tests/*.cpp ${ROOT}/tests/*.h
     ${ROOT}/examples/*.cpp ${ROOT}/examples/*.h ${ROOT}/bench/*.cpp ${ROOT}/bench/*.h)
execute_process(COMMAND ${CLANG_FORMAT} --dry-run -Werror ${sources}
                RESULT_VARIABLE rc ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "clang-format: these files need formatting "
                      "(clang-format-14 -i FILE):\n${out}")
endif()
