import Testing

@testable import Tailor

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A decision id belongs to the rules it was taken from.
struct DecisionIDTests {
  static let larger = #"""
    {"tailor": 1, "decisions": {
      "a": {"variants": {"x": 1}, "default": "x"},
      "b": {"variants": {"x": 1, "y": 2}, "default": "y",
            "rules": [{"id": "r", "serve": "x", "when": {"country": "ES"}}]}}}
    """#
  /// The signal a failed precondition raises: `ud2` on x86-64, `brk` elsewhere.
  #if arch(x86_64)
  static let trap = SIGILL
  #else
  static let trap = SIGTRAP
  #endif

  static let smaller = #"{"tailor": 1, "decisions": {"a": {"variants": {"x": 1}, "default": "x"}}}"#

  @Test func idsFromTheSameRulesAnswer() throws {
    let rules = try Rules(json: Self.larger)
    let id = try #require(rules.decisionID(named: "b"))
    let profile = rules.prepare(try Profile(json: #"{"country": "ES"}"#))
    let outcome = rules.makeEvaluator().outcome(
      of: id,
      for: profile,
      at: Date(timeIntervalSince1970: 0)
    )
    #expect(outcome.variant.map { rules.variantKey(id, $0) } == "x")
    #expect(outcome.rule.map { rules.ruleID(id, $0) } == "r")
  }

  @Test func idsOfEqualDocumentsDiffer() throws {
    let first = try Rules(json: Self.larger)
    let second = try Rules(json: Self.larger)
    #expect(first.decisionID(named: "b") != second.decisionID(named: "b"))
    #expect(first.decisionID(named: "b") == first.decisionID(at: 1))
  }

  // An id cached before a reload, used with a document that has fewer decisions,
  // traps instead of reading past the new document's decisions.
  @Test func anIdFromOtherRulesStopsTheEvaluator() async throws {
    // A trap (not a thrown error, which would also fail the process), with its reason.
    let result = await #expect(
      processExitsWith: .signal(DecisionIDTests.trap),
      observing: [\.standardErrorContent]
    ) {
      let old = try Rules(json: DecisionIDTests.larger)
      let id = try #require(old.decisionID(named: "b"))
      let new = try Rules(json: DecisionIDTests.smaller)
      let profile = new.prepare(Profile(.object(JSONObject())))
      _ = new.makeEvaluator().outcome(of: id, for: profile, at: Date(timeIntervalSince1970: 0))
    }
    let standardError = String(decoding: try #require(result).standardErrorContent, as: UTF8.self)
    #expect(standardError.contains("the decision id was taken from other rules"))
  }

  @Test func anIdFromOtherRulesStopsTheLookups() async {
    // A trap (not a thrown error, which would also fail the process).
    await #expect(processExitsWith: .signal(DecisionIDTests.trap)) {
      let old = try Rules(json: DecisionIDTests.larger)
      let id = try #require(old.decisionID(named: "b"))
      let new = try Rules(json: DecisionIDTests.smaller)
      _ = new.variantKey(id, 0)
    }
  }

  @Test func anIdFromOtherRulesStopsDecide() async {
    await #expect(processExitsWith: .signal(DecisionIDTests.trap)) {
      let old = try Rules(json: DecisionIDTests.larger)
      let id = try #require(old.decisionID(named: "b"))
      let new = try Rules(json: DecisionIDTests.smaller)
      let profile = new.prepare(Profile(.object(JSONObject())))
      _ = new.makeEvaluator().decide(id, for: profile, at: Date(timeIntervalSince1970: 0))
    }
  }

  // The server's path: its scratch was given the new rules, the id is from the old.
  @Test func anIdFromOtherRulesStopsTheServersScratch() async {
    await #expect(processExitsWith: .signal(DecisionIDTests.trap)) {
      let old = try Rules(json: DecisionIDTests.larger)
      let id = try #require(old.decisionID(named: "b"))
      let scratch = EvaluationScratch()
      scratch.use(old)
      scratch.use(try Rules(json: DecisionIDTests.smaller))
      let line = Array(#"{"profile":{}}"#.utf8)
      _ = line.withUnsafeBufferPointer { scratch.prepare(json: $0, objectAt: 11, maxDepth: 64) }
      _ = scratch.outcome(of: id, at: 0)
    }
  }

  // A prepared profile has one slot per attribute path of its rules: other rules' would be
  // read out of bounds.
  @Test func aProfilePreparedForOtherRulesStopsTheEvaluator() async throws {
    let result = await #expect(
      processExitsWith: .signal(DecisionIDTests.trap),
      observing: [\.standardErrorContent]
    ) {
      let old = try Rules(json: DecisionIDTests.smaller)
      let new = try Rules(json: DecisionIDTests.larger)
      let id = try #require(new.decisionID(named: "b"))
      let profile = old.prepare(try Profile(json: #"{"country": "ES"}"#))
      _ = new.makeEvaluator().outcome(of: id, for: profile, at: Date(timeIntervalSince1970: 0))
    }
    let standardError = String(decoding: try #require(result).standardErrorContent, as: UTF8.self)
    #expect(standardError.contains("the profile was prepared for other rules"))
  }
}
