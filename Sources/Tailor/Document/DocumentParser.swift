/// Turns a JSON value into a ``Document``: the shape of the rules format.
///
/// It checks keys, value kinds and operator names, and recovers at the smallest
/// enclosing value, so one bad rule does not hide the errors in the next.
/// References between parts (segments, groups, variants, decisions) are
/// recorded as sites for the validator.
struct DocumentParser {
  private(set) var diagnostics: [Diagnostic] = []
  private var conditions = ConditionParser(mode: .tailor)

  /// The condition sites (references and operands) the validator checks.
  var sites: [ConditionParser.Site] { conditions.sites }
  /// The patterns the document's conditions compiled.
  var patterns: [ConditionParser.PatternKey: Pattern] { conditions.patterns }

  /// Where each parsed rule was written, parallel to the document's decisions: each rule's
  /// index in the decision's `rules` array, or no indices when every rule written was parsed
  /// (the usual case, where a rule's position is its written index).
  private(set) var writtenRuleIndices: [[Int32]] = []

  /// One condition as written: its JSON and where it stands.
  struct WrittenCondition: Sendable {
    var pointer: JSONPointer
    var json: JSONValue
  }

  /// Every condition as written, in document order — each segment, then each decision's
  /// `requires` and its rules' `when` — also those that do not parse: the analysis that
  /// judges conditions as written (``MatchesMissingCheck``) reads them here.
  private(set) var writtenConditions: [WrittenCondition] = []

  /// Drops ``writtenConditions`` (and the parts of the JSON tree they hold) when no
  /// analysis will read them.
  mutating func forgetWrittenConditions() { writtenConditions = [] }

  /// Decisions with at least this many rules parse them on two threads (see `parseRules`):
  /// at 1,000 campaign rules the split takes a tenth off the loading thread's instructions.
  var parallelRules = 512

  init() {}

  mutating func parse(_ root: JSONValue) -> Document {
    var document = Document()
    guard
      let object = fields(
        root,
        at: .root,
        what: "a rules document",
        allowed: ["tailor", "description", "attributes", "segments", "groups", "decisions"],
        required: ["tailor"]
      )
    else { return document }
    if let version = object["tailor"] {
      if version != .number(1) {
        report(
          .unsupportedVersion,
          at: .root.appending(key: "tailor"),
          "unsupported format version \(describe(version))",
          notes: ["this version of Tailor reads format version 1"]
        )
      }
    }
    if let attributes = object["attributes"] {
      document.attributes = parseAttributes(attributes, at: .root.appending(key: "attributes"))
      conditions.typedPaths = Set(document.attributes.map { ByteString($0.name) })
    }
    if let groups = object["groups"] {
      document.groups = parseGroups(groups, at: .root.appending(key: "groups"))
    }
    if let segments = object["segments"] {
      let pointer = JSONPointer.root.appending(key: "segments")
      if let entries = expectObject(segments, at: pointer, what: "an object of segments") {
        for (name, value) in entries.pairs {
          let condition = parseCondition(value, at: pointer.appending(key: name))
          document.segments.append(SegmentDefinition(name: name, condition: condition))
        }
      }
    }
    if let decisions = object["decisions"] {
      let pointer = JSONPointer.root.appending(key: "decisions")
      if let entries = expectObject(decisions, at: pointer, what: "an object of decisions") {
        for (name, value) in entries.pairs {
          if let decision = parseDecision(name, value, at: pointer.appending(key: name)) {
            document.decisions.append(decision)
          }
        }
      }
    }
    diagnostics.append(contentsOf: conditions.diagnostics)
    return document
  }

  /// Parses a segment's condition, a decision's `requires` or a rule's `when`, and
  /// records it as written.
  private mutating func parseCondition(_ value: JSONValue, at pointer: JSONPointer) -> Condition {
    writtenConditions.append(WrittenCondition(pointer: pointer, json: value))
    return conditions.parseCondition(value, at: pointer)
  }

