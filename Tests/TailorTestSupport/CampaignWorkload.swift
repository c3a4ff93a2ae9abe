import Tailor

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A seeded workload of narrow, diverse campaign rules, independent of ``Workload``.
///
/// Profiles (about 220 bytes as JSON) all come from one population with skewed
/// attributes: `country` (50 ISO codes, Zipf), `language` (85 % the country's),
/// `device`, `tier`, `age` (3 % missing), `ltv` (35 % exact zeros, a long tail,
/// 5 % missing), `tags` (0–8 of 50, Zipf), `appVersion` (absent on web),
/// `email` (a few big providers and a long tail of 3,000 company domains) and
/// `signupDate` (2015 to mid-2026, more recent dates more likely). A missing
/// attribute is absent from the object.
///
/// Each rule of a document made by ``document(rules:mode:)`` has 1–4 clauses on
/// distinct attributes (about 3.5 at 10,000 rules, fewer for small documents)
/// and is meant to match a share `s` of the population drawn log-uniformly from
/// ``selectivityRange(rules:)``, about 0.1/N to 2/N for N rules. The generator
/// knows the population's distributions, so it computes each clause's
/// probability exactly (attributes are independent, except `language`, which
/// follows `country` and never shares a rule with it, and `appVersion`, absent
/// on web, whose probability is taken given the rule's `device` clause), picks
/// the operands of the first clauses near a share of `s`, and solves the last
/// continuous clause (an `ltv` range or a `signupDate` window, usually) for the
/// rest. Thresholds, dates and domains are drawn per rule, so rules rarely
/// repeat, and selectivity shrinks with N through them. ``selectivities`` holds
/// the resulting probabilities of the last document's rules.
///
/// About 60 % of the profiles match no rule at any N, and a first-match scan
/// reads about 0.78 N rules per decision; `tailor-profile campaign-stats-<N>`
/// measures both, and each rule's match rate beside its computed probability.
public struct CampaignWorkload {
  /// The generator every choice draws from.
  public var random: SeededGenerator

  /// The probability, computed from the profile population's distributions,
  /// that each rule of the last document's `when` holds, in rule order.
  public private(set) var selectivities: [Double] = []

  /// A generator whose output depends only on `seed`.
  public init(seed: UInt64) { random = SeededGenerator(seed: seed) }

  /// The range a rule's target share of the population is drawn from, for a
  /// document of `count` rules: about 0.1/N to 2/N, so that about 60 % of the
  /// profiles match no rule.
  ///
  /// The shares of N rules sum to 0.63 × ``selectivityScale(rules:)`` on
  /// average. With more rules, rules have more clauses, and profiles differ
  /// more in how many rules can match them (a profile without tags, or with no
  /// lifetime value, or on web, escapes every rule testing those), so more
  /// of them match none for the same sum; the scale makes up for it.
  public static func selectivityRange(rules count: Int) -> ClosedRange<Double> {
    let n = Double(max(count, 1))
    let scale = selectivityScale(rules: count)
    let high = min(0.5, 2 * scale / n)
    return min(high, 0.1 * scale / n)...high
  }

  /// Measured with `tailor-profile campaign-stats-<N>`: 0.83 up to 100 rules,
  /// 1.0 at 1,000, 1.07 at 10,000, rising slowly beyond.
  static func selectivityScale(rules count: Int) -> Double {
    let x = log10(Double(max(count, 1)))
    if x <= 2 { return 0.83 }
    if x <= 3 { return 0.83 + 0.17 * (x - 2) }
    return min(1.12, 1 + 0.07 * (x - 3))
  }

  // MARK: Profiles

