/// Warns about tests that also hold when their attribute is missing.
///
/// GrowthBook reads a missing attribute as `null`, and JavaScript's coercions
/// make many tests hold for `null`: `{"age": {"$lt": 18}}` (null counts as 0),
/// `$lte` or `$gt` around 0, `$ne`, `$nin`, `$notInGroup`, a `$regex` that
/// matches the text "null", and `$not`/`$nor` of tests that fail for null. Each
/// test is evaluated against a profile without the attribute; it is reported
/// when it holds, unless:
/// - it already speaks of missing values (`$exists`, `$type` or a `null` operand);
/// - it sits under `$not`/`$nor` (the negation is judged as a whole instead);
/// - a test beside it in the same conjunction fails for a missing attribute,
///   such as `"$exists": true` or `{"$gte": 0}`, so the profile is excluded anyway;
/// - another branch of the same `$or` speaks of missing values for that attribute.
///
/// It reads the conditions as written (segments, rules' `when`, decisions'
/// `requires`), which the parser records for it, so it works on documents with
/// errors too.
struct MatchesMissingCheck: ValidationCheck {
  var isAnalysis: Bool { true }

  func check(_ input: ValidationInput, into diagnostics: inout [Diagnostic]) {
    let walker = Walker(
      evaluator: ConditionEvaluator(
        groups: input.document.groupMembers,
        segment: { _ in false },
        decision: { _, _ in false }
      ),
      scratch: Scratch(patterns: input.patterns)
    )
    // About one distinct test per condition written; growing would hash them all again.
    walker.scratch.fieldAnswers.reserveCapacity(input.writtenConditions.count)
    var found: [Diagnostic] = []
    for written in input.writtenConditions {
      walker.walk(written.json, at: written.pointer, guarded: [], into: &found)
    }
    diagnostics += found
  }

  struct Walker {
    let evaluator: ConditionEvaluator
    let scratch: Scratch
    static let missing = JSONValue.object(JSONObject())

    /// Walks one condition object in positive position.
    ///
    /// `guarded` holds the attributes that an enclosing conjunction already requires to be present.
    func walk(
      _ value: JSONValue,
      at pointer: JSONPointer,
      guarded: Set<ByteString>,
      into found: inout [Diagnostic]
    ) {
      guard case .object(let object) = value else { return }
      let own = guards(in: object)
      let guarded = guarded.isEmpty ? own : guarded.union(own)
      for (key, entry) in object.pairs {
        switch key {
        case "$and", "$or":
          let entryPointer = pointer.appending(key: key)
          let elements = entry.arrayValue ?? []
          // `{"$or": [{"age": {"$exists": false}}, {"age": {"$lt": 18}}]}` admits missing ages on purpose.
          var handled = guarded
          if key == "$or" {
            for case .object(let member) in elements {
              for (path, test) in member.pairs
              where !ConditionParser.isOperatorName(path)
                && MatchesMissingCheck.mentionsMissing(test)
              {
                handled.insert(ByteString(path))
              }
            }
          }
          for (index, element) in elements.enumerated() {
            walk(element, at: entryPointer.appending(index: index), guarded: handled, into: &found)
          }
        case "$not", "$nor":
          let paths = MatchesMissingCheck.paths(in: entry)
          guard !paths.isEmpty, !paths.allSatisfy({ guarded.contains(ByteString($0)) }),
            !MatchesMissingCheck.mentionsMissing(entry), !MatchesMissingCheck.refersToRules(entry),
            holdsWhenMissing(key, entry, at: .root)
          else { continue }
          found.append(
            .negationMatchesMissing(key, paths: paths, at: pointer.appending(key: key))
          )
        default:
          // `guards(in:)` has judged this test: it holds when the attribute is missing
          // unless its key is among `guarded`.
          guard !ConditionParser.isOperatorName(key), !guarded.contains(ByteString(key)),
            !MatchesMissingCheck.mentionsMissing(entry)
          else { continue }
          found.append(.testMatchesMissing(key, entry, at: pointer.appending(key: key)))
        }
      }
    }

