@_spi(Server) import Tailor

/// Reads a GrowthBook payload's JSON into the model, collecting a diagnostic
/// for every value of the wrong shape instead of stopping at the first.
///
/// Only what evaluation reads is checked; other keys are ignored, as
/// GrowthBook's SDKs ignore them. Conditions are parsed in GrowthBook's lenient
/// mode, which never reports anything.
struct PayloadReader {
  var diagnostics: [Diagnostic] = []
  /// Warnings about what GrowthBook accepts but probably not as meant (when linting).
  var warnings: [Diagnostic] = []
  private var conditions = ConditionParser(mode: .growthBook)
  private let isLinting: Bool
  /// Whether the payloads read compile their conditions (not when they are only checked).
  private let compiles: Bool

  /// A reader; a linting one also collects ``warnings``.
  ///
  /// A payload read only to be checked (linted, or converted) need not compile its conditions.
  init(linting: Bool = false, compiles: Bool? = nil) {
    isLinting = linting
    self.compiles = compiles ?? !linting
    conditions.isLinting = linting
  }

  // MARK: Payload

  mutating func payload(
    _ root: JSONValue,
    decryptionKey: String?
  ) -> GrowthBook.Payload {
    guard let object = object(root, at: .root) else {
      return GrowthBook.Payload(
        features: [:],
        featureKeys: [],
        savedGroups: [:],
        contextualBandits: [:],
        compiles: compiles
      )
    }
    var features: [String: GrowthBook.Feature] = [:]
    var featureKeys: [String] = []
    let featuresJSON = section(
      "features",
      encrypted: "encryptedFeatures",
      of: object,
      decryptionKey: decryptionKey
    )
    if let (value, pointer) = featuresJSON, let entries = self.object(value, at: pointer) {
      for (key, entry) in entries.pairs {
        features[key] = feature(entry, key: key, at: pointer.appending(key: key))
        featureKeys.append(key)
      }
    }
    var savedGroups: [String: [JSONValue]] = [:]
    let groupsJSON = section(
      "savedGroups",
      encrypted: "encryptedSavedGroups",
      of: object,
      decryptionKey: decryptionKey
    )
    if let (value, pointer) = groupsJSON, let entries = self.object(value, at: pointer) {
      for (id, members) in entries.pairs {
        savedGroups[id] = array(members, at: pointer.appending(key: id)) ?? []
      }
    }
    var bandits: [String: GrowthBook.ContextualBandit] = [:]
    if let value = object["contextualBandits"] {
      let pointer = JSONPointer.root.appending(key: "contextualBandits")
      if let entries = self.object(value, at: pointer) {
        for (id, entry) in entries.pairs {
          bandits[id] = contextualBandit(entry, at: pointer.appending(key: id))
        }
      }
    }
    if isLinting {
      warnings += conditions.diagnostics
      for (name, pointer) in conditions.groupReferences where savedGroups[name] == nil {
        warnings.append(
          Diagnostic(
            code: .unknownGroup,
            severity: .warning,
            message: "unknown saved group `\(name)`",
            location: SourceLocation(pointer: pointer),
            notes: ["GrowthBook treats an unknown saved group as empty"]
          )
        )
      }
    }
    return GrowthBook.Payload(
      features: features,
      featureKeys: featureKeys,
      savedGroups: savedGroups,
      contextualBandits: bandits,
      compiles: compiles
    )
  }

