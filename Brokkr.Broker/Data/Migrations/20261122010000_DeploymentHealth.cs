using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Brokkr.Broker.Data.Migrations;

/// <summary>
/// Spec §1.10: one health row per (agent, deployment object), the status CHECK-constrained to the four verdicts.
/// Both foreign keys cascade so hard deletes of agents or objects take their health with them.
/// </summary>
[DbContext(typeof(BrokkrDbContext))]
[Migration("20261122010000_DeploymentHealth")]
public sealed class DeploymentHealthSchema : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            CREATE TABLE deployment_health (
                id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                agent_id uuid NOT NULL CONSTRAINT fk_agent REFERENCES agents (id) ON DELETE CASCADE,
                deployment_object_id uuid NOT NULL
                    CONSTRAINT fk_deployment_object REFERENCES deployment_objects (id) ON DELETE CASCADE,
                status varchar(20) NOT NULL
                    CONSTRAINT deployment_health_status CHECK (status IN ('healthy', 'degraded', 'failing', 'unknown')),
                summary text NULL,
                checked_at timestamptz NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now(),
                CONSTRAINT unique_agent_deployment_health UNIQUE (agent_id, deployment_object_id)
            );
            CREATE INDEX deployment_health_deployment_object_id ON deployment_health (deployment_object_id);
            CREATE TRIGGER set_updated_at BEFORE UPDATE ON deployment_health FOR EACH ROW EXECUTE FUNCTION brokkr_set_updated_at();
            """);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("DROP TABLE IF EXISTS deployment_health;");
    }
}
