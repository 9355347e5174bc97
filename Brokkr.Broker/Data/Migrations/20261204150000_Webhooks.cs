using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Brokkr.Broker.Data.Migrations;

/// <summary>
/// Webhook subscriptions and their delivery queue. Events are emitted by triggers on the tables whose changes they
/// describe, through the one function <c>brokkr_webhook_emit(event_type, data)</c>: a delivery row is then written
/// in the very transaction of the change — for every writer, the cascading soft-delete triggers included — so a
/// committed change always has its deliveries and a rolled-back one never does. Features added later (work orders)
/// emit their events by calling the same function.
/// <para>
/// The URL and auth header are stored only as AES-256-GCM ciphertext written by the broker (<c>url_encrypted</c>,
/// <c>auth_header_encrypted</c>); nothing in SQL can read them.
/// </para>
/// </summary>
[DbContext(typeof(BrokkrDbContext))]
[Migration("20261204150000_Webhooks")]
public sealed class WebhooksSchema : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql(Schema);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            DROP TRIGGER IF EXISTS webhook_agent_registered ON agents;
            DROP TRIGGER IF EXISTS webhook_agent_deregistered ON agents;
            DROP TRIGGER IF EXISTS webhook_stack_created ON stacks;
            DROP TRIGGER IF EXISTS webhook_stack_deleted ON stacks;
            DROP TRIGGER IF EXISTS webhook_deployment_created ON deployment_objects;
            DROP TRIGGER IF EXISTS webhook_deployment_deleted ON deployment_objects;
            DROP TRIGGER IF EXISTS webhook_deployment_reported ON agent_events;
            DROP FUNCTION IF EXISTS brokkr_webhook_agent_event, brokkr_webhook_deployment_event, brokkr_webhook_stack_event,
                brokkr_webhook_agent_change, brokkr_webhook_emit, brokkr_utc_text;
            DROP TABLE IF EXISTS webhook_deliveries, webhook_subscriptions;
            """);
    }

    private const string Schema = """
        CREATE TABLE webhook_subscriptions (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            name varchar(255) NOT NULL,
            url_encrypted bytea NOT NULL,
            auth_header_encrypted bytea NULL,
            event_types text[] NOT NULL,
            filters jsonb NULL,
            target_labels text[] NULL,
            enabled boolean NOT NULL DEFAULT true,
            max_retries integer NOT NULL DEFAULT 5 CONSTRAINT webhook_max_retries CHECK (max_retries BETWEEN 0 AND 10),
            timeout_seconds integer NOT NULL DEFAULT 30 CONSTRAINT webhook_timeout_seconds CHECK (timeout_seconds BETWEEN 1 AND 300),
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now(),
            created_by varchar(255) NULL
        );
        CREATE TRIGGER set_updated_at BEFORE UPDATE ON webhook_subscriptions FOR EACH ROW EXECUTE FUNCTION brokkr_set_updated_at();

        CREATE TABLE webhook_deliveries (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            subscription_id uuid NOT NULL CONSTRAINT fk_webhook_subscription REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
            event_type varchar(100) NOT NULL,
            event_id uuid NOT NULL,
            payload text NOT NULL,
            target_labels text[] NULL,
            status varchar(20) NOT NULL DEFAULT 'pending'
                CONSTRAINT webhook_delivery_status CHECK (status IN ('pending', 'acquired', 'success', 'failed', 'dead')),
            acquired_by uuid NULL CONSTRAINT fk_webhook_delivery_agent REFERENCES agents (id) ON DELETE SET NULL,
            acquired_until timestamptz NULL,
            attempts integer NOT NULL DEFAULT 0,
            last_attempt_at timestamptz NULL,
            next_retry_at timestamptz NULL,
            last_error text NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            completed_at timestamptz NULL
        );
        -- What a delivery worker or an agent may claim: the open rows, oldest first.
        CREATE INDEX webhook_deliveries_open ON webhook_deliveries (created_at) WHERE status IN ('pending', 'failed', 'acquired');
        CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries (subscription_id, created_at DESC);

        CREATE FUNCTION brokkr_utc_text(t timestamptz) RETURNS text LANGUAGE sql IMMUTABLE AS $$
            SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
        $$;

        -- The one place events become deliveries: one row per enabled subscription whose event pattern and filters
        -- match. A filter on a field the event does not carry (or carries as null) never matches.
        CREATE FUNCTION brokkr_webhook_emit(p_event_type text, p_data jsonb) RETURNS void LANGUAGE plpgsql AS $$
        DECLARE
            v_event_id uuid := gen_random_uuid();
        BEGIN
            INSERT INTO webhook_deliveries (subscription_id, event_type, event_id, payload, target_labels)
            SELECT s.id, p_event_type, v_event_id,
                   jsonb_build_object('id', v_event_id, 'event_type', p_event_type, 'timestamp', brokkr_utc_text(now()),
                                      'data', p_data)::text,
                   NULLIF(s.target_labels, '{}')
            FROM webhook_subscriptions s
            WHERE s.enabled
              AND (p_event_type = ANY (s.event_types) OR '*' = ANY (s.event_types)
                   OR split_part(p_event_type, '.', 1) || '.*' = ANY (s.event_types))
              AND (s.filters->>'agent_id' IS NULL OR s.filters->>'agent_id' = p_data->>'agent_id')
              AND (s.filters->>'stack_id' IS NULL OR s.filters->>'stack_id' = p_data->>'stack_id');
        END $$;

        CREATE FUNCTION brokkr_webhook_agent_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                PERFORM brokkr_webhook_emit('agent.registered', jsonb_build_object('agent_id', NEW.id, 'name', NEW.name,
                    'cluster_name', NEW.cluster_name, 'status', NEW.status, 'created_at', brokkr_utc_text(NEW.created_at)));
            ELSE
                PERFORM brokkr_webhook_emit('agent.deregistered',
                    jsonb_build_object('agent_id', NEW.id, 'deleted_at', brokkr_utc_text(NEW.deleted_at)));
            END IF;
            RETURN NULL;
        END $$;
        CREATE TRIGGER webhook_agent_registered AFTER INSERT ON agents FOR EACH ROW
            WHEN (NEW.deleted_at IS NULL) EXECUTE FUNCTION brokkr_webhook_agent_change();
        CREATE TRIGGER webhook_agent_deregistered AFTER UPDATE OF deleted_at ON agents FOR EACH ROW
            WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL) EXECUTE FUNCTION brokkr_webhook_agent_change();

        CREATE FUNCTION brokkr_webhook_stack_event() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                PERFORM brokkr_webhook_emit('stack.created', jsonb_build_object('stack_id', NEW.id, 'name', NEW.name,
                    'description', NEW.description, 'created_at', brokkr_utc_text(NEW.created_at)));
            ELSE
                PERFORM brokkr_webhook_emit('stack.deleted',
                    jsonb_build_object('stack_id', NEW.id, 'deleted_at', brokkr_utc_text(NEW.deleted_at)));
            END IF;
            RETURN NULL;
        END $$;
        CREATE TRIGGER webhook_stack_created AFTER INSERT ON stacks FOR EACH ROW
            WHEN (NEW.deleted_at IS NULL) EXECUTE FUNCTION brokkr_webhook_stack_event();
        CREATE TRIGGER webhook_stack_deleted AFTER UPDATE OF deleted_at ON stacks FOR EACH ROW
            WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL) EXECUTE FUNCTION brokkr_webhook_stack_event();

        -- Deletion markers are bookkeeping of a stack's deletion (stack.deleted says it), not deployments.
        CREATE FUNCTION brokkr_webhook_deployment_event() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                PERFORM brokkr_webhook_emit('deployment.created', jsonb_build_object('deployment_object_id', NEW.id,
                    'stack_id', NEW.stack_id, 'sequence_id', NEW.sequence_id, 'created_at', brokkr_utc_text(NEW.created_at)));
            ELSE
                PERFORM brokkr_webhook_emit('deployment.deleted', jsonb_build_object('deployment_object_id', NEW.id,
                    'stack_id', NEW.stack_id, 'deleted_at', brokkr_utc_text(NEW.deleted_at)));
            END IF;
            RETURN NULL;
        END $$;
        CREATE TRIGGER webhook_deployment_created AFTER INSERT ON deployment_objects FOR EACH ROW
            WHEN (NOT NEW.is_deletion_marker) EXECUTE FUNCTION brokkr_webhook_deployment_event();
        CREATE TRIGGER webhook_deployment_deleted AFTER UPDATE OF deleted_at ON deployment_objects FOR EACH ROW
            WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL AND NOT NEW.is_deletion_marker)
            EXECUTE FUNCTION brokkr_webhook_deployment_event();

        -- An agent's report on a deployment object: applied on SUCCESS, failed on FAILURE. stack_id is null when
        -- the object has been soft-deleted since.
        CREATE FUNCTION brokkr_webhook_agent_event() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM brokkr_webhook_emit(CASE WHEN NEW.status = 'SUCCESS' THEN 'deployment.applied' ELSE 'deployment.failed' END,
                jsonb_build_object('agent_event_id', NEW.id, 'agent_id', NEW.agent_id,
                    'deployment_object_id', NEW.deployment_object_id,
                    'stack_id', (SELECT d.stack_id FROM deployment_objects d WHERE d.id = NEW.deployment_object_id AND d.deleted_at IS NULL),
                    'event_type', NEW.event_type, 'status', NEW.status, 'message', NEW.message,
                    'created_at', brokkr_utc_text(NEW.created_at)));
            RETURN NULL;
        END $$;
        CREATE TRIGGER webhook_deployment_reported AFTER INSERT ON agent_events FOR EACH ROW
            EXECUTE FUNCTION brokkr_webhook_agent_event();
        """;
}
