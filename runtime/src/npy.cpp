#include "attn/npy.h"

#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>

namespace attn {

namespace {

const char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;

struct NpyDType {
  const char *descr;
  DType dtype;
};

// Reading also accepts '=' (native) and '|' (not applicable) byte orders, which mean
// little-endian on every machine we run on.
constexpr NpyDType kNpyDTypes[] = {
    {"f4", DType::F32}, {"f2", DType::F16},  {"i8", DType::I64},
    {"i4", DType::I32}, {"b1", DType::Bool}, {"u1", DType::Bool},
};

const char *npy_descr(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return "<f4";
  case DType::F16:
    return "<f2";
  case DType::I64:
    return "<i8";
  case DType::I32:
    return "<i4";
  case DType::Bool:
    return "|b1";
  case DType::BF16:
    break;
  }
  return nullptr;
}

// The header is a Python dict literal, e.g.
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// Values we understand: a string, True/False, a tuple of integers.
struct HeaderValue {
  enum Kind { String, Bool, Tuple } kind = String;
  std::string str;
  bool boolean = false;
  std::vector<int64_t> tuple;
};

class HeaderParser {
public:
  explicit HeaderParser(const std::string &text) : s_(text) {}

  // Returns false and sets error() on malformed input.
  bool parse(std::map<std::string, HeaderValue> *dict) {
    if (!expect('{'))
      return false;
    while (!accept('}')) {
      std::string key;
      if (!string_literal(&key) || !expect(':'))
        return false;
      HeaderValue value;
      if (!parse_value(&value))
        return false;
      (*dict)[key] = value;
      if (!accept(',')) {
        if (!expect('}'))
          return false;
        break;
      }
    }
    return true;
  }
  const std::string &error() const { return error_; }

private:
  void skip() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_])))
      ++i_;
  }
  bool accept(char c) {
    skip();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  bool fail(const std::string &why) {
    error_ = why + " at offset " + std::to_string(i_) + " of the header";
    return false;
  }
  bool expect(char c) { return accept(c) || fail(std::string("expected '") + c + "'"); }
  bool string_literal(std::string *out) {
    skip();
    if (i_ >= s_.size() || (s_[i_] != '\'' && s_[i_] != '"'))
      return fail("expected a string");
    char quote = s_[i_++];
    size_t end = s_.find(quote, i_);
    if (end == std::string::npos)
      return fail("unterminated string");
    *out = s_.substr(i_, end - i_);
    i_ = end + 1;
    return true;
  }
  bool integer(int64_t *out) {
    skip();
    size_t start = i_;
    int64_t v = 0;
    while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) {
      if (v > (INT64_MAX - 9) / 10)
        return fail("dimension too large");
      v = v * 10 + (s_[i_++] - '0');
    }
    if (i_ == start)
      return fail("expected a non-negative integer");
    if (i_ < s_.size() && s_[i_] == 'L')
      ++i_; // Python 2 longs
    *out = v;
    return true;
  }
  bool parse_value(HeaderValue *v) {
    skip();
    if (i_ < s_.size() && (s_[i_] == '\'' || s_[i_] == '"')) {
      v->kind = HeaderValue::String;
      return string_literal(&v->str);
    }
    if (s_.compare(i_, 4, "True") == 0 || s_.compare(i_, 5, "False") == 0) {
      v->kind = HeaderValue::Bool;
      v->boolean = s_[i_] == 'T';
      i_ += v->boolean ? 4 : 5;
      return true;
    }
    if (accept('(')) {
      v->kind = HeaderValue::Tuple;
      while (!accept(')')) {
        int64_t d;
        if (!integer(&d))
          return false;
        v->tuple.push_back(d);
        if (!accept(',')) {
          if (!expect(')'))
            return false;
          break;
        }
      }
      return true;
    }
    return fail("unsupported value (structured dtypes are not supported)");
  }

  const std::string &s_;
  size_t i_ = 0;
  std::string error_;
};

uint32_t read_le(const std::string &bytes, size_t offset, int width) {
  uint32_t v = 0;
  for (int i = width - 1; i >= 0; --i)
    v = (v << 8) | static_cast<uint8_t>(bytes[offset + i]);
  return v;
}

} // namespace

