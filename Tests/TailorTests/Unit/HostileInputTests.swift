import Testing

@testable import Tailor

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Inputs built to break a rules engine: absurd nesting, huge values, broken
/// encodings, numbers JSON cannot hold, repeated keys, reference chains and
/// cycles, and patterns that backtrack forever.
///
/// Each test asserts the exact error code or result.
///
/// Deep inputs run on a thread with a 512 KB stack, the size of macOS's
/// secondary threads (where Swift Testing and Swift concurrency run code): the
/// limits must hold there in debug builds, which use the most stack. No test
/// measures time; the regular-expression tests count limit hits instead.
@Suite struct HostileInputTests {
  // MARK: Helpers

  /// The diagnostics' codes, or `nil` when the document loads.
  static func codes(_ json: [UInt8]) -> [Diagnostic.Code]? {
    do {
      _ = try Rules(json: json)
      return nil
    } catch {
      return error.diagnostics.map(\.code)
    }
  }

  static func codes(_ json: String) -> [Diagnostic.Code]? { codes(Array(json.utf8)) }

  /// The diagnostics; none when the document loads.
  static func diagnostics(_ json: [UInt8]) -> [Diagnostic] {
    do {
      _ = try Rules(json: json)
      return []
    } catch {
      return error.diagnostics
    }
  }

  /// The reader's error for a profile: code and byte offset.
  static func profileError(_ json: [UInt8]) -> (Diagnostic.Code, Int)? {
    do {
      _ = try Profile(json: json)
      return nil
    } catch {
      return (error.code, error.offset)
    }
  }

  /// The reader's error from `read`: code and byte offset.
  static func readerError(
    _ json: [UInt8],
    _ read: ([UInt8]) throws(JSONReader.SyntaxError) -> Void
  )
    -> (Diagnostic.Code, Int)?
  {
    do {
      try read(json)
      return nil
    } catch {
      return (error.code, error.offset)
    }
  }

  /// A document with one decision `d` serving `yes` when `condition` holds.
  static func document(when condition: String, extra: String = "") -> String {
    """
    {"tailor": 1,\(extra) "decisions": {"d": {"variants": {"yes": 1, "no": 0}, "default": "no",
      "rules": [{"id": "r", "when": \(condition), "serve": "yes"}]}}}
    """
  }

  /// Decision `d` for `profile` from the compiled evaluator, the byte fast path
  /// and the reference interpreter, which must agree; the variant.
  static func decide(_ rules: Rules, _ profile: String, _ decision: String = "d") throws -> String?
  {
    let parsed = try Profile(json: profile)
    let compiled = rules.decide(decision, for: parsed)
    let prepared = try rules.prepare(json: Array(profile.utf8))
    let fromBytes = rules.makeEvaluator().decide(
      decision,
      for: prepared,
      at: Date(timeIntervalSince1970: 0)
    )
    let interpreted = rules.interpreter.decide(decision, for: parsed.root, now: 0)
    #expect(compiled == interpreted)
    #expect(fromBytes == interpreted)
    return interpreted?.variant
  }

  // MARK: Nesting