  /// A profile drawn from the population (about 220 bytes as JSON).
  public mutating func profile() -> JSONValue {
    typealias P = CampaignPopulation
    var object = JSONObject()
    let id = random.int(1, 99_999_999)
    object["userId"] = .string("u-\(id)")
    let country = P.countryTable.index(at: random.unit())
    object["country"] = .string(P.countries[country].code)
    let language =
      random.chance(P.nativeLanguageShare)
      ? P.languageOfCountry[country] : P.otherLanguageTable.index(at: random.unit())
    object["language"] = .string(P.languages[language])
    let device = P.deviceTable.index(at: random.unit())
    object["device"] = .string(P.devices[device])
    object["tier"] = .string(P.tiers[P.tierTable.index(at: random.unit())])
    if random.chance(P.agePresent) {
      object["age"] = .number(Double(P.youngestAge + P.ageTable.index(at: random.unit())))
    }
    if random.chance(P.ltvPresent) {
      object["ltv"] = .number(random.chance(P.ltvZero) ? 0 : P.positiveLTV(random.unit()))
    }
    var tags: [JSONValue] = []
    for (index, share) in P.tagShares.enumerated() where random.chance(share) {
      tags.append(.string(P.tags[index]))
    }
    random.shuffle(&tags)
    object["tags"] = .array(Array(tags.prefix(P.maximumTags)))
    if device != P.web {
      object["appVersion"] = .string(P.versions[P.versionTable.index(at: random.unit())].text)
    }
    let name = "\(random.pick(P.firstNames)).\(random.pick(P.lastNames))\(random.int(1, 99))"
    object["email"] = .string("\(name)@\(P.domains[P.domainTable.index(at: random.unit())])")
    object["signupDate"] = .string(
      DateTime.format(P.signupInstant(random.unit()).rounded(.down))
    )
    return .object(object)
  }

  /// `count` profiles drawn from the population.
  ///
  /// The document is not consulted: benchmark profiles are the population
  /// itself, so the share matching no rule is what the rules' selectivity makes it.
  public mutating func profiles(_ count: Int, for document: JSONValue) -> [JSONValue] {
    (0..<count).map { _ in profile() }
  }

  // MARK: Documents

