import CPCRE2
import Synchronization

/// A regular expression for `$regex` and `$regexi`: a JavaScript regular
/// expression, translated to PCRE2 and compiled and JIT-compiled once, then
/// shared by every evaluation.
///
/// The pattern is read as JavaScript's `new RegExp(pattern, flags)` reads it
/// (ECMAScript 2023, without the `u` flag) and rewritten into PCRE2 syntax with
/// the same meaning, so constructs only PCRE2 knows — inline flags `(?i)`,
/// possessive quantifiers, atomic groups, `(?#…)`, `(?P<n>…)` — are compile
/// errors, and `.`, `\s`, `$`, `[^]`, `\cX`, octal escapes and back-references
/// to unset groups behave as in JavaScript. By default the legacy forms that
/// JavaScript reads differently from other dialects (`\A`, `\z`, `\h`, `\p`,
/// `\8`, `[[:alpha:]]`, octal escapes such as `\1` without a first group) are
/// errors too; `legacySyntax` accepts them with JavaScript's meaning.
///
/// Matching is an unanchored search, like JavaScript's `RegExp.prototype.test`.
/// A match and depth limit bound every search; a search that hits a limit
/// counts as no match and increments ``limitHits``.
package final class Pattern: @unchecked Sendable, Hashable, CustomStringConvertible {
  /// Why a pattern did not compile: a message and the byte offset in the pattern.
  package struct CompileError: Error, Sendable, Hashable {
    /// What is wrong, naming the construct.
    package var message: String
    /// The UTF-8 byte offset in the pattern of the construct.
    package var offset: Int
  }

  // @unchecked: `code` is an opaque pointer. PCRE2 compiled code is immutable
  // after JIT compilation and safe to share between threads; match data is never
  // shared (see MatchResources), and `hits` is atomic.

  /// The pattern text.
  package let source: String
  /// Whether matching ignores case (`$regexi`).
  package let isCaseInsensitive: Bool
  private let code: OpaquePointer
  private let isJIT: Bool
  private let hits = Atomic<Int>(0)

  /// The match-step limit of one search.
  package static let matchLimit: UInt32 = 200_000
  /// The backtracking depth limit of one (non-JIT) search.
  package static let depthLimit: UInt32 = 2_000

  /// Compiles `source`, a JavaScript regular expression.
  ///
  /// - Parameters:
  ///   - source: The pattern, as between the slashes of a JavaScript literal.
  ///   - caseInsensitive: Whether to match as with JavaScript's `i` flag.
  ///   - legacySyntax: Whether to accept JavaScript's legacy forms (identity
  ///     escapes such as `\A`, octal escapes) with their JavaScript meaning, as
  ///     GrowthBook payloads do; rules documents refuse them.
  /// - Throws: ``CompileError`` with a message and the offset in `source`.
  package init(
    _ source: String,
    caseInsensitive: Bool = false,
    legacySyntax: Bool = false
  ) throws(CompileError) {
    self.source = source
    self.isCaseInsensitive = caseInsensitive
    let translation = try JavaScriptPattern.translate(source, strict: !legacySyntax)
    var options =
      TAILOR_PCRE2_UTF | TAILOR_PCRE2_DOLLAR_ENDONLY | TAILOR_PCRE2_MATCH_UNSET_BACKREF
    if caseInsensitive { options |= TAILOR_PCRE2_CASELESS }
    let context = tailor_pcre2_compile_context_create()
    defer { tailor_pcre2_compile_context_free(context) }
    var errorCode: Int32 = 0
    var errorOffset = 0
    var text = translation.translated
    let compiled = text.withUTF8 { bytes in
      tailor_pcre2_compile(
        bytes.baseAddress,
        bytes.count,
        options,
        context,
        &errorCode,
        &errorOffset
      )
    }
    guard let compiled else {
      // JavaScript accepts the pattern but PCRE2 cannot run it (for example a
      // lookbehind of unbounded length).
      throw CompileError(
        message: "not supported: " + Pattern.message(for: errorCode),
        offset: translation.sourceOffset(forTranslated: errorOffset)
      )
    }
    code = compiled
    isJIT = tailor_pcre2_jit_compile(compiled) == 0
  }

  deinit { tailor_pcre2_code_free(code) }

  /// PCRE2's text for an error code.
  static func message(for code: Int32) -> String {
    var buffer = [UInt8](repeating: 0, count: 256)
    let length = tailor_pcre2_error_message(code, &buffer, buffer.count)
    guard length > 0 else { return "error \(code)" }
    return String(decoding: buffer[0..<Int(length)], as: UTF8.self)
  }

  /// How many searches with this pattern stopped at a limit.
  package var limitHits: Int { hits.load(ordering: .relaxed) }

  /// Whether the pattern matches anywhere in `subject`.
  package func matches(_ subject: String) -> Bool {
    var text = subject
    return text.withUTF8 { matches(bytes: $0) }
  }

  /// Whether the pattern matches anywhere in UTF-8 `bytes` (which must be valid UTF-8).
  package func matches(bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    let resources = MatchResources.acquire()
    defer { MatchResources.release(resources) }
    return matches(bytes: bytes, using: resources)
  }

  /// Whether the pattern matches anywhere in `subject`, with the caller's match resources.
  func matches(_ subject: String, using resources: MatchResources) -> Bool {
    var text = subject
    return text.withUTF8 { matches(bytes: $0, using: resources) }
  }

  func matches(bytes: UnsafeBufferPointer<UInt8>, using resources: MatchResources) -> Bool {
    var empty: UInt8 = 0
    let result = withUnsafePointer(to: &empty) { emptySubject in
      isJIT
        ? tailor_pcre2_jit_match(
          code,
          bytes.baseAddress ?? emptySubject,
          bytes.count,
          0,
          resources.data,
          resources.context
        )
        : tailor_pcre2_match(
          code,
          bytes.baseAddress ?? emptySubject,
          bytes.count,
          TAILOR_PCRE2_NO_UTF_CHECK,
          resources.data,
          resources.context
        )
    }
    if result >= 0 { return true }
    if result != TAILOR_PCRE2_ERROR_NOMATCH {
      // Match, depth, heap or JIT stack limit: no match, counted.
      hits.add(1, ordering: .relaxed)
    }
    return false
  }

  /// `/source/` or `/source/i`.
  package var description: String { "/\(source)/" + (isCaseInsensitive ? "i" : "") }

  /// Patterns are equal when their source and flags are.
  package static func == (lhs: Pattern, rhs: Pattern) -> Bool {
    lhs.isCaseInsensitive == rhs.isCaseInsensitive && JSONValue.sameBytes(lhs.source, rhs.source)
  }

  /// Hashes source and flags.
  package func hash(into hasher: inout Hasher) {
    hasher.combine(isCaseInsensitive)
    JSONValue.hashBytes(source, into: &hasher)
  }
}

