extension JSONValue {
  /// Appends compact JSON text to a byte buffer, exactly as ``jsonText`` would spell it.
  ///
  /// This is the allocation-light writer for hot paths such as `tailor serve`:
  /// strings are escaped byte by byte and integral numbers are written without
  /// an intermediate `String`.
  ///
  /// ```swift
  /// var bytes: [UInt8] = []
  /// JSONValue.object(JSONObject([("a", 1)])).write(into: &bytes)  // {"a":1}
  /// ```
  ///
  /// For servers built on Tailor (`tailor serve`, `tailor-http`), which render answers as bytes.
  ///
  /// - Parameter output: the buffer to append to.
  @_spi(Server) public func write(into output: inout [UInt8]) {
    switch self {
    case .null: JSONValue.appendASCII("null", to: &output)
    case .bool(let flag): JSONValue.appendASCII(flag ? "true" : "false", to: &output)
    case .number(let number): JSONValue.writeNumber(number, into: &output)
    case .string(let string): JSONValue.writeString(string, into: &output)
    case .array(let elements):
      output.append(UInt8(ascii: "["))
      for index in elements.indices {
        if index > 0 { output.append(UInt8(ascii: ",")) }
        elements[index].write(into: &output)
      }
      output.append(UInt8(ascii: "]"))
    case .object(let object):
      output.append(UInt8(ascii: "{"))
      for index in object.keys.indices {
        if index > 0 { output.append(UInt8(ascii: ",")) }
        JSONValue.writeString(object.keys[index], into: &output)
        output.append(UInt8(ascii: ":"))
        object.values[index].write(into: &output)
      }
      output.append(UInt8(ascii: "}"))
    }
  }

  /// Appends `string` as a quoted JSON string, escaped as `JSON.stringify` escapes it.
  ///
  /// - Parameters:
  ///   - string: the text.
  ///   - output: the buffer to append to.
  @_spi(Server) public static func writeString(_ string: String, into output: inout [UInt8]) {
    output.append(UInt8(ascii: "\""))
    var text = string
    text.withUTF8 { bytes in
      var runStart = 0
      for index in 0..<bytes.count {
        let byte = bytes[index]
        guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else {
          continue
        }
        if runStart < index {
          output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
        }
        runStart = index + 1
        output.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): output.append(byte)
        case 0x08: output.append(UInt8(ascii: "b"))
        case 0x0C: output.append(UInt8(ascii: "f"))
        case 0x0A: output.append(UInt8(ascii: "n"))
        case 0x0D: output.append(UInt8(ascii: "r"))
        case 0x09: output.append(UInt8(ascii: "t"))
        default:
          let hex: [UInt8] = Array("0123456789abcdef".utf8)
          output.append(contentsOf: [
            UInt8(ascii: "u"), 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 0xF)],
          ])
        }
      }
      if runStart < bytes.count {
        output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count]))
      }
    }
    output.append(UInt8(ascii: "\""))
  }

  /// Appends a number as JavaScript writes it; non-finite numbers become `null`.
  ///
  /// - Parameters:
  ///   - number: the number.
  ///   - output: the buffer to append to.
  @_spi(Server) public static func writeNumber(_ number: Double, into output: inout [UInt8]) {
    guard number.isFinite else { return appendASCII("null", to: &output) }
    // Integers below 10^15 print as plain digits (and -0 as 0), as in JavaScript.
    if number == number.rounded(), abs(number) < 1e15 {
      var value = Int64(number)
      if value == 0 { return output.append(UInt8(ascii: "0")) }
      if value < 0 {
        output.append(UInt8(ascii: "-"))
        value = -value
      }
      var digits: (UInt64, UInt64) = (0, 0)  // 16 bytes of scratch, filled from the end
      withUnsafeMutableBytes(of: &digits) { scratch in
        var position = scratch.count
        while value > 0 {
          position -= 1
          scratch[position] = UInt8(48 + value % 10)
          value /= 10
        }
        output.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[position...]))
      }
      return
    }
    output.append(contentsOf: JavaScript.numberToString(number).utf8)
  }

  @inline(__always)
  static func appendASCII(_ text: StaticString, to output: inout [UInt8]) {
    output.append(
      contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)
    )
  }
}
