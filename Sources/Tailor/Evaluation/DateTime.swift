/// ISO-8601 date-times for `$before`, `$after` and rule schedules.
///
/// Accepted forms: `YYYY-MM-DD` (midnight UTC) and `YYYY-MM-DDTHH:MM[:SS[.fraction]]` followed by
/// `Z`, `±HH:MM`, `±HHMM` or nothing (UTC). `t`, `z` and a space in place of `T` are accepted too.
/// Time zones are honoured: the result is seconds since 1970-01-01T00:00:00Z.
package enum DateTime {
  /// Parses an ISO-8601 date-time to seconds since the Unix epoch, or `nil`.
  package static func parse(_ text: String) -> Double? {
    var utf8 = text
    return utf8.withUTF8 { parse(bytes: $0) }
  }

  /// Reads digits and separators from the front of a date-time's bytes.
  private struct Cursor {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    var atEnd: Bool { index == bytes.count }

    /// The value of the next `count` bytes if they are all digits.
    @inline(__always)
    mutating func number(_ count: Int) -> Int? {
      guard index + count <= bytes.count else { return nil }
      var value = 0
      for offset in 0..<count {
        let digit = bytes[index + offset] &- 48
        guard digit <= 9 else { return nil }
        value = value * 10 + Int(digit)
      }
      index += count
      return value
    }

    /// Whether the next byte is `byte`, consuming it if so.
    @inline(__always)
    mutating func expect(_ byte: UInt8) -> Bool {
      guard index < bytes.count, bytes[index] == byte else { return false }
      index += 1
      return true
    }
  }

  package static func parse(bytes: UnsafeBufferPointer<UInt8>) -> Double? {
    var cursor = Cursor(bytes: bytes)
    guard let year = cursor.number(4), cursor.expect(UInt8(ascii: "-")),
      let month = cursor.number(2), cursor.expect(UInt8(ascii: "-")), let day = cursor.number(2)
    else { return nil }
    guard (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month) else {
      return nil
    }
    var seconds = Double(daysFromCivil(year: year, month: month, day: day)) * 86_400
    if cursor.atEnd { return seconds }
    guard
      cursor.expect(UInt8(ascii: "T")) || cursor.expect(UInt8(ascii: "t"))
        || cursor.expect(UInt8(ascii: " "))
    else { return nil }
    guard let hour = cursor.number(2), cursor.expect(UInt8(ascii: ":")),
      let minute = cursor.number(2)
    else {
      return nil
    }
    var second = 0
    var fraction = 0.0
    if cursor.expect(UInt8(ascii: ":")) {
      guard let parsed = cursor.number(2) else { return nil }
      second = parsed
      if cursor.expect(UInt8(ascii: ".")) || cursor.expect(UInt8(ascii: ",")) {
        var scale = 0.1
        var digits = 0
        while cursor.index < bytes.count, bytes[cursor.index] >= 48, bytes[cursor.index] <= 57 {
          fraction += Double(bytes[cursor.index] - 48) * scale
          scale /= 10
          cursor.index += 1
          digits += 1
        }
        guard digits > 0 else { return nil }
      }
    }
    guard hour <= 23 || (hour == 24 && minute == 0 && second == 0 && fraction == 0), minute <= 59,
      second <= 60
    else { return nil }
    seconds += Double(hour * 3600 + minute * 60 + second) + fraction
    if cursor.atEnd { return seconds }
    if cursor.expect(UInt8(ascii: "Z")) || cursor.expect(UInt8(ascii: "z")) {
      return cursor.atEnd ? seconds : nil
    }
    let sign: Double
    if cursor.expect(UInt8(ascii: "+")) {
      sign = 1
    } else if cursor.expect(UInt8(ascii: "-")) {
      sign = -1
    } else {
      return nil
    }
    guard let offsetHours = cursor.number(2), offsetHours <= 23 else { return nil }
    _ = cursor.expect(UInt8(ascii: ":"))
    guard let offsetMinutes = cursor.number(2), offsetMinutes <= 59, cursor.atEnd else {
      return nil
    }
    return seconds - sign * Double(offsetHours * 3600 + offsetMinutes * 60)
  }

  static func daysInMonth(year: Int, month: Int) -> Int {
    switch month {
    case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
    case 4, 6, 9, 11: 30
    default: 31
    }
  }

  /// Days since 1970-01-01 for a proleptic Gregorian date.
  static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yearOfEra = y - era * 400
    let monthIndex = month > 2 ? month - 3 : month + 9
    let dayOfYear = (153 * monthIndex + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
  }

  /// Formats seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ` (with milliseconds when present).
  package static func format(_ seconds: Double) -> String {
    let whole = Int((seconds).rounded(.down))
    let millis = Int(((seconds - Double(whole)) * 1000).rounded())
    var days = whole / 86_400
    var rest = whole % 86_400
    if rest < 0 {
      rest += 86_400
      days -= 1
    }
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    var year = yearOfEra + era * 400
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let monthIndex = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
    let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
    if month <= 2 { year += 1 }
    func pad(_ value: Int, _ width: Int) -> String {
      let text = String(value)
      return String(repeating: "0", count: max(0, width - text.count)) + text
    }
    var result =
      "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(rest / 3600, 2)):\(pad(rest % 3600 / 60, 2)):\(pad(rest % 60, 2))"
    if millis > 0 && millis < 1000 { result += "." + pad(millis, 3) }
    return result + "Z"
  }
}
