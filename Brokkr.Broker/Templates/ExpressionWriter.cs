namespace Brokkr.Broker.Templates;

/// <summary>
/// Writes one Tera expression (a range of a tag's tokens) as Liquid. Tera's precedence — <c>or</c> below <c>and</c>
/// below <c>not</c> below comparisons and <c>in</c> below filters below <c>+ -</c> below <c>* / %</c> — is made explicit
/// with Fluid's parenthesised groups, and what Liquid lacks (math, <c>not</c>, <c>in</c>, Tera's truthiness) is a
/// <see cref="TeraOperators"/> filter inside a group. A plain path with filters is written as it was.
/// </summary>
public sealed class ExpressionWriter(List<Token> tokens, int line)
{
    private static readonly HashSet<string> Comparisons = ["==", "!=", "<", ">", "<=", ">="];

    private static readonly Dictionary<string, string> MathFilters = new()
    {
        ["+"] = TeraOperators.Add, ["-"] = TeraOperators.Subtract, ["*"] = TeraOperators.Multiply,
        ["/"] = TeraOperators.Divide, ["%"] = TeraOperators.Modulo,
    };

    private enum Kind
    {
        /// <summary>A literal or a path: a Liquid primary as it stands.</summary>
        Atom,
        /// <summary>An atom with filters: continues as a filter chain, elsewhere needs parentheses.</summary>
        Chain,
        /// <summary>A computed value (math).</summary>
        Value,
        /// <summary>A comparison, <c>in</c>, <c>not</c>, <c>and</c>/<c>or</c>: already true or false.</summary>
        Bool,
    }

    private readonly record struct Liquid(string Text, Kind Kind)
    {
        public string Primary => Kind == Kind.Atom ? Text : $"({Text})";

        public string ChainBase => Kind is Kind.Atom or Kind.Chain ? Text : $"({Text})";

        /// <summary>As a condition, with Tera's truth (0, "", [] and {} are false) rather than Liquid's.</summary>
        public string Condition => Kind == Kind.Bool ? Primary : $"({ChainBase} | {TeraOperators.Truthy})";
    }

    /// <summary>Parentheses and <c>not</c>s nest at most this deep: the parser recurses, and stored content is untrusted.</summary>
    public const int MaxNesting = 50;

    private int _position;
    private int _end;
    private int _depth;

    /// <summary>An <c>if</c>/<c>elif</c> condition, judged as Tera judges truth.</summary>
    public string Condition(int start) => Parse(start, tokens.Count).Condition;

    /// <summary>A value: <c>{{ }}</c>, the right side of <c>set</c>, a <c>for</c> loop's items (a path only).</summary>
    public string Write(int start, int end, bool filters, string where = "")
    {
        var written = Parse(start, end);
        if (!filters && written.Kind != Kind.Atom)
        {
            throw TemplateErrors.Unsupported(written.Kind == Kind.Chain ? $"a filter in {where}" : $"an expression in {where}", line);
        }
        return written.Text;
    }

    private Liquid Parse(int start, int end)
    {
        if (start >= end)
        {
            throw TemplateErrors.Syntax($"line {line}: an expression is missing");
        }
        (_position, _end) = (start, end);
        var written = Or();
        if (_position < _end)
        {
            throw Unexpected(tokens[_position]);
        }
        return written;
    }

    private bool At(string text) => _position < _end && tokens[_position].Text == text && tokens[_position].Kind is TokenKind.Symbol or TokenKind.Identifier;

    private Liquid Or() => Logical("or", And);

    private Liquid And() => Logical("and", Not);

    /// <summary>Left-associative <c>and</c>/<c>or</c>, each side judged with Tera's truth.</summary>
    private Liquid Logical(string word, Func<Liquid> operand)
    {
        var left = operand();
        while (At(word))
        {
            _position++;
            left = new($"{left.Condition} {word} {operand().Condition}", Kind.Bool);
        }
        return left;
    }

    private Liquid Not()
    {
        if (!At("not"))
        {
            return Comparison();
        }
        _position++;
        using var nested = Nest();
        return new($"{Not().ChainBase} | {TeraOperators.Not}", Kind.Bool);
    }

