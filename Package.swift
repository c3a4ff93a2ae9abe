// swift-tools-version:6.1
import PackageDescription

let package = Package(
  name: "Tailor",
  products: [
    .library(name: "Tailor", targets: ["Tailor"]),
    // GrowthBook SDK payloads (features, saved groups, encrypted forms); the only user of swift-crypto.
    .library(name: "TailorGrowthBook", targets: ["TailorGrowthBook"]),
    .executable(name: "tailor", targets: ["TailorCLI"]),
    // Seeded document and profile generators shared by tests and benchmarks; not API.
    .library(name: "_TailorTestSupport", targets: ["TailorTestSupport"]),
    // The JSON-lines server behind `tailor serve`; a product only so the fuzz package can link it. Not API.
    .library(name: "_TailorServer", targets: ["TailorServer"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    // AES-CBC for encrypted GrowthBook payloads (`_CryptoExtras`); only TailorGrowthBook links it.
    .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
  ],
  targets: [
    // Core
    .target(name: "Tailor", dependencies: ["CPCRE2"]),
    .target(
      name: "TailorGrowthBook",
      dependencies: [
        "Tailor",
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "_CryptoExtras", package: "swift-crypto"),
      ]
    ),
    // C shim
    .systemLibrary(
      name: "CPCRE2",
      pkgConfig: "libpcre2-8",
      providers: [.apt(["libpcre2-dev"]), .brew(["pcre2"])]
    ),
    // Server
    .target(name: "TailorServer", dependencies: ["Tailor", "TailorGrowthBook"]),
    // Executable
    .executableTarget(
      name: "TailorCLI",
      dependencies: [
        "Tailor",
        "TailorGrowthBook",
        "TailorServer",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    // Examples
    .executableTarget(
      name: "quickstart",
      dependencies: ["Tailor"],
      path: "examples/quickstart",
      exclude: ["README.md"]
    ),
    // Tests
    .target(name: "TailorTestSupport", dependencies: ["Tailor"], path: "Tests/TailorTestSupport"),
    .testTarget(name: "TailorTests", dependencies: ["Tailor", "TailorTestSupport"]),
    .testTarget(
      name: "TailorGrowthBookTests",
      dependencies: [
        "TailorGrowthBook",
        "Tailor",
        "TailorTestSupport",
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "_CryptoExtras", package: "swift-crypto"),
      ]
    ),
    .testTarget(
      name: "TailorCLITests",
      dependencies: ["Tailor", "TailorServer", "TailorCLI", "TailorTestSupport"],
      exclude: ["Fixtures"]
    ),
  ]
)
