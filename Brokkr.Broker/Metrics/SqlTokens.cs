namespace Brokkr.Broker.Metrics;

/// <summary>What <see cref="SqlTokens"/> distinguishes; everything that cannot start a statement is <c>Other</c>.</summary>
public enum SqlTokenKind
{
    End,
    Word,
    QuotedIdentifier,
    Open,
    Close,
    Comma,
    Semicolon,
    Other,
}

public readonly record struct SqlToken(SqlTokenKind Kind, int Start, int Length);

/// <summary>
/// Just enough of PostgreSQL's lexical rules to find statement keywords: whitespace and comments (nested
/// <c>/* */</c> too) are skipped, and string literals (<c>'…'</c>, <c>E'…'</c>, <c>$tag$…$tag$</c>) and quoted
/// identifiers are single tokens, so a keyword inside them is never mistaken for a statement.
/// </summary>
public ref struct SqlTokens(ReadOnlySpan<char> sql)
{
    private readonly ReadOnlySpan<char> _sql = sql;
    private int _at;
    private SqlToken? _peeked;

    public SqlToken Peek() => _peeked ??= Read();

    public SqlToken Next()
    {
        var token = Peek();
        _peeked = null;
        return token;
    }

    /// <summary>Whether <paramref name="token"/> is the unquoted word <paramref name="keyword"/> (any case).</summary>
    public readonly bool IsWord(SqlToken token, string keyword) =>
        token.Kind == SqlTokenKind.Word && _sql.Slice(token.Start, token.Length).Equals(keyword, StringComparison.OrdinalIgnoreCase);

    private SqlToken Read()
    {
        SkipSpaceAndComments();
        if (_at >= _sql.Length)
        {
            return new(SqlTokenKind.End, _at, 0);
        }
        var start = _at;
        var c = _sql[_at];
        switch (c)
        {
            case '(': _at++; return new(SqlTokenKind.Open, start, 1);
            case ')': _at++; return new(SqlTokenKind.Close, start, 1);
            case ',': _at++; return new(SqlTokenKind.Comma, start, 1);
            case ';': _at++; return new(SqlTokenKind.Semicolon, start, 1);
            case '\'': SkipQuoted('\'', backslashEscapes: false); return new(SqlTokenKind.Other, start, _at - start);
            case '"': SkipQuoted('"', backslashEscapes: false); return new(SqlTokenKind.QuotedIdentifier, start, _at - start);
            case '$' when DollarTagLength() is > 0 and var tag: SkipDollarQuoted(tag); return new(SqlTokenKind.Other, start, _at - start);
        }
        if (char.IsLetter(c) || c == '_')
        {
            while (_at < _sql.Length && (char.IsLetterOrDigit(_sql[_at]) || _sql[_at] is '_' or '$'))
            {
                _at++;
            }
            // E'…' is one escape-string literal, in which \' does not end the string.
            if (_at - start == 1 && c is 'e' or 'E' && _at < _sql.Length && _sql[_at] == '\'')
            {
                SkipQuoted('\'', backslashEscapes: true);
                return new(SqlTokenKind.Other, start, _at - start);
            }
            return new(SqlTokenKind.Word, start, _at - start);
        }
        _at++;
        return new(SqlTokenKind.Other, start, 1);
    }

    private void SkipSpaceAndComments()
    {
        while (_at < _sql.Length)
        {
            if (char.IsWhiteSpace(_sql[_at]))
            {
                _at++;
            }
            else if (_sql[_at..].StartsWith("--"))
            {
                var end = _sql[_at..].IndexOf('\n');
                _at = end < 0 ? _sql.Length : _at + end + 1;
            }
            else if (_sql[_at..].StartsWith("/*"))
            {
                SkipBlockComment();
            }
            else
            {
                return;
            }
        }
    }

    /// <summary>PostgreSQL block comments nest.</summary>
    private void SkipBlockComment()
    {
        var depth = 0;
        while (_at < _sql.Length)
        {
            if (_sql[_at..].StartsWith("/*"))
            {
                depth++;
                _at += 2;
            }
            else if (_sql[_at..].StartsWith("*/"))
            {
                _at += 2;
                if (--depth == 0)
                {
                    return;
                }
            }
            else
            {
                _at++;
            }
        }
    }

    /// <summary>From an opening quote at <c>_at</c> past its closing one; a doubled quote is part of the text.</summary>
    private void SkipQuoted(char quote, bool backslashEscapes)
    {
        _at++;
        while (_at < _sql.Length)
        {
            var c = _sql[_at++];
            if (backslashEscapes && c == '\\')
            {
                _at++;
            }
            else if (c == quote)
            {
                if (_at < _sql.Length && _sql[_at] == quote)
                {
                    _at++;
                }
                else
                {
                    return;
                }
            }
        }
        _at = Math.Min(_at, _sql.Length);
    }

    /// <summary>Length of a dollar-quote tag (<c>$$</c>, <c>$body$</c>) at <c>_at</c>, or 0 (a <c>$1</c> parameter).</summary>
    private readonly int DollarTagLength()
    {
        var end = _at + 1;
        if (end < _sql.Length && (char.IsLetter(_sql[end]) || _sql[end] == '_'))
        {
            while (end < _sql.Length && (char.IsLetterOrDigit(_sql[end]) || _sql[end] == '_'))
            {
                end++;
            }
        }
        return end < _sql.Length && _sql[end] == '$' ? end + 1 - _at : 0;
    }

    private void SkipDollarQuoted(int tagLength)
    {
        var tag = _sql.Slice(_at, tagLength);
        _at += tagLength;
        var close = _sql[_at..].IndexOf(tag);
        _at = close < 0 ? _sql.Length : _at + close + tagLength;
    }
}
