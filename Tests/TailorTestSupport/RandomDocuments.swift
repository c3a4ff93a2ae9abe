import Tailor

/// Adversarial random rules documents and profiles for differential testing:
/// every operator, nested logic, segments, groups, rollouts, splits, schedules
/// and prerequisites, against profiles with missing, null, mistyped, array,
/// nested and non-ASCII values.
///
/// Values come from small pools so that conditions match often enough to exercise every branch.
public struct RandomDocuments {
  /// The generator every choice draws from.
  public var random: SeededGenerator

  /// A generator whose output depends only on `seed`.
  public init(seed: UInt64) { random = SeededGenerator(seed: seed) }

  static let paths = [
    "country", "tier", "age", "tags", "device", "version", "name", "geo.city", "geo", "score",
    "flag", "tags.0", "email", "signup", "é", "id",
  ]
  static let strings: [JSONValue] = [
    "ES", "PT", "FR", "gold", "silver", "web", "ios", "", "null", "1", "10", "9", "é", "e\u{301}",
    "😀", "1.2.3", "v1.10.0", "2.0.0-beta", "2026-06-01T00:00:00Z", "2026-01-15T10:00:00+02:00",
    "ann@example.com", "bob@corp.com", "true", "a,b",
  ]
  static let numbers: [JSONValue] = [0, 1, -1, 10, 18, 2.5, 100, 9, 65, 1e21, 0.1]
  static let patterns = [
    "^E", "S$", "@(corp|example)\\.com$", "^\\d+$", "é", "^$", "nul", "[", "^(a+)+$", "^(E|go)",
    "^nu",
  ]
  static let dates = ["2026-01-01T00:00:00Z", "2026-06-01T00:00:00Z", "2026-03-01T12:00:00-05:00"]
  static let groupNames = ["beta", "staff"]

  mutating func scalar() -> JSONValue {
    switch random.int(0, 9) {
    case 0...4: random.pick(RandomDocuments.strings)
    case 5...7: random.pick(RandomDocuments.numbers)
    case 8: .bool(random.chance(0.5))
    default: .null
    }
  }

  mutating func value(depth: Int = 0) -> JSONValue {
    switch random.int(0, 11) {
    case 0...8: return scalar()
    case 9 where depth < 2, 10 where depth < 2:
      return .array((0..<random.int(0, 3)).map { _ in value(depth: depth + 1) })
    case 11 where depth < 2:
      return .object(JSONObject([("city", scalar()), ("zip", scalar())]))
    default: return scalar()
    }
  }

  /// A profile object over the attribute pool; each attribute may be missing.
  public mutating func profile() -> JSONValue {
    var object = JSONObject()
    for path in [
      "country", "tier", "age", "tags", "device", "version", "name", "geo", "score", "flag",
      "email", "signup", "é", "id",
    ]
    where random.chance(0.7) {
      switch path {
      case "tags":
        object[path] =
          random.chance(0.8) ? .array((0..<random.int(0, 3)).map { _ in scalar() }) : value()
      case "geo":
        object[path] = random.chance(0.7) ? .object(JSONObject([("city", scalar())])) : value()
      case "id": object[path] = random.chance(0.8) ? .string("u-\(random.int(0, 999))") : scalar()
      case "age", "score":
        object[path] = random.chance(0.7) ? .number(Double(random.int(0, 80))) : value()
      default: object[path] = value()
      }
    }
    return .object(object)
  }

