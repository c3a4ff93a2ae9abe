// The JSON shapes of decisions and traces, as `tailor serve` writes them (DESIGN §5).
// `write(into:)` appends a decision's text with `AnswerRenderer`, the one writer of
// the answer shape; `json` reads that text back, so the two cannot differ.

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
    var text: [UInt8] = []
    write(into: &text)
    return AnswerRenderer.value(of: text)
  }

  /// Appends ``json``'s compact text to a byte buffer without building a ``JSONValue``.
  ///
  /// For servers built on Tailor (`tailor serve`, `tailor-http`), which render answers as bytes.
  ///
  /// - Parameter output: the buffer to append to.
  @_spi(Server) public func write(into output: inout [UInt8]) {
    AnswerRenderer.write(self, renderedValue: { _ in nil }, into: &output)
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
  package func write(into output: inout [UInt8], renderedValue: (Match) -> [UInt8]?) {
    AnswerRenderer.write(self, renderedValue: renderedValue, into: &output)
  }
}

extension Decision.Match {
  /// `{"variant":…,"value":…,"rule":…,"reason":…}`; `rule` is `null` for a default.
  package var json: JSONValue {
    var text: [UInt8] = []
    write(into: &text)
    return AnswerRenderer.value(of: text)
  }

  /// Appends ``json``'s compact text to a byte buffer.
  ///
  /// - Parameter output: the buffer to append to.
  package func write(into output: inout [UInt8]) {
    AnswerRenderer.write(self, renderedValue: nil, into: &output)
  }
}

extension Trace {
  /// The steps as a JSON array, in rule order (see ``Step/json``).
  package var json: JSONValue { .array(steps.map(\.json)) }
}

extension Trace.Step {
  /// `{"rule":…,"outcome":…}` plus `failed`, `value` and `bucket` when known.
  ///
  /// `rule` is `null` for the decision's `requires` gate. `value` is the value
  /// the failed predicate saw, `null` when the attribute is missing.
  package var json: JSONValue {
    var object = JSONObject()
    object._appendUnique("rule", rule.map(JSONValue.string) ?? .null)
    object._appendUnique("outcome", .string(outcome.rawValue))
    if let failed { object._appendUnique("failed", failed) }
    if let value { object._appendUnique("value", value) }
    if let bucket { object._appendUnique("bucket", .number(bucket)) }
    return .object(object)
  }
}
