import Testing

@testable import Tailor

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// GrowthBook's `evalCondition` vectors through every path a Tailor document takes: the
/// compiled evaluator on a profile prepared from its JSON value and from its bytes, and
/// the reference interpreter.
///
/// Each vector becomes a document whose rule serves `on` when the condition holds: once
/// alone (a leaf), once as six rules with the same condition, which the compiler indexes on
/// the condition's own tests (switch, member, interval and suffix nodes).
/// Tailor refuses some conditions GrowthBook evaluates leniently (an invalid pattern, an
/// unknown operator, …); those vectors are listed in ``refused`` with the reason, and the
/// test checks that exactly they are refused.
@Suite(.tags(.conformance))
struct GrowthBookCompiledConformanceTests {
  /// Vectors whose condition a Tailor document refuses, by name, with the reason.
  static let refused: [String: String] = [
    "$groups - match": "`$groups` is not an operator of rules documents",
    "$groups - no match": "`$groups` is not an operator of rules documents",
    "$in - not array": "`$in` expects an array",
    "$nin - not array": "`$nin` expects an array",
    "$ini - not array": "`$ini` expects an array",
    "$nini - not array": "`$nini` expects an array",
    "$regex invalid - pass": "an invalid pattern",
    "$regex invalid - fail": "an invalid pattern",
    "unknown operator - pass": "an unknown operator",
    "$inGroup fails for unknown group id": "an unknown group",
    "$notInGroup passes for unknown group id": "an unknown group",
  ]

  /// The document with one decision `d` whose `copies` rules all test `condition`.
  static func document(_ condition: JSONValue, groups: JSONValue?, copies: Int) -> JSONValue {
    let rules = (0..<copies).map { index -> JSONValue in
      var rule = JSONObject()
      rule["id"] = .string("r\(index)")
      rule["serve"] = "on"
      rule["when"] = condition
      return .object(rule)
    }
    var decision = JSONObject()
    decision["variants"] = .object(JSONObject([("on", true), ("off", false)]))
    decision["default"] = "off"
    decision["rules"] = .array(rules)
    var root = JSONObject([("tailor", 1)])
    if case .object? = groups { root["groups"] = groups }
    root["decisions"] = .object(JSONObject([("d", .object(decision))]))
    return .object(root)
  }

  @Test(
    .enabled(if: GrowthBookCorpus.isAvailable, "\(GrowthBookCorpus.skipMessage)"),
    arguments: GrowthBookCorpus.cases("evalCondition")
  )
  func evalConditionThroughEveryPath(_ testCase: GrowthBookCorpus.Case) throws {
    for copies in [1, 6] {
      for strategy in [Compiler.Strategy.graph, .sieve] {
        try check(testCase, copies: copies, strategy: strategy)
      }
    }
  }

  func check(
    _ testCase: GrowthBookCorpus.Case,
    copies: Int,
    strategy: Compiler.Strategy
  ) throws {
    let values = testCase.values
    try #require(values.count >= 4)
    let name = values[0].stringValue ?? ""
    let expected = try #require(values[3].boolValue as Bool?)
    let document = Self.document(
      values[1],
      groups: values.count > 4 ? values[4] : nil,
      copies: copies
    )
    let rules: Rules
    do {
      rules = try Rules(json: Array(document.jsonText.utf8), strategy: strategy)
    } catch {
      #expect(Self.refused[name] != nil, "refused: \(error)")
      return
    }
    #expect(Self.refused[name] == nil, "accepted, though listed as refused")
    #expect(InternalChecks.problems(rules.compiled) + InternalChecks.problems(rules.flat) == [])
    let profile = Profile(values[2])
    let evaluator = rules.makeEvaluator()
    let compiled = evaluator.decide("d", for: profile, at: Date(timeIntervalSince1970: 0))
    let fromBytes = evaluator.decide(
      "d",
      for: try rules.prepare(json: Array(values[2].jsonText.utf8)),
      at: Date(timeIntervalSince1970: 0)
    )
    let interpreted = rules.interpreter.decide("d", for: values[2], now: 0)
    for (path, decision) in [
      ("compiled", compiled), ("bytes", fromBytes), ("interpreter", interpreted),
    ] {
      #expect(
        decision?.variant == (expected ? "on" : "off"),
        "\(path), \(strategy), \(copies) rules"
      )
      #expect(decision?.rule == (expected ? "r0" : nil), "\(path), \(strategy), \(copies) rules")
    }
  }

  /// Six rules with one condition are indexed on its tests, so the vectors reach the index
  /// nodes GrowthBook's operators can anchor, not only leaves. (Instant intervals and suffix
  /// nodes serve Tailor's `$after`, `$before` and `$endsWith`, which GrowthBook lacks; the
  /// differential suites cover them.)
  @Test(.enabled(if: GrowthBookCorpus.isAvailable, "\(GrowthBookCorpus.skipMessage)"))
  func replicatedVectorsReachEveryIndexNode() throws {
    var kinds: Set<String> = []
    for testCase in GrowthBookCorpus.cases("evalCondition") {
      let values = testCase.values
      let document = Self.document(
        values[1],
        groups: values.count > 4 ? values[4] : nil,
        copies: 6
      )
      guard let rules = try? Rules(json: document.jsonText) else { continue }
      for node in rules.compiled.decisions[0].graph.nodes {
        switch node {
        case .switchOn: kinds.insert("switch")
        case .memberOf: kinds.insert("member")
        case .interval(_, let domain, _, _, _, _, _): kinds.insert("interval \(domain)")
        case .suffix: kinds.insert("suffix")
        default: break
        }
      }
    }
    #expect(kinds == ["switch", "member", "interval number"])
  }
}