  /// A section in plain or encrypted form; the encrypted form wins when present.
  private mutating func section(
    _ key: String,
    encrypted encryptedKey: String,
    of object: JSONObject,
    decryptionKey: String?
  ) -> (JSONValue, JSONPointer)? {
    guard let encrypted = object[encryptedKey] else {
      return object[key].map { ($0, JSONPointer.root.appending(key: key)) }
    }
    let pointer = JSONPointer.root.appending(key: encryptedKey)
    guard let text = string(encrypted, at: pointer) else { return nil }
    guard let decryptionKey else {
      report(
        .missingDecryptionKey,
        at: pointer,
        "`\(encryptedKey)` needs the SDK connection's decryption key",
        notes: ["pass the key that GrowthBook shows for the SDK connection"]
      )
      return nil
    }
    let plain: String
    do {
      plain = try GrowthBook.decrypt(text, key: decryptionKey)
    } catch {
      report(.decryptionFailed, at: pointer, "cannot decrypt `\(encryptedKey)`: \(error.message)")
      return nil
    }
    do {
      return (try JSONReader.parse(plain), pointer)
    } catch {
      report(
        .decryptionFailed,
        at: pointer,
        "decrypted `\(encryptedKey)` is not valid JSON: \(error.message)",
        notes: ["the decryption key is probably wrong"]
      )
      return nil
    }
  }

  // MARK: Features and rules

  private mutating func feature(
    _ value: JSONValue,
    key: String,
    at pointer: JSONPointer
  ) -> GrowthBook.Feature {
    guard let object = object(value, at: pointer) else {
      return GrowthBook.Feature(defaultValue: .null, rules: [])
    }
    var rules: [GrowthBook.FeatureRule] = []
    if let list = object["rules"] {
      let rulesPointer = pointer.appending(key: "rules")
      for (index, entry) in (array(list, at: rulesPointer) ?? []).enumerated() {
        let rulePointer = rulesPointer.appending(index: index)
        guard let ruleObject = self.object(entry, at: rulePointer) else { continue }
        let rule = rule(ruleObject, at: rulePointer, featureKey: key)
        if isLinting, let decider = rules.firstIndex(where: \.alwaysApplies) {
          warnings.append(
            Diagnostic(
              code: .unreachableRule,
              severity: .warning,
              message: "rule \(index) of feature `\(key)` is unreachable",
              location: SourceLocation(pointer: rulePointer),
              notes: [
                "rule \(decider) forces a value for everyone: it has no condition, prerequisites, filters, coverage or range"
              ]
            )
          )
        }
        rules.append(rule)
      }
    }
    return GrowthBook.Feature(defaultValue: object["defaultValue"] ?? .null, rules: rules)
  }

  private mutating func rule(
    _ object: JSONObject,
    at pointer: JSONPointer,
    featureKey: String
  ) -> GrowthBook.FeatureRule {
    var experiment: GrowthBook.Experiment?
    if object["variations"] != nil || object["contextualVariations"] != nil {
      experiment = self.experiment(object, at: pointer, defaultKey: featureKey, fromRule: true)
    }
    return GrowthBook.FeatureRule(
      id: optionalString("id", in: object, at: pointer),
      condition: optionalCondition("condition", in: object, at: pointer),
      parentConditions: parentConditions(in: object, at: pointer),
      filters: filters(in: object, at: pointer),
      force: object["force"],
      coverage: optionalNumber("coverage", in: object, at: pointer),
      range: object["range"].flatMap { range($0, at: pointer.appending(key: "range")) },
      hashAttribute: optionalString("hashAttribute", in: object, at: pointer),
      fallbackAttribute: optionalString("fallbackAttribute", in: object, at: pointer),
      hashVersion: optionalNumber("hashVersion", in: object, at: pointer),
      seed: optionalString("seed", in: object, at: pointer),
      disablesStickyBucketing: object["disableStickyBucketing"].map(JavaScript.isTruthy) ?? false,
      experiment: experiment
    )
  }

  // MARK: Experiments

