import Foundation
import TailorTestSupport
import Testing

@testable import Tailor
@testable import TailorServer

/// The options of `tailor serve` for batch jobs.
///
/// `--profile-lines`: each line is a profile, and its answer is the answer to
/// the request `{"id":<the id field as written>,"profile":<the line>}`. Also
/// `--now`, `--skip-analysis` and the start-up time on stderr.
@Suite struct BatchOptionsTests {
  /// A field name the random documents never read, so the id is only echoed.
  static let idField = "rowKey"
  static let instant = RandomDocuments.instants[0]

  /// Ids as a producer may write them; the escaped and spaced ones take the full path.
  static let ids = [
    "1", "-7", "0", "123456789012345", "\"u-9\"", "\"\"", "null", "1.5", "true",
    "{\"a\": [1, 2]}", "\"\\u0041\"", "1234567890123456789",
  ]

  /// The profile `text` (an object) with `"key":id` inserted first or last.
  static func inserting(_ key: String, _ id: String, into text: String, first: Bool) -> String {
    let inner = text.dropFirst().dropLast()
    let field = "\"\(key)\":\(id)"
    if inner.isEmpty { return "{\(field)}" }
    return first ? "{\(field),\(inner)}" : "{\(inner),\(field)}"
  }

  func answer(_ handler: RequestHandler, _ line: String, scratch: RequestScratch) -> String {
    answer(handler, Array(line.utf8), scratch: scratch)
  }

  func answer(_ handler: RequestHandler, _ bytes: [UInt8], scratch: RequestScratch) -> String {
    var output: [UInt8] = []
    _ = bytes.withUnsafeBufferPointer {
      handler.respond(to: $0, lineNumber: 3, into: &output, scratch: scratch)
    }
    return String(decoding: output, as: UTF8.self)
  }

  @Test(arguments: 0..<4)
  func aProfileLineIsAnsweredAsTheRequestThatWrapsIt(batch: Int) throws {
    var answeredFast = 0
    var lines = 0
    for seed in UInt64(batch * 25)..<UInt64(batch * 25 + 25) {
      var generator = RandomDocuments(seed: 0x9F0_F11E &+ seed)
      let served = ServedRules(try Rules(json: generator.document().jsonText), file: nil)
      let profiles = RequestHandler(
        rules: served,
        maxDepth: 64,
        profileLines: ProfileLines(idField: Self.idField),
        now: Self.instant
      )
      let requests = RequestHandler(rules: served, maxDepth: 65, now: Self.instant)
      let scratch = RequestScratch()
      let requestScratch = RequestScratch()
      var random = SeededGenerator(seed: seed)
      for _ in 0..<100 {
        var text = generator.profile().jsonText
        if random.chance(0.2) { text = FastPathTests.spaced(text) }
        var id: String?
        if random.chance(0.9) {
          let chosen = random.pick(Self.ids)
          text = Self.inserting(Self.idField, chosen, into: text, first: random.chance(0.5))
          id = chosen
          if random.chance(0.1) {
            // A repeated field: its last value is the id, as the last value of any field counts.
            let last = random.pick(Self.ids)
            text = Self.inserting(Self.idField, last, into: text, first: false)
            id = last
          }
        }
        if random.chance(0.1) {
          // The key's bytes as a value, after the id: the walk goes on and finds no other.
          text = Self.inserting("note", #""rowKey""#, into: text, first: false)
        }
        if random.chance(0.05) { text = "  " + text + " \t" }
        var line = Array(text.utf8)
        var wrapped = "{\"id\":\(id ?? "null"),\"profile\":\(text)}"
        if random.chance(0.05) {
          // A key written with escapes still names the field.
          line = Array(text.replacingOccurrences(of: "\"rowKey\"", with: "\"row\\u004bey\"").utf8)
          wrapped = "{\"id\":\(id ?? "null"),\"profile\":\(String(decoding: line, as: UTF8.self))}"
        }
        var fast: [UInt8] = []
        let tookFastPath = line.withUnsafeBufferPointer {
          profiles.respondFastToProfile(
            ProfileLines(idField: Self.idField),
            line: $0,
            scratch: scratch,
            into: &fast
          )
        }
        if tookFastPath { answeredFast += 1 }
        lines += 1
        let lineText = String(decoding: line, as: UTF8.self)
        let expected = answer(requests, wrapped, scratch: requestScratch)
        #expect(expected.contains("\"decisions\":{"), "seed \(seed): \(wrapped)")
        #expect(
          answer(profiles, lineText, scratch: scratch) == expected,
          "seed \(seed): \(lineText)"
        )
        if tookFastPath {
          #expect(String(decoding: fast, as: UTF8.self) == expected, "seed \(seed): \(lineText)")
        }
      }
    }
    // Escaped keys and escaped ids aside, the fast path takes the lines.
    #expect(answeredFast * 10 > lines * 7, "the fast path answered \(answeredFast) of \(lines)")
  }

