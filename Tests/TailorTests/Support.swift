import TailorTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Tag {
  @Tag static var conformance: Self
  @Tag static var differential: Self
  @Tag static var slow: Self
}

/// Small process helpers that keep the tests free of Foundation.
enum Environment {
  static func get(_ name: String) -> String? {
    guard let value = getenv(name) else { return nil }
    return String(cString: value)
  }

  static func readFile(_ path: String) -> [UInt8]? { TestFiles.read(path) }
}
