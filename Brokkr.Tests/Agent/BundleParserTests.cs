using Brokkr.Agent.Reconcile;

namespace Brokkr.Tests.Agent;

public sealed class BundleParserTests
{
    [Fact]
    public void Documents_are_typed_like_yaml_and_namespaces_and_crds_come_first()
    {
        var objects = BundleParser.Parse("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: shop}
            spec:
              replicas: 3
              paused: false
              template: {metadata: {annotations: {version: "3"}}}
            ---
            ---
            # a comment-only document is skipped
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: shop}
            """);

        Assert.Equal(["Namespace", "Deployment"], objects.Select(o => o["kind"]!.GetValue<string>()));
        var spec = objects[1]["spec"]!;
        Assert.Equal(3, spec["replicas"]!.GetValue<long>());
        Assert.False(spec["paused"]!.GetValue<bool>());
        Assert.Equal("3", spec["template"]!["metadata"]!["annotations"]!["version"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("kind: ConfigMap\nmetadata: {name: a}", "has no apiVersion")]
    [InlineData("apiVersion: v1\nmetadata: {name: a}", "has no kind")]
    [InlineData("apiVersion: v1\nkind: ConfigMap\nmetadata: {}", "has no metadata.name")]
    [InlineData("- just\n- a list", "is not a mapping")]
    [InlineData("apiVersion: v1\nkind: [unclosed", "invalid YAML")]
    public void Malformed_documents_are_rejected_with_a_reason(string yaml, string reason)
    {
        var error = Assert.Throws<BundleParseException>(() => BundleParser.Parse(yaml));

        Assert.Contains(reason, error.Message);
    }

    [Theory]
    [InlineData("flow")]
    [InlineData("block")]
    public void Nesting_too_deep_to_convert_safely_is_a_parse_error_not_a_stack_overflow(string style)
    {
        const int levels = 100_000;
        var nested = style == "flow"
            ? new string('[', levels) + new string(']', levels)
            : "\n    " + string.Concat(Enumerable.Repeat("- ", levels)) + "x"; // "- - - x": sequences in sequences
        var yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata:\n  k: " + nested;

        var error = Assert.Throws<BundleParseException>(() => BundleParser.Parse(yaml));

        Assert.Contains("nested more than 100 levels deep", error.Message);
    }

    [Fact]
    public void Nesting_as_deep_as_real_schemas_is_accepted()
    {
        var yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata: " + new string('[', 99) + new string(']', 99);

        Assert.Single(BundleParser.Parse(yaml));
    }

    [Fact]
    public void Empty_content_is_no_objects()
    {
        Assert.Empty(BundleParser.Parse(""));
    }
}
