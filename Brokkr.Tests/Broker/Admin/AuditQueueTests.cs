using System.Diagnostics;
using Brokkr.Tests.BrokerMetrics;
using Npgsql;

namespace Brokkr.Tests.Broker.Admin;

/// <summary>A broker whose audit queue holds three entries, written one per INSERT.</summary>
public sealed class SmallAuditQueueBroker : BrokerHost
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
    {
        ["Brokkr:Broker:audit_queue_capacity"] = "3",
        ["Brokkr:Broker:audit_batch_size"] = "1",
    };
}

/// <summary>Auditing stays off the request path: a writer stuck on the database neither blocks nor fails a request.</summary>
public sealed class AuditQueueTests(SmallAuditQueueBroker broker) : IClassFixture<SmallAuditQueueBroker>
{
    [Fact]
    public async Task A_full_queue_drops_and_counts_entries_while_requests_go_on()
    {
        var writtenBefore = (await ScrapeAsync()).Value("brokkr_audit_entries_written_total");
        await using var connection = new NpgsqlConnection(broker.ConnectionString);
        await connection.OpenAsync();
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            // The writer's next INSERT waits on this lock until the transaction ends.
            await using (var lockTable = new NpgsqlCommand("LOCK TABLE audit_logs IN ACCESS EXCLUSIVE MODE", connection, transaction))
            {
                await lockTable.ExecuteNonQueryAsync();
            }
            using var anonymous = new HttpClient { BaseAddress = broker.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < 10; i++)
            {
                Assert.Equal(401, (int)(await anonymous.GetAsync("/api/v1/stacks")).StatusCode);
            }
            // An audited write succeeds too; its two entries have no room.
            await broker.Client().Send("POST", "/generators", new { name = Fleet.Unique("unaudited") }).Expect(201);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"requests took {clock.Elapsed} while the audit table was locked");

            // One entry is in the blocked INSERT, three wait; the other eight were dropped.
            var scrape = await PollAsync(s => s.Value("brokkr_audit_entries_dropped_total", ("reason", "queue_full")) >= 8);
            Assert.Equal(3, scrape.Value("brokkr_audit_queue_depth"));
            Assert.Equal(0, scrape.Value("brokkr_audit_entries_dropped_total", ("reason", "write_failed")));
            await transaction.RollbackAsync();
        }

        // Released, the writer catches up with what it kept.
        var caughtUp = await PollAsync(s => s.Value("brokkr_audit_queue_depth") == 0
            && s.Value("brokkr_audit_entries_written_total") >= writtenBefore + 4);
        Assert.Equal(writtenBefore + 4, caughtUp.Value("brokkr_audit_entries_written_total"));
    }

    private async Task<Scrape> ScrapeAsync()
    {
        using var client = new HttpClient { BaseAddress = broker.BaseAddress };
        return new Scrape(await client.GetStringAsync("/metrics"));
    }

    private async Task<Scrape> PollAsync(Func<Scrape, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var scrape = await ScrapeAsync();
            if (done(scrape))
            {
                return scrape;
            }
            Assert.True(DateTime.UtcNow < deadline, "the audit metrics never got there:\n" + string.Join("\n",
                scrape.Text.Split('\n').Where(l => l.StartsWith("brokkr_audit", StringComparison.Ordinal))));
            await Task.Delay(100);
        }
    }
}

/// <summary>A broker keeping three <c>auth.failed</c> entries per address and minute.</summary>
public sealed class AuthFailureBudgetBroker : BrokerHost
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
    {
        ["Brokkr:Broker:audit_auth_failures_per_minute"] = "3",
    };
}

/// <summary>A client without a valid PAK cannot flood the audit table: its first 401s are kept, the rest counted.</summary>
public sealed class AuthFailureAuditBudgetTests(AuthFailureBudgetBroker broker) : IClassFixture<AuthFailureBudgetBroker>
{
    [Fact]
    public async Task Past_the_budget_401s_are_counted_not_recorded()
    {
        using var anonymous = new HttpClient { BaseAddress = broker.BaseAddress };
        for (var i = 0; i < 6; i++)
        {
            Assert.Equal(401, (int)(await anonymous.GetAsync($"/api/v1/stacks?attempt={i}")).StatusCode);
        }
        using var metrics = new HttpClient { BaseAddress = broker.BaseAddress };
        var scrape = new Scrape(await metrics.GetStringAsync("/metrics"));
        Assert.Equal(3, scrape.Value("brokkr_audit_entries_dropped_total", ("reason", "rate_limited")));

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (new Scrape(await metrics.GetStringAsync("/metrics")).Value("brokkr_audit_entries_written_total") < 3)
        {
            Assert.True(DateTime.UtcNow < deadline, "the kept auth.failed entries were never written");
            await Task.Delay(50);
        }
        var logs = await broker.Client().Send("GET", "/admin/audit-logs?action=auth.failed").Expect(200);
        Assert.Equal(3, logs.GetProperty("total").GetInt64());
    }
}
