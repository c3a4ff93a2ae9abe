import Tailor
import TailorGrowthBook
import TailorTestSupport
import Testing

/// The compiled path (`evaluateFeature`: conditions decided by a rules document)
/// against the interpreter (`_interpretFeature`) on seeded random payloads and
/// attribute sets: the same result, byte for byte, for every feature.
///
/// Conditions come from the adversarial generator of rules documents (every
/// operator, nested logic, Tailor's own operators, which GrowthBook evaluates as
/// unknown, invalid patterns) plus constructs only GrowthBook accepts, so both
/// compiled and interpreted conditions occur; rules are force rules, rollouts and
/// experiments, some with prerequisites on earlier features.
@Suite struct CompiledPayloadDifferentialTests {
  /// Conditions a rules document refuses or reads differently; GrowthBook evaluates them leniently.
  static let lenient: [JSONValue] = [
    ["name": ["$regex": "(?i)ann"]], ["email": ["$regex": "["]], ["age": ["$foo": 1]],
    ["id": ["$inGroup": "missing"]], ["id": ["$notInGroup": "missing"]],
    ["tier": ["$type": "String"]], ["name": ["$startsWith": "a"]], ["$segment": "eu"],
    ["tags": ["$elemMatch": ["$regex": "\\A"]]], ["id": ["$inGroup": "beta"]],
    ["id": ["$inGroup": "objects"]],
  ]

  static func payload(_ documents: inout RandomDocuments) -> JSONValue {
    var features: [(String, JSONValue)] = []
    for index in 0..<5 {
      var rules: [JSONValue] = []
      for ruleIndex in 0..<documents.random.int(0, 6) {
        var rule = JSONObject([("id", .string("r\(ruleIndex)"))])
        if documents.random.chance(0.8) {
          rule["condition"] =
            documents.random.chance(0.2)
            ? documents.random.pick(lenient) : documents.condition()
        }
        if index > 0 && documents.random.chance(0.2) {
          rule["parentConditions"] = [
            [
              "id": .string("f\(documents.random.int(0, index - 1))"),
              "condition": ["value": documents.random.chance(0.5) ? ["$exists": true] : "a"],
              "gate": .bool(documents.random.chance(0.3)),
            ]
          ]
        }
        switch documents.random.int(0, 2) {
        case 0:
          rule["force"] = documents.random.pick(["a", "b", 1, true, .null])
        case 1:
          rule["force"] = "rolled"
          if documents.random.chance(0.2) {
            let start = documents.random.pick([0, 0.2, 0.5])
            rule["range"] = [
              .number(start), .number(start + documents.random.pick([0, 0.3, 0.5])),
            ]
          } else {
            rule["coverage"] = documents.random.pick([0, 0.3, 0.7, 1])
          }
          Self.hashing(&rule, &documents)
        default:
          let count = documents.random.pick([1, 2, 2, 3])
          rule["variations"] = .array((0..<count).map { JSONValue.string("v\($0)") })
          rule["key"] = .string("e\(index)-\(ruleIndex)")
          rule["coverage"] = documents.random.pick([0.5, 1])
          Self.hashing(&rule, &documents)
          Self.experimentOptions(&rule, count: count, &documents)
        }
        if documents.random.chance(0.05) {
          // Neither a force rule nor an experiment: GrowthBook passes it over.
          rule["force"] = nil
          rule["variations"] = nil
        }
        rules.append(.object(rule))
      }
      features.append(
        ("f\(index)", ["defaultValue": "default", "rules": .array(rules)])
      )
    }
    return [
      "features": .object(JSONObject(features)),
      "savedGroups": [
        "beta": ["u-1", "u-2", "u-3", 1], "staff": ["u-10", "ES"], "objects": [["a": 1], "u-4"],
      ],
    ]
  }

  /// Sometimes a hash attribute (missing, numeric, non-ASCII), hash version and seed.
  static func hashing(_ rule: inout JSONObject, _ documents: inout RandomDocuments) {
    if documents.random.chance(0.3) {
      rule["hashAttribute"] = .string(documents.random.pick(["id", "age", "é", "missing", ""]))
    }
    if documents.random.chance(0.3) { rule["hashVersion"] = documents.random.pick([1, 2, 3, 0]) }
    if documents.random.chance(0.3) { rule["seed"] = documents.random.pick(["", "s1", "ñé😀"]) }
  }

  /// Sometimes weights, explicit ranges, a namespace, passthrough variations, a status.
  static func experimentOptions(
    _ rule: inout JSONObject,
    count: Int,
    _ documents: inout RandomDocuments
  ) {
    if documents.random.chance(0.3) {
      rule["weights"] =
        count == 2 ? documents.random.pick([[0.2, 0.8], [0.5, 0.6], [1, 0]]) : [0.1, 0.2, 0.7]
    }
    if documents.random.chance(0.15) { rule["ranges"] = [[0, 0.3], [0.5, 0.9]] }
    if documents.random.chance(0.2) {
      rule["namespace"] = ["ns", .number(documents.random.pick([0, 0.4])), 0.7]
    }
    if documents.random.chance(0.2) {
      rule["meta"] = [["key": "a", "passthrough": true], ["key": "b"]]
    }
    if documents.random.chance(0.15) {
      rule["status"] = .string(documents.random.pick(["draft", "stopped", "running"]))
    }
    if documents.random.chance(0.1) { rule["active"] = false }
  }

