import Tailor

/// A seeded, realistic marketing workload: profiles with country, language,
/// device, tier, age, ltv, tags, appVersion, email and signupDate with skewed
/// distributions, and decisions with rules of 1–4 clauses.
///
/// Every rule targets at least one "campaign" country or language. About 60 %
/// of the generated profiles come from markets no rule targets, so they fall
/// through to the default at any rule count; the rest are built to satisfy one
/// rule picked at random (and may match an earlier one first).
public struct Workload {
  /// The generator every choice draws from.
  public var random: SeededGenerator

  /// A generator whose output depends only on `seed`.
  public init(seed: UInt64) { random = SeededGenerator(seed: seed) }

  static let targetedCountries = [
    "US", "GB", "DE", "FR", "ES", "IT", "PT", "NL", "BR", "MX", "CA", "AU", "JP", "KR", "IN", "SE",
    "NO", "DK", "PL", "AR",
  ]
  static let otherCountries = [
    "FI", "IE", "AT", "BE", "CH", "CZ", "GR", "HU", "RO", "TR", "ZA", "NZ",
  ]
  static let targetedLanguages = ["en", "es", "de", "fr", "pt", "it", "ja", "ko", "nl", "sv"]
  static let otherLanguages = ["fi", "cs", "el", "hu", "ro", "tr"]
  static let devices = ["web", "ios", "android"]
  static let tiers = ["free", "silver", "gold", "platinum"]
  static let tags = [
    "sports", "news", "music", "travel", "food", "tech", "fashion", "gaming", "finance", "health",
    "kids", "pets", "cars", "books", "movies", "beauty", "home", "garden", "outdoors", "art",
  ]
  static let domains = ["gmail.com", "yahoo.com", "corp.com", "example.com", "outlook.com"]

  /// A Zipf-like pick: earlier entries are more likely.
  mutating func skewed<T>(_ items: [T]) -> T {
    let u = random.unit()
    let index = Int(Double(items.count) * u * u)
    return items[min(index, items.count - 1)]
  }

  // MARK: Rules

  private mutating func clause(_ kind: Int) -> (String, JSONValue) {
    func op(_ name: String, _ operand: JSONValue) -> JSONValue {
      .object(JSONObject([(name, operand)]))
    }
    switch kind {
    case 0:
      let count = random.int(1, 3)
      return (
        "country",
        op("$in", .array((0..<count).map { _ in .string(skewed(Workload.targetedCountries)) }))
      )
    case 1: return ("language", .string(skewed(Workload.targetedLanguages)))
    case 2: return ("device", .string(random.pick(Workload.devices)))
    case 3:
      return random.chance(0.5)
        ? ("tier", .string(random.pick(Workload.tiers)))
        : (
          "tier",
          op(
            "$in",
            .array([.string(random.pick(Workload.tiers)), .string(random.pick(Workload.tiers))])
          )
        )
    case 4:
      return (
        "age",
        op(
          random.pick(["$gte", "$lt"]),
          .number(Double(random.pick([18, 21, 25, 30, 40, 55, 65])))
        )
      )
    case 5: return ("ltv", op("$gt", .number(Double(random.pick([50, 100, 500, 1000, 2500])))))
    case 6:
      return (
        "tags",
        op(
          random.chance(0.7) ? "$in" : "$all",
          .array([.string(random.pick(Workload.tags)), .string(random.pick(Workload.tags))])
        )
      )
    case 7: return ("appVersion", op("$vgte", .string("\(random.int(1, 5)).\(random.int(0, 9)).0")))
    case 8: return ("email", op("$regex", .string("@(corp|example)\\.com$")))
    default:
      return (
        "signupDate",
        op("$after", .string("202\(random.int(0, 5))-0\(random.int(1, 9))-01T00:00:00Z"))
      )
    }
  }

  private mutating func otherClauseKind() -> Int {
    // Weighted: device, tier, age most often; regex and dates rarely.
    let roll = random.unit()
    switch roll {
    case ..<0.22: return 2
    case ..<0.44: return 3
    case ..<0.62: return 4
    case ..<0.72: return 5
    case ..<0.82: return 6
    case ..<0.90: return 7
    case ..<0.95: return 8
    default: return 9
    }
  }

  /// A rule condition of 1–4 clauses, the first on a campaign country or language.
  public mutating func condition() -> JSONObject {
    var object = JSONObject()
    let first = clause(random.chance(0.65) ? 0 : 1)
    object[first.0] = first.1
    for _ in 0..<random.int(0, 3) {
      let (key, value) = clause(otherClauseKind())
      if object[key] == nil { object[key] = value }
    }
    return object
  }

