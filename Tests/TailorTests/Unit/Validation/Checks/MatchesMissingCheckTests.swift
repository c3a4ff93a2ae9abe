import TailorTestSupport
import Testing

@testable import Tailor

/// The matches-missing analysis gives exactly the warnings of a plain formulation
/// of its rule: every test parsed afresh, and judged wherever it is met.
@Suite struct MatchesMissingCheckTests {
  /// The plain walk: a new parser for every test, every test judged where it is met.
  struct PlainWalker {
    let evaluator: ConditionEvaluator

    func walk(_ value: JSONValue, at pointer: JSONPointer, guarded: Set<ByteString>) -> [String] {
      guard case .object(let object) = value else { return [] }
      var found: [String] = []
      let guarded = guarded.union(guards(in: object))
      for (key, entry) in object.pairs {
        let entryPointer = pointer.appending(key: key)
        switch key {
        case "$and", "$or":
          let elements = entry.arrayValue ?? []
          var handled = guarded
          if key == "$or" {
            for case .object(let member) in elements {
              for (path, test) in member.pairs
              where !path.hasPrefix("$") && MatchesMissingCheck.mentionsMissing(test) {
                handled.insert(ByteString(path))
              }
            }
          }
          for (index, element) in elements.enumerated() {
            found += walk(element, at: entryPointer.appending(index: index), guarded: handled)
          }
        case "$not", "$nor":
          let paths = MatchesMissingCheck.paths(in: entry)
          guard !paths.isEmpty, !paths.allSatisfy({ guarded.contains(ByteString($0)) }),
            !MatchesMissingCheck.mentionsMissing(entry), !MatchesMissingCheck.refersToRules(entry),
            holdsWhenMissing(key, entry)
          else { continue }
          let names = paths.map { "`\($0)`" }.joined(separator: ", ")
          found.append("\(entryPointer) `\(key)` also holds for profiles without \(names)")
        default:
          guard !key.hasPrefix("$"), !guarded.contains(ByteString(key)),
            !MatchesMissingCheck.mentionsMissing(entry), holdsWhenMissing(key, entry)
          else { continue }
          found.append(
            "\(entryPointer) this test of `\(key)` also holds for profiles without `\(key)`"
          )
        }
      }
      return found
    }

    func guards(in object: JSONObject) -> Set<ByteString> {
      var result: Set<ByteString> = []
      for (key, entry) in object.pairs {
        if key == "$and" {
          for case .object(let member) in entry.arrayValue ?? [] {
            result.formUnion(guards(in: member))
          }
        } else if !key.hasPrefix("$"), !holdsWhenMissing(key, entry) {
          result.insert(ByteString(key))
        }
      }
      return result
    }

    func holdsWhenMissing(_ key: String, _ entry: JSONValue) -> Bool {
      var parser = ConditionParser(mode: .tailor)
      let condition = parser.parseCondition(.object(JSONObject([(key, entry)])), at: .root)
      guard parser.diagnostics.isEmpty else { return false }
      return evaluator.evaluate(condition, on: .object(JSONObject()))
    }
  }

  /// The plain formulation's findings, in the check's order, as `pointer message`.
  static func expected(_ document: JSONValue) -> [String] {
    guard case .object(let root) = document else { return [] }
    var groups: [String: Set<JSONValue>] = [:]
    if case .object(let written) = root["groups"] {
      for (name, members) in written.pairs {
        groups[name] = Set(
          (members.arrayValue ?? []).filter { $0.arrayValue == nil && $0.objectValue == nil }
        )
      }
    }
    let walker = PlainWalker(
      evaluator: ConditionEvaluator(
        groups: groups,
        segment: { _ in false },
        decision: { _, _ in false }
      )
    )
    var found: [String] = []
    if case .object(let segments) = root["segments"] {
      for (name, condition) in segments.pairs {
        found += walker.walk(
          condition,
          at: .root.appending(key: "segments").appending(key: name),
          guarded: []
        )
      }
    }
    if case .object(let decisions) = root["decisions"] {
      for (name, value) in decisions.pairs {
        guard case .object(let decision) = value else { continue }
        let pointer = JSONPointer.root.appending(key: "decisions").appending(key: name)
        if let requires = decision["requires"] {
          found += walker.walk(requires, at: pointer.appending(key: "requires"), guarded: [])
        }
        for (index, rule) in (decision["rules"]?.arrayValue ?? []).enumerated() {
          guard let when = rule.objectValue?["when"] else { continue }
          found += walker.walk(
            when,
            at: pointer.appending(key: "rules").appending(index: index).appending(key: "when"),
            guarded: []
          )
        }
      }
    }
    return found
  }

