import TailorTestSupport
import Testing

@_spi(Server) @testable import Tailor

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A profile text is read one of two ways — by the fast reader, or else by the
/// JSON reader and then prepared from the value — and both must answer as the
/// reference interpreter does on the parsed value, whatever the text's white
/// space, escapes, number spellings, repeated keys and key order; invalid
/// text must fail with the JSON reader's error, byte for byte.
@Suite(.tags(.differential))
struct ProfileReadingDifferentialTests {
  /// Writes a profile value as JSON text in one of the many ways it may be spelled.
  struct Spelling {
    var random: SeededGenerator
    /// Whether strings of the text being written may hold escapes (which the
    /// fast reader leaves to the full reader).
    var escapes = false

    /// A text for `value`; half of them with escapes.
    mutating func profile(_ value: JSONValue) -> String {
      escapes = random.chance(0.5)
      return text(value)
    }

    mutating func space() -> String {
      random.chance(0.3) ? random.pick([" ", "\n", "\t", "\r\n  ", "  "]) : ""
    }

    mutating func text(_ value: JSONValue) -> String {
      switch value {
      case .null: "null"
      case .bool(let flag): flag ? "true" : "false"
      case .number(let number): self.number(number)
      case .string(let text): string(text)
      case .array(let items):
        "[" + space() + items.map { element(text($0)) }.joined(separator: ",") + "]"
      case .object(let object):
        "{" + space() + members(object).joined(separator: ",") + "}"
      }
    }

    mutating func element(_ text: String) -> String { space() + text + space() }

    /// The members in shuffled order, some after a decoy of the same key (the
    /// last value wins).
    mutating func members(_ object: JSONObject) -> [String] {
      var pairs = Array(object.pairs)
      pairs.shuffle(using: &random)
      var written: [String] = []
      for (key, value) in pairs {
        if random.chance(0.15) {
          written.append(
            member(key, random.pick([.null, 7, "decoy", .array([]), .object(JSONObject())]))
          )
        }
        written.append(member(key, value))
      }
      return written
    }

    mutating func member(_ key: String, _ value: JSONValue) -> String {
      space() + string(key) + space() + ":" + space() + text(value) + space()
    }

    /// A number spelled with an exponent or a trailing zero now and then; every
    /// spelling is the same double.
    mutating func number(_ number: Double) -> String {
      let plain = JSONValue.number(number).jsonText
      guard !plain.contains("e"), !plain.contains("E"), random.chance(0.4) else { return plain }
      let isInteger = !plain.contains(".")
      switch random.int(0, 3) {
      case 0: return plain + "e0"
      case 1: return plain + "E+0"
      // `0` times ten would be spelled with a leading zero.
      case 2 where isInteger && number != 0: return plain + "0e-1"
      case 2: return isInteger ? plain + "e-0" : plain + "0"
      default: return isInteger ? plain + ".0" : plain + "00e-0"
      }
    }

