import Testing

@testable import Tailor

/// JavaScript's coercions as GrowthBook's reference meets them (expected values from Node.js).
@Suite struct JavaScriptTests {
  @Test(
    "Number.prototype.toString",
    arguments: [
      (1e21, "1e+21"), (-1e21, "-1e+21"), (1e20, "100000000000000000000"), (1e-7, "1e-7"),
      (0.1 + 0.2, "0.30000000000000004"), (-0.0, "0"), (0, "0"), (123.456, "123.456"),
      (-1.5, "-1.5"),
      (5e-324, "5e-324"), (1.7976931348623157e308, "1.7976931348623157e+308"),
      (1e15, "1000000000000000"),
      (1e16, "10000000000000000"), (123_456_789_012_345_680_000, "123456789012345680000"),
      (0.000001, "0.000001"), (1.2e-6, "0.0000012"), (5e-7, "5e-7"),
      (9_007_199_254_740_992, "9007199254740992"),
      (4.35, "4.35"), (Double.nan, "NaN"), (Double.infinity, "Infinity"),
      (-Double.infinity, "-Infinity"),
    ] as [(Double, String)]
  )
  func numberToString(_ number: Double, _ expected: String) {
    #expect(JavaScript.numberToString(number) == expected)
  }

  @Test(
    "Number(string)",
    arguments: [
      ("5.", 5), (".5", 0.5), ("+5", 5), (" 8 ", 8), ("\u{A0}8\u{FEFF}", 8), ("", 0), ("  ", 0),
      ("0x10", 16), ("0X1f", 31), ("0b101", 5), ("0o17", 15), ("1e3", 1000),
      ("Infinity", .infinity),
      ("-Infinity", -.infinity), ("1e1000", .infinity), ("+Infinity", .infinity),
      ("\t\n\u{B}\u{C}\r 7 \r\n", 7), ("\u{A0}", 0), ("\u{2028}-2.5e1\u{3000}", -25),
    ] as [(String, Double)]
  )
  func stringToNumber(_ text: String, _ expected: Double) {
    #expect(JavaScript.stringToNumber(text) == expected)
  }

  @Test(
    "Number(string) is NaN",
    arguments: [
      "abc", "-0x10", "0x", "1_0", "infinity", "8px", "1e", ".", "+", "0x1g", "1,5",
      "2021-06-16T16:14:00Z", "é1", "1é", " Infinity x",
    ]
  )
  func stringToNumberNaN(_ text: String) {
    #expect(JavaScript.stringToNumber(text).isNaN)
  }

  @Test func stringifyUsesJavaScriptPropertyOrder() throws {
    let object = try JSONReader.parse(
      #"{"b": 1, "2": 2, "1": 3, "01": 4, "4294967295": 5, "a": 6, "4294967294": 7}"#
    )
    // Canonical array indices (below 2³² − 1) first, ascending; other keys in written order.
    #expect(
      JavaScript.stringify(object)
        == #"{"1":3,"2":2,"4294967294":7,"b":1,"01":4,"4294967295":5,"a":6}"#
    )
    // jsonText keeps the written order.
    #expect(object.jsonText == #"{"b":1,"2":2,"1":3,"01":4,"4294967295":5,"a":6,"4294967294":7}"#)
  }

  @Test func stringifyEscapesLikeJSONStringify() {
    let value: JSONValue = ["a\"b\\c\n\t\u{1}é😀"]
    #expect(JavaScript.stringify(value) == #"["a\"b\\c\n\t\u0001é😀"]"#)
  }

  @Test func compareUTF16OrdersByCodeUnits() {
    #expect(JavaScript.compareUTF16("10", "9") < 0)
    #expect(JavaScript.compareUTF16("B", "a") < 0)
    // U+1F600 is D83D DE00 in UTF-16, below U+FFFF; by code points it would be above.
    #expect(JavaScript.compareUTF16("😀", "\u{FFFF}") < 0)
    #expect(JavaScript.compareUTF16("a", "ab") < 0)
    #expect(JavaScript.compareUTF16("é", "é") == 0)
  }
}