StatusOr<Tensor> parse_npy(const std::string &bytes, const std::string &name) {
  auto bad = [&](const std::string &why) { return Status::invalid_input(name + ": " + why); };
  if (bytes.size() < kMagicSize + 2 || bytes.compare(0, kMagicSize, kMagic, kMagicSize) != 0) {
    return bad("not a .npy file (bad magic; expected \\x93NUMPY)");
  }
  int major = static_cast<uint8_t>(bytes[6]);
  if (major < 1 || major > 3) {
    return bad("unsupported .npy format version " + std::to_string(major) + "." +
               std::to_string(static_cast<uint8_t>(bytes[7])) + " (expected 1.0, 2.0 or 3.0)");
  }
  size_t len_width = major == 1 ? 2 : 4;
  size_t prefix = kMagicSize + 2 + len_width;
  if (bytes.size() < prefix)
    return bad("truncated .npy header");
  size_t header_len = read_le(bytes, kMagicSize + 2, static_cast<int>(len_width));
  if (bytes.size() < prefix + header_len) {
    return bad("truncated .npy header (header says " + std::to_string(header_len) +
               " bytes, the file has " + std::to_string(bytes.size() - prefix) + ")");
  }

  std::map<std::string, HeaderValue> dict;
  const std::string header = bytes.substr(prefix, header_len);
  HeaderParser parser(header);
  if (!parser.parse(&dict))
    return bad("malformed .npy header: " + parser.error());
  auto descr = dict.find("descr");
  auto fortran = dict.find("fortran_order");
  auto shape = dict.find("shape");
  if (descr == dict.end() || descr->second.kind != HeaderValue::String || fortran == dict.end() ||
      fortran->second.kind != HeaderValue::Bool || shape == dict.end() ||
      shape->second.kind != HeaderValue::Tuple) {
    return bad("malformed .npy header: it needs 'descr', 'fortran_order' and 'shape'");
  }
  if (fortran->second.boolean) {
    return bad("Fortran-order arrays are not supported; save a C-order array "
               "(np.ascontiguousarray)");
  }

  const std::string &d = descr->second.str;
  std::optional<DType> dtype;
  if (d.size() == 3 && (d[0] == '<' || d[0] == '|' || d[0] == '=')) {
    for (const NpyDType &n : kNpyDTypes) {
      if (d.compare(1, 2, n.descr) == 0)
        dtype = n.dtype;
    }
  }
  if (!dtype) {
    return bad("unsupported dtype '" + d +
               "' (supported: <f4 float32, <f2 float16, <i8 int64, <i4 int32, |b1 bool, "
               "|u1 uint8 as bool; little-endian only)");
  }

  const std::vector<int64_t> &dims = shape->second.tuple;
  std::optional<int64_t> numel = checked_numel(dims);
  size_t elem = dtype_size(*dtype);
  if (!numel || static_cast<uint64_t>(*numel) > SIZE_MAX / elem) {
    return bad("shape " + shape_to_string(dims) + " is too large");
  }
  size_t want = static_cast<size_t>(*numel) * elem;
  size_t have = bytes.size() - prefix - header_len;
  if (have < want) {
    return bad("truncated data: shape " + shape_to_string(dims) + " of " + d + " needs " +
               std::to_string(want) + " bytes, the file has " + std::to_string(have));
  }
  if (have > want) {
    return bad(std::to_string(have - want) + " unexpected bytes after the data of shape " +
               shape_to_string(dims));
  }
  Tensor t = Tensor::empty(*dtype, dims);
  if (want)
    std::memcpy(t.raw_data(), bytes.data() + prefix + header_len, want);
  if (d.compare(1, 2, "u1") == 0) {
    // uint8 masks become bool: anything non-zero is true, so kernels see only 0 and 1.
    uint8_t *p = t.data<uint8_t>();
    for (int64_t i = 0; i < t.numel(); ++i)
      p[i] = p[i] != 0;
  }
  return t;
}

StatusOr<Tensor> read_npy(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Status::invalid_input(path + ": cannot open file: " + std::strerror(errno));
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad())
    return Status::invalid_input(path + ": read error");
  return parse_npy(bytes, path);
}

std::string serialize_npy(const Tensor &tensor) {
  std::ostringstream header;
  const char *descr = npy_descr(tensor.dtype());
  header << "{'descr': '" << (descr ? descr : "<u2") << "', 'fortran_order': False, 'shape': (";
  for (int i = 0; i < tensor.rank(); ++i)
    header << (i ? ", " : "") << tensor.dim(i);
  if (tensor.rank() == 1)
    header << ","; // a Python 1-tuple
  header << "), }";
  std::string h = header.str();
  // NumPy pads the header with spaces and a newline so the data starts 64-byte aligned.
  size_t len_width = h.size() + 1 + kMagicSize + 4 > 65535 ? 4 : 2;
  size_t prefix = kMagicSize + 2 + len_width;
  size_t total = (prefix + h.size() + 1 + 63) / 64 * 64;
  h.append(total - prefix - h.size() - 1, ' ');
  h += '\n';

  std::string out(kMagic, kMagicSize);
  out += static_cast<char>(len_width == 2 ? 1 : 2);
  out += '\0';
  for (size_t i = 0; i < len_width; ++i)
    out += static_cast<char>((h.size() >> (8 * i)) & 0xff);
  out += h;
  out.append(static_cast<const char *>(tensor.raw_data()), tensor.nbytes());
  return out;
}

Status write_npy(const std::string &path, const Tensor &tensor) {
  if (tensor.dtype() == DType::BF16) {
    return Status::invalid_input(path + ": NumPy has no bfloat16; convert the tensor first");
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out)
    return Status::invalid_input(path + ": cannot create file: " + std::strerror(errno));
  std::string bytes = serialize_npy(tensor);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out)
    return Status::invalid_input(path + ": write error");
  return Status();
}

StatusOr<Tensor> read_npy_for(const std::string &path, DType wanted) {
  StatusOr<Tensor> tensor = read_npy(path);
  if (tensor.ok() && wanted == DType::BF16 && tensor->dtype() == DType::F32)
    return *convert_float(*tensor, DType::BF16);
  return tensor;
}

Status write_npy_widening_bf16(const std::string &path, const Tensor &tensor) {
  if (tensor.dtype() == DType::BF16)
    return write_npy(path, *convert_float(tensor, DType::F32));
  return write_npy(path, tensor);
}

} // namespace attn
