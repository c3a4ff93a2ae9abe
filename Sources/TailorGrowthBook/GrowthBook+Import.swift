import Tailor

extension GrowthBook {
  /// A GrowthBook payload converted to a Tailor rules document, with what has no
  /// equivalent.
  public struct Import: Sendable {
    /// The rules document: one decision per converted feature, saved groups as `groups`.
    public var document: JSONValue
    /// Features left out, each with why: `` feature `checkout`: rule 2 uses a namespace ``.
    public var omitted: [String]
    /// Conversions that are exact only without sticky bucketing, which
    /// documents do not have.
    public var notes: [String]
    /// For each converted feature, the payload index of each rule in the decision.
    var ruleOrigins: [String: [Int]] = [:]
  }
}

extension GrowthBook.Payload {
  /// Converts a payload into an equivalent Tailor rules document, feature by feature.
  ///
  /// A feature becomes a decision of the same key when every rule has an exact
  /// equivalent: force rules become `serve` rules; rollouts (`coverage` or a
  /// `range` from 0, with `hashVersion` 2) become `rollout` or one-variant
  /// `split` rules with the same seed and hash attribute; experiments with
  /// `hashVersion` 2 become `split` rules with the same seed, weights and
  /// coverage. Rules that can never apply (coverage 0, fewer than two
  /// variations) are dropped. Any other construct — prerequisites, filters,
  /// namespaces, explicit experiment ranges, forced variations, passthrough
  /// variations, bandits, hash version 1, a hash attribute with a `.`, a
  /// condition a rules document refuses — leaves its feature out, listed in
  /// ``GrowthBook/Import/omitted``.
  ///
  /// ```swift
  /// let converted = try GrowthBook.Payload.importRules(json: bytes)
  /// print(converted.document.jsonText)
  /// ```
  ///
  /// - Throws: ``TailorError`` when the payload cannot be loaded, as
  ///   ``init(json:decryptionKey:)-([UInt8],_)``.
  public static func importRules(
    json: [UInt8],
    decryptionKey: String? = nil
  ) throws(TailorError) -> GrowthBook.Import {
    let root = try GrowthBook.readJSON(json)
    // Loading checks every shape, so the conversion below reads known-good values.
    _ = try GrowthBook.Payload(root, decryptionKey: decryptionKey, compiles: false)
    let object = root.objectValue ?? JSONObject()
    let features = try section(object, "features", decryptionKey: decryptionKey)
    let groups = try section(object, "savedGroups", decryptionKey: decryptionKey)
    var importer = PayloadImporter()
    var decisions: [(String, JSONValue)] = []
    for (key, value) in features.pairs {
      if let decision = importer.decision(key, value.objectValue ?? JSONObject()) {
        decisions.append((key, decision))
      }
    }
    // A document refuses what GrowthBook accepts leniently (an invalid pattern, an
    // unknown operator); such features are left out, naming the first problem.
    while true {
      let document = JSONValue.object(
        JSONObject([
          ("tailor", .number(1)),
          ("groups", .object(groups)),
          ("decisions", .object(JSONObject(decisions))),
        ])
      )
      let errors: [Diagnostic]
      do {
        _ = try Rules(json: document.jsonText)
        return GrowthBook.Import(
          document: document,
          omitted: importer.omitted,
          notes: importer.notes,
          ruleOrigins: importer.ruleOrigins
        )
      } catch {
        errors = error.errors
      }
      var refused: [String: String] = [:]
      for error in errors {
        let tokens = error.location.pointer.tokens.map(\.text)
        guard tokens.count >= 2, tokens[0] == "decisions" else {
          throw TailorError(diagnostics: errors)
        }
        if refused[tokens[1]] == nil {
          let place = error.location.pointer.description
          refused[tokens[1]] = "a rules document refuses \(place): \(error.message)"
        }
      }
      decisions.removeAll { key, _ in
        guard let reason = refused[key] else { return false }
        importer.omitted.append("feature `\(key)`: \(reason)")
        return true
      }
    }
  }

