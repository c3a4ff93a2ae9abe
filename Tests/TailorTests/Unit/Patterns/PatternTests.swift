import Testing

@testable import Tailor

/// `$regex` patterns: PCRE2 with options that bring it close to JavaScript,
/// and the differences users may meet (documented in the Conditions article).
@Suite struct PatternTests {
  static func matches(
    _ pattern: String,
    _ subject: String,
    caseInsensitive: Bool = false
  ) throws
    -> Bool
  {
    try Pattern(pattern, caseInsensitive: caseInsensitive).matches(subject)
  }

  static func compiles(_ pattern: String) -> Bool {
    (try? Pattern(pattern)) != nil
  }

  @Test(
    "same as JavaScript",
    arguments: [
      // pattern, subject, JavaScript's /pattern/.test(subject)
      ("b", "abc", true),
      ("^b", "abc", false),
      // `$` matches only at the very end (no final-newline exception).
      ("a$", "a\n", false),
      ("a$", "a", true),
      // `.` does not match a line feed.
      ("^a.b$", "a\nb", false),
      // `\d`, `\w` and `\b` are ASCII-only.
      (#"\d"#, "٣", false),
      (#"\d"#, "7", true),
      (#"\w"#, "é", false),
      (#"\bé"#, "é", false),
      // `\uHHHH` and `\xHH` escapes.
      (#"^\u00e9$"#, "é", true),
      (#"^\x41$"#, "A", true),
      // Named groups and their back-references.
      (#"^(?<year>\d{4})-\k<year>$"#, "2020-2020", true),
      (#"^(?<year>\d{4})-\k<year>$"#, "2020-2021", false),
      // Fixed-length lookbehind and lookahead.
      ("(?<=a)b", "ab", true),
      ("(?<!a)b", "ab", false),
      ("a(?=b)", "ab", true),
      // Lazy quantifiers, classes, alternation.
      ("^a+?b$", "aaab", true),
      ("^[a-c]+$", "abcabc", true),
      ("^(cat|dog)$", "dog", true),
    ] as [(String, String, Bool)]
  )
  func likeJavaScript(_ pattern: String, _ subject: String, _ expected: Bool) throws {
    #expect(try PatternTests.matches(pattern, subject) == expected)
  }

  @Test func caseInsensitiveMatchingCoversNonASCII() throws {
    #expect(try PatternTests.matches("é", "É", caseInsensitive: true))
    #expect(try PatternTests.matches("^straße$", "STRASSE", caseInsensitive: true) == false)
    #expect(try PatternTests.matches("abc", "ABC") == false)
  }

  /// Where PCRE2 and JavaScript (without flags) differ.
  @Test func differencesFromJavaScript() throws {
    // Inline flags: JavaScript rejects `(?i)` (so GrowthBook evaluates false); PCRE2 accepts it.
    #expect(try PatternTests.matches("(?i)abc", "ABC"))
    #expect(try PatternTests.matches("(?i:a)b", "Ab"))
    // Possessive quantifiers, atomic groups, `\A`, `\z` and comments: PCRE2 syntax, JavaScript errors or literals.
    #expect(try PatternTests.matches("^a++$", "aaa"))
    #expect(try PatternTests.matches("^(?>a)$", "a"))
    #expect(try PatternTests.matches(#"\Aab\z"#, "ab"))
    #expect(try PatternTests.matches("(?#note)a", "a"))
    // `.` matches one code point in UTF mode; in JavaScript without `u`, one UTF-16 code unit.
    #expect(try PatternTests.matches("^.$", "😀"))
    // `\u{…}` is a code point in PCRE2; in JavaScript without `u`, a repeated `u`.
    #expect(try PatternTests.matches(#"^\u{1F600}$"#, "😀"))
    // `\s` is ASCII-only in PCRE2 without UCP; JavaScript's `\s` includes U+00A0 and U+FEFF.
    #expect(try PatternTests.matches(#"\s"#, "\u{A0}") == false)
    #expect(try PatternTests.matches(#"\s"#, " "))
    // `.` excludes only the line feed; JavaScript's also excludes \r, U+2028 and U+2029.
    #expect(try PatternTests.matches("^a.b$", "a\rb"))
    #expect(try PatternTests.matches("^a.b$", "a\u{2028}b"))
    // `\p{…}` and `\h` are PCRE2 classes; JavaScript without `u` reads the letters `p` and `h`.
    #expect(try PatternTests.matches(#"^\p{L}$"#, "é"))
    #expect(try PatternTests.matches(#"\h"#, "\t"))
    // `[^]` (any character in JavaScript) is an unterminated class in PCRE2.
    #expect(!PatternTests.compiles("[^]"))
    // Unbounded lookbehind: JavaScript accepts it, PCRE2 does not compile it.
    #expect(!PatternTests.compiles("(?<=a+)b"))
    // A back-reference to a group that does not exist: JavaScript reads an escape, PCRE2 fails.
    #expect(!PatternTests.compiles(#"(a)\2"#))
  }

  @Test func invalidPatternsReportPCRE2MessageAndOffset() {
    #expect(throws: Pattern.CompileError.self) { try Pattern("(") }
    do {
      _ = try Pattern("ab(c")
      Issue.record("compiled")
    } catch {
      #expect(error.message.contains("parenthesis"))
      #expect(error.offset == 4)
    }
    do {
      _ = try Pattern("é[")
      Issue.record("compiled")
    } catch {
      // Offsets are UTF-8 bytes.
      #expect(error.offset == 3)
    }
  }

  @Test func searchesThatHitTheMatchLimitAreCountedAsNoMatch() throws {
    let pattern = try Pattern("^(a+)+$")
    #expect(pattern.limitHits == 0)
    #expect(pattern.matches(String(repeating: "a", count: 30) + "b") == false)
    #expect(pattern.limitHits == 1)
    #expect(pattern.matches(String(repeating: "a", count: 30)))
    #expect(pattern.limitHits == 1)
  }

  @Test func equalityAndDescription() throws {
    #expect(try Pattern("a.c") == Pattern("a.c"))
    #expect(try Pattern("a.c") != Pattern("a.c", caseInsensitive: true))
    #expect(try Pattern("a/c", caseInsensitive: true).description == "/a/c/i")
    #expect(try Pattern("^$").matches(""))
  }
}
