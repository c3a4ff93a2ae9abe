import TailorTestSupport
import Testing

@testable import Tailor

/// Patterns are JavaScript regular expressions (ECMAScript 2023 without the `u`
/// flag): what JavaScript rejects is refused in documents and false in GrowthBook
/// mode; JavaScript's meaning wins where PCRE2 would read the text differently.
@Suite struct JavaScriptPatternTests {
  /// A construct JavaScript rejects, the start of the message, and its byte offset.
  struct Refusal: Sendable, CustomTestStringConvertible {
    var pattern: String
    var message: String
    var offset: Int
    var testDescription: String { "/\(pattern)/" }
    init(_ pattern: String, _ message: String, at offset: Int) {
      self.pattern = pattern
      self.message = message
      self.offset = offset
    }
  }

  static let notJavaScript: [Refusal] = [
    .init("(?i)abc", "`(?i` is not a JavaScript group", at: 0),
    .init("x(?i:a)b", "`(?i` is not a JavaScript group", at: 1),
    .init("^a*+$", "possessive quantifier `*+` is not JavaScript", at: 3),
    .init("a++", "possessive quantifier `++` is not JavaScript", at: 2),
    .init("a{2}+", "possessive quantifier `{2}+` is not JavaScript", at: 4),
    .init("(?>a)", "`(?>` is not a JavaScript group", at: 0),
    .init("(?#note)a", "`(?#` is not a JavaScript group", at: 0),
    .init("(?P<n>a)", "`(?P` is not a JavaScript group", at: 0),
    .init("(a)(?(1)b|c)", "`(?(` is not a JavaScript group", at: 3),
    .init("a(?R)", "`(?R` is not a JavaScript group", at: 1),
    .init("(a)(?1)", "`(?1` is not a JavaScript group", at: 3),
    .init("(?|a)", "`(?|` is not a JavaScript group", at: 0),
    .init("(?'n'a)", "`(?'` is not a JavaScript group", at: 0),
    .init("*a", "`*` has nothing to repeat", at: 0),
    .init("a**", "`*` has nothing to repeat", at: 2),
    .init("a|?", "`?` has nothing to repeat", at: 2),
    .init("{1}", "`{` has nothing to repeat", at: 0),
    .init("^*", "`*` has nothing to repeat", at: 1),
    .init("$+", "`+` has nothing to repeat", at: 1),
    .init(#"\b+"#, "`+` has nothing to repeat", at: 2),
    .init("(?<=a)?", "`?` has nothing to repeat", at: 6),
    .init("a{2,1}", "numbers out of order in `{}` quantifier", at: 1),
    .init("[z-a]", "range out of order in character class", at: 0),
    .init("ab(c", "missing closing parenthesis", at: 4),
    .init("a)", "unmatched closing parenthesis", at: 1),
    .init("[a", "missing terminating `]` for character class", at: 2),
    .init("a\\", "`\\` at end of pattern", at: 1),
    .init("(?<n>a)(?<n>b)", "duplicate group name `n`", at: 7),
    .init("(?<n>a)\\k<m>", "no group is named `m`", at: 7),
    .init("(?<n>a)\\k", "`\\k` must name a group as `\\k<name>`", at: 7),
    .init("(?<1a>x)", "invalid group name", at: 0),
    .init("(?<>x)", "invalid group name", at: 0),
    .init("é(?<n", "invalid group name", at: 2),
    // What JavaScript accepts but Tailor cannot run the same way.
    .init(#"\uD83D"#, "lone surrogate escapes are not supported", at: 0),
    .init("😀+", "a quantifier after a character beyond U+FFFF", at: 0),
    .init("[😀]", "a character beyond U+FFFF in a class", at: 1),
    .init("a{0,70000}", "quantifier bounds above 65535 are not supported", at: 1),
  ]

  @Test("refused in both modes", arguments: notJavaScript)
  func refused(_ refusal: Refusal) throws {
    for legacy in [false, true] {
      do {
        _ = try Pattern(refusal.pattern, legacySyntax: legacy)
        Issue.record("compiled with legacySyntax: \(legacy)")
      } catch {
        #expect(error.message.hasPrefix(refusal.message), "\(error.message)")
        #expect(error.offset == refusal.offset)
      }
    }
  }

  /// `text` as a JSON string literal.
  static func quoted(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"", "\\": result += "\\" + String(scalar)
      case "\u{0}"..."\u{1F}":
        result +=
          "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
          + String(scalar.value, radix: 16)
      default: result.unicodeScalars.append(scalar)
      }
    }
    return result + "\""
  }

