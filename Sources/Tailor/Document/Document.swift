/// A parsed and validated rules document (DESIGN §2, format version 1).
package struct Document: Sendable {
  /// The format version (`tailor`); always 1 today.
  package var version: Int
  /// The declared attribute types, in written order.
  package var attributes: [AttributeDefinition]
  /// The named segments, in written order.
  package var segments: [SegmentDefinition]
  /// The named groups, in written order.
  package var groups: [GroupDefinition] {
    didSet { groupMembers = Document.members(of: groups) }
  }
  /// The decisions, in written order.
  package var decisions: [DecisionDefinition]

  /// Creates a document.
  package init(
    version: Int = 1,
    attributes: [AttributeDefinition] = [],
    segments: [SegmentDefinition] = [],
    groups: [GroupDefinition] = [],
    decisions: [DecisionDefinition] = []
  ) {
    self.version = version
    self.attributes = attributes
    self.segments = segments
    self.groups = groups
    self.decisions = decisions
    self.groupMembers = Document.members(of: groups)
  }

  /// The decision named `name`.
  package func decision(named name: String) -> DecisionDefinition? {
    decisions.first { JSONValue.sameBytes($0.name, name) }
  }

  /// Each group's scalar members as a set, for `$inGroup` and `$notInGroup`.
  ///
  /// Arrays and objects are never members. The sets are built when the groups are set,
  /// once per document; validation, the compiler and the reference interpreter read them here.
  private(set) var groupMembers: [String: Set<JSONValue>]

  private static func members(of groups: [GroupDefinition]) -> [String: Set<JSONValue>] {
    var members: [String: Set<JSONValue>] = [:]
    for group in groups {
      members[group.name] = Set(
        group.members.filter { $0.arrayValue == nil && $0.objectValue == nil }
      )
    }
    return members
  }
}

/// The declared type of an attribute, used to check operands (`tailor check`).
package enum AttributeType: String, Hashable, Sendable, CaseIterable {
  /// A string.
  case string
  /// A number.
  case number
  /// A Boolean.
  case boolean
  /// An array.
  case array
  /// An object.
  case object
  /// A version string compared with `$veq`…`$vlte`.
  case version
  /// An ISO-8601 date-time string.
  case datetime
}

/// `"name": "type"` in the `attributes` section.
package struct AttributeDefinition: Hashable, Sendable {
  /// The attribute path.
  package var name: String
  /// Its declared type.
  package var type: AttributeType
}

/// A named, reusable condition.
package struct SegmentDefinition: Hashable, Sendable {
  /// The segment's name.
  package var name: String
  /// Its condition.
  package var condition: Condition
}

/// A named list of values tested with `$inGroup`.
package struct GroupDefinition: Hashable, Sendable {
  /// The group's name.
  package var name: String
  /// Its members.
  package var members: [JSONValue]
}

/// A decision point: its variants, ordered rules and default.
package struct DecisionDefinition: Hashable, Sendable {
  /// How rules combine.
  package enum Mode: Hashable, Sendable {
    /// The first admitted rule wins (the default).
    case first
    /// Every admitted rule, in order, at most `limit` of them.
    case all(limit: Int?)
  }

  /// The decision's name, such as `homepage-hero`.
  package var name: String
  /// The variants, in written order.
  package var variants: [Variant]
  /// The variant served when no rule wins, if any.
  package var defaultVariant: String?
  /// How rules combine.
  package var mode: Mode
  /// The rules, in order.
  package var rules: [Rule]
  /// A gate: when it does not hold, the decision serves its default with reason `prerequisite_failed`.
  package var requires: Condition?

  /// The variant with `key`.
  package func variant(_ key: String) -> Variant? {
    variants.first { JSONValue.sameBytes($0.key, key) }
  }
}

/// A decision's variants, looked up by key without scanning them all: a document
/// may give each of thousands of rules its own variant.
struct VariantKeys {
  /// The variants, in written order.
  let variants: [Variant]
  /// The first position of each key, by bytes; `nil` for a few variants, which are scanned.
  private let positions: [ByteString: Int]?

  init(_ variants: [Variant]) {
    self.variants = variants
    guard variants.count > 8 else {
      positions = nil
      return
    }
    var positions: [ByteString: Int] = [:]
    positions.reserveCapacity(variants.count)
    for (position, variant) in variants.enumerated() where positions[ByteString(variant.key)] == nil
    {
      positions[ByteString(variant.key)] = position
    }
    self.positions = positions
  }

  /// The position of the first variant whose key has the bytes of `key`.
  func position(of key: String) -> Int? {
    if let positions { return positions[ByteString(key)] }
    return variants.firstIndex { JSONValue.sameBytes($0.key, key) }
  }
}

/// A variant: a key and the content to show.
package struct Variant: Hashable, Sendable {
  /// The key, such as `vip`.
  package var key: String
  /// The content: any JSON value.
  package var value: JSONValue
}

/// A rule: a condition plus what it serves.
package struct Rule: Hashable, Sendable {
  /// The rule's id, unique within its decision.
  package var id: String
  /// When the rule applies; `when` omitted is always true.
  package var condition: Condition
  /// What the rule serves.
  package var action: RuleAction
  /// When the rule is active, if bounded in time.
  package var schedule: Schedule?
}

/// What a rule serves.
package enum RuleAction: Hashable, Sendable {
  /// One variant to everyone the condition admits.
  case serve(String)
  /// One variant to a percentage of users.
  case rollout(String, Rollout)
  /// A weighted choice of variants for a fraction of users.
  case split(Split)
}

/// `rollout`: admits `percent`% of users by bucketing `by` with `seed`.
package struct Rollout: Hashable, Sendable {
  /// The attribute hashed.
  package var by: AttributePath
  /// The hash seed.
  package var seed: String
  /// 0…100, fractions allowed.
  package var percent: Double
}

/// `split`: a weighted variant for a `coverage` fraction of users.
package struct Split: Hashable, Sendable {
  /// The attribute hashed.
  package var by: AttributePath
  /// The hash seed.
  package var seed: String
  /// 0…1: the fraction of users included.
  package var coverage: Double
  /// The variants and their weights, in written order.
  package var weights: [Weight]

  /// One variant's share.
  package struct Weight: Hashable, Sendable {
    /// The variant key.
    package var variant: String
    /// Its weight.
    package var weight: Double
  }
}

/// `active`: a rule applies from `from` (inclusive) until `until` (exclusive).
package struct Schedule: Hashable, Sendable {
  /// Seconds since the epoch; `nil` is unbounded.
  package var from: Double?
  /// Seconds since the epoch; `nil` is unbounded.
  package var until: Double?

  /// Whether `now` falls in the window.
  package func contains(_ now: Double) -> Bool {
    if let from, now < from { return false }
    if let until, now >= until { return false }
    return true
  }
}
