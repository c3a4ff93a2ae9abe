import Tailor
import TailorGrowthBook
import TailorTestSupport
import Testing

/// The payload sections of GrowthBook's vectors.
///
/// Each section is one test that runs every case and reports every failing case by name.
@Suite(.enabled(if: GrowthBookCases.isAvailable, "\(GrowthBookCases.skipMessage)"))
struct GrowthBookPayloadConformanceTests {
  /// The context keys these tests understand; any other would be silently ignored, so it fails.
  static let contextKeys: Set<String> = [
    "attributes", "features", "savedGroups", "contextualBandits", "forcedVariations", "enabled",
    "qaMode", "url", "stickyBucketAssignmentDocs",
  ]

  /// A context and payload from a case's context object.
  static func load(
    _ json: JSONValue,
    store: (any GrowthBook.StickyBucketStore)? = nil
  ) throws -> (GrowthBook.Payload, GrowthBook.Context) {
    let object = try #require(json.objectValue)
    let unknown = object.keys.filter { !contextKeys.contains($0) }
    try #require(unknown.isEmpty, "unknown context keys \(unknown)")
    let payload = try GrowthBook.Payload(json)
    var forced: [String: Int] = [:]
    for (key, value) in object["forcedVariations"]?.objectValue?.pairs.map({ $0 }) ?? [] {
      forced[key] = Int(try #require(value.numberValue))
    }
    var documents: [String: GrowthBook.StickyBucketDocument] = [:]
    for (key, value) in object["stickyBucketAssignmentDocs"]?.objectValue?.pairs.map({ $0 }) ?? [] {
      documents[key] = try document(value)
    }
    let context = GrowthBook.Context(
      attributes: object["attributes"] ?? .object(JSONObject()),
      forcedVariations: forced,
      isEnabled: object["enabled"]?.boolValue ?? true,
      isQAMode: object["qaMode"]?.boolValue ?? false,
      url: object["url"]?.stringValue,
      stickyBucketStore: store,
      stickyBucketDocuments: documents
    )
    return (payload, context)
  }

  static func document(_ json: JSONValue) throws -> GrowthBook.StickyBucketDocument {
    try #require(GrowthBook.StickyBucketDocument(json: json))
  }

  /// Runs `check` on every case of `section` and expects no failures, naming each one.
  static func expectAllPass(
    _ section: String,
    count: Int,
    _ check: (GrowthBookCases.Case) throws -> String?
  ) throws {
    let cases = GrowthBookCases.cases(section)
    try #require(cases.count == count, "\(section) has \(cases.count) cases, expected \(count)")
    var failures: [String] = []
    for testCase in cases {
      do {
        if let problem = try check(testCase) { failures.append("\(testCase): \(problem)") }
      } catch {
        failures.append("\(testCase): \(error)")
      }
    }
    print("\(section): \(cases.count - failures.count)/\(cases.count) passed")
    #expect(
      failures.isEmpty,
      "\(failures.count) of \(cases.count) \(section) cases fail:\n\(failures.joined(separator: "\n"))"
    )
  }

  /// Cases are `[name, context, featureKey, expectedResult]`; `interpreted` skips the compiled conditions.
  static func checkFeature(
    _ testCase: GrowthBookCases.Case,
    interpreted: Bool = false
  ) throws -> String? {
    let values = testCase.values
    try #require(values.count == 4)
    var (payload, context) = try load(values[1])
    let key = try #require(values[2].stringValue)
    let actual =
      interpreted
      ? payload._interpretFeature(key, in: &context).json
      : payload.evaluateFeature(key, in: &context).json
    return sameJSON(actual, values[3])
      ? nil : "got \(actual.jsonText), expected \(values[3].jsonText)"
  }

  @Test func feature() throws {
    try Self.expectAllPass("feature", count: 55) { try Self.checkFeature($0) }
  }

  /// The feature vectors through the interpreter alone (the reference), and a
  /// check that the compiled document decided conditions in them.
  @Test func featureInterpreted() throws {
    var compiled = 0
    try Self.expectAllPass("feature", count: 55) { testCase in
      let values = testCase.values
      var (payload, context) = try Self.load(values[1])
      compiled += payload.compiledConditionCounts.compiled
      let key = try #require(values[2].stringValue)
      let actual = payload._interpretFeature(key, in: &context).json
      return sameJSON(actual, values[3])
        ? nil : "got \(actual.jsonText), expected \(values[3].jsonText)"
    }
    #expect(compiled > 20, "only \(compiled) conditions of the feature vectors compiled")
  }

