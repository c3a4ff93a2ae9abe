import Testing

@testable import Tailor

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The façade: loading from strings, bytes and files, and deciding.
@Suite struct RulesTests {
  static let document = """
    {"tailor": 1,
     "decisions": {
       "b-second": {"variants": {"x": 1}, "default": "x"},
       "a-first": {"variants": {"y": 2}, "rules": [{"id": "r", "when": {"on": true}, "serve": "y"}]}}}
    """

  /// Writes `text` to a fresh temporary file and returns its path.
  static func temporaryFile(_ text: String) throws -> String {
    var template = Array("/tmp/tailor-rules-XXXXXX".utf8CString)
    let descriptor = mkstemp(&template)
    try #require(descriptor >= 0)
    let bytes = Array(text.utf8)
    let written = bytes.withUnsafeBufferPointer { write(descriptor, $0.baseAddress, $0.count) }
    close(descriptor)
    try #require(written == bytes.count)
    return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  /// The example on the DocC landing page (Tailor.md).
  @Test func landingPageExample() throws {
    let rules = try Rules(
      json: """
        {"tailor": 1,
         "segments": {"eu": {"country": {"$in": ["ES", "PT", "FR"]}}},
         "decisions": {"hero": {
           "variants": {"standard": {"image": "a.jpg"}, "eu": {"image": "e.jpg"}},
           "default": "standard",
           "rules": [{"id": "eu", "when": {"$segment": "eu"}, "serve": "eu"}]}}}
        """
    )
    let profile = try Profile(json: #"{"userId": "u-1", "country": "PT"}"#)
    let decision = rules.decide("hero", for: profile)
    #expect(decision?.variant == "eu")
  }

  /// A decision with more variants than are scanned (its keys are looked up in an index):
  /// each rule serves its own variant, unknown keys are still reported.
  @Test func manyVariantsAreFoundByKey() throws {
    let count = 40
    let variants = (0..<count).map { #""v\#($0)": {"n": \#($0)}"# }.joined(separator: ", ")
    let rules = (0..<count).reversed().map {
      #"{"id": "r\#($0)", "when": {"n": \#($0)}, "serve": "v\#($0)"}"#
    }
    func document(_ extra: String = "") -> String {
      """
      {"tailor": 1, "decisions": {"d": {"variants": {\(variants)}, "default": "v7",
        "rules": [\((rules + (extra.isEmpty ? [] : [extra])).joined(separator: ", "))]}}}
      """
    }
    let loaded = try Rules(json: document())
    for n in [0, 9, 23, 39] {
      let decision = loaded.decide("d", for: try Profile(json: #"{"n": \#(n)}"#))
      #expect(decision?.variant == "v\(n)")
      #expect(decision?.value == .object(JSONObject([("n", .number(Double(n)))])))
    }
    #expect(loaded.decide("d", for: try Profile(json: #"{"n": 99}"#))?.variant == "v7")
    do {
      _ = try Rules(json: document(#"{"id": "bad", "serve": "v40"}"#))
      Issue.record("an unknown variant among many was accepted")
    } catch {
      #expect(error.errors.map(\.code) == [.unknownVariant])
      #expect(error.errors.first?.location.pointer.description == "/decisions/d/rules/40/serve")
    }
  }

  @Test func decisionsKeepDocumentOrder() throws {
    let rules = try Rules(json: RulesTests.document)
    #expect(rules.decisionNames == ["b-second", "a-first"])
    #expect(rules.warnings.isEmpty)
    let all = rules.decideAll(for: try Profile(json: #"{"on": true}"#))
    #expect(all.map(\.name) == ["b-second", "a-first"])
    #expect(all.map(\.variant) == ["x", "y"])
  }

  @Test func bytesAndStringsLoadAlike() throws {
    let fromBytes = try Rules(json: Array(RulesTests.document.utf8))
    #expect(fromBytes.decisionNames == ["b-second", "a-first"])
    #expect(try Rules(json: #"{"tailor": 1}"#).decisionNames.isEmpty)
    #expect(try Rules(json: #"{"tailor": 1, "decisions": {}}"#).decisionNames.isEmpty)
  }

  @Test func loadsFromAFileAndNamesItInDiagnostics() throws {
    let good = try RulesTests.temporaryFile(RulesTests.document)
    defer { unlink(good) }
    #expect(try Rules(contentsOfFile: good).decisionNames == ["b-second", "a-first"])

    let marked = MarkedJSON(
      "{\"tailor\": 1,\n \"decisions\": {\"d\": {\"variants\": {\"a\": 1}, \"default\": ⟨1⟩\"b\"}}}"
    )
    let marker = try marked.marker(1)
    let bad = try RulesTests.temporaryFile(marked.text)
    defer { unlink(bad) }
    do {
      _ = try Rules(contentsOfFile: bad)
      Issue.record("loaded")
    } catch {
      #expect(
        error.diagnostics.map { $0.rendered() } == [
          "\(bad):\(marker.line):\(marker.column) /decisions/d/default: unknown variant `b` in decision `d`"
        ]
      )
    }
  }

  @Test func profilesAreAnyJSON() throws {
    let rules = try Rules(json: ConditionCase.document(when: #"{"tags.0": "a"}"#))
    #expect(rules.decide("d", for: try Profile(json: #"{"tags": ["a"]}"#))?.variant == "yes")
    // A profile that is not an object has no attributes.
    #expect(rules.decide("d", for: try Profile(json: "[1]"))?.variant == "no")
    #expect(throws: JSONReader.SyntaxError.self) { try Profile(json: "{\"a\": NaN}") }
  }

  /// Group members are built once, as scalar sets, and the compiled and reference paths
  /// both decide `$inGroup` from them.
  @Test func groupMembersAreScalarSetsSharedByEveryPath() throws {
    let rules = try Rules(
      json: """
        {"tailor": 1,
         "groups": {"beta": ["a", 1, "a"]},
         "decisions": {"d": {"variants": {"on": true, "off": false}, "default": "off",
           "rules": [{"id": "in", "when": {"user": {"$inGroup": "beta"}}, "serve": "on"}]}}}
        """
    )
    #expect(rules.document.groupMembers == ["beta": [.string("a"), .number(1)]])
    // A document built in code may list arrays and objects: they are never members.
    let built = Document(
      groups: [
        GroupDefinition(
          name: "g",
          members: [.string("a"), .array([.string("a")]), .object(JSONObject())]
        )
      ]
    )
    #expect(built.groupMembers == ["g": [.string("a")]])
    // Changing the groups rebuilds the sets, so they always describe the groups set.
    var edited = built
    edited.groups[0].members.append(.number(2))
    edited.groups.append(GroupDefinition(name: "h", members: [.bool(true)]))
    #expect(edited.groupMembers == ["g": [.string("a"), .number(2)], "h": [.bool(true)]])
    for (user, expected) in [("\"a\"", "on"), ("1", "on"), ("\"b\"", "off")] {
      let profile = try Profile(json: "{\"user\": \(user)}")
      #expect(rules.decide("d", for: profile)?.variant == expected, "user \(user)")
      let interpreted = rules.interpreter.decide("d", for: profile.root, now: 0)
      #expect(interpreted?.variant == expected, "user \(user), reference")
    }
    let array = try Profile(json: #"{"user": ["a", "z"]}"#)
    #expect(
      rules.decide("d", for: array)?.variant
        == rules.interpreter.decide("d", for: array.root, now: 0)?.variant
    )
  }

  /// The pool lends an evaluator again once it is returned, but not one the
  /// borrower kept: that one is its own, never shared with the next borrower.
  @Test func thePoolLendsNoEvaluatorABorrowerKept() throws {
    let rules = try Rules(json: Self.document)
    let first = rules.withEvaluator { ObjectIdentifier($0) }
    #expect(rules.withEvaluator { ObjectIdentifier($0) } == first)
    var kept: Evaluator?
    rules.withEvaluator { kept = $0 }
    let keptEvaluator = try #require(kept)
    #expect(ObjectIdentifier(keptEvaluator) == first)
    let next = rules.withEvaluator { ObjectIdentifier($0) }
    #expect(next != first)
    withExtendedLifetime(keptEvaluator) {}
  }
}
