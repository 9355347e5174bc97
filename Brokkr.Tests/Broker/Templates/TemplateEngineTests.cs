using System.Text.Json;
using Brokkr.Broker.Errors;
using Brokkr.Broker.Templates;

namespace Brokkr.Tests.Broker.Templates;

/// <summary>The Tera subset the broker renders (through Fluid), and the refusal of everything outside it.</summary>
public sealed class TemplateEngineTests
{
    private static Task<string> Render(string template, string parameters = "{}") =>
        TemplateEngine.RenderAsync(template, JsonDocument.Parse(parameters).RootElement);

    public static TheoryData<string, string, string> Renders() => new()
    {
        { "name: {{ name }}", """{"name":"web"}""", "name: web" },
        { "{{ a.b[1] }}/{{ a[\"b\"][0] }}", """{"a":{"b":[1,2]}}""", "2/1" },
        { "{{ n }} {{ f }} {{ t }} {{ no }}", """{"n":3,"f":1.5,"t":true,"no":false}""", "3 1.5 true false" },
        { "{{ missing | default(value=\"x\") }} {{ here | default(value=1) }}", """{"here":"y"}""", "x y" },
        { "{{ s | upper }} {{ s | lower }} [{{ p | trim }}] {{ s | capitalize }}", """{"s":"hEllo","p":"  a b "}""", "HELLO hello [a b] Hello" },
        { "{{ s | replace(from=\"-\", to=\"_\") }}", """{"s":"a-b-c"}""", "a_b_c" },
        { "{{ v | json_encode }} {{ s | quote }}", """{"v":{"z":1,"a":[true,null,"x"]},"s":"say \"hi\": ok"}""", """{"a":[true,null,"x"],"z":1} "say \"hi\": ok" """.TrimEnd() },
        { "{{ s | b64encode }}|{{ e | b64decode }}", """{"s":"user:pa55","e":"aGk="}""", "dXNlcjpwYTU1|hi" },
        { "x:\n{{ block | indent(prefix=\"  \", first=true) }}", """{"block":"a: 1\n\nb: 2"}""", "x:\n  a: 1\n\n  b: 2" },
        { "{{ l | join(sep=\",\") }} {{ l | length }} {{ l | first }} {{ l | last }}", """{"l":["a","b","c"]}""", "a,b,c 3 a c" },
        { "{% if n > 2 and on %}big{% elif n == 2 %}two{% else %}small{% endif %}", """{"n":2,"on":true}""", "two" },
        { "{% if missing %}yes{% else %}no{% endif %}", "{}", "no" },
        { "{% for i in l %}{{ loop.index }}{{ i }}{% if loop.last %}.{% else %},{% endif %}{% endfor %}", """{"l":["a","b"]}""", "1a,2b." },
        { "{% for k, v in m %}{{ k }}={{ v }};{% endfor %}", """{"m":{"b":2,"a":1,"c":3}}""", "a=1;b=2;c=3;" },
        { "{% for i in l %}{% if i == 2 %}{% continue %}{% endif %}{% if i == 4 %}{% break %}{% endif %}{{ i }}{% endfor %}", """{"l":[1,2,3,4,5]}""", "13" },
        { "{% set greeting = name | upper %}{{ greeting }}!", """{"name":"web"}""", "WEB!" },
        { "a\n{#- a comment -#}\nb {# another #}c", "{}", "ab c" },
        { "items:\n{%- for i in l %}\n  - {{ i }}\n{%- endfor %}\nend", """{"l":[1,2]}""", "items:\n  - 1\n  - 2\nend" },
        { "{% raw %}{{ not rendered }}{% endraw %}", "{}", "{{ not rendered }}" },
        { "{{ `back` }} {{ 'single' }}", "{}", "back single" },
    };

