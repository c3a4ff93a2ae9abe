import TailorTestSupport
import Testing

@testable import Tailor
@testable import TailorServer

/// The one-pass request path against the full one: for seeded random documents
/// and request lines of every shape (plain, spaced, escaped, repeated fields,
/// unknown names, explain, mutated bytes), both write the same bytes.
@Suite struct FastPathTests {
  /// A request line for `profile`, in one of many shapes.
  static func requestLine(
    _ profile: JSONValue,
    names: [String],
    _ random: inout SeededGenerator
  ) -> String {
    var fields: [String] = []
    let profileText = profile.jsonText
    fields.append("\"profile\":" + (random.chance(0.2) ? spaced(profileText) : profileText))
    if random.chance(0.8) {
      fields.append(
        "\"id\":"
          + random.pick([
            "1", "-7", "0", "123456789012345", "\"req-9\"", "\"\"", "null", "1.5", "01",
            "{\"a\":1}", "\"\\u0041\"",
          ])
      )
    }
    if random.chance(0.7) {
      var requested: [String] = []
      for _ in 0..<random.int(0, 3) {
        requested.append(
          random.chance(0.9)
            ? "\"\(random.pick(names))\"" : random.pick(["\"nope\"", "\"d\\u0030\"", "1"])
        )
      }
      fields.append(
        "\"decisions\":[" + requested.joined(separator: random.chance(0.2) ? " , " : ",") + "]"
      )
    }
    if random.chance(0.9) {
      let instant = random.pick(RandomDocuments.instants)
      fields.append(
        "\"now\":" + (random.chance(0.95) ? "\"\(DateTime.format(instant))\"" : "\"yesterday\"")
      )
    }
    if random.chance(0.1) { fields.append("\"explain\":" + random.pick(["false", "true", "0"])) }
    if random.chance(0.05) {
      fields.append(
        random.pick(["\"op\":\"ping\"", "\"extra\":1", "\"profile\":{}", "\"pr\\u006ffile\":{}"])
      )
    }
    // Field order varies too.
    for index in stride(from: fields.count - 1, to: 0, by: -1) {
      fields.swapAt(index, random.int(0, index))
    }
    let separator = random.chance(0.2) ? " ,\t" : ","
    return (random.chance(0.1) ? "  {" : "{") + fields.joined(separator: separator) + "}"
      + (random.chance(0.1) ? " " : "")
  }

  /// White space after every `,` and `:` outside strings.
  static func spaced(_ text: String) -> String {
    var output = ""
    var inString = false
    var escaped = false
    for character in text {
      output.append(character)
      if inString {
        if escaped {
          escaped = false
        } else if character == "\\" {
          escaped = true
        } else if character == "\"" {
          inString = false
        }
      } else if character == "\"" {
        inString = true
      } else if character == "," || character == ":" {
        output.append(" ")
      }
    }
    return output
  }

  @Test(arguments: 0..<8)
  func fastPathWritesWhatTheFullPathWrites(batch: Int) throws {
    var answeredFast = 0
    var lines = 0
    for seed in UInt64(batch * 25)..<UInt64(batch * 25 + 25) {
      var generator = RandomDocuments(seed: 0xFA57 &+ seed)
      let document = generator.document()
      let rules = try Rules(json: document.jsonText)
      let handler = RequestHandler(rules: ServedRules(rules, file: nil), maxDepth: 64)
      let scratch = RequestScratch()
      var random = SeededGenerator(seed: seed)
      for _ in 0..<200 {
        var line = Array(
          FastPathTests.requestLine(generator.profile(), names: rules.decisionNames, &random).utf8
        )
        if random.chance(0.1) && !line.isEmpty {
          // A mutated byte: an error, or another valid request.
          line[random.int(0, line.count - 1)] = random.pick(Array("{}[]\",: 0a\\".utf8))
        }
        var fast: [UInt8] = []
        var full: [UInt8] = []
        try line.withUnsafeBufferPointer { bytes in
          if handler.respondFast(to: bytes, scratch: scratch, into: &fast) {
            answeredFast += 1
          } else {
            try #require(fast.isEmpty, "the fast path wrote before giving up")
            _ = handler.respondInFull(to: bytes, lineNumber: 1, into: &fast)
          }
          _ = handler.respondInFull(to: bytes, lineNumber: 1, into: &full)
        }
        lines += 1
        #expect(
          String(decoding: fast, as: UTF8.self) == String(decoding: full, as: UTF8.self),
          "seed \(seed): \(String(decoding: line, as: UTF8.self))"
        )
      }
    }
    // About half the lines are plain requests (the rest have an unusual id,
    // name or field); the fast path must take them.
    #expect(
      answeredFast * 3 > lines,
      "the fast path answered only \(answeredFast) of \(lines) lines"
    )
  }
}