  /// An experiment from an inline experiment object or from a feature's experiment rule.
  mutating func experiment(
    _ object: JSONObject,
    at pointer: JSONPointer,
    defaultKey: String?,
    fromRule: Bool
  ) -> GrowthBook.Experiment {
    let variationsKey =
      object["variations"] == nil && object["contextualVariations"] != nil
      ? "contextualVariations" : "variations"
    let variations =
      object[variationsKey].flatMap { array($0, at: pointer.appending(key: variationsKey)) } ?? []
    if object[variationsKey] == nil {
      report(.missingKey, at: pointer, "an experiment needs `variations`")
    }
    var key = optionalString("key", in: object, at: pointer) ?? ""
    if key.isEmpty {
      if let defaultKey {
        key = defaultKey
      } else {
        report(.missingKey, at: pointer, "an experiment needs a `key`")
      }
    }
    let weights = optionalNumbers("weights", in: object, at: pointer)
    return GrowthBook.Experiment(
      key: key,
      variations: variations,
      weights: weights,
      isActive: object["active"].map(JavaScript.isTruthy) ?? true,
      status: optionalString("status", in: object, at: pointer),
      coverage: optionalNumber("coverage", in: object, at: pointer),
      ranges: object["ranges"].flatMap { ranges($0, at: pointer.appending(key: "ranges")) },
      condition: optionalCondition("condition", in: object, at: pointer),
      parentConditions: parentConditions(in: object, at: pointer),
      namespace: object["namespace"].flatMap {
        namespace($0, at: pointer.appending(key: "namespace"))
      },
      force: fromRule ? nil : optionalInteger("force", in: object, at: pointer),
      hashAttribute: optionalString("hashAttribute", in: object, at: pointer),
      fallbackAttribute: optionalString("fallbackAttribute", in: object, at: pointer),
      hashVersion: optionalNumber("hashVersion", in: object, at: pointer),
      seed: optionalString("seed", in: object, at: pointer),
      filters: filters(in: object, at: pointer),
      meta: meta(in: object, at: pointer),
      disablesStickyBucketing: object["disableStickyBucketing"].map(JavaScript.isTruthy) ?? false,
      bucketVersion: optionalInteger("bucketVersion", in: object, at: pointer) ?? 0,
      minBucketVersion: optionalInteger("minBucketVersion", in: object, at: pointer) ?? 0,
      contextualBanditRef: optionalString("contextualBanditRef", in: object, at: pointer),
      json: fromRule ? PayloadReader.experimentJSON(fromRule: object, key: key) : object
    )
  }

  /// The experiment GrowthBook's SDKs build from a feature rule: the rule's
  /// experiment keys that are set, with `key` defaulted to the feature key.
  static func experimentJSON(fromRule rule: JSONObject, key: String) -> JSONObject {
    var pairs: [(String, JSONValue)] = [
      ("variations", rule["variations"] ?? rule["contextualVariations"] ?? .array([])),
      ("key", .string(key)),
    ]
    // `coverage` is copied whenever present; the others only when truthy
    // (bucket versions whenever present), as GrowthBook's SDKs do.
    if let coverage = rule["coverage"] { pairs.append(("coverage", coverage)) }
    for name in [
      "weights", "hashAttribute", "fallbackAttribute", "disableStickyBucketing", "namespace",
      "meta", "ranges", "name", "phase", "seed", "hashVersion", "filters", "condition",
    ] {
      if let value = rule[name], JavaScript.isTruthy(value) { pairs.append((name, value)) }
    }
    for name in ["bucketVersion", "minBucketVersion"] {
      if let value = rule[name] { pairs.append((name, value)) }
    }
    return JSONObject(pairs)
  }

  private mutating func meta(
    in object: JSONObject,
    at pointer: JSONPointer
  ) -> [GrowthBook.VariationMeta]? {
    guard let value = object["meta"] else { return nil }
    let metaPointer = pointer.appending(key: "meta")
    guard let list = array(value, at: metaPointer) else { return nil }
    return list.enumerated().map { index, entry in
      let entryPointer = metaPointer.appending(index: index)
      guard let item = self.object(entry, at: entryPointer) else {
        return GrowthBook.VariationMeta(key: nil, name: nil, isPassthrough: false)
      }
      return GrowthBook.VariationMeta(
        key: optionalString("key", in: item, at: entryPointer),
        name: optionalString("name", in: item, at: entryPointer),
        isPassthrough: item["passthrough"].map(JavaScript.isTruthy) ?? false
      )
    }
  }

