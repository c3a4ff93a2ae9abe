import TailorTestSupport
import Testing

@testable import Tailor

/// The unreachable-rule analysis gives exactly the warnings of a plain formulation
/// of its rule, budget included.
@Suite struct UnreachableRuleCheckTests {
  /// The parsed document and its sites, as the loader hands them to the validator.
  static func input(_ document: JSONValue) -> ValidationInput {
    var parser = DocumentParser()
    let parsed = parser.parse(document)
    return ValidationInput(
      document: parsed,
      sites: parser.sites,
      writtenRuleIndices: parser.writtenRuleIndices,
      writtenConditions: parser.writtenConditions,
      isComplete: !parser.diagnostics.contains { $0.severity == .error }
    )
  }

  /// The pointer to the first rule written with id `ruleID` in `decision`, read from the JSON.
  static func writtenPointer(
    decision: DecisionDefinition,
    ruleID: String,
    in root: JSONValue
  ) -> JSONPointer {
    let rules = JSONPointer.root.appending(key: "decisions").appending(key: decision.name)
      .appending(key: "rules")
    let written =
      root.objectValue?["decisions"]?.objectValue?[decision.name]?.objectValue?["rules"]?.arrayValue
      ?? []
    let index = written.firstIndex { $0.objectValue?["id"] == .string(ruleID) }
    return rules.appending(index: index ?? -1)
  }

  /// The check's warnings as `pointer message`.
  static func found(_ input: ValidationInput) -> [String] {
    var diagnostics: [Diagnostic] = []
    UnreachableRuleCheck().check(input, into: &diagnostics)
    return diagnostics.map { "\($0.location.pointer) \($0.message)" }
  }

  /// The same warnings, found the plain way: conjuncts kept as a dictionary of
  /// conditions, the budget spent on the rarest conjuncts first.
  static func expected(_ input: ValidationInput, in root: JSONValue) -> [String] {
    guard input.isComplete else { return [] }
    var result: [String] = []
    for decision in input.document.decisions {
      func line(_ rule: Rule, _ message: String) -> String {
        "\(writtenPointer(decision: decision, ruleID: rule.id, in: root)) \(message)"
      }
      switch decision.mode {
      case .first:
        var earlier: [(rule: Rule, size: Int)] = []
        var counts: [Int] = []
        var stamps: [Int] = []
        var postings: [Condition: [Int]] = [:]
        var unconditional: (rule: Rule, position: Int)?
        for (position, rule) in decision.rules.enumerated() {
          let conjuncts = UnreachableRuleCheck.conjuncts(of: rule.condition)
          var shadow = unconditional?.rule
          var best = Int.max
          var budget = UnreachableRuleCheck.comparisonBudget
          let order = conjuncts.enumerated().sorted { a, b in
            let (ca, cb) = (postings[a.element]?.count ?? 0, postings[b.element]?.count ?? 0)
            return ca != cb ? ca < cb : a.offset < b.offset
          }
          search: for (_, conjunct) in order {
            for index in postings[conjunct] ?? [] {
              budget -= 1
              if budget < 0 { break search }
              let count = stamps[index] == position ? counts[index] + 1 : 1
              stamps[index] = position
              counts[index] = count
              if count == earlier[index].size { best = min(best, index) }
            }
          }
          if best != Int.max, best < unconditional?.position ?? Int.max {
            shadow = earlier[best].rule
          }
          if let shadow {
            result.append(
              line(
                rule,
                "rule `\(rule.id)` can never win: rule `\(shadow.id)` comes first and serves every profile it matches"
              )
            )
          }
          guard UnreachableRuleCheck.alwaysServes(rule) else { continue }
          if conjuncts.isEmpty {
            if unconditional == nil { unconditional = (rule, earlier.count) }
          } else {
            earlier.append((rule, conjuncts.count))
            counts.append(0)
            stamps.append(-1)
            for conjunct in conjuncts { postings[conjunct, default: []].append(earlier.count - 1) }
          }
        }
      case .all(let limit?):
        var servingEveryone = 0
        for rule in decision.rules {
          if servingEveryone >= limit {
            result.append(
              line(
                rule,
                "rule `\(rule.id)` can never be served: \(limit) earlier rules serve everyone and `limit` is \(limit)"
              )
            )
          }
          if UnreachableRuleCheck.alwaysServes(rule),
            UnreachableRuleCheck.conjuncts(of: rule.condition).isEmpty
          {
            servingEveryone += 1
          }
        }
      case .all(nil):
        continue
      }
    }
    return result
  }

  /// A decision of `count` rules over a few attributes with a few values each, so
  /// conjuncts repeat across hundreds of rules and the comparison budget runs out;
  /// most rules have four conjuncts, so few rules shadow them.
  static func crowdedDocument(_ random: inout SeededGenerator, rules count: Int) -> JSONValue {
    let attributes = ["a", "b", "c", "d", "e", "f"]
    func test() -> JSONValue {
      random.chance(0.7)
        ? .number(Double(random.int(0, 2)))
        : .object(JSONObject([("$gte", .number(Double(random.int(0, 1))))]))
    }
    var rules: [JSONValue] = []
    for index in 0..<count {
      var rule = JSONObject()
      rule["id"] = .string("r\(index)")
      let roll = random.int(0, 99)
      if roll >= 1 {
        var when = JSONObject()
        for attribute in attributes.shuffled(using: &random).prefix(
          random.chance(0.9) ? 4 : random.int(0, 3)
        ) {
          when[attribute] = test()
        }
        if random.chance(0.15) {
          // Nested and repeated conjuncts, and `true` members, which add nothing.
          var member = JSONObject()
          member[random.pick(attributes)] = test()
          when["$and"] = .array([.object(member), .object(JSONObject()), .object(when)])
        }
        rule["when"] = .object(when)
      }
      switch random.int(0, 19) {
      case 0: rule["rollout"] = .object(JSONObject([("percent", 50)]))
      case 1: rule["active"] = .object(JSONObject([("from", "2026-06-01T00:00:00Z")]))
      default: break
      }
      rule["serve"] = "x"
      rules.append(.object(rule))
    }
    let decision = JSONObject([
      ("variants", .object(JSONObject([("x", 1)]))), ("default", "x"), ("rules", .array(rules)),
    ])
    return .object(
      JSONObject([("tailor", 1), ("decisions", .object(JSONObject([("d", .object(decision))])))])
    )
  }

