extension JSONValue {
  /// Compact JSON text in written key order; numbers are written as JavaScript writes them.
  public var jsonText: String {
    var output = ""
    write(into: &output)
    return output
  }

  /// Appends compact JSON text to `output`.
  public func write(into output: inout String) {
    switch self {
    case .null: output += "null"
    case .bool(let flag): output += flag ? "true" : "false"
    case .number(let number): output += number.isFinite ? JavaScript.numberToString(number) : "null"
    case .string(let string): JavaScript.quote(string, into: &output)
    case .array(let elements):
      output += "["
      for (index, element) in elements.enumerated() {
        if index > 0 { output += "," }
        element.write(into: &output)
      }
      output += "]"
    case .object(let object):
      output += "{"
      for (index, key) in object.keys.enumerated() {
        if index > 0 { output += "," }
        JavaScript.quote(key, into: &output)
        output += ":"
        object.values[index].write(into: &output)
      }
      output += "}"
    }
  }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByFloatLiteral,
  ExpressibleByIntegerLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
  ExpressibleByDictionaryLiteral
{
  /// `null`.
  public init(nilLiteral: ()) { self = .null }
  /// A Boolean.
  public init(booleanLiteral value: Bool) { self = .bool(value) }
  /// A number.
  public init(floatLiteral value: Double) { self = .number(value) }
  /// A number.
  public init(integerLiteral value: Int) { self = .number(Double(value)) }
  /// A string.
  public init(stringLiteral value: String) { self = .string(value) }
  /// An array.
  public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
  /// An object in written order.
  public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(JSONObject(elements)) }
}