  // MARK: Sections

  private mutating func parseAttributes(
    _ value: JSONValue,
    at pointer: JSONPointer
  )
    -> [AttributeDefinition]
  {
    guard let entries = expectObject(value, at: pointer, what: "an object of attribute types")
    else {
      return []
    }
    var result: [AttributeDefinition] = []
    for (name, typeValue) in entries.pairs {
      let entryPointer = pointer.appending(key: name)
      guard case .string(let typeName) = typeValue, let type = AttributeType(rawValue: typeName)
      else {
        report(
          .unknownAttributeType,
          at: entryPointer,
          "unknown attribute type \(describe(typeValue))",
          notes: [
            "types are " + AttributeType.allCases.map { "`\($0.rawValue)`" }.joined(separator: ", ")
          ]
        )
        continue
      }
      result.append(AttributeDefinition(name: name, type: type))
    }
    return result
  }

  private mutating func parseGroups(
    _ value: JSONValue,
    at pointer: JSONPointer
  ) -> [GroupDefinition] {
    guard let entries = expectObject(value, at: pointer, what: "an object of groups") else {
      return []
    }
    var result: [GroupDefinition] = []
    for (name, members) in entries.pairs {
      guard case .array(let list) = members else {
        report(
          .expectedType,
          at: pointer.appending(key: name),
          "expected an array of group members, found \(members.kindDescription)"
        )
        continue
      }
      for (index, member) in list.enumerated()
      where member.arrayValue != nil || member.objectValue != nil {
        report(
          .expectedType,
          at: pointer.appending(key: name).appending(index: index),
          "expected a string, number, boolean or null group member, found \(member.kindDescription)"
        )
      }
      result.append(GroupDefinition(name: name, members: list))
    }
    return result
  }

