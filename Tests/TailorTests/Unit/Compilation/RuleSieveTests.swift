import TailorTestSupport
import Testing

@testable import Tailor

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// When large decisions are sieved, and what the sieve's regions and summary say.
struct RuleSieveTests {
  @Test func narrowDiverseRulesAreSievedAndBroadRulesKeepTheirGraph() throws {
    var campaign = CampaignWorkload(seed: 7)
    let narrow = try Rules(json: campaign.document(rules: 3000).jsonText, file: nil)
    #expect(narrow.compiled.decisions.allSatisfy { $0.sieve != nil })
    var workload = Workload(seed: 7)
    let broad = try Rules(json: workload.document(rules: 1000).jsonText)
    #expect(broad.compiled.decisions.allSatisfy { $0.sieve == nil })
    // Small decisions are always graphs.
    let small = try Rules(json: campaign.document(rules: RuleSieve.minimumRules - 1).jsonText)
    #expect(small.compiled.decisions.allSatisfy { $0.sieve == nil })
    // Narrow rules skip the graph probe; one attribute with a threshold per rule does not.
    let items = { (rules: Rules) in
      var builder = GraphBuilder(
        table: PredicateTable(),
        groups: [:],
        certain: [],
        firstOnly: true,
        budget: 0,
        decisionIndex: [:]
      )
      let list = rules.document.decisions[0].rules.enumerated().compactMap { index, rule in
        builder.item(rule: Int32(index), condition: rule.condition)
      }
      return Compiler.isDiverse(list, builder.conjuncts)
    }
    #expect(items(narrow))
    #expect(!items(broad))
    let thresholds = (0..<1000).map { index in
      #"{"id": "r\#(index)", "when": {"score": {"$gte": \#(index)}}, "serve": "on"}"#
    }
    let ordered = try Rules(
      json: #"{"tailor": 1, "decisions": {"d": {"variants": {"on": 1}, "rules": ["#
        + thresholds.joined(separator: ",") + "]}}}"
    )
    #expect(!items(ordered))
    #expect(ordered.compiled.decisions.allSatisfy { $0.sieve == nil })
  }

  /// Narrow rules whose thresholds repeat (whole ages, amounts in fifties, dates on the
  /// first of a month) are not plainly diverse, but the graph of their first rules
  /// already outgrows its budget, so they are sieved without probing the whole decision;
  /// the first workload's sample fits, and it keeps its graph.
  @Test func aSampleThatOutgrowsItsGraphSendsNarrowRulesToTheSieve() throws {
    func coarse(_ value: JSONValue, key: String = "") -> JSONValue {
      switch value {
      case .number(let number) where ["$gte", "$lt", "$gt", "$lte"].contains(key):
        return .number(number > 100 ? (number / 50).rounded() * 50 : number.rounded())
      case .string(let text) where key == "$after" || key == "$before":
        return .string(String(text.prefix(7)) + "-01T00:00:00Z")
      case .object(let object):
        return .object(JSONObject(object.pairs.map { ($0, coarse($1, key: $0)) }))
      case .array(let elements):
        return .array(elements.map { coarse($0) })
      default:
        return value
      }
    }
    func probe(_ document: JSONValue) throws -> (diverse: Bool, outgrows: Bool, sieved: Bool) {
      let rules = try Rules(json: document.jsonText)
      var builder = GraphBuilder(
        table: PredicateTable(),
        groups: [:],
        certain: rules.compiled.decisions[0].rules.map(\.isCertain),
        firstOnly: true,
        budget: 0,
        decisionIndex: [:]
      )
      let items = rules.document.decisions[0].rules.enumerated().compactMap { index, rule in
        builder.item(rule: Int32(index), condition: rule.condition)
      }
      return (
        Compiler.isDiverse(items, builder.conjuncts),
        Compiler.sampleOutgrowsGraph(items, builder),
        rules.compiled.decisions.allSatisfy { $0.sieve != nil }
      )
    }
    var campaign = CampaignWorkload(seed: 11)
    let narrow = try probe(coarse(campaign.document(rules: 3000)))
    #expect(!narrow.diverse && narrow.outgrows && narrow.sieved, "\(narrow)")
    var workload = Workload(seed: 11)
    let broad = try probe(workload.document(rules: 3000))
    #expect(!broad.diverse && !broad.outgrows && !broad.sieved, "\(broad)")
    // Too few rules for a sample: the whole decision is probed.
    let small = try probe(coarse(campaign.document(rules: 2 * Compiler.probeSample)))
    #expect(!small.outgrows)
  }

  @Test func treeSummarisesASievedDecision() throws {
    var campaign = CampaignWorkload(seed: 7)
    let rules = try Rules(
      json: Array(campaign.document(rules: 1000).jsonText.utf8),
      strategy: .sieve
    )
    let text = try #require(rules.graph(of: "offers", format: .text))
    #expect(text.hasPrefix("sieve over 1000 rules (16 words of bits), "))
    #expect(text.contains("\n  country: keys ("))
    let dot = try #require(rules.graph(of: "offers", format: .dot))
    #expect(dot.hasPrefix("digraph \"offers\" {"))
  }

