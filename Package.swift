// swift-tools-version:6.1
import PackageDescription

let package = Package(
  name: "Tailor",
  products: [
    .library(name: "Tailor", targets: ["Tailor"]),
    .executable(name: "tailor", targets: ["TailorCLI"]),
    // Seeded document and profile generators shared by tests and benchmarks; not API.
    .library(name: "_TailorTestSupport", targets: ["TailorTestSupport"]),
    // The JSON-lines server behind `tailor serve`; a product only so the fuzz package can link it. Not API.
    .library(name: "_TailorServer", targets: ["TailorServer"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2")
  ],
  targets: [
    // Core
    .target(name: "Tailor", dependencies: ["CPCRE2"]),
    // C shim
    .systemLibrary(
      name: "CPCRE2",
      pkgConfig: "libpcre2-8",
      providers: [.apt(["libpcre2-dev"]), .brew(["pcre2"])]
    ),
    // Server
    .target(name: "TailorServer", dependencies: ["Tailor"]),
    // Executable
    .executableTarget(
      name: "TailorCLI",
      dependencies: [
        "Tailor",
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
      name: "TailorCLITests",
      dependencies: ["Tailor", "TailorServer", "TailorCLI", "TailorTestSupport"],
      exclude: ["Fixtures"]
    ),
  ]
)
