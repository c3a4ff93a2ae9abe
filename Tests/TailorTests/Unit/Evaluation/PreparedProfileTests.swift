import TailorTestSupport
import Testing

@testable import Tailor

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

@Suite struct PreparedProfileTests {
  static let rules: Rules? = try? Rules(
    json: #"""
      {"tailor": 1, "decisions": {"hero": {"variants": {"a": 1, "b": 2}, "default": "a", "rules": [
        {"id": "r", "when": {"country": "ES", "geo.country": {"$in": ["US", "FR"]}, "age": {"$gte": 18}}, "serve": "b"}
      ]}}}
      """#
  )

  /// A crash the fuzzer found: a profile cut off right after a key's colon,
  /// where the key leads to nested paths, was read past its end.
  @Test func truncatedAfterAColonIsASyntaxError() throws {
    let rules = try #require(PreparedProfileTests.rules)
    let text =
      #"{",ountry": "FR", "country": "ES", "age": 17, "age": 18, "geo": {"country": "U[1234567890123467895012345234S"}, "geo": "#
    #expect(throws: JSONReader.SyntaxError.self) { try rules.prepare(json: Array(text.utf8)) }
  }

  /// Valid profiles in the shapes the byte reader treats apart: compact, spread with
  /// white space, keys and strings with escapes, numbers with exponents, repeated keys,
  /// deep and non-ASCII values the rules never read; each with the variant it gets.
  static let validProfiles = [
    (
      #"{"country": "ES", "age": 20, "geo": {"country": "FR", "city": "Paris"}, "tags": ["a", 1], "x": {"y": [true, null]}}"#,
      "b"
    ),
    (
      " \n\t{ \"country\" : \"ES\" ,\r\n \"age\" : 1.8e1 , \"geo\" : { \"country\" : \"US\" } } \n",
      "b"
    ),
    (
      #"{"c\u006Funtry": "E\u0053", "age": 18.0, "geo": {"country": "F\u0052", "note": "a\"b\\c\/d\n"}}"#,
      "b"
    ),
    (
      #"{"age": 10, "country": "FR", "age": 180E-1, "country": "ES", "geo": {"country": "DE"}, "geo": {"country": "US"}}"#,
      "b"
    ),
    (
      #"{"tags": [[], {}, [{"a": [1, -0.5e+2, true, false, null]}]], "name": "José 🎉", "country": "ES", "age": 99, "geo": {"country": "FR"}}"#,
      "b"
    ),
    (#"{"country": "ES", "age": 17, "geo": {"country": "US"}}"#, "a"),
  ]

  /// Every prefix of a valid profile is accepted by the byte reader exactly when
  /// the JSON reader accepts it, and never read past its end; the whole profile
  /// decides as the full reader's value does.
  ///
  /// Each prefix is read in place, with the rest of the valid text right after it
  /// in memory: a reader that looked past the end would find the profile complete.
  @Test(arguments: validProfiles)
  func everyPrefixAgreesWithTheJSONReader(text: String, variant: String) throws {
    let rules = try #require(PreparedProfileTests.rules)
    let bytes = Array(text.utf8)
    try bytes.withUnsafeBufferPointer { whole in
      for end in 0...bytes.count {
        let prefix = UnsafeBufferPointer(rebasing: whole[0..<end])
        let fast = (try? rules.prepare(json: prefix)) != nil
        let full = (try? JSONReader.parse(Array(prefix)))?.objectValue != nil
        #expect(fast == full, "prefix of \(end) bytes of \(text)")
      }
      let evaluator = rules.makeEvaluator()
      let prepared = try rules.prepare(json: whole)
      let decision = evaluator.decide("hero", for: prepared, at: Date(timeIntervalSince1970: 0))
      #expect(
        decision
          == evaluator.decide(
            "hero",
            for: try Profile(json: text),
            at: Date(timeIntervalSince1970: 0)
          ),
        "\(text)"
      )
      #expect(decision?.variant == variant, "\(text)")
    }
  }

  /// Arrays that only string `$eq`, `$in` and `$nin` read are kept as key ids;
  /// they answer exactly as the full value does, whatever the elements are.
  @Test func keyArraysAnswerAsTheFullValue() throws {
    let rules = try Rules(
      json: #"""
        {"tailor": 1, "decisions": {
          "in": {"variants": {"no": 0, "yes": 1}, "default": "no", "rules": [
            {"id": "r", "when": {"tags": {"$in": ["sale", "kids", "é"]}}, "serve": "yes"}]},
          "nin": {"variants": {"no": 0, "yes": 1}, "default": "no", "rules": [
            {"id": "r", "when": {"tags": {"$nin": ["spam"]}}, "serve": "yes"}]},
          "eq": {"variants": {"no": 0, "yes": 1}, "default": "no", "rules": [
            {"id": "r", "when": {"tags": {"$eq": "sale"}}, "serve": "yes"}]}}}
        """#
    )
    let profiles = [
      #"{"tags": ["sale"]}"#, #"{"tags": ["x", "kids"]}"#, #"{"tags": []}"#,
      #"{"tags": ["spam", "sale"]}"#,
      #"{"tags": ["spam"]}"#, #"{"tags": [1, null, true, {"a": "sale"}, ["sale"]]}"#,
      #"{"tags": ["sale"]}"#,
      #"{"tags": ["é"]}"#, #"{"tags": ["é", "x"]}"#, #"{"tags": "sale"}"#, #"{"tags": null}"#,
      #"{}"#,
      #"{"tags": ["x"], "tags": ["sale"]}"#, #"{"tags": ["sale"], "tags": ["x"]}"#,
      #"{ "tags" : [ "kids" , "y" ] }"#,
    ]
    let evaluator = rules.makeEvaluator()
    for text in profiles {
      let prepared = try rules.prepare(json: Array(text.utf8))
      let profile = try Profile(json: text)
      for name in ["in", "nin", "eq"] {
        let expected = rules.decide(name, for: profile)?.variant
        #expect(
          evaluator.decide(name, for: prepared, at: Date(timeIntervalSince1970: 0))?.variant
            == expected,
          "\(name) on \(text)"
        )
      }
    }
    let prepared = try rules.prepare(json: Array(#"{"tags": ["kids", 2, "sale"]}"#.utf8))
    #expect(prepared.storage.summaries[0].kind == .keyArray)
  }

  /// Long pending strings and long key arrays outgrow the storage's first
  /// block; answers stay those of the full value, profile after profile.
  @Test func pendingStringsAndKeyArraysGrow() throws {
    let rules = try Rules(
      json: #"""
        {"tailor": 1, "decisions": {"d": {"variants": {"a": 1, "b": 2, "c": 3}, "default": "a", "rules": [
          {"id": "tags", "when": {"tags": {"$in": ["k39"]}}, "serve": "b"},
          {"id": "name", "when": {"name": {"$regex": "z{300}$"}, "city": {"$startsWith": "Mad"}}, "serve": "c"}]}}}
        """#
    )
    let evaluator = rules.makeEvaluator()
    var prepared = rules.emptyProfile()
    for round in 0..<4 {
      let tags = (0..<(10 * round + 5)).map { "\"k\($0)\"" }.joined(separator: ",")
      let name = String(repeating: "z", count: 100 * round + 50)
      let text = #"{"tags": [\#(tags)], "name": "\#(name)", "city": "Madrid"}"#
      let bytes = Array(text.utf8)
      try bytes.withUnsafeBufferPointer { try rules.prepare(json: $0, into: &prepared) }
      let expected = rules.decide("d", for: try Profile(json: text))?.variant
      #expect(
        evaluator.decide("d", for: prepared, at: Date(timeIntervalSince1970: 0))?.variant
          == expected,
        "round \(round)"
      )
    }
  }

  /// Deciding several decisions in one session answers as deciding each afresh,
  /// for seeded random documents and profiles, also when the session's
  /// evaluator is used for another profile between two of its calls.
  @Test func sessionsMatchFreshEvaluations() throws {
    for seed in UInt64(0)..<20 {
      var generator = RandomDocuments(seed: 0xC0 &+ seed)
      let rules = try Rules(json: generator.document().jsonText)
      let ids = (0..<rules.decisionNames.count).compactMap(rules.decisionID(at:))
      let shared = rules.makeEvaluator()
      let fresh = rules.makeEvaluator()
      var previous: PreparedProfile?
      for round in 0..<30 {
        let prepared = try rules.prepare(json: Array(generator.profile().jsonText.utf8))
        let now = Date(timeIntervalSince1970: generator.random.pick(RandomDocuments.instants))
        let interleave = round % 3 == 2 ? previous : nil
        shared.withSession(for: prepared, at: now) { session in
          for (position, id) in ids.enumerated() {
            if let interleave, position == 1 {
              // Another profile through the same evaluator: the session starts afresh.
              _ = shared.outcome(of: id, for: interleave, at: now)
            }
            let expected = fresh.outcome(of: id, for: prepared, at: now)
            #expect(session.outcome(of: id) == expected, "seed \(seed), decision \(id.index)")
            #expect(
              session.decide(id) == fresh.decide(id, for: prepared, at: now),
              "seed \(seed), decision \(id.index)"
            )
          }
        }
        previous = prepared
      }
    }
  }

  /// One prepared profile reused for a stream whose keys mostly repeat in
  /// order — the fast reader's key guesses — answers as the interpreter does
  /// when keys change order, vanish, are prefixes of one another, nest under
  /// other parents, run past sixteen bytes or end the text.
  @Test func reusedProfilesAnswerAsFreshOnesWhenKeysShift() throws {
    let rules = try Rules(
      json: #"""
        {"tailor": 1, "decisions": {"d": {"variants": {"a": 1, "b": 2, "c": 3, "e": 4}, "default": "a", "rules": [
          {"id": "t", "when": {"tier": "gold", "geo.tier": {"$ne": "gold"}}, "serve": "b"},
          {"id": "s", "when": {"tiers": {"$in": ["x", "y"]}, "a": {"$gt": 2}}, "serve": "c"},
          {"id": "l", "when": {"lastOrderDaysAgoX": {"$lt": 5}, "lastOrderDaysAgo": {"$gte": 1}}, "serve": "e"},
          {"id": "n", "when": {"geo.tier": "gold", "ab": "q"}, "serve": "c"}]}}}
        """#
    )
    let evaluator = rules.makeEvaluator()
    var prepared = rules.emptyProfile()
    // Keys are guessed only with 16 bytes after them: a long last field makes room.
    let padding = #","other":"................................"}"#
    // A key guessed at its place but under another parent leads to its own path.
    for text in [#"{"geo":{"tier":"gold"},"tier":"silver""#, #"{"ab":"q","tier":"gold""#] {
      try Array((text + padding).utf8).withUnsafeBufferPointer {
        try rules.prepare(json: $0, into: &prepared)
      }
    }
    #expect(
      evaluator.decide("d", for: prepared, at: Date(timeIntervalSince1970: 0))?.variant == "b"
    )
    // A guessed key must end where the guess does: `tierx:1,` is one key, with no value.
    try Array((#"{"tier":1"# + padding).utf8).withUnsafeBufferPointer {
      try rules.prepare(json: $0, into: &prepared)
    }
    #expect(throws: JSONReader.SyntaxError.self) {
      try Array((#"{"tierx:1"# + padding).utf8).withUnsafeBufferPointer {
        try rules.prepare(json: $0, into: &prepared)
      }
    }

    let keys = [
      "tier", "tiers", "a", "ab", "lastOrderDaysAgo", "lastOrderDaysAgoX", "geo", "other", "tie",
    ]
    let strings = ["gold", "x", "y", "q", "silver"]
    var random = SeededGenerator(seed: 0x6E55)
    func value(_ key: String, depth: Int) -> String {
      if key == "geo" && depth == 0 {
        let inner = keys.shuffled(using: &random).prefix(Int.random(in: 0...3, using: &random))
        return "{" + inner.map { "\"\($0)\":\(value($0, depth: 1))" }.joined(separator: ",") + "}"
      }
      switch Int.random(in: 0..<4, using: &random) {
      case 0: return "\(Int.random(in: 0...9, using: &random))"
      case 1: return "null"
      default: return "\"\(strings.randomElement(using: &random)!)\""
      }
    }
    var inLine = rules.emptyProfile()
    var order = keys
    for round in 0..<3_000 {
      // Mostly the same order as the line before, sometimes another.
      if round % 7 == 0 { order.shuffle(using: &random) }
      let present = order.filter { _ in Int.random(in: 0..<10, using: &random) > 1 }
      let text =
        "{" + present.map { "\"\($0)\":\(value($0, depth: 0))" }.joined(separator: ",") + "}"
      let expected = rules.decide("d", for: try Profile(json: text))?.variant
      let bytes = Array(text.utf8)
      try bytes.withUnsafeBufferPointer { try rules.prepare(json: $0, into: &prepared) }
      #expect(
        evaluator.decide("d", for: prepared, at: Date(timeIntervalSince1970: 0))?.variant
          == expected,
        "\(text)"
      )
      // The same profile inside a request line, ending near the text's end.
      let line = Array(#"{"profile":"#.utf8) + bytes + [UInt8(ascii: "}")]
      let end = try line.withUnsafeBufferPointer {
        try rules.prepare(json: $0, objectAt: 11, into: &inLine)
      }
      #expect(end == line.count - 1)
      #expect(
        evaluator.decide("d", for: inLine, at: Date(timeIntervalSince1970: 0))?.variant == expected,
        "in a line: \(text)"
      )
    }
  }

  /// Strings with non-ASCII text are read on the fast path: keys and values
  /// with well-formed UTF-8 answer as the interpreter does, and ill-formed
  /// UTF-8 anywhere is rejected exactly when the JSON reader rejects it.
  @Test func utf8StringsAnswerAsTheInterpreterAndBadUTF8IsRejected() throws {
    let rules = try Rules(
      json: #"""
        {"tailor": 1, "decisions": {"d": {"variants": {"a": 1, "b": 2, "c": 3, "e": 4}, "default": "a", "rules": [
          {"id": "city", "when": {"city": {"$in": ["São Paulo", "Zürich", "東京"]}}, "serve": "b"},
          {"id": "prefix", "when": {"name": {"$regex": "^Jos"}, "ciudad": "Málaga"}, "serve": "c"},
          {"id": "version", "when": {"v": {"$vgt": "2.0"}, "tags": {"$in": ["ñ", "😀"]}}, "serve": "e"}]}}}
        """#
    )
    let evaluator = rules.makeEvaluator()
    var prepared = rules.emptyProfile()
    // Pieces of UTF-8, whole and broken: lone continuations, overlongs,
    // surrogates, values past U+10FFFF, and sequences cut short.
    let good: [[UInt8]] = [
      "São Paulo", "Zürich", "東京", "Málaga", "José", "ñ", "😀", "a", "3.1", "v2.5-ß",
    ].map { Array($0.utf8) }
    let bad: [[UInt8]] = [
      [0x80], [0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80],
      [0xF5], [0xE6, 0x9D], [0xF0, 0x9F, 0x98], [0xFF],
    ]
    let keys = ["city", "ciudad", "name", "v", "tags", "cité", "x"]
    var random = SeededGenerator(seed: 0x07F8)
    for round in 0..<4_000 {
      var text: [UInt8] = Array("{".utf8)
      var broken = false
      for (position, key) in keys.shuffled(using: &random).prefix(
        Int.random(in: 1...keys.count, using: &random)
      ).enumerated() {
        if position > 0 { text.append(UInt8(ascii: ",")) }
        text += Array("\"\(key)\":".utf8)
        var value: [UInt8] = []
        for _ in 0..<Int.random(in: 1...3, using: &random) {
          if Int.random(in: 0..<40, using: &random) == 0 {
            value += bad.randomElement(using: &random)!
            broken = true
          } else {
            value += good.randomElement(using: &random)!
          }
        }
        if key == "tags" {
          text += [UInt8(ascii: "["), UInt8(ascii: "\"")] + value + Array("\",\"ñ\"]".utf8)
        } else {
          text += [UInt8(ascii: "\"")] + value + [UInt8(ascii: "\"")]
        }
      }
      text += Array("}".utf8)
      // Some profiles end right after a multi-byte character, with no room to read a word past it.
      let reference = try? JSONReader.parse(text)
      #expect((reference != nil) == !broken, "round \(round)")
      do {
        try text.withUnsafeBufferPointer { try rules.prepare(json: $0, into: &prepared) }
        let root = try #require(reference, "accepted what the JSON reader rejects: \(text)")
        let expected = rules.decide("d", for: Profile(root))?.variant
        #expect(
          evaluator.decide("d", for: prepared, at: Date(timeIntervalSince1970: 0))?.variant
            == expected,
          "\(String(decoding: text, as: UTF8.self))"
        )
      } catch {
        #expect(
          reference == nil,
          "rejected what the JSON reader accepts: \(String(decoding: text, as: UTF8.self))"
        )
      }
    }
  }

  /// Numbers read on the fast path (digit runs taken eight bytes at a time)
  /// equal the JSON reader's, bit for bit, and the text it rejects is rejected.
  @Test func numbersReadAsTheJSONReaderReadsThem() throws {
    let rules = try Rules(
      json: #"""
        {"tailor": 1, "decisions": {"d": {"variants": {"a": 1, "b": 2}, "default": "a", "rules": [
          {"id": "r", "when": {"n": {"$gt": 0.5}}, "serve": "b"}]}}}
        """#
    )
    var prepared = rules.emptyProfile()
    var random = SeededGenerator(seed: 0x4E55)
    func digits(_ count: Int) -> String {
      String((0..<count).map { _ in "0123456789".randomElement(using: &random)! })
    }
    for round in 0..<20_000 {
      var text = Int.random(in: 0..<4, using: &random) == 0 ? "-" : ""
      text += digits(Int.random(in: 0...17, using: &random))
      if Int.random(in: 0..<2, using: &random) == 0 {
        text += "." + digits(Int.random(in: 0...10, using: &random))
      }
      if Int.random(in: 0..<20, using: &random) == 0 {
        text += ["e3", "E-2", "x", "-", "."].randomElement(using: &random)!
      }
      // Near the end of the text and far from it.
      let tail = round % 2 == 0 ? "}" : #","pad":"................................"}"#
      let json = Array((#"{"n":"# + text + tail).utf8)
      let expected = (try? JSONReader.parse(json))?.objectValue?["n"]
      do {
        try json.withUnsafeBufferPointer { try rules.prepare(json: $0, into: &prepared) }
        guard case .number(let number)? = expected else {
          Issue.record("accepted \(text)")
          continue
        }
        let read = prepared.storage.summaries[0]
        #expect(
          read.kind == .number && read.number.bitPattern == number.bitPattern,
          "\(text) read as \(read.number)"
        )
      } catch {
        #expect(expected == nil, "rejected \(text)")
      }
    }
  }
}