  /// A sieve's suffix filter reads the trie of its suffixes: nested suffixes, the empty
  /// suffix, long ones, and values that end with none, are not strings or are missing.
  @Test func sievedSuffixesAgreeWithTheInterpreter() throws {
    let long = String(repeating: "long-domain.", count: 6) + "com"
    let suffixes = ["", "m", "com", ".com", "@corp.com", "x@corp.com", long, "@x" + long, "é.fr"]
    var rules: [String] = []
    for index in 0..<300 {
      let suffix = index < suffixes.count ? suffixes[index] : "@d\(index).example"
      rules.append(
        #"{"id": "r\#(index)", "when": {"email": {"$endsWith": "\#(suffix)"}}, "serve": "v\#(index % 3)"}"#
      )
    }
    let texts = [
      "a@corp.com", "ax@corp.com", "a@x" + long, long, "", "m", "co", "b@d17.example",
      "b@d17.example.org", "café.fr",
    ]
    let emails = texts.map { JSONValue.string($0) } + [42, .null, ["a@corp.com"]]
    for mode in Self.modes {
      let loaded = try sieved(rules, mode: mode)
      #expect(loaded.compiled.decisions.allSatisfy { $0.sieve != nil })
      let evaluator = loaded.makeEvaluator()
      for email in emails {
        let profile = JSONValue.object(JSONObject([("email", email)]))
        try expectAgreement(loaded, evaluator, profile, "\(email.jsonText)")
      }
    }
  }

  /// A sieve's prefix filter reads the trie of its prefixes from the value's first byte:
  /// nested prefixes, the empty prefix, one longer than an edge holds (255 bytes), bytes
  /// of a combining mark, and values that start with none, are not strings or are missing.
  @Test func sievedPrefixesAgreeWithTheInterpreter() throws {
    let long = String(repeating: "+34-long-prefix-", count: 20)
    let prefixes = ["", "+", "+3", "+34", "+346", long, long + "x", "e", "é", "+3\u{301}"]
    var rules: [String] = []
    for index in 0..<300 {
      let prefix = index < prefixes.count ? prefixes[index] : "+9\(index)-"
      rules.append(
        #"{"id": "r\#(index)", "when": {"phone": {"$startsWith": "\#(prefix)"}}, "serve": "v\#(index % 3)"}"#
      )
    }
    let texts = [
      "+34600111", "+3", "", "+", "+4", long, long + "xyz", String(long.dropLast()) + "?", "éa",
      "e\u{301}",
      "+3\u{301}4", "+9100-1", "+9100", "+91", "x+34",
    ]
    let phones = texts.map { JSONValue.string(String($0)) } + [346, .null, ["+34600"], .bool(true)]
    for mode in Self.modes {
      let loaded = try sieved(rules, mode: mode)
      #expect(loaded.compiled.decisions.allSatisfy { $0.sieve != nil })
      let evaluator = loaded.makeEvaluator()
      for phone in phones {
        let profile = JSONValue.object(JSONObject([("phone", phone)]))
        try expectAgreement(loaded, evaluator, profile, "\(phone.jsonText)")
      }
      // Missing.
      try expectAgreement(loaded, evaluator, .object(JSONObject()), "missing")
    }
    let summary = try #require(try sieved(rules, mode: "").graph(of: "d", format: .text))
    #expect(summary.contains("\n  phone: prefixes (300), 300 rules"))
  }

