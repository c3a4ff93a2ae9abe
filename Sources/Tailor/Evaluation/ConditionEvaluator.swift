/// Evaluates ``Condition``s directly against a JSON profile: the reference
/// semantics, written to be obviously correct rather than fast.
///
/// Every rule here follows `../shared/conformance/SEMANTICS.md`; Tailor's
/// extensions are documented on their ``Operator`` cases.
package struct ConditionEvaluator {
  /// Named groups, as member sets (scalars only: arrays and objects are never strictly equal).
  var groups: [String: Set<JSONValue>]
  /// Answers `$segment`.
  var segment: (String) -> Bool
  /// Answers `$decision`.
  var decision: (String, String) -> Bool

  /// An evaluator with GrowthBook's saved groups and no Tailor references
  /// (`$segment` and `$decision` are false), for GrowthBook payloads.
  package init(savedGroups: [String: [JSONValue]]) {
    self.init(memberSets: ConditionEvaluator.memberSets(savedGroups))
  }

  /// An evaluator over groups already made member sets by ``memberSets(_:)``.
  package init(memberSets: [String: Set<JSONValue>]) {
    self.init(groups: memberSets, segment: { _ in false }, decision: { _, _ in false })
  }

  /// Saved groups as member sets: arrays and objects are dropped, since they
  /// are never strictly equal to anything.
  package static func memberSets(_ savedGroups: [String: [JSONValue]]) -> [String: Set<JSONValue>] {
    savedGroups.mapValues { Set($0.filter { $0.arrayValue == nil && $0.objectValue == nil }) }
  }

  init(
    groups: [String: Set<JSONValue>],
    segment: @escaping (String) -> Bool,
    decision: @escaping (String, String) -> Bool
  ) {
    self.groups = groups
    self.segment = segment
    self.decision = decision
  }

  /// GrowthBook's `evalCondition(attributes, condition)`.
  package func evaluate(_ condition: Condition, on root: JSONValue) -> Bool {
    switch condition {
    case .and(let parts): parts.allSatisfy { evaluate($0, on: root) }
    case .or(let parts): parts.isEmpty || parts.contains { evaluate($0, on: root) }
    case .nor(let parts): !(parts.isEmpty || parts.contains { evaluate($0, on: root) })
    case .not(let inner): !evaluate(inner, on: root)
    case .predicate(let predicate): evaluate(predicate, on: root)
    case .segment(let name): segment(name)
    case .decision(let name, let variant): decision(name, variant)
    case .constant(let value): value
    }
  }

  func evaluate(_ predicate: Predicate, on root: JSONValue) -> Bool {
    matches(predicate.test, ConditionEvaluator.resolve(predicate.path.components, in: root))
  }

  /// GrowthBook's `getPath`: objects by key, arrays by canonical index or `length`; else null.
  static func resolve(_ components: [String], in root: JSONValue) -> JSONValue {
    var current = root
    for component in components {
      switch current {
      case .object(let object):
        guard let next = object[component] else { return .null }
        current = next
      case .array(let elements):
        if component == "length" {
          current = .number(Double(elements.count))
        } else if let index = JavaScript.arrayIndex(component), Int(index) < elements.count {
          current = elements[Int(index)]
        } else {
          return .null
        }
      default:
        return .null
      }
    }
    return current
  }

  /// GrowthBook's `evalConditionValue(condition, value)`.
  func matches(_ test: ValueTest, _ value: JSONValue, caseInsensitive: Bool = false) -> Bool {
    switch test {
    case .literal(let literal):
      ConditionEvaluator.literalMatches(literal, value, caseInsensitive: caseInsensitive)
    case .operators(let operators):
      operators.allSatisfy { apply($0, value) }
    }
  }

  /// Implicit equality with loose coercion by the literal's type (SEMANTICS §2).
  static func literalMatches(
    _ literal: JSONValue,
    _ value: JSONValue,
    caseInsensitive: Bool = false
  )
    -> Bool
  {
    switch literal {
    case .string(let expected):
      let actual = JavaScript.toString(value)
      if caseInsensitive { return JSONValue.sameBytes(actual.lowercased(), expected.lowercased()) }
      return JSONValue.sameBytes(actual, expected)
    case .number(let expected):
      return JavaScript.toNumber(value) == expected
    case .bool(let expected):
      return !value.isNull && JavaScript.isTruthy(value) == expected
    case .null:
      return value.isNull
    case .array, .object:
      return JSONValue.sameBytes(JavaScript.stringify(value), JavaScript.stringify(literal))
    }
  }

  /// Strict membership; an array attribute intersects.
  static func isIn(_ value: JSONValue, _ list: [JSONValue], caseInsensitive: Bool) -> Bool {
    func fold(_ item: JSONValue) -> JSONValue {
      guard caseInsensitive, case .string(let text) = item else { return item }
      return .string(text.lowercased())
    }
    func contains(_ item: JSONValue) -> Bool {
      let folded = fold(item)
      return list.contains { JavaScript.strictEquals(fold($0), folded) }
    }
    if case .array(let elements) = value { return elements.contains(where: contains) }
    return contains(value)
  }

  func isInGroup(_ value: JSONValue, _ name: String) -> Bool {
    guard let members = groups[name] else { return false }
    func member(_ item: JSONValue) -> Bool {
      switch item {
      case .array, .object: false
      default: members.contains(item)
      }
    }
    if case .array(let elements) = value { return elements.contains(where: member) }
    return member(value)
  }

  // swift-format-ignore: FunctionBodyLength
  // One case per operator keeps each rule next to its neighbours.
  func apply(_ op: Operator, _ value: JSONValue) -> Bool {
    switch op {
    case .eq(let expected):
      return JavaScript.strictEquals(value, expected)
    case .ne(let expected):
      return !JavaScript.strictEquals(value, expected)
    case .compare(let relation, let expected):
      return JavaScript.compare(value, relation.javaScript, expected)
    case .in(let list, let insensitive):
      return ConditionEvaluator.isIn(value, list, caseInsensitive: insensitive)
    case .nin(let list, let insensitive):
      return !ConditionEvaluator.isIn(value, list, caseInsensitive: insensitive)
    case .inGroup(let name):
      return isInGroup(value, name)
    case .notInGroup(let name):
      return !isInGroup(value, name)
    case .not(let test):
      return !matches(test, value)
    case .size(let test):
      guard case .array(let elements) = value else { return false }
      return matches(test, .number(Double(elements.count)))
    case .elemMatch(let elementTest):
      guard case .array(let elements) = value else { return false }
      return elements.contains { element in
        guard JavaScript.isTruthy(element) else { return false }
        switch elementTest {
        case .value(let test): return matches(test, element)
        case .condition(let condition): return evaluate(condition, on: element)
        }
      }
    case .all(let tests, let insensitive):
      guard case .array(let elements) = value else { return false }
      return tests.allSatisfy { test in
        elements.contains { matches(test, $0, caseInsensitive: insensitive) }
      }
    case .exists(let expected):
      return expected ? !value.isNull : value.isNull
    case .type(let name):
      return JavaScript.typeName(value) == name
    case .regex(let pattern):
      return pattern.matches(JavaScript.toString(value))
    case .version(let relation, let padded, _):
      let order = JavaScript.compareUTF16(Version.padded(value), padded)
      return switch relation {
      case .equal: order == 0
      case .notEqual: order != 0
      case .less: order < 0
      case .lessOrEqual: order <= 0
      case .greater: order > 0
      case .greaterOrEqual: order >= 0
      }
    case .startsWith(let prefix):
      guard case .string(let text) = value else { return false }
      return text.utf8.starts(with: prefix.utf8)
    case .endsWith(let suffix):
      guard case .string(let text) = value else { return false }
      return text.utf8.reversed().starts(with: suffix.utf8.reversed())
    case .contains(let needle):
      switch value {
      case .string(let text):
        guard case .string(let part) = needle else { return false }
        return ConditionEvaluator.containsBytes(text, part)
      case .array(let elements):
        return elements.contains { JavaScript.strictEquals($0, needle) }
      default:
        return false
      }
    case .before(let instant, _):
      guard case .string(let text) = value, let time = DateTime.parse(text) else { return false }
      return time < instant
    case .after(let instant, _):
      guard case .string(let text) = value, let time = DateTime.parse(text) else { return false }
      return time > instant
    case .never:
      return false
    }
  }

  /// Whether `part`'s bytes occur in `text`'s bytes.
  static func containsBytes(_ text: String, _ part: String) -> Bool {
    let haystack = Array(text.utf8)
    let needle = Array(part.utf8)
    if needle.isEmpty { return true }
    guard needle.count <= haystack.count else { return false }
    for start in 0...(haystack.count - needle.count)
    where haystack[start] == needle[0]
      && haystack[start..<start + needle.count].elementsEqual(needle)
    {
      return true
    }
    return false
  }
}

extension Relation {
  var javaScript: JavaScript.Relation {
    switch self {
    case .less: .less
    case .lessOrEqual: .lessOrEqual
    case .greater: .greater
    case .greaterOrEqual: .greaterOrEqual
    }
  }
}
