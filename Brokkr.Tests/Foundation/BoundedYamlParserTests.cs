using System.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Brokkr.Tests.Foundation;

/// <summary>
/// The YAML guard broker, agent and stand-in share: aliases may repeat content, but not explode it, nest it deeper
/// than the limit, or refer to themselves.
/// </summary>
public sealed class BoundedYamlParserTests
{
    /// <summary>"Billion laughs": nine levels of ten aliases, 10⁹ scalars once expanded, from about 400 bytes.</summary>
    public static readonly string Laughs = BuildLaughs(levels: 9);

    [Fact]
    public void A_billion_laughs_is_refused_while_parsing_without_expanding_it()
    {
        var clock = Stopwatch.StartNew();
        var error = Assert.ThrowsAny<YamlException>(() => Load(Laughs));

        Assert.Contains("aliases expand to more than 100000 nodes", error.Message);
        Assert.True(Laughs.Length < 600, Laughs.Length.ToString());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), "the parser must refuse before expanding");
    }

    [Fact]
    public void Long_scalars_repeated_by_aliases_count_by_their_characters()
    {
        var big = new string('x', 1024 * 1024);
        var yaml = $"a: &big {big}\nb: [{string.Join(", ", Enumerable.Repeat("*big", 11))}]\n";

        var error = Assert.ThrowsAny<YamlException>(() => Load(yaml));

        Assert.Contains("characters", error.Message);
    }

    [Fact]
    public void Aliases_of_aliases_may_not_nest_deeper_than_the_limit()
    {
        // Each anchor is 30 levels deeper than the one it repeats: the text never nests 31 deep, the expansion does.
        var yaml = "a0: &a0 x\n";
        for (var i = 1; i <= 4; i++)
        {
            yaml += $"a{i}: &a{i} {new string('[', 30)}*a{i - 1}{new string(']', 30)}\n";
        }

        var error = Assert.ThrowsAny<YamlException>(() => Load(yaml));

        Assert.Contains("nested more than 100 levels deep", error.Message);
    }

    [Fact]
    public void An_alias_inside_the_node_it_names_is_refused()
    {
        var error = Assert.ThrowsAny<YamlException>(() => Load("a: &loop [x, *loop]\n"));

        Assert.Contains("refers to a node that contains it", error.Message);
    }

    [Fact]
    public void Ordinary_anchors_are_accepted_and_the_latest_definition_of_a_name_wins()
    {
        var stream = Load("""
            env: &env [{name: A, value: "1"}, {name: B, value: "2"}]
            first: *env
            second: *env
            outer: &n [&n inner, *n]
            """);

        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        Assert.Same(root["env"], root["second"]);
        Assert.Equal("inner", ((YamlScalarNode)((YamlSequenceNode)root["outer"])[1]).Value);
    }

    [Fact]
    public void Anchors_do_not_reach_into_the_next_document()
    {
        Assert.ThrowsAny<YamlException>(() => Load("a: &x 1\n---\nb: *x\n"));
    }

    [Fact]
    public void The_agent_refuses_a_billion_laughs_as_a_parse_error()
    {
        var yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: laughs}\n" + Laughs;

        var error = Assert.Throws<Brokkr.Agent.Reconcile.BundleParseException>(() => Brokkr.Agent.Reconcile.BundleParser.Parse(yaml));

        Assert.Contains("aliases expand to more than", error.Message);
    }

    private static YamlStream Load(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(Brokkr.Yaml.BoundedYamlParser.For(yaml));
        return stream;
    }

    private static string BuildLaughs(int levels)
    {
        var lines = new List<string> { "data:", "  l0: &l0 lol" };
        for (var i = 1; i <= levels; i++)
        {
            lines.Add($"  l{i}: &l{i} [{string.Join(",", Enumerable.Repeat($"*l{i - 1}", 10))}]");
        }
        return string.Join('\n', lines) + "\n";
    }
}