  /// `explainFeature` answers exactly as `evaluateFeature`, and its steps agree
  /// with the result: a rule's source ends with that rule `decided`, any other
  /// source has no `decided` step.
  @Test func featureExplained() throws {
    try Self.expectAllPass("feature", count: 55) { testCase in
      let values = testCase.values
      var (payload, context) = try Self.load(values[1])
      let key = try #require(values[2].stringValue)
      let explained = payload.explainFeature(key, in: &context)
      guard sameJSON(explained.result.json, values[3]) else {
        return "explained \(explained.result.json.jsonText), expected \(values[3].jsonText)"
      }
      let decided = explained.steps.filter {
        if case .decided = $0.outcome { return true }
        return false
      }
      switch explained.result.source {
      case .force, .experiment:
        guard decided.count == 1, let last = explained.steps.last, last == decided[0],
          (last.ruleID ?? "") == explained.result.ruleID
        else {
          return "steps \(explained.steps.map(\.json.jsonText)) do not end with the deciding rule"
        }
      default:
        guard decided.isEmpty else {
          return "a `decided` step, but source \(explained.result.source)"
        }
      }
      return nil
    }
  }

  @Test func contextualBandit() throws {
    try Self.expectAllPass("contextualBandit", count: 35) { try Self.checkFeature($0) }
  }

  @Test func contextualBanditInterpreted() throws {
    try Self.expectAllPass("contextualBandit", count: 35) {
      try Self.checkFeature($0, interpreted: true)
    }
  }

  /// Cases are `[name, context, experiment, value, inExperiment, hashUsed]`.
  @Test func run() throws {
    try Self.expectAllPass("run", count: 73) { testCase in
      let values = testCase.values
      try #require(values.count == 6)
      var (payload, context) = try Self.load(values[1])
      let experiment = try GrowthBook.Experiment(json: values[2])
      let result = payload.run(experiment, in: &context)
      let actual: JSONValue = [
        result.value, .bool(result.isInExperiment), .bool(result.isHashUsed),
      ]
      let expected = JSONValue.array(Array(values[3...5]))
      return sameJSON(actual, expected)
        ? nil : "got \(actual.jsonText), expected \(expected.jsonText)"
    }
  }

  /// Cases are `[name, context, storedDocuments, featureKey, expectedExperimentResult, expectedDocuments]`.
  @Test(arguments: [false, true])
  func stickyBucket(interpreted: Bool) throws {
    try Self.expectAllPass("stickyBucket", count: 13) { testCase in
      let values = testCase.values
      try #require(values.count == 6)
      let stored = try #require(values[2].arrayValue).map(Self.document)
      let store = GrowthBook.InMemoryStickyBucketStore(stored)
      var (payload, context) = try Self.load(values[1], store: store)
      let key = try #require(values[3].stringValue)
      let result =
        interpreted
        ? payload._interpretFeature(key, in: &context) : payload.evaluateFeature(key, in: &context)
      let actual = result.experimentResult?.json ?? .null
      guard sameJSON(actual, values[4]) else {
        return "got \(actual.jsonText), expected \(values[4].jsonText)"
      }
      let documents = JSONValue.object(
        JSONObject(
          context.stickyBucketDocuments.sorted { $0.key < $1.key }.map {
            ($0.key, $0.value.json)
          }
        )
      )
      guard sameJSON(documents, values[5]) else {
        return "documents \(documents.jsonText), expected \(values[5].jsonText)"
      }
      // Whatever the context holds was saved to (or read from) the store.
      for (key, document) in context.stickyBucketDocuments where store.allDocuments[key] != document
      {
        return "the store's `\(key)` differs from the context's"
      }
      return nil
    }
  }

  /// Cases are `[name, encrypted, key, expectedText or null]`.
  @Test func decrypt() throws {
    try Self.expectAllPass("decrypt", count: 10) { testCase in
      let values = testCase.values
      try #require(values.count == 4)
      let encrypted = try #require(values[1].stringValue)
      let key = try #require(values[2].stringValue)
      let actual: JSONValue
      do {
        actual = .string(try GrowthBook.decrypt(encrypted, key: key))
      } catch {
        actual = .null
      }
      return actual == values[3] ? nil : "got \(actual.jsonText), expected \(values[3].jsonText)"
    }
  }

  /// Cases are `[name, key, url, variationCount, expected or null]`.
  @Test func getQueryStringOverride() throws {
    try Self.expectAllPass("getQueryStringOverride", count: 16) { testCase in
      let values = testCase.values
      try #require(values.count == 5)
      let index = GrowthBook.queryStringOverride(
        try #require(values[1].stringValue),
        url: try #require(values[2].stringValue),
        variationCount: Int(try #require(values[3].numberValue))
      )
      let actual = index.map { JSONValue.number(Double($0)) } ?? .null
      return actual == values[4] ? nil : "got \(actual.jsonText), expected \(values[4].jsonText)"
    }
  }
}
