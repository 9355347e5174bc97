using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Fluid;
using Fluid.Values;

namespace Brokkr.Broker.Templates;

/// <summary>A Tera filter by its Tera name, with its argument names in the order they are passed to Liquid.</summary>
public sealed record TeraFilter(string Name, string[] Parameters, string[] Required, FilterDelegate Apply);

/// <summary>
/// The Tera filters templates may use, with Tera's semantics (no HTML escaping anywhere: the output is YAML).
/// <c>quote</c> is a Brokkr.NET addition (Tera lacks it): the value as a double-quoted YAML/JSON string.
/// </summary>
public static class TeraFilters
{
    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonSerializerOptions Pretty = new(Compact) { WriteIndented = true };

    private static readonly Dictionary<string, TeraFilter> All = new TeraFilter[]
    {
        new("default", ["value"], ["value"], (input, args, _) =>
            new(input is UndefinedValue || input.IsNil() ? args.At(0) : input)),
        Text("upper", s => s.ToUpperInvariant()),
        Text("lower", s => s.ToLowerInvariant()),
        Text("trim", s => s.Trim()),
        Text("trim_start", s => s.TrimStart()),
        Text("trim_end", s => s.TrimEnd()),
        Text("capitalize", s => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant()),
        Text("title", s => CultureInfo.InvariantCulture.TextInfo.ToTitleCase(s.ToLowerInvariant())),
        Text("b64encode", s => Convert.ToBase64String(Encoding.UTF8.GetBytes(s))),
        Text("b64decode", Base64Decode),
        Text("quote", s => JsonSerializer.Serialize(s, Compact)),
        Text("safe", s => s),
        Text("string", s => s),
        new("replace", ["from", "to"], ["from", "to"], (input, args, context) =>
            Str(TextOf(input, context).Replace(args.At(0).ToStringValue(context), args.At(1).ToStringValue(context), StringComparison.Ordinal))),
        new("indent", ["prefix", "first", "blank"], [], (input, args, context) =>
            Str(Indent(TextOf(input, context), args.At(0).IsNil() ? "    " : args.At(0).ToStringValue(context),
                args.At(1).ToBooleanValue(context), args.At(2).ToBooleanValue(context)))),
        new("json_encode", ["pretty"], [], (input, args, context) =>
            Str(JsonSerializer.Serialize(ParameterValues.ToPlain(input, context), args.At(0).ToBooleanValue(context) ? Pretty : Compact))),
        new("join", ["sep"], [], (input, args, context) =>
            Str(string.Join(args.At(0).IsNil() ? "" : args.At(0).ToStringValue(context), Items(input, "join").Select(i => TextOf(i, context))))),
        new("length", [], [], (input, _, context) => new(NumberValue.Create(input switch
        {
            ArrayValue a => a.Values.Count,
            ParameterObject o => o.Members.Count,
            _ => TextOf(input, context).Length,
        }))),
        new("first", [], [], (input, _, _) => new(Items(input, "first").FirstOrDefault() ?? NilValue.Instance)),
        new("last", [], [], (input, _, _) => new(Items(input, "last").LastOrDefault() ?? NilValue.Instance)),
        new("reverse", [], [], (input, _, _) => new(ArrayValue.Create(Items(input, "reverse").Reverse().ToArray()))),
    }.ToDictionary(f => f.Name, StringComparer.Ordinal);

    public static TeraFilter? Find(string name) => All.GetValueOrDefault(name);

    public static IEnumerable<TeraFilter> Every => All.Values;

    private static TeraFilter Text(string name, Func<string, string> apply) =>
        new(name, [], [], (input, _, context) => Str(apply(TextOf(input, context))));

    private static ValueTask<FluidValue> Str(string value) => new(StringValue.Create(value));

    private static string TextOf(FluidValue value, TemplateContext context) =>
        value is UndefinedValue undefined ? throw undefined.NotFound() : value.ToStringValue(context);

    private static IReadOnlyList<FluidValue> Items(FluidValue value, string filter) => value switch
    {
        UndefinedValue undefined => throw undefined.NotFound(),
        ArrayValue array => array.Values,
        _ => throw new TemplateRenderException($"the filter `{filter}` needs an array"),
    };

    private static string Base64Decode(string text)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Convert.FromBase64String(text));
        }
        catch (Exception e) when (e is FormatException or DecoderFallbackException)
        {
            throw new TemplateRenderException("the filter `b64decode` was given text that is not base64 of UTF-8");
        }
    }

    /// <summary>Tera's indent: the prefix before every line but the first (unless <paramref name="first"/>), blank lines left alone (unless <paramref name="blank"/>).</summary>
    private static string Indent(string text, string prefix, bool first, bool blank)
    {
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if ((i > 0 || first) && (blank || !string.IsNullOrWhiteSpace(lines[i])))
            {
                lines[i] = prefix + lines[i];
            }
        }
        return string.Join('\n', lines);
    }
}