  /// A sieve's string filter places a value among the operands of `$lt`…`$gte` with string
  /// operands in byte order: ISO dates compared as strings, single and paired bounds,
  /// equal operands, prefixes of one another, the empty string, a NUL, values that are not
  /// ASCII (one a surrogate pair in UTF-16), numbers and number-like strings (numbers are
  /// compared as numbers against a string operand), arrays, booleans, null and missing.
  @Test func sievedStringComparisonsAgreeWithTheInterpreter() throws {
    let operands = [
      "2021-06-16T16:14:00Z", "2021-06-16", "2021-06-16T16:14:00", "2021", "", "\\u0000", "a",
      "ab", "abc", "b", "10", "9", "é", "z\\u00e9",
    ]
    let relations = ["$lt", "$lte", "$gt", "$gte"]
    var rules: [String] = []
    for index in 0..<300 {
      let relation = relations[index % relations.count]
      let test: String
      if index < 2 * operands.count {
        test = #"{"\#(relation)": "\#(operands[index % operands.count])"}"#
      } else if index % 3 == 0 {
        // A range, as dates are bounded: `$gte` and `$lt` on the same attribute.
        let day = 1 + index % 28
        test = #"{"$gte": "2020-03-\#(day < 10 ? "0" : "")\#(day)", "$lt": "2020-04-01"}"#
      } else {
        test = #"{"\#(relation)": "2020-\#(index % 12 + 10)-\#(index % 19 + 10)T00:00:00Z"}"#
      }
      rules.append(#"{"id": "r\#(index)", "when": {"at": \#(test)}, "serve": "v\#(index % 3)"}"#)
    }
    let texts = [
      "2021-06-16T16:14:00Z", "2021-06-16T16:14:00", "2021-06-16", "2021", "2020-03-15",
      "2020-03-31T23:59:59Z", "2020-04-01", "2020-11-12T00:00:00Z", "", "\u{0}", "a", "ab",
      "abc", "abd", "b", "9", "10", "10.5", "é", "zé", "z", "\u{10000}", "\u{FF5E}",
      "2021\u{10000}",
    ]
    let values =
      texts.map { JSONValue.string($0) } + [
        9, 10, 2021, -1, .null, .bool(true), .bool(false), ["2021-06-16"], ["a", "b"],
      ]
    for mode in Self.modes {
      let loaded = try sieved(rules, mode: mode)
      #expect(loaded.compiled.decisions.allSatisfy { $0.sieve != nil })
      let evaluator = loaded.makeEvaluator()
      for value in values {
        let profile = JSONValue.object(JSONObject([("at", value)]))
        try expectAgreement(loaded, evaluator, profile, "\(value.jsonText)")
      }
      try expectAgreement(loaded, evaluator, .object(JSONObject()), "missing")
    }
    let summary = try #require(try sieved(rules, mode: "").graph(of: "d", format: .text))
    #expect(summary.contains("\n  at: strings ("), "\(summary)")
    // Operands that are not ASCII are left to the rules' own checks.
    let notASCII = Condition.predicate(
      Predicate(path: AttributePath("at"), test: .operators([.compare(.less, "é")]))
    )
    #expect(RuleSieve.stringTest(notASCII)?.1 == nil)
  }

  /// `$all` of strings and `$elemMatch` of string equality agree with the interpreter.
  ///
  /// A sieve files `$all` under its first string and `$elemMatch` under each of its
  /// strings; both are read from the array's key ids in graphs and sieves alike (one to
  /// three strings, a repeat, the empty list, the empty string, which `$elemMatch` never
  /// matches), against arrays that hold all, some or none of them, strings no rule names,
  /// other elements, and values that are not arrays. A second document adds tests that
  /// need the array itself (`$alli`, an element that is not a literal string, `$gt`).
  @Test func allAndElementMatchOfStringsAgreeWithTheInterpreter() throws {
    let lists = [
      #"["a"]"#, #"["a", "b"]"#, #"["b", "a", "c"]"#, #"["a", "a"]"#, "[]", #"["z"]"#, #"["é"]"#,
    ]
    let elements = [
      #"{"$eq": "a"}"#, #"{"$in": ["b", "", "c"]}"#, #"{"$eq": ""}"#, #"{"$in": []}"#,
      #"{"$in": ["t3", "unnamed-by-profiles"]}"#,
    ]
    func rules(mixed: Bool) -> [String] {
      (0..<300).map { index in
        let test =
          index < lists.count
          ? #"{"$all": \#(lists[index])}"#
          : index < lists.count + elements.count
            ? #"{"$elemMatch": \#(elements[index - lists.count])}"#
            : mixed && index == lists.count + elements.count
              ? #"{"$elemMatch": {"$gt": "b"}}"#
              : mixed && index % 7 == 0
                ? (index % 2 == 0
                  ? #"{"$alli": ["A", "t\#(index % 11)"]}"# : #"{"$all": ["a", {"$gt": "b"}]}"#)
                : index % 3 == 0
                  ? #"{"$in": ["t\#(index % 13)", "u"]}"#
                  : #"{"$all": ["t\#(index % 13)", "t\#(index % 5)"]}"#
        return #"{"id": "r\#(index)", "when": {"tags": \#(test)}, "serve": "v\#(index % 3)"}"#
      }
    }
    let values: [JSONValue] = [
      ["a"], ["a", "b"], ["b", "a"], ["a", "b", "c"], ["c", "b", "a", "a"], [], ["unnamed"],
      ["a", "unnamed", "b"], ["a", 1], ["a", "b", .null], ["c"], ["é", "a"], ["t3", "t1"],
      ["t4", "t4"], ["T3", "a"], ["u", "t1"], [""], ["", "c"], ["b"], "a", "", "t3", 3, .null,
      .bool(true),
    ]
    for mixed in [false, true] {
      for mode in Self.modes {
        for strategy in [Compiler.Strategy.sieve, .graph] {
          let text =
            #"{"tailor": 1, "decisions": {"d": {\#(mode) "variants": {"v0": 0, "v1": 1, "v2": 2}, "rules": ["#
            + rules(mixed: mixed).prefix(strategy == .graph ? 40 : 300).joined(separator: ",")
            + "]}}}"
          let loaded = try Rules(json: Array(text.utf8), strategy: strategy)
          #expect(
            loaded.compiled.decisions.allSatisfy { ($0.sieve != nil) == (strategy == .sieve) }
          )
          // The fast forms read the array's key ids.
          #expect(loaded.flat.predicates.contains { $0.kind == .keyAll })
          #expect(loaded.flat.predicates.contains { $0.kind == .keyElement })
          let evaluator = loaded.makeEvaluator()
          for value in values {
            let profile = JSONValue.object(JSONObject([("tags", value)]))
            try expectAgreement(
              loaded,
              evaluator,
              profile,
              "\(mixed) \(strategy) \(value.jsonText)"
            )
          }
          try expectAgreement(loaded, evaluator, .object(JSONObject()), "\(strategy) missing")
        }
      }
    }
  }

  /// An `$or` of string equalities on one attribute agrees with the interpreter.
  ///
  /// A sieve files it on that attribute under each string: literals, `$eq` and `$in` of
  /// strings as branches, an attribute no other test reads, and `$or`s it leaves to the
  /// checks (two attributes, a number, `$ini`); against strings in and out of the lists,
  /// strings no rule names, an array whose text is a literal (`"a,b"`), other arrays,
  /// numbers, booleans, null and missing (which the literal `"null"` may equal).
  @Test func sievedOrOfEqualitiesAgreeWithTheInterpreter() throws {
    let branches = [
      #"{"country": "ES"}, {"country": "PT"}"#,
      #"{"country": {"$eq": "FR"}}, {"country": {"$in": ["DE", "AT"]}}"#,
      #"{"country": "a,b"}, {"country": "a"}"#,
      #"{"region": "north"}, {"region": {"$in": ["south", "east"]}}"#,
      #"{"country": "ES"}, {"region": "north"}"#,
      #"{"country": "ES"}, {"country": 7}"#,
      #"{"country": {"$ini": ["es"]}}, {"country": "PT"}"#,
      #"{"country": "null"}, {"country": "x"}"#,
    ]
    var rules: [String] = []
    for index in 0..<300 {
      let when =
        index < 3 * branches.count
        ? #"{"$or": [\#(branches[index % branches.count])]}"#
        : index % 4 == 0
          ? #"{"$or": [{"country": "c\#(index % 17)"}, {"country": "c\#(index % 5)"}]}"#
          : #"{"country": {"$in": ["c\#(index % 19)"]}, "age": {"$gte": \#(index % 50)}}"#
      rules.append(#"{"id": "r\#(index)", "when": \#(when), "serve": "v\#(index % 3)"}"#)
    }
    let countries: [JSONValue] = [
      "ES", "PT", "FR", "DE", "AT", "a,b", "a", "b", "es", "c3", "c4", "c16", "c18", "XX", "",
      "null", "x",
      ["a", "b"], ["ES"], ["c3", "c4"], [], 7, .null, .bool(true),
    ]
    let regions: [JSONValue] = ["north", "east", "west", .null]
    for mode in Self.modes {
      let loaded = try sieved(rules, mode: mode)
      #expect(loaded.compiled.decisions.allSatisfy { $0.sieve != nil })
      let evaluator = loaded.makeEvaluator()
      for country in countries {
        for region in regions {
          var profile = JSONObject([("country", country), ("age", 30)])
          if region != .null { profile["region"] = region }
          try expectAgreement(
            loaded,
            evaluator,
            .object(profile),
            "\(country.jsonText) \(region.jsonText)"
          )
        }
      }
      try expectAgreement(loaded, evaluator, .object(JSONObject()), "missing")
    }
    // The `$or`s are filed: `region` has a filter though only `$or`s test it.
    let summary = try #require(try sieved(rules, mode: "").graph(of: "d", format: .text))
    #expect(summary.contains("\n  region: keys (3), 3 rules"), "\(summary)")
    let filed = RuleSieve.equalities(
      try #require(try sieved(rules, mode: "").document.decisions.first?.rules.first?.condition)
    )
    #expect(filed?.keys == ["ES", "PT"] && filed?.hasLiteral == true)
  }

  /// Number literals, `$eq` and `$in` of numbers are filed between their least and greatest
  /// numbers; values of other types (which a literal coerces) skip the filter.
  @Test func sievedNumberEqualitiesAgreeWithTheInterpreter() throws {
    let tests = [
      "30", #"{"$eq": 31}"#, #"{"$in": [18, 25, 40]}"#, #"{"$in": [-0.0, 2.5]}"#, "0",
      #"{"$in": [7]}"#, #"{"$in": [12, 12, 13], "$gte": 13}"#, #"{"$in": [1, "x"]}"#,
      #"{"$in": []}"#,
    ]
    var rules: [String] = []
    for index in 0..<300 {
      let when =
        index < 3 * tests.count
        ? #"{"store": \#(tests[index % tests.count]), "tier": {"$in": ["t\#(index % 3)"]}}"#
        : index % 3 == 0
          ? #"{"store": {"$in": [\#(index % 41), \#(index % 41 + 3)]}, "tier": "t\#(index % 4)"}"#
          : #"{"store": \#(index % 37), "age": {"$gte": \#(index % 50)}}"#
      rules.append(#"{"id": "r\#(index)", "when": \#(when), "serve": "v\#(index % 3)"}"#)
    }
    let stores: [JSONValue] = [
      30, 31, 18, 25, 40, 24, 0, -0.0, 2.5, 2, 7, 12, 13, 14, 1, 3, 36, 43, 44, -1, 1e9,
      "30", "x", "", "0", "1e1", .bool(true), .bool(false), [30], [12, 13], [], .null,
    ]
    for mode in Self.modes {
      let loaded = try sieved(rules, mode: mode)
      #expect(loaded.compiled.decisions.allSatisfy { $0.sieve != nil })
      let evaluator = loaded.makeEvaluator()
      for store in stores {
        for tier in ["t0", "t1", "t2", "t3"] {
          let profile = JSONObject([("store", store), ("tier", .string(tier)), ("age", 30)])
          try expectAgreement(loaded, evaluator, .object(profile), "\(store.jsonText) \(tier)")
        }
      }
      try expectAgreement(loaded, evaluator, .object(JSONObject([("tier", "t0")])), "missing")
    }
    // Every rule that tests `store` with numbers only is filed on it (not `[1, "x"]`, `[]`).
    let summary = try #require(try sieved(rules, mode: "").graph(of: "d", format: .text))
    #expect(summary.contains("\n  store: numbers ("), "\(summary)")
    #expect(summary.contains("thresholds), 294 rules"), "\(summary)")
  }

  /// The literal endings a `$regex` requires, and the patterns that require none a byte
  /// suffix can decide.
  @Test func regexEndingsAreReadOnlyFromPlainPatterns() throws {
    func endings(_ pattern: String, caseInsensitive: Bool = false) throws -> [String]? {
      try Pattern(pattern, caseInsensitive: caseInsensitive).requiredEndings?.map {
        String(decoding: $0, as: UTF8.self)
      }
    }
    #expect(try endings(#"@(corp|example)\.com$"#) == ["@corp.com", "@example.com"])
    #expect(try endings(#"^@(?:a\-b|c)$"#) == ["@a-b", "@c"])
    #expect(try endings(#"\.de$"#) == [".de"])
    #expect(try endings(#"(x|)$"#) == ["x", ""])
    #expect(try endings(#"@(a|b\.c)\.com$"#) == ["@a.com", "@b.c.com"])
    #expect(try endings("$") == [""])
    #expect(try endings("é\\$$") == ["é$"])
    // Anything may come before the literal text.
    #expect(try endings(#".+@(gmail|yahoo)\.com$"#) == ["@gmail.com", "@yahoo.com"])
    #expect(try endings(#"^[a-z.]+@corp\.com$"#) == ["@corp.com"])
    #expect(try endings("a.com$") == ["com"])
    #expect(try endings("(a|b)(c)$") == ["c"])
    #expect(try endings("(?=a)b$") == ["b"])
    #expect(try endings("x(a|b)c+d$") == ["d"])
    #expect(try endings(#"\u0041b$"#) == ["b"])
    #expect(try endings(#"\x41\cJb$"#) == ["b"])
    // Legacy forms, which rules documents refuse but payloads may hold: read whole too.
    func legacy(_ pattern: String) -> [String]? {
      Pattern.requiredEndings(of: Array(pattern.utf8))?.map { String(decoding: $0, as: UTF8.self) }
    }
    #expect(legacy(#"\12b$"#) == ["b"])
    #expect(legacy(#"\12$"#) == nil)
    #expect(legacy(#"\u{41}b$"#) == ["b"])
    #expect(legacy(#"\u{41}$"#) == nil)
    #expect(legacy(#"\u{41|b}x$"#) == nil)
    #expect(legacy("a$?") == nil)
    #expect(try endings(#"(?<n>a)\k<n>b$"#) == ["b"])
    #expect(try endings("aé?b$") == ["b"])
    #expect(try endings("a{2,3}b$") == ["b"])
    #expect(try endings("(a|b)$") == ["a", "b"])
    // Not plain: no end anchor, an escaped one, classes, quantifiers, escapes that are not
    // one character, nested or lookaround groups, alternation outside groups, a quantifier
    // after the group, case-insensitive.
    for pattern in [
      "corp", #"corp\$"#, #"\d$"#, "a+$", "(a|b)+$", "(a(b)|c)$", "a|b$", "(a|b)c+$",
      "[ab]$", "a{2}$", "a]$", #"\u0041$"#, #"\x41$"#, "", "^$",
      "a|(b)$", "(a|b)|c$", "ab(?<=b)$", "é+$", "[$]$", "(a$)",
    ] {
      #expect(try endings(pattern) == nil, "\(pattern)")
    }
    #expect(try endings("@corp\\.com$", caseInsensitive: true) == nil)
  }

  /// The endings and beginnings read from a pattern are necessary: on seeded random
  /// patterns (literals, escapes, classes, groups, lookarounds, quantifiers, anchors and
  /// alternation) every string a pattern matches ends with one of its endings and starts
  /// with one of its beginnings, as the pattern engine itself decides the match.
  @Test func regexEndingsAndBeginningsHoldForEveryMatch() throws {
    var random = SeededGenerator(seed: 2026)
    let atoms = [
      "a", "b", "@", #"\."#, ".", "[ab]", #"\d"#, "1", "é", "(a|b)", "(?:ab|@)", "(a|)", "(?=a)",
      #"\b"#, "(a(b)|c)", "[^a]", #"\u0061"#, #"\x62"#, "(?!b)",
    ]
    let quantifiers = ["", "", "", "", "?", "*", "+", "{2}", "{1,2}", "??", "*?"]
    let letters = ["a", "b", "@", ".", "1", "é", "c", "ab"]
    var (endingsChecked, beginningsChecked) = (0, 0)
    for _ in 0..<3000 {
      var pattern = random.chance(0.5) ? "^" : ""
      for _ in 0..<random.int(0, 4) {
        pattern += random.pick(atoms) + random.pick(quantifiers)
      }
      if random.chance(0.1) { pattern += "|" + random.pick(atoms) }
      for _ in 0..<random.int(0, 2) { pattern += random.pick(atoms) }
      if random.chance(0.6) { pattern += "$" }
      guard let compiled = try? Pattern(pattern, caseInsensitive: false) else { continue }
      let endings = compiled.requiredEndings
      let beginnings = compiled.requiredPrefixes
      guard endings != nil || beginnings != nil else { continue }
      for _ in 0..<40 {
        let subject = (0..<random.int(0, 5)).map { _ in random.pick(letters) }.joined()
        guard compiled.matches(subject) else { continue }
        let bytes = Array(subject.utf8)
        if let endings {
          endingsChecked += 1
          #expect(
            endings.contains { bytes.count >= $0.count && Array(bytes.suffix($0.count)) == $0 },
            "\(pattern) matches \(subject) but its endings are \(endings)"
          )
        }
        if let beginnings {
          beginningsChecked += 1
          #expect(
            beginnings.contains { bytes.starts(with: $0) },
            "\(pattern) matches \(subject) but its beginnings are \(beginnings)"
          )
        }
      }
    }
    #expect(
      endingsChecked > 500 && beginningsChecked > 500,
      "\(endingsChecked) \(beginningsChecked)"
    )
  }

