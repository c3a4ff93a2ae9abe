// The JSON shapes of decisions and traces, as `tailor serve` writes them (DESIGN §5).
// `json` builds a JSONValue; `write(into:)` appends the same text to a byte buffer
// without building one, for hot paths. Tests hold the two to the same output.

extension Decision {
  /// The decision as the server protocol writes it, without its name.
  ///
  /// A `mode: "first"` decision is `{"variant":…,"value":…,"rule":…,"reason":…}`,
  /// with `null` variant, value and rule when nothing is served. A `mode: "all"`
  /// decision is `{"matches":[{"variant":…,"value":…,"rule":…,"reason":…}, …]}`.
  /// With a trace, the object also carries `"trace"` (see ``Trace/json``).
  ///
  /// ```swift
  /// if let decision = rules.decide("homepage-hero", for: profile) {
  ///   print(decision.json.jsonText)  // {"variant":"vip","value":{…},"rule":"vip-eu","reason":"match"}
  /// }
  /// ```
  public var json: JSONValue {
    var object = JSONObject()
    if isMultiple {
      object._appendUnique("matches", .array(matches.map(\.json)))
    } else {
      object._appendUnique("variant", variant.map(JSONValue.string) ?? .null)
      object._appendUnique("value", value)
      object._appendUnique("rule", rule.map(JSONValue.string) ?? .null)
      object._appendUnique("reason", .string(servedReason.rawValue))
    }
    if let trace { object._appendUnique("trace", trace.json) }
    return .object(object)
  }

  /// Appends ``json``'s compact text to a byte buffer without building a ``JSONValue``.
  ///
  /// - Parameter output: the buffer to append to.
  public func write(into output: inout [UInt8]) {
    write(into: &output, renderedValue: { _ in nil })
  }

  /// Appends ``json``'s compact text, taking variant values already rendered as JSON text where given.
  ///
  /// A server that answers many requests from one document can render each
  /// variant's value once and copy the bytes, instead of writing the value again
  /// for every answer.
  ///
  /// - Parameters:
  ///   - output: the buffer to append to.
  ///   - renderedValue: a match's `value` as compact JSON text (as `JSONValue.write(into:)`
  ///     writes it), or `nil` to write the value itself.
  public func write(into output: inout [UInt8], renderedValue: (Match) -> [UInt8]?) {
    if isMultiple {
      JSONValue.appendASCII("{\"matches\":[", to: &output)
      for index in matches.indices {
        if index > 0 { output.append(UInt8(ascii: ",")) }
        output.append(UInt8(ascii: "{"))
        matches[index].writeFields(into: &output, renderedValue: renderedValue(matches[index]))
        output.append(UInt8(ascii: "}"))
      }
      output.append(UInt8(ascii: "]"))
    } else if let first = matches.first {
      output.append(UInt8(ascii: "{"))
      first.writeFields(into: &output, renderedValue: renderedValue(first))
    } else {
      JSONValue.appendASCII(
        "{\"variant\":null,\"value\":null,\"rule\":null,\"reason\":",
        to: &output
      )
      JSONValue.writeString(reason.rawValue, into: &output)
    }
    if let trace {
      JSONValue.appendASCII(",\"trace\":", to: &output)
      trace.json.write(into: &output)
    }
    output.append(UInt8(ascii: "}"))
  }

  /// The reason shown for a single-variant decision: the served match's, else the decision's.
  var servedReason: Reason { matches.first?.reason ?? reason }
}

extension Decision.Match {
  /// `{"variant":…,"value":…,"rule":…,"reason":…}`; `rule` is `null` for a default.
  public var json: JSONValue {
    .object(
      JSONObject([
        ("variant", .string(variant)),
        ("value", value),
        ("rule", rule.map(JSONValue.string) ?? .null),
        ("reason", .string(reason.rawValue)),
      ])
    )
  }

  /// Appends ``json``'s compact text to a byte buffer.
  ///
  /// - Parameter output: the buffer to append to.
  public func write(into output: inout [UInt8]) {
    output.append(UInt8(ascii: "{"))
    writeFields(into: &output, renderedValue: nil)
    output.append(UInt8(ascii: "}"))
  }

  /// The four fields, without braces; `renderedValue` replaces writing ``value``.
  func writeFields(into output: inout [UInt8], renderedValue: [UInt8]?) {
    JSONValue.appendASCII("\"variant\":", to: &output)
    JSONValue.writeString(variant, into: &output)
    JSONValue.appendASCII(",\"value\":", to: &output)
    if let renderedValue {
      output.append(contentsOf: renderedValue)
    } else {
      value.write(into: &output)
    }
    JSONValue.appendASCII(",\"rule\":", to: &output)
    if let rule {
      JSONValue.writeString(rule, into: &output)
    } else {
      JSONValue.appendASCII("null", to: &output)
    }
    JSONValue.appendASCII(",\"reason\":", to: &output)
    JSONValue.writeString(reason.rawValue, into: &output)
  }
}

extension Trace {
  /// The steps as a JSON array, in rule order (see ``Step/json``).
  public var json: JSONValue { .array(steps.map(\.json)) }
}

extension Trace.Step {
  /// `{"rule":…,"outcome":…}` plus `failed`, `value` and `bucket` when known.
  ///
  /// `rule` is `null` for the decision's `requires` gate. `value` is the value
  /// the failed predicate saw, `null` when the attribute is missing.
  public var json: JSONValue {
    var object = JSONObject()
    object._appendUnique("rule", rule.map(JSONValue.string) ?? .null)
    object._appendUnique("outcome", .string(outcome.rawValue))
    if let failed { object._appendUnique("failed", failed) }
    if let value { object._appendUnique("value", value) }
    if let bucket { object._appendUnique("bucket", .number(bucket)) }
    return .object(object)
  }
}
