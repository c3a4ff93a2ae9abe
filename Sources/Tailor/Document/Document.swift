/// A parsed and validated rules document (DESIGN §2, format version 1).
public struct Document: Sendable {
  /// The format version (`tailor`); always 1 today.
  public var version: Int
  /// The declared attribute types, in written order.
  public var attributes: [AttributeDefinition]
  /// The named segments, in written order.
  public var segments: [SegmentDefinition]
  /// The named groups, in written order.
  public var groups: [GroupDefinition] {
    didSet { groupMembers = Document.members(of: groups) }
  }
  /// The decisions, in written order.
  public var decisions: [DecisionDefinition]

  /// Creates a document.
  public init(
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
  public func decision(named name: String) -> DecisionDefinition? {
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
public enum AttributeType: String, Hashable, Sendable, CaseIterable {
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
public struct AttributeDefinition: Hashable, Sendable {
  /// The attribute path.
  public var name: String
  /// Its declared type.
  public var type: AttributeType
}

/// A named, reusable condition.
public struct SegmentDefinition: Hashable, Sendable {
  /// The segment's name.
  public var name: String
  /// Its condition.
  public var condition: Condition
}

/// A named list of values tested with `$inGroup`.
public struct GroupDefinition: Hashable, Sendable {
  /// The group's name.
  public var name: String
  /// Its members.
  public var members: [JSONValue]
}

/// A decision point: its variants, ordered rules and default.
public struct DecisionDefinition: Hashable, Sendable {
  /// How rules combine.
  public enum Mode: Hashable, Sendable {
    /// The first admitted rule wins (the default).
    case first
    /// Every admitted rule, in order, at most `limit` of them.
    case all(limit: Int?)
  }

  /// The decision's name, such as `homepage-hero`.
  public var name: String
  /// The variants, in written order.
  public var variants: [Variant]
  /// The variant served when no rule wins, if any.
  public var defaultVariant: String?
  /// How rules combine.
  public var mode: Mode
  /// The rules, in order.
  public var rules: [Rule]
  /// A gate: when it does not hold, the decision serves its default with reason `prerequisite_failed`.
  public var requires: Condition?

  /// The variant with `key`.
  public func variant(_ key: String) -> Variant? {
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
public struct Variant: Hashable, Sendable {
  /// The key, such as `vip`.
  public var key: String
  /// The content: any JSON value.
  public var value: JSONValue
}

/// A rule: a condition plus what it serves.
public struct Rule: Hashable, Sendable {
  /// The rule's id, unique within its decision.
  public var id: String
  /// When the rule applies; `when` omitted is always true.
  public var condition: Condition
  /// What the rule serves.
  public var action: RuleAction
  /// When the rule is active, if bounded in time.
  public var schedule: Schedule?
}

/// What a rule serves.
public enum RuleAction: Hashable, Sendable {
  /// One variant to everyone the condition admits.
  case serve(String)
  /// One variant to a percentage of users.
  case rollout(String, Rollout)
  /// A weighted choice of variants for a fraction of users.
  case split(Split)
}

/// `rollout`: admits `percent`% of users by bucketing `by` with `seed`.
public struct Rollout: Hashable, Sendable {
  /// The attribute hashed.
  public var by: AttributePath
  /// The hash seed.
  public var seed: String
  /// 0…100, fractions allowed.
  public var percent: Double
}

/// `split`: a weighted variant for a `coverage` fraction of users.
public struct Split: Hashable, Sendable {
  /// The attribute hashed.
  public var by: AttributePath
  /// The hash seed.
  public var seed: String
  /// 0…1: the fraction of users included.
  public var coverage: Double
  /// The variants and their weights, in written order.
  public var weights: [Weight]

  /// One variant's share.
  public struct Weight: Hashable, Sendable {
    /// The variant key.
    public var variant: String
    /// Its weight.
    public var weight: Double
  }
}

/// `active`: a rule applies from `from` (inclusive) until `until` (exclusive).
public struct Schedule: Hashable, Sendable {
  /// Seconds since the epoch; `nil` is unbounded.
  public var from: Double?
  /// Seconds since the epoch; `nil` is unbounded.
  public var until: Double?

  /// Whether `now` falls in the window.
  public func contains(_ now: Double) -> Bool {
    if let from, now < from { return false }
    if let until, now >= until { return false }
    return true
  }
}
