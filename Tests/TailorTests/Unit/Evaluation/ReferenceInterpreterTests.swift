import Testing

@testable import Tailor

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Decisions from rules documents (DESIGN §2): rule order, modes, defaults,
/// gates, prerequisites, segments, schedules, rollouts, splits and traces.
///
/// Expected buckets were computed independently from GrowthBook's definitions.
@Suite struct ReferenceInterpreterTests {
  /// 2026-06-01T00:00:00Z and 2026-09-01T00:00:00Z in seconds since the epoch.
  static let june1 = 1_780_272_000.0
  static let september1 = 1_788_220_800.0

  static func decide(
    _ rules: Rules,
    _ profile: String,
    in decision: String = "d",
    now: Double = june1,
    explain: Bool = false,
    sourceLocation: Testing.SourceLocation = #_sourceLocation
  ) throws -> Decision {
    let profile = try Profile(json: profile)
    return try #require(
      rules.decide(decision, for: profile, at: Date(timeIntervalSince1970: now), explain: explain),
      sourceLocation: sourceLocation
    )
  }

  // MARK: Rule order, modes and defaults

  static let hero = """
    {"tailor": 1,
     "decisions": {"d": {
       "variants": {"standard": {"image": "a.jpg"}, "vip": {"image": "v.jpg"}, "es": "ES"},
       "default": "standard",
       "rules": [
         {"id": "vip", "when": {"tier": "gold"}, "serve": "vip"},
         {"id": "spain", "when": {"country": "ES"}, "serve": "es"}
       ]}}}
    """

  @Test func firstAdmittedRuleWins() throws {
    let rules = try Rules(json: ReferenceInterpreterTests.hero)
    let both = try ReferenceInterpreterTests.decide(rules, #"{"tier": "gold", "country": "ES"}"#)
    #expect(both.variant == "vip")
    #expect(both.rule == "vip")
    #expect(both.reason == .match)
    #expect(both.value == ["image": "v.jpg"])
    #expect(!both.isMultiple)
    #expect(both.matches.count == 1)
    let spain = try ReferenceInterpreterTests.decide(rules, #"{"country": "ES"}"#)
    #expect(spain.variant == "es")
    #expect(spain.rule == "spain")
  }

  @Test func defaultIsServedWhenNothingMatches() throws {
    let rules = try Rules(json: ReferenceInterpreterTests.hero)
    let decision = try ReferenceInterpreterTests.decide(rules, #"{"country": "FR"}"#)
    #expect(decision.variant == "standard")
    #expect(decision.value == ["image": "a.jpg"])
    #expect(decision.rule == nil)
    #expect(decision.reason == .default)
    #expect(
      decision.matches == [
        Decision.Match(variant: "standard", value: ["image": "a.jpg"], rule: nil, reason: .default)
      ]
    )
  }

  @Test func withoutDefaultNothingIsServed() throws {
    let rules = try Rules(
      json:
        #"{"tailor": 1, "decisions": {"d": {"variants": {"a": 1}, "rules": [{"id": "r", "when": {"x": 1}, "serve": "a"}]}}}"#
    )
    let decision = try ReferenceInterpreterTests.decide(rules, #"{"x": 2}"#)
    #expect(decision.matches.isEmpty)
    #expect(decision.variant == nil)
    #expect(decision.value == .null)
    #expect(decision.reason == .default)
    #expect(rules.decide("nope", for: Profile([:])) == nil)
  }

  @Test func ruleWithoutWhenAlwaysHolds() throws {
    let rules = try Rules(
      json:
        #"{"tailor": 1, "decisions": {"d": {"variants": {"a": 1, "b": 2}, "default": "b", "rules": [{"id": "r", "serve": "a"}]}}}"#
    )
    #expect(try ReferenceInterpreterTests.decide(rules, "{}").variant == "a")
  }

  static let offers = """
    {"tailor": 1,
     "decisions": {
       "limited": {"mode": "all", "limit": 2, "default": "none",
         "variants": {"a": "A", "b": "B", "c": "C", "none": null},
         "rules": [
           {"id": "ra", "when": {"x": 1}, "serve": "a"},
           {"id": "rb", "serve": "b"},
           {"id": "rc", "serve": "c"}]},
       "unlimited": {"mode": "all",
         "variants": {"a": "A", "b": "B", "c": "C"},
         "rules": [
           {"id": "ra", "when": {"x": 1}, "serve": "a"},
           {"id": "rb", "when": {"y": 1}, "serve": "b"},
           {"id": "rc", "when": {"x": 1}, "serve": "c"}]}}}
    """

  @Test func allModeServesEveryAdmittedRuleUpToLimit() throws {
    let rules = try Rules(json: ReferenceInterpreterTests.offers)
    let limited = try ReferenceInterpreterTests.decide(rules, #"{"x": 1}"#, in: "limited")
    #expect(limited.isMultiple)
    #expect(limited.matches.map(\.variant) == ["a", "b"])
    #expect(limited.matches.map(\.rule) == ["ra", "rb"])
    #expect(limited.matches.map(\.reason) == [.match, .match])
    #expect(limited.reason == .match)
    let skipping = try ReferenceInterpreterTests.decide(rules, #"{}"#, in: "limited")
    #expect(skipping.matches.map(\.variant) == ["b", "c"])
    let unlimited = try ReferenceInterpreterTests.decide(
      rules,
      #"{"x": 1, "y": 1}"#,
      in: "unlimited"
    )
    #expect(unlimited.matches.map(\.variant) == ["a", "b", "c"])
    let some = try ReferenceInterpreterTests.decide(rules, #"{"x": 1}"#, in: "unlimited")
    #expect(some.matches.map(\.variant) == ["a", "c"])
  }

  @Test func allModeWithNothingAdmitted() throws {
    let rules = try Rules(
      json: """
        {"tailor": 1, "decisions": {
          "withDefault": {"mode": "all", "default": "none", "variants": {"a": 1, "none": 0},
                          "rules": [{"id": "r", "when": {"x": 1}, "serve": "a"}]},
          "withoutDefault": {"mode": "all", "variants": {"a": 1},
                             "rules": [{"id": "r", "when": {"x": 1}, "serve": "a"}]}}}
        """
    )
    let withDefault = try ReferenceInterpreterTests.decide(rules, "{}", in: "withDefault")
    #expect(
      withDefault.matches == [
        Decision.Match(variant: "none", value: 0, rule: nil, reason: .default)
      ]
    )
    #expect(withDefault.reason == .default)
    let withoutDefault = try ReferenceInterpreterTests.decide(rules, "{}", in: "withoutDefault")
    #expect(withoutDefault.matches.isEmpty)
    #expect(withoutDefault.reason == .default)
  }

  // MARK: Gates, prerequisites and segments

  static let gated = """
    {"tailor": 1,
     "segments": {"eu": {"country": {"$in": ["ES", "PT", "FR"]}},
                  "gold": {"tier": "gold"},
                  "eu-gold": {"$segment": ["eu", "gold"]}},
     "decisions": {
       "hero": {"variants": {"vip": 1, "standard": 0}, "default": "standard",
                "rules": [{"id": "vip-eu", "when": {"$segment": ["eu", "gold"]}, "serve": "vip"}]},
       "banner": {"variants": {"vip-banner": 1, "plain": 0}, "default": "plain",
                  "rules": [{"id": "follow", "when": {"$decision": {"hero": "vip"}}, "serve": "vip-banner"}]},
       "gated": {"variants": {"on": 1, "off": 0}, "default": "off", "requires": {"country": "ES"},
                 "rules": [{"id": "all", "serve": "on"}]},
       "gatedNoDefault": {"variants": {"on": 1}, "requires": {"$segment": "eu"},
                          "rules": [{"id": "all", "serve": "on"}]},
       "single": {"variants": {"on": 1, "off": 0}, "default": "off",
                  "rules": [{"id": "eu", "when": {"$segment": "eu"}, "serve": "on"}]},
       "nested": {"variants": {"on": 1, "off": 0}, "default": "off",
                  "rules": [{"id": "eu-gold", "when": {"$segment": "eu-gold"}, "serve": "on"}]},
       "both": {"variants": {"on": 1, "off": 0}, "default": "off",
                "rules": [{"id": "both", "when": {"$decision": {"hero": "vip", "gated": "on"}}, "serve": "on"}]},
       "multi": {"mode": "all", "variants": {"x": 1, "y": 2},
                 "rules": [{"id": "x", "serve": "x"}, {"id": "y", "when": {"tier": "gold"}, "serve": "y"}]},
       "followsY": {"variants": {"on": 1, "off": 0}, "default": "off",
                    "rules": [{"id": "y", "when": {"$decision": {"multi": "y"}}, "serve": "on"}]}}}
    """

  @Test func segmentsByNameAndByList() throws {
    let rules = try Rules(json: ReferenceInterpreterTests.gated)
    func variant(_ decision: String, _ profile: String) throws -> String? {
      try ReferenceInterpreterTests.decide(rules, profile, in: decision).variant
    }
    #expect(try variant("single", #"{"country": "PT"}"#) == "on")
    #expect(try variant("single", #"{"country": "US"}"#) == "off")
    // A list of segments means all of them.
    #expect(try variant("hero", #"{"country": "PT", "tier": "gold"}"#) == "vip")
    #expect(try variant("hero", #"{"country": "PT"}"#) == "standard")
    #expect(try variant("hero", #"{"country": "US", "tier": "gold"}"#) == "standard")
    // Segments may use segments.
    #expect(try variant("nested", #"{"country": "FR", "tier": "gold"}"#) == "on")
    #expect(try variant("nested", #"{"country": "FR", "tier": "silver"}"#) == "off")
  }

  @Test func decisionPrerequisites() throws {
    let rules = try Rules(json: ReferenceInterpreterTests.gated)
    let follows = try ReferenceInterpreterTests.decide(
      rules,
      #"{"country": "ES", "tier": "gold"}"#,
      in: "banner"
    )
    #expect(follows.variant == "vip-banner")
    #expect(follows.rule == "follow")
    let plain = try ReferenceInterpreterTests.decide(
      rules,
      #"{"country": "ES", "tier": "silver"}"#,
      in: "banner"
    )
    #expect(plain.variant == "plain")
    #expect(plain.reason == .default)
    // Several entries must all hold.
    #expect(
      try ReferenceInterpreterTests.decide(rules, #"{"country": "ES", "tier": "gold"}"#, in: "both")
        .variant == "on"
    )
    #expect(
      try ReferenceInterpreterTests.decide(rules, #"{"country": "PT", "tier": "gold"}"#, in: "both")
        .variant == "off"
    )
    // A `mode: "all"` decision satisfies a prerequisite with any of its matches.
    #expect(
      try ReferenceInterpreterTests.decide(rules, #"{"tier": "gold"}"#, in: "followsY").variant
        == "on"
    )
    #expect(
      try ReferenceInterpreterTests.decide(rules, #"{"tier": "silver"}"#, in: "followsY").variant
        == "off"
    )
  }

  @Test func requiresGate() throws {
    let rules = try Rules(json: ReferenceInterpreterTests.gated)
    let passes = try ReferenceInterpreterTests.decide(rules, #"{"country": "ES"}"#, in: "gated")
    #expect(passes.variant == "on")
    #expect(passes.reason == .match)
    let fails = try ReferenceInterpreterTests.decide(
      rules,
      #"{"country": "FR"}"#,
      in: "gated",
      explain: true
    )
    #expect(fails.reason == .prerequisiteFailed)
    #expect(
      fails.matches == [
        Decision.Match(variant: "off", value: 0, rule: nil, reason: .prerequisiteFailed)
      ]
    )
    let trace = try #require(fails.trace)
    #expect(
      trace.steps == [
        Trace.Step(rule: nil, outcome: .prerequisiteFailed, failed: ["country": "ES"], value: "FR")
      ]
    )
    let noDefault = try ReferenceInterpreterTests.decide(
      rules,
      #"{"country": "US"}"#,
      in: "gatedNoDefault"
    )
    #expect(noDefault.reason == .prerequisiteFailed)
    #expect(noDefault.matches.isEmpty)
  }

  // MARK: Schedules

  static let scheduled = """
    {"tailor": 1, "decisions": {"d": {
      "variants": {"summer": 1, "tz": 2, "open": 3, "standard": 0}, "default": "standard",
      "rules": [
        {"id": "summer", "when": {"country": "ES"},
         "active": {"from": "2026-06-01T00:00:00Z", "until": "2026-09-01T00:00:00Z"}, "serve": "summer"},
        {"id": "tz", "when": {"country": "PT"},
         "active": {"from": "2026-06-01T02:00:00+02:00", "until": "2026-08-31T19:00:00-05:00"}, "serve": "tz"},
        {"id": "open", "when": {"country": "FR"}, "active": {"until": "2026-06-01"}, "serve": "open"}
      ]}}}
    """

  @Test(
    arguments: [
      // country, now, expected variant
      ("ES", june1 - 1, "standard"),
      ("ES", june1, "summer"),
      ("ES", september1 - 0.001, "summer"),
      ("ES", september1, "standard"),
      // Offsets are honoured: the same window written in other time zones.
      ("PT", june1 - 1, "standard"),
      ("PT", june1, "tz"),
      ("PT", september1 - 1, "tz"),
      ("PT", september1, "standard"),
      // Only `until`.
      ("FR", 0, "open"),
      ("FR", june1 - 1, "open"),
      ("FR", june1, "standard"),
    ] as [(String, Double, String)]
  )
  func schedules(_ country: String, _ now: Double, _ expected: String) throws {
    let rules = try Rules(json: ReferenceInterpreterTests.scheduled)
    let decision = try ReferenceInterpreterTests.decide(
      rules,
      #"{"country": "\#(country)"}"#,
      now: now
    )
    #expect(decision.variant == expected)
  }

  @Test func inactiveRulesAppearInTheTrace() throws {
    let rules = try Rules(json: ReferenceInterpreterTests.scheduled)
    let june = try ReferenceInterpreterTests.decide(rules, #"{"country": "FR"}"#, explain: true)
    #expect(
      try #require(june.trace).steps.map(\.outcome) == [
        .conditionFailed, .conditionFailed, .inactive,
      ]
    )
    let september = try ReferenceInterpreterTests.decide(
      rules,
      #"{"country": "FR"}"#,
      now: ReferenceInterpreterTests.september1,
      explain: true
    )
    let steps = try #require(september.trace).steps
    #expect(steps.map(\.outcome) == [.inactive, .inactive, .inactive])
    #expect(steps.map(\.rule) == ["summer", "tz", "open"])
  }

  // MARK: Rollouts

  static func rollout(percent: String, by: String = "userId") -> String {
    """
    {"tailor": 1, "decisions": {"d": {"variants": {"on": "ON", "off": "OFF"}, "default": "off",
      "rules": [{"id": "r", "rollout": {"by": "\(by)", "percent": \(percent)}, "serve": "on"}]}}}
    """
  }

  static func admitted(_ rules: Rules, users: ClosedRange<Int>) throws -> Set<Int> {
    var result: Set<Int> = []
    for user in users {
      let decision = try decide(rules, #"{"userId": "u\#(user)"}"#)
      if decision.variant == "on" { result.insert(user) }
    }
    return result
  }

  @Test func rolloutAdmitsByBucketWithTheDefaultSeed() throws {
    // Seed "d:r" (decision:rule id). Buckets: u5 0.0263, u12 0.0792, u20 0.0377,
    // u11 0.2015, u14 0.2636, u15 0.147, u18 0.1415; all others of u1…u20 are above 0.3.
    let ten = try Rules(json: ReferenceInterpreterTests.rollout(percent: "10"))
    #expect(try ReferenceInterpreterTests.admitted(ten, users: 1...20) == [5, 12, 20])
    let thirty = try Rules(json: ReferenceInterpreterTests.rollout(percent: "30"))
    #expect(
      try ReferenceInterpreterTests.admitted(thirty, users: 1...20) == [5, 11, 12, 14, 15, 18, 20]
    )
    let admitted = try ReferenceInterpreterTests.decide(ten, #"{"userId": "u5"}"#)
    #expect(admitted.reason == .rollout)
    #expect(admitted.rule == "r")
    #expect(admitted.matches.first?.bucket == 0.0263)
    #expect(admitted.value == "ON")
  }

  @Test func rolloutBoundaryIsInclusive() throws {
    // u7's bucket for seed "d:r" is exactly 0.66.
    let at = try Rules(json: ReferenceInterpreterTests.rollout(percent: "66"))
    #expect(try ReferenceInterpreterTests.decide(at, #"{"userId": "u7"}"#).variant == "on")
    let below = try Rules(json: ReferenceInterpreterTests.rollout(percent: "65.99"))
    #expect(try ReferenceInterpreterTests.decide(below, #"{"userId": "u7"}"#).variant == "off")
  }

  @Test func rolloutOfZeroAdmitsNoneAndOfHundredAdmitsAll() throws {
    let zero = try Rules(json: ReferenceInterpreterTests.rollout(percent: "0"))
    #expect(try ReferenceInterpreterTests.admitted(zero, users: 1...200).isEmpty)
    let all = try Rules(json: ReferenceInterpreterTests.rollout(percent: "100"))
    #expect(try ReferenceInterpreterTests.admitted(all, users: 1...200) == Set(1...200))
  }

  @Test func raisingThePercentKeepsAdmittedUsers() throws {
    var previous: Set<Int> = []
    for percent in ["1", "5", "12.5", "25", "50", "99"] {
      let rules = try Rules(json: ReferenceInterpreterTests.rollout(percent: percent))
      let admitted = try ReferenceInterpreterTests.admitted(rules, users: 1...300)
      #expect(previous.isSubset(of: admitted), "percent \(percent)")
      #expect(admitted.count > previous.count, "percent \(percent)")
      previous = admitted
    }
  }

  @Test(
    "rollout: a missing or falsy `by` admits no one",
    arguments: [
      #"{}"#, #"{"userId": null}"#, #"{"userId": ""}"#, #"{"userId": 0}"#, #"{"userId": false}"#,
    ]
  )
  func rolloutWithoutHashValue(_ profile: String) throws {
    let rules = try Rules(json: ReferenceInterpreterTests.rollout(percent: "100"))
    let decision = try ReferenceInterpreterTests.decide(rules, profile, explain: true)
    #expect(decision.variant == "off")
    #expect(decision.reason == .default)
    let steps = try #require(decision.trace).steps
    #expect(steps == [Trace.Step(rule: "r", outcome: .notInRollout, bucket: nil)])
  }

  @Test(
    "rollout: values are hashed as JavaScript strings",
    arguments: [
      (#"{"userId": "é"}"#, 0.0692), (#"{"userId": "😀"}"#, 0.4697), (#"{"userId": 123}"#, 0.6624),
      (#"{"userId": "123"}"#, 0.6624), (#"{"userId": true}"#, 0.2093),
    ] as [(String, Double)]
  )
  func rolloutHashInput(_ profile: String, _ bucket: Double) throws {
    let rules = try Rules(json: ReferenceInterpreterTests.rollout(percent: "100"))
    let decision = try ReferenceInterpreterTests.decide(rules, profile)
    #expect(decision.matches.first?.bucket == bucket)
  }

  @Test func rolloutByDefaultsToIDAndTakesDotPaths() throws {
    let byID = try Rules(
      json:
        #"{"tailor": 1, "decisions": {"d": {"variants": {"on": 1}, "rules": [{"id": "r", "rollout": {"percent": 100}, "serve": "on"}]}}}"#
    )
    #expect(
      try ReferenceInterpreterTests.decide(byID, #"{"id": "u5"}"#).matches.first?.bucket == 0.0263
    )
    #expect(try ReferenceInterpreterTests.decide(byID, #"{"userId": "u5"}"#).matches.isEmpty)
    let nested = try Rules(json: ReferenceInterpreterTests.rollout(percent: "100", by: "user.id"))
    #expect(
      try ReferenceInterpreterTests.decide(nested, #"{"user": {"id": "u5"}}"#).matches.first?.bucket
        == 0.0263
    )
  }

  @Test func rulesInOtherDecisionsUseOtherBuckets() throws {
    let rules = try Rules(
      json: """
        {"tailor": 1, "decisions": {
          "d": {"variants": {"on": 1}, "rules": [{"id": "r", "rollout": {"percent": 100}, "serve": "on"}]},
          "other": {"variants": {"on": 1}, "rules": [{"id": "r", "rollout": {"percent": 100}, "serve": "on"}]},
          "seeded": {"variants": {"on": 1}, "rules": [{"id": "x", "rollout": {"seed": "d:r", "percent": 100}, "serve": "on"}]}}}
        """
    )
    #expect(
      try ReferenceInterpreterTests.decide(rules, #"{"id": "u1"}"#, in: "d").matches.first?.bucket
        == 0.5895
    )
    #expect(
      try ReferenceInterpreterTests.decide(rules, #"{"id": "u1"}"#, in: "other").matches.first?
        .bucket == 0.178
    )
    #expect(
      try ReferenceInterpreterTests.decide(rules, #"{"id": "u1"}"#, in: "seeded").matches.first?
        .bucket == 0.5895
    )
  }

  @Test func excludedByRolloutFallsThrough() throws {
    let rules = try Rules(
      json: """
        {"tailor": 1, "decisions": {"d": {"variants": {"on": 1, "next": 2}, "rules": [
          {"id": "r", "rollout": {"by": "userId", "percent": 10}, "serve": "on"},
          {"id": "fallback", "serve": "next"}]}}}
        """
    )
    let decision = try ReferenceInterpreterTests.decide(rules, #"{"userId": "u1"}"#, explain: true)
    #expect(decision.variant == "next")
    #expect(decision.reason == .match)
    let steps = try #require(decision.trace).steps
    #expect(
      steps == [
        Trace.Step(rule: "r", outcome: .notInRollout, bucket: 0.5895),
        Trace.Step(rule: "fallback", outcome: .matched),
      ]
    )
  }

  // MARK: Splits

  static func split(
    weights: String,
    coverage: String = "0.5",
    seed: String? = "split-seed"
  )
    -> String
  {
    let seedText = seed.map { #""seed": "\#($0)", "# } ?? ""
    return """
      {"tailor": 1, "decisions": {"d": {"variants": {"a": "A", "b": "B", "c": "C"}, "default": "a",
        "rules": [
          {"id": "s", "split": {"by": "userId", \(seedText)"coverage": \(coverage), "weights": \(weights)}},
          {"id": "fallback", "serve": "c"}]}}}
      """
  }

  @Test(
    arguments: [
      // user, bucket for seed "split-seed", variant: ranges a [0, 0.25), b [0.5, 0.75)
      ("u1", 0.1989, "a"), ("u8", 0.0114, "a"), ("u2", 0.7363, "b"), ("u14", 0.5634, "b"),
      ("u3", 0.3601, "c"), ("u4", 0.8962, "c"),
    ] as [(String, Double, String)]
  )
  func splitCoverageLeavesGapsThatFallThrough(
    _ user: String,
    _ bucket: Double,
    _ expected: String
  )
    throws
  {
    let rules = try Rules(json: ReferenceInterpreterTests.split(weights: #"{"a": 0.5, "b": 0.5}"#))
    let decision = try ReferenceInterpreterTests.decide(
      rules,
      #"{"userId": "\#(user)"}"#,
      explain: true
    )
    #expect(decision.variant == expected)
    let steps = try #require(decision.trace).steps
    if expected == "c" {
      #expect(decision.rule == "fallback")
      #expect(steps.first == Trace.Step(rule: "s", outcome: .notInSplit, bucket: bucket))
    } else {
      #expect(decision.reason == .split)
      #expect(decision.rule == "s")
      #expect(decision.matches.first?.bucket == bucket)
      #expect(steps == [Trace.Step(rule: "s", outcome: .matched, bucket: bucket)])
    }
  }

  @Test func splitWeightsAreTakenInWrittenOrder() throws {
    let ab = try Rules(json: ReferenceInterpreterTests.split(weights: #"{"a": 0.5, "b": 0.5}"#))
    let ba = try Rules(json: ReferenceInterpreterTests.split(weights: #"{"b": 0.5, "a": 0.5}"#))
    #expect(try ReferenceInterpreterTests.decide(ab, #"{"userId": "u1"}"#).variant == "a")
    #expect(try ReferenceInterpreterTests.decide(ba, #"{"userId": "u1"}"#).variant == "b")
    #expect(try ReferenceInterpreterTests.decide(ab, #"{"userId": "u2"}"#).variant == "b")
    #expect(try ReferenceInterpreterTests.decide(ba, #"{"userId": "u2"}"#).variant == "a")
    // Unequal weights with full coverage: a [0, 0.2), b [0.2, 1).
    let uneven = try Rules(
      json: ReferenceInterpreterTests.split(weights: #"{"a": 0.2, "b": 0.8}"#, coverage: "1")
    )
    #expect(try ReferenceInterpreterTests.decide(uneven, #"{"userId": "u1"}"#).variant == "a")
    #expect(try ReferenceInterpreterTests.decide(uneven, #"{"userId": "u9"}"#).variant == "b")
  }

  @Test func splitSeedDefaultsToDecisionAndRule() throws {
    // Seed "d:s": u1 0.292, u2 0.1942.
    let rules = try Rules(
      json: ReferenceInterpreterTests.split(
        weights: #"{"a": 0.5, "b": 0.5}"#,
        coverage: "1",
        seed: nil
      )
    )
    let first = try ReferenceInterpreterTests.decide(rules, #"{"userId": "u1"}"#)
    #expect(first.matches.first?.bucket == 0.292)
    #expect(first.variant == "a")
  }

  @Test func splitWithoutHashValueFallsThrough() throws {
    let rules = try Rules(
      json: ReferenceInterpreterTests.split(weights: #"{"a": 0.5, "b": 0.5}"#, coverage: "1")
    )
    let decision = try ReferenceInterpreterTests.decide(rules, #"{"userId": ""}"#, explain: true)
    #expect(decision.variant == "c")
    #expect(
      try #require(decision.trace).steps.first
        == Trace.Step(rule: "s", outcome: .notInSplit, bucket: nil)
    )
  }

  @Test func splitCoverageZeroIncludesNoOne() throws {
    let rules = try Rules(
      json: ReferenceInterpreterTests.split(weights: #"{"a": 0.5, "b": 0.5}"#, coverage: "0")
    )
    for user in 1...50 {
      #expect(
        try ReferenceInterpreterTests.decide(rules, #"{"userId": "u\#(user)"}"#).variant == "c"
      )
    }
  }

  // MARK: Explain

  @Test func traceNamesTheFirstFailingPredicateAndTheValueSeen() throws {
    let rules = try Rules(
      json: """
        {"tailor": 1,
         "segments": {"adults": {"age": {"$gte": 18}}},
         "decisions": {"d": {"variants": {"a": 1, "b": 2, "c": 3, "d": 4}, "default": "d", "rules": [
           {"id": "range", "when": {"country": "ES", "age": {"$gte": 18, "$lt": 65}}, "serve": "a"},
           {"id": "missing", "when": {"tier": {"$in": ["gold"]}}, "serve": "b"},
           {"id": "segment", "when": {"$segment": "adults"}, "serve": "c"},
           {"id": "either", "when": {"$or": [{"x": 1}, {"y": 1}]}, "serve": "c"}]}}}
        """
    )
    let decision = try ReferenceInterpreterTests.decide(
      rules,
      #"{"country": "ES", "age": 70}"#,
      explain: true
    )
    #expect(decision.variant == "c")
    let steps = try #require(decision.trace).steps
    try #require(steps.count == 3)
    #expect(
      steps[0]
        == Trace.Step(
          rule: "range",
          outcome: .conditionFailed,
          failed: ["age": ["$lt": 65]],
          value: 70
        )
    )
    #expect(
      steps[1]
        == Trace.Step(
          rule: "missing",
          outcome: .conditionFailed,
          failed: ["tier": ["$in": ["gold"]]],
          value: .null
        )
    )
    #expect(steps[2] == Trace.Step(rule: "segment", outcome: .matched))

    let young = try ReferenceInterpreterTests.decide(
      rules,
      #"{"country": "FR", "age": 12}"#,
      explain: true
    )
    let youngSteps = try #require(young.trace).steps
    try #require(youngSteps.count == 4)
    #expect(youngSteps[0].failed == ["country": "ES"])
    #expect(youngSteps[0].value == "FR")
    #expect(youngSteps[2].failed == ["$segment": "adults"])
    #expect(youngSteps[2].value == 12)
    #expect(youngSteps[3].failed == ["$or": [["x": 1], ["y": 1]]])
    #expect(young.reason == .default)
    // No trace unless asked.
    #expect(try ReferenceInterpreterTests.decide(rules, "{}").trace == nil)
  }

  // MARK: Regular expressions

  @Test func catastrophicBacktrackingStopsAtTheMatchLimit() throws {
    let rules = try Rules(json: ConditionCase.document(when: #"{"s": {"$regex": "^(a+)+$"}}"#))
    #expect(rules.regexLimitHits == 0)
    let subject = String(repeating: "a", count: 30) + "b"
    let decision = try #require(rules.decide("d", for: Profile(["s": .string(subject)])))
    #expect(decision.variant == "no")
    #expect(rules.regexLimitHits >= 1)
    // Ordinary subjects still match.
    #expect(rules.decide("d", for: Profile(["s": "aaa"]))?.variant == "yes")
  }
}
