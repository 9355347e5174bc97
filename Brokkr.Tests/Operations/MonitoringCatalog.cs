using System.Text.RegularExpressions;

namespace Brokkr.Tests.Operations;

/// <summary>One row of the metrics catalog in docs/monitoring.md.</summary>
public sealed record CatalogEntry(string Section, string Family, string Type, string Labels);

/// <summary>
/// Reads the metrics catalog tables of docs/monitoring.md: every table row whose first cell is a family name in
/// backticks. <see cref="BrokkrFamilies"/> is what the catalog-versus-/metrics test compares.
/// </summary>
public static partial class MonitoringCatalog
{
    public static IReadOnlyList<CatalogEntry> Entries(string? path = null)
    {
        var entries = new List<CatalogEntry>();
        var section = "";
        foreach (var line in File.ReadLines(path ?? OperationsFiles.MonitoringDoc))
        {
            if (line.StartsWith("#", StringComparison.Ordinal))
            {
                section = line.TrimStart('#').Trim();
                continue;
            }

            var row = FamilyRow().Match(line);
            if (row.Success)
            {
                var cells = line.Trim('|').Split('|').Select(c => c.Trim()).ToArray();
                entries.Add(new CatalogEntry(section, row.Groups["family"].Value, cells[1], cells[2]));
            }
        }

        return entries;
    }

    public static IReadOnlyList<CatalogEntry> BrokkrFamilies(string section) =>
        Entries().Where(e => e.Section == section && e.Family.StartsWith("brokkr_", StringComparison.Ordinal)).ToList();

    [GeneratedRegex(@"^\|\s*`(?<family>[a-z_][a-z0-9_]*)`\s*\|")]
    private static partial Regex FamilyRow();
}
