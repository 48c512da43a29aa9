// Register-blocked "gather GEMM" kernels, written once with GCC vector extensions and compiled
// once per instruction set (gemm_generic.cc, gemm_avx2.cc, gemm_avx512.cc) so a CPU only ever
// runs code it supports. Included inside a per-ISA namespace; VW (floats per vector), MR (rows
// per micro-tile) and NV (vectors per micro-tile row) come from the including file.
//
// Every convolution pass is one product  out[r][j] = sum_t rows[r][off[t]] * B[t][j]  where
// rows[] are pointers and off[] offsets: pointing rows at output voxels and off[] at the filter
// taps turns the input tensor into an implicit im2col matrix without materialising it.

typedef float vec __attribute__((vector_size(VW * 4)));

static constexpr int NR = VW * NV;

static inline vec load(const float* p) {
  vec v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}

static inline void store(float* p, vec v) { __builtin_memcpy(p, &v, sizeof v); }

enum Epilogue { STORE = 0, ADD = 1 };

// C[r][0..NR) (=, or += with ADD) sum over t < T of rows[r][off[t]] * B[t*ldb + 0..NR).
template <int R, int E>
static void tile(int T, const float* const* rows, const int* off, const float* B, long ldb, float* C, long ldc) {
  vec acc[R][NV];
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < NV; ++v) acc[r][v] = vec{};
  for (int t = 0; t < T; ++t) {
    vec b[NV];
    for (int v = 0; v < NV; ++v) b[v] = load(B + t * ldb + v * VW);
    const int o = off[t];
    for (int r = 0; r < R; ++r) {
      const float a = rows[r][o];
      for (int v = 0; v < NV; ++v) acc[r][v] += a * b[v];
    }
  }
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < NV; ++v) {
      float* c = C + r * ldc + v * VW;
      store(c, E == ADD ? load(c) + acc[r][v] : acc[r][v]);
    }
}

typedef void (*TileFn)(int, const float* const*, const int*, const float*, long, float*, long);

template <int E, int... Is>
static constexpr std::array<TileFn, sizeof...(Is)> make_table(std::integer_sequence<int, Is...>) {
  return {&tile<Is + 1, E>...};
}

static constexpr std::array<TileFn, MR> STORE_TILES = make_table<STORE>(std::make_integer_sequence<int, MR>{});
static constexpr std::array<TileFn, MR> ADD_TILES = make_table<ADD>(std::make_integer_sequence<int, MR>{});

// Writes a tile of R rows and w <= NR columns, straight into C when it is a whole tile wide.
static void store_tile(int R, int w, int T, const float* const* rows, const int* off, const float* B, long ldb,
                       float* C, long ldc) {
  if (w == NR) {
    STORE_TILES[R - 1](T, rows, off, B, ldb, C, ldc);
    return;
  }
  alignas(64) float out[MR * NR];
  STORE_TILES[R - 1](T, rows, off, B, ldb, out, NR);
  for (int r = 0; r < R; ++r)
    for (int j = 0; j < w; ++j) C[r * ldc + j] = out[r * NR + j];
}

// Forward pass (also plain GEMM): for each output row m, out[m][0..N) = sum_k A(m,k) B[k][..],
// then + bias[n] when bias is set, then relu when asked (both while the tile is still in L1).
// rowBase[m] locates row m's window in A; off[k] the tap k inside it. B is K × ldb (ldb a
// multiple of NR, zero padded). Rows [m0, m1) only, so callers can split rows across threads.
static void gather_gemm_rows(long m0, long m1, const float* A, const long* rowBase, const int* off, int K,
                             const float* B, long ldb, int N, float* C, long ldc, const float* bias, int relu) {
  const float* rows[MR];
  for (long m = m0; m < m1; m += MR) {
    const int R = static_cast<int>(m1 - m < MR ? m1 - m : MR);
    for (int r = 0; r < R; ++r) rows[r] = A + rowBase[m + r];
    for (int n0 = 0; n0 < N; n0 += NR) {
      const int w = N - n0 < NR ? N - n0 : NR;
      float* c = C + m * ldc + n0;
      store_tile(R, w, K, rows, off, B + n0, ldb, c, ldc);
      if (bias)
        for (int r = 0; r < R; ++r)
          for (int j = 0; j < w; ++j) c[r * ldc + j] += bias[n0 + j];
      if (relu)
        for (int r = 0; r < R; ++r)
          for (int j = 0; j < w; ++j) {
            const float v = c[r * ldc + j];
            c[r * ldc + j] = v > 0.f ? v : (v != v ? v : 0.f);  // NaN stays NaN, as tfjs's Relu
          }
    }
  }
}