  private mutating func parseDecision(
    _ name: String,
    _ value: JSONValue,
    at pointer: JSONPointer
  )
    -> DecisionDefinition?
  {
    guard
      let object = fields(
        value,
        at: pointer,
        what: "a decision",
        allowed: ["description", "variants", "default", "mode", "limit", "rules", "requires"],
        required: ["variants"]
      )
    else { return nil }
    var decision = DecisionDefinition(
      name: name,
      variants: [],
      defaultVariant: nil,
      mode: .first,
      rules: [],
      requires: nil
    )
    if let variants = object["variants"],
      let entries = expectObject(
        variants,
        at: pointer.appending(key: "variants"),
        what: "an object of variants"
      )
    {
      decision.variants = entries.pairs.map { Variant(key: $0.0, value: $0.1) }
    }
    if decision.variants.isEmpty, object["variants"]?.objectValue != nil {
      report(
        .outOfRange,
        at: pointer.appending(key: "variants"),
        "a decision needs at least one variant"
      )
    }
    let variants = VariantKeys(decision.variants)
    if let defaultValue = object["default"] {
      let defaultPointer = pointer.appending(key: "default")
      if case .string(let key) = defaultValue {
        if checkVariant(key, at: defaultPointer, key: false, in: name, variants) {
          decision.defaultVariant = key
        }
      } else if !defaultValue.isNull {
        report(
          .expectedType,
          at: defaultPointer,
          "expected a variant key, found \(defaultValue.kindDescription)"
        )
      }
    }
    var limit: Int?
    if let limitValue = object["limit"] {
      if case .number(let number) = limitValue, number >= 1, number == number.rounded(),
        number <= 1e9
      {
        limit = Int(number)
      } else {
        report(
          .outOfRange,
          at: pointer.appending(key: "limit"),
          "expected a whole number of at least 1, found \(describe(limitValue))"
        )
      }
    }
    if let mode = object["mode"] {
      switch mode {
      case .string("first"):
        if object["limit"] != nil {
          report(
            .unknownKey,
            at: pointer.appending(key: "limit"),
            key: true,
            "`limit` applies only to `mode: \"all\"`"
          )
        }
      case .string("all"): decision.mode = .all(limit: limit)
      default:
        report(
          .expectedType,
          at: pointer.appending(key: "mode"),
          "expected `\"first\"` or `\"all\"`, found \(describe(mode))"
        )
      }
    } else if object["limit"] != nil {
      report(
        .unknownKey,
        at: pointer.appending(key: "limit"),
        key: true,
        "`limit` applies only to `mode: \"all\"`"
      )
    }
    if let requires = object["requires"] {
      decision.requires = parseCondition(requires, at: pointer.appending(key: "requires"))
    }
    // The written indices of rules that did not parse: usually none.
    var dropped: [Int32] = []
    if let rules = object["rules"] {
      let rulesPointer = pointer.appending(key: "rules")
      if case .array(let list) = rules {
        var seen: Set<ByteString> = []
        let parsed = parseRules(list, at: rulesPointer, decision: name, variants: variants)
        decision.rules.reserveCapacity(parsed.count)
        for (index, parsedRule) in parsed.enumerated() {
          guard let rule = parsedRule else {
            dropped.append(Int32(index))
            continue
          }
          // A rule without an id is already reported as `missing_key`; it has no `id` to point at.
          if !rule.id.isEmpty, !seen.insert(ByteString(rule.id)).inserted {
            report(
              .duplicateRuleID,
              at: rulesPointer.appending(index: index).appending(key: "id"),
              "duplicate rule id `\(rule.id)` in decision `\(name)`"
            )
          }
          decision.rules.append(rule)
        }
      } else {
        report(
          .expectedType,
          at: rulesPointer,
          "expected an array of rules, found \(rules.kindDescription)"
        )
      }
    }
    var written: [Int32] = []
    if !dropped.isEmpty {
      // Both in written order: the indices not dropped.
      written.reserveCapacity(decision.rules.count)
      var next = 0
      for index in 0..<Int32(decision.rules.count + dropped.count) {
        if next < dropped.count && dropped[next] == index {
          next += 1
        } else {
          written.append(index)
        }
      }
    }
    writtenRuleIndices.append(written)
    return decision
  }

  /// Reports `key` when the decision has variants and none is `key`.
  private mutating func checkVariant(
    _ key: String,
    at pointer: JSONPointer,
    key isKey: Bool,
    in decision: String,
    _ variants: VariantKeys
  ) -> Bool {
    guard !variants.variants.isEmpty, variants.position(of: key) == nil else {
      return true
    }
    report(
      .unknownVariant,
      at: pointer,
      key: isKey,
      "unknown variant `\(key)` in decision `\(decision)`",
      notes: variantNote(variants.variants)
    )
    return false
  }

  private func variantNote(_ variants: [Variant]) -> [String] {
    guard !variants.isEmpty else { return [] }
    return ["variants are " + variants.prefix(10).map { "`\($0.key)`" }.joined(separator: ", ")]
  }

  /// Parses a decision's rules, `nil` for each that does not parse.
  ///
  /// A long list is parsed in two halves at once, the second by a copy of this parser on
  /// another thread; what the copy records (diagnostics, sites, conditions as written, new
  /// patterns) is appended after this parser's, so the result is the same as parsing the
  /// rules in order. Equal patterns in both halves are compiled once in each.
  private mutating func parseRules(
    _ list: [JSONValue],
    at pointer: JSONPointer,
    decision: String,
    variants: VariantKeys
  ) -> [Rule?] {
    guard list.count >= parallelRules else {
      return parseRules(list, 0..<list.count, at: pointer, decision: decision, variants: variants)
    }
    let middle = list.count / 2
    var copy = self
    copy.diagnostics = []
    copy.writtenConditions = []
    copy.writtenRuleIndices = []
    copy.conditions.diagnostics = []
    copy.conditions.sites = []
    let helper = Helper(copy)
    var first: [Rule?] = []
    let second = System.concurrently(
      {
        helper.parser.parseRules(
          list,
          middle..<list.count,
          at: pointer,
          decision: decision,
          variants: variants
        )
      },
      while: {
        first = parseRules(list, 0..<middle, at: pointer, decision: decision, variants: variants)
      }
    )
    let other = helper.parser
    diagnostics += other.diagnostics
    writtenConditions += other.writtenConditions
    conditions.diagnostics += other.conditions.diagnostics
    conditions.sites += other.conditions.sites
    for (key, pattern) in other.conditions.patterns where conditions.patterns[key] == nil {
      conditions.patterns[key] = pattern
    }
    return first + second
  }

