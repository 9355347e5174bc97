using System.Text;
using System.Text.RegularExpressions;

namespace Brokkr.Broker.Templates;

/// <summary>
/// Rewrites a Tera template into the Liquid that Fluid parses and renders. The two languages share their delimiters,
/// whitespace control, <c>if</c>/<c>for</c> blocks and filter pipes; what differs is spelled differently here
/// (<c>elif</c> → <c>elsif</c>, <c>set</c> → <c>assign</c>, <c>loop.*</c> → <c>forloop.*</c>, <c>{# #}</c> → a comment block,
/// <c>f(a=1)</c> → <c>f: 1</c>, <c>for k, v in map</c> → a loop over pairs). Everything Tera has that Liquid cannot say the
/// same way — macros, includes, inheritance, tests but <c>is [not] defined</c>, <c>~</c>, functions, array literals — is refused
/// with <see cref="TemplateErrors.Unsupported"/> instead of being rendered differently.
/// </summary>
public static partial class TeraTranslator
{
    public static string ToLiquid(string tera) => new Translation(tera).Run();

    [GeneratedRegex(@"\{%-?\s*endraw\s*-?%\}")]
    private static partial Regex EndRaw();

    private sealed class Translation(string source)
    {
        private readonly StringBuilder _output = new(source.Length + 64);
        private readonly Stack<(string Block, int Line)> _open = new();
        private int _pairs;

        public string Run()
        {
            var i = 0;
            while (i < source.Length)
            {
                var start = NextDelimiter(i);
                _output.Append(source, i, start - i);
                if (start == source.Length)
                {
                    break;
                }
                var line = LineAt(start);
                var kind = source[start + 1];
                if (kind == '#')
                {
                    i = Comment(start, line);
                    continue;
                }
                var close = Close(start + 2, kind == '{' ? "}}" : "%}", line);
                var inner = source[(start + 2)..close];
                var trimLeft = inner.StartsWith('-');
                var trimRight = inner.EndsWith('-') && inner.Length > (trimLeft ? 1 : 0);
                inner = inner[(trimLeft ? 1 : 0)..(inner.Length - (trimRight ? 1 : 0))];
                var (l, r) = (trimLeft ? "-" : "", trimRight ? "-" : "");
                i = close + 2;
                if (kind == '{')
                {
                    var tokens = TeraLexer.Tokenize(inner, line);
                    if (tokens.Count == 0)
                    {
                        throw TemplateErrors.Syntax($"line {line}: empty {{{{ }}}}");
                    }
                    _output.Append("{{").Append(l).Append(' ').Append(new ExpressionWriter(tokens, line).Write(0, tokens.Count, filters: true))
                        .Append(' ').Append(r).Append("}}");
                }
                else
                {
                    i = Tag(inner, l, r, line, i);
                }
            }
            if (_open.TryPop(out var unclosed))
            {
                throw TemplateErrors.Syntax($"line {unclosed.Line}: {{% {unclosed.Block} %}} is never closed by {{% end{unclosed.Block} %}}");
            }
            return _output.ToString();
        }

        private int NextDelimiter(int from)
        {
            for (var i = source.IndexOf('{', from); i >= 0 && i + 1 < source.Length; i = source.IndexOf('{', i + 1))
            {
                if (source[i + 1] is '{' or '%' or '#')
                {
                    return i;
                }
            }
            return source.Length;
        }

        private int LineAt(int position) => source.AsSpan(0, position).Count('\n') + 1;

        /// <summary>The position of the closing delimiter, skipping string literals (which may contain it).</summary>
        private int Close(int from, string delimiter, int line)
        {
            for (var i = from; i < source.Length - 1; i++)
            {
                var c = source[i];
                if (c is '"' or '\'' or '`')
                {
                    var end = source.IndexOf(c, i + 1);
                    if (end < 0) break;
                    i = end;
                }
                else if (c == delimiter[0] && source[i + 1] == delimiter[1])
                {
                    return i;
                }
            }
            throw TemplateErrors.Syntax($"line {line}: {source[(from - 2)..from]} is never closed by {delimiter}");
        }

        private int Comment(int start, int line)
        {
            var close = source.IndexOf("#}", start + 2, StringComparison.Ordinal);
            if (close < 0)
            {
                throw TemplateErrors.Syntax($"line {line}: {{# is never closed by #}}");
            }
            var l = source[start + 2] == '-' ? "-" : "";
            var r = close > start + 2 && source[close - 1] == '-' ? "-" : "";
            _output.Append("{%").Append(l).Append(" comment %}{% endcomment ").Append(r).Append("%}");
            return close + 2;
        }

