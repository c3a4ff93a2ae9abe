import Tailor
import TailorGrowthBook
import TailorTestSupport
import Testing

/// `GrowthBook.Payload.importRules`: a payload that converts fully decides every
/// feature as the payload does; what has no equivalent is listed, not guessed.
@Suite struct PayloadImportTests {
  /// A random payload built only from constructs with an exact equivalent.
  static func randomPayload(_ random: inout SeededGenerator) -> String {
    let values = [#""a""#, #""b""#, "1", "2.5", "true", "null", #"{"x": 1}"#, "[1, 2]"]
    let conditions = [
      #"{"country": "US"}"#, #"{"country": {"$in": ["US", "CA"]}}"#, #"{"age": {"$gte": 18}}"#,
      #"{"id": {"$inGroup": "staff"}}"#, #"{"email": {"$regex": "@corp\\.com$"}}"#,
      #"{"$or": [{"age": {"$lt": 13}}, {"country": "FR"}]}"#, #"{"plan": {"$exists": true}}"#,
      #"{"version": {"$vgte": "2.1.0"}}"#, "{}",
    ]
    let coverages = ["0", "0.05", "0.1", "0.25", "0.3", "0.5", "0.7", "0.99", "1", "1.5"]
    let attributes = [nil, "id", "deviceId", "company"]
    var features: [String] = []
    for feature in 0..<6 {
      var rules: [String] = []
      for _ in 0..<Int(random.next() % 5) {
        var members: [String] = []
        if random.next() % 2 == 0 { members.append(#""condition": "# + random.pick(conditions)) }
        if let attribute = random.pick(attributes) {
          members.append(#""hashAttribute": ""# + attribute + #"""#)
        }
        if random.next() % 2 == 0 { members.append(#""seed": "s\#(random.next() % 3)""#) }
        switch random.next() % 4 {
        case 0:
          members.append(#""force": "# + random.pick(values))
        case 1:
          members += [
            #""force": "# + random.pick(values), #""hashVersion": 2"#,
            #""coverage": "# + random.pick(coverages),
          ]
        case 2:
          members += [
            #""force": "# + random.pick(values), #""hashVersion": 2"#,
            #""range": [0, "# + random.pick(coverages) + "]",
          ]
        default:
          let count = 1 + Int(random.next() % 3)
          let variations = (0..<count).map { _ in random.pick(values) }
          members += [
            #""variations": ["# + variations.joined(separator: ", ") + "]",
            #""hashVersion": 2"#, #""coverage": "# + random.pick(coverages),
          ]
          if random.next() % 3 != 0 {
            let weights = count == 3 ? "[0.2, 0.3, 0.5]" : (count == 2 ? "[0.25, 0.75]" : "[1]")
            members.append(#""weights": "# + (random.next() % 4 == 0 ? "[0.5, 0.1]" : weights))
          }
          if random.next() % 2 == 0 { members.append(#""key": "k\#(random.next() % 3)""#) }
        }
        rules.append("{" + members.joined(separator: ", ") + "}")
      }
      features.append(
        #""f\#(feature)": {"defaultValue": "# + random.pick(values) + #", "rules": ["#
          + rules.joined(separator: ", ") + "]}"
      )
    }
    return #"{"features": {"# + features.joined(separator: ", ")
      + #"}, "savedGroups": {"staff": ["u1", "u7", 3]}}"#
  }

  static func randomAttributes(_ random: inout SeededGenerator) -> String {
    var members: [String] = []
    let ids = [
      #""u1""#, #""u2""#, #""u7""#, "3", "0", #""""#, "true", #""user-\#(random.next() % 1000)""#,
    ]
    for (name, pool) in [
      ("id", ids), ("deviceId", [#""d\#(random.next() % 500)""#, "null"]),
      ("company", [#""acme""#, #""c\#(random.next() % 50)""#, "false"]),
      ("country", [#""US""#, #""CA""#, #""FR""#, "1"]), ("age", ["12", "18", "40", #""30""#]),
      ("email", [#""a@corp.com""#, #""b@mail.com""#]), ("plan", [#""pro""#, "null"]),
      ("version", [#""2.0.9""#, #""2.1.0""#, #""10.0.0""#]),
    ] where random.next() % 5 != 0 {
      members.append(#"""# + name + #"": "# + random.pick(pool))
    }
    return "{" + members.joined(separator: ", ") + "}"
  }

  @Test(arguments: 0..<25)
  func convertedDocumentsDecideAsThePayload(_ seed: Int) throws {
    var random = SeededGenerator(seed: UInt64(seed))
    let json = PayloadImportTests.randomPayload(&random)
    let payload = try GrowthBook.Payload(json: json)
    let converted = try GrowthBook.Payload.importRules(json: Array(json.utf8))
    #expect(converted.omitted.isEmpty, "\(converted.omitted)")
    let rules = try Rules(json: converted.document.jsonText)
    for _ in 0..<200 {
      let attributes = try JSONReader.parse(PayloadImportTests.randomAttributes(&random))
      for key in payload.featureKeys {
        let expected = payload.evaluateFeature(key, attributes: attributes).value
        let decided = try #require(rules.decide(key, for: Profile(attributes)))
        #expect(decided.value == expected, "\(key) on \(attributes.jsonText) in \(json)")
      }
    }
  }

  @Test(
    "what has no equivalent is listed",
    arguments: [
      (#"{"force": 1, "coverage": 0.5}"#, "hashes with version 1"),
      (#"{"force": 1, "coverage": 0.5, "hashVersion": 2, "hashAttribute": "a.b"}"#, "`a.b`"),
      (#"{"force": 1, "range": [0.2, 0.5], "hashVersion": 2}"#, "does not start at 0"),
      (
        #"{"force": 1, "parentConditions": [{"id": "g", "condition": {"value": true}}]}"#,
        "prerequisites"
      ),
      (#"{"force": 1, "filters": [{"seed": "s", "ranges": [[0, 0.5]]}]}"#, "`filters`"),
      (#"{"variations": [1, 2], "hashVersion": 2, "namespace": ["n", 0, 0.5]}"#, "namespace"),
      (#"{"variations": [1, 2], "hashVersion": 2, "ranges": [[0, 0.5], [0.5, 1]]}"#, "`ranges`"),
      (#"{"variations": [1, 2], "hashVersion": 2, "force": 1}"#, "forces an experiment variation"),
      (
        #"{"variations": [1, 2], "hashVersion": 2, "meta": [{}, {"passthrough": true}]}"#,
        "passthrough"
      ),
      (#"{"variations": [1, 2], "hashVersion": 2, "bucketVersion": 1}"#, "sticky bucketing"),
      (#"{"condition": {"a": {"$regex": "a++"}}, "force": 1}"#, "invalid pattern"),
      (#"{"condition": {"a": {"$foo": 1}}, "force": 1}"#, "unknown operator"),
    ] as [(String, String)]
  )
  func omitted(_ rule: String, _ reason: String) throws {
    let json =
      #"{"features": {"kept": {"defaultValue": 1}, "f": {"defaultValue": 0, "rules": ["# + rule
      + "]}}}"
    let converted = try GrowthBook.Payload.importRules(json: Array(json.utf8))
    #expect(converted.omitted.count == 1)
    #expect(converted.omitted.first?.hasPrefix("feature `f`: ") == true)
    #expect(converted.omitted.first?.contains(reason) == true, "\(converted.omitted)")
    let decisions = try #require(converted.document.objectValue?["decisions"]?.objectValue)
    #expect(decisions.keys.map { $0 } == ["kept"])
  }

  @Test func unloadablePayloadsThrow() {
    #expect(throws: TailorError.self) { try GrowthBook.Payload.importRules(json: Array("{".utf8)) }
    #expect(throws: TailorError.self) {
      try GrowthBook.Payload.importRules(json: Array(#"{"features": 3}"#.utf8))
    }
  }
}