  /// Parses the rules of `list` in `range`, in order.
  private mutating func parseRules(
    _ list: [JSONValue],
    _ range: Range<Int>,
    at pointer: JSONPointer,
    decision: String,
    variants: VariantKeys
  ) -> [Rule?] {
    var rules: [Rule?] = []
    rules.reserveCapacity(range.count)
    for index in range {
      rules.append(
        parseRule(
          list[index],
          at: pointer.appending(index: index),
          decision: decision,
          variants: variants
        )
      )
    }
    return rules
  }

  /// The copy of a parser that parses the second half of a long list of rules on its own thread.
  ///
  /// `@unchecked Sendable`: only that thread uses `parser` until it is joined; then only the
  /// joining thread reads it.
  private final class Helper: @unchecked Sendable {
    var parser: DocumentParser

    init(_ parser: DocumentParser) { self.parser = parser }
  }

  private mutating func parseRule(
    _ value: JSONValue,
    at pointer: JSONPointer,
    decision: String,
    variants: VariantKeys
  ) -> Rule? {
    guard
      let object = fields(
        value,
        at: pointer,
        what: "a rule",
        allowed: ["id", "description", "when", "serve", "rollout", "split", "active"],
        required: ["id"]
      )
    else { return nil }
    var ok = true
    var id = ""
    if let idValue = object["id"] {
      if case .string(let text) = idValue, !text.isEmpty {
        id = text
      } else {
        report(
          .expectedType,
          at: pointer.appending(key: "id"),
          "expected a non-empty rule id string, found \(describe(idValue))"
        )
        ok = false
      }
    }
    let condition =
      object["when"].map { parseCondition($0, at: pointer.appending(key: "when")) }
      ?? .constant(true)
    var serve: String?
    if let serveValue = object["serve"] {
      if case .string(let key) = serveValue {
        if checkVariant(
          key,
          at: pointer.appending(key: "serve"),
          key: false,
          in: decision,
          variants
        ) {
          serve = key
        } else {
          ok = false
        }
      } else {
        report(
          .expectedType,
          at: pointer.appending(key: "serve"),
          "expected a variant key, found \(serveValue.kindDescription)"
        )
        ok = false
      }
    }
    var action: RuleAction?
    if let rolloutValue = object["rollout"] {
      if let rollout = parseRollout(
        rolloutValue,
        at: pointer.appending(key: "rollout"),
        defaultSeed: "\(decision):\(id)"
      ),
        let serve
      {
        action = .rollout(serve, rollout)
      } else {
        ok = false
      }
    }
    if let splitValue = object["split"] {
      if let split = parseSplit(
        splitValue,
        at: pointer.appending(key: "split"),
        defaultSeed: "\(decision):\(id)",
        decision: decision,
        variants: variants
      ) {
        action = .split(split)
      } else {
        ok = false
      }
    }
    let hasServe = object["serve"] != nil
    let hasRollout = object["rollout"] != nil
    let hasSplit = object["split"] != nil
    if hasSplit && (hasServe || hasRollout) {
      report(
        .invalidRule,
        at: pointer.appending(key: "split"),
        key: true,
        "a rule with `split` chooses its own variant and cannot also have `\(hasServe ? "serve" : "rollout")`"
      )
      ok = false
    } else if !hasSplit && !hasServe {
      report(
        .invalidRule,
        at: pointer,
        "rule `\(id)` serves nothing",
        notes: ["give it `serve` (optionally with `rollout`) or `split`"]
      )
      ok = false
    }
    if action == nil, let serve { action = .serve(serve) }
    var schedule: Schedule?
    if let active = object["active"] {
      schedule = parseSchedule(active, at: pointer.appending(key: "active"))
    }
    guard ok, let action else { return nil }
    return Rule(id: id, condition: condition, action: action, schedule: schedule)
  }

