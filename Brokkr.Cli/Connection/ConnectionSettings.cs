using Tomlyn;
using Tomlyn.Model;

namespace Brokkr.Cli.Connection;

/// <summary>
/// The broker URL and PAK for a run, each from the first source that has a non-blank value: the flag
/// (<c>--broker-url</c>, <c>--pak</c>), the environment (<c>BROKKR_BROKER_URL</c>, <c>BROKKR_PAK</c>), the config file
/// (<c>broker_url</c>, <c>pak</c> in TOML at <c>--config</c> or <c>~/.brokkr/config</c>) — upstream's names.
/// </summary>
public sealed record ConnectionSettings(Uri ApiBase, string Pak)
{
    public const string UrlVariable = "BROKKR_BROKER_URL";
    public const string PakVariable = "BROKKR_PAK";
    private const string ApiPath = "/api/v1";

    /// <exception cref="CliFailure">A setting is missing, the URL is not http(s), or the config file is unreadable.</exception>
    public static ConnectionSettings Resolve(string? urlFlag, string? pakFlag, string? configFlag, CliConsole console)
    {
        var file = new Lazy<TomlTable?>(() => ReadConfig(configFlag, console.HomeDirectory));
        var url = First(urlFlag, console.Environment(UrlVariable), () => Value(file.Value, "broker_url"))
            ?? throw Missing("broker URL", "--broker-url", UrlVariable, "broker_url");
        var pak = First(pakFlag, console.Environment(PakVariable), () => Value(file.Value, "pak"))
            ?? throw Missing("PAK", "--pak", PakVariable, "pak");
        return new ConnectionSettings(ApiBaseOf(url), pak.Trim());
    }

    /// <summary><c>https://broker.example.com</c> and <c>…/api/v1</c> both mean <c>…/api/v1/</c> (never doubled).</summary>
    public static Uri ApiBaseOf(string url)
    {
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new CliFailure(CliExitCodes.Usage, $"the broker URL must be an http:// or https:// URL, not '{url}'");
        }
        var path = uri.AbsolutePath.TrimEnd('/');
        if (!path.EndsWith(ApiPath, StringComparison.Ordinal))
        {
            path += ApiPath;
        }
        return new UriBuilder(uri) { Path = path + "/", Query = "", Fragment = "" }.Uri;
    }

    private static string? First(string? flag, string? environment, Func<string?> file) =>
        new[] { flag, environment }.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v)) ?? (file() is { } v && !string.IsNullOrWhiteSpace(v) ? v : null);

    private static string? Value(TomlTable? table, string key) =>
        table is not null && table.TryGetValue(key, out var value) ? value as string : null;

    /// <summary>The config file as TOML; null when the default file does not exist (an explicit --config must).</summary>
    private static TomlTable? ReadConfig(string? configFlag, string home)
    {
        var path = string.IsNullOrWhiteSpace(configFlag) ? Path.Combine(home, ".brokkr", "config") : configFlag;
        if (!File.Exists(path))
        {
            return configFlag is null ? null : throw new CliFailure(CliExitCodes.Usage, $"config file {path} does not exist");
        }
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliFailure(CliExitCodes.Usage, $"cannot read config file {path}: {e.Message}");
        }
        try
        {
            return TomlSerializer.Deserialize<TomlTable>(text) ?? new TomlTable();
        }
        catch (TomlException e)
        {
            // Tomlyn's message gives the line and column of the fault.
            throw new CliFailure(CliExitCodes.Usage, $"config file {path} is not valid TOML: {e.Message}");
        }
    }

    private static CliFailure Missing(string what, string flag, string variable, string key) => new(CliExitCodes.Usage,
        $"no {what}: pass {flag}, set {variable}, or put {key} in ~/.brokkr/config");
}
