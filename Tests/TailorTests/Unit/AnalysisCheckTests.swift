import Testing

@testable import Tailor

/// The analysis checks: warnings that never block loading.
@Suite struct AnalysisCheckTests {
  /// Loads a document that must be valid and returns its warnings as `code pointer`.
  func warnings(_ json: String) throws -> [String] {
    let rules = try Rules(json: json)
    #expect(rules.warnings.allSatisfy { $0.severity == .warning })
    return rules.warnings.map { "\($0.code) \($0.location.pointer)" }
  }

  func decision(
    _ rules: String,
    variants: String = #"{"a": 1, "b": 2}"#,
    extra: String = ""
  ) -> String {
    #"{"tailor": 1, \#(extra) "decisions": {"d": {"variants": \#(variants), "default": "a", "rules": \#(rules)}}}"#
  }

  @Test func ruleAfterARuleWithoutWhenIsUnreachable() throws {
    let json = decision(
      #"[{"id": "all", "serve": "a"}, {"id": "es", "when": {"country": "ES"}, "serve": "b"}]"#
    )
    #expect(try warnings(json) == ["unreachable_rule /decisions/d/rules/1"])
  }

  @Test func identicalAndNarrowerConditionsAreUnreachable() throws {
    let json = decision(
      """
      [{"id": "es", "when": {"country": "ES"}, "serve": "a"},
       {"id": "same", "when": {"country": "ES"}, "serve": "b"},
       {"id": "narrower", "when": {"country": "ES", "tier": "gold"}, "serve": "b"},
       {"id": "other", "when": {"country": "FR"}, "serve": "b"}]
      """
    )
    #expect(
      try warnings(json) == [
        "unreachable_rule /decisions/d/rules/1", "unreachable_rule /decisions/d/rules/2",
      ]
    )
  }

  /// The comparison budget is spent on the rarest conjuncts first, in the same order on every
  /// run: a rule shadowed through a rare conjunct is found even when it also shares a
  /// conjunct with hundreds of earlier rules.
  @Test func shadowingIsFoundThroughTheRarestConjunct() throws {
    let common = (1...300).map { index in
      #"{"id": "gold-\#(index)", "when": {"tier": "gold", "age": {"$gte": \#(index)}}, "serve": "b"}"#
    }
    let rules =
      common + [
        #"{"id": "fr", "when": {"country": "FR"}, "serve": "b"}"#,
        #"{"id": "gold-fr", "when": {"tier": "gold", "country": "FR"}, "serve": "a"}"#,
      ]
    let json = decision("[" + rules.joined(separator: ",") + "]")
    let found = try warnings(json)
    #expect(found == ["unreachable_rule /decisions/d/rules/301"], "\(found.prefix(5))")
  }

  @Test func rolloutsSplitsAndSchedulesDoNotShadow() throws {
    let json = decision(
      """
      [{"id": "roll", "rollout": {"percent": 10}, "serve": "b"},
       {"id": "split", "split": {"weights": {"a": 0.5, "b": 0.5}, "coverage": 0.5}},
       {"id": "summer", "active": {"from": "2026-06-01"}, "serve": "b"},
       {"id": "rest", "serve": "a"}]
      """
    )
    #expect(try warnings(json).isEmpty)
  }

  @Test func allModeRulesBeyondTheLimitAreUnreachable() throws {
    let json = #"""
      {"tailor": 1, "decisions": {"o": {"mode": "all", "limit": 2, "variants": {"x": 1, "y": 2, "z": 3},
        "rules": [{"id": "x", "serve": "x"}, {"id": "y", "serve": "y"}, {"id": "z", "when": {"a": 1}, "serve": "z"}]}}}
      """#
    #expect(try warnings(json) == ["unreachable_rule /decisions/o/rules/2"])
  }

  @Test(arguments: [
    (#"{"age": {"$lt": 18}}"#, ["matches_missing /decisions/d/rules/0/when/age"]),
    (#"{"age": {"$lte": 0}}"#, ["matches_missing /decisions/d/rules/0/when/age"]),
    (#"{"tier": {"$ne": "gold"}}"#, ["matches_missing /decisions/d/rules/0/when/tier"]),
    (#"{"country": {"$nin": ["US"]}}"#, ["matches_missing /decisions/d/rules/0/when/country"]),
    (#"{"name": {"$regex": "^n"}}"#, ["matches_missing /decisions/d/rules/0/when/name"]),
    (
      #"{"$or": [{"age": {"$lt": 18}}, {"kid": true}]}"#,
      ["matches_missing /decisions/d/rules/0/when/$or/0/age"]
    ),
    (#"{"$not": {"age": {"$gte": 18}}}"#, ["matches_missing /decisions/d/rules/0/when/$not"]),
    (#"{"age": {"$not": {"$gte": 18}}}"#, ["matches_missing /decisions/d/rules/0/when/age"]),
    // Not reported: the test fails for missing values, or speaks of them, or a sibling excludes them.
    (#"{"age": {"$gte": 18}}"#, []),
    (#"{"age": {"$lt": 0}}"#, []),
    (#"{"age": {"$exists": true, "$lt": 18}}"#, []),
    (#"{"age": {"$lt": 18}, "$and": [{"age": {"$exists": true}}]}"#, []),
    (#"{"age": {"$gt": 0}, "$or": [{"age": {"$lt": 18}}, {"vip": true}]}"#, []),
    (#"{"tier": {"$ne": null}}"#, []),
    (#"{"$or": [{"age": {"$exists": false}}, {"age": {"$lt": 18}}]}"#, []),
    (#"{"$not": {"$segment": "s"}}"#, []),
  ])
  func testsThatHoldForMissingAttributes(when: String, expected: [String]) throws {
    let json = decision(
      #"[{"id": "r", "when": \#(when), "serve": "b"}]"#,
      extra: #""segments": {"s": {"x": 1}},"#
    )
    #expect(try warnings(json).filter { $0.hasPrefix("matches_missing") } == expected)
  }

  @Test func segmentsAndGatesAreCheckedToo() throws {
    let json = #"""
      {"tailor": 1, "segments": {"minor": {"age": {"$lt": 18}}},
       "decisions": {"d": {"variants": {"a": 1}, "default": "a", "requires": {"plan": {"$ne": "free"}},
                           "rules": [{"id": "r", "when": {"$segment": "minor"}, "serve": "a"}]}}}
      """#
    #expect(
      try warnings(json) == [
        "matches_missing /segments/minor/age", "matches_missing /decisions/d/requires/plan",
      ]
    )
  }

  @Test func unusedSegmentsIncludeThoseOnlyUnusedSegmentsUse() throws {
    let json = #"""
      {"tailor": 1,
       "segments": {"eu": {"country": "ES"}, "gold": {"tier": "gold"}, "eu-gold": {"$segment": ["eu", "gold"]},
                    "orphan": {"$segment": "lonely"}, "lonely": {"x": 1}},
       "decisions": {"d": {"variants": {"a": 1}, "default": "a",
                           "rules": [{"id": "r", "when": {"$segment": "eu-gold"}, "serve": "a"}]}}}
      """#
    #expect(
      try warnings(json) == ["unused_segment /segments/orphan", "unused_segment /segments/lonely"]
    )
  }

  @Test func unusedVariants() throws {
    let json = #"""
      {"tailor": 1,
       "decisions": {
         "d": {"variants": {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5}, "default": "a",
               "rules": [{"id": "r", "rollout": {"percent": 5}, "serve": "b"},
                         {"id": "s", "split": {"weights": {"a": 0.5, "c": 0.5}}}]},
         "p": {"variants": {"on": true}, "default": "on", "requires": {"$decision": {"d": "d"}}}}}
      """#
    #expect(try warnings(json) == ["unused_variant /decisions/d/variants/e"])
  }

  @Test func warningsNeverBlockAndRenderWithTheirCode() throws {
    let rules = try Rules(
      json: decision(#"[{"id": "x", "serve": "a"}, {"id": "y", "serve": "a"}]"#),
      file: "r.json"
    )
    let rendered = rules.warnings.map { $0.rendered(showingCode: true) }
    let expected = [
      "r.json:1:57 /decisions/d/variants/b: warning: variant `b` of decision `d` is never served [unused_variant]",
      "r.json:1:119 /decisions/d/rules/1: warning: rule `y` can never win: rule `x` comes first and serves every profile it matches [unreachable_rule]",
    ]
    #expect(rendered == expected)
  }

  @Test func analysesThatNeedEveryRuleStaySilentWhenParsingDroppedOne() throws {
    let json = decision(#"[{"id": "bad", "serve": "nope"}, {"id": "ok", "serve": "a"}]"#)
    do {
      _ = try Rules(json: json)
      Issue.record("expected errors")
    } catch {
      #expect(error.diagnostics.map(\.code) == [.unknownVariant])
    }
  }
}
