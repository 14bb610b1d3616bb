// `attnc run` and `attnc bench` (see Run.cpp).
#pragma once

#include "Driver.h"

#include <string>
#include <vector>

namespace attn::driver {

struct RunOptions {
  std::string target = "host"; // with device "cuda", "host" means host-cuda
  std::string device = "cpu";  // cpu or cuda: where the kernels run
  std::string weights;
  std::vector<std::string> inputs; // NAME=FILE.npy
  std::string out_dir;             // run: where out<i>.npy go
  int iterations = 0;              // bench: timed forwards (0: run once and write outputs)
  std::string attention_dir;       // run: where attention maps go (empty: none)
  std::string vocab;               // run: tokens labelling the maps' axes
};

/// Returns the process exit status.
int run_model(Session &session, const ModelOptions &options, const RunOptions &run);

} // namespace attn::driver
