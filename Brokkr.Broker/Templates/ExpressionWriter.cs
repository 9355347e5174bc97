namespace Brokkr.Broker.Templates;

/// <summary>
/// Writes one Tera expression (a range of a tag's tokens) as Liquid: variables and paths, literals, comparisons,
/// <c>and</c>/<c>or</c>, and filter pipes with Tera's named arguments turned into Liquid's positional ones.
/// </summary>
public sealed class ExpressionWriter(List<Token> tokens, int line)
{
    private static readonly HashSet<string> Comparisons = ["==", "!=", "<", ">", "<=", ">="];
    private int _position;

    /// <summary>An <c>if</c>/<c>elif</c> condition: no filters, and no mix of <c>and</c> with <c>or</c>, which Liquid groups differently.</summary>
    public string Condition(int start)
    {
        if (tokens.Skip(start).Any(t => t is { Kind: TokenKind.Symbol, Text: "(" }))
        {
            throw TemplateErrors.Unsupported("parentheses", line);
        }
        var words = tokens.Skip(start).Where(t => t.Kind == TokenKind.Identifier).Select(t => t.Text).ToHashSet();
        if (words.Contains("and") && words.Contains("or"))
        {
            throw TemplateErrors.Unsupported("a condition mixing `and` with `or`", line);
        }
        return Write(start, tokens.Count, filters: false, where: "a condition");
    }

    public string Write(int start, int end, bool filters, string where = "")
    {
        if (start >= end)
        {
            throw TemplateErrors.Syntax($"line {line}: an expression is missing");
        }
        var parts = new List<string>();
        _position = start;
        var expectOperand = true;
        while (_position < end)
        {
            var token = tokens[_position];
            if (token is { Kind: TokenKind.Identifier, Text: "and" or "or" } || token.Kind == TokenKind.Symbol && Comparisons.Contains(token.Text))
            {
                if (expectOperand) throw Misplaced(token);
                parts.Add(token.Text);
                _position++;
                expectOperand = true;
            }
            else if (token is { Kind: TokenKind.Symbol, Text: "|" })
            {
                if (expectOperand) throw Misplaced(token);
                if (!filters) throw TemplateErrors.Unsupported($"a filter in {where}", line);
                parts.Add(Filter(end));
            }
            else
            {
                if (!expectOperand) throw Misplaced(token);
                parts.Add(Operand(end));
                expectOperand = false;
            }
        }
        if (expectOperand)
        {
            throw TemplateErrors.Syntax($"line {line}: an expression ends with an operator");
        }
        return string.Join(' ', parts);
    }

    private Exception Misplaced(Token token) => Unexpected(token);

    private Exception Unexpected(Token token) => token.Text switch
    {
        "+" or "-" or "*" or "/" or "//" or "%" or "~" => TemplateErrors.Unsupported($"the operator `{token.Text}`", line),
        "(" or ")" => TemplateErrors.Unsupported("parentheses", line),
        "not" or "in" or "is" when token.Kind == TokenKind.Identifier => TemplateErrors.Unsupported($"the operator `{token.Text}`", line),
        _ => TemplateErrors.Syntax($"line {line}: unexpected `{token.Text}`"),
    };

    /// <summary>A literal or a variable path (<c>a.b[0]["k"]</c>); Tera's <c>loop</c> is Liquid's <c>forloop</c>.</summary>
    private string Operand(int end)
    {
        var token = tokens[_position++];
        switch (token.Kind)
        {
            case TokenKind.String:
                return Quote(token.Text);
            case TokenKind.Number:
                return token.Text;
            case TokenKind.Symbol when token.Text == "-" && _position < end && tokens[_position].Kind == TokenKind.Number:
                return "-" + tokens[_position++].Text;
            case TokenKind.Symbol when token.Text == "[":
                throw TemplateErrors.Unsupported("an array literal", line);
            case TokenKind.Symbol:
                throw Unexpected(token);
        }
        switch (token.Text)
        {
            case "true" or "True":
                return "true";
            case "false" or "False":
                return "false";
            case "not" or "in" or "is":
                throw TemplateErrors.Unsupported($"the operator `{token.Text}`", line);
        }
        if (_position < end && tokens[_position].Text == "(")
        {
            throw TemplateErrors.Unsupported($"the function {token.Text}()", line);
        }
        var path = token.Text == "loop" ? "forloop" : token.Text;
        while (_position < end)
        {
            var next = tokens[_position];
            if (next.Text == "." && _position + 1 < end && tokens[_position + 1].Kind is TokenKind.Identifier or TokenKind.Number)
            {
                path += "." + tokens[_position + 1].Text;
                _position += 2;
            }
            else if (next.Text == "[")
            {
                _position++;
                var index = Operand(end);
                if (_position >= end || tokens[_position].Text != "]")
                {
                    throw TemplateErrors.Syntax($"line {line}: `[` without `]`");
                }
                _position++;
                path += $"[{index}]";
            }
            else
            {
                break;
            }
        }
        if (_position < end && tokens[_position] is { Kind: TokenKind.Identifier, Text: "is" or "in" })
        {
            throw TemplateErrors.Unsupported($"the operator `{tokens[_position].Text}`", line);
        }
        return path;
    }

    /// <summary><c>| name</c> or <c>| name(arg=value, ...)</c> → <c>| name: value, ...</c> in the filter's declared order.</summary>
    private string Filter(int end)
    {
        _position++;
        if (_position >= end || tokens[_position].Kind != TokenKind.Identifier)
        {
            throw TemplateErrors.Syntax($"line {line}: `|` must be followed by a filter name");
        }
        var name = tokens[_position++].Text;
        var filter = TeraFilters.Find(name) ?? throw TemplateErrors.Unsupported($"the filter `{name}`", line);
        var given = new Dictionary<string, string>(StringComparer.Ordinal);
        if (_position < end && tokens[_position].Text == "(")
        {
            _position++;
            while (_position < end && tokens[_position].Text != ")")
            {
                if (tokens[_position].Kind != TokenKind.Identifier || _position + 1 >= end || tokens[_position + 1].Text != "=")
                {
                    throw TemplateErrors.Syntax($"line {line}: the arguments of `{name}` are written name=value");
                }
                var argument = tokens[_position].Text;
                if (!filter.Parameters.Contains(argument))
                {
                    throw TemplateErrors.Syntax($"line {line}: the filter `{name}` has no argument `{argument}`");
                }
                _position += 2;
                given[argument] = Operand(end);
                if (_position < end && tokens[_position].Text == ",")
                {
                    _position++;
                }
            }
            if (_position >= end)
            {
                throw TemplateErrors.Syntax($"line {line}: the arguments of `{name}` are never closed by `)`");
            }
            _position++;
        }
        foreach (var required in filter.Required.Where(p => !given.ContainsKey(p)))
        {
            throw TemplateErrors.Syntax($"line {line}: the filter `{name}` needs the argument `{required}`");
        }
        var last = filter.Parameters.ToList().FindLastIndex(given.ContainsKey);
        var positional = filter.Parameters.Take(last + 1).Select(p => given.GetValueOrDefault(p, "nil")).ToList();
        return positional.Count == 0 ? $"| {name}" : $"| {name}: {string.Join(", ", positional)}";
    }

    /// <summary>Liquid strings have no escapes: pick the quote the text lacks.</summary>
    private string Quote(string text) =>
        !text.Contains('\'') ? $"'{text}'" :
        !text.Contains('"') ? $"\"{text}\"" :
        throw TemplateErrors.Unsupported("a string holding both kinds of quote", line);
}
