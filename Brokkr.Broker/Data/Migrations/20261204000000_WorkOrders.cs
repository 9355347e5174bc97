using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Brokkr.Broker.Data.Migrations;

/// <summary>
/// Work orders: the live queue with its three targeting tables, and the write-once log completed orders move to.
/// The log keeps no foreign key to agents so an audit entry outlives the agent that ran it.
/// </summary>
[DbContext(typeof(BrokkrDbContext))]
[Migration("20261204000000_WorkOrders")]
public sealed class WorkOrdersSchema : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            CREATE TABLE work_orders (
                id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now(),
                work_type varchar(50) NOT NULL,
                yaml_content text NOT NULL,
                status varchar(20) NOT NULL DEFAULT 'PENDING'
                    CONSTRAINT work_orders_status CHECK (status IN ('PENDING', 'CLAIMED', 'RETRY_PENDING')),
                claimed_by uuid NULL CONSTRAINT fk_work_orders_claimed_by REFERENCES agents (id) ON DELETE SET NULL,
                claimed_at timestamptz NULL,
                claim_timeout_seconds integer NOT NULL CONSTRAINT work_orders_claim_timeout CHECK (claim_timeout_seconds > 0),
                max_retries integer NOT NULL CONSTRAINT work_orders_max_retries CHECK (max_retries >= 0),
                retry_count integer NOT NULL DEFAULT 0,
                backoff_seconds integer NOT NULL CONSTRAINT work_orders_backoff CHECK (backoff_seconds > 0),
                next_retry_after timestamptz NULL,
                last_error text NULL,
                last_error_at timestamptz NULL,
                CONSTRAINT work_orders_claim_consistent CHECK ((status = 'CLAIMED') = (claimed_at IS NOT NULL))
            );
            CREATE INDEX work_orders_status_created_at ON work_orders (status, created_at);
            CREATE TRIGGER set_updated_at BEFORE UPDATE ON work_orders FOR EACH ROW EXECUTE FUNCTION brokkr_set_updated_at();

            CREATE TABLE work_order_targets (
                id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                work_order_id uuid NOT NULL CONSTRAINT fk_work_order_targets_work_order REFERENCES work_orders (id) ON DELETE CASCADE,
                agent_id uuid NOT NULL CONSTRAINT fk_work_order_targets_agent REFERENCES agents (id) ON DELETE CASCADE,
                CONSTRAINT work_order_targets_unique UNIQUE (work_order_id, agent_id)
            );
            CREATE INDEX work_order_targets_agent_id ON work_order_targets (agent_id);
            CREATE TABLE work_order_labels (
                id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                work_order_id uuid NOT NULL CONSTRAINT fk_work_order_labels_work_order REFERENCES work_orders (id) ON DELETE CASCADE,
                label varchar(64) NOT NULL,
                CONSTRAINT work_order_labels_unique UNIQUE (work_order_id, label)
            );
            CREATE INDEX work_order_labels_label ON work_order_labels (label);
            CREATE TABLE work_order_annotations (
                id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                work_order_id uuid NOT NULL CONSTRAINT fk_work_order_annotations_work_order REFERENCES work_orders (id) ON DELETE CASCADE,
                key varchar(64) NOT NULL,
                value varchar(64) NOT NULL,
                CONSTRAINT work_order_annotations_unique UNIQUE (work_order_id, key, value)
            );
            CREATE INDEX work_order_annotations_key_value ON work_order_annotations (key, value);

            CREATE TABLE work_order_log (
                id uuid PRIMARY KEY,
                work_type varchar(50) NOT NULL,
                created_at timestamptz NOT NULL,
                claimed_at timestamptz NULL,
                completed_at timestamptz NOT NULL DEFAULT now(),
                claimed_by uuid NULL,
                success boolean NOT NULL,
                retries_attempted integer NOT NULL,
                result_message text NULL,
                yaml_content text NOT NULL
            );
            CREATE INDEX work_order_log_completed_at ON work_order_log (completed_at DESC);
            """);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("DROP TABLE IF EXISTS work_order_log, work_order_annotations, work_order_labels, work_order_targets, work_orders;");
    }
}
