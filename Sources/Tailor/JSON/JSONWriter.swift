extension JSONValue {
  /// Compact JSON text in written key order; numbers are written as JavaScript writes them.
  public var jsonText: String {
    var output = ""
    write(into: &output)
    return output
  }

  /// Appends compact JSON text to `output`.
  package func write(into output: inout String) {
    JSONWriter.write(self, into: &output, javaScriptOrder: false)
  }
}

/// Writes JSON text without recursion, so a value nested as deeply as the
/// reader allows is written within a constant amount of stack.
enum JSONWriter {
  /// An array or object being written, with the position of its next member.
  private enum Container {
    case array([JSONValue], next: Int)
    /// `order` lists member indices (JavaScript's property order); `nil` is written order.
    case object(JSONObject, order: [Int]?, next: Int)
  }

  /// Appends `value` as compact JSON text.
  ///
  /// With `javaScriptOrder`, object members follow JavaScript's property order (integer keys first,
  /// ascending), as `JSON.stringify` writes them.
  static func write(_ value: JSONValue, into output: inout String, javaScriptOrder: Bool) {
    var open: [Container] = []
    var current = value
    writing: while true {
      switch current {
      case .null: output += "null"
      case .bool(let flag): output += flag ? "true" : "false"
      case .number(let number):
        output += number.isFinite ? JavaScript.numberToString(number) : "null"
      case .string(let string): JavaScript.quote(string, into: &output)
      case .array(let elements):
        output += "["
        if let first = elements.first {
          open.append(.array(elements, next: 1))
          current = first
          continue writing
        }
        output += "]"
      case .object(let object):
        output += "{"
        if !object.isEmpty {
          let order = javaScriptOrder ? JavaScript.propertyOrder(object.keys) : nil
          let index = order?[0] ?? 0
          JavaScript.quote(object.keys[index], into: &output)
          output += ":"
          open.append(.object(object, order: order, next: 1))
          current = object.values[index]
          continue writing
        }
        output += "}"
      }
      // `current` is written: go on with the next member of the innermost open
      // container, closing each one that is complete.
      while let container = open.popLast() {
        switch container {
        case .array(let elements, let next):
          if next < elements.count {
            output += ","
            open.append(.array(elements, next: next + 1))
            current = elements[next]
            continue writing
          }
          output += "]"
        case .object(let object, let order, let next):
          if next < object.count {
            let index = order?[next] ?? next
            output += ","
            JavaScript.quote(object.keys[index], into: &output)
            output += ":"
            open.append(.object(object, order: order, next: next + 1))
            current = object.values[index]
            continue writing
          }
          output += "}"
        }
      }
      return
    }
  }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral,
  ExpressibleByFloatLiteral,
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
  public init(dictionaryLiteral elements: (String, JSONValue)...) {
    self = .object(JSONObject(elements))
  }
}