  /// A document with one decision `offers` of `count` narrow rules over 20
  /// variants (and `mode: "all"` with a limit of 3 if asked); it also sets ``selectivities``.
  public mutating func document(rules count: Int, mode: String = "first") -> JSONValue {
    let keys = (0..<20).map { "variant-\($0)" }
    var rules: [JSONValue] = []
    rules.reserveCapacity(count)
    selectivities = []
    selectivities.reserveCapacity(count)
    let range = Self.selectivityRange(rules: count)
    // Stratified: rule i draws from stratum strata[i] of the log-uniform range, so
    // that even a small document's shares add up to about their mean.
    var strata = Array(0..<count)
    random.shuffle(&strata)
    for index in 0..<count {
      let u = (Double(strata[index]) + random.unit()) / Double(count)
      let target = exp(log(range.lowerBound) + u * log(range.upperBound / range.lowerBound))
      let clauses = condition(target: target, rules: count)
      selectivities.append(clauses.reduce(1) { $0 * $1.probability })
      var rule = JSONObject()
      rule["id"] = .string("campaign-\(index)")
      rule["when"] = .object(JSONObject(clauses.map { ($0.attribute, $0.test) }))
      let roll = random.unit()
      if roll < 0.1 {
        rule["serve"] = .string(random.pick(keys))
        rule["rollout"] = .object(
          JSONObject([
            ("by", "userId"), ("percent", .number(Double(random.pick([5, 10, 25, 50])))),
          ])
        )
      } else if roll < 0.175 {
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

  /// One clause of a rule: an attribute, its test, and the share of profiles it admits
  /// (given the clauses before it in the rule).
  struct Clause {
    var attribute: String
    var test: JSONValue
    var probability: Double
  }

  /// What a clause tests; at most one clause per attribute in a rule.
  enum Kind: CaseIterable {
    case country, language, device, tier, tags, email, regex, age, appVersion, ltv, signupDate

    /// Tests of a few values, whose share can only be approximated.
    var isCategorical: Bool {
      switch self {
      case .country, .language, .device, .tier, .tags, .email, .regex: true
      default: false
      }
    }

    /// Continuous tests that can be solved for any share.
    var isExact: Bool { self == .ltv || self == .signupDate }

    /// How often a rule draws this kind for one of its free clauses.
    var weight: Double {
      switch self {
      case .country: 0.24
      case .language: 0.06
      case .device: 0.10
      case .tier: 0.10
      case .tags: 0.13
      case .email: 0.09
      case .age: 0.09
      case .ltv: 0.08
      case .signupDate: 0.11
      case .regex, .appVersion: 0
      }
    }
  }

  /// The number of clauses of a rule: on average 1.8 at 10 rules, 3.5 at 10,000, at most 4.
  mutating func clauseCount(rules count: Int) -> Int {
    let mean = min(3.8, 1.2 + 0.58 * log10(Double(max(count, 1))))
    return min(4, Int(mean) + (random.chance(mean - mean.rounded(.down)) ? 1 : 0))
  }

  /// Clauses whose joint probability is close to `target`.
  mutating func condition(target: Double, rules count: Int) -> [Clause] {
    var required: [Kind] = []
    if random.chance(0.03) { required.append(.regex) }
    if random.chance(0.05) { required.append(.appVersion) }
    let size = max(clauseCount(rules: count), required.count)
    let range = Self.selectivityRange(rules: count)
    var best: [Clause] = []
    var bestError = Double.infinity
    for attempt in 0..<30 {
      var kinds = required
      if attempt == 29 {
        // Rarely, no draw fits: a signup window always can.
        kinds.append(.signupDate)
      } else {
        while kinds.count < size {
          let free = Kind.allCases.filter { kind in
            kind.weight > 0 && !kinds.contains(kind)
              && !(kind == .language && kinds.contains(.country))
              && !(kind == .country && kinds.contains(.language))
              && !(kind == .email && kinds.contains(.regex))
          }
          kinds.append(pickWeighted(free))
        }
      }
      let clauses = operands(for: order(kinds), target: target)
      let achieved = clauses.reduce(1) { $0 * $1.probability }
      let error = abs(log(achieved / target))
      if error < bestError {
        best = clauses
        bestError = error
      }
      if error < log(1.25) && range.contains(achieved) { break }
    }
    return best
  }

  private mutating func pickWeighted(_ kinds: [Kind]) -> Kind {
    let total = kinds.reduce(0) { $0 + $1.weight }
    var roll = random.unit() * total
    for kind in kinds {
      roll -= kind.weight
      if roll < 0 { return kind }
    }
    return kinds[kinds.count - 1]
  }

  /// Categorical clauses first, exact continuous ones last, so the last clause
  /// absorbs what the others could not hit; `device` before `appVersion`.
  private mutating func order(_ kinds: [Kind]) -> [Kind] {
    var categorical = kinds.filter(\.isCategorical)
    random.shuffle(&categorical)
    var exact = kinds.filter(\.isExact)
    random.shuffle(&exact)
    let middle = kinds.filter { !$0.isCategorical && !$0.isExact }
    return categorical + middle + exact
  }

  /// Draws each clause's operands aiming at a share of the log-target left.
  private mutating func operands(for kinds: [Kind], target: Double) -> [Clause] {
    let weights = kinds.map { _ in 0.5 + random.unit() }
    var remaining = log(target)
    var clauses: [Clause] = []
    var devices: [Int]?
    for (index, kind) in kinds.enumerated() {
      let share = weights[index] / weights[index...].reduce(0, +)
      let aim = min(0.97, exp(remaining * share))
      let clause: Clause?
      switch kind {
      case .country: clause = countryClause(aim)
      case .language: clause = languageClause(aim)
      case .device:
        let (chosen, made) = deviceClause(aim)
        devices = chosen
        clause = made
      case .tier: clause = tierClause(aim)
      case .tags: clause = tagsClause(aim)
      case .email: clause = emailClause(aim)
      case .regex: clause = regexClause(aim)
      case .age: clause = ageClause(aim)
      case .appVersion: clause = versionClause(aim, devices: devices)
      case .ltv: clause = ltvClause(aim)
      case .signupDate: clause = signupClause(aim)
      }
      if let clause {
        clauses.append(clause)
        remaining -= log(clause.probability)
      }
    }
    return clauses
  }

  // MARK: Clauses

  private static func operatorTest(_ pairs: [(String, JSONValue)]) -> JSONValue {
    .object(JSONObject(pairs))
  }

  /// The candidate whose probability is closest to `aim` on a log scale.
  private static func closest<T>(
    _ candidates: [(T, Double)],
    to aim: Double
  ) -> (T, Double) {
    var best = candidates[0]
    for candidate in candidates.dropFirst()
    where abs(log(candidate.1 / aim)) < abs(log(best.1 / aim)) {
      best = candidate
    }
    return best
  }

  /// `count` distinct indices drawn from `table` (fewer if it has fewer entries).
  private mutating func distinct(_ count: Int, from table: DiscreteTable) -> [Int] {
    var chosen: [Int] = []
    while chosen.count < min(count, table.shares.count) {
      let index = table.index(at: random.unit())
      if !chosen.contains(index) { chosen.append(index) }
    }
    return chosen
  }

  /// `$in` over a few values of a scalar attribute, the best of several random sets.
  private mutating func setClause(
    _ attribute: String,
    values: [String],
    shares: [Double],
    sizes: ClosedRange<Int>,
    tries: Int,
    aim: Double
  ) -> ([Int], Clause) {
    var candidates: [([Int], Double)] = []
    let targeting = CampaignPopulation.targeting(shares)
    for _ in 0..<tries {
      let set = distinct(random.int(sizes), from: targeting)
      candidates.append((set, set.reduce(0) { $0 + shares[$1] }))
    }
    let (set, probability) = Self.closest(candidates, to: aim)
    let test = Self.operatorTest([("$in", .array(set.map { .string(values[$0]) }))])
    return (set, Clause(attribute: attribute, test: test, probability: probability))
  }

  private mutating func countryClause(_ aim: Double) -> Clause {
    typealias P = CampaignPopulation
    return setClause(
      "country",
      values: P.countries.map(\.code),
      shares: P.countryTable.shares,
      sizes: 1...4,
      tries: P.candidates,
      aim: aim
    ).1
  }

  private mutating func languageClause(_ aim: Double) -> Clause {
    typealias P = CampaignPopulation
    return setClause(
      "language",
      values: P.languages,
      shares: P.languageShares,
      sizes: 1...2,
      tries: P.candidates,
      aim: aim
    ).1
  }

  private mutating func deviceClause(_ aim: Double) -> ([Int], Clause) {
    typealias P = CampaignPopulation
    return setClause(
      "device",
      values: P.devices,
      shares: P.deviceTable.shares,
      sizes: 1...2,
      tries: P.candidates,
      aim: aim
    )
  }

  private mutating func tierClause(_ aim: Double) -> Clause {
    typealias P = CampaignPopulation
    return setClause(
      "tier",
      values: P.tiers,
      shares: P.tierTable.shares,
      sizes: 1...2,
      tries: P.candidates,
      aim: aim
    ).1
  }

  /// `$in` against the array attribute `tags`: any of 1–3 tags.
  private mutating func tagsClause(_ aim: Double) -> Clause {
    typealias P = CampaignPopulation
    var candidates: [([Int], Double)] = []
    for _ in 0..<P.candidates {
      let set = distinct(random.int(1, 3), from: P.tagTargeting)
      // The cap of eight tags drops a tag from about 0.1 % of profiles; it is ignored.
      candidates.append((set, 1 - set.reduce(1) { $0 * (1 - P.tagShares[$1]) }))
    }
    let (set, probability) = Self.closest(candidates, to: aim)
    let test = Self.operatorTest([("$in", .array(set.map { .string(P.tags[$0]) }))])
    return Clause(attribute: "tags", test: test, probability: probability)
  }

  /// The best of a few domains drawn for targeting.
  private mutating func domain(near aim: Double) -> Int {
    typealias P = CampaignPopulation
    let candidates = (0..<P.candidates).map { _ in
      let index = P.domainTargeting.index(at: random.unit())
      return (index, P.domainTable.shares[index])
    }
    return Self.closest(candidates, to: aim).0
  }

  /// `$endsWith` on one e-mail domain.
  private mutating func emailClause(_ aim: Double) -> Clause {
    typealias P = CampaignPopulation
    let index = domain(near: aim)
    return Clause(
      attribute: "email",
      test: Self.operatorTest([("$endsWith", .string("@" + P.domains[index]))]),
      probability: P.domainTable.shares[index]
    )
  }

  /// `$regex` on e-mail: any of two or three domains.
  private mutating func regexClause(_ aim: Double) -> Clause {
    typealias P = CampaignPopulation
    let count = random.int(2, 3)
    var chosen: [Int] = []
    for _ in 0..<count {
      let index = domain(near: aim / Double(count))
      if !chosen.contains(index) { chosen.append(index) }
    }
    let alternatives = chosen.map { index in
      P.domains[index].split(separator: ".", omittingEmptySubsequences: false).joined(
        separator: "\\."
      )
    }
    return Clause(
      attribute: "email",
      test: Self.operatorTest([
        ("$regex", .string("@(" + alternatives.joined(separator: "|") + ")$"))
      ]),
      probability: chosen.reduce(0) { $0 + P.domainTable.shares[$1] }
    )
  }

  /// `$gte`, `$lt` or a range on `age`, sometimes with `$exists: true`.
  private mutating func ageClause(_ aim: Double) -> Clause {
    typealias P = CampaignPopulation
    // below[i]: P(age < youngest + i | present).
    let below = P.ageBelow
    let roll = random.unit()
    var pairs: [(String, JSONValue)] = []
    let probability: Double
    if roll < 0.25 {
      let exists = random.chance(0.6)
      let missing = exists ? 0 : 1 - P.agePresent
      let candidates = (1..<below.count).map { i in (i, P.agePresent * below[i] + missing) }
      let (i, p) = Self.closest(candidates, to: aim)
      if exists { pairs.append(("$exists", true)) }
      pairs.append(("$lt", .number(Double(P.youngestAge + i))))
      probability = p
    } else if roll < 0.5 {
      let candidates = (0..<below.count - 1).map { i in (i, P.agePresent * (1 - below[i])) }
      let (i, p) = Self.closest(candidates, to: aim)
      if random.chance(0.3) { pairs.append(("$exists", true)) }
      pairs.append(("$gte", .number(Double(P.youngestAge + i))))
      probability = p
    } else {
      let wanted = min(1, aim / P.agePresent)
      let start = random.unit() * (1 - wanted)
      var low = 0
      while low < below.count - 2 && below[low + 1] <= start { low += 1 }
      let candidates = (low + 1..<below.count).map { i in
        (i, P.agePresent * (below[i] - below[low]))
      }
      let (high, p) = Self.closest(candidates, to: aim)
      if random.chance(0.3) { pairs.append(("$exists", true)) }
      pairs.append(("$gte", .number(Double(P.youngestAge + low))))
      pairs.append(("$lt", .number(Double(P.youngestAge + high))))
      probability = p
    }
    return Clause(attribute: "age", test: Self.operatorTest(pairs), probability: probability)
  }

  /// `$vgte` or `$vlt` on `appVersion`, given the rule's `device` clause if any.
  private mutating func versionClause(_ aim: Double, devices: [Int]?) -> Clause? {
    typealias P = CampaignPopulation
    let shares = P.deviceTable.shares
    let chosen = devices ?? Array(shares.indices)
    let total = chosen.reduce(0) { $0 + shares[$1] }
    let mobile = chosen.filter { $0 != P.web }.reduce(0) { $0 + shares[$1] } / total
    guard mobile > 0 else { return nil }
    let atLeast = P.versionAtLeast
    var pairs: [(String, JSONValue)] = []
    let threshold: Int
    let probability: Double
    if random.chance(0.7) {
      let candidates = (0..<12).map { _ in
        let i = random.int(0, atLeast.count - 1)
        return (i, mobile * atLeast[i])
      }
      (threshold, probability) = Self.closest(candidates, to: aim)
      if random.chance(0.3) { pairs.append(("$exists", true)) }
      pairs.append(("$vgte", .string(P.versions[threshold].text)))
    } else {
      // Without `$exists`, a missing version reads as "0", below every threshold.
      let exists = random.chance(0.7)
      let missing = exists ? 0 : 1 - mobile
      let candidates = (0..<12).map { _ in
        let i = random.int(0, atLeast.count - 1)
        return (i, mobile * (1 - atLeast[i]) + missing)
      }
      (threshold, probability) = Self.closest(candidates, to: aim)
      if exists { pairs.append(("$exists", true)) }
      pairs.append(("$vlt", .string(P.versions[threshold].text)))
    }
    guard probability > 0 else { return nil }
    return Clause(attribute: "appVersion", test: Self.operatorTest(pairs), probability: probability)
  }

  /// `$gte`, `$lt` or a range on `ltv` with thresholds in cents, solved for `aim`.
  private mutating func ltvClause(_ aim: Double) -> Clause {
    typealias P = CampaignPopulation
    let positive = P.ltvPresent * (1 - P.ltvZero)
    var pairs: [(String, JSONValue)] = []
    let exists = random.chance(0.4)
    if exists { pairs.append(("$exists", true)) }
    let missing = exists ? 0 : 1 - P.ltvPresent
    let zeros = P.ltvPresent * P.ltvZero
    let probability: Double
    if aim > positive * 0.95 || (aim > zeros + missing && random.chance(0.3)) {
      // Below a threshold: the zeros, the values under it, and the missing without `$exists`.
      let above = max(1e-9, min(positive, zeros + missing + positive - aim))
      let b = P.ltvThreshold(atLeast: above / positive)
      pairs.append(("$lt", .number(b)))
      probability = zeros + missing + positive * (1 - P.ltvAtLeast(b))
    } else if random.chance(0.35) {
      let a = P.ltvThreshold(atLeast: aim / positive)
      pairs.append(("$gte", .number(a)))
      probability = positive * P.ltvAtLeast(a)
    } else {
      let width = aim / positive
      let upper = width + random.unit() * (1 - width)
      let a = P.ltvThreshold(atLeast: upper)
      var b = P.ltvThreshold(atLeast: max(1e-12, upper - width))
      if b <= a { b = a + 0.01 }
      pairs.append(("$gte", .number(a)))
      pairs.append(("$lt", .number(b)))
      probability = positive * (P.ltvAtLeast(a) - P.ltvAtLeast(b))
    }
    return Clause(attribute: "ltv", test: Self.operatorTest(pairs), probability: probability)
  }

  /// `$after`, `$before` or both on `signupDate`, to the minute, solved for `aim`.
  private mutating func signupClause(_ aim: Double) -> Clause {
    typealias P = CampaignPopulation
    // A window shorter than about a day is not a campaign.
    let wanted = max(2e-4, min(0.97, aim))
    var pairs: [(String, JSONValue)] = []
    if random.chance(0.1) { pairs.append(("$exists", true)) }
    let roll = random.unit()
    let probability: Double
    if roll < 0.3 {
      let after = P.signupMinute(cumulative: 1 - wanted)
      pairs.append(("$after", .string(DateTime.format(after))))
      probability = 1 - P.signupCumulative(after + 1)
    } else if roll < 0.45 {
      let before = P.signupMinute(cumulative: wanted)
      pairs.append(("$before", .string(DateTime.format(before))))
      probability = P.signupCumulative(before)
    } else {
      let start = random.unit() * (1 - wanted)
      let after = P.signupMinute(cumulative: start)
      var before = P.signupMinute(cumulative: start + wanted)
      if before <= after + 60 { before = after + 120 }
      pairs.append(("$after", .string(DateTime.format(after))))
      pairs.append(("$before", .string(DateTime.format(before))))
      probability = P.signupCumulative(before) - P.signupCumulative(after + 1)
    }
    return Clause(
      attribute: "signupDate",
      test: Self.operatorTest(pairs),
      probability: probability
    )
  }
}

/// Draws an index with given probabilities.
struct DiscreteTable: Sendable {
  /// The probabilities, summing to 1.
  let shares: [Double]
  private let cumulative: [Double]

  init(weights: [Double]) {
    let total = weights.reduce(0, +)
    shares = weights.map { $0 / total }
    var running = 0.0
    cumulative = shares.map { share in
      running += share
      return running
    }
  }

  /// The index whose cumulative interval holds `u` in [0, 1).
  func index(at u: Double) -> Int {
    var low = 0
    var high = cumulative.count - 1
    while low < high {
      let middle = (low + high) / 2
      if cumulative[middle] > u { high = middle } else { low = middle + 1 }
    }
    return low
  }
}

/// The profile population of ``CampaignWorkload`` and the closed forms of its distributions.
enum CampaignPopulation {
  /// Rules pick the values they test with probability proportional to
  /// share^targetingExponent (1: where the users are; 0: any value alike), the best
  /// of `candidates` draws for the share a clause aims at.
  static let targetingExponent = 0.75
  static let candidates = 3
  static func targeting(_ shares: [Double]) -> DiscreteTable {
    DiscreteTable(weights: shares.map { pow($0, targetingExponent) })
  }
  static let tagTargeting = targeting(tagShares)
  static let domainTargeting = targeting(domainTable.shares)

  static let countries: [(code: String, language: String)] = [
    ("US", "en"), ("IN", "hi"), ("BR", "pt"), ("GB", "en"), ("DE", "de"), ("FR", "fr"),
    ("ID", "id"), ("MX", "es"), ("JP", "ja"), ("ES", "es"), ("IT", "it"), ("CA", "en"),
    ("TR", "tr"), ("KR", "ko"), ("PH", "en"), ("NG", "en"), ("PL", "pl"), ("NL", "nl"),
    ("AU", "en"), ("AR", "es"), ("VN", "vi"), ("TH", "th"), ("EG", "ar"), ("SA", "ar"),
    ("CO", "es"), ("ZA", "en"), ("PK", "ur"), ("MY", "ms"), ("UA", "uk"), ("SE", "sv"),
    ("BE", "nl"), ("CH", "de"), ("AT", "de"), ("PT", "pt"), ("CL", "es"), ("PE", "es"),
    ("RO", "ro"), ("CZ", "cs"), ("GR", "el"), ("IL", "he"), ("DK", "da"), ("FI", "fi"),
    ("NO", "nb"), ("IE", "en"), ("NZ", "en"), ("HU", "hu"), ("SG", "en"), ("AE", "ar"),
    ("KE", "sw"), ("BD", "bn"),
  ]
  /// Zipf-like: the United States about 17 %, the 50th market about 0.4 %.
  static let countryTable = DiscreteTable(
    weights: countries.indices.map { pow(Double($0) + 1.5, -1.05) }
  )

  static let languages: [String] = {
    var list: [String] = []
    for country in countries where !list.contains(country.language) {
      list.append(country.language)
    }
    return list
  }()
  static let languageOfCountry: [Int] = countries.map { country in
    languages.firstIndex(of: country.language) ?? 0
  }
  /// A profile's language is its country's this often; otherwise it is drawn from
  /// ``otherLanguageTable`` (English 60 %, the rest evenly).
  static let nativeLanguageShare = 0.85
  static let otherLanguageTable = DiscreteTable(
    weights: languages.map { ($0 == "en" ? 0.6 : 0) + 0.4 / Double(languages.count) }
  )
  static let languageShares: [Double] = languages.indices.map { language in
    var share = (1 - nativeLanguageShare) * otherLanguageTable.shares[language]
    for (country, native) in languageOfCountry.enumerated() where native == language {
      share += nativeLanguageShare * countryTable.shares[country]
    }
    return share
  }

  static let devices = ["web", "ios", "android", "ipados", "tv"]
  static let web = 0
  static let deviceTable = DiscreteTable(weights: [0.40, 0.30, 0.25, 0.04, 0.01])

  static let tiers = ["free", "silver", "gold", "platinum"]
  static let tierTable = DiscreteTable(weights: [0.72, 0.14, 0.09, 0.05])

  static let agePresent = 0.97
  static let youngestAge = 13
  /// Ages 13 to 90, peaking around 30, with a long tail.
  static let ageTable = DiscreteTable(
    weights: (youngestAge...90).map { age in
      let x = Double(age - youngestAge + 1)
      return pow(x, 1.6) * exp(-x / 11)
    }
  )
  /// `ageBelow[i]` is P(age < 13 + i | age present), for i in 0...78.
  static let ageBelow: [Double] = {
    var running = 0.0
    var list = [0.0]
    for share in ageTable.shares {
      running += share
      list.append(min(1, running))
    }
    return list
  }()

  static let ltvPresent = 0.95
  static let ltvZero = 0.35
  static let ltvScale = 40.0
  static let ltvShape = 1.3
  /// A Lomax (Pareto II) draw in cents, at least 0.01.
  static func positiveLTV(_ u: Double) -> Double {
    let value = ltvScale * (pow(1 - u, -1 / ltvShape) - 1)
    return max(0.01, (value * 100).rounded() / 100)
  }
  /// P(ltv ≥ t | ltv present and positive), for `t` in cents.
  static func ltvAtLeast(_ t: Double) -> Double {
    t <= 0.01 ? 1 : pow(1 + (t - 0.005) / ltvScale, -ltvShape)
  }
  /// The threshold in cents with ``ltvAtLeast(_:)`` near `share`.
  static func ltvThreshold(atLeast share: Double) -> Double {
    let value = ltvScale * (pow(min(1, share), -1 / ltvShape) - 1) + 0.005
    return max(0.01, (value * 100).rounded() / 100)
  }

  static let tags = [
    "sale", "new-arrivals", "sports", "news", "music", "travel", "food", "tech", "fashion",
    "gaming", "finance", "health", "kids", "pets", "cars", "books", "movies", "beauty", "home",
    "garden", "outdoors", "art", "fitness", "running", "yoga", "cycling", "camping",
    "photography", "cooking", "wine", "coffee", "crypto", "investing", "parenting", "wedding",
    "students", "seniors", "luxury", "budget", "eco", "diy", "anime", "esports", "podcasts",
    "theatre", "jazz", "hiking", "skiing", "surfing", "golf",
  ]
  /// Each tag independently, Zipf-like: 38 % for the first, about 1 % for the last;
  /// 2.4 tags on average, at most ``maximumTags``.
  static let tagShares: [Double] = {
    let weights = tags.indices.map { pow(Double($0) + 1, -0.9) }
    let scale = 2.4 / weights.reduce(0, +)
    return weights.map { min(0.9, $0 * scale) }
  }()
  static let maximumTags = 8

  /// App versions of mobile devices: majors 3–7 skewed to recent, any minor and patch.
  static let versions: [(text: String, share: Double)] = {
    let majors: [(Int, Double)] = [(3, 0.04), (4, 0.08), (5, 0.18), (6, 0.35), (7, 0.35)]
    var list: [(text: String, share: Double)] = []
    for (major, share) in majors {
      for minor in 0...14 {
        for patch in 0...9 { list.append(("\(major).\(minor).\(patch)", share / 150)) }
      }
    }
    return list
  }()
  static let versionTable = DiscreteTable(weights: versions.map(\.share))
  /// `versionAtLeast[i]`: P(appVersion ≥ versions[i] | mobile); `versions` is in ascending order.
  static let versionAtLeast: [Double] = {
    var running = 1.0
    return versionTable.shares.map { share in
      defer { running -= share }
      return max(0, running)
    }
  }()

  static let firstNames = [
    "ana", "ben", "chen", "dana", "eli", "fatima", "george", "hana", "ivan", "julia", "kofi",
    "lena", "marco", "nina", "omar", "priya", "quinn", "rosa", "sven", "tariq", "ursula", "yuki",
  ]
  static let lastNames = [
    "garcia", "smith", "mueller", "rossi", "dubois", "silva", "kowalski", "tanaka", "kim",
    "nguyen", "ivanova", "johansson", "oconnor", "novak", "papadopoulos", "cohen", "jensen",
    "haddad", "okafor", "martinez",
  ]

  static let bigDomains: [(String, Double)] = [
    ("gmail.com", 0.27), ("yahoo.com", 0.07), ("outlook.com", 0.06), ("hotmail.com", 0.05),
    ("icloud.com", 0.04), ("aol.com", 0.01), ("gmx.de", 0.01), ("proton.me", 0.01),
  ]
  static let companyStems = [
    "acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "wonka", "tyrell",
    "cyberdyne", "soylent", "vandelay", "dunder", "oscorp", "aperture", "massive", "monarch",
    "nakatomi", "piedpiper", "prestige", "sterling", "virtucon", "blueth", "krusty", "duff",
    "gekko", "lacuna", "oceanic", "rekall", "sirius", "tessier", "yoyodyne", "weyland",
    "abstergo", "blackmesa", "cogswell", "spacely", "planetexpress", "momcorp", "gringotts",
  ]
  static let companyTLDs = ["com", "com", "io", "de", "co.uk", "com", "fr", "net", "es", "com.br"]
  static let companyCount = 3000
  /// The big providers, then 3,000 company domains (Zipf, 48 % in all), in decreasing share.
  static let domains: [String] =
    bigDomains.map(\.0)
    + (0..<companyCount).map { j in
      "\(companyStems[j % companyStems.count])-\(j / companyStems.count + 1)."
        + companyTLDs[j % companyTLDs.count]
    }
  static let domainTable: DiscreteTable = {
    let tail = (0..<companyCount).map { 1 / (Double($0) + 10) }
    let total = tail.reduce(0, +)
    return DiscreteTable(weights: bigDomains.map(\.1) + tail.map { 0.48 * $0 / total })
  }()

  static let signupStart = 1_420_070_400.0  // 2015-01-01T00:00:00Z
  static let signupEnd = 1_782_864_000.0  // 2026-07-01T00:00:00Z
  /// The density grows linearly, three times as high at the end as at the start.
  static let signupGrowth = 2.0
  /// The signup instant at cumulative share `u`, in seconds since the epoch.
  static func signupInstant(_ u: Double) -> Double {
    let g = signupGrowth
    let x = ((1 + 2 * g * (1 + g / 2) * u).squareRoot() - 1) / g
    return signupStart + x * (signupEnd - signupStart)
  }
  /// P(signupDate < t) for an instant `t`; whole seconds are drawn, so P(> t) is 1 − this at t + 1.
  static func signupCumulative(_ t: Double) -> Double {
    let x = max(0, min(1, (t - signupStart) / (signupEnd - signupStart)))
    return (x + signupGrowth * x * x / 2) / (1 + signupGrowth / 2)
  }
  /// The whole minute nearest the instant at cumulative share `u`.
  static func signupMinute(cumulative u: Double) -> Double {
    ((signupInstant(max(0, min(1, u))) / 60).rounded() * 60)
  }
}

extension SeededGenerator {
  /// Shuffles `items` in place (Fisher–Yates), drawing from this generator.
  mutating func shuffle<T>(_ items: inout [T]) {
    guard items.count > 1 else { return }
    for index in stride(from: items.count - 1, to: 0, by: -1) {
      items.swapAt(index, int(0, index))
    }
  }
}