    /// A string with some characters escaped (`\uXXXX`, surrogate pairs, short escapes).
    mutating func string(_ text: String) -> String {
      var out = "\""
      for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case _ where scalar.value < 0x20:
          out += "\\u" + hex(scalar.value)
        case _ where escapes && random.chance(0.1):
          if scalar.value > 0xFFFF {
            let offset = scalar.value - 0x10000
            out += "\\u" + hex(0xD800 + offset >> 10) + "\\u" + hex(0xDC00 + offset & 0x3FF)
          } else if scalar == "/" || random.chance(0.5) {
            out += scalar == "/" ? "\\/" : "\\u" + hex(scalar.value)
          } else {
            out += "\\u" + hex(scalar.value).lowercased()
          }
        default: out.unicodeScalars.append(scalar)
        }
      }
      return out + "\""
    }

    func hex(_ value: UInt32) -> String {
      let digits = String(value, radix: 16, uppercase: true)
      return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
  }

  /// The value with every object's keys sorted, to compare texts written in any order.
  static func sorted(_ value: JSONValue) -> JSONValue {
    switch value {
    case .array(let items): .array(items.map(sorted))
    case .object(let object):
      .object(JSONObject(object.pairs.sorted { $0.0 < $1.0 }.map { ($0.0, sorted($0.1)) }))
    default: value
    }
  }

  /// What the fast reader alone makes of `bytes`: the prepared profile, or
  /// `nil` when it declines.
  static func fastOnly(_ rules: Rules, _ bytes: [UInt8]) -> PreparedProfile? {
    var profile = rules.emptyProfile()
    return bytes.withUnsafeBufferPointer { buffer -> PreparedProfile? in
      guard let base = buffer.baseAddress else { return nil }
      let start = JSONBytes.skipWhitespace(base, 0, buffer.count)
      guard start < buffer.count, base[start] == UInt8(ascii: "{") else { return nil }
      profile.reset(rules.flat)
      let reader = ProfileFastReader(
        buffer,
        maxDepth: 512,
        layout: rules.flat.profileLayout,
        storage: profile.storage
      )
      let end = reader.object(start, node: 0, depth: 1)
      guard end >= 0, reader.skipSpace(end) == buffer.count else { return nil }
      return profile
    }
  }

  static func describe(_ error: JSONReader.SyntaxError) -> String {
    "\(error.code) \(error.offset) \(error.pointer) \(error.message)"
  }

  @Test(arguments: 0..<4)
  func fastFullAndReferenceAgree(batch: Int) throws {
    var fastReads = 0
    var texts = 0
    for offset in 0..<60 {
      let seed = UInt64(0x5EAD_0000 + batch * 1_000 + offset)
      var generator = RandomDocuments(seed: seed)
      let rules = try Rules(json: generator.document().jsonText)
      let evaluator = rules.makeEvaluator()
      var spelling = Spelling(random: SeededGenerator(seed: seed))
      for _ in 0..<12 {
        let original = generator.profile()
        let text = spelling.profile(original)
        let bytes = Array(text.utf8)
        texts += 1
        // The reference: the interpreter on the value the JSON reader reads.
        let parsed = try JSONReader.parse(bytes)
        try #require(
          ProfileReadingDifferentialTests.sorted(parsed)
            == ProfileReadingDifferentialTests.sorted(original),
          "the spelling changed the value (seed \(seed)): \(text)"
        )
        let full = rules.prepare(Profile(parsed))
        let prepared = try rules.prepare(json: bytes)
        let fast = ProfileReadingDifferentialTests.fastOnly(rules, bytes)
        if fast != nil { fastReads += 1 }
        // Inside a larger text, as the server reads a request's profile.
        let line = Array((#"{"profile": "# + text + #", "id": 1}"#).utf8)
        var inLine = rules.emptyProfile()
        let end = try line.withUnsafeBufferPointer {
          try rules.prepare(json: $0, objectAt: 12, into: &inLine)
        }
        #expect(end == 12 + bytes.count, "object end in a line (seed \(seed)): \(text)")
        for now in RandomDocuments.instants {
          for name in rules.decisionNames {
            let reference = rules.interpreter.decide(name, for: parsed, now: now)
            let answers = [
              ("full", evaluator.decide(name, for: full, at: Date(timeIntervalSince1970: now))),
              (
                "prepared",
                evaluator.decide(name, for: prepared, at: Date(timeIntervalSince1970: now))
              ),
              (
                "in a line",
                evaluator.decide(name, for: inLine, at: Date(timeIntervalSince1970: now))
              ),
              (
                "fast",
                fast.map { evaluator.decide(name, for: $0, at: Date(timeIntervalSince1970: now)) }
                  ?? reference
              ),
            ]
            for (way, answer) in answers where answer != reference {
              Issue.record(
                "\(way) disagrees with the interpreter on `\(name)` (seed \(seed)): \(text)"
              )
              return
            }
          }
        }
      }
    }
    // Escapes, and values where a rule reads deeper paths that are not
    // objects, send a text to the full reader (about 85 % of these texts): the
    // fast reader must still read enough of them for the comparison to say
    // something about it.
    #expect(fastReads * 10 >= texts, "the fast reader read only \(fastReads) of \(texts) texts")
  }

  @Test(arguments: 0..<4)
  func invalidTextFailsWithTheJSONReadersError(batch: Int) throws {
    let fragments = [
      "{", "}", "[", "]", ",", ":", " ", "\"", "\\", "\\u12", "\\ud800", "-", ".", "e", "01",
      "1e999",
      "tru", "\u{1}", "\u{FF}", "é",
    ]
    var checked = 0
    for offset in 0..<40 {
      let seed = UInt64(0xBAD0_0000 + batch * 1_000 + offset)
      var generator = RandomDocuments(seed: seed)
      let rules = try Rules(json: generator.document().jsonText)
      var spelling = Spelling(random: SeededGenerator(seed: seed))
      var random = SeededGenerator(seed: seed ^ 0xFFFF)
      for _ in 0..<25 {
        var bytes = Array(spelling.profile(generator.profile()).utf8)
        switch random.int(0, 2) {
        case 0: bytes.removeSubrange(random.int(0, bytes.count - 1)...)
        case 1: bytes.remove(at: random.int(0, bytes.count - 1))
        default:
          // The invalid bytes (0xFF) go in as they are.
          let fragment = random.pick(fragments)
          let inserted = fragment == "\u{FF}" ? [0xFF] : Array(fragment.utf8)
          bytes.insert(contentsOf: inserted, at: random.int(0, bytes.count))
        }
        let expected: String?
        do {
          _ = try JSONReader.parse(bytes)
          expected = nil
        } catch {
          expected = ProfileReadingDifferentialTests.describe(error)
        }
        func outcome(_ read: () throws(JSONReader.SyntaxError) -> Void) -> String? {
          do throws(JSONReader.SyntaxError) {
            try read()
            return nil
          } catch {
            return ProfileReadingDifferentialTests.describe(error)
          }
        }
        var reused = rules.emptyProfile()
        let prepared = outcome { () throws(JSONReader.SyntaxError) in
          _ = try rules.prepare(json: bytes)
        }
        let preparedInto = outcome { () throws(JSONReader.SyntaxError) in
          try bytes.withUnsafeBufferPointer { (buffer) throws(JSONReader.SyntaxError) in
            try rules.prepare(json: buffer, into: &reused)
          }
        }
        #expect(prepared == expected, "prepare: \(bytes)")
        #expect(preparedInto == expected, "prepare into: \(bytes)")
        if expected != nil {
          checked += 1
          #expect(
            ProfileReadingDifferentialTests.fastOnly(rules, bytes) == nil,
            "the fast reader accepted invalid text: \(bytes)"
          )
        }
      }
    }
    #expect(checked >= 500, "only \(checked) invalid texts")
  }
}
