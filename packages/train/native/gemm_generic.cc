// Baseline build (SSE2 on x86-64, NEON on arm64): runs on any CPU.
#include <array>
#include <cstdint>
#include <utility>

#include "gemm_ops.h"

namespace kernels_generic {
constexpr int VW = 4;
constexpr int MR = 4;
constexpr int NV = 2;
#include "gemm_kernels.h"
}  // namespace kernels_generic

const GemmOps gemm_generic = {"generic", kernels_generic::NR, &kernels_generic::gather_gemm_rows, &kernels_generic::gather_gemm_reduce_rows,
                            &kernels_generic::gather_gemm_scatter_rows,
                            kernels_generic::VW, &kernels_generic::gather_gemm_pair_rows,
                            &kernels_generic::gather_gemm_pair_reduce_rows, 0, nullptr};