// dy where the ReLU let the forward value through, else 0: tfjs's dy * step(x), with y = relu(x)
// standing in for x (y > 0 exactly where x > 0; a NaN y is a NaN x).
static inline float relu_masked(float dy, float y) { return y > 0.f ? dy : (y != y ? y : dy * 0.f); }

typedef int32_t ivec __attribute__((vector_size(VW * 4)));

// out[i] = relu_masked(d[i], y[i]) for i < n, a vector at a time with lane masks (the compiler
// keeps the scalar form's branches).
static void relu_masked_row(const float* d, const float* y, float* out, int n) {
  int i = 0;
  for (; i + VW <= n; i += VW) {
    const vec dv = load(d + i), yv = load(y + i);
    const ivec pass = yv > vec{}, nan = yv != yv;
    const ivec zero = (ivec)(dv * vec{});
    store(out + i, (vec)((pass & (ivec)dv) | (~pass & ((nan & (ivec)yv) | (~nan & zero)))));
  }
  for (; i < n; ++i) out[i] = relu_masked(d[i], y[i]);
}

// Filter gradient: dW[k][n] += sum_{m in [m0,m1)} A(m,k) dY(m,n). Here the tile rows are taps k
// and the reduction runs over output voxels m, in blocks: each block of dY (N columns, row stride
// N) is first packed into a panel of whole tiles, with ReLU's mask applied when Y (the forward
// output, same layout) is given, and its column sums added to dB (double) when dB is given, so
// the bias gradient and the mask cost no pass of their own. dW's rows (ldw) are whole tiles wide.
static void gather_gemm_reduce_rows(long m0, long m1, const float* A, const long* rowBase, const int* off, int K,
                                    const float* dY, const float* Y, int N, float* dW, long ldw, double* dB) {
  constexpr long MB = 256;
  const float* rows[MR];
  int boff[MB];
  const long ldp = (N + NR - 1) / NR * NR;
  Scratch panel(MB * ldp);
  for (long mb = m0; mb < m1; mb += MB) {
    const int T = static_cast<int>(m1 - mb < MB ? m1 - mb : MB);
    for (int t = 0; t < T; ++t) {
      const float* d = dY + (mb + t) * N;
      float* p = panel.data + t * ldp;
      if (Y) {
        relu_masked_row(d, Y + (mb + t) * N, p, N);
      } else {
        for (int n = 0; n < N; ++n) p[n] = d[n];
      }
      if (dB)
        for (int n = 0; n < N; ++n) dB[n] += p[n];
    }
    // Window bases fit in int for any tensor tfjs can hold in one Float32Array per sample block.
    const long base0 = rowBase[mb];
    for (int t = 0; t < T; ++t) boff[t] = static_cast<int>(rowBase[mb + t] - base0);
    for (int k = 0; k < K; k += MR) {
      const int R = K - k < MR ? K - k : MR;
      for (int r = 0; r < R; ++r) rows[r] = A + base0 + off[k + r];
      for (int n0 = 0; n0 < N; n0 += NR)
        ADD_TILES[R - 1](T, rows, boff, panel.data + n0, ldp, dW + k * ldw + n0, ldw);
    }
  }
}

// Input gradient: for each output row m, dA(m,k) = sum_n dY[m][n] WT[n][k] (dY masked by Y as
// above when Y is given), scattered back
// (col2im) into dX at rowBase[m] + off[k]. Rows [m0, m1) must not share dX elements with rows
// another thread handles (callers split by sample).
static void gather_gemm_scatter_rows(long m0, long m1, const float* dY, const float* Y, int N, const float* WT,
                                     long ldwt, const int* ident, float* dX, const long* rowBase, const int* off,
                                     int K) {
  alignas(64) float out[MR * NR];
  const float* rows[MR];
  // With Y given, each block of MR rows of dY is packed with ReLU's mask applied first.
  Scratch masked(Y ? static_cast<size_t>(MR) * N : 0);
  for (long m = m0; m < m1; m += MR) {
    const int R = static_cast<int>(m1 - m < MR ? m1 - m : MR);
    for (int r = 0; r < R; ++r) {
      rows[r] = dY + (m + r) * N;
      if (Y) {
        float* p = masked.data + r * N;
        relu_masked_row(rows[r], Y + (m + r) * N, p, N);
        rows[r] = p;
      }
    }
    for (int k0 = 0; k0 < K; k0 += NR) {
      STORE_TILES[R - 1](N, rows, ident, WT + k0, ldwt, out, NR);
      const int w = K - k0 < NR ? K - k0 : NR;
      const int* o = off + k0;
      // Taps of consecutive channels sit side by side in dX: then the scatter is a vector add.
      const bool contiguous = o[w - 1] - o[0] == w - 1;
      for (int r = 0; r < R; ++r) {
        float* d = dX + rowBase[m + r];
        if (contiguous) {
          float* dc = d + o[0];
          for (int j = 0; j < w; ++j) dc[j] += out[r * NR + j];
        } else {
          for (int j = 0; j < w; ++j) d[o[j]] += out[r * NR + j];
        }
      }
    }
  }
}

