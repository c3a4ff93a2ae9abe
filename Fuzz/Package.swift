// swift-tools-version:6.1
import PackageDescription

// libFuzzer targets for the Tailor library and its server. They live in their
// own package so the root package never carries sanitizer flags. From the
// repository root:
//
//   scripts/fuzz.sh FuzzJSONReader 60      # build, then fuzz for 60 seconds
//
// or by hand, from this directory:
//
//   swift build -c release --product FuzzJSONReader \
//     -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
//   .build/release/FuzzJSONReader Corpus/FuzzJSONReader
//
// Each target exports `LLVMFuzzerTestOneInput`. SwiftPM links an executable
// target's entry point as `main`, which shadows libFuzzer's own `main`, so each
// target's `@main` hands control to libFuzzer through `LLVMFuzzerRunDriver`
// (see FuzzSupport). The targets link only when built with `-sanitize=fuzzer`.
let fuzzTargets = ["FuzzJSONReader", "FuzzDocumentLoader", "FuzzConditions", "FuzzRequestHandler"]

// Targets that also link the server library (the root package's `_TailorServer`).
let serverTargets: Set<String> = ["FuzzRequestHandler"]

// `@main` in a single-file module needs `-parse-as-library`; `@_extern(c)`
// declares libFuzzer's C entry point.
let swiftSettings: [SwiftSetting] = [
  .unsafeFlags(["-parse-as-library"]),
  .enableExperimentalFeature("Extern"),
]

let package = Package(
  name: "TailorFuzz",
  dependencies: [
    .package(name: "Tailor", path: "..")
  ],
  targets: [
    .target(
      name: "FuzzSupport",
      dependencies: [.product(name: "Tailor", package: "Tailor")],
      swiftSettings: swiftSettings
    )
  ]
    + fuzzTargets.map { name in
      .executableTarget(
        name: name,
        dependencies: ["FuzzSupport", .product(name: "Tailor", package: "Tailor")]
          + (serverTargets.contains(name) ? [.product(name: "_TailorServer", package: "Tailor")] : []),
        swiftSettings: swiftSettings
      )
    }
)
