@_spi(Server) import Tailor

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The OpenFeature Remote Evaluation Protocol (OFREP) over Tailor's decisions.
///
/// A flag is a decision. A request's `context` is the profile, except `targetingKey`,
/// which becomes the attribute named by `--targeting-key`. Responses follow the
/// protocol's OpenAPI description: `{"key","value","reason","variant","metadata"}` for a
/// success, `{"key","errorCode","errorDetails"}` for a failure, `{"flags":[…]}` for bulk.
enum OFREP {
  /// An OFREP error code and the HTTP status it is answered with.
  struct Failure: Error, Equatable {
    var status: Int
    var code: String
    var details: String

    static func parse(_ details: String) -> Failure {
      Failure(status: 400, code: "PARSE_ERROR", details: details)
    }
    static func invalidContext(_ details: String) -> Failure {
      Failure(status: 400, code: "INVALID_CONTEXT", details: details)
    }
    static func flagNotFound(_ key: String) -> Failure {
      Failure(status: 404, code: "FLAG_NOT_FOUND", details: "no decision named `\(key)`")
    }
    static func targetingKeyMissing(_ key: String, attribute: String) -> Failure {
      Failure(
        status: 400,
        code: "TARGETING_KEY_MISSING",
        details: "`\(key)` buckets users by `\(attribute)`: the context needs `targetingKey`"
      )
    }
  }

  /// A request's context read into a profile for one rules document.
  struct Context {
    var profile: PreparedProfile
    /// Whether the profile holds a value (not `null`) at the targeting-key attribute.
    var hasTargetingKey: Bool
  }

  /// Reads an evaluation request body (`{"context":{…}}`; an empty body is an empty context)
  /// into a profile for `rules`: through ``FastContext`` when it can, else in full.
  static func context(
    from body: [UInt8],
    targetingKey: TargetingKeyPath,
    rules: Rules,
    maxDepth: Int
  ) -> Result<Context, Failure> {
    if let fast = FastContext.read(
      body,
      targetingKey: targetingKey.text,
      rules: rules,
      maxDepth: maxDepth
    ) {
      return .success(Context(profile: fast.profile, hasTargetingKey: fast.hasTargetingKey))
    }
    var root = JSONObject()
    if body.contains(where: { !isWhitespace($0) }) {
      let value: JSONValue
      do {
        value = try JSONReader(maxDepth: maxDepth).read(body).value
      } catch {
        return .failure(.parse("the body is not valid JSON: \(error.description)"))
      }
      guard let request = value.objectValue else {
        return .failure(.parse("the body must be a JSON object, found \(value.kindDescription)"))
      }
      if let context = request["context"] {
        guard let object = context.objectValue else {
          return .failure(
            .invalidContext("`context` must be an object, found \(context.kindDescription)")
          )
        }
        root = object
      }
    }
    if let key = root["targetingKey"] {
      root["targetingKey"] = nil
      switch key {
      case .null: break
      case .string:
        guard let updated = setting(key, at: targetingKey.components[...], in: root) else {
          return .failure(
            .invalidContext("`\(targetingKey.text)` in the context is not an object")
          )
        }
        root = updated
      default:
        return .failure(
          .invalidContext("`targetingKey` must be a string, found \(key.kindDescription)")
        )
      }
    }
    let present = value(at: targetingKey.components[...], in: .object(root)).map { !$0.isNull }
    return .success(
      Context(profile: rules.prepare(Profile(.object(root))), hasTargetingKey: present ?? false)
    )
  }

  /// Evaluates one flag: a success object, or the failure to answer.
  ///
  /// - Precondition: `context` was read for `snapshot`'s rules.
  static func evaluate(
    _ key: String,
    context: Context,
    snapshot: RulesSnapshot,
    targetingKey: String,
    into output: inout [UInt8]
  ) -> Failure? {
    snapshot.served.rules.withEvaluator { evaluator in
      evaluate(
        key,
        context: context,
        snapshot: snapshot,
        evaluator: evaluator,
        now: Date(),
        targetingKey: targetingKey,
        into: &output
      )
    }
  }

  private static func evaluate(
    _ key: String,
    context: Context,
    snapshot: RulesSnapshot,
    evaluator: Evaluator,
    now: Date,
    targetingKey: String,
    into output: inout [UInt8]
  ) -> Failure? {
    if snapshot.bucketsOnTargetingKey.contains(key) && !context.hasTargetingKey {
      return .targetingKeyMissing(key, attribute: targetingKey)
    }
    guard let decision = evaluator.decide(key, for: context.profile, at: now) else {
      return .flagNotFound(key)
    }
    writeSuccess(decision, key: key, into: &output)
    return nil
  }

  /// Writes `{"key","errorCode","errorDetails"}`.
  static func writeFailure(_ failure: Failure, key: String?, into output: inout [UInt8]) {
    var object = JSONObject()
    if let key { object["key"] = .string(key) }
    object["errorCode"] = .string(failure.code)
    object["errorDetails"] = .string(failure.details)
    JSONValue.object(object).write(into: &output)
  }

