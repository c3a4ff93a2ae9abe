import Testing

@testable import Tailor

@Suite(.tags(.conformance))
struct GrowthBookConformanceTests {
  @Test(.enabled(if: GrowthBookCorpus.isAvailable, "\(GrowthBookCorpus.skipMessage)"))
  func corpusHasTheExpectedSections() throws {
    let counts = [
      "evalCondition": 248, "hash": 15, "getBucketRange": 13, "chooseVariation": 13,
      "inNamespace": 16, "getEqualWeights": 6,
    ]
    for (section, count) in counts {
      #expect(GrowthBookCorpus.cases(section).count == count, "\(section)")
    }
  }

  @Test(
    .enabled(if: GrowthBookCorpus.isAvailable, "\(GrowthBookCorpus.skipMessage)"),
    arguments: GrowthBookCorpus.cases("evalCondition")
  )
  func evalCondition(_ testCase: GrowthBookCorpus.Case) throws {
    let values = testCase.values
    try #require(values.count >= 4)
    var groups: [String: [JSONValue]] = [:]
    if values.count > 4, case .object(let saved) = values[4] {
      for (name, members) in saved.pairs { groups[name] = members.arrayValue ?? [] }
    }
    let expected = try #require(values[3].boolValue as Bool?)
    let actual = GrowthBook.evaluateCondition(values[1], attributes: values[2], savedGroups: groups)
    #expect(actual == expected, "\(values[1].jsonText) on \(values[2].jsonText)")
  }

  @Test(
    .enabled(if: GrowthBookCorpus.isAvailable, "\(GrowthBookCorpus.skipMessage)"),
    arguments: GrowthBookCorpus.cases("hash")
  )
  func hash(_ testCase: GrowthBookCorpus.Case) throws {
    let values = testCase.values
    let seed = try #require(values[0].stringValue)
    let value = try #require(values[1].stringValue)
    let version = try #require(values[2].numberValue)
    let actual = Bucketing.hash(seed: seed, value: value, version: Int(version))
    if case .number(let expected) = values[3] {
      let bucket = try #require(actual)
      #expect(abs(bucket - expected) < 1e-9)
    } else {
      #expect(actual == nil)
    }
  }

  @Test(
    .enabled(if: GrowthBookCorpus.isAvailable, "\(GrowthBookCorpus.skipMessage)"),
    arguments: GrowthBookCorpus.cases("getBucketRange")
  )
  func getBucketRange(_ testCase: GrowthBookCorpus.Case) throws {
    let arguments = try #require(testCase.values[1].arrayValue)
    let count = Int(try #require(arguments[0].numberValue))
    let coverage = try #require(arguments[1].numberValue)
    let weights = arguments[2].arrayValue?.compactMap { $0.numberValue }
    let ranges = Bucketing.bucketRanges(count: count, coverage: coverage, weights: weights)
    let expected = try #require(testCase.values[2].arrayValue)
    try #require(ranges.count == expected.count)
    for (range, pair) in zip(ranges, expected) {
      let bounds = try #require(pair.arrayValue?.compactMap { $0.numberValue })
      #expect(abs(range.start - bounds[0]) < 1e-6 && abs(range.end - bounds[1]) < 1e-6)
    }
  }

  @Test(
    .enabled(if: GrowthBookCorpus.isAvailable, "\(GrowthBookCorpus.skipMessage)"),
    arguments: GrowthBookCorpus.cases("chooseVariation")
  )
  func chooseVariation(_ testCase: GrowthBookCorpus.Case) throws {
    let n = try #require(testCase.values[1].numberValue)
    let ranges = try #require(testCase.values[2].arrayValue).map { pair in
      let bounds = pair.arrayValue?.compactMap { $0.numberValue } ?? [0, 0]
      return BucketRange(start: bounds[0], end: bounds[1])
    }
    let expected = Int(try #require(testCase.values[3].numberValue))
    #expect(Bucketing.chooseVariation(n, ranges: ranges) == expected)
  }

  @Test(
    .enabled(if: GrowthBookCorpus.isAvailable, "\(GrowthBookCorpus.skipMessage)"),
    arguments: GrowthBookCorpus.cases("inNamespace")
  )
  func inNamespace(_ testCase: GrowthBookCorpus.Case) throws {
    let id = try #require(testCase.values[1].stringValue)
    let namespace = try #require(testCase.values[2].arrayValue)
    let expected = try #require(testCase.values[3].boolValue as Bool?)
    let actual = Bucketing.inNamespace(
      id,
      namespace: try #require(namespace[0].stringValue),
      start: try #require(namespace[1].numberValue),
      end: try #require(namespace[2].numberValue)
    )
    #expect(actual == expected)
  }

  @Test(
    .enabled(if: GrowthBookCorpus.isAvailable, "\(GrowthBookCorpus.skipMessage)"),
    arguments: GrowthBookCorpus.cases("getEqualWeights")
  )
  func getEqualWeights(_ testCase: GrowthBookCorpus.Case) throws {
    let count = Int(try #require(testCase.values[0].numberValue))
    let expected = try #require(testCase.values[1].arrayValue).compactMap { $0.numberValue }
    let actual = Bucketing.equalWeights(count)
    try #require(actual.count == expected.count)
    for (a, e) in zip(actual, expected) { #expect(abs(a - e) < 1e-6) }
  }

  /// The suite runs wherever the vectors are found and skips, saying so, only where no file
  /// is: a file that is there but unreadable as vectors fails instead of skipping the suite.
  @Test func runsWhereTheCorpusIsFoundAndSkipsClearlyWhereNot() throws {
    // What reads as absent: a missing file, a file that is not JSON, JSON that is not an object.
    #expect(GrowthBookCorpus.document(at: "/nonexistent/growthbook-cases.json") == nil)
    #expect(GrowthBookCorpus.document(at: #filePath) == nil)
    #expect(GrowthBookCorpus.document(from: Array(#"[["hash", "a", 1, 0.5]]"#.utf8)) == nil)
    // What reads as vectors: each array entry of a section is one case, in order.
    let vectors = try #require(
      GrowthBookCorpus.document(
        from: Array(#"{"hash": [["s", "a", 1, 0.5], "note", ["s", "b", 2, null]], "x": 1}"#.utf8)
      )
    )
    let hashes = GrowthBookCorpus.cases("hash", in: vectors)
    #expect(hashes.map(\.index) == [0, 2])
    #expect(hashes.map { $0.values.count } == [4, 4])
    #expect(GrowthBookCorpus.cases("x", in: vectors).isEmpty)
    #expect(GrowthBookCorpus.cases("inNamespace", in: vectors).isEmpty)
    // The path looked at: a file there must be the vectors (`corpusHasTheExpectedSections`
    // then counts every section); with no file there, the suite skips with a note.
    if let bytes = Environment.readFile(GrowthBookCorpus.path) {
      #expect(
        GrowthBookCorpus.isAvailable,
        "\(GrowthBookCorpus.path) holds \(bytes.count) bytes that are not the vectors"
      )
    } else {
      print("note: \(GrowthBookCorpus.skipMessage)")
    }
  }
}
