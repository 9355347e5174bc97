namespace Brokkr.Broker.Templates;

public enum TokenKind
{
    Identifier,
    String,
    Number,
    Symbol,
}

public readonly record struct Token(TokenKind Kind, string Text);

/// <summary>Splits the inside of one Tera tag (<c>{{ ... }}</c> or <c>{% ... %}</c>) into tokens.</summary>
public static class TeraLexer
{
    private static readonly string[] TwoCharacterSymbols = ["==", "!=", "<=", ">=", "//"];

    public static List<Token> Tokenize(string text, int line)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c is '"' or '\'' or '`')
            {
                var end = text.IndexOf(c, i + 1);
                if (end < 0)
                {
                    throw TemplateErrors.Syntax($"line {line}: a string starting with {c} is never closed");
                }
                tokens.Add(new Token(TokenKind.String, text[(i + 1)..end]));
                i = end + 1;
            }
            else if (char.IsAsciiDigit(c))
            {
                var start = i;
                while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
                {
                    i++;
                }
                tokens.Add(new Token(TokenKind.Number, text[start..i]));
            }
            else if (char.IsAsciiLetter(c) || c == '_')
            {
                var start = i;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }
                tokens.Add(new Token(TokenKind.Identifier, text[start..i]));
            }
            else
            {
                var two = i + 1 < text.Length ? text.Substring(i, 2) : "";
                var symbol = TwoCharacterSymbols.Contains(two) ? two : c.ToString();
                if (!"=!<>|()[],.+-*/%~:{}".Contains(c))
                {
                    throw TemplateErrors.Syntax($"line {line}: unexpected character '{c}'");
                }
                tokens.Add(new Token(TokenKind.Symbol, symbol));
                i += symbol.Length;
            }
        }
        return tokens;
    }
}
