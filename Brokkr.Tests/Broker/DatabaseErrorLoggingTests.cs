using Microsoft.Extensions.Logging;

namespace Brokkr.Tests.Broker;

/// <summary>
/// A request the database refuses because of the client (a duplicate name, a NUL character) is a 4xx, not a broker
/// failure: it leaves one Information line naming the code and constraint, and no Error with a stack trace.
/// </summary>
public sealed class DatabaseErrorLoggingTests(DatabaseErrorLoggingTests.InformationLoggingBroker broker)
    : IClassFixture<DatabaseErrorLoggingTests.InformationLoggingBroker>
{
    public sealed class InformationLoggingBroker : LogCapturingBrokerHost
    {
        protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Information",
        };
    }

    [Fact]
    public async Task A_unique_violation_and_a_refused_query_value_log_one_Information_line_each_and_no_error()
    {
        var admin = broker.Client();
        var name = Fleet.Unique("dup");
        await admin.Send("POST", "/generators", new { name }).Expect(201);
        broker.Lines.Clear();

        await admin.Send("POST", "/generators", new { name }).ExpectError(409, "unique_violation");
        await admin.Send("GET", "/agents/?name=%00&cluster_name=c").ExpectError(422, "invalid_value");

        var errors = broker.Lines.Where(l => l.Contains(" Error: ") || l.Contains(" Critical: ")).ToList();
        Assert.True(errors.Count == 0, "error lines for client mistakes:\n" + string.Join("\n", errors));
        Assert.Single(broker.Lines, l => l.Contains(" Information: ") && l.Contains("409 unique_violation") && l.Contains("unique_generator_name"));
        Assert.Single(broker.Lines, l => l.Contains(" Information: ") && l.Contains("422 invalid_value") && l.Contains("22021"));
    }
}
