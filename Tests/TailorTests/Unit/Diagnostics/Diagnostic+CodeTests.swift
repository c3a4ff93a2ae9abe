import Testing

@testable import Tailor

/// One test per diagnostic code: a marked rules document that triggers it,
/// asserting the code, its JSON pointer and its line:column (at the marker).
///
/// `⟨n⟩` stands immediately before the offending value or key.
@Suite struct DiagnosticCodeTests {
  /// The codes this suite covers: every static member of `Diagnostic.Code`.
  static let covered: Set<Diagnostic.Code> = [
    .jsonSyntax, .invalidUTF8, .loneSurrogate, .numberOutOfRange, .tooDeep, .duplicateKey,
    .unsupportedVersion, .unknownKey, .missingKey, .expectedType, .unknownOperator, .mixedOperators,
    .outOfRange, .invalidDateTime, .invalidPattern, .invalidRule, .weightsSum, .fileUnreadable,
    .unknownAttributeType, .unknownSegment, .unknownGroup, .unknownVariant, .unknownDecision,
    .duplicateRuleID, .segmentCycle, .decisionCycle, .typeMismatch, .emptySchedule,
    .unreachableRule, .matchesMissing, .unusedSegment, .unusedVariant,
    .conditionTooDeep, .expansionTooLarge,
  ]

  /// The covered codes that are warnings: their documents load.
  static let warnings: Set<Diagnostic.Code> = [
    .unreachableRule, .matchesMissing, .unusedSegment, .unusedVariant,
  ]

  /// The package root, from this file's path.
  static let packageRoot: String = {
    var components = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    components.removeLast(5)  // Tests/TailorTests/Unit/Diagnostics/<file>
    return components.joined(separator: "/")
  }()

  /// The codes declared in `Diagnostic+Code.swift`, read from the source.
  static func declaredCodes() throws -> Set<String> {
    let path = packageRoot + "/Sources/Tailor/Diagnostics/Diagnostic+Code.swift"
    let bytes = try #require(Environment.readFile(path), "cannot read \(path)")
    var codes: Set<String> = []
    for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n")
    where line.contains("public static let") && line.contains(": Code = \"") {
      let quoted = line.split(separator: "\"", omittingEmptySubsequences: false)
      if quoted.count >= 2 { codes.insert(String(quoted[1])) }
    }
    return codes
  }

  @Test func everyDeclaredCodeIsCovered() throws {
    let declared = try DiagnosticCodeTests.declaredCodes()
    #expect(declared.count >= 28)
    #expect(declared == Set(DiagnosticCodeTests.covered.map(\.rawValue)))
    #expect(DiagnosticCodeTests.warnings.isSubset(of: DiagnosticCodeTests.covered))
  }

  /// A rules document with one decision `d` (variants `a` and `b`) whose rule `r` is `rule`.
  static func rule(_ rule: String, extra: String = "") -> String {
    """
    {"tailor": 1,\(extra)
     "decisions": {"d": {
       "variants": {"a": 1, "b": 2},
       "rules": [\(rule)]}}}
    """
  }

  // MARK: JSON syntax (reader)

  @Test func jsonSyntax() {
    let diagnostics = expectDiagnostics(
      """
      {"tailor": 1,
       "decisions": {"d": {"variants": {"a": 1},⟨1⟩}}}
      """,
      [.init(1, .jsonSyntax, "/decisions/d")]
    )
    #expect(diagnostics.first?.message == "trailing comma before `}`")
  }

  @Test func invalidUTF8() {
    expectDiagnostics(
      #"{"tailor": 1, "description": "caf⟨1⟩⟪E9⟫"}"#,
      [.init(1, .invalidUTF8, "/description")]
    )
  }

  @Test func loneSurrogate() {
    expectDiagnostics(
      #"{"tailor": 1, "description": "smile ⟨1⟩\ud83d"}"#,
      [.init(1, .loneSurrogate, "/description")]
    )
  }

