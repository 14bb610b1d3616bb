#include "attn/shared_library.h"

#include <dlfcn.h>

namespace attn {

StatusOr<KernelLibrary> load_shared_kernels(const std::string &so_path,
                                            const std::vector<std::string> &kernel_names) {
  dlerror();
  void *handle = dlopen(so_path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char *why = dlerror();
    return Status::internal("cannot load kernel library " + so_path + ": " +
                            (why ? why : "unknown dlopen error"));
  }
  KernelLibrary lib;
  lib.keep_alive = std::shared_ptr<void>(handle, [](void *h) { dlclose(h); });

  std::vector<std::string> missing;
  auto lookup = [&](const std::string &symbol, bool required) -> void * {
    void *p = dlsym(handle, symbol.c_str());
    if (p == nullptr && required)
      missing.push_back(symbol);
    return p;
  };
  for (const std::string &name : kernel_names) {
    // dlsym hands back data pointers; POSIX guarantees they convert to function pointers.
    lib.kernels.push_back({name, reinterpret_cast<KernelFn>(lookup(name + "_argv", true))});
  }
  lib.set_error_handler =
      reinterpret_cast<decltype(lib.set_error_handler)>(lookup("halide_set_error_handler", true));
  lib.copy_to_host =
      reinterpret_cast<decltype(lib.copy_to_host)>(lookup("halide_copy_to_host", false));
  lib.device_free =
      reinterpret_cast<decltype(lib.device_free)>(lookup("halide_device_free", false));

  if (!missing.empty()) {
    std::string list;
    for (const std::string &m : missing)
      list += (list.empty() ? "" : ", ") + m;
    return Status::internal("kernel library " + so_path + " lacks symbol" +
                            (missing.size() > 1 ? "s " : " ") + list);
  }
  return lib;
}

} // namespace attn
