using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Brokkr.Broker.Data.Migrations;

/// <summary>
/// The stack telemetry buffers (upstream's <c>agent_k8s_events</c> and <c>agent_pod_logs</c>): Kubernetes events and
/// pod log lines streamed by agents over the channel, kept at most six hours. <c>created_at</c> is the broker's
/// ingestion time, never the agent's, so a frame dated in the past cannot outlive the window; reads and retention both
/// go by it. Append-only, written in batches by COPY; a batch shares one <c>created_at</c> (its transaction's), which
/// is how the live tail finds a batch's rows again on every replica.
/// </summary>
[DbContext(typeof(BrokkrDbContext))]
[Migration("20261204220000_StackTelemetry")]
public sealed class StackTelemetrySchema : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            CREATE TABLE agent_k8s_events (
                id uuid PRIMARY KEY,
                agent_id uuid NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
                stack_id uuid NOT NULL REFERENCES stacks(id) ON DELETE CASCADE,
                observed_at timestamptz NOT NULL,
                reason text NOT NULL,
                message text NOT NULL,
                event_type text NOT NULL,
                source text NULL,
                involved_object jsonb NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX agent_k8s_events_stack_created ON agent_k8s_events (stack_id, created_at DESC, id DESC);
            CREATE INDEX agent_k8s_events_created ON agent_k8s_events (created_at);

            CREATE TABLE agent_pod_logs (
                id uuid PRIMARY KEY,
                agent_id uuid NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
                stack_id uuid NOT NULL REFERENCES stacks(id) ON DELETE CASCADE,
                namespace text NOT NULL,
                pod text NOT NULL,
                container text NOT NULL,
                ts timestamptz NOT NULL,
                line text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX agent_pod_logs_stack_created ON agent_pod_logs (stack_id, created_at DESC, id DESC);
            CREATE INDEX agent_pod_logs_created ON agent_pod_logs (created_at);
            """);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("DROP TABLE IF EXISTS agent_pod_logs; DROP TABLE IF EXISTS agent_k8s_events;");
    }
}
