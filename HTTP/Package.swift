// swift-tools-version:6.1
import PackageDescription

// `tailor-http` lives in its own package so that linking Tailor never resolves a web
// framework. Build from this directory: `swift build -c release --product tailor-http`.
let package = Package(
  name: "TailorHTTP",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "tailor-http", targets: ["TailorHTTP"])
  ],
  dependencies: [
    .package(name: "Tailor", path: ".."),
    .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
  ],
  targets: [
    .executableTarget(
      name: "TailorHTTP",
      dependencies: [
        .product(name: "Tailor", package: "Tailor"),
        .product(name: "_TailorServer", package: "Tailor"),
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "HummingbirdCore", package: "hummingbird"),
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "HTTPTypes", package: "swift-http-types"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "Prometheus", package: "swift-prometheus"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "UnixSignals", package: "swift-service-lifecycle"),
      ],
      path: "Sources/TailorHTTP"
    )
  ]
)