  private mutating func parseRollout(
    _ value: JSONValue,
    at pointer: JSONPointer,
    defaultSeed: String
  )
    -> Rollout?
  {
    guard
      let object = fields(
        value,
        at: pointer,
        what: "a rollout",
        allowed: ["by", "seed", "percent"],
        required: ["percent"]
      )
    else { return nil }
    let by = parseBy(object, at: pointer)
    let seed = parseSeed(object, at: pointer, default: defaultSeed)
    var percent: Double?
    if let percentValue = object["percent"] {
      if case .number(let number) = percentValue, number >= 0, number <= 100 {
        percent = number
      } else {
        report(
          .outOfRange,
          at: pointer.appending(key: "percent"),
          "expected a percentage from 0 to 100, found \(describe(percentValue))"
        )
      }
    }
    guard let by, let seed, let percent else { return nil }
    return Rollout(by: by, seed: seed, percent: percent)
  }

  private mutating func parseSplit(
    _ value: JSONValue,
    at pointer: JSONPointer,
    defaultSeed: String,
    decision: String,
    variants: VariantKeys
  ) -> Split? {
    guard
      let object = fields(
        value,
        at: pointer,
        what: "a split",
        allowed: ["by", "seed", "coverage", "weights"],
        required: ["weights"]
      )
    else { return nil }
    let by = parseBy(object, at: pointer)
    let seed = parseSeed(object, at: pointer, default: defaultSeed)
    var coverage: Double? = 1
    if let coverageValue = object["coverage"] {
      if case .number(let number) = coverageValue, number >= 0, number <= 1 {
        coverage = number
      } else {
        report(
          .outOfRange,
          at: pointer.appending(key: "coverage"),
          "expected a fraction from 0 to 1, found \(describe(coverageValue))"
        )
        coverage = nil
      }
    }
    var weights: [Split.Weight]?
    if let weightsValue = object["weights"] {
      let weightsPointer = pointer.appending(key: "weights")
      if let entries = expectObject(
        weightsValue,
        at: weightsPointer,
        what: "an object of variant weights"
      ) {
        var list: [Split.Weight] = []
        var valid = true
        for (key, weightValue) in entries.pairs {
          let entryPointer = weightsPointer.appending(key: key)
          if !checkVariant(key, at: entryPointer, key: true, in: decision, variants) {
            valid = false
          }
          guard case .number(let weight) = weightValue, weight >= 0, weight <= 1 else {
            report(
              .outOfRange,
              at: entryPointer,
              "expected a weight from 0 to 1, found \(describe(weightValue))"
            )
            valid = false
            continue
          }
          list.append(Split.Weight(variant: key, weight: weight))
        }
        if entries.isEmpty {
          report(.outOfRange, at: weightsPointer, "a split needs at least one weighted variant")
          valid = false
        } else if valid {
          let total = list.reduce(0) { $0 + $1.weight }
          if total < 0.99 || total > 1.01 {
            report(
              .weightsSum,
              at: weightsPointer,
              "weights sum to \(JavaScript.numberToString(total)), not 1",
              notes: [
                "weights are fractions of the covered users; use `coverage` to include fewer users"
              ]
            )
            valid = false
          }
        }
        if valid { weights = list }
      }
    }
    guard let by, let seed, let coverage, let weights else { return nil }
    return Split(by: by, seed: seed, coverage: coverage, weights: weights)
  }