  private static func section(
    _ object: JSONObject,
    _ key: String,
    decryptionKey: String?
  ) throws(TailorError) -> JSONObject {
    let encryptedKey = "encrypted" + key.prefix(1).uppercased() + key.dropFirst()
    guard let encrypted = object[encryptedKey]?.stringValue, let decryptionKey else {
      return object[key]?.objectValue ?? JSONObject()
    }
    // Loading already decrypted and parsed this section successfully.
    guard let text = try? GrowthBook.decrypt(encrypted, key: decryptionKey),
      let value = try? JSONReader.parse(text)
    else { return JSONObject() }
    return value.objectValue ?? JSONObject()
  }
}

/// Converts features one at a time, collecting what has no equivalent.
private struct PayloadImporter {
  var omitted: [String] = []
  var notes: [String] = []
  var ruleOrigins: [String: [Int]] = [:]

  /// Thrown (internally) when a rule has no exact equivalent.
  struct Gap: Error { var reason: String }

  /// The decision for a feature, or nil when it has no equivalent (recorded).
  mutating func decision(_ key: String, _ feature: JSONObject) -> JSONValue? {
    var variants: [(String, JSONValue)] = []
    func variant(_ value: JSONValue, reuse: Bool = true) -> String {
      if reuse, let existing = variants.first(where: { $0.1 == value }) { return existing.0 }
      let name = "v\(variants.count)"
      variants.append((name, value))
      return name
    }
    let defaultVariant = variant(feature["defaultValue"] ?? .null)
    var rules: [JSONValue] = []
    var origins: [Int] = []
    var ids: Set<String> = []
    for (index, value) in (feature["rules"]?.arrayValue ?? []).enumerated() {
      let rule = value.objectValue ?? JSONObject()
      do {
        guard var converted = try convert(rule, index: index, featureKey: key, variant: variant)
        else { continue }
        var id = rule["id"]?.stringValue ?? ""
        if id.isEmpty || ids.contains(id) { id = "rule-\(index)" }
        while ids.contains(id) { id += "'" }
        ids.insert(id)
        converted.insert(("id", .string(id)), at: 0)
        rules.append(.object(JSONObject(converted)))
        origins.append(index)
      } catch {
        omitted.append("feature `\(key)`: rule \(index) \(error.reason)")
        return nil
      }
    }
    ruleOrigins[key] = origins
    return .object(
      JSONObject([
        ("variants", .object(JSONObject(variants))),
        ("default", .string(defaultVariant)),
        ("rules", .array(rules)),
      ])
    )
  }

