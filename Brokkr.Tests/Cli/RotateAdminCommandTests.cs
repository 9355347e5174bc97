using Brokkr.Broker.Authentication;
using Brokkr.Broker.Commands;
using Brokkr.Tests.Broker;
using Brokkr.Tests.Infrastructure;

namespace Brokkr.Tests.Cli;

/// <summary>
/// <c>rotate admin</c> on a running broker's database (a broker of its own: it changes the admin key): minted when
/// <c>broker.pak_hash</c> is empty, taken from it when set; the replaced key stops working at once.
/// </summary>
public sealed class RotateAdminCommandTests(BrokerHost broker) : IClassFixture<BrokerHost>
{
    private Task<CommandResult> Run(string? pakHash) => CommandRun.BrokerAsync(broker.ConnectionString, ["rotate", "admin"],
        pakHash is null ? null : new Dictionary<string, string?> { ["Brokkr:Broker:pak_hash"] = pakHash });

    [Fact]
    public async Task Rotate_admin_mints_a_key_when_no_hash_is_configured_and_takes_the_configured_hash_otherwise()
    {
        await broker.Client().Send("POST", "/auth/pak").Expect(200);

        var minted = (await Run(pakHash: "")).Expect(BrokerExitCodes.Success);
        var pak = minted.Line("Admin PAK");
        Assert.Equal(PakFormat.HashOf(pak), minted.Line("PAK hash (for broker.pak_hash / BROKKR__BROKER__PAK_HASH)"));
        Assert.True((await broker.Client(pak).Send("POST", "/auth/pak").Expect(200)).GetProperty("admin").GetBoolean());
        await Eventually.Unauthorized(broker, BrokerHost.DevAdminPak);

        // The default configuration's hash is the development key's: rotating with it brings that key back.
        var configured = (await Run(pakHash: null)).Expect(BrokerExitCodes.Success);
        Assert.Contains("No PAK was minted", configured.Out);
        Assert.DoesNotContain("brokkr_", configured.Output);
        // The broker remembers a refused PAK for a few seconds (AuthFailureLimiter), so the restored key is polled for.
        await Eventually.Authorized(broker, BrokerHost.DevAdminPak);
        await Eventually.Unauthorized(broker, pak);

        Assert.Contains("Admin key unchanged", (await Run(pakHash: null)).Expect(BrokerExitCodes.Success).Out);
        var invalid = (await Run(pakHash: "not-a-hash")).Expect(BrokerExitCodes.InvalidConfiguration);
        Assert.Contains("Brokkr:Broker:pak_hash must be 64 hexadecimal characters", invalid.Error);
        await broker.Client().Send("POST", "/auth/pak").Expect(200);

        // Two changes of the admin key, two entries; the unchanged and the refused runs record nothing, and no entry
        // holds the minted PAK.
        var rotations = (await broker.Client().Send("GET", "/admin/audit-logs?action=pak.rotated").Expect(200)).GetProperty("logs")
            .EnumerateArray().Where(e => e.GetProperty("details").Str("owner_type") == "admin").ToList();
        Assert.Equal(2, rotations.Count);
        Assert.All(rotations, e => Assert.Equal(("admin", "rotate admin"), (e.Str("actor_type"), e.GetProperty("details").Str("command"))));
        Assert.All(rotations, e => Assert.DoesNotContain(pak, e.GetRawText()));
    }

    [Fact]
    public Task Rotate_admin_refuses_a_database_the_broker_never_started_on() => OnFreshDatabaseAsync(async connectionString =>
    {
        var refused = (await CommandRun.BrokerAsync(connectionString, ["rotate", "admin"])).Expect(BrokerExitCodes.Refused);
        Assert.Contains("has not started on this database yet", refused.Error);
    });

    [Fact]
    public Task Without_migrations_a_database_without_the_schema_is_reported_as_unusable() => OnFreshDatabaseAsync(async connectionString =>
    {
        var unmigrated = await CommandRun.BrokerAsync(connectionString, ["create", "generator", "--name", "g"],
            new Dictionary<string, string?> { ["Brokkr:Broker:migrate_on_startup"] = "false" });
        Assert.Contains("the database has no Brokkr schema", unmigrated.Expect(BrokerExitCodes.DatabaseUnavailable).Error);
    });

    private static async Task OnFreshDatabaseAsync(Func<string, Task> test)
    {
        var database = new PostgresDatabaseFixture();
        await database.InitializeAsync();
        try
        {
            await test(database.ConnectionString);
        }
        finally
        {
            await database.DisposeAsync();
        }
    }
}
