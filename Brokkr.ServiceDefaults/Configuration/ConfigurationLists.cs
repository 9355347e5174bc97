using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Brokkr.ServiceDefaults.Configuration;

/// <summary>
/// Reads a list setting in each shape it arrives in: one comma-separated string (environment variables such as
/// <c>BROKKR__METRICS__GLOBAL_LABELS=env=prod,region=eu</c>), array items (a TOML or JSON array: <c>key:0</c>,
/// <c>key:1</c>, …) or, for name=value lists, table entries (a TOML table: <c>key:name</c>). A string value wins over
/// items from a lower-precedence source, as any scalar setting would.
/// </summary>
internal static class ConfigurationLists
{
    /// <summary>The items of a list: the string value split on commas, else the array items in index order.</summary>
    public static IReadOnlyList<string> Items(IConfigurationSection section)
    {
        if (section.Value is { } text)
        {
            return text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }

        return [.. ArrayItems(section).Select(item => Scalar(item, section.Path))];
    }

    /// <summary>"name=value" pairs: as <see cref="Items"/>, plus every table entry <c>name = "value"</c>.</summary>
    public static IReadOnlyList<string> Pairs(IConfigurationSection section)
    {
        if (section.Value is not null)
        {
            return Items(section);
        }

        return
        [
            .. ArrayItems(section).Select(item => Scalar(item, section.Path)),
            .. section.GetChildren().Where(child => !IsArrayItem(child)).Select(entry => entry.Key + "=" + Scalar(entry, section.Path)),
        ];
    }

    private static IEnumerable<IConfigurationSection> ArrayItems(IConfigurationSection section) =>
        section.GetChildren().Where(IsArrayItem).OrderBy(child => int.Parse(child.Key, CultureInfo.InvariantCulture));

    private static bool IsArrayItem(IConfigurationSection child) =>
        int.TryParse(child.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _);

    private static string Scalar(IConfigurationSection item, string list) => item.Value
        ?? throw new InvalidOperationException($"{list}: '{item.Key}' must be a single value, not a list or table.");
}
