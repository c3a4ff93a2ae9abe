import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A loaded, validated rules document, ready to answer decisions.
///
/// Loading reports every problem in the document at once; an invalid document
/// never yields a `Rules` value.
///
/// ```swift
/// let rules = try Rules(json: #"{"tailor": 1, "decisions": {"hero": {"variants": {"a": 1}, "default": "a"}}}"#)
/// let profile = try Profile(json: #"{"country": "ES"}"#)
/// let decision = rules.decide("hero", for: profile)
/// print(decision?.variant ?? "none")  // a
/// ```
public final class Rules: Sendable {
  /// The validated document.
  package let document: Document
  /// Warnings found while loading (they never block).
  public let warnings: [Diagnostic]
  /// The reference interpreter for this document.
  package let interpreter: ReferenceInterpreter
  let compiled: CompiledRules
  let flat: FlatRules
  private let pool = Mutex<[PooledEvaluator]>([])

  /// Loads a rules document from UTF-8 bytes.
  ///
  /// - Parameters:
  ///   - json: the document's bytes.
  ///   - file: the file name used in diagnostics, if any.
  ///   - analyze: whether to run the analyses that only warn (unreachable rules,
  ///     comparisons that match missing attributes, unused segments and variants);
  ///     turn them off to load very large documents faster. Errors are always checked.
  ///
  /// Loading may start threads of its own, one at a time, each joined within the call: one
  /// parses half the rules of a decision of 2,048 rules or more, and one runs the analyses
  /// while the document compiles.
  /// - Throws: ``TailorError`` with every diagnostic, sorted by position.
  /// - Complexity: O(document size).
  public convenience init(
    json: [UInt8],
    file: String? = nil,
    analyze: Bool = true
  )
    throws(TailorError)
  {
    try self.init(json: json, file: file, analyze: analyze, strategy: .automatic)
  }

  /// Loads a rules document compiled with `strategy` (tests compare the strategies).
  init(
    json: [UInt8],
    file: String? = nil,
    analyze: Bool = true,
    strategy: Compiler.Strategy
  ) throws(TailorError) {
    // A valid document is compiled while the analyses run on another thread.
    var built: (compiled: CompiledRules, flat: FlatRules)?
    let loaded = DocumentLoader.load(json, file: file, analyze: analyze) { document in
      let compiled = Compiler.compile(document, strategy: strategy)
      built = (compiled, FlatRules(compiled))
    }
    switch loaded {
    case .success(let loaded):
      document = loaded.document
      warnings = loaded.warnings
      interpreter = ReferenceInterpreter(loaded.document)
      let (compiled, flat) =
        built
        ?? {
          let compiled = Compiler.compile(loaded.document, strategy: strategy)
          return (compiled, FlatRules(compiled))
        }()
      self.compiled = compiled
      self.flat = flat
      if InternalChecks.isEnabled { InternalChecks.verify(compiled, flat) }
    case .failure(let error):
      throw error
    }
  }

  /// Loads a rules document from a string.
  ///
  /// - Throws: ``TailorError`` with every diagnostic.
  public convenience init(json: String, file: String? = nil) throws(TailorError) {
    try self.init(json: Array(json.utf8), file: file)
  }

  /// Loads a rules document from a file.
  ///
  /// - Throws: ``TailorError``; an unreadable file is reported with code `file_unreadable`.
  public convenience init(contentsOfFile path: String) throws(TailorError) {
    switch FileReader.read(path) {
    case .success(let bytes):
      try self.init(json: bytes, file: path)
    case .failure(let error):
      var diagnostic = Diagnostic(
        .fileUnreadable,
        at: .root,
        "cannot read `\(path)`: \(error.message)"
      )
      diagnostic.location.file = path
      throw TailorError(diagnostics: [diagnostic])
    }
  }

  /// The names of the decisions, in document order.
  public var decisionNames: [String] { document.decisions.map(\.name) }

  /// The decisions whose rollouts or splits bucket on the attribute at `path` (as
  /// written, such as `id` or `user.id`), in document order.
  ///
  /// For servers built on Tailor, which tell a missing bucketing attribute apart
  /// from a miss (OFREP's `TARGETING_KEY_MISSING` in `tailor-http`).
  @_spi(Server) public func decisionsBucketing(on path: String) -> [String] {
    document.decisions.filter { decision in
      decision.rules.contains { rule in
        switch rule.action {
        case .serve: false
        case .rollout(_, let rollout): JSONValue.sameBytes(rollout.by.text, path)
        case .split(let split): JSONValue.sameBytes(split.by.text, path)
        }
      }
    }.map(\.name)
  }

  /// A new evaluator for this document, to be used by one thread at a time.
  ///
  /// Keeping one evaluator per thread is the fastest way to decide many profiles.
  public func makeEvaluator() -> Evaluator { Evaluator(flat) }