        private int Tag(string inner, string l, string r, int line, int after)
        {
            var tokens = TeraLexer.Tokenize(inner, line);
            if (tokens.Count == 0 || tokens[0].Kind != TokenKind.Identifier)
            {
                throw TemplateErrors.Syntax($"line {line}: a {{% %}} tag must start with its name");
            }
            var name = tokens[0].Text;
            var writer = new ExpressionWriter(tokens, line);
            string liquid;
            switch (name)
            {
                case "if":
                    _open.Push(("if", line));
                    liquid = "if " + writer.Condition(1);
                    break;
                case "elif":
                    Expect("if", name, line);
                    liquid = "elsif " + writer.Condition(1);
                    break;
                case "else":
                    if (!_open.TryPeek(out var top) || top.Block is not ("if" or "for"))
                    {
                        throw TemplateErrors.Syntax($"line {line}: {{% else %}} outside {{% if %}} or {{% for %}}");
                    }
                    liquid = "else";
                    break;
                case "endif" or "endfor":
                    Expect(name[3..], name, line);
                    _open.Pop();
                    liquid = name;
                    break;
                case "for":
                    _open.Push(("for", line));
                    return For(tokens, writer, l, r, line, after);
                case "break" or "continue":
                    if (!_open.Any(b => b.Block == "for"))
                    {
                        throw TemplateErrors.Syntax($"line {line}: {{% {name} %}} outside {{% for %}}");
                    }
                    liquid = name;
                    break;
                case "set" or "set_global":
                    if (tokens.Count < 4 || tokens[1].Kind != TokenKind.Identifier || tokens[2].Text != "=")
                    {
                        throw TemplateErrors.Syntax($"line {line}: expected {{% {name} name = value %}}");
                    }
                    liquid = $"assign {tokens[1].Text} = {writer.Write(3, tokens.Count, filters: true)}";
                    break;
                case "raw":
                    return Raw(l, r, line, after);
                default:
                    throw TemplateErrors.Unsupported($"the tag {{% {name} %}}", line);
            }
            _output.Append("{%").Append(l).Append(' ').Append(liquid).Append(' ').Append(r).Append("%}");
            return after;
        }

        private void Expect(string block, string tag, int line)
        {
            if (!_open.TryPeek(out var top) || top.Block != block)
            {
                throw TemplateErrors.Syntax($"line {line}: {{% {tag} %}} without an open {{% {block} %}}");
            }
        }

        /// <summary>
        /// <c>for x in items</c> as is; <c>for k, v in map</c> iterates Liquid's [key, value] pairs and assigns both
        /// names right after the tag (the right trim marker moves to the last assign, so it still trims the body's start).
        /// </summary>
        private int For(List<Token> tokens, ExpressionWriter writer, string l, string r, int line, int after)
        {
            var pair = tokens.Count > 3 && tokens[2].Text == ",";
            var inAt = pair ? 4 : 2;
            if (tokens.Count <= inAt + 1 || tokens[1].Kind != TokenKind.Identifier || tokens[inAt].Text != "in" ||
                pair && tokens[3].Kind != TokenKind.Identifier)
            {
                throw TemplateErrors.Syntax($"line {line}: expected {{% for item in items %}} or {{% for key, value in map %}}");
            }
            var items = writer.Write(inAt + 1, tokens.Count, filters: false, where: "a for loop");
            if (!pair)
            {
                _output.Append("{%").Append(l).Append($" for {tokens[1].Text} in {items} ").Append(r).Append("%}");
                return after;
            }
            var variable = $"brokkr_pair_{_pairs++}";
            _output.Append("{%").Append(l).Append($" for {variable} in {items} %}}")
                .Append($"{{% assign {tokens[1].Text} = {variable}[0] %}}")
                .Append($"{{% assign {tokens[3].Text} = {variable}[1] ").Append(r).Append("%}");
            return after;
        }

        private int Raw(string l, string r, int line, int after)
        {
            var end = EndRaw().Match(source, after);
            if (!end.Success)
            {
                throw TemplateErrors.Syntax($"line {line}: {{% raw %}} is never closed by {{% endraw %}}");
            }
            _output.Append("{%").Append(l).Append(" raw ").Append(r).Append("%}")
                .Append(source, after, end.Index - after).Append(end.Value);
            return end.Index + end.Length;
        }
    }
}
