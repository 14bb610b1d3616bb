#include "attn/weights.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>

namespace attn {

namespace {

using nlohmann::json;

// A read-only mapping of a whole file, unmapped when the last tensor viewing it goes away.
class Mapping {
public:
  Mapping(void *addr, size_t size) : addr_(addr), size_(size) {}
  ~Mapping() {
    if (addr_ != nullptr)
      munmap(addr_, size_);
  }
  Mapping(const Mapping &) = delete;
  Mapping &operator=(const Mapping &) = delete;

  const uint8_t *data() const { return static_cast<const uint8_t *>(addr_); }
  size_t size() const { return size_; }

private:
  void *addr_;
  size_t size_;
};

std::optional<DType> dtype_from_safetensors(const std::string &name) {
  static const std::pair<const char *, DType> kNames[] = {
      {"F32", DType::F32}, {"F16", DType::F16}, {"BF16", DType::BF16},
      {"I64", DType::I64}, {"I32", DType::I32}, {"BOOL", DType::Bool},
  };
  for (const auto &n : kNames) {
    if (name == n.first)
      return n.second;
  }
  return std::nullopt;
}

struct Entry {
  std::string name;
  DType dtype;
  std::vector<int64_t> shape;
  uint64_t begin, end;
};

// Checks one header entry; appends a line to `problems` for each thing wrong with it.
std::optional<Entry> check_entry(const std::string &name, const json &v, uint64_t data_size,
                                 std::vector<std::string> *problems) {
  auto problem = [&](const std::string &why) {
    problems->push_back("tensor '" + name + "': " + why);
    return std::nullopt;
  };
  if (!v.is_object())
    return problem("header entry is not an object");
  Entry e{name, DType::F32, {}, 0, 0};
  auto dt = v.find("dtype");
  if (dt == v.end() || !dt->is_string())
    return problem("missing \"dtype\"");
  std::optional<DType> dtype = dtype_from_safetensors(dt->get<std::string>());
  if (!dtype) {
    return problem("unsupported dtype " + dt->get<std::string>() +
                   " (supported: F32, F16, BF16, I64, I32, BOOL)");
  }
  e.dtype = *dtype;
  auto sh = v.find("shape");
  if (sh == v.end() || !sh->is_array())
    return problem("missing \"shape\"");
  for (const json &d : *sh) {
    if (!d.is_number_integer() || d.get<int64_t>() < 0) {
      return problem("shape " + sh->dump() + " is not a list of non-negative integers");
    }
    e.shape.push_back(d.get<int64_t>());
  }
  auto off = v.find("data_offsets");
  if (off == v.end() || !off->is_array() || off->size() != 2 || !(*off)[0].is_number_unsigned() ||
      !(*off)[1].is_number_unsigned()) {
    return problem("\"data_offsets\" is not a pair of non-negative integers");
  }
  e.begin = (*off)[0].get<uint64_t>();
  e.end = (*off)[1].get<uint64_t>();
  if (e.begin > e.end || e.end > data_size) {
    return problem("data_offsets [" + std::to_string(e.begin) + ", " + std::to_string(e.end) +
                   "] are out of range (the data section has " + std::to_string(data_size) +
                   " bytes)");
  }
  std::optional<int64_t> numel = checked_numel(e.shape);
  uint64_t elem = dtype_size(e.dtype);
  if (!numel || static_cast<uint64_t>(*numel) > UINT64_MAX / elem ||
      static_cast<uint64_t>(*numel) * elem != e.end - e.begin) {
    return problem(std::string(dtype_name(e.dtype)) + shape_to_string(e.shape) + " needs " +
                   (numel ? std::to_string(static_cast<uint64_t>(*numel) * elem) : "too many") +
                   " bytes but data_offsets span " + std::to_string(e.end - e.begin));
  }
  return e;
}

std::string join_lines(const std::string &head, const std::vector<std::string> &lines) {
  std::string s = head;
  for (const std::string &l : lines)
    s += "\n  " + l;
  return s;
}

} // namespace

StatusOr<Weights> Weights::open(const std::string &path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return Status::invalid_input(path + ": cannot open weights: " + std::strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::invalid_input(path + ": not a regular file");
  }
  size_t size = static_cast<size_t>(st.st_size);
  if (size < 8) {
    ::close(fd);
    return Status::invalid_input(path + ": truncated safetensors file (" + std::to_string(size) +
                                 " bytes; the header length alone takes 8)");
  }
  void *addr = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  int mmap_errno = errno;
  ::close(fd); // the mapping keeps the file referenced
  if (addr == MAP_FAILED) {
    return Status::invalid_input(path + ": cannot map weights: " + std::strerror(mmap_errno));
  }
  auto mapping = std::make_shared<Mapping>(addr, size);
  const uint8_t *data = mapping->data();
  StatusOr<Weights> w = parse(std::move(mapping), data, size, path);
  return w;
}

StatusOr<Weights> Weights::from_bytes(const std::string &bytes, const std::string &name) {
  // Copy into an aligned buffer so views behave as they would over a page-aligned mapping.
  Tensor storage = Tensor::empty(DType::Bool, {static_cast<int64_t>(bytes.size())});
  if (!bytes.empty())
    std::memcpy(storage.raw_data(), bytes.data(), bytes.size());
  auto owner = std::make_shared<Tensor>(storage);
  const uint8_t *data = owner->data<uint8_t>();
  return parse(std::move(owner), data, bytes.size(), name);
}

StatusOr<Weights> Weights::parse(std::shared_ptr<const void> owner, const uint8_t *data,
                                 size_t size, const std::string &name) {
  auto bad = [&](const std::string &why) { return Status::invalid_input(name + ": " + why); };
  if (size < 8)
    return bad("truncated safetensors file (shorter than its 8-byte header length)");
  uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i)
    header_len = (header_len << 8) | data[i];
  if (header_len > size - 8) {
    return bad("truncated safetensors file: the header claims " + std::to_string(header_len) +
               " bytes but only " + std::to_string(size - 8) + " follow" +
               (header_len > (uint64_t(1) << 40) ? " (is this a safetensors file?)" : ""));
  }
  json header = json::parse(data + 8, data + 8 + header_len, nullptr, /*allow_exceptions=*/false);
  if (header.is_discarded() || !header.is_object()) {
    return bad("safetensors header is not a valid JSON object");
  }

