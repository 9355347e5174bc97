using System.Reflection;
using System.Text.RegularExpressions;
using Brokkr.Tests.AppHost.Testing;
using Microsoft.Extensions.Configuration;

namespace Brokkr.Tests.Documentation;

/// <summary>The docs a user reads stand on their own: links stay inside the repository, every setting is documented.</summary>
public sealed partial class DocumentationTests
{
    private static readonly string[] Pages =
        [.. Directory.GetFiles(Path.Combine(RepositoryRoot.Path, "docs"), "*.md", SearchOption.AllDirectories),
         Path.Combine(RepositoryRoot.Path, "README.md")];

    [Fact]
    public void The_user_docs_exist()
    {
        foreach (var page in new[] { "architecture.md", "api.md", "configuration.md", "monitoring.md", "benchmarks.md" })
        {
            Assert.True(File.Exists(Path.Combine(RepositoryRoot.Path, "docs", page)), $"docs/{page} is missing");
        }
    }

    [Fact]
    public void Every_relative_link_resolves_to_a_file_inside_the_repository()
    {
        var broken = new List<string>();
        foreach (var page in Pages)
        {
            foreach (Match link in MarkdownLink().Matches(File.ReadAllText(page)))
            {
                var target = link.Groups["target"].Value.Split('#')[0];
                if (target.Length == 0 || target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal))
                {
                    continue;
                }
                var resolved = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(page)!, target));
                var inside = resolved.StartsWith(RepositoryRoot.Path + Path.DirectorySeparatorChar, StringComparison.Ordinal);
                if (!inside || !(File.Exists(resolved) || Directory.Exists(resolved)))
                {
                    broken.Add($"{Path.GetRelativePath(RepositoryRoot.Path, page)}: {link.Value}");
                }
            }
        }

        Assert.True(broken.Count == 0, "links that leave the repository or lead nowhere:\n" + string.Join('\n', broken));
    }

    [Fact]
    public void Every_setting_of_broker_agent_and_service_defaults_is_in_the_configuration_page()
    {
        var page = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "configuration.md"));
        var keys = SettingsOf(typeof(Brokkr.Broker.BrokerApp).Assembly)
            .Concat(SettingsOf(typeof(Brokkr.Agent.AgentApp).Assembly))
            .Concat(SettingsOf(typeof(Microsoft.Extensions.Hosting.ServiceDefaultsExtensions).Assembly))
            .ToList();

        Assert.Contains("BROKKR__BROKER__PAK_HASH", keys);
        Assert.Contains("BROKKR__AGENT__POLLING_INTERVAL", keys);
        var missing = keys.Where(k => !page.Contains($"`{k}`", StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, "docs/configuration.md lacks:\n" + string.Join('\n', missing));
    }

    /// <summary>
    /// BROKKR__SECTION__KEY of every bindable property of the options classes: those with a <c>Section</c> or
    /// <c>SectionName</c> constant under <c>Brokkr:</c>, keyed as the binder keys them.
    /// </summary>
    private static IEnumerable<string> SettingsOf(Assembly assembly)
    {
        foreach (var type in assembly.GetTypes())
        {
            var section = type.GetFields(BindingFlags.Public | BindingFlags.Static)
                .Where(f => f.IsLiteral && f.Name is "Section" or "SectionName")
                .Select(f => f.GetRawConstantValue() as string)
                .FirstOrDefault(s => s?.StartsWith("Brokkr:", StringComparison.Ordinal) == true);
            if (section is null)
            {
                continue;
            }
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod?.IsPublic == true))
            {
                var key = property.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name ?? property.Name;
                yield return $"BROKKR__{section["Brokkr:".Length..].Replace(":", "__", StringComparison.Ordinal)}__{key}".ToUpperInvariant();
            }
        }
    }

    [GeneratedRegex(@"\[[^\]]*\]\((?<target>[^)\s]+)\)")]
    private static partial Regex MarkdownLink();
}