// Paired taps, for outputs narrower than a tile (F = 24 on AVX-512 fills 24 of a 32-wide tile):
// two taps whose A values sit side by side (consecutive input channels) are read as one 64-bit
// broadcast, and each vector lane pair holds (tap 2j, tap 2j+1) of one output column, so 2F
// lanes carry 2F products per step with none wasted. Lane pairs are summed when the tile is
// stored. B2 is K/2 rows of PV vectors: row j, lanes 2f and 2f+1 = B[2j][f] and B[2j+1][f].
typedef double dvec __attribute__((vector_size(VW * 4)));

// Every lane = v, as one broadcast (dvec{} + v would be an add, which can change the floats' bits).
template <size_t... Is>
static inline dvec splat(double v, std::index_sequence<Is...>) {
  return dvec{((void)Is, v)...};
}

template <int R, int PV>
static void pair_tile(int T2, const float* const* rows, const int* off2, const float* B2, float* out) {
  vec acc[R][PV];
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < PV; ++v) acc[r][v] = vec{};
  for (int j = 0; j < T2; ++j) {
    vec b[PV];
    for (int v = 0; v < PV; ++v) b[v] = load(B2 + (static_cast<long>(j) * PV + v) * VW);
    const int o = off2[j];
    for (int r = 0; r < R; ++r) {
      double pair;
      __builtin_memcpy(&pair, rows[r] + o, sizeof pair);
      const vec a = (vec)splat(pair, std::make_index_sequence<VW / 2>{});
      for (int v = 0; v < PV; ++v) acc[r][v] += a * b[v];
    }
  }
  for (int r = 0; r < R; ++r) {
    alignas(64) float lanes[PV * VW];
    for (int v = 0; v < PV; ++v) store(lanes + v * VW, acc[r][v]);
    for (int f = 0; f < PV * VW / 2; ++f) out[r * (PV * VW / 2) + f] = lanes[2 * f] + lanes[2 * f + 1];
  }
}

typedef void (*PairTileFn)(int, const float* const*, const int*, const float*, float*);

// As many accumulators as the plain tiles use (MR * NV), in rows of PV vectors.
template <int PV>
static constexpr int PAIR_MR = MR * NV / PV;

template <int PV, int... Is>
static constexpr std::array<PairTileFn, sizeof...(Is)> make_pair_table(std::integer_sequence<int, Is...>) {
  return {&pair_tile<Is + 1, PV>...};
}

// gather_gemm_rows with paired taps: off2[j] locates taps 2j and 2j + 1 (the next float), K2 = K / 2,
// PV = ceil(2N / VW) vectors per row (2 or 3), N <= PV * VW / 2.
template <int PV>
static void pair_rows(long m0, long m1, const float* A, const long* rowBase, const int* off2, int K2,
                      const float* B2, int N, float* C, long ldc, const float* bias, int relu) {
  constexpr int MR2 = PAIR_MR<PV>;
  constexpr int W = PV * VW / 2;
  static constexpr std::array<PairTileFn, MR2> TILES = make_pair_table<PV>(std::make_integer_sequence<int, MR2>{});
  const float* rows[MR2];
  alignas(64) float out[MR2 * W];
  for (long m = m0; m < m1; m += MR2) {
    const int R = static_cast<int>(m1 - m < MR2 ? m1 - m : MR2);
    for (int r = 0; r < R; ++r) rows[r] = A + rowBase[m + r];
    TILES[R - 1](K2, rows, off2, B2, out);
    for (int r = 0; r < R; ++r) {
      float* c = C + (m + r) * ldc;
      const float* o = out + r * W;
      for (int j = 0; j < N; ++j) {
        float v = o[j] + (bias ? bias[j] : 0.f);
        if (relu) v = v > 0.f ? v : (v != v ? v : 0.f);  // NaN stays NaN, as tfjs's Relu
        c[j] = v;
      }
    }
  }
}

