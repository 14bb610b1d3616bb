# Exports a MultiHeadAttention case from PyTorch (E=40, H=5 as compiled), runs the linked example
# program on it and compares its output with PyTorch's.
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}")
  endif()
endfunction()
file(REMOVE_RECURSE ${WORK})
run(${PYTHON} ${EXPORT} --model MultiHeadAttention -D embed_dim=40 -D num_heads=5
    --dims B=2,Sq=9,Sk=21 --seed 7 --out ${WORK})
run(${PROGRAM} ${WORK}/weights.safetensors ${WORK}/query.npy ${WORK}/key.npy ${WORK}/value.npy
    ${WORK}/out0.npy)
run(${PYTHON} ${COMPARE} ${WORK} ${WORK})
