// The protocol's answer shape (DESIGN §5) is spelled here and nowhere else.
//
// `Decision.write(into:)` and `Decision.json` (read back from the same text),
// `tailor eval`, the server's answers and the fragments the server renders once
// per document are all put together from these pieces, so they cannot drift
// apart. A decision answer is
//
//   "name":{"variant":"key","value":<value>,"rule":"id","reason":"match"}
//   "name":{"variant":null,"value":null,"rule":null,"reason":"default"}
//   "name":{"matches":[{"variant":…,"value":…,"rule":…,"reason":…},…]}
//
// and with a trace, `,"trace":[…]` comes before the answer's closing brace.

/// Writes the JSON text of decision answers, piece by piece or whole.
package enum AnswerRenderer {
  /// `"decisions":{`, the key that opens the object of answers.
  package static func writeDecisionsKey(into output: inout [UInt8]) {
    JSONValue.appendASCII("\"decisions\":{", to: &output)
  }

  /// `"name":`, the key of one decision's answer.
  package static func writeKey(_ name: String, into output: inout [UInt8]) {
    JSONValue.writeString(name, into: &output)
    output.append(UInt8(ascii: ":"))
  }

  /// `{"variant":"key","value":<value>,"rule":`, what a served variant starts with.
  package static func writeHead(variant: String, value: JSONValue, into output: inout [UInt8]) {
    writeHead(variant: variant, into: &output) { value.write(into: &$0) }
  }

  /// ``writeHead(variant:value:into:)`` with the value already rendered as compact JSON text.
  package static func writeHead(
    variant: String,
    renderedValue: [UInt8],
    into output: inout [UInt8]
  ) {
    writeHead(variant: variant, into: &output) { $0.append(contentsOf: renderedValue) }
  }

  private static func writeHead(
    variant: String,
    into output: inout [UInt8],
    value: (inout [UInt8]) -> Void
  ) {
    JSONValue.appendASCII("{\"variant\":", to: &output)
    JSONValue.writeString(variant, into: &output)
    JSONValue.appendASCII(",\"value\":", to: &output)
    value(&output)
    JSONValue.appendASCII(",\"rule\":", to: &output)
  }

  /// `{"variant":null,"value":null,"rule":null`, what an answer without a variant starts with.
  package static func writeNoVariantHead(into output: inout [UInt8]) {
    JSONValue.appendASCII("{\"variant\":null,\"value\":null,\"rule\":null", to: &output)
  }

  /// The rule's id as a JSON string, or `null` for a default.
  package static func writeRule(_ rule: String?, into output: inout [UInt8]) {
    if let rule {
      JSONValue.writeString(rule, into: &output)
    } else {
      JSONValue.appendASCII("null", to: &output)
    }
  }

  /// `,"reason":"…"`.
  package static func writeReason(_ reason: Decision.Reason, into output: inout [UInt8]) {
    JSONValue.appendASCII(",\"reason\":", to: &output)
    JSONValue.writeString(reason.rawValue, into: &output)
  }

  /// `{"matches":[`, what a `mode: "all"` answer starts with.
  package static func writeMatchesHead(into output: inout [UInt8]) {
    JSONValue.appendASCII("{\"matches\":[", to: &output)
  }

  /// `]`, the end of the matches; the answer's `}` follows after any trace.
  package static func writeMatchesEnd(into output: inout [UInt8]) {
    output.append(UInt8(ascii: "]"))
  }

  /// `,"trace":[…]`.
  package static func writeTrace(_ trace: Trace, into output: inout [UInt8]) {
    JSONValue.appendASCII(",\"trace\":", to: &output)
    trace.json.write(into: &output)
  }

  /// `}`, the end of an answer or of a match.
  package static func writeEnd(into output: inout [UInt8]) {
    output.append(UInt8(ascii: "}"))
  }

  /// One match: `{"variant":…,"value":…,"rule":…,"reason":…}`.
  ///
  /// - Parameters:
  ///   - match: the match.
  ///   - renderedValue: the match's value as compact JSON text, or `nil` to write it.
  ///   - output: the buffer to append to.
  package static func write(
    _ match: Decision.Match,
    renderedValue: [UInt8]?,
    into output: inout [UInt8]
  ) {
    if let renderedValue {
      writeHead(variant: match.variant, renderedValue: renderedValue, into: &output)
    } else {
      writeHead(variant: match.variant, value: match.value, into: &output)
    }
    writeRule(match.rule, into: &output)
    writeReason(match.reason, into: &output)
    writeEnd(into: &output)
  }

  /// One decision's answer, without its key.
  ///
  /// - Parameters:
  ///   - decision: the decision.
  ///   - renderedValue: a match's value as compact JSON text, or `nil` to write it.
  ///   - output: the buffer to append to.
  package static func write(
    _ decision: Decision,
    renderedValue: (Decision.Match) -> [UInt8]?,
    into output: inout [UInt8]
  ) {
    if decision.isMultiple {
      writeMatchesHead(into: &output)
      for index in decision.matches.indices {
        if index > 0 { output.append(UInt8(ascii: ",")) }
        let match = decision.matches[index]
        write(match, renderedValue: renderedValue(match), into: &output)
      }
      writeMatchesEnd(into: &output)
    } else if let first = decision.matches.first {
      if let rendered = renderedValue(first) {
        writeHead(variant: first.variant, renderedValue: rendered, into: &output)
      } else {
        writeHead(variant: first.variant, value: first.value, into: &output)
      }
      writeRule(first.rule, into: &output)
      writeReason(first.reason, into: &output)
    } else {
      writeNoVariantHead(into: &output)
      writeReason(decision.reason, into: &output)
    }
    if let trace = decision.trace { writeTrace(trace, into: &output) }
    writeEnd(into: &output)
  }

  /// The text of an answer piece read back as a value.
  static func value(of text: [UInt8]) -> JSONValue {
    // The renderer writes valid JSON, and no nesting limit applies to what it wrote.
    do {
      return try JSONReader(maxDepth: 1 << 30).read(text).value
    } catch {
      preconditionFailure("an answer's JSON text does not read back: \(error)")
    }
  }
}