  @Test(.tags(.differential)) func compiledAgreesWithInterpreter() throws {
    var compiled = 0
    var interpreted = 0
    var compared = 0
    var fastFeatures = 0
    var failures: [String] = []
    for seed in 0..<150 {
      var documents = RandomDocuments(seed: UInt64(seed))
      let json = Self.payload(&documents)
      let payload = try GrowthBook.Payload(json)
      compiled += payload.compiledConditionCounts.compiled
      interpreted += payload.compiledConditionCounts.interpreted
      fastFeatures += payload._walkedFeatureCount
      // One evaluator for every attribute set: it moves from one user to the next.
      let evaluator = payload.makeFeatureEvaluator()
      for _ in 0..<20 {
        let attributes = documents.profile()
        let prepared = payload.prepare(attributes)
        // All features at once share one reading of the attributes (as the server does).
        var shared = GrowthBook.Context(attributes: attributes)
        let together = payload.evaluateFeatures(payload.featureKeys, in: &shared).map(\.json)
        for (key, jointly) in zip(payload.featureKeys, together) {
          var fast = GrowthBook.Context(attributes: attributes)
          var slow = GrowthBook.Context(attributes: attributes)
          let actual = payload.evaluateFeature(key, in: &fast).json
          let reference = payload._interpretFeature(key, in: &slow)
          let expected = reference.json
          // A context that is not plain (a forced variation of no experiment here)
          // takes the interpreter with compiled conditions.
          var notPlain = GrowthBook.Context(attributes: attributes, forcedVariations: ["-": 0])
          let matched = payload.evaluateFeature(key, in: &notPlain).json
          // The prepared attributes: by key, by id, and the outcome's indices.
          let id = try #require(payload.featureID(named: key))
          let byKey = payload.evaluateFeature(key, for: prepared).json
          let byID = evaluator.evaluate(id, for: prepared).json
          let outcome = evaluator.outcome(of: id, for: prepared)
          let expectedOutcome = GrowthBook.FeatureOutcome(
            source: reference.source,
            rule: (reference.source == .force || reference.source == .experiment)
              ? Int(reference.ruleID.dropFirst()) : nil,
            variationID: reference.source == .experiment
              ? reference.experimentResult?.variationID : nil
          )
          compared += 1
          if actual != expected || jointly != expected || matched != expected
            || byKey != expected || byID != expected || outcome != expectedOutcome,
            failures.count < 10
          {
            failures.append(
              "seed \(seed) feature \(key) attributes \(attributes.jsonText): compiled "
                + "\(actual.jsonText), together \(jointly.jsonText), not plain \(matched.jsonText), prepared \(byKey.jsonText), "
                + "by id \(byID.jsonText), outcome \(outcome), interpreted "
                + "\(expected.jsonText) \(expectedOutcome)\npayload \(json.jsonText)"
            )
          }
        }
      }
    }
    print(
      "compiled \(compiled) conditions, interpreted \(interpreted), \(compared) results compared, "
        + "\(fastFeatures) features walked"
    )
    #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    #expect(compiled > 1500)
    #expect(interpreted > 100)
    #expect(fastFeatures > 200)
  }
}

extension CompiledPayloadDifferentialTests {
  /// The walk against the interpreter on the benchmark's payloads: long features,
  /// many rollouts and experiments a user passes through before a force rule holds.
  @Test(.tags(.differential)) func walkAgreesOnWorkloadPayloads() throws {
    var failures: [String] = []
    var compared = 0
    var decidedByRule = 0
    for seed in UInt64(0)..<3 {
      var workload = GrowthBookWorkload(seed: seed)
      let payload = try GrowthBook.Payload(workload.payload(features: 4, rulesPerFeature: 150))
      #expect(payload._walkedFeatureCount == 4)
      let evaluator = payload.makeFeatureEvaluator()
      for attributes in workload.attributes(150) {
        let prepared = payload.prepare(attributes)
        for key in payload.featureKeys {
          let id = try #require(payload.featureID(named: key))
          var context = GrowthBook.Context(attributes: attributes)
          let expected = payload._interpretFeature(key, in: &context)
          let actual = evaluator.evaluate(id, for: prepared)
          let outcome = evaluator.outcome(of: id, for: prepared)
          compared += 1
          if expected.source != .defaultValue { decidedByRule += 1 }
          let rule = outcome.rule.map { Self.workloadRuleID(key, $0) } ?? ""
          if actual.json != expected.json || outcome.source != expected.source
            || rule != expected.ruleID, failures.count < 5
          {
            failures.append(
              "seed \(seed) \(key) \(attributes.jsonText): walked \(actual.json.jsonText) "
                + "\(outcome), interpreted \(expected.json.jsonText)"
            )
          }
        }
      }
    }
    #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    #expect(compared == 1800)
    #expect(decidedByRule > 300)
  }

  /// The id the workload gives rule `index` of feature `key` (`fr_<feature>_<index>`).
  private static func workloadRuleID(_ key: String, _ index: Int) -> String {
    "fr_\(key.dropFirst("feature-".count))_\(index)"
  }
}

extension Tag {
  @Tag static var differential: Self
}
