/// A parsed condition: a boolean test of a profile (DESIGN §3).
///
/// Conditions are written as MongoDB-style query objects; the parser turns
/// each operator of an operator object into its own ``Predicate`` so that the
/// compiler can intern every atomic test once.
package indirect enum Condition: Hashable, Sendable {
  /// All hold (`$and`, and the implicit AND of an object's keys). `[]` holds.
  case and([Condition])
  /// Any holds (`$or`). `[]` holds, as in GrowthBook.
  case or([Condition])
  /// None holds (`$nor`). `[]` does not hold: it is NOT `$or: []`.
  case nor([Condition])
  /// Negation (`$not`).
  case not(Condition)
  /// An atomic test of one attribute.
  case predicate(Predicate)
  /// The named segment holds (`$segment`).
  case segment(String)
  /// The named decision resolves to the variant for the same profile (`$decision`).
  case decision(String, variant: String)
  /// A constant.
  case constant(Bool)
}

/// A dot path into the profile, such as `geo.country` or `tags.0`.
package struct AttributePath: Hashable, Sendable, CustomStringConvertible {
  /// The path as written.
  package let text: String
  /// The steps, split on `.`.
  package let components: [String]

  /// Creates a path from its written form.
  package init(_ text: String) {
    self.text = text
    // Most paths are one step: no need to split them.
    self.components =
      text.utf8.contains(UInt8(ascii: "."))
      ? text.split(separator: ".", omittingEmptySubsequences: false).map(String.init) : [text]
  }

  /// The path as written.
  package var description: String { text }

  /// Compares the written form by bytes.
  package static func == (lhs: AttributePath, rhs: AttributePath) -> Bool {
    JSONValue.sameBytes(lhs.text, rhs.text)
  }

  /// Hashes the written form by bytes.
  package func hash(into hasher: inout Hasher) { JSONValue.hashBytes(text, into: &hasher) }
}

/// One atomic test: an attribute path and the test applied to its value.
package struct Predicate: Hashable, Sendable {
  /// Where the value is read.
  package var path: AttributePath
  /// What is tested.
  package var test: ValueTest

  /// Creates a predicate.
  package init(path: AttributePath, test: ValueTest) {
    self.path = path
    self.test = test
  }

  /// Hashes the predicate's ``ConditionFingerprint`` (its path and test): one word for the
  /// hasher instead of every field of the test, consistent with `==`.
  package func hash(into hasher: inout Hasher) {
    var fingerprint = ConditionFingerprint()
    fingerprint.mix(bytesOf: path.text)
    fingerprint.mix(test)
    hasher.combine(fingerprint.value)
  }
}

/// What a condition asks of one value: a literal to match, or operators that must all pass.
package indirect enum ValueTest: Hashable, Sendable {
  /// Implicit equality with GrowthBook's loose coercions (SEMANTICS §2).
  case literal(JSONValue)
  /// Operators, all of which must pass.
  case operators([Operator])
}

/// The JavaScript relational operators.
package enum Relation: String, Hashable, Sendable {
  /// `$lt`
  case less = "$lt"
  /// `$lte`
  case lessOrEqual = "$lte"
  /// `$gt`
  case greater = "$gt"
  /// `$gte`
  case greaterOrEqual = "$gte"
}

/// The version comparisons `$veq`…`$vlte`.
package enum VersionRelation: String, Hashable, Sendable {
  /// `$veq`
  case equal = "$veq"
  /// `$vne`
  case notEqual = "$vne"
  /// `$vlt`
  case less = "$vlt"
  /// `$vlte`
  case lessOrEqual = "$vlte"
  /// `$vgt`
  case greater = "$vgt"
  /// `$vgte`
  case greaterOrEqual = "$vgte"
}

/// How `$elemMatch` tests each element.
package enum ElementTest: Hashable, Sendable {
  /// The operand was an operator object: each element is tested as a value.
  case value(ValueTest)
  /// The operand was a plain object: it is a full condition on each element.
  case condition(Condition)
}

/// One operator of an operator object.
package indirect enum Operator: Hashable, Sendable {
  /// `$eq`: strict identity.
  case eq(JSONValue)
  /// `$ne`: not strictly identical.
  case ne(JSONValue)
  /// `$lt $lte $gt $gte` with JavaScript's comparison.
  case compare(Relation, JSONValue)
  /// `$in` (or `$ini` when case-insensitive): strict membership; arrays intersect.
  case `in`([JSONValue], caseInsensitive: Bool)
  /// `$nin` (or `$nini`).
  case nin([JSONValue], caseInsensitive: Bool)
  /// `$inGroup`: membership in a named group; an unknown group is empty.
  case inGroup(String)
  /// `$notInGroup`.
  case notInGroup(String)
  /// `$not`: negates a value test.
  case not(ValueTest)
  /// `$size`: the array length passes the test.
  case size(ValueTest)
  /// `$elemMatch`: some truthy element passes.
  case elemMatch(ElementTest)
  /// `$all` (or `$alli`): every item matches some element.
  case all([ValueTest], caseInsensitive: Bool)
  /// `$exists`: non-null when `true`, null or missing when `false`.
  case exists(Bool)
  /// `$type`: one of `string number boolean array object null`.
  case type(String)
  /// `$regex` or `$regexi`: an unanchored search of the value as a string.
  case regex(Pattern)
  /// `$veq`…`$vlte`: both sides padded, then compared as strings. Holds the padded operand.
  case version(VersionRelation, padded: String, original: JSONValue)
  /// `$startsWith`: a string attribute starts with the operand.
  case startsWith(String)
  /// `$endsWith`: a string attribute ends with the operand.
  case endsWith(String)
  /// `$contains`: substring of a string attribute, or an element of an array attribute.
  case contains(JSONValue)
  /// `$before`: a date-time attribute is earlier than the instant (seconds since the epoch).
  case before(Double, original: String)
  /// `$after`: a date-time attribute is later than the instant.
  case after(Double, original: String)
  /// An operator that always fails: unknown, or with an unusable operand (GrowthBook mode only).
  case never(String)
}
