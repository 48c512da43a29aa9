// One instruction set's build of the gather-GEMM kernels (see gemm_kernels.h).
#pragma once

struct GemmOps {
  const char* name;
  int nr;  // columns per micro-tile: B, dY and W^T are padded to a multiple of it
  void (*rows)(long m0, long m1, const float* A, const long* rowBase, const int* off, int K, const float* B, long ldb,
               int N, float* C, long ldc);
  void (*reduce)(long m0, long m1, const float* A, const long* rowBase, const int* off, int K, const float* dY,
                 long ldy, int N, float* dW, long ldw);
  void (*scatter)(long m0, long m1, const float* dY, int N, const float* WT, long ldwt, const int* ident, float* dX,
                  const long* rowBase, const int* off, int K);
};

extern const GemmOps gemm_generic;
#if defined(__x86_64__)
extern const GemmOps gemm_avx2;
extern const GemmOps gemm_avx512;
#endif
