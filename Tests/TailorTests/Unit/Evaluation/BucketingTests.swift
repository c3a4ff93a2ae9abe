import Testing

@testable import Tailor

/// GrowthBook's hashing and bucketing (SEMANTICS §4).
@Suite struct BucketingTests {
  /// FNV-1a 32-bit written out from its definition, over the given code units.
  static func fnv32aByDefinition(_ units: [UInt32]) -> UInt32 {
    var hash: UInt64 = 0x811C_9DC5
    for unit in units {
      hash ^= UInt64(unit)
      hash = (hash * 0x0100_0193) % (1 << 32)
    }
    return UInt32(hash)
  }

  @Test(
    "fnv32a hashes UTF-16 code units",
    arguments: [
      // text, its UTF-16 code units, the hash (worked out independently)
      ("", [], 0x811C_9DC5),
      ("a", [0x61], 0xE40C_292C),
      ("abc", [0x61, 0x62, 0x63], 0x1A47_E90B),
      ("é", [0x00E9], 0x6C0B_6C44),
      ("😀", [0xD83D, 0xDE00], 0xCB31_C4B8),
    ] as [(String, [UInt32], UInt32)]
  )
  func fnv32aOverCodeUnits(_ text: String, _ units: [UInt32], _ expected: UInt32) {
    #expect(Array(text.utf16).map(UInt32.init) == units)
    #expect(BucketingTests.fnv32aByDefinition(units) == expected)
    #expect(Bucketing.fnv32a(text) == expected)
  }

  @Test func fnv32aIsNotOverUTF8Bytes() {
    // growthbook-swift hashes UTF-8 bytes (C3 A9 for "é"); GrowthBook's JavaScript does not.
    let utf8 = BucketingTests.fnv32aByDefinition([0xC3, 0xA9])
    #expect(utf8 == 0x1E9D_E8C1)
    #expect(Bucketing.fnv32a("é") != utf8)
    // Precomposed and decomposed "é" are different strings to JavaScript.
    #expect(Bucketing.fnv32a("\u{E9}") != Bucketing.fnv32a("e\u{301}"))
  }

  @Test func hashVersions() throws {
    // v1: fnv32a("user-1" + "seed") = 149274657, % 1000 / 1000.
    #expect(Bucketing.fnv32a("user-1seed") == 149_274_657)
    #expect(Bucketing.hash(seed: "seed", value: "user-1", version: 1) == 0.657)
    // v2: fnv32a("seed" + "user-1") = 1628878357; fnv32a("1628878357") = 876774232, % 10000 / 10000.
    #expect(Bucketing.fnv32a("seeduser-1") == 1_628_878_357)
    #expect(Bucketing.fnv32a("1628878357") == 876_774_232)
    #expect(Bucketing.hash(seed: "seed", value: "user-1", version: 2) == 0.4232)
    // Non-ASCII values.
    #expect(Bucketing.hash(seed: "s", value: "é", version: 2) == 0.8605)
    #expect(Bucketing.hash(seed: "s", value: "😀", version: 2) == 0.2801)
  }

  @Test(arguments: [0, 3, -1, 100])
  func unknownHashVersionIsNil(_ version: Int) {
    #expect(Bucketing.hash(seed: "seed", value: "user-1", version: version) == nil)
  }

  @Test(
    "hashInput: falsy values have no hash",
    arguments: [
      JSONValue.null, "", 0, -0.0, false,
    ]
  )
  func falsyHashInput(_ value: JSONValue) {
    #expect(Bucketing.hashInput(value) == nil)
  }

  @Test(
    "hashInput: other values as JavaScript strings",
    arguments: [
      (JSONValue(1), "1"), (1.5, "1.5"), (1e21, "1e+21"), ("u-1", "u-1"), (true, "true"),
      (["a", "b"], "a,b"), ([], ""), (["x": 1], "[object Object]"), ("0", "0"), (" ", " "),
    ] as [(JSONValue, String)]
  )
  func hashInput(_ value: JSONValue, _ expected: String) {
    #expect(Bucketing.hashInput(value) == expected)
  }

  @Test func equalWeights() {
    #expect(Bucketing.equalWeights(0) == [])
    #expect(Bucketing.equalWeights(-1) == [])
    #expect(Bucketing.equalWeights(1) == [1])
    #expect(Bucketing.equalWeights(4) == [0.25, 0.25, 0.25, 0.25])
  }

  @Test func bucketRangesLeaveGapsWithReducedCoverage() {
    let ranges = Bucketing.bucketRanges(count: 2, coverage: 0.5, weights: [0.5, 0.5])
    #expect(ranges == [BucketRange(start: 0, end: 0.25), BucketRange(start: 0.5, end: 0.75)])
    #expect(Bucketing.chooseVariation(0.1, ranges: ranges) == 0)
    #expect(Bucketing.chooseVariation(0.25, ranges: ranges) == -1)
    #expect(Bucketing.chooseVariation(0.3, ranges: ranges) == -1)
    #expect(Bucketing.chooseVariation(0.5, ranges: ranges) == 1)
    #expect(Bucketing.chooseVariation(0.75, ranges: ranges) == -1)
  }

  @Test func bucketRangesClampCoverageAndReplaceBadWeights() {
    let equal = [BucketRange(start: 0, end: 0.5), BucketRange(start: 0.5, end: 1)]
    #expect(Bucketing.bucketRanges(count: 2, coverage: 2, weights: [0.5, 0.5]) == equal)
    #expect(Bucketing.bucketRanges(count: 2, coverage: 1, weights: [0.2, 0.2]) == equal)
    #expect(Bucketing.bucketRanges(count: 2, coverage: 1, weights: [1]) == equal)
    #expect(Bucketing.bucketRanges(count: 2, coverage: 1, weights: nil) == equal)
    let none = Bucketing.bucketRanges(count: 2, coverage: -1, weights: [0.5, 0.5])
    #expect(none == [BucketRange(start: 0, end: 0), BucketRange(start: 0.5, end: 0.5)])
    // Zero-width ranges never match.
    #expect(Bucketing.chooseVariation(0.5, ranges: none) == -1)
    #expect(Bucketing.chooseVariation(0, ranges: none) == -1)
  }

  @Test func weightsOrderDecidesTheRanges() {
    let ranges = Bucketing.bucketRanges(count: 2, coverage: 1, weights: [0.2, 0.8])
    #expect(ranges == [BucketRange(start: 0, end: 0.2), BucketRange(start: 0.2, end: 1)])
    #expect(Bucketing.chooseVariation(0.1989, ranges: ranges) == 0)
    #expect(Bucketing.chooseVariation(0.2, ranges: ranges) == 1)
  }
}
