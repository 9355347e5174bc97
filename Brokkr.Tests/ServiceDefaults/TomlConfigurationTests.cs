using Brokkr.ServiceDefaults.Configuration;

namespace Brokkr.Tests.ServiceDefaults;

public sealed class TomlConfigurationTests
{
    private static IDictionary<string, string?> Read(string toml, string? prefix = null) => TomlConfiguration.Read(new StringReader(toml), prefix);

    [Fact]
    public void Strings_basic_with_escapes_and_literal_without()
    {
        var values = Read("""
            basic = "tab\there \"quoted\" \\ caf\u00e9 \U0001F600"
            literal = 'C:\temp\new'
            hash = "not # a comment" # but this is
            empty = ""
            """);

        Assert.Equal("tab\there \"quoted\" \\ café 😀", values["basic"]);
        Assert.Equal(@"C:\temp\new", values["literal"]);
        Assert.Equal("not # a comment", values["hash"]);
        Assert.Equal("", values["empty"]);
    }

    [Fact]
    public void Numbers_and_booleans_become_invariant_text()
    {
        var values = Read("""
            count = 1_000
            negative = -5
            positive = +3
            ratio = 0.25
            exponent = 1e3
            on = true
            off = false
            """);

        Assert.Equal(
            new Dictionary<string, string?>
            {
                ["count"] = "1000", ["negative"] = "-5", ["positive"] = "3", ["ratio"] = "0.25", ["exponent"] = "1000",
                ["on"] = "true", ["off"] = "false",
            },
            values);
    }

    [Fact]
    public void Arrays_become_indexed_keys_also_across_lines()
    {
        var values = Read("""
            labels = ["env=prod", "team=a,b", "odd=]"]
            buckets = [
              0.1,   # fast
              0.5,
              1,     # trailing comma next
            ]
            none = []
            """);

        Assert.Equal(
            new Dictionary<string, string?>
            {
                ["labels:0"] = "env=prod", ["labels:1"] = "team=a,b", ["labels:2"] = "odd=]",
                ["buckets:0"] = "0.1", ["buckets:1"] = "0.5", ["buckets:2"] = "1",
            },
            values);
    }

    [Fact]
    public void Tables_dotted_and_quoted_keys_nest_under_the_prefix()
    {
        var values = Read("""
            # a comment line
            top = 1

            [metrics]
            path = "/m"
            buckets.brokkr_x_seconds = [1, 5]

            [metrics.global_labels]
            env = "prod"
            "quoted.key" = "q"

            [ broker . "deep table" ]
            key-with-dash = 2
            """, "Brokkr");

        Assert.Equal(
            new Dictionary<string, string?>
            {
                ["Brokkr:top"] = "1",
                ["Brokkr:metrics:path"] = "/m",
                ["Brokkr:metrics:buckets:brokkr_x_seconds:0"] = "1",
                ["Brokkr:metrics:buckets:brokkr_x_seconds:1"] = "5",
                ["Brokkr:metrics:global_labels:env"] = "prod",
                ["Brokkr:metrics:global_labels:quoted.key"] = "q",
                ["Brokkr:broker:deep table:key-with-dash"] = "2",
            },
            values);
    }

    [Fact]
    public void Inline_tables_arrays_of_tables_and_dates_are_read_too()
    {
        var values = Read("""
            point = { x = 1, y = "two" }
            when = 1979-05-27
            [[agents]]
            name = "a"
            [[agents]]
            name = "b"
            """);

        Assert.Equal(
            new Dictionary<string, string?>
            {
                ["point:x"] = "1", ["point:y"] = "two", ["when"] = "1979-05-27", ["agents:0:name"] = "a", ["agents:1:name"] = "b",
            },
            values);
    }

    [Theory]
    [InlineData("key", 1)]
    [InlineData("a = 1\nkey = \"unterminated", 2)]
    [InlineData("key =", 1)]
    [InlineData("flag = True", 1)]
    [InlineData("bad = \"\\q\"", 1)]
    [InlineData("list = [1, 2", 1)]
    [InlineData("a = 1 2", 1)]
    [InlineData("# first\npath = \"/a\"\npath = \"/b\"", 3)]
    [InlineData("[m]\nx = [1]\n[m]\nx = 2", 3)]
    public void Malformed_input_is_an_error_naming_the_line(string toml, int line)
    {
        var error = Assert.Throws<FormatException>(() => Read(toml));
        Assert.StartsWith("TOML: ", error.Message);
        Assert.Contains($"({line},", error.Message);
    }
}
