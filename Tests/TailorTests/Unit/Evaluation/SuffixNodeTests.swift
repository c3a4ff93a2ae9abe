import Testing

@testable import Tailor

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Suffix nodes read a path-compressed trie of their suffixes from a string's last byte:
/// short and long suffixes, nested ones (`m`, `com`, `@corp.com`), an edge longer than
/// 255 bytes (split in two), values that leave an edge in its middle or end inside it,
/// the empty string and strings shorter than every suffix agree with the interpreter.
struct SuffixNodeTests {
  static let long = String(repeating: "long-domain.", count: 6) + "com"  // 75 bytes
  static let huge = "@" + String(repeating: "segment-", count: 40) + "org"  // 324 bytes

  @Test(arguments: [
    "a@corp.com",
    "a@x" + long,
    long,
    "", "com", "m", "a@corp.co", "a@dorp.com", "orp.com",
    "a" + huge, huge, String(huge.dropFirst()), "a#" + huge.dropFirst(),
    "a@" + String(repeating: "segment-", count: 39) + "xegment-org",
    "a" + String(huge.dropFirst(200)),
  ])
  func longAndShortSuffixesAgreeWithTheInterpreter(_ email: String) throws {
    let (long, huge) = (Self.long, Self.huge)
    let suffixes = [
      "@corp.com", long, "." + long, "m", "com", "@x" + long, "x@corp.com", huge, "org",
    ]
    let rules = suffixes.enumerated().map { index, suffix in
      #"{"id": "r\#(index)", "serve": "b", "when": {"email": {"$endsWith": "\#(suffix)"}}}"#
    }
    for mode in [#""mode": "all","#, ""] {
      let text =
        #"{"tailor": 1, "decisions": {"d": {\#(mode) "variants": {"a": 1, "b": 2}, "default": "a", "rules": ["#
        + rules.joined(separator: ",") + "]}}}"
      let loaded = try Rules(json: text)
      #expect(
        loaded.compiled.decisions[0].graph.nodes.contains {
          if case .suffix = $0 { true } else { false }
        }
      )
      let profile = JSONValue.object(JSONObject([("email", .string(email))]))
      let evaluator = loaded.makeEvaluator()
      let expected = loaded.interpreter.decide("d", for: profile, now: 0)
      #expect(
        evaluator.decide("d", for: Profile(profile), at: Date(timeIntervalSince1970: 0)) == expected
      )
      let fromBytes = try loaded.prepare(json: Array(profile.jsonText.utf8))
      #expect(evaluator.decide("d", for: fromBytes, at: Date(timeIntervalSince1970: 0)) == expected)
    }
  }
}
