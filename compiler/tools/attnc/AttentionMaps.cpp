#include "AttentionMaps.h"

#include "Heatmap.h"

#include "attn/npy.h"

#include "llvm/Support/raw_ostream.h"

#include <cstring>
#include <filesystem>
#include <fstream>

namespace attn::driver {

namespace fs = std::filesystem;

std::vector<AttentionMapOutput> attention_map_outputs(const nlohmann::json &manifest) {
  std::vector<AttentionMapOutput> maps;
  const auto &outputs = manifest.at("outputs");
  for (size_t i = 0; i < outputs.size(); ++i)
    if (outputs[i].contains("attention_map"))
      maps.push_back({i, outputs[i].at("attention_map").get<std::string>(),
                      outputs[i].value("loc", std::string())});
  return maps;
}

std::string TokenLabels::at(int64_t b, int64_t s, int64_t axis_length) const {
  if (present) {
    // ids [S] or [B, S]: the axis is labelled by tokens only when it runs over the same S.
    int64_t length = ids.shape().back();
    int64_t batch = ids.rank() >= 2 ? ids.shape()[ids.rank() - 2] : 1;
    if (axis_length == length && b < batch) {
      int64_t k = b * length + s;
      int64_t id = ids.dtype() == DType::I64 ? ids.data<int64_t>()[k] : ids.data<int32_t>()[k];
      if (id >= 0 && id < static_cast<int64_t>(vocab.size()))
        return vocab[id];
      return "#" + std::to_string(id);
    }
  }
  return std::to_string(s);
}

StatusOr<TokenLabels> load_token_labels(const std::string &vocab_path,
                                        const std::vector<std::pair<std::string, Tensor>> &inputs) {
  TokenLabels labels;
  if (vocab_path.empty())
    return labels;
  std::ifstream in(vocab_path);
  if (!in)
    return Status::invalid_input("cannot read the vocabulary " + vocab_path);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    labels.vocab.push_back(line);
  }
  for (const auto &[name, tensor] : inputs)
    if ((tensor.dtype() == DType::I64 || tensor.dtype() == DType::I32) && tensor.rank() >= 1 &&
        tensor.rank() <= 2) {
      labels.ids = tensor;
      labels.present = true;
      break;
    }
  if (!labels.present)
    llvm::errs() << "attnc: warning: --vocab given, but the model reads no token ids; the maps "
                    "are labelled with positions\n";
  return labels;
}

namespace {

/// The [Sq, Sk] matrix of batch item `b`, head `h` as an owned tensor.
Tensor matrix(const Tensor &map, int64_t b, int64_t h) {
  int rank = map.rank();
  int64_t sq = map.dim(rank - 2), sk = map.dim(rank - 1);
  int64_t heads = rank == 4 ? map.dim(1) : 1;
  Tensor out = Tensor::empty(DType::F32, {sq, sk});
  const float *src = map.data<float>() + ((b * heads + h) * sq * sk);
  std::memcpy(out.data<float>(), src, static_cast<size_t>(sq * sk) * sizeof(float));
  return out;
}

} // namespace

Status write_attention_maps(const std::string &dir, const std::vector<AttentionMapOutput> &maps,
                            const std::vector<Tensor> &outputs, const TokenLabels &labels) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    return Status::invalid_input("cannot create " + dir + ": " + ec.message());
  nlohmann::json index = nlohmann::json::array();
  for (const AttentionMapOutput &m : maps) {
    const Tensor &map = outputs[m.index];
    int rank = map.rank();
    if (map.dtype() != DType::F32 || rank < 2 || rank > 4)
      return Status::internal("attention map " + m.name + " is " + map.type_string() +
                              ", not f32 [B, H, Sq, Sk], [B, Sq, Sk] or [Sq, Sk]");
    int64_t batch = rank >= 3 ? map.dim(0) : 1, heads = rank == 4 ? map.dim(1) : 1;
    int64_t sq = map.dim(rank - 2), sk = map.dim(rank - 1);
    nlohmann::json files = nlohmann::json::array();
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t h = 0; h < heads; ++h) {
        std::string stem = m.name + ".b" + std::to_string(b) + ".h" + std::to_string(h);
        Tensor weights = matrix(map, b, h);
        std::string npy = (fs::path(dir) / (stem + ".npy")).string();
        if (Status s = write_npy(npy, weights); !s.ok())
          return s;
        HeatmapSpec spec;
        spec.values = weights.data<float>();
        spec.rows = static_cast<int>(sq);
        spec.cols = static_cast<int>(sk);
        for (int64_t i = 0; i < sq; ++i)
          spec.row_labels.push_back(labels.at(b, i, sq));
        for (int64_t j = 0; j < sk; ++j)
          spec.col_labels.push_back(labels.at(b, j, sk));
        spec.title = m.name + "  batch " + std::to_string(b) + "  head " + std::to_string(h);
        std::string png = (fs::path(dir) / (stem + ".png")).string(), error;
        HeatmapLayout layout;
        if (!write_heatmap_png(png, spec, &layout, &error))
          return Status::invalid_input(error);
        files.push_back({{"batch", b},
                         {"head", h},
                         {"npy", stem + ".npy"},
                         {"png", stem + ".png"},
                         {"image", {{"width", layout.width}, {"height", layout.height}}},
                         {"plot", {{"x", layout.x}, {"y", layout.y}, {"cell", layout.cell}}},
                         {"queries", spec.row_labels},
                         {"keys", spec.col_labels}});
      }
    index.push_back({{"name", m.name}, {"loc", m.loc}, {"shape", map.shape()}, {"files", files}});
    llvm::outs() << (fs::path(dir) / m.name).string() << ": attention weights " << map.type_string()
                 << " (" << m.loc << "), " << batch * heads << " maps\n";
  }
  std::ofstream out(fs::path(dir) / "attention_maps.json");
  out << index.dump(2) << "\n";
  if (!out)
    return Status::invalid_input("cannot write " +
                                 (fs::path(dir) / "attention_maps.json").string());
  return Status();
}

} // namespace attn::driver