  /// Rules whose `$regex` requires literal endings are filed under the suffix filter
  /// beside `$endsWith` rules: the sieve admits them only for values that end right, and
  /// agrees with the interpreter for values that do, do not, are not strings or are missing.
  @Test func sievedRegexEndingsAgreeWithTheInterpreter() throws {
    var rules: [String] = []
    for index in 0..<300 {
      let condition: String
      switch index % 4 {
      case 0: condition = #"{"email": {"$regex": "@(d\#(index % 7)|e\#(index % 5))\\.com$"}}"#
      case 1:
        condition =
          #"{"email": {"$endsWith": "@d\#(index % 7).com"}, "n": {"$gte": \#(index % 9)}}"#
      case 2: condition = #"{"email": {"$regex": "^x@d\#(index % 7)\\.com$", "$exists": true}}"#
      default:
        condition =
          #"{"email": {"$regexi": "@D\#(index % 7)\\.COM$"}, "n": {"$lt": \#(index % 9)}}"#
      }
      rules.append(#"{"id": "r\#(index)", "serve": "v\#(index % 3)", "when": \#(condition)}"#)
    }
    let emails: [JSONValue] = [
      "a@d3.com", "x@d3.com", "a@e4.com", "a@D3.COM", "a@d3.com\n", "a@d3.comx", "a@d3xcom",
      "@d3.com", "", 42, .null, ["a@d3.com"], true,
    ]
    for mode in Self.modes {
      let loaded = try sieved(rules, mode: mode)
      let summary = try #require(loaded.graph(of: "d", format: .text))
      // Every rule but the case-insensitive ones is filed under the suffix filter.
      #expect(summary.contains("email: suffixes (19), 225 rules"), "\(summary)")
      let evaluator = loaded.makeEvaluator()
      for email in emails {
        for n in [JSONValue.number(4), .null] {
          let profile = JSONValue.object(JSONObject([("email", email), ("n", n)]))
          try expectAgreement(loaded, evaluator, profile, "\(profile.jsonText)")
        }
      }
    }
  }

  /// The literal beginnings a `$regex` requires: text after `^` up to the first
  /// construct that is not literal, without a character a quantifier applies to, with
  /// the alternatives of one plain group; none with alternation outside groups.
  @Test func regexPrefixesAreReadOnlyFromPlainBeginnings() throws {
    func prefixes(_ pattern: String, caseInsensitive: Bool = false) throws -> [String]? {
      try Pattern(pattern, caseInsensitive: caseInsensitive).requiredPrefixes?.map {
        String(decoding: $0, as: UTF8.self)
      }
    }
    #expect(try prefixes(#"^\+34"#) == ["+34"])
    #expect(try prefixes(#"^\+34\d{9}$"#) == ["+34"])
    #expect(try prefixes(#"^(ES|PT)-\d+"#) == ["ES-", "PT-"])
    #expect(try prefixes(#"^(?:a|bc)d.*"#) == ["ad", "bcd"])
    #expect(try prefixes("^abc?") == ["ab"])
    #expect(try prefixes("^abc*d") == ["ab"])
    #expect(try prefixes("^ab{2}") == ["a"])
    #expect(try prefixes("^aé?") == ["a"])
    #expect(try prefixes("^(a|b)?c") == nil)
    #expect(try prefixes("^x(a|b)+c") == ["x"])
    #expect(try prefixes("^x(a|b*)c") == ["x"])
    #expect(try prefixes("^x(?=a)") == ["x"])
    #expect(try prefixes("^(a|b)[cd]") == ["a", "b"])
    #expect(try prefixes("^ab(c|d)|e") == nil)
    #expect(try prefixes("^a[|]b") == ["a"])
    #expect(try prefixes(#"^a\|b"#) == ["a|b"])
    // Not required: no start anchor, one that is escaped or inside a group, nothing
    // literal after it, alternation outside groups, case-insensitive.
    for pattern in ["abc", #"\^abc"#, "(^a)", "^", "^.a", "^a|b", "x|^a", "^(a|b)*", ""] {
      #expect(try prefixes(pattern) == nil, "\(pattern)")
    }
    #expect(try prefixes("^abc", caseInsensitive: true) == nil)
  }

  /// Rules whose `$regex` requires literal beginnings are filed under the prefix filter
  /// beside `$startsWith` rules, and the sieve agrees with the interpreter for values
  /// that start right or not, numbers (a pattern tests their text), arrays, `null` and
  /// missing values.
  @Test func sievedRegexPrefixesAgreeWithTheInterpreter() throws {
    var rules: [String] = []
    for index in 0..<300 {
      let condition: String
      switch index % 4 {
      case 0: condition = #"{"phone": {"$regex": "^\\+(3\#(index % 7)|4\#(index % 5))\\d"}}"#
      case 1:
        condition =
          #"{"phone": {"$startsWith": "+3\#(index % 7)"}, "n": {"$gte": \#(index % 9)}}"#
      case 2: condition = #"{"phone": {"$regex": "^3\#(index % 7)[0-9]*$", "$exists": true}}"#
      default:
        condition =
          #"{"phone": {"$regex": "^nul\#(index % 2 == 0 ? "l" : "")"}, "n": {"$lt": \#(index % 9)}}"#
      }
      rules.append(#"{"id": "r\#(index)", "serve": "v\#(index % 3)", "when": \#(condition)}"#)
    }
    let phones: [JSONValue] = [
      "+3512", "+35", "+4412", "+44x", "351", "35", "3x", "null", "nul", "", 351, 35, .null,
      ["+3512"], true,
    ]
    for mode in Self.modes {
      let loaded = try sieved(rules, mode: mode)
      let summary = try #require(loaded.graph(of: "d", format: .text))
      #expect(summary.contains("phone: prefixes ("), "\(summary)")
      #expect(summary.contains(", 300 rules"), "\(summary)")
      let evaluator = loaded.makeEvaluator()
      for phone in phones {
        for n in [JSONValue.number(4), .null] {
          let profile = JSONValue.object(JSONObject([("phone", phone), ("n", n)]))
          try expectAgreement(loaded, evaluator, profile, "\(profile.jsonText)")
        }
        let alone = JSONValue.object(JSONObject([("n", 4)]))
        try expectAgreement(loaded, evaluator, alone, "\(alone.jsonText)")
      }
    }
  }

  /// Version filters compare 16-byte keys first and the whole padded forms on a tie:
  /// operands and values alike in their first 16 padded bytes (pre-releases of one
  /// version, long parts), equal ones, `v` prefixes, build metadata and non-ASCII text
  /// agree with the interpreter.
  @Test func sievedVersionsAgreeWithTheInterpreter() throws {
    let versions = [
      "1.2.3", "1.2.3-alpha.1", "1.2.3-alpha.2", "1.2.3-alpha.10", "1.2.3-beta", "1.2.4",
      "10.20.30", "10.20.30.40", "1.2.3+build.7", "v1.2.3", "1.2", "2", "12345.1.1", "1.2.3-é",
    ]
    var rules: [String] = []
    for index in 0..<280 {
      let low = versions[index % versions.count]
      let high = versions[(index * 7 + 3) % versions.count]
      let condition: String
      switch index % 4 {
      case 0: condition = #"{"app": {"$vgte": "\#(low)"}, "n": {"$gte": \#(index % 5)}}"#
      case 1: condition = #"{"app": {"$vlt": "\#(low)"}, "n": {"$lt": \#(index % 5)}}"#
      case 2: condition = #"{"app": {"$vgt": "\#(low)", "$vlte": "\#(high)"}}"#
      default: condition = #"{"app": {"$veq": "\#(low)"}, "n": {"$exists": true}}"#
      }
      rules.append(#"{"id": "r\#(index)", "serve": "v\#(index % 3)", "when": \#(condition)}"#)
    }
    for mode in Self.modes {
      let loaded = try sieved(rules, mode: mode)
      let summary = try #require(loaded.graph(of: "d", format: .text))
      #expect(summary.contains("app: versions"), "\(summary)")
      let evaluator = loaded.makeEvaluator()
      let values = versions.map { JSONValue.string($0) } + ["1.2.3-alpha.1x", "", 3, .null]
      for app in values {
        let profile = JSONValue.object(JSONObject([("app", app), ("n", .number(2))]))
        try expectAgreement(loaded, evaluator, profile, "\(profile.jsonText)")
      }
    }
  }

  /// Two strings whose version keys differ order as their keys do.
  @Test func versionKeysOrderAsTheirBytes() {
    let texts = [
      "", "a", "a\u{0}", "abc", "abcd", String(repeating: "x", count: 15),
      String(repeating: "x", count: 16),
      String(repeating: "x", count: 17), String(repeating: "x", count: 16) + "a",
      "    1-    2-    3",
      "    1-    2-    3-~", "    1-    2-    4",
    ]
    for a in texts {
      for b in texts {
        let (keyA, keyB) = (
          FlatRules.versionKey(Array(a.utf8)), FlatRules.versionKey(Array(b.utf8))
        )
        guard keyA != keyB else { continue }
        #expect(
          ((keyA.0, keyA.1) < (keyB.0, keyB.1))
            == Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8)),
          "\(a) vs \(b)"
        )
      }
    }
  }

