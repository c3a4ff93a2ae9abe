import Tailor

/// Seeded GrowthBook SDK payloads for benchmarks: features whose rules are force
/// rules (80 %), percentage rollouts (10 %) and 50/50 experiments (10 %), each with
/// a condition of the broad workload (``Workload/condition()``: 1–4 clauses on
/// country, language, device, tier, age, ltv, tags, app version, e-mail and signup
/// date), and attribute sets from the same workload's profiles.
///
/// GrowthBook has no `$after`/`$before`: those clauses are written as the string
/// comparisons `$gt`/`$lt`, which order RFC 3339 instants the same way.
public struct GrowthBookWorkload {
  private var workload: Workload
  private var random: SeededGenerator
  /// Every rule condition written so far, as the broad workload drew it.
  private var conditions: [JSONObject] = []

  /// A workload whose payloads and attribute sets are determined by `seed`.
  public init(seed: UInt64) {
    workload = Workload(seed: seed)
    random = SeededGenerator(seed: seed &+ 0x9E37_79B9)
  }

  /// A payload of `features` features named `feature-0`, `feature-1`, … with
  /// `rulesPerFeature` rules each.
  public mutating func payload(features: Int, rulesPerFeature: Int) -> JSONValue {
    var all = JSONObject()
    for feature in 0..<features {
      var rules: [JSONValue] = []
      rules.reserveCapacity(rulesPerFeature)
      for index in 0..<rulesPerFeature {
        var rule = JSONObject()
        rule["id"] = .string("fr_\(feature)_\(index)")
        let condition = workload.condition()
        conditions.append(condition)
        rule["condition"] = GrowthBookWorkload.growthBook(.object(condition))
        let roll = random.unit()
        if roll < 0.1 {
          rule["force"] = .string("rollout-\(index)")
          rule["coverage"] = .number(random.pick([0.05, 0.1, 0.25, 0.5]))
          rule["hashAttribute"] = "id"
        } else if roll < 0.2 {
          rule["key"] = .string("experiment-\(feature)-\(index)")
          rule["variations"] = .array(["control", "treatment"])
          rule["weights"] = .array([0.5, 0.5])
          rule["coverage"] = 1
          rule["hashAttribute"] = "id"
        } else {
          rule["force"] = .string("value-\(index)")
        }
        rules.append(.object(rule))
      }
      all["feature-\(feature)"] = .object(
        JSONObject([("defaultValue", "default"), ("rules", .array(rules))])
      )
    }
    return .object(
      JSONObject([("features", .object(all)), ("savedGroups", .object(JSONObject()))])
    )
  }

  /// `count` attribute sets: the workload's profiles, 40 % of them built to satisfy
  /// a rule condition of the payloads drawn so far, with their user id as `id`
  /// (GrowthBook's default hash attribute).
  public mutating func attributes(_ count: Int) -> [JSONValue] {
    (0..<count).map { _ in
      let target = !conditions.isEmpty && random.chance(0.4) ? random.pick(conditions) : nil
      guard case .object(var profile) = workload.profile(targeting: target) else {
        return .object(JSONObject())
      }
      profile["id"] = profile["userId"]
      return .object(profile)
    }
  }

  /// A condition with Tailor's instant operators written as GrowthBook's string ones.
  static func growthBook(_ value: JSONValue) -> JSONValue {
    switch value {
    case .object(let object):
      var converted = JSONObject()
      for (key, entry) in object.pairs {
        let renamed =
          switch key {
          case "$after": "$gt"
          case "$before": "$lt"
          default: key
          }
        converted[renamed] = growthBook(entry)
      }
      return .object(converted)
    case .array(let elements):
      return .array(elements.map(growthBook))
    default:
      return value
    }
  }
}