  mutating func operatorTest(depth: Int) -> JSONValue {
    func op(_ name: String, _ operand: JSONValue) -> JSONValue {
      .object(JSONObject([(name, operand)]))
    }
    func list() -> JSONValue {
      .array((0..<random.int(0, 4)).map { _ in random.chance(0.8) ? scalar() : value(depth: 2) })
    }
    switch random.int(0, 27) {
    case 0: return op("$eq", scalar())
    case 1: return op("$ne", scalar())
    case 2, 3:
      return op(
        random.pick(["$lt", "$lte", "$gt", "$gte"]),
        random.chance(0.7)
          ? random.pick(RandomDocuments.numbers) : random.pick(RandomDocuments.strings)
      )
    case 4, 5: return op("$in", list())
    case 6: return op("$nin", list())
    case 7: return op(random.pick(["$ini", "$nini"]), list())
    case 8: return op("$exists", .bool(random.chance(0.5)))
    case 9:
      return op(
        "$type",
        .string(random.pick(["string", "number", "boolean", "array", "object", "null"]))
      )
    case 10:
      let pattern = random.pick(RandomDocuments.patterns.filter { $0 != "[" })
      return op(random.pick(["$regex", "$regexi"]), .string(pattern))
    case 11:
      return op(
        random.pick(["$veq", "$vne", "$vgt", "$vgte", "$vlt", "$vlte"]),
        random.pick(["1.2.3", "1.10.0", "2.0.0-beta", "v1", "0"].map(JSONValue.string))
      )
    case 12:
      return op(
        "$size",
        random.chance(0.5)
          ? .number(Double(random.int(0, 3))) : (depth < 2 ? operatorTest(depth: depth + 1) : 1)
      )
    case 13:
      return op(
        "$elemMatch",
        random.chance(0.5) ? op("$gt", random.pick(RandomDocuments.numbers)) : op("$in", list())
      )
    case 14 where depth < 2:
      return op("$elemMatch", .object(JSONObject([("city", scalar())])))
    case 15 where depth < 2:
      return op(
        random.pick(["$all", "$alli"]),
        .array(
          (0..<random.int(0, 2)).map { _ in
            random.chance(0.7) ? scalar() : operatorTest(depth: depth + 1)
          }
        )
      )
    case 16 where depth < 2:
      return op("$not", random.chance(0.5) ? scalar() : operatorTest(depth: depth + 1))
    case 17:
      return op(
        random.pick(["$startsWith", "$endsWith"]),
        .string(random.pick(["E", "S", "go", "", "é", "@corp.com"]))
      )
    case 18: return op("$contains", scalar())
    case 19:
      return op(random.pick(["$before", "$after"]), .string(random.pick(RandomDocuments.dates)))
    case 20:
      return op(
        random.pick(["$inGroup", "$notInGroup"]),
        .string(random.pick(RandomDocuments.groupNames))
      )
    case 21:
      // Two operators at once.
      return .object(
        JSONObject([
          ("$gte", random.pick(RandomDocuments.numbers)),
          ("$lt", random.pick(RandomDocuments.numbers)),
        ])
      )
    case 22, 23:
      return op(
        "$in",
        .array((0..<random.int(1, 3)).map { _ in random.pick(RandomDocuments.strings) })
      )
    default: return value()  // literal
    }
  }

  /// A random condition object.
  public mutating func condition(
    depth: Int = 0,
    segments: [String] = [],
    decisions: [(String, [String])] = []
  )
    -> JSONValue
  {
    var object = JSONObject()
    for _ in 0..<random.int(1, depth == 0 ? 3 : 2) {
      let roll = random.int(0, 19)
      if depth < 2 && roll == 0 {
        object["$or"] = .array(
          (0..<random.int(0, 3)).map { _ in
            condition(depth: depth + 1, segments: segments, decisions: decisions)
          }
        )
      } else if depth < 2 && roll == 1 {
        object["$and"] = .array(
          (0..<random.int(0, 2)).map { _ in
            condition(depth: depth + 1, segments: segments, decisions: decisions)
          }
        )
      } else if depth < 2 && roll == 2 {
        object["$nor"] = .array(
          (0..<random.int(0, 2)).map { _ in
            condition(depth: depth + 1, segments: segments, decisions: decisions)
          }
        )
      } else if depth < 2 && roll == 3 {
        object["$not"] = condition(depth: depth + 1, segments: segments, decisions: decisions)
      } else if roll == 4, !segments.isEmpty {
        object["$segment"] =
          random.chance(0.5)
          ? .string(random.pick(segments)) : .array([.string(random.pick(segments))])
      } else if roll == 5, !decisions.isEmpty {
        let (name, variants) = random.pick(decisions)
        object["$decision"] = .object(JSONObject([(name, .string(random.pick(variants)))]))
      } else {
        object[random.pick(RandomDocuments.paths)] = operatorTest(depth: depth)
      }
    }
    return .object(object)
  }