  @Test func numberOutOfRange() {
    expectDiagnostics(#"{"tailor": ⟨1⟩1e999}"#, [.init(1, .numberOutOfRange, "/tailor")])
  }

  @Test func tooDeep() {
    // Documents nest at most 256 levels: the root object and 255 arrays.
    let arrays = String(repeating: "[", count: 255) + "⟨1⟩[" + String(repeating: "]", count: 256)
    expectDiagnostics(
      #"{"tailor": 1, "description": \#(arrays)}"#,
      [.init(1, .tooDeep, "/description" + String(repeating: "/0", count: 255))]
    )
  }

  @Test func duplicateKey() {
    let diagnostics = expectDiagnostics(
      """
      {"tailor": 1,
       "decisions": {},
       ⟨1⟩"decisions": {}}
      """,
      [.init(1, .duplicateKey, "/decisions")]
    )
    #expect(diagnostics.first?.message == "duplicate key `decisions`")
  }

  // MARK: Shape (parser)

  @Test func unsupportedVersion() {
    expectDiagnostics(
      #"{"tailor": ⟨1⟩2, "decisions": {}}"#,
      [.init(1, .unsupportedVersion, "/tailor")]
    )
    expectDiagnostics(#"{"tailor": ⟨1⟩"1"}"#, [.init(1, .unsupportedVersion, "/tailor")])
  }

  @Test func unknownKey() {
    let diagnostics = expectDiagnostics(
      #"{"tailor": 1, ⟨1⟩"decisons": {}}"#,
      [.init(1, .unknownKey, "/decisons")]
    )
    #expect(diagnostics.first?.notes.first == "did you mean `decisions`?")
    expectDiagnostics(
      DiagnosticCodeTests.rule(#"{"id": "r", "serve": "a", ⟨1⟩"wen": {}}"#),
      [.init(1, .unknownKey, "/decisions/d/rules/0/wen")]
    )
    // `limit` belongs to `mode: "all"`.
    expectDiagnostics(
      #"{"tailor": 1, "decisions": {"d": {"variants": {"a": 1}, ⟨1⟩"limit": 2}}}"#,
      [.init(1, .unknownKey, "/decisions/d/limit")]
    )
  }

  @Test func missingKey() {
    let diagnostics = expectDiagnostics(#"⟨1⟩{"decisions": {}}"#, [.init(1, .missingKey, "")])
    #expect(diagnostics.first?.rendered() == "1:1 /: a rules document needs `tailor`")
    expectDiagnostics(
      DiagnosticCodeTests.rule(#"⟨1⟩{"serve": "a"}"#),
      [.init(1, .missingKey, "/decisions/d/rules/0")]
    )
  }

  @Test func expectedType() {
    expectDiagnostics(
      #"{"tailor": 1, "decisions": {"d": {"variants": {"a": 1}, "rules": ⟨1⟩{}}}}"#,
      [.init(1, .expectedType, "/decisions/d/rules")]
    )
    expectDiagnostics(
      DiagnosticCodeTests.rule(
        #"{"id": "r", "when": {"x": {"$in": ⟨1⟩"a"}, "y": {"$exists": ⟨2⟩1}}, "serve": "a"}"#
      ),
      [
        .init(1, .expectedType, "/decisions/d/rules/0/when/x/$in"),
        .init(2, .expectedType, "/decisions/d/rules/0/when/y/$exists"),
      ]
    )
  }

  @Test func unknownOperator() {
    let diagnostics = expectDiagnostics(
      DiagnosticCodeTests.rule(
        #"{"id": "r", "when": {"age": {⟨1⟩"$gtt": 1}, ⟨2⟩"$where": "x"}, "serve": "a"}"#
      ),
      [
        .init(1, .unknownOperator, "/decisions/d/rules/0/when/age/$gtt"),
        .init(2, .unknownOperator, "/decisions/d/rules/0/when/$where"),
      ]
    )
    #expect(diagnostics.first?.notes == ["did you mean `$gt`?"])
  }

  @Test func mixedOperators() {
    expectDiagnostics(
      DiagnosticCodeTests.rule(#"{"id": "r", "when": {"x": {"a": 1, ⟨1⟩"$gt": 2}}, "serve": "a"}"#),
      [.init(1, .mixedOperators, "/decisions/d/rules/0/when/x/$gt")]
    )
  }

  @Test func outOfRange() {
    expectDiagnostics(
      DiagnosticCodeTests.rule(#"{"id": "r", "rollout": {"percent": ⟨1⟩150}, "serve": "a"}"#),
      [.init(1, .outOfRange, "/decisions/d/rules/0/rollout/percent")]
    )
    expectDiagnostics(
      #"{"tailor": 1, "decisions": {"d": {"variants": ⟨1⟩{}}, "e": {"mode": "all", "limit": ⟨2⟩0, "variants": {"a": 1}}}}"#,
      [.init(1, .outOfRange, "/decisions/d/variants"), .init(2, .outOfRange, "/decisions/e/limit")]
    )
  }

  @Test func invalidDateTime() {
    expectDiagnostics(
      DiagnosticCodeTests.rule(
        #"{"id": "r", "when": {"t": {"$before": ⟨1⟩"2026-02-30"}}, "active": {"from": ⟨2⟩"yesterday"}, "serve": "a"}"#
      ),
      [
        .init(1, .invalidDateTime, "/decisions/d/rules/0/when/t/$before"),
        .init(2, .invalidDateTime, "/decisions/d/rules/0/active/from"),
      ]
    )
  }

  @Test func invalidPattern() throws {
    let diagnostics = expectDiagnostics(
      DiagnosticCodeTests.rule(#"{"id": "r", "when": {"s": {"$regex": ⟨1⟩"ab(c"}}, "serve": "a"}"#),
      [.init(1, .invalidPattern, "/decisions/d/rules/0/when/s/$regex")]
    )
    let diagnostic = try #require(diagnostics.first)
    #expect(diagnostic.message == "invalid pattern: missing closing parenthesis at offset 4")
    #expect(diagnostic.location.span == 4..<4)
  }

  @Test func invalidRule() {
    expectDiagnostics(
      DiagnosticCodeTests.rule(
        #"⟨1⟩{"id": "r"}, {"id": "s", "serve": "a", ⟨2⟩"split": {"weights": {"a": 1}}}"#
      ),
      [
        .init(1, .invalidRule, "/decisions/d/rules/0"),
        .init(2, .invalidRule, "/decisions/d/rules/1/split"),
      ]
    )
  }

  @Test func weightsSum() {
    let diagnostics = expectDiagnostics(
      DiagnosticCodeTests.rule(#"{"id": "r", "split": {"weights": ⟨1⟩{"a": 0.5, "b": 0.4}}}"#),
      [.init(1, .weightsSum, "/decisions/d/rules/0/split/weights")]
    )
    #expect(diagnostics.first?.message == "weights sum to 0.9, not 1")
  }

  @Test func fileUnreadable() throws {
    let path = "/nonexistent-tailor-directory/rules.json"
    do {
      _ = try Rules(contentsOfFile: path)
      Issue.record("loaded")
    } catch {
      let diagnostic = try #require(error.diagnostics.first)
      #expect(error.diagnostics.count == 1)
      #expect(diagnostic.code == .fileUnreadable)
      #expect(diagnostic.location.pointer == .root)
      #expect(diagnostic.location.file == path)
      #expect(diagnostic.location.line == nil && diagnostic.location.column == nil)
      #expect(
        diagnostic.rendered() == "\(path): /: cannot read `\(path)`: no such file or directory"
      )
    }
  }

  @Test func unknownAttributeType() {
    expectDiagnostics(
      #"{"tailor": 1, "attributes": {"age": "number", "plan": ⟨1⟩"enum", "vip": ⟨2⟩true}}"#,
      [
        .init(1, .unknownAttributeType, "/attributes/plan"),
        .init(2, .unknownAttributeType, "/attributes/vip"),
      ]
    )
  }

  // MARK: References (validator)

  @Test func unknownSegment() {
    expectDiagnostics(
      DiagnosticCodeTests.rule(
        #"{"id": "r", "when": {"$segment": ⟨1⟩"ue"}, "serve": "a"}, {"id": "s", "when": {"$segment": ["eu", ⟨2⟩"gold"]}, "serve": "a"}"#,
        extra: #" "segments": {"eu": {"country": "ES"}},"#
      ),
      [
        .init(1, .unknownSegment, "/decisions/d/rules/0/when/$segment"),
        .init(2, .unknownSegment, "/decisions/d/rules/1/when/$segment/1"),
      ]
    )
  }

  @Test func unknownGroup() {
    expectDiagnostics(
      DiagnosticCodeTests.rule(
        #"{"id": "r", "when": {"id": {"$inGroup": ⟨1⟩"beta"}}, "serve": "a"}"#
      ),
      [.init(1, .unknownGroup, "/decisions/d/rules/0/when/id/$inGroup")]
    )
  }

  @Test func unknownVariant() {
    expectDiagnostics(
      """
      {"tailor": 1,
       "decisions": {
         "d": {"variants": {"a": 1, "b": 2}, "default": ⟨1⟩"x",
               "rules": [{"id": "r", "serve": ⟨2⟩"vipp"},
                         {"id": "s", "split": {"weights": {"a": 0.5, ⟨3⟩"c": 0.5}}}]},
         "e": {"variants": {"on": true},
               "rules": [{"id": "r", "when": {"$decision": {"d": ⟨4⟩"z"}}, "serve": "on"}]}}}
      """,
      [
        .init(1, .unknownVariant, "/decisions/d/default"),
        .init(2, .unknownVariant, "/decisions/d/rules/0/serve"),
        .init(3, .unknownVariant, "/decisions/d/rules/1/split/weights/c"),
        .init(4, .unknownVariant, "/decisions/e/rules/0/when/$decision/d"),
      ]
    )
  }

  @Test func unknownDecision() {
    expectDiagnostics(
      DiagnosticCodeTests.rule(
        #"{"id": "r", "when": {"$decision": {⟨1⟩"nope": "a"}}, "serve": "a"}"#
      ),
      [.init(1, .unknownDecision, "/decisions/d/rules/0/when/$decision/nope")]
    )
  }

  @Test func duplicateRuleID() {
    expectDiagnostics(
      DiagnosticCodeTests.rule(#"{"id": "r", "serve": "a"}, {"id": ⟨1⟩"r", "serve": "b"}"#),
      [.init(1, .duplicateRuleID, "/decisions/d/rules/1/id")]
    )
  }

  @Test func segmentCycle() {
    let diagnostics = expectDiagnostics(
      """
      {"tailor": 1,
       "segments": {"a": ⟨1⟩{"$segment": "b"},
                    "b": {"$or": [{"$segment": "a"}, {"x": 1}]},
                    "self": ⟨2⟩{"$not": {"$segment": "self"}}}}
      """,
      [.init(1, .segmentCycle, "/segments/a"), .init(2, .segmentCycle, "/segments/self")]
    )
    #expect(diagnostics.first?.message == "segment `a` refers to itself: `a` → `b` → `a`")
  }

  @Test func decisionCycle() {
    expectDiagnostics(
      """
      {"tailor": 1,
       "segments": {"needs-y": {"$decision": {"y": "on"}}},
       "decisions": {
         ⟨1⟩"x": {"variants": {"on": 1}, "requires": {"$segment": "needs-y"}, "rules": []},
         "y": {"variants": {"on": 1}, "rules": [{"id": "r", "when": {"$decision": {"x": "on"}}, "serve": "on"}]}}}
      """,
      [.init(1, .decisionCycle, "/decisions/x")]
    )
  }

  @Test func conditionTooDeep() {
    // 64 levels of conditions are fine; the 65th is reported where it starts.
    let nested =
      String(repeating: #"{"$not": "#, count: 64) + #"⟨1⟩{"a": 1}"#
      + String(repeating: "}", count: 64)
    let diagnostics = expectDiagnostics(
      DiagnosticCodeTests.rule(#"{"id": "r", "when": \#(nested), "serve": "a"}"#),
      [
        .init(
          1,
          .conditionTooDeep,
          "/decisions/d/rules/0/when" + String(repeating: "/$not", count: 64)
        )
      ]
    )
    #expect(diagnostics.first?.message == "conditions nest deeper than 64 levels")
    // Through references: `s63` nests 64 levels, so referring to it from `s64` makes 65.
    let segments =
      ([#""s0": {"a": 1}"#] + (1...63).map { #""s\#($0)": {"$segment": "s\#($0 - 1)"}"# })
      .joined(separator: ", ")
    let chain = expectDiagnostics(
      """
      {"tailor": 1,
       "segments": {\(segments), "s64": {"$segment": ⟨1⟩"s63"}},
       "decisions": {"d": {"variants": {"a": 1}, "rules": [{"id": "r", "when": {"$segment": "s64"}, "serve": "a"}]}}}
      """,
      [.init(1, .conditionTooDeep, "/segments/s64/$segment")]
    )
    #expect(
      chain.first?.message
        == "conditions nest 65 levels deep through segment `s63`; the limit is 64"
    )
  }

  @Test func expansionTooLarge() {
    // Each segment refers twice to the one before: `s20` stands for millions of conditions.
    let segments =
      ([#""s0": {"a": 1}"#]
      + (1...20).map {
        #""s\#($0)": {"$or": [{"$segment": "s\#($0 - 1)"}, {"$segment": "s\#($0 - 1)"}]}"#
      })
      .joined(separator: ", ")
    let diagnostics = expectDiagnostics(
      """
      {"tailor": 1,
       "segments": {\(segments)},
       "decisions": {"d": {"variants": {"a": 1}, "rules": [{"id": "r", "when": {"$segment": ⟨1⟩"s20"}, "serve": "a"}]}}}
      """,
      [.init(1, .expansionTooLarge, "/decisions/d/rules/0/when/$segment")]
    )
    #expect(diagnostics.first?.message == "segment `s20` expands to more than 1000000 conditions")
  }

  @Test func typeMismatch() {
    expectDiagnostics(
      DiagnosticCodeTests.rule(
        #"{"id": "r", "when": {"age": {"$gte": ⟨1⟩"18"}, "country": {"$in": ⟨2⟩["ES", 1]}, "appVersion": {"$vgt": ⟨3⟩2}}, "serve": "a"}"#,
        extra: #" "attributes": {"age": "number", "country": "string", "appVersion": "version"},"#
      ),
      [
        .init(1, .typeMismatch, "/decisions/d/rules/0/when/age/$gte"),
        .init(2, .typeMismatch, "/decisions/d/rules/0/when/country/$in"),
        .init(3, .typeMismatch, "/decisions/d/rules/0/when/appVersion/$vgt"),
      ]
    )
  }

  @Test func emptySchedule() {
    expectDiagnostics(
      DiagnosticCodeTests.rule(
        #"{"id": "r", "active": {"from": "2026-06-01T02:00:00+02:00", "until": ⟨1⟩"2026-06-01T00:00:00Z"}, "serve": "a"}"#
      ),
      [.init(1, .emptySchedule, "/decisions/d/rules/0/active/until")]
    )
  }

  // MARK: Analysis (validator; warnings)

  @Test func unreachableRule() {
    let warnings = expectWarnings(
      DiagnosticCodeTests.rule(
        #"{"id": "all", "serve": "a"}, ⟨1⟩{"id": "es", "when": {"country": "ES"}, "serve": "b"}"#
      ),
      [.init(1, .unreachableRule, "/decisions/d/rules/1", .warning)]
    )
    #expect(
      warnings.first?.message
        == "rule `es` can never win: rule `all` comes first and serves every profile it matches"
    )
    // With `mode: "all"`, rules past `limit` rules that serve everyone.
    expectWarnings(
      """
      {"tailor": 1,
       "decisions": {"d": {"mode": "all", "limit": 1, "variants": {"a": 1, "b": 2},
         "rules": [{"id": "r", "serve": "a"}, ⟨1⟩{"id": "s", "when": {"x": 1}, "serve": "b"}]}}}
      """,
      [.init(1, .unreachableRule, "/decisions/d/rules/1", .warning)]
    )
  }

  @Test func matchesMissing() {
    let warnings = expectWarnings(
      """
      {"tailor": 1,
       "segments": {"minor": {"age": ⟨1⟩{"$lt": 18}}},
       "decisions": {"d": {
         "variants": {"a": 1, "b": 2},
         "requires": {"plan": ⟨2⟩{"$ne": "free"}},
         "rules": [{"id": "r", "when": {"$segment": "minor"}, "serve": "a"},
                   {"id": "s", "when": {"$not": ⟨3⟩{"age": {"$gte": 18}}}, "serve": "b"},
                   {"id": "t", "when": {"age": {"$exists": true, "$lt": 21}}, "serve": "b"}]}}}
      """,
      [
        .init(1, .matchesMissing, "/segments/minor/age", .warning),
        .init(2, .matchesMissing, "/decisions/d/requires/plan", .warning),
        .init(3, .matchesMissing, "/decisions/d/rules/1/when/$not", .warning),
      ]
    )
    #expect(warnings.first?.message == "this test of `age` also holds for profiles without `age`")
  }

  @Test func unusedSegment() {
    let warnings = expectWarnings(
      """
      {"tailor": 1,
       "segments": {"eu": {"country": "ES"}, ⟨1⟩"gold": {"tier": "gold"},
                    ⟨2⟩"orphan": {"$segment": "lonely"}, ⟨3⟩"lonely": {"x": 1}},
       "decisions": {"d": {"variants": {"a": 1}, "default": "a",
                           "rules": [{"id": "r", "when": {"$segment": "eu"}, "serve": "a"}]}}}
      """,
      [
        .init(1, .unusedSegment, "/segments/gold", .warning),
        .init(2, .unusedSegment, "/segments/orphan", .warning),
        .init(3, .unusedSegment, "/segments/lonely", .warning),
      ]
    )
    #expect(warnings.first?.message == "segment `gold` is never used")
  }

  @Test func unusedVariant() {
    let warnings = expectWarnings(
      """
      {"tailor": 1,
       "decisions": {
         "d": {"variants": {"a": 1, "b": 2, "c": 3, ⟨1⟩"e": 4}, "default": "a",
               "rules": [{"id": "r", "rollout": {"percent": 5}, "serve": "b"}]},
         "p": {"variants": {"on": true}, "default": "on", "requires": {"$decision": {"d": "c"}}}}}
      """,
      [.init(1, .unusedVariant, "/decisions/d/variants/e", .warning)]
    )
    #expect(warnings.first?.message == "variant `e` of decision `d` is never served")
  }

  @Test func warningsComeWithTheErrorsOfADocumentThatFails() {
    // A test can ask for warnings beside errors; warnings it does not ask for are ignored.
    expectDiagnostics(
      """
      {"tailor": 1,
       "segments": {⟨1⟩"eu": {"country": "ES"}},
       "decisions": {"d": {"variants": {"a": 1, "b": 2},
                           "rules": [{"id": "r", "when": {"$segment": ⟨2⟩"ue"}, "serve": "a"}]}}}
      """,
      [
        .init(1, .unusedSegment, "/segments/eu", .warning),
        .init(2, .unknownSegment, "/decisions/d/rules/0/when/$segment"),
      ]
    )
  }

  // MARK: Locations

  @Test func pointersEscapeAndLocateKeysWrittenWithEscapes() {
    expectDiagnostics(
      """
      {"tailor": 1,
       "decisions": {
         "a/b~c": {"variants": {"x": 1}, "default": ⟨1⟩"y"},
         "caf\\u00e9": {"variants": {"x": 1}, "default": ⟨2⟩"y"},
         "☕️ menu": {"variants": {"x": 1}, "default": ⟨3⟩"y"}}}
      """,
      [
        .init(1, .unknownVariant, "/decisions/a~1b~0c/default"),
        .init(2, .unknownVariant, "/decisions/café/default"),
        .init(3, .unknownVariant, "/decisions/☕️ menu/default"),
      ]
    )
  }

  @Test func repeatedKeysAreLocatedAtTheValueThatCounts() {
    // The last value of a repeated key is the one loaded, so diagnostics about it point there.
    expectDiagnostics(
      """
      {"tailor": 1,
       "decisions": {"d": {"variants": {"a": 1}, "default": "a"}},
       ⟨1⟩"decisions": {"d": {"variants": {"a": 1}, "default": ⟨2⟩"b"}}}
      """,
      [.init(1, .duplicateKey, "/decisions"), .init(2, .unknownVariant, "/decisions/d/default")]
    )
  }

  @Test func everyErrorIsReportedSortedByPosition() {
    expectDiagnostics(
      """
      {"tailor": 1,
       "attributes": {"age": "number", "plan": ⟨1⟩"enum"},
       "segments": {"adults": {"age": {"$gte": ⟨2⟩"18"}}},
       "decisions": {
         "d": {"variants": {"a": 1}, "default": ⟨3⟩"b",
               "rules": [
                 {"id": "r1", "when": {"$segment": ⟨4⟩"kids"}, "serve": "a"},
                 {"id": "r2", "when": {"x": {⟨5⟩"$regx": "a"}}, "serve": ⟨6⟩"c"},
                 ⟨7⟩{"id": "r3"},
                 {"id": "r4", "rollout": {"percent": ⟨8⟩-1}, "serve": "a",
                  "active": {"from": ⟨9⟩"soon"}},
                 {"id": ⟨10⟩"r1", "serve": "a"}]},
         ⟨11⟩"e": {"variants": {"on": 1}, "requires": {"$decision": {"e": "on"}}}}}
      """,
      [
        .init(1, .unknownAttributeType, "/attributes/plan"),
        .init(2, .typeMismatch, "/segments/adults/age/$gte"),
        .init(3, .unknownVariant, "/decisions/d/default"),
        .init(4, .unknownSegment, "/decisions/d/rules/0/when/$segment"),
        .init(5, .unknownOperator, "/decisions/d/rules/1/when/x/$regx"),
        .init(6, .unknownVariant, "/decisions/d/rules/1/serve"),
        .init(7, .invalidRule, "/decisions/d/rules/2"),
        .init(8, .outOfRange, "/decisions/d/rules/3/rollout/percent"),
        .init(9, .invalidDateTime, "/decisions/d/rules/3/active/from"),
        .init(10, .duplicateRuleID, "/decisions/d/rules/4/id"),
        .init(11, .decisionCycle, "/decisions/e"),
      ]
    )
  }
}