  /// A document with one decision `offers` of `rules` rules (and `mode: all` if asked).
  public mutating func document(
    rules count: Int,
    variants: Int = 20,
    mode: String = "first"
  ) -> JSONValue {
    let keys = (0..<variants).map { "variant-\($0)" }
    var rules: [JSONValue] = []
    rules.reserveCapacity(count)
    for index in 0..<count {
      var rule = JSONObject()
      rule["id"] = .string("rule-\(index)")
      rule["when"] = .object(condition())
      let roll = random.unit()
      if roll < 0.1 {
        rule["serve"] = .string(random.pick(keys))
        rule["rollout"] = .object(
          JSONObject([
            ("by", "userId"), ("percent", .number(Double(random.pick([5, 10, 25, 50])))),
          ])
        )
      } else if roll < 0.2 {
        let a = random.pick(keys)
        let b = random.pick(keys.filter { $0 != a })
        rule["split"] = .object(
          JSONObject([("by", "userId"), ("weights", .object(JSONObject([(a, 0.5), (b, 0.5)])))])
        )
      } else {
        rule["serve"] = .string(random.pick(keys))
      }
      rules.append(.object(rule))
    }
    return Workload.offersDocument(rules: rules, variants: keys, mode: mode)
  }

  /// A document with one decision `offers`: banner variants, the first of them the default,
  /// and `mode: all` with limit 3 if asked.
  static func offersDocument(rules: [JSONValue], variants keys: [String], mode: String) -> JSONValue
  {
    var decision = JSONObject()
    decision["variants"] = .object(
      JSONObject(keys.map { ($0, .object(JSONObject([("banner", .string("\($0).jpg"))]))) })
    )
    decision["default"] = .string(keys[0])
    if mode == "all" {
      decision["mode"] = "all"
      decision["limit"] = 3
    }
    decision["rules"] = .array(rules)
    return .object(
      JSONObject([
        ("tailor", 1), ("decisions", .object(JSONObject([("offers", .object(decision))]))),
      ])
    )
  }

  // MARK: Profiles

  /// A realistic profile (about 450 bytes as JSON).
  ///
  /// With `targeting`, it is built to satisfy that rule condition; otherwise it comes from an
  /// untargeted market.
  public mutating func profile(targeting condition: JSONObject? = nil) -> JSONValue {
    var object = JSONObject()
    let id = random.int(1, 99_999_999)
    object["userId"] = .string("u-\(id)")
    object["sessionId"] = .string("s-\(random.next() % 1_000_000_000_000)")
    object["country"] = .string(
      condition == nil ? random.pick(Workload.otherCountries) : skewed(Workload.targetedCountries)
    )
    object["language"] = .string(
      condition == nil ? random.pick(Workload.otherLanguages) : skewed(Workload.targetedLanguages)
    )
    object["device"] = .string(random.pick(Workload.devices))
    object["tier"] = .string(random.chance(0.7) ? "free" : random.pick(Workload.tiers))
    object["age"] = .number(Double(random.int(16, 80)))
    object["ltv"] = .number((random.unit() * random.unit() * 3000 * 100).rounded() / 100)
    object["tags"] = .array((0..<random.int(0, 4)).map { _ in .string(random.pick(Workload.tags)) })
    object["appVersion"] = .string("\(random.int(1, 6)).\(random.int(0, 12)).\(random.int(0, 20))")
    object["email"] = .string("user\(id)@\(random.pick(Workload.domains))")
    object["signupDate"] = .string(
      "202\(random.int(0, 6))-0\(random.int(1, 9))-1\(random.int(0, 9))T0\(random.int(0, 9)):00:00Z"
    )
    object["referrer"] = .string(
      "https://www.example-news-site.com/articles/\(random.int(1000, 9999))/summer-offers"
    )
    object["userAgent"] = .string(
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15"
    )
    if let condition { satisfy(condition, in: &object) }
    return .object(object)
  }

  private mutating func satisfy(_ condition: JSONObject, in object: inout JSONObject) {
    for (key, test) in condition.pairs {
      switch (key, test) {
      case (_, .string(let text)): object[key] = .string(text)
      case ("country", .object(let ops)), ("tier", .object(let ops)):
        if case .array(let list)? = ops["$in"], let first = list.first { object[key] = first }
      case ("age", .object(let ops)):
        if case .number(let n)? = ops["$gte"] {
          object[key] = .number(n + Double(random.int(0, 10)))
        }
        if case .number(let n)? = ops["$lt"] {
          object[key] = .number(max(0, n - Double(random.int(1, 5))))
        }
      case ("ltv", .object(let ops)):
        if case .number(let n)? = ops["$gt"] { object[key] = .number(n + 10) }
      case ("tags", .object(let ops)):
        if case .array(let list)? = ops["$in"] ?? ops["$all"] { object[key] = .array(list) }
      case ("appVersion", .object):
        object[key] = "9.9.9"
      case ("email", .object):
        object[key] = "someone@corp.com"
      case ("signupDate", .object):
        object[key] = "2026-10-01T00:00:00Z"
      default:
        break
      }
    }
  }

  /// Profiles for a document made by ``document(rules:variants:mode:)``: 40 %
  /// built to satisfy a random rule, 60 % from untargeted markets.
  public mutating func profiles(_ count: Int, for document: JSONValue) -> [JSONValue] {
    var conditions: [JSONObject] = []
    if case .object(let root) = document, case .object(let decisions)? = root["decisions"] {
      for decision in decisions.values {
        if case .array(let rules)? = decision.objectValue?["rules"] {
          for rule in rules {
            if case .object(let when)? = rule.objectValue?["when"] { conditions.append(when) }
          }
        }
      }
    }
    return (0..<count).map { _ in
      random.chance(0.4) && !conditions.isEmpty
        ? profile(targeting: random.pick(conditions)) : profile()
    }
  }
}