/// Match data and a limited match context, pooled so a search allocates nothing.
///
/// An ``Evaluator`` owns one set; other callers borrow from the pool.
struct MatchResources: @unchecked Sendable {
  // @unchecked: opaque pointers to PCRE2 memory that searches write. A set is used
  // by one thread at a time: its evaluator's (evaluators are not `Sendable`), or
  // the borrower's that took it from the pool under the lock until it puts it back.
  let data: OpaquePointer
  let context: OpaquePointer

  /// A new set, owned by the caller (see ``free()``).
  static func make() -> MatchResources {
    guard let data = tailor_pcre2_match_data_create(),
      let context = tailor_pcre2_match_context_create(Pattern.matchLimit, Pattern.depthLimit)
    else { fatalError("PCRE2 could not allocate match data") }
    return MatchResources(data: data, context: context)
  }

  /// Frees a set made with ``make()``.
  func free() {
    tailor_pcre2_match_data_free(data)
    tailor_pcre2_match_context_free(context)
  }

  private static let pool = Mutex<[MatchResources]>([])

  static func acquire() -> MatchResources {
    if let pooled = pool.withLock({ $0.popLast() }) { return pooled }
    return make()
  }

  static func release(_ resources: MatchResources) {
    pool.withLock { $0.append(resources) }
  }
}