  @Test func theWordScanFindsWhatAByteScanFinds() {
    let lines = ProfileLines(idField: "userId")
    var random = SeededGenerator(seed: 7)
    let pieces = ["\"userId\"", "\"user", "Id\"", "\"", "u", "\\", "a", "\"userI", "x\"userId"]
    for _ in 0..<5_000 {
      var text = ""
      for _ in 0..<random.int(0, 12) {
        text +=
          random.chance(0.2) ? random.pick(pieces) : String(repeating: "b", count: random.int(0, 9))
      }
      let bytes = Array(text.utf8)
      for offset in 0...bytes.count {
        let rest = String(decoding: bytes[offset...], as: UTF8.self)
        let expected = rest.contains("\\") || rest.contains("\"userId\"")
        let found = bytes.withUnsafeBufferPointer { lines.mayRepeat($0, after: offset) }
        #expect(found == expected, "\(text) after \(offset)")
      }
    }
  }

  @Test func badLinesAnswerErrorsWithTheIDReadBeforeTheProblem() throws {
    let served = ServedRules(try Rules(json: RequestHandlerTests.document), file: nil)
    let handler = RequestHandler(
      rules: served,
      maxDepth: 3,
      profileLines: ProfileLines(idField: "userId")
    )
    let scratch = RequestScratch()
    let cases: [(String, String)] = [
      (
        #"{"userId":"u-5","country":}"#,
        #"{"id":"u-5","error":{"code":"bad_json","message":"expected a value, found `}`","line":3,"offset":26}}"#
      ),
      (
        #"{"country":,"userId":"u-6"}"#,
        #"{"id":null,"error":{"code":"bad_json","message":"expected a value, found `,`","line":3,"offset":11}}"#
      ),
      (
        #"{"userId":"u-\"7","x":}"#,
        #"{"id":null,"error":{"code":"bad_json","message":"expected a value, found `}`","line":3,"offset":22}}"#
      ),
      (
        #"[{"userId":1}]"#,
        #"{"id":null,"error":{"code":"bad_request","message":"a profile line must be a JSON object","line":3,"offset":0}}"#
      ),
      (
        #""userId""#,
        #"{"id":null,"error":{"code":"bad_request","message":"a profile line must be a JSON object","line":3,"offset":0}}"#
      ),
      (
        #"{"userId":8,"a":{"b":{"c":[1]}}}"#,
        #"{"id":8,"error":{"code":"too_deep","message":"arrays and objects nest deeper than 3 levels","line":3,"offset":26}}"#
      ),
      (
        #"{"userId":9"#,
        #"{"id":9,"error":{"code":"bad_json","message":"expected `,` or `}`, found end of input","line":3,"offset":11}}"#
      ),
    ]
    for (line, expected) in cases {
      #expect(answer(handler, line, scratch: scratch) == expected + "\n", "\(line)")
    }
    // Invalid UTF-8 in the id: nothing of it is echoed.
    let invalid = Array(#"{"userId":"a"#.utf8) + [0xFF] + Array(#"","country":"ES"}"#.utf8)
    #expect(
      answer(handler, invalid, scratch: scratch)
        == #"{"id":null,"error":{"code":"bad_json","message":"invalid UTF-8 byte 0xFF","line":3,"offset":12}}"#
        + "\n"
    )
  }