  /// A random, valid rules document.
  public mutating func document(maxRules: Int = 24) -> JSONValue {
    var root = JSONObject()
    root["tailor"] = 1
    var groups = JSONObject()
    for name in RandomDocuments.groupNames {
      groups[name] = .array(
        (0..<random.int(0, 4)).map { _ in
          random.chance(0.6) ? .string("u-\(random.int(0, 999))") : scalar()
        }
      )
    }
    root["groups"] = .object(groups)
    var segments = JSONObject()
    var segmentNames: [String] = []
    for index in 0..<random.int(0, 3) {
      let name = "s\(index)"
      segments[name] = condition(depth: 1, segments: segmentNames)
      segmentNames.append(name)
    }
    root["segments"] = .object(segments)
    var decisions = JSONObject()
    var earlier: [(String, [String])] = []
    for index in 0..<random.int(1, 3) {
      let name = "d\(index)"
      let variantKeys = (0..<random.int(1, 4)).map { "v\($0)" }
      var decision = JSONObject()
      decision["variants"] = .object(JSONObject(variantKeys.map { ($0, .string("content-\($0)")) }))
      if random.chance(0.8) { decision["default"] = .string(random.pick(variantKeys)) }
      if random.chance(0.3) {
        decision["mode"] = "all"
        if random.chance(0.6) { decision["limit"] = .number(Double(random.int(1, 3))) }
      }
      if random.chance(0.15) {
        decision["requires"] = condition(depth: 1, segments: segmentNames, decisions: earlier)
      }
      var rules: [JSONValue] = []
      for ruleIndex in 0..<random.int(0, maxRules) {
        var rule = JSONObject()
        rule["id"] = .string("r\(ruleIndex)")
        if random.chance(0.9) {
          // Mostly simple anchors, so the compiler builds switch and interval nodes.
          if random.chance(0.5) {
            var simple = JSONObject()
            simple[random.pick(["country", "tier", "device"])] =
              random.chance(0.5)
              ? random.pick(RandomDocuments.strings)
              : .object(
                JSONObject([
                  (
                    "$in",
                    .array([
                      random.pick(RandomDocuments.strings), random.pick(RandomDocuments.strings),
                    ])
                  )
                ])
              )
            if random.chance(0.4) {
              simple["age"] = .object(
                JSONObject([
                  (
                    random.pick(["$gte", "$lt", "$gt", "$lte"]),
                    random.pick(RandomDocuments.numbers)
                  )
                ])
              )
            }
            if random.chance(0.3),
              case .object(let extra) = condition(
                depth: 1,
                segments: segmentNames,
                decisions: earlier
              )
            {
              for (key, value) in extra.pairs where simple[key] == nil { simple[key] = value }
            }
            rule["when"] = .object(simple)
          } else {
            rule["when"] = condition(segments: segmentNames, decisions: earlier)
          }
        }
        switch random.int(0, 9) {
        case 0, 1:
          rule["serve"] = .string(random.pick(variantKeys))
          rule["rollout"] = .object(
            JSONObject([("by", "id"), ("percent", .number(random.pick([0, 10, 50, 99.5, 100])))])
          )
        case 2:
          var weights = JSONObject()
          let shares = variantKeys.count
          for key in variantKeys { weights[key] = .number(1 / Double(shares)) }
          var split = JSONObject([
            ("by", .string(random.pick(["id", "name", "age"]))), ("weights", .object(weights)),
          ])
          if random.chance(0.5) { split["coverage"] = .number(random.pick([0, 0.5, 1])) }
          if random.chance(0.3) { split["seed"] = "fixed-seed" }
          rule["split"] = .object(split)
        default:
          rule["serve"] = .string(random.pick(variantKeys))
        }
        if random.chance(0.1) {
          rule["active"] = .object(
            JSONObject([("from", "2026-03-01T00:00:00Z"), ("until", "2026-09-01T00:00:00Z")])
          )
        }
        rules.append(.object(rule))
      }
      decision["rules"] = .array(rules)
      decisions[name] = .object(decision)
      earlier.append((name, variantKeys))
    }
    root["decisions"] = .object(decisions)
    return .object(root)
  }

  // swift-format-ignore: NeverForceUnwrap
  // Constant, valid timestamps.
  /// Instants around the schedules the generator writes.
  public static let instants: [Double] = [
    DateTime.parse("2026-01-01T00:00:00Z")!, DateTime.parse("2026-03-01T00:00:00Z")!,
    DateTime.parse("2026-06-15T00:00:00Z")!, DateTime.parse("2026-09-01T00:00:00Z")!,
  ]
}
