using System.Globalization;
using System.Text;

namespace Brokkr.ServiceDefaults.Configuration;

/// <summary>
/// Reads the subset of TOML that Brokkr configuration files use — tables (<c>[a.b]</c>), bare, quoted and dotted
/// keys, basic and literal strings, integers, floats, booleans, and (possibly multi-line) arrays of those scalars,
/// plus comments — into flat configuration keys joined with ':'. Array items become indexed keys (<c>key:0</c>,
/// <c>key:1</c>), as JSON configuration files give them; settings that are lists read them with
/// <see cref="ConfigurationLists"/>. Anything outside that subset, and a key defined twice, is a
/// <see cref="FormatException"/> naming the line, so a typo never silently drops a setting.
/// </summary>
public static class TomlReader
{
    public static IDictionary<string, string?> Read(TextReader reader, string? keyPrefix = null)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var table = keyPrefix ?? "";
        var lineNumber = 0;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            var startLine = lineNumber;
            try
            {
                var text = StripComment(line).Trim();
                if (text.Length == 0)
                {
                    continue;
                }
                if (text.StartsWith('['))
                {
                    if (text.StartsWith("[[", StringComparison.Ordinal) || !text.EndsWith(']'))
                    {
                        throw new FormatException("only simple [table] headers are supported");
                    }
                    var cursor = new Cursor(text[1..^1]);
                    table = Join(keyPrefix, Join(cursor.ReadKeyPath()));
                    cursor.ExpectEnd();
                    continue;
                }

                // Arrays may span lines: keep reading until the brackets balance.
                while (OpenBrackets(text) > 0 && (line = reader.ReadLine()) is not null)
                {
                    lineNumber++;
                    text += " " + StripComment(line).Trim();
                }

                var statement = new Cursor(text);
                var key = Join(table, Join(statement.ReadKeyPath()));
                statement.Expect('=');
                statement.ReadValue(key, values);
                statement.ExpectEnd();
            }
            catch (FormatException e)
            {
                throw new FormatException($"TOML line {startLine}: {e.Message}", e);
            }
        }
        return values;
    }

    private static string Join(string? prefix, string key) =>
        string.IsNullOrEmpty(prefix) ? key : key.Length == 0 ? prefix : prefix + ":" + key;

    private static string Join(IEnumerable<string> parts) => string.Join(':', parts);

    private static string StripComment(string line)
    {
        char? quote = null;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote is null)
            {
                if (c == '#')
                {
                    return line[..i];
                }
                if (c is '"' or '\'')
                {
                    quote = c;
                }
            }
            else if (c == '\\' && quote == '"')
            {
                i++;
            }
            else if (c == quote)
            {
                quote = null;
            }
        }
        return line;
    }

    private static int OpenBrackets(string text)
    {
        var depth = 0;
        char? quote = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quote is not null)
            {
                if (c == '\\' && quote == '"') i++;
                else if (c == quote) quote = null;
            }
            else if (c is '"' or '\'') quote = c;
            else if (c == '[') depth++;
            else if (c == ']') depth--;
        }
        return depth;
    }

    private sealed class Cursor(string text)
    {
        private int _pos;

        public List<string> ReadKeyPath()
        {
            var parts = new List<string> { ReadKey() };
            SkipSpace();
            while (Peek() == '.')
            {
                _pos++;
                parts.Add(ReadKey());
                SkipSpace();
            }
            return parts;
        }

        public void Expect(char c)
        {
            SkipSpace();
            if (Peek() != c)
            {
                throw new FormatException($"expected '{c}' at column {_pos + 1}");
            }
            _pos++;
        }

        public void ExpectEnd()
        {
            SkipSpace();
            if (_pos < text.Length)
            {
                throw new FormatException($"unexpected '{text[_pos..]}'");
            }
        }

        public void ReadValue(string key, IDictionary<string, string?> values)
        {
            SkipSpace();
            if (values.ContainsKey(key) || values.Keys.Any(k => k.StartsWith(key + ":", StringComparison.OrdinalIgnoreCase)))
            {
                throw new FormatException($"'{key}' is defined twice");
            }
            if (Peek() != '[')
            {
                values[key] = ReadScalar();
                return;
            }
            _pos++;
            var index = 0;
            while (true)
            {
                SkipSpace();
                if (Peek() == ']')
                {
                    _pos++;
                    return;
                }
                values[$"{key}:{index++}"] = ReadScalar();
                SkipSpace();
                if (Peek() == ',')
                {
                    _pos++;
                }
                else if (Peek() != ']')
                {
                    throw new FormatException($"expected ',' or ']' in the array for '{key}'");
                }
            }
        }

        private string ReadKey()
        {
            SkipSpace();
            if (Peek() is '"' or '\'')
            {
                return ReadString();
            }
            var start = _pos;
            while (_pos < text.Length && (char.IsAsciiLetterOrDigit(text[_pos]) || text[_pos] is '_' or '-'))
            {
                _pos++;
            }
            if (start == _pos)
            {
                throw new FormatException($"expected a key at column {_pos + 1}");
            }
            return text[start.._pos];
        }

        private string ReadScalar()
        {
            SkipSpace();
            if (Peek() is '"' or '\'')
            {
                return ReadString();
            }
            var start = _pos;
            while (_pos < text.Length && text[_pos] is not (',' or ']' or ' ' or '\t'))
            {
                _pos++;
            }
            var token = text[start.._pos];
            if (token is "true" or "false")
            {
                return token;
            }
            var number = token.Replace("_", "", StringComparison.Ordinal);
            if (long.TryParse(number, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
            {
                return integer.ToString(CultureInfo.InvariantCulture);
            }
            if (double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var real))
            {
                return real.ToString(CultureInfo.InvariantCulture);
            }
            throw new FormatException(token.Length == 0 ? "missing value" : $"unsupported value '{token}'");
        }

        private string ReadString()
        {
            var quote = text[_pos++];
            var result = new StringBuilder();
            while (_pos < text.Length)
            {
                var c = text[_pos++];
                if (c == quote)
                {
                    return result.ToString();
                }
                if (c == '\\' && quote == '"')
                {
                    result.Append(ReadEscape());
                }
                else
                {
                    result.Append(c);
                }
            }
            throw new FormatException("unterminated string");
        }

        private string ReadEscape()
        {
            if (_pos >= text.Length)
            {
                throw new FormatException("unterminated string");
            }
            var c = text[_pos++];
            switch (c)
            {
                case 'n': return "\n";
                case 't': return "\t";
                case 'r': return "\r";
                case 'b': return "\b";
                case 'f': return "\f";
                case '"': return "\"";
                case '\\': return "\\";
                case 'u' or 'U':
                    var length = c == 'u' ? 4 : 8;
                    if (_pos + length > text.Length ||
                        !int.TryParse(text.AsSpan(_pos, length), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code))
                    {
                        throw new FormatException("bad unicode escape");
                    }
                    _pos += length;
                    return char.ConvertFromUtf32(code);
                default:
                    throw new FormatException($"unknown escape '\\{c}'");
            }
        }

        private char? Peek() => _pos < text.Length ? text[_pos] : null;

        private void SkipSpace()
        {
            while (_pos < text.Length && text[_pos] is ' ' or '\t')
            {
                _pos++;
            }
        }
    }
}
