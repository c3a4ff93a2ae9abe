import Foundation
import Tailor

/// GrowthBook's public cross-SDK vectors.
///
/// They are read from `../shared/conformance` (or the directory in
/// `TAILOR_CONFORMANCE_DIR`) and never copied into the repo.
public enum GrowthBookCases {
  /// One case: its section, its index there, and its values (the first is its name).
  public struct Case: Sendable, CustomStringConvertible {
    /// The section, such as `feature`.
    public var section: String
    /// The case's index in its section.
    public var index: Int
    /// The case's values; the first is its name.
    public var values: [JSONValue]

    /// The case's name.
    public var name: String { values.first?.stringValue ?? "" }
    /// `section[index] name`.
    public var description: String { "\(section)[\(index)] \(name)" }
  }

  /// Where the vectors are read from.
  public static let path: String = {
    if let directory = ProcessInfo.processInfo.environment["TAILOR_CONFORMANCE_DIR"] {
      return directory + "/growthbook-cases.json"
    }
    // Tests/TailorTestSupport/GrowthBookCases.swift → package root.
    var components = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    components.removeLast(3)
    return components.joined(separator: "/") + "/../shared/conformance/growthbook-cases.json"
  }()

  /// The vectors, when the file is there.
  public static let document: JSONObject? = {
    guard let data = FileManager.default.contents(atPath: path),
      case .object(let object)? = try? JSONReader.parse([UInt8](data))
    else { return nil }
    return object
  }()

  /// Whether the vectors were found.
  public static var isAvailable: Bool { document != nil }

  /// Why the suites that need the vectors are skipped.
  public static let skipMessage =
    "GrowthBook vectors not found at \(path); set TAILOR_CONFORMANCE_DIR to run the conformance suite"

  /// Every case of a section.
  public static func cases(_ section: String) -> [Case] {
    guard let list = document?[section]?.arrayValue else { return [] }
    return list.enumerated().compactMap { index, entry in
      entry.arrayValue.map { Case(section: section, index: index, values: $0) }
    }
  }
}

/// Deep JSON equality that ignores object key order and tolerates float rounding.
public func sameJSON(_ a: JSONValue, _ b: JSONValue) -> Bool {
  switch (a, b) {
  case (.object(let x), .object(let y)):
    return x.count == y.count
      && x.pairs.allSatisfy { key, value in y[key].map { sameJSON(value, $0) } ?? false }
  case (.array(let x), .array(let y)):
    return x.count == y.count && zip(x, y).allSatisfy { sameJSON($0, $1) }
  case (.number(let x), .number(let y)):
    return abs(x - y) <= 1e-9
  default:
    return a == b
  }
}
