import TailorTestSupport
import Testing

@testable import Tailor

/// The strict JSON reader: what it rejects, with which code, at which byte
/// offset (marked with `⟨1⟩`) and JSON pointer; what it accepts; limits and
/// duplicate keys.
@Suite struct JSONReaderTests {
  struct Rejection: Sendable, CustomTestStringConvertible {
    var marked: String
    var code: Diagnostic.Code
    var pointer: String

    init(_ marked: String, _ code: Diagnostic.Code, _ pointer: String = "") {
      self.marked = marked
      self.code = code
      self.pointer = pointer
    }

    var testDescription: String { "\(marked) → \(code)" }
  }

  static func expectRejection(
    _ rejection: Rejection,
    maxDepth: Int = 512,
    sourceLocation: Testing.SourceLocation = #_sourceLocation
  ) throws {
    let json = MarkedJSON(rejection.marked)
    let marker = try json.marker(1, sourceLocation: sourceLocation)
    do {
      let value = try JSONReader(maxDepth: maxDepth).read(json.bytes).value
      Issue.record("accepted as \(value.jsonText)", sourceLocation: sourceLocation)
    } catch {
      #expect(error.code == rejection.code, "\(error)", sourceLocation: sourceLocation)
      #expect(error.offset == marker.offset, "\(error)", sourceLocation: sourceLocation)
      #expect(
        error.pointer.description == rejection.pointer,
        "\(error)",
        sourceLocation: sourceLocation
      )
    }
  }

  @Test(
    "syntax errors",
    arguments: [
      // Trailing commas.
      Rejection("[1, 2, ⟨1⟩]", .jsonSyntax),
      Rejection(#"{"a": 1,⟨1⟩}"#, .jsonSyntax),
      Rejection(#"{"a": [1,⟨1⟩]}"#, .jsonSyntax, "/a"),
      // Comments.
      Rejection("{⟨1⟩// note\n\"a\": 1}", .jsonSyntax),
      Rejection("[1, ⟨1⟩/* note */ 2]", .jsonSyntax, "/1"),
      // NaN and Infinity.
      Rejection("[⟨1⟩NaN]", .jsonSyntax, "/0"),
      Rejection(#"{"a": ⟨1⟩Infinity}"#, .jsonSyntax, "/a"),
      Rejection("[-⟨1⟩Infinity]", .jsonSyntax, "/0"),
      // Other number forms JSON does not have.
      Rejection("[⟨1⟩01]", .jsonSyntax, "/0"),
      Rejection("[⟨1⟩-01]", .jsonSyntax, "/0"),
      Rejection("[⟨1⟩00]", .jsonSyntax, "/0"),
      Rejection("[⟨1⟩+1]", .jsonSyntax, "/0"),
      Rejection("[⟨1⟩.5]", .jsonSyntax, "/0"),
      Rejection("[1.⟨1⟩]", .jsonSyntax, "/0"),
      Rejection("[1e⟨1⟩]", .jsonSyntax, "/0"),
      Rejection("[0⟨1⟩x10]", .jsonSyntax),
      // Control characters must be escaped.
      Rejection("[\"a⟨1⟩\u{01}\"]", .jsonSyntax, "/0"),
      Rejection("[\"⟨1⟩\n\"]", .jsonSyntax, "/0"),
      Rejection("[\"⟨1⟩\t\"]", .jsonSyntax, "/0"),
      Rejection("{\"⟨1⟩\u{1F}\": 1}", .jsonSyntax),
      // Escapes.
      Rejection(#"["⟨1⟩\x41"]"#, .jsonSyntax, "/0"),
      Rejection(#"["\u12⟨1⟩"]"#, .jsonSyntax, "/0"),
      Rejection(#"["⟨1⟩\'"]"#, .jsonSyntax, "/0"),
      // Structure.
      Rejection("⟨1⟩", .jsonSyntax),
      Rejection("  ⟨1⟩", .jsonSyntax),
      Rejection("{} ⟨1⟩x", .jsonSyntax),
      Rejection("[1] ⟨1⟩[2]", .jsonSyntax),
      Rejection(#"⟨1⟩"abc"#, .jsonSyntax),
      Rejection(#"[1 ⟨1⟩2]"#, .jsonSyntax),
      Rejection(#"{"a" ⟨1⟩1}"#, .jsonSyntax),
      Rejection("{⟨1⟩a: 1}", .jsonSyntax),
      Rejection("{⟨1⟩'a': 1}", .jsonSyntax),
      Rejection(#"{"a": 1 ⟨1⟩"b": 2}"#, .jsonSyntax),
      Rejection("[⟨1⟩tru]", .jsonSyntax, "/0"),
      Rejection("[⟨1⟩nul", .jsonSyntax, "/0"),
      Rejection("[1, 2⟨1⟩", .jsonSyntax),
      Rejection("[⟨1⟩True]", .jsonSyntax, "/0"),
      // White space is only space, tab, line feed and carriage return.
      Rejection("[1,⟨1⟩\u{0C}2]", .jsonSyntax, "/1"),
      Rejection("⟨1⟩\u{FEFF}{}", .jsonSyntax),
      Rejection("⟨1⟩\u{A0}{}", .jsonSyntax),
      // Bytes that are not UTF-8 outside strings are syntax errors.
      Rejection("[⟨1⟩⟪FF⟫]", .jsonSyntax, "/0"),
    ]
  )
  func syntaxError(_ rejection: Rejection) throws {
    try JSONReaderTests.expectRejection(rejection)
  }

  @Test(
    "invalid UTF-8 in strings",
    arguments: [
      Rejection(#"["ok", "a⟨1⟩⟪FF⟫"]"#, .invalidUTF8, "/1"),
      Rejection(#"["⟨1⟩⟪80⟫"]"#, .invalidUTF8, "/0"),
      // Overlong encodings.
      Rejection(#"["⟨1⟩⟪C0⟫⟪AF⟫"]"#, .invalidUTF8, "/0"),
      Rejection(#"["⟨1⟩⟪E0⟫⟪80⟫⟪AF⟫"]"#, .invalidUTF8, "/0"),
      // An encoded surrogate and a code point above U+10FFFF.
      Rejection(#"["⟨1⟩⟪ED⟫⟪A0⟫⟪80⟫"]"#, .invalidUTF8, "/0"),
      Rejection(#"["⟨1⟩⟪F4⟫⟪90⟫⟪80⟫⟪80⟫"]"#, .invalidUTF8, "/0"),
      Rejection(#"["⟨1⟩⟪F5⟫⟪80⟫⟪80⟫⟪80⟫"]"#, .invalidUTF8, "/0"),
      // A sequence cut short by the closing quote or by the end of input.
      Rejection(#"["⟨1⟩⟪E2⟫⟪82⟫"]"#, .invalidUTF8, "/0"),
      Rejection(#"["é⟨1⟩⟪E9⟫, "]"#, .invalidUTF8, "/0"),
      Rejection(#"["⟨1⟩⟪E2⟫⟪82⟫"#, .invalidUTF8, "/0"),
      // In a key.
      Rejection(#"{"a": {"b⟨1⟩⟪FE⟫": 1}}"#, .invalidUTF8, "/a"),
    ]
  )
  func invalidUTF8(_ rejection: Rejection) throws {
    try JSONReaderTests.expectRejection(rejection)
  }

  @Test(
    "lone surrogate escapes",
    arguments: [
      Rejection(#"["⟨1⟩\ud800"]"#, .loneSurrogate, "/0"),
      Rejection(#"["⟨1⟩\uDC00"]"#, .loneSurrogate, "/0"),
      Rejection(#"["x⟨1⟩\ud800\u0041"]"#, .loneSurrogate, "/0"),
      Rejection(#"["⟨1⟩\ud800\ud800"]"#, .loneSurrogate, "/0"),
      Rejection(#"["⟨1⟩\ud800x"]"#, .loneSurrogate, "/0"),
      Rejection(#"["⟨1⟩\ude00\ud83d"]"#, .loneSurrogate, "/0"),
      Rejection(#"{"k": "⟨1⟩\udfff"}"#, .loneSurrogate, "/k"),
      Rejection(#"{"⟨1⟩\ud800": 1}"#, .loneSurrogate),
    ]
  )
  func loneSurrogate(_ rejection: Rejection) throws {
    try JSONReaderTests.expectRejection(rejection)
  }

  @Test(
    "numbers too large for a double",
    arguments: [
      Rejection("[⟨1⟩1e400]", .numberOutOfRange, "/0"),
      Rejection("[⟨1⟩-1e400]", .numberOutOfRange, "/0"),
      Rejection(#"{"a": ⟨1⟩1.8e308}"#, .numberOutOfRange, "/a"),
      Rejection("⟨1⟩1" + String(repeating: "0", count: 400), .numberOutOfRange),
    ]
  )
  func numberOutOfRange(_ rejection: Rejection) throws {
    try JSONReaderTests.expectRejection(rejection)
  }

  @Test func accepts() throws {
    #expect(try JSONReader.parse(#""\ud83d\ude00""#) == "😀")
    #expect(
      try JSONReader.parse(#""\uD83D\uDE00\u00e9\/\b\f\n\r\t\"\\""#) == "😀é/\u{08}\u{0C}\n\r\t\"\\"
    )
    #expect(try JSONReader.parse("\"\u{7F}é😀\"") == "\u{7F}é😀")
    let negativeZero = try #require(try JSONReader.parse("-0").numberValue)
    #expect(negativeZero == 0 && negativeZero.sign == .minus)
    #expect(try JSONReader.parse("-0.0").numberValue?.sign == .minus)
    #expect(try JSONReader.parse("12345678901234567890") == .number(12_345_678_901_234_567_890.0))
    #expect(try JSONReader.parse("9007199254740993") == .number(9_007_199_254_740_992))
    #expect(
      try JSONReader.parse("123456789012345678901234567890") == .number(1.2345678901234568e29)
    )
    #expect(try JSONReader.parse("1E2") == 100)
    #expect(try JSONReader.parse("1e-400") == 0)
    #expect(try JSONReader.parse("1.7976931348623157e308") == .number(.greatestFiniteMagnitude))
    #expect(
      try JSONReader.parse(" \t\r\n[1, {\"a\": null}, true, false, \"\"]\r\n ") == [
        1, ["a": nil], true, false, "",
      ]
    )
    #expect(try JSONReader.parse("[]") == [])
    #expect(try JSONReader.parse("{}") == [:])
    #expect(try JSONReader.parse("null") == nil)
  }

  @Test func depthLimit() throws {
    #expect(try JSONReader(maxDepth: 2).read(Array("[[1]]".utf8)).value == [[1]])
    try JSONReaderTests.expectRejection(Rejection("[[⟨1⟩[1]]]", .tooDeep, "/0/0"), maxDepth: 2)
    try JSONReaderTests.expectRejection(
      Rejection(#"{"a": {"b": ⟨1⟩{}}}"#, .tooDeep, "/a/b"),
      maxDepth: 2
    )
    // The default limit is 512 levels.
    let deepest = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
    #expect(throws: Never.self) { try JSONReader.parse(deepest) }
    let tooDeep = String(repeating: "[", count: 512) + "⟨1⟩[" + String(repeating: "]", count: 513)
    try JSONReaderTests.expectRejection(
      Rejection(tooDeep, .tooDeep, String(repeating: "/0", count: 512))
    )
  }

  @Test func duplicateKeysKeepTheLastValueAtTheFirstPosition() throws {
    let value = try JSONReader.parse(#"{"a": 1, "b": 2, "a": 3}"#)
    let object = try #require(value.objectValue)
    #expect(object.keys == ["a", "b"])
    #expect(object["a"] == 3)
    let profile = try Profile(json: #"{"tier": "gold", "tier": "silver"}"#)
    #expect(profile.root == ["tier": "silver"])
    #expect(try JSONReader().read(Array(#"{"a": 1, "a": 2}"#.utf8)).duplicates.isEmpty)
  }

  @Test func duplicateKeysReportedWhenAsked() throws {
    let json = MarkedJSON(#"{"a": 1, "x": {"y": 1, ⟨1⟩"y": 2}, ⟨2⟩"a": 3}"#)
    let read = try JSONReader(duplicateKeys: .report).read(json.bytes)
    #expect(read.value == ["a": 3, "x": ["y": 2]])
    try #require(read.duplicates.count == 2)
    #expect(read.duplicates.map(\.code) == [.duplicateKey, .duplicateKey])
    #expect(read.duplicates.map(\.location.pointer.description) == ["/x/y", "/a"])
    #expect(
      read.duplicates.map(\.location.offset) == [
        try json.marker(1).offset, try json.marker(2).offset,
      ]
    )
  }

  @Test func duplicateKeysInLargeObjects() throws {
    // From 12 keys on, the reader indexes keys by hash.
    let keys = (0..<13).map { #""k\#($0)": \#($0)"# }.joined(separator: ", ")
    let json = MarkedJSON(#"{\#(keys), ⟨1⟩"k3": "again", "k13": 13, ⟨2⟩"k12": "last"}"#)
    let read = try JSONReader(duplicateKeys: .report).read(json.bytes)
    let object = try #require(read.value.objectValue)
    #expect(object.keys == (0...13).map { "k\($0)" })
    #expect(object["k3"] == "again")
    #expect(object["k12"] == "last")
    #expect(
      read.duplicates.map(\.location.offset) == [
        try json.marker(1).offset, try json.marker(2).offset,
      ]
    )
  }

  @Test func errorsDescribeTheirByteOffset() throws {
    let json = MarkedJSON(#"{"é": ⟨1⟩nope}"#)
    do {
      _ = try JSONReader.parse(json.bytes)
      Issue.record("accepted")
    } catch {
      // "é" is two bytes: the offset counts bytes, not characters.
      #expect(error.offset == 7)
      #expect(error.offset == (try json.marker(1)).offset)
      #expect(error.description == "expected a value, found `n` at byte 7")
    }
  }

  /// Random JSON with small mutations: mostly nested, often broken.
  static func randomJSON(_ random: inout SeededGenerator, depth: Int = 0) -> String {
    switch random.int(0, depth > 6 ? 2 : 5) {
    case 0: return random.pick(["1", "\"s\"", "true", "null", "-2.5e3", "\"\\n\\u0041\"", "\"é\""])
    case 1, 2: return "\"k\(random.int(0, 2))\""
    case 3:
      return "["
        + (0..<random.int(0, 3)).map { _ in randomJSON(&random, depth: depth + 1) }.joined(
          separator: ","
        ) + "]"
    default:
      // Large objects (12 keys or more are indexed by hash) only near the top, to keep texts small.
      let members = (0..<random.int(0, depth < 2 ? 14 : 3)).map { _ in
        "\"k\(random.int(0, 14))\": " + randomJSON(&random, depth: depth + 1)
      }
      return "{" + members.joined(separator: ",") + "}"
    }
  }

  /// Nesting is read by recursion up to a small depth and with an explicit
  /// stack below it; both ways must read every text alike: values, duplicate
  /// keys, and errors with their code, offset, pointer and message.
  @Test func recursiveAndIterativeNestingReadAlike() {
    func read(_ bytes: [UInt8], maxDepth: Int, report: Bool, recursionLimit: Int) -> String {
      bytes.withUnsafeBufferPointer { buffer in
        var scanner = Scanner(bytes: buffer, maxDepth: maxDepth, reportDuplicates: report)
        scanner.recursionLimit = recursionLimit
        do throws(JSONReader.SyntaxError) {
          scanner.skipWhitespace()
          let value = try scanner.parseValue(depth: 0)
          try scanner.expectEnd()
          return value.jsonText + " \(scanner.duplicates)"
        } catch {
          return "\(error.code) \(error.offset) \(error.pointer) \(error.message)"
        }
      }
    }
    let fragments = [
      "{", "}", "[", "]", ",", ":", " ", "\"a\"", "1", "1e400", "fals", "\"\\ud800\"", "\"x\u{1}\"",
    ]
    var random = SeededGenerator(seed: 5)
    for _ in 0..<2_000 {
      var text = Array(JSONReaderTests.randomJSON(&random).utf8)
      for _ in 0..<random.int(0, 3) {
        switch random.int(0, 2) {
        case 0 where !text.isEmpty: text.remove(at: random.int(0, text.count - 1))
        case 1:
          text.insert(contentsOf: Array(random.pick(fragments).utf8), at: random.int(0, text.count))
        default: if !text.isEmpty { text.removeSubrange(random.int(0, text.count - 1)...) }
        }
      }
      for maxDepth in [0, 1, 3, 512] {
        for report in [false, true] {
          let recursive = read(text, maxDepth: maxDepth, report: report, recursionLimit: .max)
          let iterative = read(text, maxDepth: maxDepth, report: report, recursionLimit: 0)
          #expect(recursive == iterative, "\(String(decoding: text, as: UTF8.self))")
        }
      }
    }
  }
}
