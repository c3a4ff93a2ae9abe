import Testing

@testable import Tailor

/// `$regex` patterns: JavaScript regular expressions run by PCRE2, and the
/// differences users may meet (documented in the Conditions article).
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

  /// What still differs from JavaScript without the `u` flag, which works on
  /// UTF-16 code units: Tailor matches code points (documented in the Conditions article).
  @Test func differencesFromJavaScript() throws {
    // `.` matches one code point; in JavaScript one UTF-16 code unit, so `^.$` fails on `😀` there.
    #expect(try PatternTests.matches("^.$", "😀"))
    #expect(try PatternTests.matches("^a.b$", "a😀b"))
    // A negated class also takes a whole code point.
    #expect(try PatternTests.matches("^[^a]$", "😀"))
    // Case folding is Unicode's: `s` matches `ſ` (U+017F), which JavaScript's `i` flag keeps apart.
    #expect(try PatternTests.matches("^s$", "\u{17F}", caseInsensitive: true))
  }

  @Test func invalidPatternsReportTheirMessageAndOffset() {
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
