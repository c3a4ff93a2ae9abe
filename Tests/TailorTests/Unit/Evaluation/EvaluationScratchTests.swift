import TailorTestSupport
import Testing

@testable import Tailor

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The server's scratch continues an evaluation only for the same profile at the same instant.
struct EvaluationScratchTests {
  /// Decisions asked in any order, for profile after profile read from request
  /// lines, at one instant and then another, answer as a fresh evaluator does.
  @Test func answersAsFreshEvaluations() throws {
    for seed in UInt64(0)..<20 {
      var generator = RandomDocuments(seed: 0x5C_0000 &+ seed)
      let rules = try Rules(json: generator.document().jsonText)
      let ids = (0..<rules.decisionNames.count).compactMap(rules.decisionID(at:))
      let scratch = EvaluationScratch()
      scratch.use(rules)
      let fresh = rules.makeEvaluator()
      for round in 0..<30 {
        let profile = Array(generator.profile().jsonText.utf8)
        let line = Array(#"{"profile":"#.utf8) + profile + [UInt8(ascii: "}")]
        let end = line.withUnsafeBufferPointer {
          scratch.prepare(json: $0, objectAt: 11, maxDepth: 64)
        }
        #expect(end == line.count - 1)
        let prepared = try rules.prepare(json: profile)
        // A second instant must not reuse what the first worked out (schedules differ).
        let instants = [
          generator.random.pick(RandomDocuments.instants),
          generator.random.pick(RandomDocuments.instants),
        ]
        for now in instants {
          for id in ids.shuffled(using: &generator.random) {
            let context = "seed \(seed), round \(round), decision \(id.index), at \(now)"
            if generator.random.chance(0.5) {
              #expect(
                scratch.outcome(of: id, at: now)
                  == fresh.outcome(of: id, for: prepared, at: Date(timeIntervalSince1970: now)),
                "\(context)"
              )
            } else {
              var matches: [String] = []
              scratch.forEachMatch(of: id, at: now) { variant, rule, reason in
                matches.append(
                  "\(rules.variantKey(id, variant)) \(rule.map { rules.ruleID(id, $0) } ?? "-") \(reason)"
                )
              }
              let expected = fresh.decide(id, for: prepared, at: Date(timeIntervalSince1970: now))
                .matches.map {
                  "\($0.variant) \($0.rule ?? "-") \($0.reason)"
                }
              #expect(matches == expected, "\(context)")
            }
          }
        }
      }
    }
  }

  /// A scratch given other rules answers for them, with their ids.
  @Test func followsTheRulesInUse() throws {
    let scratch = EvaluationScratch()
    let line = Array(#"{"profile":{"country":"ES"}}"#.utf8)
    for (document, expected) in [
      (#"{"tailor": 1, "decisions": {"d": {"variants": {"x": 1}, "default": "x"}}}"#, "x"),
      (
        #"{"tailor": 1, "decisions": {"e": {"variants": {"x": 1}, "default": "x"}, "d": {"variants": {"y": 1, "z": 2}, "default": "y", "rules": [{"id": "r", "when": {"country": "ES"}, "serve": "z"}]}}}"#,
        "z"
      ),
    ] {
      let rules = try Rules(json: document)
      scratch.use(rules)
      _ = line.withUnsafeBufferPointer { scratch.prepare(json: $0, objectAt: 11, maxDepth: 64) }
      let id = try #require(rules.decisionID(named: "d"))
      let outcome = scratch.outcome(of: id, at: 0)
      #expect(outcome.variant.map { rules.variantKey(id, $0) } == expected)
    }
  }
}
