using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Brokkr.Broker.Data.Migrations;

/// <summary>
/// Issue 21: which agents hold a WebSocket channel, across replicas. Each broker process is a row of
/// <c>broker_replicas</c> whose lease (<c>expires_at</c>) it renews; each open channel is a row of
/// <c>agent_channel_presence</c> under the replica holding it. A presence row counts only while its replica's lease is
/// current, so a replica that dies without cleaning up stops counting when its lease runs out, and the next live
/// replica's sweep deletes its rows (by the cascade).
/// </summary>
[DbContext(typeof(BrokkrDbContext))]
[Migration("20261204220100_ChannelPresence")]
public sealed class ChannelPresenceSchema : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            CREATE TABLE broker_replicas (
                id uuid PRIMARY KEY,
                started_at timestamptz NOT NULL DEFAULT now(),
                expires_at timestamptz NOT NULL
            );
            CREATE TABLE agent_channel_presence (
                agent_id uuid NOT NULL CONSTRAINT fk_presence_agent REFERENCES agents (id) ON DELETE CASCADE,
                replica_id uuid NOT NULL CONSTRAINT fk_presence_replica REFERENCES broker_replicas (id) ON DELETE CASCADE,
                connected_at timestamptz NOT NULL,
                PRIMARY KEY (agent_id, replica_id)
            );
            CREATE INDEX agent_channel_presence_replica ON agent_channel_presence (replica_id);
            """);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("DROP TABLE IF EXISTS agent_channel_presence; DROP TABLE IF EXISTS broker_replicas;");
    }
}
