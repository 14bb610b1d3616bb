# attn_add_model(TARGET <name> SOURCE <file.attn> [MODEL <Model>] [DEFINES k=v ...]
#                [TARGETS host|host-cuda|host-cuda-86|host-opencl ...] [ATTNC <path>])
#
# Runs `attnc compile` at build time and gives a library target to link: the generated static
# library (every kernel and one Halide runtime) with the directory of its generated header
# (<name>.h, a typed model class) on the include path, and the attn runtime.
# With several TARGETS, the first builds <name> and each further one <name>_<target>.
# The generated header is named after TARGET; the class in it after the model.

function(attn_add_model)
  cmake_parse_arguments(ARG "" "TARGET;SOURCE;MODEL;ATTNC" "DEFINES;TARGETS" ${ARGN})
  if(NOT ARG_TARGET OR NOT ARG_SOURCE)
    message(FATAL_ERROR "attn_add_model: TARGET and SOURCE are required")
  endif()
  if(NOT ARG_TARGETS)
    set(ARG_TARGETS host)
  endif()
  if(NOT ARG_ATTNC)
    if(TARGET attnc)
      set(ARG_ATTNC $<TARGET_FILE:attnc>)
      set(_attnc_dep attnc)
    elseif(TARGET attn::attnc)
      set(ARG_ATTNC $<TARGET_FILE:attn::attnc>)
      set(_attnc_dep attn::attnc)
    else()
      message(FATAL_ERROR "attn_add_model: no attnc; pass ATTNC <path>")
    endif()
  endif()
  get_filename_component(_source "${ARG_SOURCE}" ABSOLUTE)
  set(_args)
  if(ARG_MODEL)
    list(APPEND _args --model ${ARG_MODEL})
  endif()
  foreach(d IN LISTS ARG_DEFINES)
    list(APPEND _args -D ${d})
  endforeach()

  set(_first TRUE)
  foreach(t IN LISTS ARG_TARGETS)
    if(_first)
      set(_lib ${ARG_TARGET})
      set(_first FALSE)
    else()
      string(REPLACE "-" "_" _suffix "${t}")
      set(_lib ${ARG_TARGET}_${_suffix})
    endif()
    set(_out ${CMAKE_CURRENT_BINARY_DIR}/${_lib}.attn)
    file(MAKE_DIRECTORY ${_out})
    add_custom_command(
      OUTPUT ${_out}/${_lib}.a ${_out}/${_lib}.h ${_out}/${_lib}.manifest.json
      COMMAND ${ARG_ATTNC} compile ${_source} ${_args} --target ${t} --name ${_lib} -o ${_out}
      DEPENDS ${_source} ${_attnc_dep}
      COMMENT "attnc compile ${ARG_SOURCE} (${t}) -> ${_lib}"
      VERBATIM)
    add_custom_target(${_lib}.generate DEPENDS ${_out}/${_lib}.a ${_out}/${_lib}.h)
    add_library(${_lib} STATIC IMPORTED GLOBAL)
    set_target_properties(${_lib} PROPERTIES
      IMPORTED_LOCATION ${_out}/${_lib}.a
      INTERFACE_INCLUDE_DIRECTORIES ${_out})
    add_dependencies(${_lib} ${_lib}.generate)
    target_link_libraries(${_lib} INTERFACE attn::attnrt Threads::Threads ${CMAKE_DL_LIBS})
  endforeach()
endfunction()
