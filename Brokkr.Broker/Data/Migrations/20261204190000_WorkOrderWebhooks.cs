using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Brokkr.Broker.Data.Migrations;

/// <summary>
/// The <c>workorder.*</c> webhook events, emitted like every other event by triggers through
/// <c>brokkr_webhook_emit</c>, so each delivery is written in the transaction of its change: <c>created</c> on the
/// insert of an order, <c>claimed</c> when its status becomes CLAIMED, and <c>completed</c>/<c>failed</c> on the
/// insert of its log entry — the archive itself, so a retry scheduled after a retryable failure emits nothing.
/// The payloads carry upstream's fields.
/// </summary>
[DbContext(typeof(BrokkrDbContext))]
[Migration("20261204190000_WorkOrderWebhooks")]
public sealed class WorkOrderWebhooksSchema : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            CREATE FUNCTION brokkr_webhook_work_order_event() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'INSERT' THEN
                    PERFORM brokkr_webhook_emit('workorder.created', jsonb_build_object('work_order_id', NEW.id,
                        'work_type', NEW.work_type, 'status', NEW.status, 'created_at', brokkr_utc_text(NEW.created_at)));
                ELSE
                    PERFORM brokkr_webhook_emit('workorder.claimed', jsonb_build_object('work_order_id', NEW.id,
                        'work_type', NEW.work_type, 'agent_id', NEW.claimed_by, 'claimed_at', brokkr_utc_text(NEW.claimed_at)));
                END IF;
                RETURN NULL;
            END $$;
            CREATE TRIGGER webhook_work_order_created AFTER INSERT ON work_orders FOR EACH ROW
                EXECUTE FUNCTION brokkr_webhook_work_order_event();
            CREATE TRIGGER webhook_work_order_claimed AFTER UPDATE OF status ON work_orders FOR EACH ROW
                WHEN (NEW.status = 'CLAIMED' AND OLD.status IS DISTINCT FROM 'CLAIMED') EXECUTE FUNCTION brokkr_webhook_work_order_event();

            CREATE FUNCTION brokkr_webhook_work_order_archived() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM brokkr_webhook_emit(CASE WHEN NEW.success THEN 'workorder.completed' ELSE 'workorder.failed' END,
                    jsonb_build_object('work_order_log_id', NEW.id, 'work_type', NEW.work_type, 'success', NEW.success,
                        'result_message', NEW.result_message, 'agent_id', NEW.claimed_by,
                        'completed_at', brokkr_utc_text(NEW.completed_at)));
                RETURN NULL;
            END $$;
            CREATE TRIGGER webhook_work_order_archived AFTER INSERT ON work_order_log FOR EACH ROW
                EXECUTE FUNCTION brokkr_webhook_work_order_archived();
            """);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            DROP TRIGGER IF EXISTS webhook_work_order_created ON work_orders;
            DROP TRIGGER IF EXISTS webhook_work_order_claimed ON work_orders;
            DROP TRIGGER IF EXISTS webhook_work_order_archived ON work_order_log;
            DROP FUNCTION IF EXISTS brokkr_webhook_work_order_event, brokkr_webhook_work_order_archived;
            """);
    }
}
