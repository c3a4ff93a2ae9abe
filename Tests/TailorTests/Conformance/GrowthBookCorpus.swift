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
    guard let bytes = Environment.readFile(path),
      case .object(let object)? = try? JSONReader.parse(bytes)
    else { return nil }
    return object
  }

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
