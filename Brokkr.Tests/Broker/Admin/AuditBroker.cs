using System.Text.Json;
using Npgsql;

namespace Brokkr.Tests.Broker.Admin;

/// <summary>A broker with a webhook key (so subscriptions can be audited) and audit retention running every second.</summary>
public sealed class AuditBroker : BrokerHost
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
    {
        ["Brokkr:Broker:webhook_encryption_key"] = Webhooks.WebhookBroker.Key,
        ["Brokkr:Broker:audit_log_cleanup_interval_seconds"] = "1",
    };

    /// <summary>Polls the audit API until <paramref name="done"/> holds for the entries a query returns (the writer is asynchronous).</summary>
    public async Task<List<JsonElement>> AuditAsync(string query, Func<List<JsonElement>, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var logs = (await Client().Send("GET", "/admin/audit-logs?" + query).Expect(200)).GetProperty("logs").EnumerateArray().ToList();
            if (done(logs))
            {
                return logs;
            }
            Assert.True(DateTime.UtcNow < deadline, $"audit entries for {query} never matched: {string.Join("\n", logs)}");
            await Task.Delay(50);
        }
    }

    public async Task<long> ScalarAsync(string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }
}
