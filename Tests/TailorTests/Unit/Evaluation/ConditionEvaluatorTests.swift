import TailorTestSupport
import Testing

@testable import Tailor

/// GrowthBook's condition semantics beyond the cross-SDK vectors, one case per
/// point of `SEMANTICS.md` §1–3.
///
/// Every case runs through `GrowthBook.evaluateCondition` and as a rule's `when` in a rules
/// document; where documents are stricter, the case names the diagnostic they report.
@Suite struct ConditionEvaluatorTests {
  // MARK: §1 Condition structure

  static let structure: [ConditionCase] = [
    // Keys are ANDed.
    .holds(#"{"a": 1, "b": 2}"#, #"{"a": 1, "b": 2}"#),
    .fails(#"{"a": 1, "b": 2}"#, #"{"a": 1, "b": 3}"#),
    .holds(#"{}"#, #"{}"#),
    // Logical operators with empty lists.
    .holds(#"{"$and": []}"#, #"{}"#),
    .holds(#"{"$or": []}"#, #"{}"#),
    .fails(#"{"$nor": []}"#, #"{}"#),
    .fails(#"{"$not": {}}"#, #"{}"#),
    .holds(#"{"$or": [{"a": 1}, {"a": 2}]}"#, #"{"a": 2}"#),
    .fails(#"{"$or": [{"a": 1}, {"a": 2}]}"#, #"{"a": 3}"#),
    .holds(#"{"$nor": [{"a": 1}, {"a": 2}]}"#, #"{"a": 3}"#),
    .fails(#"{"$nor": [{"a": 1}, {"a": 2}]}"#, #"{"a": 1}"#),
    .holds(#"{"$not": {"a": 1}}"#, #"{"a": 2}"#),
    .fails(#"{"$and": [{"a": 1}, {"b": 1}]}"#, #"{"a": 1}"#),
    // Any other key, even one starting with `$`, is an attribute path (documents reject it).
    .rejected(#"{"$groups": "x"}"#, #"{"$groups": "x"}"#, growthBook: true, .unknownOperator),
    // Dot paths: objects and arrays (by index and `length`) resolve; strings do not.
    .holds(#"{"geo.country": "ES"}"#, #"{"geo": {"country": "ES"}}"#),
    .holds(#"{"tags.0": "a"}"#, #"{"tags": ["a", "b"]}"#),
    .holds(#"{"tags.length": 2}"#, #"{"tags": ["a", "b"]}"#),
    .fails(#"{"name.length": 4}"#, #"{"name": "abcd"}"#),
    .holds(#"{"name.length": 0}"#, #"{"name": "abcd"}"#),
    .holds(#"{"name.length": null}"#, #"{"name": "abcd"}"#),
    // A key containing `.` cannot be reached.
    .fails(#"{"a.b": 1}"#, #"{"a.b": 1}"#),
    .holds(#"{"a.b": null}"#, #"{"a.b": 1}"#),
    // Missing and null are indistinguishable.
    .holds(#"{"x": null}"#, #"{}"#),
    .holds(#"{"x": null}"#, #"{"x": null}"#),
    .holds(#"{"x": {"$exists": false}}"#, #"{"x": null}"#),
    .holds(#"{"x": {"$eq": null}}"#, #"{}"#),
    .holds(#"{"x": {"$type": "null"}}"#, #"{}"#),
    .holds(#"{"x": {"$type": "null"}}"#, #"{"x": null}"#),
    .holds(#"{"x": "null"}"#, #"{"x": null}"#),
    .holds(#"{"x.y": null}"#, #"{"x": null}"#),
    // `{}` and mixed objects are literals.
    .holds(#"{"x": {}}"#, #"{"x": {}}"#),
    .fails(#"{"x": {}}"#, #"{}"#),
    .rejected(
      #"{"x": {"$gt": 1, "y": 2}}"#,
      #"{"x": {"$gt": 1, "y": 2}}"#,
      growthBook: true,
      .mixedOperators
    ),
    .rejected(#"{"x": {"$gt": 1, "y": 2}}"#, #"{"x": 5}"#, growthBook: false, .mixedOperators),
  ]

  @Test("§1 condition structure", arguments: structure)
  func conditionStructure(_ testCase: ConditionCase) throws { try testCase.check() }

  // MARK: §2 Literal matching

  static let stringLiterals: [ConditionCase] = [
    .holds(#"{"x": "null"}"#, #"{}"#),
    .holds(#"{"x": "true"}"#, #"{"x": true}"#),
    .holds(#"{"x": "123"}"#, #"{"x": 123}"#),
    .holds(#"{"x": "1.5"}"#, #"{"x": 1.5}"#),
    .holds(#"{"tags": "x"}"#, #"{"tags": ["x"]}"#),
    .holds(#"{"tags": "x,y"}"#, #"{"tags": ["x", "y"]}"#),
    .fails(#"{"tags": "x"}"#, #"{"tags": ["x", "y"]}"#),
    .holds(#"{"tags": ",1"}"#, #"{"tags": [null, 1]}"#),
    .holds(#"{"tags": "1,2,3"}"#, #"{"tags": [[1, 2], 3]}"#),
    .holds(#"{"tags": ""}"#, #"{"tags": []}"#),
    .holds(#"{"x": "[object Object]"}"#, #"{"x": {"a": 1}}"#),
    .fails(#"{"x": "ES"}"#, #"{"x": "es"}"#),
  ]

  static let numberLiterals: [ConditionCase] = [
    .holds(#"{"n": 8}"#, #"{"n": "8"}"#),
    .holds(#"{"n": 8}"#, #"{"n": " 8 "}"#),
    .holds(#"{"n": 0}"#, #"{"n": ""}"#),
    .holds(#"{"n": 1}"#, #"{"n": true}"#),
    .holds(#"{"n": 0}"#, #"{"n": false}"#),
    .holds(#"{"n": 5}"#, #"{"n": [5]}"#),
    .fails(#"{"n": 5}"#, #"{"n": [5, 6]}"#),
    .holds(#"{"n": 0}"#, #"{"n": []}"#),
    .holds(#"{"n": 0}"#, #"{}"#),
    .holds(#"{"n": 0}"#, #"{"n": null}"#),
    .fails(#"{"n": 1}"#, #"{}"#),
    .holds(#"{"n": 16}"#, #"{"n": "0x10"}"#),
    .holds(#"{"n": 5}"#, #"{"n": "0b101"}"#),
    .holds(#"{"n": 5}"#, #"{"n": "5."}"#),
    .holds(#"{"n": 0.5}"#, #"{"n": ".5"}"#),
    .holds(#"{"n": 8}"#, #"{"n": "\u00a08\ufeff"}"#),
    .fails(#"{"n": 8}"#, #"{"n": "8px"}"#),
    .fails(#"{"n": 10}"#, #"{"n": "1_0"}"#),
    .fails(#"{"n": 0}"#, #"{"n": "abc"}"#),
    .fails(#"{"n": 0}"#, #"{"n": {}}"#),
    .holds(#"{"n": 0}"#, #"{"n": -0}"#),
  ]

  static let booleanLiterals: [ConditionCase] = [
    .holds(#"{"b": true}"#, #"{"b": 1}"#),
    .holds(#"{"b": true}"#, #"{"b": "0"}"#),
    .holds(#"{"b": true}"#, #"{"b": "false"}"#),
    .holds(#"{"b": true}"#, #"{"b": []}"#),
    .holds(#"{"b": true}"#, #"{"b": {}}"#),
    .holds(#"{"b": false}"#, #"{"b": 0}"#),
    .holds(#"{"b": false}"#, #"{"b": ""}"#),
    .holds(#"{"b": false}"#, #"{"b": false}"#),
    .fails(#"{"b": false}"#, #"{}"#),
    .fails(#"{"b": true}"#, #"{}"#),
    .fails(#"{"b": false}"#, #"{"b": null}"#),
    .fails(#"{"b": true}"#, #"{"b": 0}"#),
  ]

  static let nullLiterals: [ConditionCase] = [
    .holds(#"{"x": null}"#, #"{}"#),
    .fails(#"{"x": null}"#, #"{"x": 0}"#),
    .fails(#"{"x": null}"#, #"{"x": ""}"#),
    .fails(#"{"x": null}"#, #"{"x": false}"#),
    .fails(#"{"x": null}"#, #"{"x": "null"}"#),
  ]

  static let structuredLiterals: [ConditionCase] = [
    .holds(#"{"x": [1, 2]}"#, #"{"x": [1, 2]}"#),
    .fails(#"{"x": [1, 2]}"#, #"{"x": [2, 1]}"#),
    .fails(#"{"x": [1]}"#, #"{"x": ["1"]}"#),
    .fails(#"{"x": [1]}"#, #"{"x": 1}"#),
    .holds(#"{"x": {"a": 1, "b": [true, null]}}"#, #"{"x": {"a": 1, "b": [true, null]}}"#),
    // Object key order matters, as in JavaScript's JSON.stringify…
    .fails(#"{"x": {"a": 1, "b": 2}}"#, #"{"x": {"b": 2, "a": 1}}"#),
    .fails(#"{"x": {"01": 1, "02": 2}}"#, #"{"x": {"02": 2, "01": 1}}"#),
    // …except that integer-like keys come first, in ascending order.
    .holds(#"{"x": {"b": 1, "2": 2, "1": 3}}"#, #"{"x": {"1": 3, "2": 2, "b": 1}}"#),
    .holds(#"{"x": {"10": 1, "9": 2}}"#, #"{"x": {"9": 2, "10": 1}}"#),
    .holds(#"{"x": {"01": 1, "1": 2}}"#, #"{"x": {"1": 2, "01": 1}}"#),
    .fails(#"{"x": {"a": 1}}"#, #"{"x": {"a": 1, "b": 2}}"#),
  ]

  @Test("§2 string literals", arguments: stringLiterals)
  func stringLiteral(_ testCase: ConditionCase) throws { try testCase.check() }

  @Test("§2 number literals", arguments: numberLiterals)
  func numberLiteral(_ testCase: ConditionCase) throws { try testCase.check() }

  @Test("§2 boolean literals", arguments: booleanLiterals)
  func booleanLiteral(_ testCase: ConditionCase) throws { try testCase.check() }

  @Test("§2 null literals", arguments: nullLiterals)
  func nullLiteral(_ testCase: ConditionCase) throws { try testCase.check() }

  @Test("§2 array and object literals", arguments: structuredLiterals)
  func structuredLiteral(_ testCase: ConditionCase) throws { try testCase.check() }

  /// Numbers become strings as JavaScript's `Number.prototype.toString` writes them.
  static let numberStrings: [ConditionCase] = [
    .holds(#"{"x": "1e+21"}"#, #"{"x": 1e21}"#),
    .fails(#"{"x": "1e21"}"#, #"{"x": 1e21}"#),
    .holds(#"{"x": "100000000000000000000"}"#, #"{"x": 1e20}"#),
    .holds(#"{"x": "123456789012345680000"}"#, #"{"x": 123456789012345678901}"#),
    .holds(#"{"x": "1e-7"}"#, #"{"x": 1e-7}"#),
    .holds(#"{"x": "-1e-7"}"#, #"{"x": -0.0000001}"#),
    .holds(#"{"x": "0.000001"}"#, #"{"x": 1e-6}"#),
    .holds(#"{"x": "0.30000000000000004"}"#, #"{"x": 0.30000000000000004}"#),
    .holds(#"{"x": "1.5e+300"}"#, #"{"x": 15e299}"#),
    .holds(#"{"x": "0"}"#, #"{"x": -0}"#),
    .fails(#"{"x": "-0"}"#, #"{"x": -0}"#),
    .holds(#"{"x": "9007199254740992"}"#, #"{"x": 9007199254740993}"#),
    .holds(#"{"x": {"$regex": "^1e\\+21$"}}"#, #"{"x": 1e21}"#),
  ]

  @Test("§2 numbers as JavaScript strings", arguments: numberStrings)
  func numberString(_ testCase: ConditionCase) throws { try testCase.check() }

  // MARK: §3 Operators

  static let equality: [ConditionCase] = [
    .fails(#"{"n": {"$eq": 8}}"#, #"{"n": "8"}"#),
    .holds(#"{"n": {"$ne": 8}}"#, #"{"n": "8"}"#),
    .holds(#"{"n": {"$eq": 8}}"#, #"{"n": 8}"#),
    .holds(#"{"n": {"$eq": 0}}"#, #"{"n": -0}"#),
    .holds(#"{"n": {"$eq": null}}"#, #"{}"#),
    .holds(#"{"n": {"$ne": null}}"#, #"{"n": 0}"#),
    .fails(#"{"n": {"$eq": "null"}}"#, #"{}"#),
    .rejected(#"{"n": {"$eq": [1]}}"#, #"{"n": [1]}"#, growthBook: false, .expectedType),
    .rejected(#"{"n": {"$ne": {"a": 1}}}"#, #"{"n": {"a": 1}}"#, growthBook: true, .expectedType),
  ]

  static let comparison: [ConditionCase] = [
    // Two strings compare by UTF-16 code units.
    .holds(#"{"v": {"$lt": "9"}}"#, #"{"v": "10"}"#),
    .holds(#"{"v": {"$lt": "a"}}"#, #"{"v": "B"}"#),
    .holds(#"{"v": {"$lt": "2026-01-02"}}"#, #"{"v": "2026-01-01T23:59:59Z"}"#),
    // (code units, not code points: U+1F600 is D83D DE00, below U+FFFF)
    .fails(#"{"v": {"$gt": "\uffff"}}"#, #"{"v": "\ud83d\ude00"}"#),
    .holds(#"{"v": {"$lt": "\uffff"}}"#, #"{"v": "\ud83d\ude00"}"#),
    // Otherwise both become numbers.
    .fails(#"{"v": {"$lt": 9}}"#, #"{"v": "10"}"#),
    .holds(#"{"v": {"$gt": "25"}}"#, #"{"v": [3]}"#),
    .fails(#"{"v": {"$gt": 25}}"#, #"{"v": [3]}"#),
    .holds(#"{"v": {"$gt": 15}}"#, #"{"v": "0x10"}"#),
    .holds(#"{"v": {"$gte": 1}}"#, #"{"v": true}"#),
    .holds(#"{"v": {"$lte": 0}}"#, #"{"v": ""}"#),
    // A missing attribute acts as 0.
    .holds(#"{"v": {"$lt": 10}}"#, #"{}"#),
    .holds(#"{"v": {"$gt": -1}}"#, #"{}"#),
    .holds(#"{"v": {"$gte": 0, "$lte": 0}}"#, #"{}"#),
    .fails(#"{"v": {"$gt": "a"}}"#, #"{}"#),
    .fails(#"{"v": {"$lt": "a"}}"#, #"{}"#),
    // NaN makes every comparison false.
    .fails(#"{"v": {"$gt": 0}}"#, #"{"v": "abc"}"#),
    .fails(#"{"v": {"$lte": 0}}"#, #"{"v": "abc"}"#),
    .fails(#"{"v": {"$gte": 0}}"#, #"{"v": {}}"#),
    .rejected(#"{"v": {"$lt": null}}"#, #"{"v": -1}"#, growthBook: true, .expectedType),
  ]

  static let membership: [ConditionCase] = [
    .holds(#"{"x": {"$in": ["a", "b"]}}"#, #"{"x": "a"}"#),
    .fails(#"{"x": {"$in": [1]}}"#, #"{"x": "1"}"#),
    .holds(#"{"x": {"$nin": [1]}}"#, #"{"x": "1"}"#),
    // A non-array operand makes both false.
    .rejected(#"{"x": {"$in": "a"}}"#, #"{"x": "a"}"#, growthBook: false, .expectedType),
    .rejected(#"{"x": {"$nin": "a"}}"#, #"{"x": "b"}"#, growthBook: false, .expectedType),
    // An array attribute intersects.
    .holds(#"{"tags": {"$in": ["a", "z"]}}"#, #"{"tags": ["b", "a"]}"#),
    .fails(#"{"tags": {"$in": ["z"]}}"#, #"{"tags": ["b", "a"]}"#),
    .fails(#"{"tags": {"$nin": ["a"]}}"#, #"{"tags": ["b", "a"]}"#),
    .holds(#"{"tags": {"$nin": ["z"]}}"#, #"{"tags": ["b", "a"]}"#),
    .fails(#"{"tags": {"$in": ["a"]}}"#, #"{"tags": []}"#),
    .holds(#"{"tags": {"$nin": ["a"]}}"#, #"{"tags": []}"#),
    // Missing is null.
    .holds(#"{"x": {"$nin": ["a"]}}"#, #"{}"#),
    .holds(#"{"x": {"$in": [null]}}"#, #"{}"#),
    .fails(#"{"x": {"$in": ["a"]}}"#, #"{}"#),
    // Arrays and objects are never members.
    .fails(#"{"x": {"$in": [{"a": 1}]}}"#, #"{"x": {"a": 1}}"#),
    .fails(#"{"x": {"$in": [[1]]}}"#, #"{"x": [[1]]}"#),
    // Case-insensitive variants.
    .holds(#"{"x": {"$ini": ["ABC"]}}"#, #"{"x": "abc"}"#),
    .fails(#"{"x": {"$nini": ["ABC"]}}"#, #"{"x": "aBc"}"#),
    .holds(#"{"tags": {"$ini": ["X"]}}"#, #"{"tags": ["a", "x"]}"#),
  ]

  static let groups: [ConditionCase] = [
    .holds(#"{"id": {"$inGroup": "g"}}"#, #"{"id": "2"}"#, groups: #"{"g": [1, "2"]}"#),
    .fails(#"{"id": {"$inGroup": "g"}}"#, #"{"id": "3"}"#, groups: #"{"g": [3]}"#),
    .holds(#"{"id": {"$notInGroup": "g"}}"#, #"{"id": "3"}"#, groups: #"{"g": [3]}"#),
    .holds(#"{"id": {"$inGroup": "g"}}"#, #"{"id": [5, 3]}"#, groups: #"{"g": [3]}"#),
    .holds(#"{"id": {"$inGroup": "g"}}"#, #"{}"#, groups: #"{"g": [null]}"#),
    .fails(#"{"id": {"$inGroup": "g"}}"#, #"{"id": []}"#, groups: #"{"g": [3]}"#),
    // An unknown group is empty in GrowthBook and an error in documents.
    .rejected(#"{"id": {"$inGroup": "nope"}}"#, #"{"id": 1}"#, growthBook: false, .unknownGroup),
    .rejected(#"{"id": {"$notInGroup": "nope"}}"#, #"{"id": 1}"#, growthBook: true, .unknownGroup),
  ]

  @Test("§3 $eq and $ne", arguments: equality)
  func equalityOperator(_ testCase: ConditionCase) throws { try testCase.check() }

  @Test("§3 relational operators", arguments: comparison)
  func relationalOperator(_ testCase: ConditionCase) throws { try testCase.check() }

  @Test("§3 $in and $nin", arguments: membership)
  func membershipOperator(_ testCase: ConditionCase) throws { try testCase.check() }

  @Test("§3 $inGroup and $notInGroup", arguments: groups)
  func groupOperator(_ testCase: ConditionCase) throws { try testCase.check() }

  static let arrays: [ConditionCase] = [
    // $all: every item matches some element, with literal coercion and operators.
    .holds(#"{"tags": {"$all": [1, "b"]}}"#, #"{"tags": ["1", "b", "c"]}"#),
    .fails(#"{"tags": {"$all": ["a", "z"]}}"#, #"{"tags": ["a", "b"]}"#),
    .holds(#"{"tags": {"$all": [{"$gt": 5}, {"$lt": 2}]}}"#, #"{"tags": [1, 7]}"#),
    .holds(#"{"tags": {"$all": []}}"#, #"{"tags": []}"#),
    .holds(#"{"tags": {"$all": []}}"#, #"{"tags": ["a"]}"#),
    .fails(#"{"tags": {"$all": []}}"#, #"{"tags": "a"}"#),
    .fails(#"{"tags": {"$all": ["a"]}}"#, #"{}"#),
    .rejected(#"{"tags": {"$all": "a"}}"#, #"{"tags": ["a"]}"#, growthBook: false, .expectedType),
    .holds(#"{"tags": {"$alli": ["A", "b"]}}"#, #"{"tags": ["a", "B"]}"#),
    .fails(#"{"tags": {"$all": ["A"]}}"#, #"{"tags": ["a"]}"#),
    // $size: the length tested as a condition value.
    .holds(#"{"tags": {"$size": 2}}"#, #"{"tags": ["a", "b"]}"#),
    .holds(#"{"tags": {"$size": {"$gt": 1}}}"#, #"{"tags": ["a", "b"]}"#),
    .fails(#"{"tags": {"$size": {"$gt": 2}}}"#, #"{"tags": ["a", "b"]}"#),
    .holds(#"{"tags": {"$size": "2"}}"#, #"{"tags": ["a", "b"]}"#),
    .holds(#"{"tags": {"$size": 0}}"#, #"{"tags": []}"#),
    .fails(#"{"tags": {"$size": 2}}"#, #"{"tags": "ab"}"#),
    .fails(#"{"tags": {"$size": 0}}"#, #"{}"#),
    // $elemMatch: an operator object tests each element as a value…
    .holds(#"{"a": {"$elemMatch": {"$gt": 5}}}"#, #"{"a": [1, 7]}"#),
    .fails(#"{"a": {"$elemMatch": {"$gt": 8}}}"#, #"{"a": [1, 7]}"#),
    // …any other object is a condition on each element.
    .holds(#"{"a": {"$elemMatch": {"k": 1}}}"#, #"{"a": [{"k": 2}, {"k": 1}]}"#),
    .fails(#"{"a": {"$elemMatch": {"k": 3}}}"#, #"{"a": [{"k": 2}, {"k": 1}]}"#),
    .holds(#"{"a": {"$elemMatch": {"k": {"$gt": 1}, "j": null}}}"#, #"{"a": [{"k": 2}]}"#),
    // Falsy elements are skipped.
    .fails(#"{"a": {"$elemMatch": {"$lt": 1}}}"#, #"{"a": [0, 5]}"#),
    .holds(#"{"a": {"$elemMatch": {"$lt": 1}}}"#, #"{"a": [0, 0.5]}"#),
    .fails(#"{"a": {"$elemMatch": {"$eq": ""}}}"#, #"{"a": ["", "x"]}"#),
    .fails(#"{"a": {"$elemMatch": {"$eq": false}}}"#, #"{"a": [false]}"#),
    .fails(#"{"a": {"$elemMatch": {"$exists": false}}}"#, #"{"a": [null, 1]}"#),
    .fails(#"{"a": {"$elemMatch": {"$gt": 0}}}"#, #"{"a": 5}"#),
    .rejected(#"{"a": {"$elemMatch": 1}}"#, #"{"a": [1]}"#, growthBook: true, .expectedType),
  ]

  @Test("§3 $all, $size and $elemMatch", arguments: arrays)
  func arrayOperator(_ testCase: ConditionCase) throws { try testCase.check() }

  static let existence: [ConditionCase] = [
    .holds(#"{"x": {"$exists": true}}"#, #"{"x": false}"#),
    .holds(#"{"x": {"$exists": true}}"#, #"{"x": 0}"#),
    .holds(#"{"x": {"$exists": true}}"#, #"{"x": ""}"#),
    .holds(#"{"x": {"$exists": true}}"#, #"{"x": []}"#),
    .fails(#"{"x": {"$exists": true}}"#, #"{}"#),
    .fails(#"{"x": {"$exists": true}}"#, #"{"x": null}"#),
    .holds(#"{"x": {"$exists": false}}"#, #"{}"#),
    .fails(#"{"x": {"$exists": false}}"#, #"{"x": 0}"#),
    // GrowthBook reads the operand's truthiness; documents require a boolean.
    .rejected(#"{"x": {"$exists": "false"}}"#, #"{"x": 1}"#, growthBook: true, .expectedType),
    .rejected(#"{"x": {"$exists": 0}}"#, #"{}"#, growthBook: true, .expectedType),
    // $type
    .holds(#"{"x": {"$type": "string"}}"#, #"{"x": ""}"#),
    .holds(#"{"x": {"$type": "number"}}"#, #"{"x": 1}"#),
    .holds(#"{"x": {"$type": "number"}}"#, #"{"x": 1.5}"#),
    .holds(#"{"x": {"$type": "boolean"}}"#, #"{"x": false}"#),
    .holds(#"{"x": {"$type": "array"}}"#, #"{"x": []}"#),
    .holds(#"{"x": {"$type": "object"}}"#, #"{"x": {}}"#),
    .holds(#"{"x": {"$type": "null"}}"#, #"{"x": null}"#),
    .fails(#"{"x": {"$type": "object"}}"#, #"{"x": null}"#),
    .fails(#"{"x": {"$type": "number"}}"#, #"{"x": "1"}"#),
    .rejected(#"{"x": {"$type": "undefined"}}"#, #"{}"#, growthBook: false, .expectedType),
    .rejected(#"{"x": {"$type": "integer"}}"#, #"{"x": 1}"#, growthBook: false, .expectedType),
    // $not negates a condition value.
    .holds(#"{"x": {"$not": {"$gt": 5}}}"#, #"{"x": 3}"#),
    .fails(#"{"x": {"$not": {"$gt": 5}}}"#, #"{"x": 6}"#),
    .holds(#"{"x": {"$not": "a"}}"#, #"{"x": "b"}"#),
    .fails(#"{"x": {"$not": null}}"#, #"{}"#),
    // An unknown operator is false in GrowthBook and an error in documents.
    .rejected(#"{"x": {"$foo": 1}}"#, #"{"x": 1}"#, growthBook: false, .unknownOperator),
    .rejected(#"{"x": {"$not": {"$foo": 1}}}"#, #"{"x": 1}"#, growthBook: true, .unknownOperator),
  ]

  @Test("§3 $exists, $type and $not", arguments: existence)
  func existenceOperator(_ testCase: ConditionCase) throws { try testCase.check() }

  static let regex: [ConditionCase] = [
    .holds(#"{"x": {"$regex": "b"}}"#, #"{"x": "abc"}"#),
    .fails(#"{"x": {"$regex": "^b"}}"#, #"{"x": "abc"}"#),
    // The attribute is converted to a string first.
    .holds(#"{"x": {"$regex": "nul"}}"#, #"{}"#),
    .holds(#"{"x": {"$regex": "^null$"}}"#, #"{"x": null}"#),
    .holds(#"{"x": {"$regex": "^12"}}"#, #"{"x": 123}"#),
    .holds(#"{"x": {"$regex": "^a,b$"}}"#, #"{"x": ["a", "b"]}"#),
    .holds(#"{"x": {"$regex": "^true$"}}"#, #"{"x": true}"#),
    // Case.
    .fails(#"{"x": {"$regex": "ABC"}}"#, #"{"x": "xabcx"}"#),
    .holds(#"{"x": {"$regexi": "ABC"}}"#, #"{"x": "xabcx"}"#),
    // An invalid pattern is false, so its negation is true; documents reject it.
    .rejected(#"{"x": {"$regex": "("}}"#, #"{"x": "("}"#, growthBook: false, .invalidPattern),
    .rejected(
      #"{"x": {"$not": {"$regex": "("}}}"#,
      #"{"x": "("}"#,
      growthBook: true,
      .invalidPattern
    ),
    .rejected(#"{"x": {"$regex": 12}}"#, #"{"x": 123}"#, growthBook: true, .expectedType),
  ]

  @Test("§3 $regex and $regexi", arguments: regex)
  func regexOperator(_ testCase: ConditionCase) throws { try testCase.check() }

  static let versions: [ConditionCase] = [
    .holds(#"{"v": {"$vlt": "1.0.0"}}"#, #"{"v": "1.0"}"#),
    .fails(#"{"v": {"$veq": "1.0.0"}}"#, #"{"v": "1.0"}"#),
    .holds(#"{"v": {"$vgt": "1.0.0.1"}}"#, #"{"v": "1.0.0"}"#),
    .fails(#"{"v": {"$veq": "1.0.0"}}"#, #"{"v": "01.0.0"}"#),
    .holds(#"{"v": {"$vne": "1.0.0"}}"#, #"{"v": "01.0.0"}"#),
    // Parts longer than five digits compare wrongly, without crashing.
    .holds(#"{"v": {"$vlt": "99999.0.0"}}"#, #"{"v": "100000.0.0"}"#),
    .holds(#"{"v": {"$vgt": "10000.0.0"}}"#, #"{"v": "99999.0.0"}"#),
    .holds(#"{"v": {"$veq": "100000.0.0"}}"#, #"{"v": "100000.0.0"}"#),
    // A leading `v` and `+build` metadata are ignored.
    .holds(#"{"v": {"$veq": "1.2.3"}}"#, #"{"v": "v1.2.3+build.7"}"#),
    .holds(#"{"v": {"$veq": "v1.2.3"}}"#, #"{"v": "1.2.3"}"#),
    .fails(#"{"v": {"$veq": "1.2.3"}}"#, #"{"v": "V1.2.3"}"#),
    // A prerelease ranks below its release.
    .holds(#"{"v": {"$vlt": "1.2.3"}}"#, #"{"v": "1.2.3-beta"}"#),
    .holds(#"{"v": {"$vgt": "1.2.3-alpha"}}"#, #"{"v": "1.2.3-beta"}"#),
    .holds(#"{"v": {"$vgt": "1.2.2"}}"#, #"{"v": "1.2.3-beta"}"#),
    .holds(#"{"v": {"$vgt": "r100"}}"#, #"{"v": "r2"}"#),
    .holds(#"{"v": {"$veq": "1.2.3"}}"#, #"{"v": "1-2-3"}"#),
    .holds(#"{"v": {"$veq": "1.2.3.4"}}"#, #"{"v": "1.2.3-4"}"#),
    .holds(#"{"v": {"$vgte": "1.10.0"}}"#, #"{"v": "1.10.0"}"#),
    .holds(#"{"v": {"$vgt": "1.9.0"}}"#, #"{"v": "1.10.0"}"#),
    .holds(#"{"v": {"$vlte": "2"}}"#, #"{"v": "1.99.99"}"#),
    // A missing attribute is version "0"; numbers are written as strings.
    .holds(#"{"v": {"$veq": "0"}}"#, #"{}"#),
    .holds(#"{"v": {"$vlt": "0.0.1"}}"#, #"{}"#),
    .holds(#"{"v": {"$veq": 1.5}}"#, #"{"v": "1.5"}"#),
    .holds(#"{"v": {"$veq": "0"}}"#, #"{"v": true}"#),
    .rejected(#"{"v": {"$veq": true}}"#, #"{"v": "1"}"#, growthBook: false, .expectedType),
  ]

  @Test("§3 version operators", arguments: versions)
  func versionOperator(_ testCase: ConditionCase) throws { try testCase.check() }

  @Test(
    "paddedVersionString",
    arguments: [
      ("1.2.3", "    1-    2-    3-~"),
      ("v1.2.3+build", "    1-    2-    3-~"),
      ("1.2.3-beta", "    1-    2-    3-beta"),
      ("1.0", "    1-    0"),
      ("100000.0.0", "100000-    0-    0-~"),
      ("12345.0.0", "12345-    0-    0-~"),
      ("", "    0"),
      ("1+a\nb+c", "1+a\nb"),
    ] as [(String, String)]
  )
  func paddedVersion(_ input: String, _ expected: String) {
    #expect(GrowthBook.paddedVersion(.string(input)) == expected)
  }

  /// The dotted-numbers pass pads exactly as the general one, and declines everything
  /// else: seeded random texts of digits, dots, `v`, `+`, `-`, letters and line breaks.
  @Test func dottedVersionsPadAsAnyText() {
    var random = SeededGenerator(seed: 7)
    let alphabet = Array("0123456789..........v+-a\n".utf8)
    var dotted = 0
    for _ in 0..<20_000 {
      let count = Int.random(in: 1...14, using: &random)
      let text = (0..<count).map { _ in alphabet.randomElement(using: &random)! }
      let capacity = Version.paddedCapacity(count)
      var fast = [UInt8](repeating: 0, count: capacity)
      var general = [UInt8](repeating: 0, count: capacity)
      let (written, expected) = text.withUnsafeBufferPointer { bytes in
        (
          fast.withUnsafeMutableBufferPointer { Version.pad(bytes, into: $0.baseAddress!) },
          general.withUnsafeMutableBufferPointer {
            Version.padAnyText(bytes, into: $0.baseAddress!)
          }
        )
      }
      #expect(Array(fast[..<written]) == Array(general[..<expected]), "\(text)")
      let isDotted = text.withUnsafeBufferPointer { bytes in
        fast.withUnsafeMutableBufferPointer { Version.padDotted(bytes, into: $0.baseAddress!) }
          != nil
      }
      if isDotted { dotted += 1 }
    }
    #expect(dotted > 1_000)
    let plain = Array("5.12.3".utf8)
    var output = [UInt8](repeating: 0, count: Version.paddedCapacity(plain.count))
    let written = plain.withUnsafeBufferPointer { bytes in
      output.withUnsafeMutableBufferPointer { Version.padDotted(bytes, into: $0.baseAddress!) }
    }
    #expect(written.map { String(decoding: output[..<$0], as: UTF8.self) } == "    5-   12-    3-~")
  }

  @Test func paddedVersionOfNonStrings() {
    #expect(GrowthBook.paddedVersion(.number(2)) == "    2")
    #expect(GrowthBook.paddedVersion(.null) == "    0")
    #expect(GrowthBook.paddedVersion(.bool(true)) == "    0")
    #expect(GrowthBook.paddedVersion(.array(["1"])) == "    0")
  }
}