  private mutating func namespace(
    _ value: JSONValue,
    at pointer: JSONPointer
  ) -> GrowthBook.Namespace? {
    guard case .array(let parts) = value, parts.count == 3, case .string(let id) = parts[0],
      case .number(let start) = parts[1], case .number(let end) = parts[2]
    else {
      report(
        .expectedType,
        at: pointer,
        "expected a namespace `[id, start, end]`, found \(value.kindDescription)"
      )
      return nil
    }
    return GrowthBook.Namespace(id: id, start: start, end: end)
  }

  private mutating func filters(
    in object: JSONObject,
    at pointer: JSONPointer
  ) -> [GrowthBook.Filter]? {
    guard let value = object["filters"] else { return nil }
    let filtersPointer = pointer.appending(key: "filters")
    guard let list = array(value, at: filtersPointer) else { return nil }
    var filters: [GrowthBook.Filter] = []
    for (index, entry) in list.enumerated() {
      let entryPointer = filtersPointer.appending(index: index)
      guard let item = self.object(entry, at: entryPointer) else { continue }
      let seed = optionalString("seed", in: item, at: entryPointer)
      if seed == nil, item["seed"] == nil {
        report(.missingKey, at: entryPointer, "a filter needs a `seed`")
      }
      let filterRanges = item["ranges"].flatMap {
        ranges($0, at: entryPointer.appending(key: "ranges"))
      }
      if item["ranges"] == nil {
        report(.missingKey, at: entryPointer, "a filter needs `ranges`")
      }
      filters.append(
        GrowthBook.Filter(
          attribute: optionalString("attribute", in: item, at: entryPointer),
          seed: seed ?? "",
          hashVersion: optionalNumber("hashVersion", in: item, at: entryPointer),
          ranges: filterRanges ?? []
        )
      )
    }
    return filters
  }

  private mutating func parentConditions(
    in object: JSONObject,
    at pointer: JSONPointer
  ) -> [GrowthBook.ParentCondition] {
    guard let value = object["parentConditions"] else { return [] }
    let listPointer = pointer.appending(key: "parentConditions")
    var parents: [GrowthBook.ParentCondition] = []
    for (index, entry) in (array(value, at: listPointer) ?? []).enumerated() {
      let entryPointer = listPointer.appending(index: index)
      guard let item = self.object(entry, at: entryPointer) else { continue }
      guard let id = optionalString("id", in: item, at: entryPointer) else {
        if item["id"] == nil {
          report(.missingKey, at: entryPointer, "a prerequisite needs an `id`")
        }
        continue
      }
      parents.append(
        GrowthBook.ParentCondition(
          id: id,
          condition: optionalCondition("condition", in: item, at: entryPointer) ?? .and([]),
          isGate: item["gate"].map(JavaScript.isTruthy) ?? false
        )
      )
    }
    return parents
  }

  private mutating func contextualBandit(
    _ value: JSONValue,
    at pointer: JSONPointer
  ) -> GrowthBook.ContextualBandit? {
    guard let object = object(value, at: pointer) else { return nil }
    var leaves: [GrowthBook.ContextualBandit.Leaf] = []
    if let contexts = object["contexts"] {
      let contextsPointer = pointer.appending(key: "contexts")
      for (index, entry) in (array(contexts, at: contextsPointer) ?? []).enumerated() {
        let entryPointer = contextsPointer.appending(index: index)
        guard let item = self.object(entry, at: entryPointer) else { continue }
        leaves.append(
          GrowthBook.ContextualBandit.Leaf(
            id: item["leafId"] ?? .null,
            condition: optionalCondition("condition", in: item, at: entryPointer) ?? .and([]),
            weights: optionalNumbers("weights", in: item, at: entryPointer) ?? []
          )
        )
      }
    }
    return GrowthBook.ContextualBandit(version: object["banditVersion"], leaves: leaves)
  }

  // MARK: Values