    /// The attributes tested in this conjunction (the object's own fields and those
    /// of `$and` members, recursively) by a test that fails when they are missing.
    func guards(in object: JSONObject) -> Set<ByteString> {
      var result: Set<ByteString> = []
      result.reserveCapacity(object.count)
      for (key, entry) in object.pairs {
        if key == "$and" {
          for case .object(let member) in entry.arrayValue ?? [] {
            result.formUnion(guards(in: member))
          }
        } else if !ConditionParser.isOperatorName(key), !holdsWhenMissing(field: key, entry) {
          result.insert(ByteString(key))
        }
      }
      return result
    }

    /// Whether the field `{key: entry}` (`key` not an operator) holds for a profile with
    /// no attributes; false when it does not parse.
    ///
    /// The same as ``holdsWhenMissing(_:_:at:)`` without building the condition: a missing
    /// attribute reads as null whatever its path, and the field holds when its test, every
    /// operator of it, passes for null. The answer depends on `entry` alone, so each
    /// distinct entry is judged once (equal entries differ at most in the sign of a zero,
    /// which no operator tells apart: null reads as 0 and -0 prints as 0).
    func holdsWhenMissing(field key: String, _ entry: JSONValue) -> Bool {
      if MatchesMissingCheck.plainlyFailsForNull(entry) { return false }
      let known = FingerprintedJSON(entry)
      if let answer = scratch.fieldAnswers[known] { return answer }
      scratch.parser.diagnostics.removeAll(keepingCapacity: true)
      scratch.parser.sites.removeAll(keepingCapacity: true)
      let test = scratch.parser.parseFieldTest(entry, path: key)
      let holds = scratch.parser.diagnostics.isEmpty && evaluator.matches(test, .null)
      scratch.fieldAnswers[known] = holds
      return holds
    }

    /// Whether `{key: entry}` holds for a profile with no attributes; false when it does not parse.
    ///
    /// The pointer only names places in the parser's diagnostics, which are not kept.
    func holdsWhenMissing(_ key: String, _ entry: JSONValue, at pointer: JSONPointer) -> Bool {
      scratch.parser.diagnostics.removeAll(keepingCapacity: true)
      scratch.parser.sites.removeAll(keepingCapacity: true)
      let condition = scratch.parser.parseCondition(
        .object(JSONObject([(key, entry)])),
        at: pointer
      )
      guard scratch.parser.diagnostics.isEmpty else { return false }
      return evaluator.evaluate(condition, on: Walker.missing)
    }
  }

  /// One parser for every test the walker judges, so that it is set up once and
  /// compiles no pattern the document's parser compiled, and others once; what it
  /// records is dropped before each test.
  final class Scratch {
    var parser = ConditionParser(mode: .tailor)
    /// Whether each field test judged so far holds for a missing attribute, by its JSON.
    var fieldAnswers: [FingerprintedJSON: Bool] = [:]

    init(patterns: [ConditionParser.PatternKey: Pattern] = [:]) {
      parser.patterns = patterns
    }
  }

  /// A field's JSON with its ``ConditionFingerprint`` computed once: the key of the answers
  /// already known, hashed and compared mostly as one integer.
  struct FingerprintedJSON: Hashable {
    let value: JSONValue
    let fingerprint: UInt64

    init(_ value: JSONValue) {
      self.value = value
      var fingerprint = ConditionFingerprint()
      fingerprint.mix(value)
      self.fingerprint = fingerprint.value
    }

    static func == (lhs: Self, rhs: Self) -> Bool {
      lhs.fingerprint == rhs.fingerprint && lhs.value == rhs.value
    }

    func hash(into hasher: inout Hasher) { hasher.combine(fingerprint) }
  }

