using System.Globalization;
using Microsoft.Extensions.Configuration;
using Tomlyn;
using Tomlyn.Model;
using Tomlyn.Parsing;

namespace Brokkr.ServiceDefaults.Configuration;

/// <summary>A TOML file as a configuration source; its tables become sections under <see cref="KeyPrefix"/>.</summary>
public sealed class TomlConfigurationSource : FileConfigurationSource
{
    /// <summary>Section the file's keys live under ("Brokkr" so that <c>[broker] pak_hash</c> is <c>Brokkr:Broker:pak_hash</c>).</summary>
    public string? KeyPrefix { get; init; }

    public override IConfigurationProvider Build(IConfigurationBuilder builder)
    {
        EnsureDefaults(builder);
        return new TomlConfigurationProvider(this);
    }
}

public sealed class TomlConfigurationProvider(TomlConfigurationSource source) : FileConfigurationProvider(source)
{
    public override void Load(Stream stream)
    {
        using var reader = new StreamReader(stream);
        Data = TomlConfiguration.Read(reader, source.KeyPrefix);
    }
}

/// <summary>
/// Flattens a TOML document (parsed by Tomlyn) into configuration keys joined with ':'. Array items become indexed
/// keys (<c>key:0</c>, <c>key:1</c>), as JSON configuration files give them; settings that are lists read them with
/// <see cref="ConfigurationLists"/>. Scalars become invariant text; TOML dates keep their TOML form.
/// </summary>
public static class TomlConfiguration
{

    /// <exception cref="FormatException">Invalid TOML, with Tomlyn's line and column.</exception>
    public static IDictionary<string, string?> Read(TextReader reader, string? keyPrefix = null)
    {
        TomlTable document;
        try
        {
            var text = reader.ReadToEnd();
            // The serializer keeps the last of a key given twice; the strict parser's validation rejects it, as TOML does.
            SyntaxParser.ParseStrict(text, sourceName: null, validate: true);
            document = TomlSerializer.Deserialize<TomlTable>(text)
                ?? throw new FormatException("TOML: the document is empty");
        }
        catch (TomlException e)
        {
            throw new FormatException("TOML: " + e.Message, e);
        }

        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        Add(values, keyPrefix, document);
        return values;
    }

    private static void Add(Dictionary<string, string?> values, string? key, object? value)
    {
        switch (value)
        {
            case TomlTable table:
                foreach (var (name, item) in table)
                {
                    Add(values, Join(key, name), item);
                }
                break;
            case TomlTableArray tables:
                Items(values, key, tables);
                break;
            case TomlArray array:
                Items(values, key, array);
                break;
            default:
                values[key ?? ""] = value switch
                {
                    bool flag => flag ? "true" : "false",
                    IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
                    _ => value?.ToString(),
                };
                break;
        }
    }

    private static void Items(Dictionary<string, string?> values, string? key, System.Collections.IEnumerable items)
    {
        var index = 0;
        foreach (var item in items)
        {
            Add(values, Join(key, index++.ToString(CultureInfo.InvariantCulture)), item);
        }
    }

    private static string Join(string? prefix, string key) => string.IsNullOrEmpty(prefix) ? key : prefix + ":" + key;
}