  /// Reads a profile into the slots these rules use.
  ///
  /// - Complexity: O(attribute paths the rules read).
  public func prepare(_ profile: Profile) -> PreparedProfile {
    PreparedProfile(flat, root: profile.root)
  }

  /// Reads a profile straight from the JSON text of an object, decoding only the
  /// fields these rules read and validating the rest.
  ///
  /// A repeated key keeps its last value.
  ///
  /// - Parameters:
  ///   - bytes: the JSON text of the profile.
  ///   - maxDepth: the deepest nesting accepted.
  /// - Returns: the profile's attributes that these rules read.
  /// - Throws: ``JSONReader/SyntaxError`` for invalid JSON.
  /// - Complexity: O(bytes).
  public func prepare(
    json bytes: UnsafeBufferPointer<UInt8>,
    maxDepth: Int = 512
  ) throws(JSONReader.SyntaxError)
    -> PreparedProfile
  {
    try PreparedProfile(flat, json: bytes, maxDepth: maxDepth)
  }

  /// Reads a profile straight from JSON text into an existing prepared profile,
  /// reusing its memory: the fastest way to read one profile after another.
  ///
  /// On an error the profile's contents are unspecified (but valid).
  ///
  /// - Throws: ``JSONReader/SyntaxError`` for invalid JSON.
  public func prepare(
    json bytes: UnsafeBufferPointer<UInt8>,
    into profile: inout PreparedProfile,
    maxDepth: Int = 512
  )
    throws(JSONReader.SyntaxError)
  {
    if profile.layout != ObjectIdentifier(flat) {
      profile = try prepare(json: bytes, maxDepth: maxDepth)
      return
    }
    profile.reset(flat)
    try profile.read(flat, json: bytes, maxDepth: maxDepth)
  }

  /// Reads the profile object that opens at `offset` of a larger JSON text (a
  /// request line, say) into an existing prepared profile, in the same pass that
  /// finds where the object ends.
  ///
  /// On an error the profile's contents are unspecified (but valid).
  ///
  /// - Parameters:
  ///   - text: the JSON text that holds the object.
  ///   - offset: the offset of the object's `{` in `text`.
  ///   - profile: the profile to fill; its memory is reused.
  ///   - maxDepth: the deepest nesting accepted, the object itself being depth 1.
  /// - Returns: the offset just past the object's closing `}`.
  /// - Throws: ``JSONReader/SyntaxError`` for invalid JSON.
  /// - Precondition: `text[offset]` is `{`.
  /// - Complexity: O(bytes of the object).
  package func prepare(
    json text: UnsafeBufferPointer<UInt8>,
    objectAt offset: Int,
    into profile: inout PreparedProfile,
    maxDepth: Int = 512
  ) throws(JSONReader.SyntaxError) -> Int {
    try profile.prepare(flat, json: text, objectAt: offset, maxDepth: maxDepth)
  }

  /// An empty prepared profile (every attribute missing), to reuse with ``prepare(json:into:maxDepth:)``.
  public func emptyProfile() -> PreparedProfile { PreparedProfile(flat) }

  /// Reads a profile straight from JSON bytes (see ``prepare(json:maxDepth:)-(UnsafeBufferPointer<UInt8>,_)``).
  ///
  /// - Throws: ``JSONReader/SyntaxError`` for invalid JSON.
  public func prepare(
    json bytes: [UInt8],
    maxDepth: Int = 512
  ) throws(JSONReader.SyntaxError) -> PreparedProfile {
    try bytes.withUnsafeBufferPointer { (buffer) throws(JSONReader.SyntaxError) in
      try prepare(json: buffer, maxDepth: maxDepth)
    }
  }

  /// Runs `body` with an evaluator borrowed from this document's pool.
  ///
  /// Servers that answer several decisions per request borrow once per request.
  public func withEvaluator<T>(_ body: (Evaluator) throws -> T) rethrows -> T {
    var evaluator = pool.withLock { $0.popLast() }?.evaluator ?? Evaluator(flat)
    defer {
      // An evaluator `body` kept a reference to is not shared with the next borrower.
      if isKnownUniquelyReferenced(&evaluator) {
        let returned = PooledEvaluator(evaluator: evaluator)
        pool.withLock { pooled in
          if pooled.count < 64 { pooled.append(returned) }
        }
      }
    }
    return try body(evaluator)
  }

  /// Decides one decision for a profile.
  ///
  /// Without `explain` the compiled graph answers; with it, the reference
  /// interpreter, which also records why each earlier rule did not win. Both
  /// give the same answer (the differential tests hold them to it).
  ///
  /// - Parameters:
  ///   - decision: the decision's name.
  ///   - profile: the user and request context.
  ///   - now: the instant schedules (`active`) are evaluated at; the clock by default.
  ///   - explain: whether to attach a ``Trace``.
  /// - Returns: the decision, or `nil` when the document has no decision of that name.
  /// - Complexity: O(size of the decision's rules).
  public func decide(
    _ decision: String,
    for profile: Profile,
    at now: Date = Date(),
    explain: Bool = false
  )
    -> Decision?
  {
    if explain {
      return interpreter.decide(decision, for: profile.root, now: Rules.seconds(now), explain: true)
    }
    return withEvaluator { $0.decide(decision, for: profile, at: now) }
  }