    private Liquid Comparison()
    {
        var left = Filtered();
        if (_position >= _end)
        {
            return left;
        }
        var token = tokens[_position];
        if (token.Kind == TokenKind.Symbol && Comparisons.Contains(token.Text))
        {
            _position++;
            return new($"{left.Primary} {token.Text} {Filtered().Primary}", Kind.Bool);
        }
        if (token is { Kind: TokenKind.Identifier, Text: "is" })
        {
            return Test(left);
        }
        var negated = At("not") && _position + 1 < _end && tokens[_position + 1] is { Kind: TokenKind.Identifier, Text: "in" };
        if (negated || token is { Kind: TokenKind.Identifier, Text: "in" })
        {
            _position += negated ? 2 : 1;
            var test = $"{left.ChainBase} | {TeraOperators.In}: {Filtered().Primary}";
            return new(negated ? $"({test}) | {TeraOperators.Not}" : test, Kind.Bool);
        }
        return left;
    }

    /// <summary><c>x is [not] defined</c> and <c>undefined</c>; Tera's other tests are refused by name.</summary>
    private Liquid Test(Liquid subject)
    {
        _position++;
        var negated = At("not");
        _position += negated ? 1 : 0;
        if (_position >= _end || tokens[_position].Kind != TokenKind.Identifier)
        {
            throw TemplateErrors.Syntax($"line {line}: `is` must be followed by a test name");
        }
        var name = tokens[_position++].Text;
        var defined = name switch
        {
            "defined" => true,
            "undefined" => false,
            _ => throw TemplateErrors.Unsupported($"the test `is {name}`", line),
        };
        if (subject.Kind != Kind.Atom)
        {
            throw TemplateErrors.Unsupported("a test of an expression", line);
        }
        return new($"{subject.Text} | {(defined != negated ? TeraOperators.Defined : TeraOperators.Undefined)}", Kind.Bool);
    }

    private Liquid Filtered()
    {
        var written = Sum();
        while (At("|"))
        {
            written = new($"{written.ChainBase} {Filter(_end)}", Kind.Chain);
        }
        return written;
    }

    private Liquid Sum() => Arithmetic(["+", "-"], Product);

    private Liquid Product() => Arithmetic(["*", "/", "%"], Unary);

    /// <summary>Left-associative math: <c>a - b - c</c> is <c>(a - b) - c</c>.</summary>
    private Liquid Arithmetic(string[] operators, Func<Liquid> operand)
    {
        var left = operand();
        while (_position < _end && tokens[_position].Kind == TokenKind.Symbol && operators.Contains(tokens[_position].Text))
        {
            var op = tokens[_position++].Text;
            left = new($"{left.ChainBase} | {MathFilters[op]}: {operand().Primary}", Kind.Value);
        }
        return left;
    }

    private Liquid Unary()
    {
        if (_position >= _end)
        {
            throw TemplateErrors.Syntax($"line {line}: an expression ends with an operator");
        }
        if (!At("("))
        {
            return new(Operand(_end), Kind.Atom);
        }
        _position++;
        using var nested = Nest();
        var inner = Or();
        if (!At(")"))
        {
            throw TemplateErrors.Syntax($"line {line}: `(` without `)`");
        }
        _position++;
        return inner.Kind == Kind.Atom ? inner : inner with { Kind = inner.Kind == Kind.Bool ? Kind.Bool : Kind.Value, Text = inner.Primary };
    }

    private Nesting Nest() => ++_depth > MaxNesting
        ? throw TemplateErrors.Syntax($"line {line}: parentheses and `not` nest more than {MaxNesting} deep")
        : new Nesting(this);

    private readonly struct Nesting(ExpressionWriter writer) : IDisposable
    {
        public void Dispose() => writer._depth--;
    }

    private Exception Unexpected(Token token) => token.Text switch
    {
        "//" or "~" or "**" => TemplateErrors.Unsupported($"the operator `{token.Text}`", line),
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
            case "is":
                throw TemplateErrors.Unsupported($"the operator `{token.Text}`", line);
            case "and" or "or" or "not" or "in":
                throw TemplateErrors.Syntax($"line {line}: unexpected `{token.Text}`");
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
