/// Turns condition JSON into a ``Condition``.
///
/// Two modes share one parser. ``Mode/tailor`` (rules documents) reports every
/// problem as a diagnostic and knows Tailor's extensions. ``Mode/growthBook``
/// never reports anything and reproduces GrowthBook's reference exactly: an
/// unknown operator or unusable operand simply evaluates to false.
package struct ConditionParser {
  package enum Mode {
    case tailor
    case growthBook
  }

  /// A place in a condition that a later validation check looks at.
  struct Site: Hashable, Sendable {
    enum Kind: Hashable, Sendable {
      case segment(String)
      case decision(String, variant: String)
      case group(String)
      /// An operator with its operand, on an attribute path.
      case operand(path: String, op: String, operand: JSONValue)
    }
    var kind: Kind
    var pointer: JSONPointer
    /// For references: how deeply nested the reference is in its condition
    /// (the condition itself is level 1).
    var level = 0
  }

  /// The deepest nesting of conditions and operator objects parsed.
  ///
  /// Deeper parts are reported (`condition_too_deep`) and evaluate to false; the validator applies
  /// the same limit through `$segment` and `$decision` references. Every stage walks conditions
  /// recursively, and 64 levels fit a 512 KB thread stack even in debug builds.
  static let maxDepth = 64

  let mode: Mode
  /// Depth of `$elemMatch` conditions being parsed: references to segments and
  /// decisions are about the profile, so they are not allowed inside.
  private var elementDepth = 0
  /// The nesting level being parsed: conditions and operator objects.
  private var depth = 0
  package var diagnostics: [Diagnostic] = []
  var sites: [Site] = []
  /// The attribute paths with a declared type: only their operands are recorded as
  /// sites, since only they can mismatch (``TypeCheck``).
  var typedPaths: Set<ByteString> = []
  /// The patterns compiled so far, by source and case: a parser given another's
  /// (``MatchesMissingCheck`` re-reading a document's tests) compiles none of them again.
  var patterns: [PatternKey: Pattern] = [:]
  /// The attribute paths made so far, by the key they were written as.
  private var paths: [ByteString: AttributePath] = [:]

  struct PatternKey: Hashable, Sendable {
    var source: ByteString
    var caseInsensitive: Bool
  }

  /// In ``Mode/growthBook``, whether to record as warnings what GrowthBook accepts
  /// but evaluates false or differently from what its author likely meant (for
  /// `tailor check` on payloads); evaluation is unchanged.
  package var isLinting = false
  /// The saved groups named by `$inGroup` and `$notInGroup` while linting.
  package private(set) var groupReferences: [(name: String, pointer: JSONPointer)] = []

  package init(mode: Mode) { self.mode = mode }

  private var isStrict: Bool { mode == .tailor }

  private mutating func report(
    _ code: Diagnostic.Code,
    at pointer: JSONPointer,
    key: Bool = false,
    _ message: String,
    notes: [String] = []
  ) {
    guard isStrict || isLinting else { return }
    diagnostics.append(
      Diagnostic(code, isStrict ? .error : .warning, at: pointer, key: key, message, notes: notes)
    )
  }

  /// Warns when a pattern uses a JavaScript legacy form that rules documents refuse.
  private mutating func lintLegacySyntax(
    _ source: String,
    caseInsensitive: Bool,
    at pointer: JSONPointer
  ) {
    do {
      _ = try Pattern(source, caseInsensitive: caseInsensitive)
    } catch {
      var diagnostic = Diagnostic(
        .invalidPattern,
        .warning,
        at: pointer,
        "legacy pattern syntax: \(error.message) at offset \(error.offset)",
        notes: ["GrowthBook evaluates it as JavaScript reads it; a rules document refuses it"]
      )
      diagnostic.location.span = error.offset..<error.offset
      diagnostics.append(diagnostic)
    }
  }

  private mutating func reportTooDeep(at pointer: JSONPointer) {
    report(
      .conditionTooDeep,
      at: pointer,
      "conditions nest deeper than \(ConditionParser.maxDepth) levels",
      notes: ConditionParser.depthNotes
    )
  }

  /// Advice for `condition_too_deep`.
  static let depthNotes = [
    "each `$and`, `$or`, `$nor`, `$not` and operator object is a level; so is each level of the segments and prerequisite decisions a condition refers to"
  ]

  // MARK: Conditions

  /// Parses a condition object.
  package mutating func parseCondition(_ value: JSONValue, at pointer: JSONPointer) -> Condition {
    depth += 1
    defer { depth -= 1 }
    if depth > ConditionParser.maxDepth {
      reportTooDeep(at: pointer)
      return .constant(false)
    }
    guard case .object(let object) = value else {
      report(
        .expectedType,
        at: pointer,
        "expected a condition object, found \(value.kindDescription)"
      )
      // GrowthBook iterates the entries of a non-object: there are none, so it holds.
      return isStrict ? .constant(false) : .constant(true)
    }
    var parts: [Condition] = []
    parts.reserveCapacity(object.count)
    for (key, entry) in object.pairs {
      // Most keys are attribute paths: they skip the comparisons with every operator name,
      // and their pointer is built only if something is reported there.
      guard ConditionParser.isOperatorName(key) else {
        parseField(path(key), entry, at: { pointer.appending(key: key) }, into: &parts)
        continue
      }
      let entryPointer = pointer.appending(key: key)
      switch key {
      case "$and": parts.append(.and(parseConditionList(entry, at: entryPointer)))
      case "$or": parts.append(.or(parseConditionList(entry, at: entryPointer)))
      case "$nor": parts.append(.nor(parseConditionList(entry, at: entryPointer)))
      case "$not": parts.append(.not(parseCondition(entry, at: entryPointer)))
      case "$segment" where isStrict && elementDepth > 0,
        "$decision" where isStrict && elementDepth > 0:
        report(
          .unknownOperator,
          at: entryPointer,
          key: true,
          "`\(key)` cannot be used inside `$elemMatch`",
          notes: ["inside `$elemMatch` a condition tests one array element, not the profile"]
        )
        parts.append(.constant(false))
      case "$segment" where isStrict: parts.append(parseSegment(entry, at: entryPointer))
      case "$decision" where isStrict: parts.append(parseDecision(entry, at: entryPointer))
      default:
        if isStrict && key.hasPrefix("$") {
          report(
            .unknownOperator,
            at: entryPointer,
            key: true,
            "unknown operator `\(key)` at the top of a condition",
            notes: [
              "logical operators are `$and`, `$or`, `$nor` and `$not`; `$segment` and `$decision` refer to other rules"
            ]
          )
          parts.append(.constant(false))
          continue
        }
        parseField(path(key), entry, at: { entryPointer }, into: &parts)
      }
    }
    return parts.count == 1 ? parts[0] : .and(parts)
  }

  private mutating func parseConditionList(
    _ value: JSONValue,
    at pointer: JSONPointer
  )
    -> [Condition]
  {
    guard case .array(let elements) = value else {
      report(
        .expectedType,
        at: pointer,
        "expected an array of conditions, found \(value.kindDescription)"
      )
      return []
    }
    return elements.enumerated().map { index, element in
      parseCondition(element, at: pointer.appending(index: index))
    }
  }

  private mutating func parseSegment(_ value: JSONValue, at pointer: JSONPointer) -> Condition {
    switch value {
    case .string(let name):
      sites.append(Site(kind: .segment(name), pointer: pointer, level: depth))
      return .segment(name)
    case .array(let names) where !names.isEmpty:
      var parts: [Condition] = []
      for (index, name) in names.enumerated() {
        guard case .string(let text) = name else {
          report(
            .expectedType,
            at: pointer.appending(index: index),
            "expected a segment name, found \(name.kindDescription)"
          )
          continue
        }
        sites.append(
          Site(kind: .segment(text), pointer: pointer.appending(index: index), level: depth)
        )
        parts.append(.segment(text))
      }
      return parts.count == 1 ? parts[0] : .and(parts)
    default:
      report(
        .expectedType,
        at: pointer,
        "expected a segment name or a non-empty array of names, found \(value.kindDescription)"
      )
      return .constant(false)
    }
  }

  private mutating func parseDecision(_ value: JSONValue, at pointer: JSONPointer) -> Condition {
    guard case .object(let object) = value, !object.isEmpty else {
      report(
        .expectedType,
        at: pointer,
        "expected an object mapping decisions to variants, found \(value.kindDescription)",
        notes: [#"for example {"$decision": {"homepage-hero": "vip"}}"#]
      )
      return .constant(false)
    }
    var parts: [Condition] = []
    for (name, variant) in object.pairs {
      let entryPointer = pointer.appending(key: name)
      guard case .string(let variantKey) = variant else {
        report(
          .expectedType,
          at: entryPointer,
          "expected a variant key, found \(variant.kindDescription)"
        )
        continue
      }
      sites.append(
        Site(kind: .decision(name, variant: variantKey), pointer: entryPointer, level: depth)
      )
      parts.append(.decision(name, variant: variantKey))
    }
    return parts.count == 1 ? parts[0] : .and(parts)
  }

  /// Parses `path: value` into `parts`, splitting an operator object into one predicate
  /// per operator.
  private mutating func parseField(
    _ path: AttributePath,
    _ value: JSONValue,
    at pointer: () -> JSONPointer,
    into parts: inout [Condition]
  ) {
    // Several operators become one predicate each as they are parsed, not gathered into
    // one test first (what `parseValueTest` does at this depth, then split).
    if case .object(let object) = value, object.count > 1,
      ConditionParser.isOperatorObject(object), depth < ConditionParser.maxDepth
    {
      depth += 1
      defer { depth -= 1 }
      for (key, operand) in object.pairs {
        let op = parseOperator(key, operand, at: { pointer().appending(key: key) }, path: path.text)
        parts.append(.predicate(Predicate(path: path, test: .operators([op]))))
      }
      return
    }
    switch parseValueTest(value, at: pointer, path: path.text) {
    case .operators(let operators) where operators.count > 1:
      for op in operators {
        parts.append(.predicate(Predicate(path: path, test: .operators([op]))))
      }
    case let test:
      parts.append(.predicate(Predicate(path: path, test: test)))
    }
  }

  /// The path written as `key`, made once per distinct key: the rules of a large document
  /// test a few attributes many times, and they then share one path.
  private mutating func path(_ key: String) -> AttributePath {
    if let known = paths[ByteString(key)] { return known }
    let path = AttributePath(key)
    paths[ByteString(key)] = path
    return path
  }

  /// Parses the test of one field `path: value` of a condition object.
  ///
  /// The test is parsed at the nesting level of a field, as ``parseCondition(_:at:)``
  /// parses it (before splitting it into one predicate per operator), for an analysis
  /// that asks only whether a field parses without diagnostics and what it tests. The
  /// diagnostics name no place in the document.
  mutating func parseFieldTest(_ value: JSONValue, path: String) -> ValueTest {
    depth += 1
    defer { depth -= 1 }
    return parseValueTest(value, at: { .root }, path: path)
  }

  // MARK: Value tests

  /// Whether `key` starts with `$` (as `hasPrefix("$")` decides it, by characters),
  /// reading bytes: most keys are attribute paths, which fail at the first byte, and an
  /// operator name's second byte is ASCII, which always begins a new character.
  @inline(__always)
  static func isOperatorName(_ key: String) -> Bool {
    let bytes = key.utf8
    guard bytes.first == UInt8(ascii: "$") else { return false }
    let second = bytes.index(after: bytes.startIndex)
    if second == bytes.endIndex || bytes[second] < 0x80 { return true }
    // A combining mark after `$` joins it into another character.
    return key.hasPrefix("$")
  }

  /// Whether GrowthBook treats `object` as an operator object.
  static func isOperatorObject(_ object: JSONObject) -> Bool {
    !object.isEmpty && object.keys.allSatisfy(isOperatorName)
  }

  /// Parses a condition value: an operator object or a literal.
  mutating func parseValueTest(
    _ value: JSONValue,
    at pointer: () -> JSONPointer,
    path: String
  ) -> ValueTest {
    guard case .object(let object) = value else { return .literal(value) }
    if ConditionParser.isOperatorObject(object) {
      depth += 1
      defer { depth -= 1 }
      if depth > ConditionParser.maxDepth {
        reportTooDeep(at: pointer())
        return .operators([.never(object.keys[0])])
      }
      var operators: [Operator] = []
      operators.reserveCapacity(object.count)
      for (key, operand) in object.pairs {
        operators.append(
          parseOperator(key, operand, at: { pointer().appending(key: key) }, path: path)
        )
      }
      return .operators(operators)
    }
    if isStrict, object.keys.contains(where: ConditionParser.isOperatorName) {
      let key = object.keys.first(where: ConditionParser.isOperatorName) ?? ""
      report(
        .mixedOperators,
        at: pointer().appending(key: key),
        key: true,
        "object mixes the operator `\(key)` with plain keys",
        notes: [
          "an object whose keys all start with `$` is a set of operators; any other object is matched literally"
        ]
      )
    }
    return .literal(value)
  }

  private mutating func operandSite(
    _ path: String,
    _ op: String,
    _ operand: JSONValue,
    _ pointer: () -> JSONPointer
  ) {
    if isStrict && !typedPaths.isEmpty && typedPaths.contains(ByteString(path)) {
      sites.append(Site(kind: .operand(path: path, op: op, operand: operand), pointer: pointer()))
    }
  }

  private mutating func expectType(
    _ op: String,
    _ operand: JSONValue,
    _ pointer: () -> JSONPointer,
    _ expected: String
  ) -> Operator {
    report(.expectedType, at: pointer(), "`\(op)` expects \(expected), found \(describe(operand))")
    return .never(op)
  }

  private mutating func parseOperator(
    _ op: String,
    _ operand: JSONValue,
    at pointer: () -> JSONPointer,
    path: String
  ) -> Operator {
    // Only operands accepted here reach the type check, so one mistake is reported once.
    let reported = diagnostics.count
    let parsed = parseOperatorOperand(op, operand, at: pointer, path: path)
    if diagnostics.count == reported { operandSite(path, op, operand, pointer) }
    return parsed
  }

  /// Parses an operator's operand.
  ///
  /// Operators that nest value tests or conditions are handled here; every other one in
  /// ``parseLeafOperator``, so that the large frame of that switch is never part of a recursion.
  private mutating func parseOperatorOperand(
    _ op: String,
    _ operand: JSONValue,
    at pointer: () -> JSONPointer,
    path: String
  ) -> Operator {
    switch op {
    case "$not":
      return .not(parseValueTest(operand, at: pointer, path: path))
    case "$size":
      return .size(parseValueTest(operand, at: pointer, path: path + ".length"))
    case "$elemMatch":
      guard case .object(let object) = operand else {
        if isStrict { return expectType(op, operand, pointer, "an object") }
        return .elemMatch(.condition(.constant(true)))
      }
      if ConditionParser.isOperatorObject(object) {
        return .elemMatch(.value(parseValueTest(operand, at: pointer, path: path + ".*")))
      }
      elementDepth += 1
      defer { elementDepth -= 1 }
      return .elemMatch(.condition(parseCondition(operand, at: pointer())))
    case "$all", "$alli":
      guard case .array(let items) = operand else {
        return expectType(op, operand, pointer, "an array")
      }
      let tests = items.enumerated().map { index, item in
        parseValueTest(item, at: { pointer().appending(index: index) }, path: path + ".*")
      }
      return .all(tests, caseInsensitive: op == "$alli")
    default:
      return parseLeafOperator(op, operand, at: pointer, path: path)
    }
  }

  // swift-format-ignore: FunctionBodyLength
  // One switch over the operator names reads better than a table of closures.
  private mutating func parseLeafOperator(
    _ op: String,
    _ operand: JSONValue,
    at pointer: () -> JSONPointer,
    path: String
  ) -> Operator {
    switch op {
    case "$eq", "$ne":
      if isStrict, operand.arrayValue != nil || operand.objectValue != nil {
        return expectType(
          op,
          operand,
          pointer,
          "a string, number, boolean or null (arrays and objects are never identical)"
        )
      }
      return op == "$eq" ? .eq(operand) : .ne(operand)
    case "$lt", "$lte", "$gt", "$gte":
      if isStrict, operand.stringValue == nil, operand.numberValue == nil {
        return expectType(op, operand, pointer, "a number or a string")
      }
      return .compare(ConditionParser.relation(op), operand)
    case "$in", "$nin", "$ini", "$nini":
      guard case .array(let elements) = operand else {
        return expectType(op, operand, pointer, "an array")
      }
      let insensitive = op == "$ini" || op == "$nini"
      return op.hasPrefix("$n")
        ? .nin(elements, caseInsensitive: insensitive) : .in(elements, caseInsensitive: insensitive)
    case "$inGroup", "$notInGroup":
      let name: String
      if case .string(let text) = operand {
        name = text
        if isStrict { sites.append(Site(kind: .group(text), pointer: pointer())) }
        if isLinting { groupReferences.append((text, pointer())) }
      } else if isStrict {
        return expectType(op, operand, pointer, "a group name")
      } else {
        name = JavaScript.toString(operand)
      }
      return op == "$inGroup" ? .inGroup(name) : .notInGroup(name)
    case "$exists":
      if isStrict, operand.boolValue == nil {
        return expectType(op, operand, pointer, "`true` or `false`")
      }
      return .exists(JavaScript.isTruthy(operand))
    case "$type":
      let names = ["string", "number", "boolean", "array", "object", "null"]
      guard case .string(let name) = operand, !isStrict || names.contains(name) else {
        return expectType(op, operand, pointer, "one of `" + names.joined(separator: "`, `") + "`")
      }
      if !names.contains(name) {
        report(
          .expectedType,
          at: pointer(),
          "`$type` expects one of `" + names.joined(separator: "`, `") + "`, found "
            + describe(operand),
          notes: ["GrowthBook compares the name exactly, so this never holds"]
        )
      }
      return .type(name)
    case "$regex", "$regexi":
      let source: String
      if case .string(let text) = operand {
        source = text
      } else if isStrict {
        return expectType(op, operand, pointer, "a pattern string")
      } else {
        source = JavaScript.toString(operand)
      }
      let insensitive = op == "$regexi"
      let key = PatternKey(source: ByteString(source), caseInsensitive: insensitive)
      if let cached = patterns[key] { return .regex(cached) }
      do {
        let pattern = try Pattern(source, caseInsensitive: insensitive, legacySyntax: !isStrict)
        patterns[key] = pattern
        if isLinting { lintLegacySyntax(source, caseInsensitive: insensitive, at: pointer()) }
        return .regex(pattern)
      } catch {
        if isStrict || isLinting {
          var diagnostic = Diagnostic(
            .invalidPattern,
            isStrict ? .error : .warning,
            at: pointer(),
            "invalid pattern: \(error.message) at offset \(error.offset)",
            notes: isStrict ? [] : ["GrowthBook evaluates the operator as false"]
          )
          diagnostic.location.span = error.offset..<error.offset
          diagnostics.append(diagnostic)
        }
        return .never(op)
      }
    case "$veq", "$vne", "$vgt", "$vgte", "$vlt", "$vlte":
      if isStrict, operand.stringValue == nil, operand.numberValue == nil {
        return expectType(op, operand, pointer, "a version string")
      }
      return .version(
        VersionRelation(rawValue: op) ?? .equal,
        padded: Version.padded(operand),
        original: operand
      )
    case "$startsWith" where isStrict, "$endsWith" where isStrict:
      guard case .string(let text) = operand else {
        return expectType(op, operand, pointer, "a string")
      }
      return op == "$startsWith" ? .startsWith(text) : .endsWith(text)
    case "$contains" where isStrict:
      if operand.arrayValue != nil || operand.objectValue != nil {
        return expectType(op, operand, pointer, "a string, number, boolean or null")
      }
      return .contains(operand)
    case "$before" where isStrict, "$after" where isStrict:
      guard case .string(let text) = operand else {
        return expectType(op, operand, pointer, "an ISO-8601 date-time string")
      }
      guard let instant = DateTime.parse(text) else {
        report(
          .invalidDateTime,
          at: pointer(),
          "invalid date-time \(describe(operand))",
          notes: ["use ISO-8601, for example \"2026-06-01T00:00:00Z\""]
        )
        return .never(op)
      }
      return op == "$before" ? .before(instant, original: text) : .after(instant, original: text)
    default:
      report(
        .unknownOperator,
        at: pointer(),
        key: true,
        "unknown operator `\(op)`",
        notes: unknownOperatorNotes(op)
      )
      return .never(op)
    }
  }

  /// The relation of `op`, which is `$lt`, `$lte`, `$gt` or `$gte`, read from its bytes
  /// (the switch that matched it compared the names already).
  private static func relation(_ op: String) -> Relation {
    let bytes = op.utf8
    let isLess = bytes.dropFirst().first == UInt8(ascii: "l")
    let orEqual = bytes.count == 4
    return isLess ? (orEqual ? .lessOrEqual : .less) : (orEqual ? .greaterOrEqual : .greater)
  }

  private func unknownOperatorNotes(_ op: String) -> [String] {
    let suggestion = ConditionParser.suggestion(for: op)
    if isStrict { return suggestion.map { ["did you mean `\($0)`?"] } ?? [] }
    if suggestion == op {
      return [
        "`\(op)` is a Tailor operator that GrowthBook does not have; GrowthBook evaluates it as false"
      ]
    }
    return (suggestion.map { ["did you mean `\($0)`?"] } ?? [])
      + ["GrowthBook evaluates an unknown operator as false"]
  }

  static let operatorNames = [
    "$eq", "$ne", "$lt", "$lte", "$gt", "$gte", "$in", "$nin", "$ini", "$nini", "$inGroup",
    "$notInGroup", "$not", "$size", "$elemMatch", "$all", "$alli", "$exists", "$type", "$regex",
    "$regexi", "$veq", "$vne", "$vgt", "$vgte", "$vlt", "$vlte", "$startsWith", "$endsWith",
    "$contains", "$before", "$after", "$and", "$or", "$nor", "$segment", "$decision",
  ]

  /// The closest known operator name, when one is close.
  static func suggestion(for name: String) -> String? {
    let lower = name.lowercased()
    if let exact = operatorNames.first(where: { $0.lowercased() == lower }) { return exact }
    var best: (String, Int)?
    for candidate in operatorNames {
      let distance = editDistance(lower, candidate.lowercased())
      if distance <= 2, distance < (best?.1 ?? Int.max) { best = (candidate, distance) }
    }
    return best?.0
  }

  static func editDistance(_ a: String, _ b: String) -> Int {
    let x = Array(a.utf8)
    let y = Array(b.utf8)
    var previous = Array(0...y.count)
    for i in 1...max(x.count, 1) where !x.isEmpty {
      var current = [i] + Array(repeating: 0, count: y.count)
      for j in 1...max(y.count, 1) where !y.isEmpty {
        current[j] = min(
          previous[j] + 1,
          current[j - 1] + 1,
          previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1)
        )
      }
      previous = current
    }
    return previous[y.count]
  }
}

/// A rules-document value for a message: JSON text, shortened when long.
func describe(_ value: JSONValue) -> String {
  let text = JavaScript.stringify(value)
  if text.count <= 60 { return text }
  return String(text.prefix(57)) + "…"
}

extension ConditionParser.Site {
  /// The document section (`segments`, `decisions`) and the name of the entry whose
  /// condition holds this site.
  var owner: (section: String, name: String)? {
    let tokens = pointer.tokens
    guard tokens.count >= 2, case .key(let section) = tokens[0] else { return nil }
    return (section, tokens[1].text)
  }
}
