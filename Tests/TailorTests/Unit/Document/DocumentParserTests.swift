import TailorTestSupport
import Testing

@testable import Tailor

/// A decision's long list of rules is parsed in two halves on two threads, with the result
/// of parsing it in order: the same rules, diagnostics, sites and conditions as written.
@Suite struct DocumentParserTests {
  /// Everything a parse hands to the validator and the compiler, comparable.
  struct Parsed: Equatable {
    var decisions: [DecisionDefinition]
    var diagnostics: [Diagnostic]
    var sites: [ConditionParser.Site]
    var written: [JSONPointer]
    var writtenJSON: [JSONValue]
    var writtenRuleIndices: [[Int32]]
    var patterns: Set<ConditionParser.PatternKey>
  }

  static func parse(_ root: JSONValue, parallelRules: Int) -> Parsed {
    var parser = DocumentParser()
    parser.parallelRules = parallelRules
    let document = parser.parse(root)
    return Parsed(
      decisions: document.decisions,
      diagnostics: parser.diagnostics,
      sites: parser.sites,
      written: parser.writtenConditions.map(\.pointer),
      writtenJSON: parser.writtenConditions.map(\.json),
      writtenRuleIndices: parser.writtenRuleIndices,
      patterns: Set(parser.patterns.keys)
    )
  }

  /// Campaign rules with two attribute types declared and a fault every 37 rules, in both halves: an unknown operator, an id
  /// written before (in the other half too), an unknown variant, a pattern that does not
  /// compile, a rule that is not an object, and a pattern written in both halves.
  static func faultyDocument(rules count: Int) -> JSONValue {
    var workload = CampaignWorkload(seed: 11)
    guard case .object(var root) = workload.document(rules: count),
      case .object(var decisions) = root["decisions"],
      case .object(var offers) = decisions["offers"],
      case .array(var rules) = offers["rules"]
    else { return .null }
    for index in stride(from: 3, to: rules.count, by: 37) {
      guard case .object(var rule) = rules[index] else { continue }
      switch index / 37 % 6 {
      case 0: rule["when"] = .object(JSONObject([("age", .object(JSONObject([("$bogus", 1)])))]))
      case 1: rule["id"] = rules[index / 2].objectValue?["id"] ?? .null
      case 2: rule["serve"] = "no-such-variant"
      case 3:
        rule["when"] = .object(JSONObject([("email", .object(JSONObject([("$regex", "(open")])))]))
      case 4:
        rules[index] = 7
        continue
      default:
        rule["when"] = .object(
          JSONObject([("email", .object(JSONObject([("$regex", "@(corp|example)\\.com$")])))])
        )
      }
      rules[index] = .object(rule)
    }
    offers["rules"] = .array(rules)
    decisions["offers"] = .object(offers)
    root["decisions"] = .object(decisions)
    // Declared types make each operand of these attributes a site for the type check.
    root["attributes"] = .object(JSONObject([("age", "number"), ("country", "string")]))
    return .object(root)
  }

  @Test func twoThreadsParseALongDecisionAsOneDoes() {
    let root = DocumentParserTests.faultyDocument(rules: 900)
    let inOrder = DocumentParserTests.parse(root, parallelRules: .max)
    let split = DocumentParserTests.parse(root, parallelRules: 2)
    #expect(inOrder == split)
    // The faults are there to compare: each kind reported, rules that are not objects (and
    // rules in error) dropped.
    let codes = Set(inOrder.diagnostics.map(\.code))
    for code in [
      Diagnostic.Code.unknownOperator, .duplicateRuleID, .unknownVariant, .invalidPattern,
      .expectedType,
    ] {
      #expect(codes.contains(code), "no \(code)")
    }
    let dropped = stride(from: 3, to: 900, by: 37).filter { $0 / 37 % 6 == 4 }.count
    #expect(dropped > 0)
    #expect((inOrder.decisions.first?.rules.count ?? .max) <= 900 - dropped)
    #expect(!(inOrder.writtenRuleIndices.first ?? []).isEmpty)
    #expect(inOrder.patterns.count > 1)
    #expect(inOrder.sites.count > 100)
  }

  @Test func aDocumentWithoutFaultsParsesTheSameOnTwoThreads() {
    var workload = CampaignWorkload(seed: 5)
    let root = workload.document(rules: 3_000)
    let inOrder = DocumentParserTests.parse(root, parallelRules: .max)
    let split = DocumentParserTests.parse(root, parallelRules: 2_048)
    #expect(inOrder == split)
    #expect(inOrder.diagnostics.isEmpty)
    #expect(inOrder.decisions.first?.rules.count == 3_000)
  }
}
