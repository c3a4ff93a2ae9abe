import Tailor
import TailorTestSupport
import Testing

/// `tailor serve --growthbook` through the real binary: GrowthBook's `feature` and
/// `run` vectors black-box (each case's payload loaded with `op: load`, then one
/// request), and a golden transcript of requests, ops and protocol errors.
@Suite struct GrowthBookServeTests {
  /// Context keys that are request fields; the rest of a case's context is its payload.
  static let requestKeys: Set<String> = [
    "attributes", "forcedVariations", "url", "enabled", "qaMode", "stickyBucketAssignmentDocs",
  ]

  /// The case's context split into a payload and the request's context fields.
  static func split(
    _ context: JSONValue
  ) throws -> (payload: JSONValue, fields: [(String, JSONValue)]) {
    let object = try #require(context.objectValue)
    var payload: [(String, JSONValue)] = []
    var fields: [(String, JSONValue)] = [
      ("attributes", object["attributes"] ?? .object(JSONObject()))
    ]
    for (key, value) in object.pairs {
      if key == "attributes" { continue }
      if requestKeys.contains(key) {
        fields.append((key, value))
      } else {
        payload.append((key, value))
      }
    }
    return (.object(JSONObject(payload)), fields)
  }

  /// Pipes `lines` through `tailor serve --growthbook GrowthBook/clean.json` (and
  /// `arguments`); one parsed response per line.
  static func serve(_ lines: [JSONValue], arguments: [String] = []) throws -> [JSONValue] {
    let tailor = try #require(Paths.executable("tailor"), "build the `tailor` product first")
    let input = lines.map { $0.jsonText + "\n" }.joined()
    let result = try Subprocess.run(
      tailor,
      ["serve", "--growthbook", "GrowthBook/clean.json"] + arguments,
      input: Array(input.utf8),
      directory: Paths.fixtures
    )
    #expect(result.status == 0, "\(result.errors)")
    let responses = try result.output.split(separator: "\n").map {
      try JSONReader.parse(String($0))
    }
    try #require(
      responses.count == lines.count,
      "\(responses.count) responses to \(lines.count) lines"
    )
    return responses
  }

  /// Loads each case's payload, then sends its request; returns the answers to the requests.
  static func answers(
    _ cases: [GrowthBookCases.Case],
    request: (GrowthBookCases.Case, [(String, JSONValue)]) throws -> [(String, JSONValue)]
  ) throws -> [JSONValue] {
    var lines: [JSONValue] = []
    for testCase in cases {
      let (payload, fields) = try split(testCase.values[1])
      lines.append(
        .object(
          JSONObject([
            ("id", .string("load \(testCase.index)")), ("op", "load"), ("growthbook", payload),
          ])
        )
      )
      let pairs =
        [("id", JSONValue.number(Double(testCase.index)))] + (try request(testCase, fields))
      lines.append(.object(JSONObject(pairs)))
    }
    let responses = try serve(lines)
    for (index, load) in stride(from: 0, to: responses.count, by: 2).map({ responses[$0] })
      .enumerated()
    {
      #expect(load.objectValue?["ok"] == true, "\(cases[index]): \(load.jsonText)")
    }
    return stride(from: 1, to: responses.count, by: 2).map { responses[$0] }
  }

  @Test(.enabled(if: GrowthBookCases.isAvailable, "\(GrowthBookCases.skipMessage)"))
  func featureCases() throws {
    let cases = GrowthBookCases.cases("feature")
    try #require(cases.count == 55)
    let answers = try Self.answers(cases) { testCase, fields in
      let key = try #require(testCase.values[2].stringValue)
      return fields + [("features", [.string(key)])]
    }
    var failures: [String] = []
    for (testCase, answer) in zip(cases, answers) {
      let key = testCase.values[2].stringValue ?? ""
      let actual = answer.objectValue?["features"]?.objectValue?[key] ?? answer
      if !sameJSON(actual, testCase.values[3]) {
        failures.append(
          "\(testCase): got \(actual.jsonText), expected \(testCase.values[3].jsonText)"
        )
      }
    }
    #expect(failures.isEmpty, "\(failures.count) of 55 fail:\n\(failures.joined(separator: "\n"))")
  }

  @Test(.enabled(if: GrowthBookCases.isAvailable, "\(GrowthBookCases.skipMessage)"))
  func runCases() throws {
    let cases = GrowthBookCases.cases("run")
    try #require(cases.count == 73)
    let answers = try Self.answers(cases) { testCase, fields in
      fields + [("experiment", testCase.values[2])]
    }
    var failures: [String] = []
    for (testCase, answer) in zip(cases, answers) {
      let result = answer.objectValue?["experimentResult"]?.objectValue
      let actual: JSONValue = [
        result?["value"] ?? .null, result?["inExperiment"] ?? .null, result?["hashUsed"] ?? .null,
      ]
      let expected = JSONValue.array(Array(testCase.values[3...5]))
      if !sameJSON(actual, expected) || answer.objectValue?["features"] != nil {
        failures.append("\(testCase): got \(answer.jsonText), expected \(expected.jsonText)")
      }
    }
    #expect(failures.isEmpty, "\(failures.count) of 73 fail:\n\(failures.joined(separator: "\n"))")
  }

  /// GrowthBook's `stickyBucket` vectors: the stored documents travel in the request's
  /// `stickyBucketAssignments`, and the answer's documents must be the expected ones.
  @Test(.enabled(if: GrowthBookCases.isAvailable, "\(GrowthBookCases.skipMessage)"))
  func stickyBucketCases() throws {
    let cases = GrowthBookCases.cases("stickyBucket")
    try #require(cases.count == 13)
    let answers = try Self.answers(cases) { testCase, fields in
      let key = try #require(testCase.values[3].stringValue)
      // The context's own documents (always empty in these cases) join the stored ones.
      let contextDocuments =
        fields.first { $0.0 == "stickyBucketAssignmentDocs" }?.1.objectValue?.values.map { $0 }
        ?? []
      let stored = try #require(testCase.values[2].arrayValue) + contextDocuments
      return fields.filter { $0.0 != "stickyBucketAssignmentDocs" } + [
        ("features", [.string(key)]), ("stickyBucketAssignments", .array(stored)),
      ]
    }
    var failures: [String] = []
    for (testCase, answer) in zip(cases, answers) {
      let key = testCase.values[3].stringValue ?? ""
      let result =
        answer.objectValue?["features"]?.objectValue?[key]?.objectValue?["experimentResult"]
        ?? .null
      let documents = answer.objectValue?["stickyBucketAssignments"] ?? .null
      if !sameJSON(result, testCase.values[4]) || !sameJSON(documents, testCase.values[5]) {
        failures.append(
          "\(testCase): got \(answer.jsonText), expected \(testCase.values[4].jsonText) "
            + "and documents \(testCase.values[5].jsonText)"
        )
      }
    }
    #expect(failures.isEmpty, "\(failures.count) of 13 fail:\n\(failures.joined(separator: "\n"))")
  }

  /// GrowthBook's `evalCondition` vectors black-box: each condition is the one force rule
  /// of a payload's feature (with the case's saved groups), so the feature is `true`
  /// exactly when the condition holds for the case's attributes.
  @Test(.enabled(if: GrowthBookCases.isAvailable, "\(GrowthBookCases.skipMessage)"))
  func evalConditionCases() throws {
    let cases = GrowthBookCases.cases("evalCondition")
    try #require(cases.count == 248)
    var lines: [JSONValue] = []
    for testCase in cases {
      let values = testCase.values
      let rule: JSONValue = ["condition": values[1], "force": true]
      let feature: JSONValue = ["defaultValue": false, "rules": [rule]]
      let payload = JSONValue.object(
        JSONObject(
          [("features", ["c": feature])]
            + (values.count > 4 ? [("savedGroups", values[4])] : [])
        )
      )
      lines.append(["id": "load", "op": "load", "growthbook": payload])
      lines.append([
        "id": .number(Double(testCase.index)), "attributes": values[2], "features": ["c"],
      ])
    }
    let responses = try Self.serve(lines)
    var failures: [String] = []
    for (position, testCase) in cases.enumerated() {
      let load = responses[2 * position]
      let answer = responses[2 * position + 1]
      let value = answer.objectValue?["features"]?.objectValue?["c"]?.objectValue?["value"]
      if load.objectValue?["ok"] != true || value != testCase.values[3] {
        failures.append(
          "\(testCase): load \(load.jsonText), answer \(answer.jsonText), expected \(testCase.values[3].jsonText)"
        )
      }
    }
    #expect(failures.isEmpty, "\(failures.count) of 248 fail:\n\(failures.joined(separator: "\n"))")
  }

  /// GrowthBook's `decrypt` vectors black-box: a server started with the case's key loads
  /// the encrypted features when they decrypt to a payload, and otherwise answers
  /// `invalid_rules` (or refuses the key at start-up) without crashing.
  @Test(.enabled(if: GrowthBookCases.isAvailable, "\(GrowthBookCases.skipMessage)"))
  func decryptCases() throws {
    let cases = GrowthBookCases.cases("decrypt")
    try #require(cases.count == 10)
    let tailor = try #require(Paths.executable("tailor"), "build the `tailor` product first")
    var failures: [String] = []
    for testCase in cases {
      let values = testCase.values
      let key = try #require(values[2].stringValue)
      let lines: [JSONValue] = [
        ["id": "load", "op": "load", "growthbook": ["encryptedFeatures": values[1]]],
        ["id": "ask", "attributes": [:], "features": ["feature"]],
      ]
      let result = try Subprocess.run(
        tailor,
        ["serve", "--growthbook", "GrowthBook/clean.json", "--decryption-key", key],
        input: Array(lines.map { $0.jsonText + "\n" }.joined().utf8),
        directory: Paths.fixtures
      )
      // The expected text is a payload's features only when it parses as JSON.
      let decrypts = values[3].stringValue.flatMap { try? JSONReader.parse($0) } != nil
      let answers = result.output.split(separator: "\n").compactMap {
        try? JSONReader.parse(String($0))
      }
      if result.status > 2 {
        failures.append("\(testCase): exit status \(result.status): \(result.errors)")
      } else if decrypts {
        let value =
          answers.last?.objectValue?["features"]?.objectValue?["feature"]?.objectValue?["value"]
        if answers.first?.objectValue?["ok"] != true || value != true {
          failures.append("\(testCase): \(result.output) \(result.errors)")
        }
      } else if result.status == 0 {
        let code = answers.first?.objectValue?["error"]?.objectValue?["code"]
        if code != "invalid_rules" {
          failures.append("\(testCase): \(result.output)")
        }
      } else if result.errors.isEmpty {
        failures.append("\(testCase): exit status \(result.status) without a message")
      }
    }
    #expect(failures.isEmpty, "\(failures.count) of 10 fail:\n\(failures.joined(separator: "\n"))")
  }

  /// A request's sticky-bucket documents must be documents.
  @Test func malformedStickyBucketAssignmentsAreABadRequest() throws {
    let answers = try Self.serve([
      [
        "id": 1, "attributes": ["id": "u1"],
        "stickyBucketAssignments": [["attributeName": "id", "attributeValue": 1]],
      ],
      ["id": 2, "attributes": ["id": "u1"], "stickyBucketAssignments": "id||u1"],
      ["id": 3, "attributes": ["id": "u1"], "stickyBucketAssignments": [:]],
    ])
    for answer in answers.prefix(2) {
      #expect(
        answer.objectValue?["error"]?.objectValue?["code"] == "bad_request",
        "\(answer.jsonText)"
      )
    }
    #expect(answers[2].objectValue?["stickyBucketAssignments"] == .object(JSONObject()))
  }

  /// Requests, ops and every protocol error, against a golden transcript.
  @Test(arguments: [1, 2])
  func transcript(threads: Int) throws {
    let tailor = try #require(Paths.executable("tailor"))
    let input = try #require(Paths.read("\(Paths.fixtures)/Transcripts/growthbook.in.jsonl"))
    let result = try Subprocess.run(
      tailor,
      [
        "serve", "--growthbook", "GrowthBook/clean.json", "--threads", String(threads),
        "--max-depth", "8",
      ],
      input: input,
      directory: Paths.fixtures
    )
    #expect(result.status == 0, "\(result.errors)")
    let goldenPath = "\(Paths.fixtures)/Transcripts/growthbook.out.jsonl"
    if Paths.updateGoldens && threads == 1 { Paths.write(result.stdout, to: goldenPath) }
    let golden = try #require(Paths.read(goldenPath), "missing \(goldenPath)")
    #expect(result.output == String(decoding: golden, as: UTF8.self))
  }

  /// `stats` counts the payload's features and rules, and the requests answered.
  @Test func stats() throws {
    let responses = try Self.serve([
      ["id": 1, "attributes": ["id": "u1"]], ["id": 2, "op": "stats"],
    ])
    let rules = try #require(responses[1].objectValue?["stats"]?.objectValue?["rules"]?.objectValue)
    #expect(rules["features"] == 1)
    #expect(rules["rules"] == 2)
    #expect(rules["savedGroups"] == 1)
    #expect(rules["file"] == "GrowthBook/clean.json")
  }

  /// A payload that does not load keeps the server from starting, as invalid rules do.
  @Test func invalidPayloadExitsOne() throws {
    let tailor = try #require(Paths.executable("tailor"))
    let result = try Subprocess.run(
      tailor,
      ["serve", "--growthbook", "GrowthBook/wrong-shape.json"],
      directory: Paths.fixtures
    )
    #expect(result.status == 1)
    #expect(result.output.isEmpty)
    #expect(result.errors.contains("GrowthBook/wrong-shape.json:"))
  }

  /// `--rules` and `--growthbook` exclude each other, and one is needed.
  @Test(arguments: [
    ["serve", "--rules", "rules.json", "--growthbook", "GrowthBook/clean.json"],
    ["serve", "--growthbook", "GrowthBook/clean.json", "--profile-lines"],
    ["eval", "--growthbook", "GrowthBook/clean.json"],
    [
      "eval", "--growthbook", "GrowthBook/clean.json", "--attributes", "{}", "--rules",
      "rules.json",
    ],
  ])
  func usageErrorsExitTwo(_ arguments: [String]) throws {
    let tailor = try #require(Paths.executable("tailor"))
    let result = try Subprocess.run(tailor, arguments, directory: Paths.fixtures)
    #expect(result.status == 2)
    #expect(result.output.isEmpty)
  }
}
