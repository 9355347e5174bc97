using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Brokkr.Broker.Http;

/// <summary>
/// JSON may escape half of a surrogate pair (<c>"\ud800"</c>): the document parses, but the string is not text, and
/// <see cref="JsonElement.GetString"/> (or a property's name) throws <see cref="InvalidOperationException"/> — a 500
/// unless the body is checked first.
/// </summary>
public static class JsonText
{
    public static bool TryGetString(JsonElement element, [NotNullWhen(true)] out string? value)
    {
        try
        {
            value = element.GetString();
            return value is not null;
        }
        catch (InvalidOperationException)
        {
            value = null;
            return false;
        }
    }

    /// <summary>True when every string and property name in <paramref name="element"/> is valid UTF-16 text.</summary>
    public static bool IsText(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return TryGetString(element, out _);
            case JsonValueKind.Array:
                return element.EnumerateArray().All(IsText);
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (!IsPropertyNameText(property) || !IsText(property.Value))
                    {
                        return false;
                    }
                }
                return true;
            default:
                return true;
        }
    }

    private static bool IsPropertyNameText(JsonProperty property)
    {
        try
        {
            _ = property.Name;
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
