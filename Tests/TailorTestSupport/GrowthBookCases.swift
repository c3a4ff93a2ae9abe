import Foundation
import Tailor

/// GrowthBook's public cross-SDK vectors.
///
/// They are read from `../shared/conformance` (or the directory in
/// `TAILOR_CONFORMANCE_DIR`) and never copied into the repo.
enum GrowthBookCases {
  struct Case: Sendable, CustomStringConvertible {
    var section: String
    var index: Int
    var values: [JSONValue]

    var name: String { values.first?.stringValue ?? "" }
    var description: String { "\(section)[\(index)] \(name)" }
  }

  static let path: String = {
    if let directory = ProcessInfo.processInfo.environment["TAILOR_CONFORMANCE_DIR"] {
      return directory + "/growthbook-cases.json"
    }
    // Tests/TailorGrowthBookTests/GrowthBookCases.swift → package root.
    var components = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    components.removeLast(3)
    return components.joined(separator: "/") + "/../shared/conformance/growthbook-cases.json"
  }()

  static let document: JSONObject? = {
    guard let data = FileManager.default.contents(atPath: path),
      case .object(let object)? = try? JSONReader.parse([UInt8](data))
    else { return nil }
    return object
  }()

  static var isAvailable: Bool { document != nil }

  static let skipMessage =
    "GrowthBook vectors not found at \(path); set TAILOR_CONFORMANCE_DIR to run the conformance suite"

  static func cases(_ section: String) -> [Case] {
    guard let list = document?[section]?.arrayValue else { return [] }
    return list.enumerated().compactMap { index, entry in
      entry.arrayValue.map { Case(section: section, index: index, values: $0) }
    }
  }
}

/// Deep JSON equality that ignores object key order and tolerates float rounding.
func sameJSON(_ a: JSONValue, _ b: JSONValue) -> Bool {
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
