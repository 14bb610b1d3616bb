// Reading and writing NumPy `.npy` files: how tensors enter and leave `attnc run`.
//
// Supported: format versions 1.0, 2.0 and 3.0; C order only; little-endian `<f4` (f32),
// `<f2` (f16), `<i8` (i64), `<i4` (i32), and `|b1` (bool; `|u1` is read as bool too, since
// masks are often saved as uint8). Anything else (Fortran order, big-endian, f64, ...) is an
// InvalidInput error that names the file and says what was found, so a user can fix the file
// with one line of NumPy. Writing always produces version 1.0 (2.0 if the header needs it).
#ifndef ATTN_NPY_H_
#define ATTN_NPY_H_

#include <string>

#include "attn/status.h"
#include "attn/tensor.h"

namespace attn {

StatusOr<Tensor> read_npy(const std::string &path);
// Parses an in-memory .npy image; `name` is used in error messages in place of a path.
StatusOr<Tensor> parse_npy(const std::string &bytes, const std::string &name);

Status write_npy(const std::string &path, const Tensor &tensor);
// The .npy image write_npy would write.
std::string serialize_npy(const Tensor &tensor);

// NumPy has no bfloat16, so bf16 tensors cross .npy files as f32. read_npy_for reads a file for
// an input of dtype `wanted`: an f32 array for a bf16 input is rounded to bf16 (to nearest even,
// as PyTorch's `.to(torch.bfloat16)`); anything else is returned as read, for the model to check.
StatusOr<Tensor> read_npy_for(const std::string &path, DType wanted);
// write_npy, except that a bf16 tensor is written widened to f32 (exact).
Status write_npy_widening_bf16(const std::string &path, const Tensor &tensor);

} // namespace attn

#endif // ATTN_NPY_H_
