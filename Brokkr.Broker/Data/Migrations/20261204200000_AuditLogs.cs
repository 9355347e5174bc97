using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Brokkr.Broker.Data.Migrations;

/// <summary>
/// The audit trail: append-only (no updated_at, nothing updates it), indexed for the query API's filters — each
/// newest first — and for retention, which deletes by <c>created_at</c>.
/// </summary>
[DbContext(typeof(BrokkrDbContext))]
[Migration("20261204200000_AuditLogs")]
public sealed class AuditLogsSchema : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            CREATE TABLE audit_logs (
                id uuid PRIMARY KEY,
                timestamp timestamptz NOT NULL DEFAULT now(),
                actor_type varchar(20) NOT NULL
                    CONSTRAINT audit_logs_actor_type CHECK (actor_type IN ('admin', 'agent', 'generator', 'system')),
                actor_id uuid NULL,
                action varchar(100) NOT NULL,
                resource_type varchar(50) NOT NULL,
                resource_id uuid NULL,
                details jsonb NULL,
                ip_address text NULL,
                user_agent text NULL,
                created_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX audit_logs_timestamp ON audit_logs (timestamp DESC, id DESC);
            CREATE INDEX audit_logs_actor ON audit_logs (actor_type, actor_id, timestamp DESC);
            CREATE INDEX audit_logs_resource ON audit_logs (resource_type, resource_id, timestamp DESC);
            CREATE INDEX audit_logs_action ON audit_logs (action, timestamp DESC);
            CREATE INDEX audit_logs_created_at ON audit_logs (created_at);
            """);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("DROP TABLE IF EXISTS audit_logs;");
    }
}
