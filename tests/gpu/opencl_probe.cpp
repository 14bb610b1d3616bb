// Lists the OpenCL platforms and devices that kernels compiled for Halide's OpenCL target would
// find, so that the OpenCL tests skip (rather than fail) where there is none. It loads the
// library the way Halide's OpenCL runtime does (dlopen of "libOpenCL.so", the ICD loader) and
// needs no OpenCL headers or import library to build.
//
// Exit status: 0 if at least one device is found, 1 otherwise, with the reason on stdout.
#include <dlfcn.h>

#include <cstdint>
#include <cstdio>

namespace {

// The few OpenCL 1.2 entry points and constants used here, as cl.h declares them.
using ClInt = int32_t;
using ClUint = uint32_t;
using GetPlatformIds = ClInt (*)(ClUint, void **, ClUint *);
using GetPlatformInfo = ClInt (*)(void *, ClUint, size_t, void *, size_t *);
using GetDeviceIds = ClInt (*)(void *, uint64_t, ClUint, void **, ClUint *);
using GetDeviceInfo = ClInt (*)(void *, ClUint, size_t, void *, size_t *);
constexpr ClUint kPlatformName = 0x0902;
constexpr uint64_t kDeviceTypeAll = 0xFFFFFFFF;
constexpr ClUint kDeviceType = 0x1000;
constexpr ClUint kDeviceName = 0x102B;
constexpr uint64_t kDeviceTypeCpu = 1 << 1, kDeviceTypeGpu = 1 << 2;
constexpr ClUint kMaxIds = 16;

const char *type_name(uint64_t type) {
  if (type & kDeviceTypeGpu)
    return "GPU";
  if (type & kDeviceTypeCpu)
    return "CPU";
  return "other";
}

} // namespace

int main() {
  const char *library = "libOpenCL.so"; // the name Halide's OpenCL runtime loads
  void *lib = dlopen(library, RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr) {
    std::printf("opencl_probe: cannot load %s (%s); install ocl-icd-opencl-dev and an ICD such "
                "as pocl-opencl-icd\n",
                library, dlerror());
    return 1;
  }
  auto get_platforms = reinterpret_cast<GetPlatformIds>(dlsym(lib, "clGetPlatformIDs"));
  auto platform_info = reinterpret_cast<GetPlatformInfo>(dlsym(lib, "clGetPlatformInfo"));
  auto get_devices = reinterpret_cast<GetDeviceIds>(dlsym(lib, "clGetDeviceIDs"));
  auto device_info = reinterpret_cast<GetDeviceInfo>(dlsym(lib, "clGetDeviceInfo"));
  if (!get_platforms || !platform_info || !get_devices || !device_info) {
    std::printf("opencl_probe: %s lacks the OpenCL 1.2 entry points\n", library);
    return 1;
  }
  void *platforms[kMaxIds];
  ClUint num_platforms = 0;
  ClInt rc = get_platforms(kMaxIds, platforms, &num_platforms);
  if (rc != 0 || num_platforms == 0) {
    std::printf("opencl_probe: no OpenCL platform (clGetPlatformIDs returned %d); is an ICD "
                "such as pocl-opencl-icd installed under /etc/OpenCL/vendors?\n",
                rc);
    return 1;
  }
  int devices_found = 0;
  for (ClUint p = 0; p < num_platforms && p < kMaxIds; ++p) {
    char name[256] = "?";
    platform_info(platforms[p], kPlatformName, sizeof(name), name, nullptr);
    void *devices[kMaxIds];
    ClUint num_devices = 0;
    if (get_devices(platforms[p], kDeviceTypeAll, kMaxIds, devices, &num_devices) != 0)
      num_devices = 0;
    std::printf("opencl_probe: platform '%s': %u device(s)\n", name, num_devices);
    for (ClUint d = 0; d < num_devices && d < kMaxIds; ++d) {
      char device[256] = "?";
      uint64_t type = 0;
      device_info(devices[d], kDeviceName, sizeof(device), device, nullptr);
      device_info(devices[d], kDeviceType, sizeof(type), &type, nullptr);
      std::printf("opencl_probe:   %s device '%s'\n", type_name(type), device);
      ++devices_found;
    }
  }
  if (devices_found == 0) {
    std::printf("opencl_probe: no OpenCL device on any platform\n");
    return 1;
  }
  return 0;
}
