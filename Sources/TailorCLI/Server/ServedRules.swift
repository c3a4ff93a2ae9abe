#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif
import Tailor

/// A loaded rules document as the server holds it: the rules, where they came
/// from and when. Immutable, so a `load` swaps one reference atomically.
final class ServedRules: Sendable {
  let rules: Rules
  /// The file the rules were read from; `nil` for inline `rules`.
  let file: String?
  /// Seconds since the epoch.
  let loadedAt: Double
  private let names: Set<ByteString>

  init(_ rules: Rules, file: String?, loadedAt: Double = Date().timeIntervalSince1970) {
    self.rules = rules
    self.file = file
    self.loadedAt = loadedAt
    self.names = Set(rules.decisionNames.map(ByteString.init))
  }

  /// Whether the document has a decision `name` (names compare by bytes).
  func hasDecision(_ name: String) -> Bool { names.contains(ByteString(name)) }

  /// `decisions`, `rules`, `segments` and `groups` counts.
  var counts: JSONObject {
    let document = rules.document
    return JSONObject([
      ("decisions", .number(Double(document.decisions.count))),
      ("rules", .number(Double(rules.ruleCount))),
      ("segments", .number(Double(document.segments.count))),
      ("groups", .number(Double(document.groups.count))),
    ])
  }

  /// One line for logs: `rules.json: 3 decisions, 12 rules, 1 warning`.
  var summary: String {
    "\(file ?? "inline rules"): \(rules.sizeDescription), \(plural(rules.warnings.count, "warning"))"
  }
}

extension Rules {
  /// The number of rules across all decisions.
  var ruleCount: Int { document.decisions.reduce(0) { $0 + $1.rules.count } }

  /// `3 decisions, 12 rules`.
  var sizeDescription: String { "\(plural(document.decisions.count, "decision")), \(plural(ruleCount, "rule"))" }
}

/// `1 rule`, `2 rules`.
func plural(_ count: Int, _ noun: String) -> String {
  "\(count) \(noun)\(count == 1 ? "" : "s")"
}
