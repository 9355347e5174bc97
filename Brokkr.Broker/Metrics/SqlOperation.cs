namespace Brokkr.Broker.Metrics;

/// <summary>The <c>operation</c> label of the database families: the statement's leading SQL verb.</summary>
public static class SqlOperation
{
    public const string Select = "select";
    public const string Insert = "insert";
    public const string Update = "update";
    public const string Delete = "delete";
    public const string Other = "other";

    public static readonly string[] All = [Select, Insert, Update, Delete, Other];

    /// <summary>
    /// Skips whitespace, comments and opening parentheses, then reads the first word. A <c>WITH</c> query is
    /// classified by the first data-changing verb it contains, else as a select.
    /// </summary>
    public static string Of(string? sql)
    {
        var text = (sql ?? "").AsSpan();
        var word = FirstWord(ref text);
        if (word.Equals("with", StringComparison.OrdinalIgnoreCase))
        {
            return ContainsWord(text, "insert") ? Insert
                : ContainsWord(text, "update") ? Update
                : ContainsWord(text, "delete") ? Delete
                : Select;
        }
        return word.Equals("select", StringComparison.OrdinalIgnoreCase) ? Select
            : word.Equals("insert", StringComparison.OrdinalIgnoreCase) ? Insert
            : word.Equals("update", StringComparison.OrdinalIgnoreCase) ? Update
            : word.Equals("delete", StringComparison.OrdinalIgnoreCase) ? Delete
            : Other;
    }

    private static ReadOnlySpan<char> FirstWord(ref ReadOnlySpan<char> text)
    {
        while (true)
        {
            text = text.TrimStart().TrimStart('(').TrimStart();
            if (text.StartsWith("--"))
            {
                var end = text.IndexOf('\n');
                text = end < 0 ? [] : text[(end + 1)..];
            }
            else if (text.StartsWith("/*"))
            {
                var end = text.IndexOf("*/");
                text = end < 0 ? [] : text[(end + 2)..];
            }
            else
            {
                break;
            }
        }
        var length = 0;
        while (length < text.Length && char.IsAsciiLetter(text[length]))
        {
            length++;
        }
        var word = text[..length];
        text = text[length..];
        return word;
    }

    private static bool ContainsWord(ReadOnlySpan<char> text, string word)
    {
        for (var at = text.IndexOf(word, StringComparison.OrdinalIgnoreCase); at >= 0;)
        {
            var before = at == 0 || !char.IsAsciiLetterOrDigit(text[at - 1]) && text[at - 1] != '_';
            var after = at + word.Length;
            if (before && (after == text.Length || !char.IsAsciiLetterOrDigit(text[after]) && text[after] != '_'))
            {
                return true;
            }
            var next = text[(at + 1)..].IndexOf(word, StringComparison.OrdinalIgnoreCase);
            at = next < 0 ? -1 : at + 1 + next;
        }
        return false;
    }
}