  /// The check's findings, as `pointer message`.
  static func found(_ document: JSONValue) -> [String] {
    var parser = DocumentParser()
    let input = ValidationInput(
      document: parser.parse(document),
      sites: parser.sites,
      writtenRuleIndices: parser.writtenRuleIndices,
      writtenConditions: parser.writtenConditions
    )
    var diagnostics: [Diagnostic] = []
    MatchesMissingCheck().check(input, into: &diagnostics)
    return diagnostics.map { "\($0.location.pointer) \($0.message)" }
  }

  @Test func randomDocumentsAgreeWithThePlainFormulation() {
    var documents = RandomDocuments(seed: 20_260_702)
    var warned = 0
    for _ in 0..<400 {
      let document = documents.document(maxRules: 30)
      let found = Self.found(document)
      #expect(found == Self.expected(document))
      if !found.isEmpty { warned += 1 }
    }
    #expect(warned > 20, "too few documents with warnings: \(warned)")
  }

  /// Every field test in a document's rules, as `(path, test)`.
  static func ruleFields(in document: JSONValue) -> [(String, JSONValue)] {
    (document.objectValue?["decisions"]?.objectValue?.values ?? []).flatMap { decision in
      (decision.objectValue?["rules"]?.arrayValue ?? []).flatMap { rule in
        rule.objectValue?["when"].map { fields(in: $0) } ?? []
      }
    }
  }

  /// Every field test in a condition, as `(path, test)`, through `$and`, `$or`, `$nor` and `$not`.
  static func fields(in value: JSONValue) -> [(String, JSONValue)] {
    switch value {
    case .object(let object):
      object.pairs.flatMap { key, entry in
        key.hasPrefix("$") ? fields(in: entry) : [(key, entry)]
      }
    case .array(let elements): elements.flatMap { fields(in: $0) }
    default: []
    }
  }

  /// A test the shortcut judges from its JSON fails for null by the parser and the evaluator
  /// too: the check asks them only when the shortcut cannot tell.
  @Test func testsPlainlyFailingForNullFailForNull() {
    let walker = PlainWalker(
      evaluator: ConditionEvaluator(
        groups: [:],
        segment: { _ in false },
        decision: { _, _ in false }
      )
    )
    var tests: [(String, JSONValue)] = []
    var campaign = CampaignWorkload(seed: 7)
    tests += Self.ruleFields(in: campaign.document(rules: 400))
    let campaignTests = tests.count
    var documents = RandomDocuments(seed: 20_261_208)
    for _ in 0..<200 { tests += Self.ruleFields(in: documents.document(maxRules: 20)) }
    // Operands around null and zero, where JavaScript's coercions decide.
    let operands: [JSONValue] = [
      .null, .number(0), .number(-0.0), .number(-1), .number(1), .string(""), .string("0"),
      .string("null"), .string("-1"), .string("a"), .bool(true), .bool(false),
      .array([]), .array([.null]), .array([.string("a")]), .array([.string("a"), .null]),
      .object(JSONObject()),
    ]
    let names = [
      "$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists", "$after", "$before",
      "$startsWith", "$endsWith", "$contains", "$size", "$elemMatch", "$all", "$regex", "$vgt",
    ]
    for name in names {
      for operand in operands {
        tests.append(("a", .object(JSONObject([(name, operand)]))))
        tests.append(("a", .object(JSONObject([(name, operand), ("$exists", .bool(false))]))))
      }
    }
    tests += operands.map { ("a", $0) }
    var judged = 0
    var campaignJudged = 0
    for (index, (path, test)) in tests.enumerated()
    where MatchesMissingCheck.plainlyFailsForNull(test) {
      judged += 1
      if index < campaignTests { campaignJudged += 1 }
      #expect(!walker.holdsWhenMissing(path, test), "\(path): \(test.jsonText)")
    }
    // Most campaign fields are judged from their JSON (a few `$lt` of ages hold for null).
    #expect(
      campaignJudged * 10 > campaignTests * 9 && judged > campaignJudged + 300,
      "judged \(judged), campaign \(campaignJudged) of \(campaignTests)"
    )
  }
}
