using Brokkr.Tests.BrokerMetrics;

namespace Brokkr.Tests.Broker.Templates;

/// <summary>
/// The template render families against a broker in its own process (so no other test's renders count): every outcome
/// at zero from the first scrape, then exactly one per render of that outcome, and one duration per Tera render.
/// </summary>
public sealed class TemplateMetricsTests(BrokerProcess broker) : IClassFixture<BrokerProcess>
{
    private const string Renders = "brokkr_template_renders_total";
    private const string Durations = "brokkr_template_render_duration_seconds_count";
    private static readonly string[] Outcomes = ["rendered", "invalid_parameters", "render_failed", "invalid_output"];

    [Fact]
    public async Task Each_render_counts_once_under_its_outcome()
    {
        var before = await ScrapeAsync();
        Assert.All(Outcomes, outcome => Assert.Equal(0, before.Value(Renders, ("outcome", outcome))));
        Assert.Equal(Outcomes.Order(), before.LabelValues(Renders, "outcome").Order());

        var fleet = new Fleet(broker);
        var generator = await fleet.GeneratorAsync();
        var owner = broker.Client(generator.Pak);
        var stack = await fleet.StackAsync(generator);
        var template = (await owner.Send("POST", "/templates", new
        {
            name = Fleet.Unique("metrics"), template_content = "a: {{ value }}\n",
            parameters_schema = """{"type":"object","properties":{"value":{"type":"string"}}}""",
        }).Expect(201)).Id();
        Task<HttpResponseMessage> Render(object parameters) =>
            owner.Send("POST", $"/stacks/{stack}/deployment-objects/from-template", new { template_id = template, parameters });

        await Render(new { value = "ok" }).Expect(201);
        await Render(new { value = 5 }).ExpectError(400, "invalid_parameters");
        await Render(new { }).ExpectError(400, "template_render_failed");
        await Render(new { value = "[unclosed" }).ExpectError(400, "invalid_deployment_object");
        // Refused before any render: not counted.
        await owner.Send("POST", $"/stacks/{stack}/deployment-objects/from-template", new { template_id = Guid.NewGuid(), parameters = new { } })
            .ExpectError(404, "template_not_found");

        var after = await ScrapeAsync();
        Assert.All(Outcomes, outcome => Assert.Equal(1, after.Value(Renders, ("outcome", outcome))));
        // The parameters check comes before the render: three renders ran.
        Assert.Equal(3, after.Value(Durations));
    }

    private async Task<Scrape> ScrapeAsync() => new(await broker.Client(null).GetStringAsync("/metrics"));
}