  private mutating func optionalCondition(
    _ key: String,
    in object: JSONObject,
    at pointer: JSONPointer
  ) -> Condition? {
    guard let value = object[key], !value.isNull else { return nil }
    let conditionPointer = pointer.appending(key: key)
    guard case .object = value else {
      report(
        .expectedType,
        at: conditionPointer,
        "expected a condition object, found \(value.kindDescription)"
      )
      return nil
    }
    return conditions.parseCondition(value, at: conditionPointer)
  }

  private mutating func ranges(_ value: JSONValue, at pointer: JSONPointer) -> [BucketRange]? {
    guard let list = array(value, at: pointer) else { return nil }
    var ranges: [BucketRange] = []
    for (index, entry) in list.enumerated() {
      if let range = range(entry, at: pointer.appending(index: index)) { ranges.append(range) }
    }
    return ranges
  }

  private mutating func range(_ value: JSONValue, at pointer: JSONPointer) -> BucketRange? {
    guard case .array(let bounds) = value, bounds.count == 2, case .number(let start) = bounds[0],
      case .number(let end) = bounds[1]
    else {
      report(
        .expectedType,
        at: pointer,
        "expected a range `[start, end]` of two numbers, found \(value.kindDescription)"
      )
      return nil
    }
    return BucketRange(start: start, end: end)
  }

  private mutating func optionalString(
    _ key: String,
    in object: JSONObject,
    at pointer: JSONPointer
  ) -> String? {
    guard let value = object[key], !value.isNull else { return nil }
    return string(value, at: pointer.appending(key: key))
  }

  private mutating func optionalNumber(
    _ key: String,
    in object: JSONObject,
    at pointer: JSONPointer
  ) -> Double? {
    guard let value = object[key], !value.isNull else { return nil }
    guard case .number(let number) = value else {
      report(
        .expectedType,
        at: pointer.appending(key: key),
        "expected a number, found \(value.kindDescription)"
      )
      return nil
    }
    return number
  }

  private mutating func optionalInteger(
    _ key: String,
    in object: JSONObject,
    at pointer: JSONPointer
  ) -> Int? {
    guard let number = optionalNumber(key, in: object, at: pointer) else { return nil }
    guard number.rounded() == number, abs(number) < 1e15 else {
      report(.expectedType, at: pointer.appending(key: key), "expected an integer, found \(number)")
      return nil
    }
    return Int(number)
  }

  private mutating func optionalNumbers(
    _ key: String,
    in object: JSONObject,
    at pointer: JSONPointer
  ) -> [Double]? {
    guard let value = object[key], !value.isNull else { return nil }
    let listPointer = pointer.appending(key: key)
    guard let list = array(value, at: listPointer) else { return nil }
    var numbers: [Double] = []
    for (index, entry) in list.enumerated() {
      guard case .number(let number) = entry else {
        report(
          .expectedType,
          at: listPointer.appending(index: index),
          "expected a number, found \(entry.kindDescription)"
        )
        continue
      }
      numbers.append(number)
    }
    return numbers
  }

  private mutating func string(_ value: JSONValue, at pointer: JSONPointer) -> String? {
    guard case .string(let text) = value else {
      report(.expectedType, at: pointer, "expected a string, found \(value.kindDescription)")
      return nil
    }
    return text
  }

  private mutating func array(_ value: JSONValue, at pointer: JSONPointer) -> [JSONValue]? {
    guard case .array(let elements) = value else {
      report(.expectedType, at: pointer, "expected an array, found \(value.kindDescription)")
      return nil
    }
    return elements
  }

  mutating func object(_ value: JSONValue, at pointer: JSONPointer) -> JSONObject? {
    guard case .object(let object) = value else {
      report(.expectedType, at: pointer, "expected an object, found \(value.kindDescription)")
      return nil
    }
    return object
  }

  private mutating func report(
    _ code: Diagnostic.Code,
    at pointer: JSONPointer,
    _ message: String,
    notes: [String] = []
  ) {
    diagnostics.append(
      Diagnostic(
        code: code,
        message: message,
        location: SourceLocation(pointer: pointer),
        notes: notes
      )
    )
  }
}
