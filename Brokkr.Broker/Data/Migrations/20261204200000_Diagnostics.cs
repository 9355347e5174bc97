using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Brokkr.Broker.Data.Migrations;

/// <summary>
/// On-demand diagnostics: requests (one target agent each) and at most one result per request. The status check and
/// the timestamps' consistency are the database's, so no code path can store a half-made state.
/// </summary>
[DbContext(typeof(BrokkrDbContext))]
[Migration("20261204200000_Diagnostics")]
public sealed class DiagnosticsSchema : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            CREATE TABLE diagnostic_requests (
                id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                agent_id uuid NOT NULL CONSTRAINT fk_diagnostic_requests_agent REFERENCES agents (id) ON DELETE CASCADE,
                deployment_object_id uuid NOT NULL
                    CONSTRAINT fk_diagnostic_requests_deployment_object REFERENCES deployment_objects (id) ON DELETE CASCADE,
                status varchar(20) NOT NULL DEFAULT 'pending'
                    CONSTRAINT diagnostic_requests_status CHECK (status IN ('pending', 'claimed', 'completed', 'failed', 'expired')),
                requested_by varchar(255) NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                claimed_at timestamptz NULL,
                completed_at timestamptz NULL,
                expires_at timestamptz NOT NULL,
                CONSTRAINT diagnostic_requests_claimed_at CHECK (status IN ('pending', 'expired') OR claimed_at IS NOT NULL),
                CONSTRAINT diagnostic_requests_completed_at CHECK ((status IN ('pending', 'claimed')) = (completed_at IS NULL))
            );
            CREATE INDEX diagnostic_requests_agent_pending ON diagnostic_requests (agent_id, created_at) WHERE status = 'pending';
            CREATE INDEX diagnostic_requests_open_expires_at ON diagnostic_requests (expires_at) WHERE status IN ('pending', 'claimed');
            CREATE INDEX diagnostic_requests_deployment_object ON diagnostic_requests (deployment_object_id);

            CREATE TABLE diagnostic_results (
                id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                request_id uuid NOT NULL CONSTRAINT fk_diagnostic_results_request REFERENCES diagnostic_requests (id) ON DELETE CASCADE
                    CONSTRAINT diagnostic_results_one_per_request UNIQUE,
                pod_statuses text NOT NULL,
                events text NOT NULL,
                log_tails text NULL,
                collected_at timestamptz NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now()
            );
            """);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("DROP TABLE IF EXISTS diagnostic_results, diagnostic_requests;");
    }
}