  /// The attribute paths a condition tests, in written order, without repeats.
  static func paths(in value: JSONValue) -> [String] {
    var result: [String] = []
    func visit(_ value: JSONValue) {
      switch value {
      case .object(let object):
        for (key, entry) in object.pairs {
          if key.hasPrefix("$") {
            if key != "$segment" && key != "$decision" { visit(entry) }
          } else if !result.contains(key) {
            result.append(key)
          }
        }
      case .array(let elements): elements.forEach(visit)
      default: break
      }
    }
    visit(value)
    return result
  }

  /// Whether a field's test plainly fails for null, read from its JSON without parsing it.
  ///
  /// That is a literal other than the text `"null"` and the number 0, or an operator object with
  /// one operator that fails for null whatever its neighbours (`"$exists": true`, `$in`
  /// without `null`, `$eq` of a value, a comparison JavaScript answers false for null,
  /// and the operators that need a string or an array). False when it takes the parser
  /// and the evaluator to tell.
  ///
  /// Campaign rules write a new threshold, date or domain in almost every field, so each
  /// field is a new test to judge; parsing each again cost the analyses about as much as
  /// compiling the rules.
  static func plainlyFailsForNull(_ entry: JSONValue) -> Bool {
    switch entry {
    case .string(let text): return text != "null"
    case .number(let number): return number != 0
    case .bool: return true
    case .object(let object):
      guard ConditionParser.isOperatorObject(object) else { return false }
      return object.pairs.contains { name, operand in
        switch name {
        case "$exists": operand == .bool(true)
        case "$in": operand.arrayValue?.allSatisfy { !$0.isNull } ?? false
        case "$eq": !operand.isNull
        case "$gt": !JavaScript.compare(.null, .greater, operand)
        case "$gte": !JavaScript.compare(.null, .greaterOrEqual, operand)
        case "$lt": !JavaScript.compare(.null, .less, operand)
        case "$lte": !JavaScript.compare(.null, .lessOrEqual, operand)
        case "$after", "$before", "$startsWith", "$endsWith", "$contains", "$size",
          "$elemMatch", "$all":
          true
        default: false
        }
      }
    default: return false
    }
  }

  /// Whether a test already speaks of missing values: `$exists`, `$type` or a `null` anywhere.
  static func mentionsMissing(_ value: JSONValue) -> Bool {
    switch value {
    case .null: true
    case .array(let elements): elements.contains(where: mentionsMissing)
    case .object(let object):
      object.keys.contains { $0 == "$exists" || $0 == "$type" }
        || object.values.contains(where: mentionsMissing)
    default: false
    }
  }

  /// Whether a condition refers to segments or decisions, which this check does not evaluate.
  static func refersToRules(_ value: JSONValue) -> Bool {
    switch value {
    case .array(let elements): elements.contains(where: refersToRules)
    case .object(let object):
      object.keys.contains { $0 == "$segment" || $0 == "$decision" }
        || object.values.contains(where: refersToRules)
    default: false
    }
  }
}

extension Diagnostic {
  fileprivate static func testMatchesMissing(
    _ path: String,
    _ test: JSONValue,
    at pointer: JSONPointer
  )
    -> Diagnostic
  {
    Diagnostic(
      .matchesMissing,
      .warning,
      at: pointer,
      "this test of `\(path)` also holds for profiles without `\(path)`",
      notes: [
        "a missing attribute reads as null, and \(describe(test)) holds for null",
        "add `\"$exists\": true` beside it to leave out profiles without `\(path)`",
      ]
    )
  }

  fileprivate static func negationMatchesMissing(
    _ op: String,
    paths: [String],
    at pointer: JSONPointer
  )
    -> Diagnostic
  {
    let names = paths.map { "`\($0)`" }.joined(separator: ", ")
    return Diagnostic(
      .matchesMissing,
      .warning,
      at: pointer,
      "`\(op)` also holds for profiles without \(names)",
      notes: [
        "a missing attribute reads as null; the negated tests fail for null, so `\(op)` holds",
        "add `\"$exists\": true` tests beside it to leave out profiles without them",
      ]
    )
  }
}