static void gather_gemm_pair_rows(long m0, long m1, const float* A, const long* rowBase, const int* off2, int K2,
                                  const float* B2, int pv, int N, float* C, long ldc, const float* bias, int relu) {
  if (pv == 2)
    pair_rows<2>(m0, m1, A, rowBase, off2, K2, B2, N, C, ldc, bias, relu);
  else
    pair_rows<3>(m0, m1, A, rowBase, off2, K2, B2, N, C, ldc, bias, relu);
}

// Filter gradient with paired taps (as gather_gemm_reduce_rows; the pairing as pair_tile's): tile
// rows are pairs of adjacent taps (2j, 2j + 1), read as one 64-bit broadcast per output voxel, and
// the packed dY panel holds each value twice, so lanes 2f and 2f + 1 of pair j accumulate dW[2j][f]
// and dW[2j + 1][f]. dW2 (K / 2 rows of PV vectors, added to) keeps that interleaved layout.
template <int R, int PV>
static void pair_reduce_tile(int T, const float* const* rows, const int* boff, const float* P, float* C) {
  vec acc[R][PV];
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < PV; ++v) acc[r][v] = vec{};
  for (int t = 0; t < T; ++t) {
    vec b[PV];
    for (int v = 0; v < PV; ++v) b[v] = load(P + (static_cast<long>(t) * PV + v) * VW);
    const int o = boff[t];
    for (int r = 0; r < R; ++r) {
      double pair;
      __builtin_memcpy(&pair, rows[r] + o, sizeof pair);
      const vec a = (vec)splat(pair, std::make_index_sequence<VW / 2>{});
      for (int v = 0; v < PV; ++v) acc[r][v] += a * b[v];
    }
  }
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < PV; ++v) {
      float* c = C + (r * PV + v) * VW;
      store(c, load(c) + acc[r][v]);
    }
}

template <int PV, int... Is>
static constexpr std::array<PairTileFn, sizeof...(Is)> make_pair_reduce_table(std::integer_sequence<int, Is...>) {
  return {&pair_reduce_tile<Is + 1, PV>...};
}

template <int PV>
static void pair_reduce(long m0, long m1, const float* A, const long* rowBase, const int* off, int K,
                        const float* dY, const float* Y, int N, float* dW2, double* dB) {
  constexpr int MR2 = PAIR_MR<PV>;
  constexpr long MB = 256;
  constexpr int W = PV * VW;
  static constexpr std::array<PairTileFn, MR2> TILES =
      make_pair_reduce_table<PV>(std::make_integer_sequence<int, MR2>{});
  const float* rows[MR2];
  int boff[MB];
  Scratch panel(MB * W);
  alignas(64) float p[W / 2];  // one masked row of dY: N <= W / 2
  for (long mb = m0; mb < m1; mb += MB) {
    const int T = static_cast<int>(m1 - mb < MB ? m1 - mb : MB);
    for (int t = 0; t < T; ++t) {
      const float* d = dY + (mb + t) * N;
      float* q = panel.data + t * W;
      if (Y)
        relu_masked_row(d, Y + (mb + t) * N, p, N);
      else
        for (int n = 0; n < N; ++n) p[n] = d[n];
      for (int n = 0; n < N; ++n) q[2 * n] = q[2 * n + 1] = p[n];
      if (dB)
        for (int n = 0; n < N; ++n) dB[n] += p[n];
    }
    const long base0 = rowBase[mb];
    for (int t = 0; t < T; ++t) boff[t] = static_cast<int>(rowBase[mb + t] - base0);
    for (int j = 0; j < K / 2; j += MR2) {
      const int R = K / 2 - j < MR2 ? K / 2 - j : MR2;
      for (int r = 0; r < R; ++r) rows[r] = A + base0 + off[2 * (j + r)];
      TILES[R - 1](T, rows, boff, panel.data, dW2 + static_cast<long>(j) * W);
    }
  }
}

static void gather_gemm_pair_reduce_rows(long m0, long m1, const float* A, const long* rowBase, const int* off,
                                         int K, const float* dY, const float* Y, int pv, int N, float* dW2,
                                         double* dB) {
  if (pv == 2)
    pair_reduce<2>(m0, m1, A, rowBase, off, K, dY, Y, N, dW2, dB);
  else
    pair_reduce<3>(m0, m1, A, rowBase, off, K, dY, Y, N, dW2, dB);
}