    /// <summary>Operators Liquid lacks or reads differently, each with the output Tera gives.</summary>
    public static TheoryData<string, string, string> Operators() => new()
    {
        { "{% if not x %}y{% else %}n{% endif %}", """{"x":false}""", "y" },
        { "{% if not x %}y{% else %}n{% endif %}", """{"x":"on"}""", "n" },
        { "{% if not missing %}y{% endif %}", "{}", "y" },
        // Tera's truth, not Liquid's: 0, "", [] and {} are false.
        { "{% if a %}1{% endif %}{% if b %}2{% endif %}{% if c %}3{% endif %}{% if d %}4{% endif %}{% if e %}5{% endif %}", """{"a":0,"b":"","c":[],"d":{},"e":[0]}""", "5" },
        { "{{ not x }} {{ not y }}", """{"x":0,"y":1}""", "true false" },
        { "{% if \"a\" in l %}y{% else %}n{% endif %}", """{"l":["a","b"]}""", "y" },
        { "{% if 3 in l %}y{% else %}n{% endif %}", """{"l":[1,2]}""", "n" },
        { "{% if \"ell\" in s %}y{% endif %}{% if \"x\" not in s %}!{% endif %}", """{"s":"hello"}""", "y!" },
        { "{% if \"k\" in m %}y{% endif %}{% if \"z\" in m %}z{% endif %}", """{"m":{"k":1}}""", "y" },
        // Tera binds `and` tighter than `or`; Liquid alone would read a and (b or c).
        { "{% if a and b or c %}y{% else %}n{% endif %}", """{"a":false,"b":true,"c":true}""", "y" },
        { "{% if a or b and c %}y{% else %}n{% endif %}", """{"a":true,"b":false,"c":false}""", "y" },
        { "{% if (a or b) and c %}y{% else %}n{% endif %}", """{"a":true,"b":false,"c":false}""", "n" },
        { "{% if not a and b %}y{% else %}n{% endif %}", """{"a":false,"b":true}""", "y" },
        { "{% if n > 2 and not (n == 4 or n == 5) %}y{% else %}n{% endif %}", """{"n":5}""", "n" },
        { "{{ replicas * 2 }} {{ replicas + 1 }} {{ replicas - 5 }} {{ replicas % 2 }}", """{"replicas":3}""", "6 4 -2 1" },
        { "{{ 1 + 10 * 2 / 5 }} {{ 10 / 4 }} {{ 10 / 2 }} {{ 100 - (5 * 10) }}", "{}", "5 2.5 5 50" },
        { "{{ 1 + 1.1 }} {{ 2.0 * 2 }} {{ 0.1 + 0.2 }} {{ 3 - 1.5 }}", "{}", "2.1 4.0 0.30000000000000004 1.5" },
        { "{{ (a + b) * 2 }} {{ a + b * 2 }} {{ a - b - 1 }}", """{"a":1,"b":2}""", "6 5 -2" },
        { "{% set total = replicas * 2 + 1 %}{{ total }}", """{"replicas":3}""", "7" },
        { "{% if replicas * 2 > 5 %}big{% endif %}", """{"replicas":3}""", "big" },
        { "{% if l | length > 1 %}many{% endif %}", """{"l":[1,2]}""", "many" },
        { "{% if x is defined %}y{% else %}n{% endif %}{% if z is defined %}y{% else %}n{% endif %}", """{"x":null}""", "yn" },
        { "{% if image.tag is not defined %}latest{% endif %}{% if x is undefined and not image %}!{% endif %}", """{"image":{}}""", "latest!" },
        { "{% for i in l %}{{ loop.index * 10 }}{% if not loop.last %},{% endif %}{% endfor %}", """{"l":["a","b","c"]}""", "10,20,30" },
    };

    [Theory]
    [MemberData(nameof(Operators))]
    public async Task Renders_Tera_operators_as_Tera_does(string template, string parameters, string expected) =>
        Assert.Equal(expected, await Render(template, parameters));

    [Theory]
    [InlineData("{{ s * 2 }}", """{"s":"x"}""", "needs numbers")]
    [InlineData("{{ n / 0 }}", """{"n":1}""", "by zero")]
    [InlineData("{{ n % 0 }}", """{"n":1}""", "by zero")]
    [InlineData("{{ missing + 1 }}", "{}", "missing")]
    [InlineData("{% if 1 in n %}y{% endif %}", """{"n":5}""", "`in`")]
    [InlineData("{% if x in l %}y{% endif %}", """{"l":[]}""", "x")]
    public async Task An_operator_given_the_wrong_values_fails_the_render(string template, string parameters, string says)
    {
        var error = await Assert.ThrowsAsync<ApiException>(() => Render(template, parameters));
        Assert.Equal((400, "template_render_failed"), (error.Status, error.Code));
        Assert.Contains(says, error.Message);
    }

    [Theory]
    [MemberData(nameof(Renders))]
    public async Task Renders_the_Tera_subset_as_Tera_does(string template, string parameters, string expected) =>
        Assert.Equal(expected, await Render(template, parameters));

