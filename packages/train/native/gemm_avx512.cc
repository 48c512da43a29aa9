// AVX-512 build: 12×32 tiles keep 24 of the 32 zmm registers as accumulators.
#include <array>
#include <cstdint>
#include <utility>

#include "gemm_ops.h"

#if defined(__x86_64__)
#pragma GCC push_options
#pragma GCC target("avx512f,avx512vl,avx2,fma")

namespace kernels_avx512 {
constexpr int VW = 16;
constexpr int MR = 12;
constexpr int NV = 2;
#include "gemm_kernels.h"
}  // namespace kernels_avx512

// 8×48 tiles (24 accumulators again), for the forward of outputs of 48 (or 80, 112...) channels.
// Only its forward is used: the rest of the header's functions stay unreferenced here.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
namespace kernels_avx512_w3 {
constexpr int VW = 16;
constexpr int MR = 8;
constexpr int NV = 3;
#include "gemm_kernels.h"
}  // namespace kernels_avx512_w3
#pragma GCC diagnostic pop

const GemmOps gemm_avx512 = {"avx512", kernels_avx512::NR, &kernels_avx512::gather_gemm_rows, &kernels_avx512::gather_gemm_reduce_rows,
                            &kernels_avx512::gather_gemm_scatter_rows,
                            kernels_avx512::VW, &kernels_avx512::gather_gemm_pair_rows,
                            &kernels_avx512::gather_gemm_pair_reduce_rows, kernels_avx512_w3::NR,
                            &kernels_avx512_w3::gather_gemm_rows};
#pragma GCC pop_options
#endif