  /// A document whose one decision has rules with these conditions, each serving its one variant.
  static func document(whens: [[(String, JSONValue)]]) -> JSONValue {
    let rules = whens.enumerated().map { index, when in
      JSONValue.object(
        JSONObject([
          ("id", .string("r\(index)")), ("when", .object(JSONObject(when))), ("serve", "x"),
        ])
      )
    }
    let decision = JSONObject([
      ("variants", .object(JSONObject([("x", 1)]))), ("default", "x"), ("rules", .array(rules)),
    ])
    return .object(
      JSONObject([("tailor", 1), ("decisions", .object(JSONObject([("d", .object(decision))])))])
    )
  }

  /// A rule is found when the entry that completes it is the budget's last, and not one later.
  @Test(arguments: [
    (UnreachableRuleCheck.comparisonBudget, true),
    (UnreachableRuleCheck.comparisonBudget + 1, false),
  ])
  func theBudgetEndsExactly(entries: Int, isFound: Bool) {
    // The last rule's rarer conjunct `a` is read first (100 entries), then `b`, whose
    // last entry is the rule that shadows it.
    let rare = 100
    var whens: [[(String, JSONValue)]] = []
    for index in 0..<rare { whens.append([("a", 1), ("z", .number(Double(index)))]) }
    for index in 0..<(entries - rare - 1) {
      whens.append([("b", 1), ("y", .number(Double(index)))])
    }
    whens += [[("b", 1)], [("a", 1), ("b", 1)]]
    let document = Self.document(whens: whens)
    let input = Self.input(document)
    let found = Self.found(input)
    #expect(found == Self.expected(input, in: document))
    #expect(found.count == (isFound ? 1 : 0))
  }

  /// Between conjuncts as rare as each other, the one written first is read first.
  @Test(arguments: [(false, false), (true, true)])
  func equallyRareConjunctsAreReadInWrittenOrder(bFirst: Bool, isFound: Bool) {
    // `a` and `b` each have 200 entries; the rule that shadows the last one is `b`'s last.
    var whens: [[(String, JSONValue)]] = []
    for index in 0..<200 { whens.append([("a", 1), ("z", .number(Double(index)))]) }
    for index in 0..<199 { whens.append([("b", 1), ("y", .number(Double(index)))]) }
    whens.append([("b", 1)])
    whens.append(bFirst ? [("b", 1), ("a", 1)] : [("a", 1), ("b", 1)])
    let document = Self.document(whens: whens)
    let input = Self.input(document)
    let found = Self.found(input)
    #expect(found == Self.expected(input, in: document))
    #expect(found.count == (isFound ? 1 : 0))
  }

  @Test(arguments: 0..<8)
  func crowdedDecisionsAgreeWithThePlainFormulation(seed: Int) {
    var random = SeededGenerator(seed: UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 &+ 1)
    let document = Self.crowdedDocument(&random, rules: random.int(200, 1500))
    let input = Self.input(document)
    let found = Self.found(input)
    #expect(found == Self.expected(input, in: document))
    #expect(!found.isEmpty)
  }

  @Test func randomDocumentsAgreeWithThePlainFormulation() {
    var documents = RandomDocuments(seed: 20_260_701)
    var warned = 0
    for _ in 0..<400 {
      let document = documents.document(maxRules: 40)
      let input = Self.input(document)
      let found = Self.found(input)
      #expect(found == Self.expected(input, in: document))
      if !found.isEmpty { warned += 1 }
    }
    #expect(warned > 20, "too few documents with unreachable rules: \(warned)")
  }

  /// The parser's side table points at rules as written, also after rules it dropped.
  @Test func rulePointersFollowTheWrittenIndices() throws {
    let document = try JSONReader.parse(
      """
      {"tailor": 1, "decisions": {
        "a~/b": {"variants": {"x": 1}, "rules": [{"id": "r0", "serve": "x"}, {"id": "r1", "serve": "x"}]},
        "c": {"variants": {"x": 1}, "rules": [3, {"id": "r1", "serve": "x"}, "no", {"id": "r3", "serve": "x"}]}}}
      """
    )
    let input = Self.input(document)
    #expect(input.document.decisions.map(\.rules.count) == [2, 2])
    #expect(input.pointer(toRule: 1, ofDecision: 0).description == "/decisions/a~0~1b/rules/1")
    #expect(input.pointer(toRule: 0, ofDecision: 1).description == "/decisions/c/rules/1")
    #expect(input.pointer(toRule: 1, ofDecision: 1).description == "/decisions/c/rules/3")
  }
}
