{
  "targets": [
    {
      "target_name": "conv3d_cpu",
      "sources": [
        "native/conv3d_cpu.cc",
        "native/conv.cc",
        "native/adam.cc",
        "native/batch_norm.cc",
        "native/concat.cc",
        "native/gather.cc",
        "native/elementwise.cc",
        "native/thread_pool.cc",
        "native/gemm_generic.cc",
        "native/gemm_avx2.cc",
        "native/gemm_avx512.cc"
      ],
      "defines": ["NAPI_VERSION=8"],
      "cflags_cc": ["-O3", "-std=gnu++17", "-ffp-contract=fast", "-fno-math-errno"],
      "cflags_cc!": ["-std=gnu++1y", "-std=gnu++14"],
      "xcode_settings": {
        "OTHER_CPLUSPLUSFLAGS": ["-O3", "-std=gnu++17", "-ffp-contract=fast"]
      }
    }
  ]
}