  /// Decides every decision for a profile, in document order.
  ///
  /// - Parameters:
  ///   - profile: the user and request context.
  ///   - now: the instant schedules (`active`) are evaluated at; the clock by default.
  ///   - explain: whether to attach a ``Trace`` to each decision.
  /// - Returns: one decision per decision of the document, in document order.
  /// - Complexity: O(size of all rules).
  public func decideAll(
    for profile: Profile,
    at now: Date = Date(),
    explain: Bool = false
  ) -> [Decision] {
    if explain {
      return interpreter.decideAll(for: profile.root, now: Rules.seconds(now), explain: true)
    }
    return withEvaluator { $0.decideAll(for: profile, at: now) }
  }

  /// How many regular-expression searches stopped at PCRE2's match limit (counted as no match).
  public var regexLimitHits: Int {
    var patterns: Set<ObjectIdentifier> = []
    var total = 0
    func visit(_ condition: Condition) {
      switch condition {
      case .and(let parts), .or(let parts), .nor(let parts): parts.forEach(visit)
      case .not(let inner): visit(inner)
      case .predicate(let predicate): visit(predicate.test)
      default: break
      }
    }
    func visit(_ test: ValueTest) {
      guard case .operators(let operators) = test else { return }
      for op in operators {
        switch op {
        case .regex(let pattern):
          if patterns.insert(ObjectIdentifier(pattern)).inserted { total += pattern.limitHits }
        case .not(let inner), .size(let inner), .elemMatch(.value(let inner)): visit(inner)
        case .elemMatch(.condition(let inner)): visit(inner)
        case .all(let tests, _): tests.forEach(visit)
        default: break
        }
      }
    }
    for segment in document.segments { visit(segment.condition) }
    for decision in document.decisions {
      for rule in decision.rules { visit(rule.condition) }
      decision.requires.map(visit)
    }
    return total
  }

  /// Seconds since 1970-01-01T00:00:00Z, the engine's own clock reading.
  @inline(__always)
  static func seconds(_ date: Date) -> Double { date.timeIntervalSince1970 }
}

/// An evaluator parked in a pool; only one thread uses it at a time.
private struct PooledEvaluator: @unchecked Sendable {
  // @unchecked: an `Evaluator` is not thread-safe. A pooled one has no other
  // reference (`withEvaluator` parks only a uniquely referenced evaluator), and
  // it leaves the pool under the pool's lock to one borrower at a time.
  let evaluator: Evaluator
}

/// A user and request context: a JSON object read by dot paths.
public struct Profile: Sendable, Hashable {
  /// The profile's JSON.
  public let root: JSONValue

  /// Wraps a JSON value (normally an object).
  public init(_ root: JSONValue) { self.root = root }

  /// Parses a profile from JSON text; a repeated key keeps its last value, as in JavaScript.
  ///
  /// - Throws: ``JSONReader/SyntaxError``.
  public init(json: String) throws(JSONReader.SyntaxError) {
    root = try JSONReader.parse(json)
  }

  /// Parses a profile from UTF-8 bytes.
  ///
  /// - Throws: ``JSONReader/SyntaxError``.
  public init(json: [UInt8]) throws(JSONReader.SyntaxError) {
    root = try JSONReader.parse(json)
  }
}

/// GrowthBook's own functions, exactly as its SDKs behave, for checking
/// compatibility and for tools that hold GrowthBook conditions.
public enum GrowthBook {
  /// GrowthBook's `evalCondition(attributes, condition, savedGroups)`.
  ///
  /// Nothing here is ever an error: an unknown operator, an invalid pattern or
  /// an unusable operand evaluates to false, as in GrowthBook's reference SDK.
  /// Tailor's extensions (`$segment`, `$startsWith`, …) are not available.
  /// Conditions nested deeper than 64 levels (as rules documents allow) are
  /// not read past that level: the deeper part evaluates to false, so no
  /// condition can exhaust the stack.
  public static func evaluateCondition(
    _ condition: JSONValue,
    attributes: JSONValue,
    savedGroups: [String: [JSONValue]] = [:]
  ) -> Bool {
    var parser = ConditionParser(mode: .growthBook)
    let parsed = parser.parseCondition(condition, at: .root)
    return ConditionEvaluator(savedGroups: savedGroups).evaluate(parsed, on: attributes)
  }

  /// GrowthBook's `paddedVersionString(value)`.
  package static func paddedVersion(_ value: JSONValue) -> String { Version.padded(value) }
}
