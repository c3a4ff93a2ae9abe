extension Diagnostic {
  /// Renders the diagnostic as `file:line:col pointer: message`, optionally with its code.
  ///
  /// Without a file the position is `line:col`; without a position only the
  /// pointer leads. The root pointer renders as `/`.
  public func rendered(showingCode: Bool = false) -> String {
    var prefix = ""
    if let file = location.file { prefix += file + ":" }
    if let line = location.line, let column = location.column {
      prefix += "\(line):\(column)"
    }
    let pointerText = location.pointer.description.isEmpty ? "/" : location.pointer.description
    var text = prefix.isEmpty ? pointerText : prefix + " " + pointerText
    text += ": "
    if severity == .warning { text += "warning: " }
    if severity == .note { text += "note: " }
    text += message
    if showingCode { text += " [\(code.rawValue)]" }
    return text
  }
}