  private mutating func parseBy(_ object: JSONObject, at pointer: JSONPointer) -> AttributePath? {
    guard let value = object["by"] else { return AttributePath("id") }
    guard case .string(let text) = value, !text.isEmpty else {
      report(
        .expectedType,
        at: pointer.appending(key: "by"),
        "expected an attribute name, found \(describe(value))"
      )
      return nil
    }
    return AttributePath(text)
  }

  private mutating func parseSeed(
    _ object: JSONObject,
    at pointer: JSONPointer,
    default seed: String
  )
    -> String?
  {
    guard let value = object["seed"] else { return seed }
    guard case .string(let text) = value else {
      report(
        .expectedType,
        at: pointer.appending(key: "seed"),
        "expected a seed string, found \(value.kindDescription)"
      )
      return nil
    }
    return text
  }

  private mutating func parseSchedule(_ value: JSONValue, at pointer: JSONPointer) -> Schedule? {
    guard
      let object = fields(
        value,
        at: pointer,
        what: "a schedule",
        allowed: ["from", "until"],
        required: []
      )
    else { return nil }
    var schedule = Schedule()
    var ok = true
    for key in ["from", "until"] {
      guard let bound = object[key] else { continue }
      let boundPointer = pointer.appending(key: key)
      guard case .string(let text) = bound else {
        report(
          .expectedType,
          at: boundPointer,
          "expected an ISO-8601 date-time string, found \(bound.kindDescription)"
        )
        ok = false
        continue
      }
      guard let instant = DateTime.parse(text) else {
        report(
          .invalidDateTime,
          at: boundPointer,
          "invalid date-time \(describe(bound))",
          notes: ["use ISO-8601, for example \"2026-06-01T00:00:00Z\""]
        )
        ok = false
        continue
      }
      if key == "from" { schedule.from = instant } else { schedule.until = instant }
    }
    if let from = schedule.from, let until = schedule.until, until <= from {
      report(
        .emptySchedule,
        at: pointer.appending(key: "until"),
        "`until` is not after `from`: the rule is never active"
      )
      ok = false
    }
    return ok ? schedule : nil
  }

  // MARK: Helpers

  private mutating func report(
    _ code: Diagnostic.Code,
    at pointer: JSONPointer,
    key: Bool = false,
    _ message: String,
    notes: [String] = []
  ) {
    diagnostics.append(Diagnostic(code, at: pointer, key: key, message, notes: notes))
  }

  private mutating func expectObject(
    _ value: JSONValue,
    at pointer: JSONPointer,
    what: String
  )
    -> JSONObject?
  {
    guard case .object(let object) = value else {
      report(.expectedType, at: pointer, "expected \(what), found \(value.kindDescription)")
      return nil
    }
    return object
  }

  /// Checks an object's keys: unknown keys and missing required keys are reported.
  private mutating func fields(
    _ value: JSONValue,
    at pointer: JSONPointer,
    what: String,
    allowed: [String],
    required: [String]
  ) -> JSONObject? {
    guard let object = expectObject(value, at: pointer, what: what) else { return nil }
    for key in object.keys where !allowed.contains(key) {
      let suggestion = allowed.min {
        ConditionParser.editDistance(key, $0) < ConditionParser.editDistance(key, $1)
      }
      var notes = ["allowed keys are " + allowed.map { "`\($0)`" }.joined(separator: ", ")]
      if let suggestion, ConditionParser.editDistance(key, suggestion) <= 2 {
        notes.insert("did you mean `\(suggestion)`?", at: 0)
      }
      report(
        .unknownKey,
        at: pointer.appending(key: key),
        key: true,
        "unknown key `\(key)` in \(what)",
        notes: notes
      )
    }
    for key in required where object[key] == nil {
      report(.missingKey, at: pointer, "\(what) needs `\(key)`")
    }
    return object
  }
}
