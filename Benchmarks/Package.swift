// swift-tools-version:6.1
import PackageDescription

// Benchmarks live in their own package so that linking Tailor never resolves
// package-benchmark. Run from this directory: `swift package benchmark`.
let package = Package(
  name: "TailorBenchmarks",
  platforms: [.macOS(.v13)],
  dependencies: [
    .package(name: "Tailor", path: ".."),
    .package(
      url: "https://github.com/ordo-one/package-benchmark",
      exact: "1.38.1",
      traits: ["MallocInterposer"]
    ),
  ],
  targets: [
    .executableTarget(
      name: "TailorBenchmarks",
      dependencies: [
        .product(name: "Tailor", package: "Tailor"),
        .product(name: "TailorGrowthBook", package: "Tailor"),
        .product(name: "_TailorTestSupport", package: "Tailor"),
        .product(name: "_TailorServer", package: "Tailor"),
        .product(name: "Benchmark", package: "package-benchmark"),
      ],
      path: "Benchmarks/TailorBenchmarks",
      plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
    ),
    // A plain loop for perf and callgrind.
    .executableTarget(
      name: "tailor-profile",
      dependencies: [
        .product(name: "Tailor", package: "Tailor"),
        .product(name: "_TailorTestSupport", package: "Tailor"),
        .product(name: "_TailorServer", package: "Tailor"),
      ],
      path: "Profiling"
    ),
    // GrowthBook payloads, apart from `tailor-profile`: swift-crypto's debug
    // information stops valgrind, which CI runs on `tailor-profile`.
    .executableTarget(
      name: "growthbook-profile",
      dependencies: [
        .product(name: "Tailor", package: "Tailor"),
        .product(name: "TailorGrowthBook", package: "Tailor"),
        .product(name: "_TailorTestSupport", package: "Tailor"),
      ],
      path: "GrowthBookProfiling"
    ),
  ]
)