  /// Tailor's reason as an OpenFeature reason.
  static func reason(_ reason: Decision.Reason) -> String {
    switch reason {
    case .match: "TARGETING_MATCH"
    case .rollout, .split: "SPLIT"
    case .default, .prerequisiteFailed: "DEFAULT"
    }
  }

  /// Writes a success: the served variant's value and key, the reason, and the rule in `metadata`.
  ///
  /// A `mode: "all"` decision answers the object `{"matches":[…]}` as `tailor serve`
  /// writes it, its variant keys joined with commas. When nothing is served (no rule
  /// won and there is no default) the answer has no `value` and no `variant`, and a
  /// variant whose value is `null` has no `value`: the client keeps its code default
  /// (OFREP's `codeDefaultFlag`).
  static func writeSuccess(_ decision: Decision, key: String, into output: inout [UInt8]) {
    output.append(contentsOf: #"{"key":"#.utf8)
    JSONValue.writeString(key, into: &output)
    var metadata = JSONObject()
    metadata["tailorReason"] = .string(decision.reason.rawValue)
    if decision.isMultiple {
      output.append(contentsOf: #","value":"#.utf8)
      decision.write(into: &output)
      if !decision.matches.isEmpty {
        output.append(contentsOf: #","variant":"#.utf8)
        JSONValue.writeString(decision.matches.map(\.variant).joined(separator: ","), into: &output)
        let rules = decision.matches.compactMap(\.rule)
        if !rules.isEmpty { metadata["rule"] = .string(rules.joined(separator: ",")) }
      }
    } else if let match = decision.matches.first {
      // OFREP has no null flag value: a variant whose value is null defers to the code default.
      if !match.value.isNull {
        output.append(contentsOf: #","value":"#.utf8)
        match.value.write(into: &output)
      }
      output.append(contentsOf: #","variant":"#.utf8)
      JSONValue.writeString(match.variant, into: &output)
      if let rule = match.rule { metadata["rule"] = .string(rule) }
      if let bucket = match.bucket { metadata["bucket"] = .number(bucket) }
    }
    output.append(contentsOf: #","reason":""#.utf8)
    output.append(contentsOf: reason(decision.reason).utf8)
    output.append(contentsOf: #"","metadata":"#.utf8)
    JSONValue.object(metadata).write(into: &output)
    output.append(UInt8(ascii: "}"))
  }

  /// Evaluates every decision, in document order: `{"flags":[…]}`, failures in place.
  static func evaluateAll(
    context: Context,
    snapshot: RulesSnapshot,
    targetingKey: String,
    into output: inout [UInt8]
  ) {
    output.append(contentsOf: #"{"flags":["#.utf8)
    let now = Date()
    snapshot.served.rules.withEvaluator { evaluator in
      var first = true
      for name in snapshot.served.rules.decisionNames {
        if !first { output.append(UInt8(ascii: ",")) }
        first = false
        if let failure = evaluate(
          name,
          context: context,
          snapshot: snapshot,
          evaluator: evaluator,
          now: now,
          targetingKey: targetingKey,
          into: &output
        ) {
          writeFailure(failure, key: name, into: &output)
        }
      }
    }
    output.append(contentsOf: "]}".utf8)
  }

  /// A strong entity tag for a bulk answer: the rules version and a hash of the body,
  /// so a repeat with the same context under the same rules is answered `304`.
  static func entityTag(version: Int, body: [UInt8]) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in body {
      hash ^= UInt64(byte)
      hash &*= 0x0000_0100_0000_01b3
    }
    let hex = String(hash, radix: 16)
    return "\"\(version)-\(String(repeating: "0", count: 16 - hex.count))\(hex)\""
  }

  /// Whether an `If-None-Match` header names `tag` (or is `*`); weak tags compare by their opaque part.
  static func matches(ifNoneMatch header: String, tag: String) -> Bool {
    for part in header.split(separator: ",") {
      var candidate = part.trimmingSpaces
      if candidate == "*" { return true }
      if candidate.hasPrefix("W/") { candidate = String(candidate.dropFirst(2)) }
      if candidate == tag { return true }
    }
    return false
  }

  private static func isWhitespace(_ byte: UInt8) -> Bool {
    byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
  }

  /// `object` with `value` at `path`, making objects along the way; `nil` when a step is not an object.
  private static func setting(
    _ value: JSONValue,
    at path: ArraySlice<String>,
    in object: JSONObject
  ) -> JSONObject? {
    guard let head = path.first else { return object }
    var object = object
    if path.count == 1 {
      object[head] = value
      return object
    }
    let inner: JSONObject
    switch object[head] {
    case nil, .null?: inner = JSONObject()
    case .object(let existing)?: inner = existing
    default: return nil
    }
    guard let updated = setting(value, at: path.dropFirst(), in: inner) else { return nil }
    object[head] = .object(updated)
    return object
  }

  private static func value(at path: ArraySlice<String>, in value: JSONValue) -> JSONValue? {
    guard let head = path.first else { return value }
    guard let next = value.objectValue?[head] else { return nil }
    return self.value(at: path.dropFirst(), in: next)
  }
}

extension Substring {
  /// The text without leading and trailing spaces and tabs.
  var trimmingSpaces: String {
    var text = self
    while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
    while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
    return String(text)
  }
}
