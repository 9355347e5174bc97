using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Brokkr.Broker.Data.Migrations;

/// <summary>
/// Issue 21: indexes that let the fleet view read in proportion to the fleet rather than to its history — an agent's
/// newest event by one index probe (not a scan of every event ever reported), only the unhealthy health rows (most
/// are healthy), and the acknowledgements of the newest objects only (the pending count's anti-join). Plain CREATE
/// INDEX inside the migration's transaction: on a large agent_events table this blocks event writes while it builds.
/// </summary>
[DbContext(typeof(BrokkrDbContext))]
[Migration("20261204220000_FleetViewIndexes")]
public sealed class FleetViewIndexes : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            CREATE INDEX agent_events_agent_newest ON agent_events (agent_id, created_at DESC) WHERE deleted_at IS NULL;
            CREATE INDEX agent_events_object_agent ON agent_events (deployment_object_id, agent_id) WHERE deleted_at IS NULL;
            CREATE INDEX deployment_health_unhealthy ON deployment_health (agent_id, status) WHERE status IN ('failing', 'degraded');
            """);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            DROP INDEX IF EXISTS agent_events_agent_newest;
            DROP INDEX IF EXISTS agent_events_object_agent;
            DROP INDEX IF EXISTS deployment_health_unhealthy;
            """);
    }
}