  /// A rule's members (without `id`), or nil for a rule that never applies.
  mutating func convert(
    _ rule: JSONObject,
    index: Int,
    featureKey: String,
    variant: (JSONValue, Bool) -> String
  ) throws(Gap) -> [(String, JSONValue)]? {
    let unsupported: [(String, String)] = [
      ("parentConditions", "has prerequisites (`parentConditions`)"),
      ("filters", "has `filters`"),
      ("namespace", "uses a namespace"),
      ("ranges", "has explicit experiment `ranges`"),
      ("contextualVariations", "is a contextual bandit"),
      ("bucketVersion", "uses sticky bucketing (`bucketVersion`)"),
      ("minBucketVersion", "uses sticky bucketing (`minBucketVersion`)"),
      ("active", "has `active`"),
      ("status", "has `status`"),
    ]
    for (name, reason) in unsupported where rule[name] != nil {
      throw Gap(reason: reason)
    }
    if rule["fallbackAttribute"] != nil {
      notes.append(
        "feature `\(featureKey)`: rule \(index)'s `fallbackAttribute` applies only with sticky bucketing, which rules documents lack"
      )
    }
    var members: [(String, JSONValue)] = []
    if let condition = rule["condition"] { members.append(("when", condition)) }
    if let variations = rule["variations"]?.arrayValue {
      if rule["force"] != nil { throw Gap(reason: "forces an experiment variation") }
      if let meta = rule["meta"]?.arrayValue,
        meta.contains(where: { $0.objectValue?["passthrough"].map(JavaScript.isTruthy) == true })
      {
        throw Gap(reason: "has a passthrough variation")
      }
      // GrowthBook puts no one in an experiment with fewer than two variations.
      guard variations.count >= 2 else { return nil }
      let seedKey = nonEmpty(rule["key"]?.stringValue) ?? featureKey
      let bucketing = try bucketing(rule, seed: nonEmpty(rule["seed"]?.stringValue) ?? seedKey)
      var weights = (rule["weights"]?.arrayValue ?? []).compactMap(\.numberValue)
      let total = weights.reduce(0, +)
      if weights.count != variations.count || !(0.99...1.01).contains(total) {
        weights = Array(repeating: 1 / Double(variations.count), count: variations.count)
      }
      let coverage = min(max(rule["coverage"]?.numberValue ?? 1, 0), 1)
      var split: [(String, JSONValue)] = []
      var used: Set<String> = []
      for (value, weight) in zip(variations, weights) {
        var name = variant(value, true)
        if used.contains(name) { name = variant(value, false) }
        used.insert(name)
        split.append((name, .number(weight)))
      }
      members.append(
        (
          "split",
          .object(
            JSONObject(
              bucketing + [
                ("coverage", .number(coverage)), ("weights", .object(JSONObject(split))),
              ]
            )
          )
        )
      )
      return members
    }
    guard let force = rule["force"] else {
      // Neither a force rule nor an experiment: GrowthBook skips it.
      return nil
    }
    let coverage = rule["coverage"]?.numberValue
    if let range = rule["range"]?.arrayValue {
      let start = range.first?.numberValue ?? 0
      let end = range.count > 1 ? range[1].numberValue ?? 0 : 0
      guard start == 0 else { throw Gap(reason: "has a rollout `range` that does not start at 0") }
      let bucketing = try bucketing(rule, seed: nonEmpty(rule["seed"]?.stringValue) ?? featureKey)
      if end <= 0 { return nil }
      let serve = variant(force, true)
      // `n < end` is a one-variant split over [0, end).
      let split = JSONObject(
        bucketing + [
          ("coverage", .number(min(max(end, 0), 1))),
          ("weights", .object(JSONObject([(serve, .number(1))]))),
        ]
      )
      members.append(("split", .object(split)))
      return members
    }
    guard let coverage else {
      members.append(("serve", .string(variant(force, true))))
      return members
    }
    if coverage <= 0 { return nil }
    let bucketing = try bucketing(rule, seed: nonEmpty(rule["seed"]?.stringValue) ?? featureKey)
    // A rollout admits `n ≤ percent / 100`; GrowthBook admits `n ≤ coverage`.
    let percent = coverage >= 1 ? 100 : try exactPercent(coverage)
    let serve = variant(force, true)
    members.append(("rollout", .object(JSONObject(bucketing + [("percent", .number(percent))]))))
    members.append(("serve", .string(serve)))
    return members
  }

  /// `by` and `seed`, when the rule hashes as rules documents do.
  private func bucketing(_ rule: JSONObject, seed: String) throws(Gap) -> [(String, JSONValue)] {
    guard rule["hashVersion"]?.numberValue == 2 else {
      throw Gap(reason: "hashes with version 1 (rules documents hash with version 2)")
    }
    let attribute = nonEmpty(rule["hashAttribute"]?.stringValue) ?? "id"
    if attribute.contains(".") {
      throw Gap(reason: "hashes attribute `\(attribute)`, which a rules document reads as a path")
    }
    return [("by", .string(attribute)), ("seed", .string(seed))]
  }

  /// A percent `p` with `p / 100 == coverage` exactly.
  private func exactPercent(_ coverage: Double) throws(Gap) -> Double {
    let guess = coverage * 100
    for candidate in [guess, guess.nextUp, guess.nextDown] where candidate / 100 == coverage {
      return candidate
    }
    throw Gap(reason: "has coverage \(coverage), which no rollout percent reproduces exactly")
  }

  private func nonEmpty(_ text: String?) -> String? {
    guard let text, !text.isEmpty else { return nil }
    return text
  }
}
