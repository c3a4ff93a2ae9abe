extension Condition {
  /// The condition written back as condition JSON, for traces and tree output.
  package var json: JSONValue {
    switch self {
    case .and(let parts): .object(JSONObject([("$and", .array(parts.map(\.json)))]))
    case .or(let parts): .object(JSONObject([("$or", .array(parts.map(\.json)))]))
    case .nor(let parts): .object(JSONObject([("$nor", .array(parts.map(\.json)))]))
    case .not(let inner): .object(JSONObject([("$not", inner.json)]))
    case .predicate(let predicate):
      .object(JSONObject([(predicate.path.text, predicate.test.json)]))
    case .segment(let name): .object(JSONObject([("$segment", .string(name))]))
    case .decision(let name, let variant):
      .object(JSONObject([("$decision", .object(JSONObject([(name, .string(variant))])))]))
    case .constant(let value):
      value
        ? .object(JSONObject())
        : .object(JSONObject([("$or", .array([.object(JSONObject([("$nor", .array([]))]))]))]))
    }
  }
}

extension ValueTest {
  /// The test written back as a condition value.
  package var json: JSONValue {
    switch self {
    case .literal(let value): value
    case .operators(let operators): .object(JSONObject(operators.map { ($0.name, $0.operandJSON) }))
    }
  }
}

extension Operator {
  /// The operator's name as written, such as `$gte`.
  package var name: String {
    switch self {
    case .eq: "$eq"
    case .ne: "$ne"
    case .compare(let relation, _): relation.rawValue
    case .in(_, let insensitive): insensitive ? "$ini" : "$in"
    case .nin(_, let insensitive): insensitive ? "$nini" : "$nin"
    case .inGroup: "$inGroup"
    case .notInGroup: "$notInGroup"
    case .not: "$not"
    case .size: "$size"
    case .elemMatch: "$elemMatch"
    case .all(_, let insensitive): insensitive ? "$alli" : "$all"
    case .exists: "$exists"
    case .type: "$type"
    case .regex(let pattern): pattern.isCaseInsensitive ? "$regexi" : "$regex"
    case .version(let relation, _, _): relation.rawValue
    case .startsWith: "$startsWith"
    case .endsWith: "$endsWith"
    case .contains: "$contains"
    case .before: "$before"
    case .after: "$after"
    case .never(let name): name
    }
  }

  /// The operand written back as JSON.
  package var operandJSON: JSONValue {
    switch self {
    case .eq(let value), .ne(let value), .compare(_, let value), .contains(let value): value
    case .in(let list, _), .nin(let list, _): .array(list)
    case .inGroup(let name), .notInGroup(let name), .type(let name): .string(name)
    case .not(let test), .size(let test): test.json
    case .elemMatch(.value(let test)): test.json
    case .elemMatch(.condition(let condition)): condition.json
    case .all(let tests, _): .array(tests.map(\.json))
    case .exists(let flag): .bool(flag)
    case .regex(let pattern): .string(pattern.source)
    case .version(_, _, let original): original
    case .startsWith(let text), .endsWith(let text): .string(text)
    case .before(_, let original), .after(_, let original): .string(original)
    case .never: .null
    }
  }
}
