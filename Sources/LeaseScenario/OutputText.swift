import Foundation

/// RFC 4180 cells and exact decimal text for CSV and JSON output.
public enum OutputText {
    /// A CSV cell, quoted only when it must be.
    public static func csvCell(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A JSON string literal.
    public static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// `numerator / denominator` rounded half up to `decimals` places (at most 6), as exact decimal text.
    /// 128-bit: fleet-wide integrals in user-milliseconds reach 1e26.
    public static func decimal(_ numerator: Int128, over denominator: Int128, decimals: Int) -> String {
        precondition(denominator > 0 && decimals <= 6, "denominator must be positive")
        var scale: Int128 = 1
        for _ in 0..<decimals { scale *= 10 }
        let negative = numerator < 0
        let magnitude = negative ? -numerator : numerator
        let (scaled, remainder) = (magnitude * scale).quotientAndRemainder(dividingBy: denominator)
        let rounded = scaled + (remainder * 2 >= denominator ? 1 : 0)
        let whole = rounded / scale, fraction = rounded % scale
        var text = (negative && rounded != 0 ? "-" : "") + String(whole)
        if decimals > 0 {
            let digits = String(fraction)
            text += "." + String(repeating: "0", count: decimals - digits.count) + digits
        }
        return text
    }

    /// A count with its noun, singular or plural: `1 server`, `3 clients`.
    /// A span for people, in its two largest units: `1 d 23 h`, `5 h 20 min`, `2 min 51 s`, `45 s`, `250 ms`.
    public static func span(milliseconds: Int64) -> String {
        let magnitude = milliseconds.magnitude, sign = milliseconds < 0 ? "-" : ""
        let units: [(UInt64, String)] = [(86_400_000, "d"), (3_600_000, "h"), (60_000, "min"), (1000, "s"), (1, "ms")]
        guard let first = units.firstIndex(where: { magnitude >= $0.0 }) else { return "0 s" }
        var parts = ["\(magnitude / units[first].0) \(units[first].1)"]
        // The second unit, never milliseconds beside seconds (a report's spans are not that fine).
        if first + 1 < units.count - 1 {
            let rest = magnitude % units[first].0 / units[first + 1].0
            if rest > 0 { parts.append("\(rest) \(units[first + 1].1)") }
        }
        return sign + parts.joined(separator: " ")
    }

    public static func count(_ number: Int, _ noun: String) -> String {
        "\(number) \(noun)\(number == 1 ? "" : "s")"
    }

    /// Seconds since start: whole seconds, or with milliseconds when there are any.
    public static func seconds(milliseconds: Int64) -> String {
        milliseconds % 1000 == 0 ? String(milliseconds / 1000) : decimal(Int128(milliseconds), over: 1000, decimals: 3)
    }
}