  @Test func theNowOptionTimesRequestsWithoutNowOnEveryPath() throws {
    let served = ServedRules(try Rules(json: RequestHandlerTests.document), file: nil)
    let july = try #require(DateTime.parse("2026-07-01T00:00:00Z"))
    let handler = RequestHandler(rules: served, maxDepth: 8, now: july)
    let scratch = RequestScratch()
    // The summer rule is active in July: the fast path, the full path (an
    // escaped key) and the explain path all see the instant given.
    for line in [
      #"{"id":1,"profile":{"country":"ES"},"decisions":["hero"]}"#,
      #"{"id":1,"profile":{"c\u006Funtry":"ES"},"decisions":["hero"]}"#,
      #"{"id":1,"profile":{"country":"ES"},"decisions":["hero"],"explain":true}"#,
    ] {
      #expect(answer(handler, line, scratch: scratch).contains(#""variant":"summer""#), "\(line)")
    }
    // A request's own `now` wins.
    let january = #"{"id":1,"profile":{"country":"ES"},"decisions":["hero"],"now":"2026-01-01"}"#
    #expect(!answer(handler, january, scratch: scratch).contains(#""variant":"summer""#))
  }

  @Test func theServerReportsItsStartUpTimeAndAnswersProfileLines() throws {
    let tailor = try #require(Paths.executable("tailor"))
    let input = """
      {"userId":"a","country":"ES","tier":"gold"}

      {"op":"ping","userId":"b"}
      not json

      """
    let result = try Subprocess.run(
      tailor,
      [
        "serve", "--rules", "rules.json", "--profile-lines", "--now", "2026-01-10T00:00:00Z",
        "--threads", "2",
      ],
      input: Array(input.utf8),
      directory: Paths.fixtures
    )
    #expect(result.status == 0)
    let answers = result.output.split(separator: "\n")
    try #require(answers.count == 3)
    #expect(answers[0].hasPrefix(#"{"id":"a","decisions":{"hero":{"variant":"vip""#))
    // In this mode `op` is a profile attribute like any other.
    #expect(answers[1].hasPrefix(#"{"id":"b","decisions":{"hero":{"variant":"standard""#))
    #expect(answers[2].hasPrefix(#"{"id":null,"error":{"code":"bad_json""#))
    #expect(answers[2].contains(#""line":4"#))
    let started = result.errors.split(separator: "\n").first { $0.contains("started in") }
    let line = try #require(started, "\(result.errors)")
    #expect(
      line.wholeMatch(
        of:
          #/tailor: started in \d+\.\d ms \(read \d+\.\d ms, check and compile \d+\.\d ms, render \d+\.\d ms\)/#
      ) != nil,
      "\(line)"
    )
  }

  @Test func aBadNowIsAUsageError() throws {
    let tailor = try #require(Paths.executable("tailor"))
    let result = try Subprocess.run(
      tailor,
      ["serve", "--rules", "rules.json", "--now", "tonight"],
      directory: Paths.fixtures
    )
    #expect(result.status == 2)
    #expect(result.errors.contains("--now must be an ISO-8601 date-time"))
  }

  @Test func skipAnalysisLoadsWithoutWarningsAndAnswersTheSame() throws {
    let tailor = try #require(Paths.executable("tailor"))
    let input = Array(#"{"userId":"a","age":12,"tier":"gold"}"#.utf8 + [0x0A])
    var outputs: [String] = []
    for skip in [false, true] {
      let result = try Subprocess.run(
        tailor,
        ["serve", "--rules", "Check/warnings.json", "--profile-lines"]
          + (skip ? ["--skip-analysis"] : []),
        input: input,
        directory: Paths.fixtures
      )
      #expect(result.status == 0)
      #expect(result.errors.contains("[matches_missing]") == !skip, "\(result.errors)")
      #expect(result.errors.contains(skip ? "0 warnings" : "5 warnings"), "\(result.errors)")
      outputs.append(result.output)
    }
    #expect(outputs[0].hasPrefix(#"{"id":"a","decisions":{"hero":"#))
    #expect(outputs[0] == outputs[1])
  }
}
