using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Brokkr.Broker.Data.Migrations;

/// <summary>
/// Every write that can change what an agent should run notifies <c>brokkr_agent_changes</c> with
/// <c>stack:&lt;id&gt;</c>, <c>agent:&lt;id&gt;</c> or <c>work_order:&lt;id&gt;</c>. Triggers rather than calls in each
/// endpoint, so no write path (API, templates, cascades) can forget; PostgreSQL sends the notification at commit only,
/// folds identical ones of one transaction into one, and drops those of a rollback.
/// </summary>
[DbContext(typeof(BrokkrDbContext))]
[Migration("20261204210000_AgentChangeNotifications")]
public sealed class AgentChangeNotifications : Migration
{
    // (table, kind, id column, events)
    private static readonly (string Table, string Kind, string Column, string Events)[] Sources =
    [
        ("deployment_objects", "stack", "stack_id", "INSERT OR UPDATE OR DELETE"),
        ("stacks", "stack", "id", "UPDATE OR DELETE"),
        ("stack_labels", "stack", "stack_id", "INSERT OR UPDATE OR DELETE"),
        ("stack_annotations", "stack", "stack_id", "INSERT OR UPDATE OR DELETE"),
        ("agent_targets", "agent", "agent_id", "INSERT OR UPDATE OR DELETE"),
        ("agent_labels", "agent", "agent_id", "INSERT OR UPDATE OR DELETE"),
        ("agent_annotations", "agent", "agent_id", "INSERT OR UPDATE OR DELETE"),
        ("agent_generator_registrations", "agent", "agent_id", "INSERT OR UPDATE OR DELETE"),
        ("work_orders", "work_order", "id", "INSERT"),
        ("work_order_targets", "work_order", "work_order_id", "INSERT"),
        ("work_order_labels", "work_order", "work_order_id", "INSERT"),
        ("work_order_annotations", "work_order", "work_order_id", "INSERT"),
    ];

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            CREATE FUNCTION brokkr_notify_agent_change() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE
                changed jsonb := to_jsonb(CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END);
            BEGIN
                PERFORM pg_notify('brokkr_agent_changes', TG_ARGV[0] || ':' || (changed ->> TG_ARGV[1]));
                RETURN NULL;
            END $$;
            """);
        foreach (var (table, kind, column, events) in Sources)
        {
            migrationBuilder.Sql($"""
                CREATE TRIGGER notify_agent_change AFTER {events} ON {table}
                FOR EACH ROW EXECUTE FUNCTION brokkr_notify_agent_change('{kind}', '{column}');
                """);
        }
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        foreach (var (table, _, _, _) in Sources)
        {
            migrationBuilder.Sql($"DROP TRIGGER IF EXISTS notify_agent_change ON {table};");
        }
        migrationBuilder.Sql("DROP FUNCTION IF EXISTS brokkr_notify_agent_change();");
    }
}
