using System.Collections;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Brokkr.Broker.Http;

/// <summary>
/// Says what was wrong with a JSON body in the API's terms. System.Text.Json's messages name CLR types
/// (<c>could not be converted to System.Collections.Generic.List`1[Brokkr.Broker...]</c>), which tell a client nothing
/// and leak our internals; this names the member by its JSON path and the expected JSON kind instead, found by walking
/// the target type along the path.
/// </summary>
internal static partial class JsonBodyErrors
{
    public static string Describe(JsonException exception, Type target)
    {
        if (MissingMembers().Match(exception.Message) is { Success: true } missing)
        {
            var names = missing.Groups["names"].Value.Replace("'", "", StringComparison.Ordinal);
            return $"{At(exception.Path)}missing required member(s): {names}";
        }
        var expected = exception.Path is { Length: > 0 } path ? TypeAt(target, path) : target;
        return expected is null
            ? $"{At(exception.Path)}a value has the wrong type"
            : $"{At(exception.Path)}expected {Kind(expected)}";
    }

    private static string At(string? path) => path is { Length: > 0 } && path != "$" ? $"invalid value at {path}: " : "";

    /// <summary>The CLR type bound at a JSON path such as <c>$.deployment_objects[0].status</c>; null when not found.</summary>
    private static Type? TypeAt(Type root, string path)
    {
        var type = root;
        foreach (Match segment in PathSegment().Matches(path))
        {
            type = segment.Groups["index"].Success ? ElementType(type) : MemberType(type, segment.Groups["name"].Value);
            if (type is null)
            {
                return null;
            }
        }
        return type;
    }

    private static Type? MemberType(Type type, string jsonName)
    {
        var property = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).FirstOrDefault(p =>
            (p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name)) == jsonName);
        return property?.PropertyType;
    }

    private static Type? ElementType(Type type) =>
        type.IsArray ? type.GetElementType() :
        type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type) ? type.GetGenericArguments()[0] : null;

    private static string Kind(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type switch
        {
            _ when type == typeof(string) => "a string",
            _ when type == typeof(Guid) => "a UUID string",
            _ when type == typeof(bool) => "true or false",
            _ when type == typeof(DateTime) || type == typeof(DateTimeOffset) => "an RFC 3339 timestamp string",
            _ when type == typeof(JsonElement) => "a JSON value",
            _ when type.IsPrimitive || type == typeof(decimal) => "a number",
            _ when type.IsEnum => "one of " + string.Join(", ", Enum.GetNames(type).Select(n => JsonNamingPolicy.SnakeCaseLower.ConvertName(n))),
            _ when ElementType(type) is not null && type != typeof(string) => "an array",
            _ => "an object",
        };
    }

    [GeneratedRegex(@"missing required properties including: (?<names>.+?)\.?$")]
    private static partial Regex MissingMembers();

    [GeneratedRegex(@"\.(?<name>[^.\[\]]+)|\[(?<index>\d+)\]")]
    private static partial Regex PathSegment();
}
