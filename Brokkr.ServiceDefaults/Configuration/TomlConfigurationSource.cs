using Microsoft.Extensions.Configuration;

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
        Data = TomlReader.Read(reader, source.KeyPrefix);
    }
}