  @Test func aMillionOpenBracketsInAProfile() throws {
    let bytes = [UInt8](repeating: UInt8(ascii: "["), count: 1_000_000)
    let rules = try Rules(json: HostileInputTests.document(when: #"{"a": 1}"#))
    let results = Threads.run { () -> [String] in
      [
        HostileInputTests.profileError(bytes),
        HostileInputTests.readerError(bytes) { bytes throws(JSONReader.SyntaxError) in
          _ = try JSONReader.parse(bytes)
        },
        HostileInputTests.readerError(bytes) { bytes throws(JSONReader.SyntaxError) in
          _ = try rules.prepare(json: bytes)
        },
      ].map { $0.map { "\($0.0) at \($0.1)" } ?? "accepted" }
    }
    // The default profile limit is 512 levels: the 513th bracket is reported.
    #expect(results == ["too_deep at 512", "too_deep at 512", "too_deep at 512"])
  }

  @Test func aMillionOpenBracketsInADocument() {
    let bytes = [UInt8](repeating: UInt8(ascii: "["), count: 1_000_000)
    let diagnostics = Threads.run { HostileInputTests.diagnostics(bytes) }
    // Documents nest at most 256 levels.
    #expect(diagnostics.map(\.code) == [.tooDeep])
    #expect(diagnostics.first?.location.offset == 256)
    #expect(diagnostics.first?.location.line == 1)
    #expect(diagnostics.first?.location.column == 257)
  }

  @Test func theDeepestProfileFitsASecondaryThread() throws {
    // 511 arrays inside the profile object: 512 levels, the default limit.
    let deep = String(repeating: "[", count: 511) + "7" + String(repeating: "]", count: 511)
    let profile = #"{"a": "# + deep + #", "b": "# + deep + "}"
    let rules = try Rules(
      json: HostileInputTests.document(
        when:
          #"{"$or": [{"a": [[[7]]]}, {"b": {"$size": 1}}, {"a": {"$elemMatch": {"$size": 2}}}]}"#
      )
    )
    let variants = Threads.run { () -> [String?] in
      guard let parsed = try? Profile(json: profile),
        let prepared = try? rules.prepare(json: Array(profile.utf8))
      else { return ["unread"] }
      return [
        rules.decide("d", for: parsed)?.variant,
        rules.makeEvaluator().decide("d", for: prepared, at: Date(timeIntervalSince1970: 0))?
          .variant,
        rules.interpreter.decide("d", for: parsed.root, now: 0)?.variant,
        rules.decide("d", for: parsed, explain: true)?.variant,
        parsed.root.jsonText == #"{"a":"# + deep + #","b":"# + deep + "}"
          ? "written" : "miswritten",
      ]
    }
    // `b` is an array of one element.
    #expect(variants == ["yes", "yes", "yes", "yes", "written"])
  }

  @Test func tenThousandNestedConditionsExceedTheDocumentDepth() {
    for (open, close) in [
      (#"{"$not": "#, "}"), (#"{"$and": ["#, "]}"), (#"{"$or": [{"x": 1}, "#, "]}"),
    ] {
      let condition =
        String(repeating: open, count: 10_000) + #"{"a": 1}"#
        + String(repeating: close, count: 10_000)
      let text = HostileInputTests.document(when: condition)
      #expect(Threads.run { HostileInputTests.codes(text) } == [.tooDeep], "\(open)")
    }
  }

  @Test func conditionsDeeperThanTheConditionLimit() {
    // Within the document's 256 levels, but past the 64 of conditions: one diagnostic.
    for (open, close) in [
      (#"{"$not": "#, "}"), (#"{"$and": ["#, "]}"), (#"{"$nor": [{"x": 1}, "#, "]}"),
      (#"{"a": {"$elemMatch": "#, "}}"),
    ] {
      let condition =
        String(repeating: open, count: 120) + #"{"a": 1}"# + String(repeating: close, count: 120)
      let text = HostileInputTests.document(when: condition)
      // Reported where the 65th level starts (twice where a list holds two conditions there).
      let codes = Threads.run { HostileInputTests.codes(text) }
      #expect(codes.map(Set.init) == [.conditionTooDeep], "\(open)")
      #expect(codes?.count == (open.contains("x") ? 2 : 1), "\(open)")
    }
    let values =
      #"{"a": "# + String(repeating: #"{"$not": "#, count: 200) + "1"
      + String(repeating: "}", count: 201)
    #expect(
      Threads.run { HostileInputTests.codes(HostileInputTests.document(when: values)) } == [
        .conditionTooDeep
      ]
    )
    // GrowthBook's evaluation reads 64 levels and takes the 65th as false:
    // 300 negations of `{}` hold, but 64 negations of false do not.
    let negations = try? JSONReader.parse(
      String(repeating: #"{"$not": "#, count: 300) + "{}" + String(repeating: "}", count: 300)
    )
    #expect(
      Threads.run { negations.map { GrowthBook.evaluateCondition($0, attributes: [:]) } } == false
    )
    let shallow = try? JSONReader.parse(
      String(repeating: #"{"$not": "#, count: 62) + "{}" + String(repeating: "}", count: 62)
    )
    #expect(shallow.map { GrowthBook.evaluateCondition($0, attributes: [:]) } == true)
  }

  @Test func theDeepestConditionsFitASecondaryThread() throws {
    // At the limit, each shape loads and all evaluators agree, within 512 KB.
    let shapes: [(String, String)] = [
      (
        String(repeating: #"{"$not": "#, count: 62) + #"{"$not": {"a": 2}}"#
          + String(repeating: "}", count: 62), "yes"
      ),
      (
        String(repeating: #"{"$and": ["#, count: 63) + #"{"a": 1}"#
          + String(repeating: "]}", count: 63), "yes"
      ),
      (
        #"{"a": "# + String(repeating: #"{"$not": "#, count: 62) + #"{"$not": 2}"#
          + String(repeating: "}", count: 63), "yes"
      ),
      (
        String(repeating: #"{"b": {"$elemMatch": "#, count: 31) + #"{"b": 1}"#
          + String(repeating: "}}", count: 31), "no"
      ),
    ]
    for (condition, expected) in shapes {
      let text = HostileInputTests.document(when: condition)
      let variants = Threads.run { () -> [String?] in
        guard let rules = try? Rules(json: text),
          let profile = try? Profile(json: #"{"a": 1, "b": [{"b": [1]}]}"#)
        else { return ["unloaded"] }
        return [
          rules.decide("d", for: profile)?.variant,
          rules.interpreter.decide("d", for: profile.root, now: 0)?.variant,
          rules.decide("d", for: profile, explain: true)?.variant,
        ]
      }
      #expect(variants == [expected, expected, expected], "\(condition.prefix(40))")
    }
  }

  // MARK: Size

  @Test(.tags(.slow)) func aHundredMegabyteStringInAProfile() throws {
    // 100 MB in one string: read, matched, and skipped by the fast path when unused.
    let length = 100 << 20
    var bytes = Array(#"{"name": ""#.utf8)
    bytes.reserveCapacity(length + 64)
    bytes.append(contentsOf: repeatElement(UInt8(ascii: "x"), count: length))
    bytes.append(contentsOf: Array(#"y", "other": 1}"#.utf8))
    let profile = try Profile(json: bytes)
    guard case .string(let name)? = profile.root.objectValue?["name"] else {
      Issue.record("no name")
      return
    }
    #expect(name.utf8.count == length + 1)
    let rules = try Rules(
      json: HostileInputTests.document(when: #"{"name": {"$startsWith": "xx", "$endsWith": "xy"}}"#)
    )
    #expect(rules.decide("d", for: profile)?.variant == "yes")
    #expect(
      rules.makeEvaluator().decide(
        "d",
        for: try rules.prepare(json: bytes),
        at: Date(timeIntervalSince1970: 0)
      )?.variant
        == "yes"
    )
    let unused = try Rules(json: HostileInputTests.document(when: #"{"other": 1}"#))
    #expect(
      unused.makeEvaluator().decide(
        "d",
        for: try unused.prepare(json: bytes),
        at: Date(timeIntervalSince1970: 0)
      )?.variant
        == "yes"
    )
  }

  @Test(.tags(.slow)) func aHundredThousandValuesInIn() throws {
    let ids = (0..<100_000).map { "\"u-\($0)\"" }.joined(separator: ", ")
    let numbers = (0..<100_000).map { String($0 * 3) }.joined(separator: ", ")
    let rules = try Rules(
      json: HostileInputTests.document(
        when: #"{"$or": [{"id": {"$in": [\#(ids)]}}, {"n": {"$in": [\#(numbers)]}}]}"#
      )
    )
    for (profile, expected) in [
      (#"{"id": "u-0"}"#, "yes"), (#"{"id": "u-50000"}"#, "yes"), (#"{"id": "u-99999"}"#, "yes"),
      (#"{"id": "u-100000"}"#, "no"), (#"{"id": ["x", "u-7"]}"#, "yes"), (#"{"id": 7}"#, "no"),
      (#"{"n": 299997}"#, "yes"), (#"{"n": 299998}"#, "no"), (#"{"n": "3"}"#, "no"), (#"{}"#, "no"),
    ] {
      #expect(try HostileInputTests.decide(rules, profile) == expected, "\(profile)")
    }
  }

  @Test(.tags(.slow)) func rulesThatTestAThousandAttributes() throws {
    // Each attribute tested by several rules is a switch on the graph's path:
    // the graph stops growing at 32 levels, and the rest are scans.
    let when = "{" + (0..<1_000).map { #""k\#($0)": "v""# }.joined(separator: ", ") + "}"
    let rules = (0..<5).map { #"{"id": "r\#($0)", "when": \#(when), "serve": "yes"}"# }.joined(
      separator: ", "
    )
    let text =
      #"{"tailor": 1, "decisions": {"d": {"variants": {"yes": 1, "no": 0}, "default": "no", "rules": [\#(rules)]}}}"#
    let all = "{" + (0..<1_000).map { #""k\#($0)": "v""# }.joined(separator: ", ") + "}"
    let variants = Threads.run { () -> [String?] in
      guard let rules = try? Rules(json: text), let every = try? Profile(json: all),
        let some = try? Profile(json: #"{"k0": "v"}"#)
      else { return ["unloaded"] }
      return [every, some].flatMap { profile in
        [
          rules.decide("d", for: profile)?.variant,
          rules.interpreter.decide("d", for: profile.root, now: 0)?.variant,
        ]
      }
    }
    #expect(variants == ["yes", "yes", "no", "no"])
  }

  // MARK: Encodings and numbers

  @Test func invalidUTF8AndLoneSurrogates() throws {
    let cases: [([UInt8], Diagnostic.Code, Int)] = [
      (Array(#"{"a": ""#.utf8) + [0xFF] + Array(#""}"#.utf8), .invalidUTF8, 7),
      (Array(#"{"a": "é"#.utf8) + [0xC0, 0x80] + Array(#""}"#.utf8), .invalidUTF8, 9),  // overlong
      // A surrogate in UTF-8.
      (Array(#"{"a": ""#.utf8) + [0xED, 0xA0, 0x80] + Array(#""}"#.utf8), .invalidUTF8, 7),
      // Past U+10FFFF.
      (Array(#"{"a": ""#.utf8) + [0xF4, 0x90, 0x80, 0x80] + Array(#""}"#.utf8), .invalidUTF8, 7),
      (Array(#"{"a": ""#.utf8) + [0xE2, 0x82], .invalidUTF8, 7),  // truncated at the end
      (Array(#"{""#.utf8) + [0x80] + Array(#"": 1}"#.utf8), .invalidUTF8, 2),  // in a key
      (Array(#"{"a": "\ud800"}"#.utf8), .loneSurrogate, 7),
      (Array(#"{"a": "\udc00\ud800"}"#.utf8), .loneSurrogate, 7),
      (Array(#"{"a": "x\ud800\u0041"}"#.utf8), .loneSurrogate, 8),
      (Array(#"{"a": "\ud800x"}"#.utf8), .loneSurrogate, 7),
    ]
    for (bytes, code, offset) in cases {
      let label = bytes.map { String($0, radix: 16) }.joined(separator: " ")
      let error = HostileInputTests.profileError(bytes)
      #expect(error?.0 == code, "\(label)")
      #expect(error?.1 == offset, "\(label)")
      // In a document the same bytes are one diagnostic with the same code.
      let document = Array(#"{"tailor": 1, "description": "#.utf8) + bytes + Array("}".utf8)
      #expect(HostileInputTests.codes(document) == [code], "\(label)")
    }
    // A valid pair is one scalar.
    #expect(try Profile(json: #"{"a": "\ud83d\ude00"}"#).root == ["a": "😀"])
  }

  @Test func numbersJSONCannotHold() throws {
    for text in ["1e400", "-1e400", "1E+999", "123456789e302", "-0.5e309"] {
      let error = HostileInputTests.profileError(Array(#"{"a": \#(text)}"#.utf8))
      #expect(error?.0 == .numberOutOfRange, "\(text)")
      #expect(error?.1 == 6, "\(text)")
      #expect(
        HostileInputTests.codes(#"{"tailor": 1, "description": \#(text)}"#) == [.numberOutOfRange]
      )
    }
    // Too small is zero, as in JavaScript.
    #expect(try Profile(json: #"{"a": 1e-400}"#).root == ["a": 0])
  }

  @Test func negativeZero() throws {
    let profile = try Profile(json: #"{"x": -0, "y": -0.0}"#)
    guard case .number(let x)? = profile.root.objectValue?["x"],
      case .number(let y)? = profile.root.objectValue?["y"]
    else {
      Issue.record("not numbers")
      return
    }
    #expect(x == 0 && x.sign == .minus)
    #expect(y == 0 && y.sign == .minus)
    // -0 === 0 in JavaScript, and -0 is not below 0.
    for (condition, expected) in [
      (#"{"x": 0}"#, "yes"), (#"{"x": {"$eq": 0}}"#, "yes"), (#"{"x": {"$in": [0]}}"#, "yes"),
      (#"{"x": {"$lt": 0}}"#, "no"), (#"{"x": {"$gte": 0}}"#, "yes"), (#"{"x": "0"}"#, "yes"),
      (#"{"z": {"$eq": -0}}"#, "no"),
    ] {
      let rules = try Rules(json: HostileInputTests.document(when: condition))
      #expect(try HostileInputTests.decide(rules, #"{"x": -0}"#) == expected, "\(condition)")
      #expect(
        try HostileInputTests.decide(rules, #"{"x": 0, "z": 0}"#)
          == (condition.hasPrefix(#"{"z""#) ? "yes" : expected)
      )
    }
  }

  @Test func hugeIntegersBecomeDoubles() throws {
    let profile = try Profile(
      json: #"{"n": 123456789012345678901234567890, "m": 9007199254740993}"#
    )
    #expect(profile.root.objectValue?["n"] == .number(1.2345678901234568e29))
    // 2^53 + 1 rounds to 2^53, as in JavaScript.
    #expect(profile.root.objectValue?["m"] == .number(9_007_199_254_740_992))
    let rules = try Rules(
      json: HostileInputTests.document(
        when: #"{"n": {"$gt": 1.2e29, "$lt": 1.3e29}, "m": 9007199254740992}"#
      )
    )
    #expect(
      try HostileInputTests.decide(
        rules,
        #"{"n": 123456789012345678901234567890, "m": 9007199254740993}"#
      ) == "yes"
    )
  }

  // MARK: Duplicate keys

  @Test func duplicateKeys() throws {
    // In a document, every repeat is an error at the repeated key.
    let document =
      #"{"tailor": 1, "decisions": {"d": {"variants": {"a": 1, "a": 2}, "default": "a", "default": "a"}}}"#
    do {
      _ = try Rules(json: document)
      Issue.record("loaded")
    } catch {
      #expect(error.diagnostics.map(\.code) == [.duplicateKey, .duplicateKey])
      #expect(
        error.diagnostics.map(\.location.pointer.description) == [
          "/decisions/d/variants/a", "/decisions/d/default",
        ]
      )
    }
    // In a profile, the last value wins, in the reader and in the fast path.
    let rules = try Rules(
      json: HostileInputTests.document(when: #"{"tier": "gold", "geo.country": "ES"}"#)
    )
    #expect(
      try HostileInputTests.decide(
        rules,
        #"{"tier": "silver", "tier": "gold", "geo": {"country": "ES"}}"#
      ) == "yes"
    )
    #expect(
      try HostileInputTests.decide(
        rules,
        #"{"tier": "gold", "tier": "silver", "geo": {"country": "ES"}}"#
      ) == "no"
    )
    #expect(
      try HostileInputTests.decide(rules, #"{"tier": "gold", "geo": {"country": "ES"}, "geo": {}}"#)
        == "no"
    )
    #expect(
      try HostileInputTests.decide(
        rules,
        #"{"tier": "gold", "geo": {"country": "FR", "country": "ES"}}"#
      ) == "yes"
    )
  }

  // MARK: References

  /// `count` segments, each referring to the one before; `s0` tests `country`.
  static func segmentChain(_ count: Int, cycle: Bool = false) -> String {
    var segments = [cycle ? #""s0": {"$segment": "s\#(count - 1)"}"# : #""s0": {"country": "ES"}"#]
    for index in 1..<count { segments.append(#""s\#(index)": {"$segment": "s\#(index - 1)"}"#) }
    return HostileInputTests.document(
      when: #"{"$segment": "s\#(count - 1)"}"#,
      extra: #" "segments": {\#(segments.joined(separator: ", "))},"#
    )
  }

  /// `count` decisions, each requiring the one before; `d0` serves `yes` in Spain.
  static func decisionChain(_ count: Int, cycle: Bool = false) -> String {
    let first = cycle ? #""requires": {"$decision": {"d\#(count - 1)": "yes"}}, "# : ""
    var decisions = [
      #""d0": {"variants": {"yes": 1, "no": 0}, "default": "no", \#(first)"rules": [{"id": "r", "when": {"country": "ES"}, "serve": "yes"}]}"#
    ]
    for index in 1..<count {
      decisions.append(
        #""d\#(index)": {"variants": {"yes": 1, "no": 0}, "default": "no", "requires": {"$decision": {"d\#(index - 1)": "yes"}}, "rules": [{"id": "r", "serve": "yes"}]}"#
      )
    }
    return #"{"tailor": 1, "decisions": {\#(decisions.joined(separator: ", "))}}"#
  }

  @Test(.tags(.slow)) func tenThousandChainedSegmentsAndDecisions() throws {
    let results = Threads.run { () -> [[Diagnostic]] in
      [HostileInputTests.segmentChain(10_000), HostileInputTests.decisionChain(10_000)].map {
        HostileInputTests.diagnostics(Array($0.utf8))
      }
    }
    // One diagnostic, where the chain first crosses the limit.
    #expect(results[0].map(\.code) == [.conditionTooDeep])
    #expect(results[0].map(\.location.pointer.description) == ["/segments/s64/$segment"])
    #expect(results[1].map(\.code) == [.conditionTooDeep])
    #expect(
      results[1].map(\.location.pointer.description) == ["/decisions/d32/requires/$decision/d31"]
    )
  }

  @Test func theLongestChainsLoadAndDecide() throws {
    let answers = Threads.run { () -> [String?] in
      var answers: [String?] = []
      for (text, decision) in [
        (HostileInputTests.segmentChain(63), "d"), (HostileInputTests.decisionChain(32), "d31"),
      ] {
        guard let rules = try? Rules(json: text) else { return ["unloaded"] }
        for profile in [#"{"country": "ES"}"#, #"{"country": "PT"}"#] {
          guard let parsed = try? Profile(json: profile) else { return ["unread"] }
          let compiled = rules.decide(decision, for: parsed)
          let interpreted = rules.interpreter.decide(decision, for: parsed.root, now: 0)
          let explained = rules.decide(decision, for: parsed, explain: true)
          answers.append(
            compiled == interpreted && explained?.variant == compiled?.variant
              ? compiled?.variant : "disagree"
          )
        }
      }
      return answers
    }
    #expect(answers == ["yes", "no", "yes", "no"])
  }

  @Test(.tags(.slow)) func tenThousandLongCycles() {
    let results = Threads.run { () -> [[Diagnostic.Code]?] in
      [
        HostileInputTests.segmentChain(10_000, cycle: true),
        HostileInputTests.decisionChain(10_000, cycle: true),
      ]
      .map(HostileInputTests.codes)
    }
    #expect(results == [[.segmentCycle], [.decisionCycle]])
  }

  @Test func prerequisiteCycles() throws {
    let direct = """
      {"tailor": 1, "decisions": {
        "a": {"variants": {"on": 1}, "requires": {"$decision": {"b": "on"}}},
        "b": {"variants": {"on": 1}, "rules": [{"id": "r", "when": {"$decision": {"a": "on"}}, "serve": "on"}]},
        "self": {"variants": {"on": 1}, "rules": [{"id": "r", "when": {"$not": {"$decision": {"self": "on"}}}, "serve": "on"}]}}}
      """
    #expect(HostileInputTests.codes(direct) == [.decisionCycle, .decisionCycle])
    let throughSegments = """
      {"tailor": 1, "segments": {"needs-b": {"$or": [{"x": 1}, {"$decision": {"b": "on"}}]}},
       "decisions": {
        "a": {"variants": {"on": 1}, "rules": [{"id": "r", "when": {"$segment": "needs-b"}, "serve": "on"}]},
        "b": {"variants": {"on": 1}, "requires": {"$decision": {"a": "on"}}}}}
      """
    #expect(HostileInputTests.codes(throughSegments) == [.decisionCycle])
  }

  @Test func segmentsThatDoubleAtEveryStep() throws {
    // `s30` would stand for billions of conditions; `s10` for thousands is fine.
    var segments = [#""s0": {"country": "ES"}"#]
    for index in 1...30 {
      segments.append(
        #""s\#(index)": {"$or": [{"$segment": "s\#(index - 1)"}, {"$segment": "s\#(index - 1)"}]}"#
      )
    }
    let extra = #" "segments": {\#(segments.joined(separator: ", "))},"#
    #expect(
      HostileInputTests.codes(
        HostileInputTests.document(when: #"{"$segment": "s30"}"#, extra: extra)
      ) == [.expansionTooLarge]
    )
    let rules = try Rules(
      json: HostileInputTests.document(when: #"{"$segment": "s10"}"#, extra: extra)
    )
    #expect(try HostileInputTests.decide(rules, #"{"country": "ES"}"#) == "yes")
    #expect(try HostileInputTests.decide(rules, #"{"country": "PT"}"#) == "no")
  }

  // MARK: Patterns

  @Test(arguments: [("(a+)+$", "aaaa"), ("(a|aa)+$", "aaaa"), ("(.*a){20}", nil)])
  func catastrophicBacktracking(pattern: String, matching: String?) throws {
    let rules = try Rules(
      json: HostileInputTests.document(when: #"{"name": {"$regex": "\#(pattern)"}}"#)
    )
    let subject = String(repeating: "a", count: 10_000) + "!"
    let profile = try Profile(json: #"{"name": "\#(subject)"}"#)
    #expect(rules.regexLimitHits == 0)
    // Each search stops at PCRE2's match limit: no match, and one limit hit.
    #expect(rules.decide("d", for: profile)?.variant == "no")
    #expect(rules.regexLimitHits == 1)
    #expect(rules.interpreter.decide("d", for: profile.root, now: 0)?.variant == "no")
    #expect(rules.regexLimitHits == 2)
    #expect(
      rules.makeEvaluator().decide(
        "d",
        for: try rules.prepare(json: Array(profile.root.jsonText.utf8)),
        at: Date(timeIntervalSince1970: 0)
      )?.variant == "no"
    )
    #expect(rules.regexLimitHits == 3)
    // A subject the pattern matches quickly still matches.
    if let matching {
      #expect(
        rules.decide("d", for: try Profile(json: #"{"name": "\#(matching)"}"#))?.variant == "yes"
      )
      #expect(rules.regexLimitHits == 3)
    }
  }
}