  /// Both modes of a decision, as the text before its variants.
  private static let modes = [#""mode": "all","#, ""]

  /// Decision `d` of `rules` (JSON rule objects) with variants `v0`…`v2`, compiled to a sieve.
  private func sieved(_ rules: [String], mode: String) throws -> Rules {
    let text =
      #"{"tailor": 1, "decisions": {"d": {\#(mode) "variants": {"v0": 0, "v1": 1, "v2": 2}, "rules": ["#
      + rules.joined(separator: ",") + "]}}}"
    return try Rules(json: Array(text.utf8), strategy: .sieve)
  }

  /// Decision `d` for `profile` is the interpreter's, from a profile value and read from
  /// its JSON bytes.
  private func expectAgreement(
    _ loaded: Rules,
    _ evaluator: Evaluator,
    _ profile: JSONValue,
    _ label: String,
    sourceLocation: Testing.SourceLocation = #_sourceLocation
  ) throws {
    let expected = loaded.interpreter.decide("d", for: profile, now: 0)
    #expect(
      evaluator.decide("d", for: Profile(profile), at: Date(timeIntervalSince1970: 0)) == expected,
      "\(label)",
      sourceLocation: sourceLocation
    )
    let prepared = try loaded.prepare(json: Array(profile.jsonText.utf8))
    #expect(
      evaluator.decide("d", for: prepared, at: Date(timeIntervalSince1970: 0)) == expected,
      "\(label) read from bytes",
      sourceLocation: sourceLocation
    )
  }

  @Test func regionsOfComparisons() {
    let thresholds: [Double] = [1, 5, 9]
    // Regions: 0 (<1), 1 (=1), 2, 3 (=5), 4, 5 (=9), 6 (>9).
    #expect(RuleSieve.regions(of: .relation(.greaterOrEqual, 5), thresholds) == (3, 6))
    #expect(RuleSieve.regions(of: .relation(.greater, 5), thresholds) == (4, 6))
    #expect(RuleSieve.regions(of: .relation(.less, 5), thresholds) == (0, 2))
    #expect(RuleSieve.regions(of: .relation(.lessOrEqual, 1), thresholds) == (0, 1))
    thresholds.withUnsafeBufferPointer { buffer in
      #expect(FlatRules.region(of: 0, in: buffer) == 0)
      #expect(FlatRules.region(of: 1, in: buffer) == 1)
      #expect(FlatRules.region(of: 4.5, in: buffer) == 2)
      #expect(FlatRules.region(of: 9, in: buffer) == 5)
      #expect(FlatRules.region(of: 100, in: buffer) == 6)
    }
  }

  /// Every rule a sieve admits for a value is admitted through checkpoints and changes
  /// exactly as by its regions; one-sided, ranges, empty ranges and rules missing the attribute.
  @Test func sievedDecisionsAgreeOnEveryRegion() throws {
    var rules: [String] = []
    for index in 0..<300 {
      let low = index % 40
      let condition: String
      switch index % 5 {
      case 0: condition = #"{"n": {"$gte": \#(low)}}"#
      case 1: condition = #"{"n": {"$lt": \#(low)}}"#
      case 2: condition = #"{"n": {"$gte": \#(low), "$lt": \#(low + index % 7)}}"#
      case 3: condition = #"{"n": {"$gt": \#(low), "$lte": \#(low + 3)}, "k": "a\#(index % 3)"}"#
      default: condition = #"{"k": {"$in": ["a\#(index % 4)", "b"]}}"#
      }
      rules.append(#"{"id": "r\#(index)", "serve": "on", "when": \#(condition)}"#)
    }
    let json = #"""
      {"tailor": 1, "decisions": {"d": {"variants": {"on": true, "off": false}, "default": "off",
        "mode": "all", "rules": [\#(rules.joined(separator: ","))]}}}
      """#
    let sieved = try Rules(json: Array(json.utf8), strategy: .sieve)
    #expect(sieved.compiled.decisions[0].sieve != nil)
    let evaluator = sieved.makeEvaluator()
    var values: [JSONValue] = [.null, .string("x"), .bool(true)]
    for step in -2...90 { values.append(.number(Double(step) / 2)) }
    for n in values {
      for k in [JSONValue.null, .string("a0"), .string("a1"), .string("b"), .string("z")] {
        var object = JSONObject()
        if n != .null { object["n"] = n }
        if k != .null { object["k"] = k }
        let profile = JSONValue.object(object)
        let compiled = evaluator.decide(
          "d",
          for: Profile(profile),
          at: Date(timeIntervalSince1970: 0)
        )
        let interpreted = sieved.interpreter.decide("d", for: profile, now: 0)
        #expect(compiled == interpreted, "\(profile.jsonText)")
      }
    }
  }
}
