using Brokkr.Broker.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Brokkr.Tests.Broker;

/// <summary>PAKs and the database password never reach the logs, even with every category at Trace (issue: "PAKs and passwords never logged").</summary>
public sealed class SecretsTests(SecretsTests.TraceLoggingBroker broker) : IClassFixture<SecretsTests.TraceLoggingBroker>
{
    public sealed class TraceLoggingBroker : LogCapturingBrokerHost
    {
        /// <summary>Sent URL-encoded in upstream's database URL (the test cluster trusts every login, so any password works).</summary>
        public const string DatabasePassword = "Db-Secret/Pass:word";

        protected override IReadOnlyDictionary<string, string?> ExtraSettings
        {
            get
            {
                var database = new NpgsqlConnectionStringBuilder(ConnectionString);
                return new Dictionary<string, string?>
                {
                    ["Logging:LogLevel:Default"] = "Trace",
                    ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Trace",
                    ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
                    ["Logging:LogLevel:System.Net.Http"] = "Trace",
                    // Aspire's connection string would win; the URL with a password is the form that carries one in production.
                    ["ConnectionStrings:brokkr"] = "",
                    ["Brokkr:Database:url"] =
                        $"postgres://{database.Username}:{Uri.EscapeDataString(DatabasePassword)}@{database.Host}:{database.Port}/{database.Database}",
                };
            }
        }
    }

    [Fact]
    public async Task No_PAK_long_token_or_database_password_appears_in_any_log_line()
    {
        var fleet = new Fleet(broker);
        var generator = await fleet.GeneratorAsync();
        var agent = await fleet.AgentAsync(generator.Id);
        await broker.Client(agent.Pak).Send("POST", "/auth/pak").Expect(200);
        var rotated = (await broker.Client(agent.Pak).Send("POST", $"/agents/{agent.Id}/rotate-pak").Expect(200)).Str("pak");
        const string unknown = "brokkr_BRzzzzzz_UnknownLongTokenThatMustNotBeLogged1";
        using (await broker.Client(unknown).Send("GET", "/generators")) { }
        using (await broker.Client(generator.Pak).Send("GET", "/no-such-route")) { }
        // A failing request path logs too: a bad body after authentication.
        using (await broker.Client(generator.Pak).Send("POST", "/stacks", BrokerHttp.Raw("{", "application/json"))) { }

        Assert.NotEmpty(broker.Lines); // the capture works: Trace produces plenty
        // The broker really took the password-carrying URL.
        var resolved = new NpgsqlConnectionStringBuilder(DatabaseConnection.Resolve(broker.Services.GetRequiredService<IConfiguration>()));
        Assert.Equal(TraceLoggingBroker.DatabasePassword, resolved.Password);
        // While the public development key is accepted, the broker says so (spec §2.6) — without printing it.
        Assert.Contains(broker.Lines, line => line.Contains("PUBLIC DEVELOPMENT ADMIN PAK", StringComparison.Ordinal));
        foreach (var pak in new[] { BrokerHost.DevAdminPak, generator.Pak, agent.Pak, rotated, unknown })
        {
            var longToken = pak.Split('_')[2];
            Assert.DoesNotContain(broker.Lines, line => line.Contains(longToken, StringComparison.Ordinal));
        }
        foreach (var password in new[] { TraceLoggingBroker.DatabasePassword, Uri.EscapeDataString(TraceLoggingBroker.DatabasePassword) })
        {
            Assert.DoesNotContain(broker.Lines, line => line.Contains(password, StringComparison.Ordinal));
        }
    }
}
