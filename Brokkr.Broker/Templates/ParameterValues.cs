using System.Text.Encodings.Web;
using System.Text.Json;
using Fluid;
using Fluid.Values;

namespace Brokkr.Broker.Templates;

/// <summary>
/// Render parameters as Fluid values. Objects keep their keys in ordinal order, as Tera's (serde_json's) maps do, so
/// <c>for k, v in map</c> walks them the same way; a missing key reads as <see cref="UndefinedValue"/>, as in Tera.
/// </summary>
public static class ParameterValues
{
    public static FluidValue From(JsonElement element, string path) => element.ValueKind switch
    {
        JsonValueKind.Object => new ParameterObject(path, element.EnumerateObject()
            .GroupBy(p => p.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => From(g.Last().Value, $"{path}.{g.Key}"), StringComparer.Ordinal)),
        JsonValueKind.Array => ArrayValue.Create(element.EnumerateArray().Select((item, i) => From(item, $"{path}[{i}]")).ToArray()),
        JsonValueKind.String => StringValue.Create(element.GetString()!),
        JsonValueKind.Number => element.TryGetDecimal(out var number) ? NumberValue.Create(number) : StringValue.Create(element.GetRawText()),
        JsonValueKind.True => BooleanValue.True,
        JsonValueKind.False => BooleanValue.False,
        _ => NilValue.Instance,
    };

    /// <summary>A Fluid value back as plain objects, for <c>json_encode</c>.</summary>
    public static object? ToPlain(FluidValue value, TemplateContext context) => value switch
    {
        ParameterObject o => o.Members.OrderBy(m => m.Key, StringComparer.Ordinal).ToDictionary(m => m.Key, m => ToPlain(m.Value, context)),
        ArrayValue a => a.Values.Select(v => ToPlain(v, context)).ToList(),
        UndefinedValue u => throw u.NotFound(),
        NilValue or EmptyValue or BlankValue => null,
        BooleanValue b => b.ToBooleanValue(context),
        NumberValue n => n.ToNumberValue(context),
        StringValue s => s.ToStringValue(context),
        _ => value.ToObjectValue(context),
    };
}

public sealed class ParameterObject(string path, IReadOnlyDictionary<string, FluidValue> members) : FluidValue
{
    public IReadOnlyDictionary<string, FluidValue> Members { get; } = members;

    public override FluidValues Type => FluidValues.Dictionary;

    public override bool Equals(FluidValue other) => ReferenceEquals(this, other);

    public override bool ToBooleanValue(TemplateContext context) => true;

    public override decimal ToNumberValue(TemplateContext context) => 0;

    public override string ToStringValue(TemplateContext context) => JsonSerializer.Serialize(ParameterValues.ToPlain(this, context));

    public override object ToObjectValue(TemplateContext context) => ParameterValues.ToPlain(this, context)!;

    public override ValueTask WriteToAsync(IFluidOutput output, TextEncoder encoder, TemplateContext context)
    {
        output.Write(ToStringValue(context));
        return default;
    }

    public override ValueTask<FluidValue> GetValueAsync(string name, TemplateContext context) =>
        new(Members.TryGetValue(name, out var value) ? value :
            name == "size" ? NumberValue.Create(Members.Count) : new UndefinedValue($"{path}.{name}"));

    public override ValueTask<FluidValue> GetIndexAsync(FluidValue index, TemplateContext context) =>
        GetValueAsync(index.ToStringValue(context), context);

    public override async IAsyncEnumerable<FluidValue> EnumerateAsync(TemplateContext context)
    {
        await Task.CompletedTask;
        foreach (var (key, value) in Members.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            yield return ArrayValue.Create([StringValue.Create(key), value]);
        }
    }

    public override int GetHashCode() => Members.GetHashCode();

    public override bool Equals(object? obj) => ReferenceEquals(this, obj);
}

/// <summary>
/// A variable the parameters lack. Like Tera: false in a condition, replaced by <c>default</c>, and an error anywhere it
/// would be printed or filtered — Liquid would print nothing, which here would be a silently wrong manifest.
/// </summary>
public sealed class UndefinedValue(string name) : FluidValue
{
    public string Name { get; } = name;

    public TemplateRenderException NotFound() => new($"Variable `{Name}` not found in the parameters");

    public override FluidValues Type => FluidValues.Nil;

    public override bool IsNil() => true;

    public override bool Equals(FluidValue other) => other.IsNil();

    public override bool ToBooleanValue(TemplateContext context) => false;

    public override decimal ToNumberValue(TemplateContext context) => throw NotFound();

    public override string ToStringValue(TemplateContext context) => throw NotFound();

    public override object ToObjectValue(TemplateContext context) => throw NotFound();

    public override ValueTask WriteToAsync(IFluidOutput output, TextEncoder encoder, TemplateContext context) => throw NotFound();

    public override ValueTask<FluidValue> GetValueAsync(string member, TemplateContext context) => new(new UndefinedValue($"{Name}.{member}"));

    public override ValueTask<FluidValue> GetIndexAsync(FluidValue index, TemplateContext context) =>
        new(new UndefinedValue($"{Name}[{index.ToStringValue(context)}]"));

    public override IAsyncEnumerable<FluidValue> EnumerateAsync(TemplateContext context) => throw NotFound();

    public override int GetHashCode() => Name.GetHashCode(StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is UndefinedValue;
}