  Weights w;
  w.path_ = name;
  const uint64_t data_begin = 8 + header_len;
  const uint64_t data_size = size - data_begin;
  std::vector<std::string> problems;
  std::vector<Entry> entries;
  for (auto it = header.begin(); it != header.end(); ++it) {
    if (it.key() == "__metadata__") {
      if (!it.value().is_object()) {
        problems.push_back("\"__metadata__\" is not an object");
        continue;
      }
      for (auto m = it.value().begin(); m != it.value().end(); ++m) {
        w.metadata_[m.key()] =
            m.value().is_string() ? m.value().get<std::string>() : m.value().dump();
      }
      continue;
    }
    if (std::optional<Entry> e = check_entry(it.key(), it.value(), data_size, &problems)) {
      entries.push_back(std::move(*e));
    }
  }
  // Overlapping tensors would alias each other; the format forbids it, so a file that does is
  // corrupt or hand-made wrongly.
  std::sort(entries.begin(), entries.end(),
            [](const Entry &a, const Entry &b) { return a.begin < b.begin; });
  for (size_t i = 1; i < entries.size(); ++i) {
    if (entries[i].begin < entries[i - 1].end) {
      problems.push_back("tensor '" + entries[i].name + "' overlaps tensor '" +
                         entries[i - 1].name + "' in the data section");
    }
  }
  if (!problems.empty())
    return bad(join_lines("invalid safetensors file:", problems));

  for (const Entry &e : entries) {
    const uint8_t *p = data + data_begin + e.begin;
    Tensor view = Tensor::view(e.dtype, e.shape, p, owner);
    // Views must be aligned to their element size: C++ and Halide both assume it.
    bool aligned = reinterpret_cast<uintptr_t>(p) % dtype_size(e.dtype) == 0;
    w.tensors_.emplace(e.name, aligned ? view : view.clone());
  }
  return w;
}

std::vector<std::string> Weights::names() const {
  std::vector<std::string> names;
  names.reserve(tensors_.size());
  for (const auto &kv : tensors_)
    names.push_back(kv.first);
  return names;
}

const Tensor *Weights::get(const std::string &name) const {
  auto it = tensors_.find(name);
  return it == tensors_.end() ? nullptr : &it->second;
}

} // namespace attn
