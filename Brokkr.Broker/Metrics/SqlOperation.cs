namespace Brokkr.Broker.Metrics;

/// <summary>The <c>operation</c> label of the database families: what the command's statement does.</summary>
public static class SqlOperation
{
    public const string Select = "select";
    public const string Insert = "insert";
    public const string Update = "update";
    public const string Delete = "delete";
    public const string Other = "other";

    public static readonly string[] All = [Select, Insert, Update, Delete, Other];

    /// <summary>
    /// The leading verb of the command's first statement (a batch <c>INSERT …; SELECT …</c> is an insert), found by
    /// tokens, so comments, string literals and quoted identifiers never count. A <c>WITH</c> query is what its main
    /// statement is when that changes data (PostgreSQL's own command tag); a main <c>SELECT</c> whose common table
    /// expression inserts, updates or deletes is classified by the first such expression, because it is a write;
    /// otherwise it is a select. Words elsewhere in a statement (<c>FOR UPDATE</c>, <c>ON DELETE</c>,
    /// <c>DO UPDATE</c>) are never verbs.
    /// </summary>
    public static string Of(string? sql)
    {
        var tokens = new SqlTokens(sql ?? "");
        return Statement(ref tokens, nested: false);
    }

    /// <summary>
    /// Classifies the statement at the current token. Nested (a CTE body or a WITH's main statement inside
    /// parentheses), it also reads up to — not including — the parenthesis that closes it.
    /// </summary>
    private static string Statement(ref SqlTokens tokens, bool nested)
    {
        var depth = 0;
        while (tokens.Peek().Kind == SqlTokenKind.Open)
        {
            tokens.Next();
            depth++;
        }
        var first = tokens.Next();
        var operation = tokens.IsWord(first, "with") ? With(ref tokens)
            : tokens.IsWord(first, "select") || tokens.IsWord(first, "values") || tokens.IsWord(first, "table") ? Select
            : tokens.IsWord(first, "insert") ? Insert
            : tokens.IsWord(first, "update") ? Update
            : tokens.IsWord(first, "delete") ? Delete
            : Other;
        if (nested)
        {
            SkipToClose(ref tokens, depth);
        }
        return operation;
    }

    /// <summary>After <c>WITH</c>: the CTE list, then the main statement.</summary>
    private static string With(ref SqlTokens tokens)
    {
        if (tokens.IsWord(tokens.Peek(), "recursive"))
        {
            tokens.Next();
        }
        string? firstWrite = null;
        while (true)
        {
            // name [(columns)] AS [NOT] [MATERIALIZED] (statement)
            if (tokens.Next().Kind is not (SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier))
            {
                return firstWrite ?? Select;
            }
            if (tokens.Peek().Kind == SqlTokenKind.Open)
            {
                tokens.Next();
                SkipToClose(ref tokens, 0);
                tokens.Next();
            }
            if (!tokens.IsWord(tokens.Next(), "as"))
            {
                return firstWrite ?? Select;
            }
            while (tokens.IsWord(tokens.Peek(), "not") || tokens.IsWord(tokens.Peek(), "materialized"))
            {
                tokens.Next();
            }
            if (tokens.Next().Kind != SqlTokenKind.Open)
            {
                return firstWrite ?? Select;
            }
            var body = Statement(ref tokens, nested: true);
            tokens.Next();
            if (firstWrite is null && IsWrite(body))
            {
                firstWrite = body;
            }
            if (tokens.Peek().Kind != SqlTokenKind.Comma)
            {
                break;
            }
            tokens.Next();
        }
        var main = Statement(ref tokens, nested: true);
        return IsWrite(main) ? main : firstWrite ?? Select;
    }

    private static bool IsWrite(string operation) => operation is Insert or Update or Delete;

    /// <summary>
    /// Reads tokens until the <c>)</c> that closes a parenthesis opened <paramref name="depth"/> levels above the
    /// current one — or the one enclosing the statement when 0 — leaving it unread; stops at <c>;</c> or the end.
    /// </summary>
    private static void SkipToClose(ref SqlTokens tokens, int depth)
    {
        while (true)
        {
            switch (tokens.Peek().Kind)
            {
                case SqlTokenKind.End or SqlTokenKind.Semicolon:
                    return;
                case SqlTokenKind.Close when depth == 0:
                    return;
                case SqlTokenKind.Close:
                    depth--;
                    break;
                case SqlTokenKind.Open:
                    depth++;
                    break;
            }
            tokens.Next();
        }
    }
}
