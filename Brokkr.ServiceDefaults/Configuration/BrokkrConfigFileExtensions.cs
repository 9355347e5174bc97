using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.CommandLine;
using Microsoft.Extensions.Configuration.EnvironmentVariables;

namespace Brokkr.ServiceDefaults.Configuration;

public static class BrokkrConfigFileExtensions
{
    /// <summary>Environment variable naming the optional TOML configuration file (upstream's name).</summary>
    public const string ConfigFileVariable = "BROKKR_CONFIG_FILE";

    /// <summary>
    /// Adds the TOML file named by <c>BROKKR_CONFIG_FILE</c> (if set) under the "Brokkr" section. Brokkr's precedence
    /// is defaults → file → environment, so the file is inserted before the first environment-variable or
    /// command-line source already present instead of appended after them. A named file that does not exist is an
    /// error: a typo in the path must not silently start the service on defaults.
    /// </summary>
    public static IConfigurationBuilder AddBrokkrConfigFile(this IConfigurationBuilder builder, string? path = null)
    {
        path ??= Environment.GetEnvironmentVariable(ConfigFileVariable);
        if (string.IsNullOrWhiteSpace(path))
        {
            return builder;
        }

        var source = new TomlConfigurationSource
        {
            Path = System.IO.Path.GetFullPath(path),
            Optional = false,
            ReloadOnChange = false,
            KeyPrefix = "Brokkr",
        };
        source.ResolveFileProvider();

        var index = builder.Sources
            .Select((s, i) => (s, i))
            .FirstOrDefault(x => x.s is EnvironmentVariablesConfigurationSource or CommandLineConfigurationSource, (null!, -1)).Item2;
        if (index < 0)
        {
            builder.Add(source);
        }
        else
        {
            builder.Sources.Insert(index, source);
        }
        return builder;
    }
}