  /// GrowthBook's `evalCondition` of `{"x": {"$regex": pattern}}` (or its `$not`) on `{"x": subject}`.
  static func growthBook(_ pattern: String, _ subject: String, negated: Bool = false) throws -> Bool
  {
    let regex = #"{"$regex": "# + quoted(pattern) + "}"
    let condition = #"{"x": "# + (negated ? #"{"$not": "# + regex + "}" : regex) + "}"
    return GrowthBook.evaluateCondition(
      try JSONReader.parse(condition),
      attributes: try JSONReader.parse(#"{"x": "# + quoted(subject) + "}"),
      savedGroups: [:]
    )
  }

  @Test("refused in a document, false in GrowthBook mode", arguments: notJavaScript)
  func documentsAndGrowthBook(_ refusal: Refusal) throws {
    #expect(try JavaScriptPatternTests.growthBook(refusal.pattern, refusal.pattern) == false)
    #expect(try JavaScriptPatternTests.growthBook(refusal.pattern, refusal.pattern, negated: true))

    let text = ConditionCase.document(
      when: #"{"x": {"$regex": "# + JavaScriptPatternTests.quoted(refusal.pattern) + "}}"
    )
    do {
      _ = try Rules(json: text)
      Issue.record("the document loaded")
    } catch {
      let diagnostic = try #require(error.errors.first)
      #expect(error.errors.count == 1)
      #expect(diagnostic.code == .invalidPattern)
      #expect(diagnostic.message.hasPrefix("invalid pattern: " + refusal.message))
      #expect(diagnostic.message.hasSuffix(" at offset \(refusal.offset)"))
      #expect(diagnostic.location.pointer.description == "/decisions/d/rules/0/when/x/$regex")
      #expect(diagnostic.location.span == refusal.offset..<refusal.offset)
    }
  }

  /// JavaScript's legacy forms: refused in documents, JavaScript's meaning in GrowthBook mode.
  static let legacy: [(pattern: String, message: String, subject: String, matches: Bool)] = [
    (#"\Aab"#, "`\\A` is not a JavaScript escape; JavaScript reads it as `A`", "Aab", true),
    (#"\Aab"#, "`\\A`", "ab", false),
    (#"ab\Z"#, "`\\Z`", "abZ", true),
    (#"ab\z"#, "`\\z`", "ab", false),
    (#"\Ga"#, "`\\G`", "Ga", true),
    (#"\Qa.b\E"#, "`\\Q`", "Qa-bE", true),
    (#"a\hb"#, "`\\h`", "a\tb", false),
    (#"a\Rb"#, "`\\R`", "aRb", true),
    (#"a\Kb"#, "`\\K`", "aKb", true),
    (#"^\p{L}$"#, "`\\p`", "p{L}", true),
    (#"^\p{1}$"#, "`\\p`", "p", true),
    (#"^\e$"#, "`\\e`", "e", true),
    (#"^\8$"#, "`\\8`", "8", true),
    (#"^\1$"#, "`\\1` is a legacy octal escape", "\u{1}", true),
    (#"^(a)\2$"#, "`\\2` is a legacy octal escape", "a\u{2}", true),
    (#"^\012$"#, "`\\012` is a legacy octal escape", "\n", true),
    (#"^\18$"#, "`\\1` is a legacy octal escape", "\u{1}8", true),
    (#"^\c1$"#, "`\\c` must be followed by a letter", "\\c1", true),
    (#"^[\c]$"#, "`\\c` must be followed by a letter", "\\", true),
    (#"^\x4$"#, "`\\x`", "x4", true),
    (#"^\u00e$"#, "`\\u`", "u00e", true),
    (#"^\u{2}$"#, "`\\u`", "uu", true),
    (#"^\k$"#, "`\\k`", "k", true),
    ("^[[:alpha:]]+$", "`[:` in a class is POSIX syntax", "a]", true),
    ("^[[:alpha:]]+$", "`[:` in a class is POSIX syntax", "abc", false),
  ]

  @Test(
    "legacy forms",
    arguments: legacy.map { [$0.pattern, $0.message, $0.subject, $0.matches ? "yes" : "no"] }
  )
  func legacyForms(_ row: [String]) throws {
    let (pattern, message, subject, matches) = (row[0], row[1], row[2], row[3] == "yes")
    do {
      _ = try Pattern(pattern)
      Issue.record("a document accepted /\(pattern)/")
    } catch {
      #expect(error.message.hasPrefix(message), "\(error.message)")
    }
    #expect(try Pattern(pattern, legacySyntax: true).matches(subject) == matches)
    #expect(try JavaScriptPatternTests.growthBook(pattern, subject) == matches)
  }

  /// Where PCRE2's own reading differs, JavaScript's meaning is kept in both modes.
  @Test(
    "JavaScript's meaning",
    arguments: [
      // `$` only at the very end.
      ("a$", "a\n", false),
      ("a$", "a", true),
      // `.` excludes every line terminator.
      ("^a.b$", "a\rb", false),
      ("^a.b$", "a\u{2028}b", false),
      ("^a.b$", "a\tb", true),
      // `\s` is JavaScript's white space; `\S` its complement, also in classes.
      (#"\s"#, "\u{A0}", true),
      (#"\s"#, "\u{FEFF}", true),
      (#"\s"#, "\u{85}", false),
      (#"^\S$"#, "\u{3000}", false),
      (#"^[\S]$"#, "x", true),
      (#"^[\S]$"#, " ", false),
      (#"^[\Sa]$"#, "\u{A0}", false),
      (#"^[^\S]$"#, "\u{A0}", true),
      (#"^[^\Sa]$"#, " ", true),
      (#"^[^\Sa]$"#, "x", false),
      // `\d` and `\w` stay ASCII.
      (#"\d"#, "٣", false),
      (#"\w"#, "é", false),
      (#"^[\w-]+$"#, "a-b", true),
      (#"^[\d-z]+$"#, "1-z", true),
      // `[^]` is any character, `[]` nothing; `]` right after `[` closes the class.
      ("^[^]$", "\n", true),
      ("[]", "", false),
      ("^[]]$", "]", false),
      ("^[]]$", "", false),
      ("^[^]]$", "a]", true),
      // `]`, `}` and a `{` that starts no quantifier are literals.
      ("^a]$", "a]", true),
      ("^a{$", "a{", true),
      ("^a{1,$", "a{1,", true),
      ("^a{,2}$", "a{,2}", true),
      ("^x}$", "x}", true),
      ("^a{2}$", "aa", true),
      // `\cX`, `\0`, `\xHH`, `\uHHHH`, a surrogate pair, `\b` in a class.
      (#"^\cJ$"#, "\n", true),
      (#"^\cj$"#, "\n", true),
      (#"^[\c_]$"#, "\u{1F}", true),
      (#"^\0$"#, "\u{0}", true),
      (#"^\x41\u00e9$"#, "Aé", true),
      (#"^\uD83D\uDE00$"#, "😀", true),
      (#"^[\b]$"#, "\u{8}", true),
      (#"\bab"#, "ab", true),
      // Back-references: numbered, named, forward and to groups that did not take part.
      (#"^(a)\1$"#, "aa", true),
      (#"^(?<year>\d{4})-\k<year>$"#, "2020-2020", true),
      (#"^(?<year>\d{4})-\k<year>$"#, "2020-2021", false),
      (#"^(?:(a)|b)\1c$"#, "bc", true),
      (#"^\1(a)$"#, "a", true),
      (#"^(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)\10$"#, "abcdefghijj", true),
      // Group names may be any identifier.
      (#"^(?<$été>x)\k<$été>$"#, "xx", true),
      // Lookaround, also a quantified lookahead.
      ("(?<=a)b", "ab", true),
      ("(?<!a)b", "ab", false),
      ("^(?=a)*a$", "a", true),
      // Characters that are PCRE2 syntax in other positions are literals here.
      ("^#a b$", "#a b", true),
      (#"^a\/b$"#, "a/b", true),
      (#"^a\-b$"#, "a-b", true),
      (#"^\$\^$"#, "$^", true),
      ("^😀$", "😀", true),
      ("^(?:😀)+$", "😀😀", true),
    ] as [(String, String, Bool)]
  )
  func javaScriptMeaning(_ pattern: String, _ subject: String, _ expected: Bool) throws {
    #expect(try Pattern(pattern).matches(subject) == expected)
    #expect(try Pattern(pattern, legacySyntax: true).matches(subject) == expected)
  }

  /// JavaScript accepts lookbehind of any length; PCRE2 (before 10.43) only of bounded length.
  @Test func unboundedLookbehindRunsOrIsRefusedAsUnsupported() throws {
    do {
      #expect(try Pattern("(?<=a+)b").matches("aab"))
    } catch {
      #expect(error.message.hasPrefix("not supported: "), "\(error.message)")
    }
  }

  @Test func caseInsensitiveClassesAndBackReferences() throws {
    #expect(try Pattern("^[a-c]+$", caseInsensitive: true).matches("AbC"))
    #expect(try Pattern(#"^(a)\1$"#, caseInsensitive: true).matches("aA"))
    #expect(try Pattern(#"^[^a]$"#, caseInsensitive: true).matches("A") == false)
  }

  @Test func deepNestingIsRefusedWithoutCrashing() {
    let deep = String(repeating: "(", count: 100_000) + String(repeating: ")", count: 100_000)
    do {
      _ = try Pattern(deep, legacySyntax: true)
      Issue.record("compiled")
    } catch {
      #expect(error.message == "parentheses are nested too deeply")
      #expect(error.offset == JavaScriptPattern.maximumDepth)
    }
    let shallow = String(repeating: "(", count: 200) + "a" + String(repeating: ")", count: 200)
    #expect(throws: Never.self) { try Pattern(shallow) }
  }

  @Test func manyUnterminatedGroupNamesAreRefusedAtTheFirst() {
    do {
      _ = try Pattern(String(repeating: "(?<a", count: 50_000), legacySyntax: true)
      Issue.record("compiled")
    } catch {
      #expect(error.message == "invalid group name")
      #expect(error.offset == 0)
    }
  }

  @Test func hugeQuantifierNumbersDoNotOverflow() {
    #expect(throws: Pattern.CompileError.self) { try Pattern("a{99999999999999999999999}") }
    #expect(throws: Pattern.CompileError.self) { try Pattern("a{1,99999999999999999999999}") }
  }

  /// Random text made of regex syntax never crashes the translator, and what a
  /// document accepts GrowthBook mode accepts with the same meaning.
  @Test func randomPatternsTranslateWithoutCrashing() throws {
    var random = SeededGenerator(seed: 13)
    let pieces = [
      "(", ")", "(?:", "(?=", "(?!", "(?<=", "(?<!", "(?<n>", "(?<m>", "\\k<n>", "[", "]", "[^",
      "-", "^", "$", "|", "*", "+", "?", "{", "}", "{2}", "{1,}", "{0,3}", ",", ".", "\\",
      "\\d", "\\s", "\\S", "\\w", "\\b", "\\B", "\\1", "\\2", "\\0", "\\c", "\\x4",
      "\\u00", "\\uD83D", "\\uDE00", "a", "b", "7", "é", "😀", ":", "\n",
    ]
    let subjects = ["", "a", "ab", "aab7", "a b", "é😀", "\n", "-a-", "ba"]
    for _ in 0..<3_000 {
      var pattern = ""
      for _ in 0..<Int(random.next() % 8) { pattern += random.pick(pieces) }
      let strict = try? Pattern(pattern)
      let legacy = try? Pattern(pattern, legacySyntax: true)
      if let strict {
        let legacy = try #require(legacy, "/\(pattern)/")
        for subject in subjects {
          #expect(strict.matches(subject) == legacy.matches(subject), "/\(pattern)/ on \(subject)")
        }
      }
    }
  }
}
