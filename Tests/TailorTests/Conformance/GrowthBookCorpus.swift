import Tailor

/// GrowthBook's public cross-SDK vectors, read from `../shared/conformance`
/// (or the directory in `TAILOR_CONFORMANCE_DIR`).
///
/// Never copied into the repo.
enum GrowthBookCorpus {
  struct Case: Sendable, CustomStringConvertible {
    var section: String
    var index: Int
    var values: [JSONValue]

    var description: String {
      let name = values.first?.stringValue ?? values.first.map { $0.jsonText } ?? ""
      return "\(section)[\(index)] \(name)"
    }
  }

  static let path: String = {
    if let directory = Environment.get("TAILOR_CONFORMANCE_DIR") {
      return directory + "/growthbook-cases.json"
    }
    // Tests/TailorTests/Conformance/GrowthBookCorpus.swift → package root.
    var components = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    components.removeLast(4)
    let root = components.joined(separator: "/")
    return root + "/../shared/conformance/growthbook-cases.json"
  }()

  static let document: JSONObject? = document(at: path)

  /// The vectors' top-level object in the file at `path`; `nil` when it is missing or not
  /// a JSON object.
  static func document(at path: String) -> JSONObject? {
    Environment.readFile(path).flatMap(document(from:))
  }

  /// The vectors' top-level object in `bytes`; `nil` when they are not a JSON object.
  static func document(from bytes: [UInt8]) -> JSONObject? {
    guard case .object(let object)? = try? JSONReader.parse(bytes) else { return nil }
    return object
  }

  static var isAvailable: Bool { document != nil }

  static let skipMessage =
    "GrowthBook vectors not found at \(path); set TAILOR_CONFORMANCE_DIR to run the conformance suite"

  /// The cases of one section of the vectors found at ``path``: one per array entry.
  static func cases(_ section: String) -> [Case] { cases(section, in: document) }

  /// The cases of one section of `document`: one per array entry; none when the
  /// section is missing or not an array.
  static func cases(_ section: String, in document: JSONObject?) -> [Case] {
    guard let list = document?[section]?.arrayValue else { return [] }
    return list.enumerated().compactMap { index, entry in
      entry.arrayValue.map { Case(section: section, index: index, values: $0) }
    }
  }
}
