extension Diagnostic {
  /// A stable diagnostic code.
  ///
  /// New codes are added as static members; a code is never renamed or reused.
  public struct Code: RawRepresentable, Hashable, Sendable, Codable, ExpressibleByStringLiteral,
    CustomStringConvertible
  {
    /// The `snake_case` text.
    public var rawValue: String

    /// Wraps a code's text.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Wraps a code's text.
    public init(stringLiteral value: String) { self.rawValue = value }

    /// The code's text.
    public var description: String { rawValue }

    /// Decodes the code's text.
    public init(from decoder: any Decoder) throws {
      rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    /// Encodes the code's text.
    public func encode(to encoder: any Encoder) throws {
      var container = encoder.singleValueContainer()
      try container.encode(rawValue)
    }

    // JSON syntax (reader)
    /// The bytes are not valid JSON.
    public static let jsonSyntax: Code = "json_syntax"
    /// A string holds bytes that are not UTF-8.
    public static let invalidUTF8: Code = "invalid_utf8"
    /// A `\u` escape is half of a surrogate pair.
    public static let loneSurrogate: Code = "lone_surrogate"
    /// A number is too large for a double.
    public static let numberOutOfRange: Code = "number_out_of_range"
    /// Arrays and objects nest deeper than the limit.
    public static let tooDeep: Code = "too_deep"
    /// An object repeats a key.
    public static let duplicateKey: Code = "duplicate_key"

    // Shape (parser)
    /// The `tailor` version is missing or not supported.
    public static let unsupportedVersion: Code = "unsupported_version"
    /// A key that the format does not define.
    public static let unknownKey: Code = "unknown_key"
    /// A required key is missing.
    public static let missingKey: Code = "missing_key"
    /// A value has the wrong JSON type.
    public static let expectedType: Code = "expected_type"
    /// An operator that the condition language does not define.
    public static let unknownOperator: Code = "unknown_operator"
    /// An object mixes operators and plain keys.
    public static let mixedOperators: Code = "mixed_operators"
    /// A value is outside its allowed range.
    public static let outOfRange: Code = "out_of_range"
    /// A string is not an ISO-8601 date-time.
    public static let invalidDateTime: Code = "invalid_datetime"
    /// A regular expression does not compile.
    public static let invalidPattern: Code = "invalid_pattern"
    /// A rule has a conflicting or missing combination of `serve`, `rollout` and `split`.
    public static let invalidRule: Code = "invalid_rule"
    /// Split weights do not sum to 1.
    public static let weightsSum: Code = "weights_sum"
    /// A rules file cannot be read.
    public static let fileUnreadable: Code = "file_unreadable"
    /// An attribute type name is not known.
    public static let unknownAttributeType: Code = "unknown_attribute_type"

    // References (validator)
    /// `$segment` names no segment.
    public static let unknownSegment: Code = "unknown_segment"
    /// `$inGroup`/`$notInGroup` names no group.
    public static let unknownGroup: Code = "unknown_group"
    /// A variant key that the decision does not define.
    public static let unknownVariant: Code = "unknown_variant"
    /// `$decision` names no decision.
    public static let unknownDecision: Code = "unknown_decision"
    /// Two rules of one decision share an id.
    public static let duplicateRuleID: Code = "duplicate_rule_id"
    /// Segments refer to each other in a cycle.
    public static let segmentCycle: Code = "segment_cycle"
    /// Decisions require each other in a cycle.
    public static let decisionCycle: Code = "decision_cycle"
    /// An operand's type does not match the attribute's declared type.
    public static let typeMismatch: Code = "type_mismatch"
    /// A schedule whose `until` is not after its `from`.
    public static let emptySchedule: Code = "empty_schedule"

    // Analysis (validator; warnings, which never block loading)
    /// A rule can never win: an earlier rule serves every profile it matches.
    public static let unreachableRule: Code = "unreachable_rule"
    /// A test also holds when its attribute is missing (GrowthBook reads missing as null).
    public static let matchesMissing: Code = "matches_missing"
    /// No decision refers to a segment, directly or through other segments.
    public static let unusedSegment: Code = "unused_segment"
    /// No rule serves a variant, it is not the default, and no prerequisite names it.
    public static let unusedVariant: Code = "unused_variant"
    // Limits (parser and validator)
    /// Conditions nest deeper than 64 levels, counting the levels of the
    /// segments and prerequisite decisions they refer to.
    public static let conditionTooDeep: Code = "condition_too_deep"
    /// Segment references expand the rules to more than 1,000,000 conditions.
    public static let expansionTooLarge: Code = "expansion_too_large"
  }
}
