// One instruction set's build of the gather-GEMM kernels (see gemm_kernels.h).
#pragma once

#include <cstddef>

// A zeroed scratch buffer for the kernels. Not std::vector: its members would be instantiated
// inside the per-ISA target regions, and the linker could then hand AVX-512 copies to any caller.
struct Scratch {
  float* data;
  explicit Scratch(size_t n) : data(new float[n > 0 ? n : 1]()) {}
  ~Scratch() { delete[] data; }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
};

struct GemmOps {
  const char* name;
  int nr;  // columns per micro-tile: B, dY and W^T are padded to a multiple of it
  void (*rows)(long m0, long m1, const float* A, const long* rowBase, const int* off, int K, const float* B, long ldb,
               int N, float* C, long ldc, const float* bias, int relu);
  void (*reduce)(long m0, long m1, const float* A, const long* rowBase, const int* off, int K, const float* dY,
                 const float* Y, int N, float* dW, long ldw, double* dB);
  void (*scatter)(long m0, long m1, const float* dY, const float* Y, int N, const float* WT, long ldwt,
                  const int* ident, float* dX, const long* rowBase, const int* off, int K);
  // The paired-tap forward (gemm_kernels.h) and the build's vector width: pv = 2 or 3 vectors per
  // row cover N <= pv * vw / 2 columns.
  int vw;
  void (*pairRows)(long m0, long m1, const float* A, const long* rowBase, const int* off2, int K2, const float* B2,
                   int pv, int N, float* C, long ldc, const float* bias, int relu);
  // The paired-tap filter gradient: dW2 is K / 2 rows of pv * vw floats, lane pairs interleaved.
  void (*pairReduce)(long m0, long m1, const float* A, const long* rowBase, const int* off, int K, const float* dY,
                     const float* Y, int pv, int N, float* dW2, double* dB);
  // A second forward tile shape where the build has one (else 0 and null): nr3 columns per tile,
  // for outputs that would leave a whole vector of the nr-wide tiles idle (48 channels on AVX-512).
  int nr3;
  void (*rows3)(long m0, long m1, const float* A, const long* rowBase, const int* off, int K, const float* B,
                long ldb, int N, float* C, long ldc, const float* bias, int relu);
};

extern const GemmOps gemm_generic;
#if defined(__x86_64__)
extern const GemmOps gemm_avx2;
extern const GemmOps gemm_avx512;
#endif
