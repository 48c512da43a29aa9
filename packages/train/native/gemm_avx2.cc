// AVX2+FMA build: 6×16 tiles keep 12 of the 16 ymm registers as accumulators.
#include <array>
#include <cstdint>
#include <utility>

#include "gemm_ops.h"

#if defined(__x86_64__)
#pragma GCC push_options
#pragma GCC target("avx2,fma")

namespace kernels_avx2 {
constexpr int VW = 8;
constexpr int MR = 6;
constexpr int NV = 2;
#include "gemm_kernels.h"
}  // namespace kernels_avx2

const GemmOps gemm_avx2 = {"avx2", kernels_avx2::NR, &kernels_avx2::gather_gemm_rows, &kernels_avx2::gather_gemm_reduce_rows,
                            &kernels_avx2::gather_gemm_scatter_rows,
                            kernels_avx2::VW, &kernels_avx2::gather_gemm_pair_rows,
                            &kernels_avx2::gather_gemm_pair_reduce_rows, 0, nullptr};
#pragma GCC pop_options
#endif