    public static TheoryData<string, string> Unsupported() => new()
    {
        { "{% macro m() %}x{% endmacro %}", "{% macro %}" },
        { "{% include \"other\" %}", "{% include %}" },
        { "{% extends \"base\" %}", "{% extends %}" },
        { "{% block b %}{% endblock %}", "{% block %}" },
        { "{% filter upper %}x{% endfilter %}", "{% filter %}" },
        { "{{ a ~ b }}", "`~`" },
        { "{{ a // 2 }}", "`//`" },
        { "{{ x | truncate(length=3) }}", "`truncate`" },
        { "{% if x is odd %}y{% endif %}", "`is odd`" },
        { "{% if x + 1 is defined %}y{% endif %}", "test of an expression" },
        { "{{ range(end=3) }}", "range()" },
        { "{{ [1, 2] }}", "array literal" },
        { "{% for i in l | reverse %}{% endfor %}", "filter in a for loop" },
        { "{% for i in a + b %}{% endfor %}", "expression in a for loop" },
    };

    [Theory]
    [MemberData(nameof(Unsupported))]
    public void Refuses_Tera_outside_the_subset_naming_the_construct(string template, string construct)
    {
        var error = Assert.Throws<ApiException>(() => TemplateEngine.Compile(template));
        Assert.Equal((422, "unsupported_template_construct"), (error.Status, error.Code));
        Assert.Contains(construct, error.Message);
        Assert.Contains(construct, (string)error.Details!["construct"]);
    }

    [Theory]
    [InlineData("name: {{ name")]
    [InlineData("{% if x %}open")]
    [InlineData("{% for i in l %}{% endif %}")]
    [InlineData("{% endfor %}")]
    [InlineData("{{ x | replace(from=\"a\") }}")]
    [InlineData("{{ x | default(val=1) }}")]
    [InlineData("{# never closed")]
    [InlineData("{{ }}")]
    [InlineData("{{ 'unterminated }}")]
    [InlineData("{% else %}")]
    [InlineData("{{ a == }}")]
    [InlineData("{{ a + }}")]
    [InlineData("{{ (a + 1 }}")]
    [InlineData("{% if a and %}y{% endif %}")]
    [InlineData("{% if not %}y{% endif %}")]
    [InlineData("{{ ((((((((((((((((((((((((((((((((((((((((((((((((((((x)))))))))))))))))))))))))))))))))))))))))))))))))))) }}")]
    public void Refuses_malformed_Tera_as_a_syntax_error(string template)
    {
        var error = Assert.Throws<ApiException>(() => TemplateEngine.Compile(template));
        Assert.Equal((400, "invalid_template_syntax"), (error.Status, error.Code));
    }

    [Theory]
    [InlineData("{{ missing }}", "{}", "missing")]
    [InlineData("{{ image.tag }}", """{"image":{}}""", "image.tag")]
    [InlineData("{{ missing | upper }}", "{}", "missing")]
    [InlineData("{% for i in missing %}{{ i }}{% endfor %}", "{}", "missing")]
    [InlineData("{{ l | join(sep=\",\") }}", """{"l":"not a list"}""", "array")]
    public async Task A_variable_the_parameters_lack_fails_the_render_instead_of_printing_nothing(string template, string parameters, string named)
    {
        var error = await Assert.ThrowsAsync<ApiException>(() => Render(template, parameters));
        Assert.Equal((400, "template_render_failed"), (error.Status, error.Code));
        Assert.Contains(named, error.Message);
    }

    [Fact]
    public async Task Deep_nesting_is_refused_not_recursed_into()
    {
        var template = "{% if " + string.Concat(Enumerable.Repeat("not (", 100_000)) + "x" + new string(')', 100_000) + " %}y{% endif %}";
        var error = Assert.Throws<ApiException>(() => TemplateEngine.Compile(template));
        Assert.Equal("invalid_template_syntax", error.Code);
        Assert.Equal("y", await Render("{% if not (not (x)) %}y{% endif %}", """{"x":1}"""));
    }

    [Fact]
    public async Task A_render_that_runs_away_is_stopped()
    {
        var error = await Assert.ThrowsAsync<ApiException>(() =>
            Render("{% for a in l %}{% for b in l %}{% for c in l %}{% for d in l %}x{% endfor %}{% endfor %}{% endfor %}{% endfor %}",
                "{\"l\":[" + string.Join(",", Enumerable.Range(0, 100)) + "]}"));
        Assert.Equal("template_render_failed", error.Code);
    }
}
