using Brokkr.ServiceDefaults.Configuration;

namespace Brokkr.Tests.ServiceDefaults;

public sealed class TomlReaderTests
{
    private static IDictionary<string, string?> Read(string toml, string? prefix = null) => TomlReader.Read(new StringReader(toml), prefix);

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

    [Theory]
    [InlineData("key", "TOML line 1: expected '=' at column 4")]
    [InlineData("a = 1\nkey = \"unterminated", "TOML line 2: unterminated string")]
    [InlineData("key =", "TOML line 1: missing value")]
    [InlineData("when = 1979-05-27", "TOML line 1: unsupported value '1979-05-27'")]
    [InlineData("point = { x = 1 }", "TOML line 1: unsupported value '{'")]
    [InlineData("flag = True", "TOML line 1: unsupported value 'True'")]
    [InlineData("[[agents]]", "TOML line 1: only simple [table] headers are supported")]
    [InlineData("bad = \"\\q\"", "TOML line 1: unknown escape '\\q'")]
    [InlineData("list = [1, 2", "TOML line 1: expected ',' or ']' in the array for 'list'")]
    [InlineData("a = 1 2", "TOML line 1: unexpected '2'")]
    [InlineData("# first\npath = \"/a\"\npath = \"/b\"", "TOML line 3: 'path' is defined twice")]
    [InlineData("[m]\nx = [1]\n[m]\nx = 2", "TOML line 4: 'm:x' is defined twice")]
    public void Malformed_input_is_an_error_naming_the_line(string toml, string message)
    {
        var error = Assert.Throws<FormatException>(() => Read(toml));
        Assert.Equal(message, error.Message);
    }
}
