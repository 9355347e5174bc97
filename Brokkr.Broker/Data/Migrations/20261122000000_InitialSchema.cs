using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Brokkr.Broker.Data.Migrations;

/// <summary>
/// The v1 core schema, hand-written (no EF design-time tooling on our build machines).
/// <para>
/// Where the spec's "trigger" behaviours live — all of them in SQL, so they hold for every writer and inside the
/// writer's own transaction, which keeps racing requests consistent without application locks:
/// <list type="bullet">
/// <item><c>updated_at</c> refresh on every update — trigger <c>set_updated_at</c> on every table with the column.</item>
/// <item>generator soft delete → soft-deletes its stacks, then every still-live DO of them — <c>generator_soft_delete</c>.</item>
/// <item>stack soft delete → soft-deletes its DOs and inserts the deletion marker — <c>stack_soft_delete</c>.</item>
/// <item>agent soft delete → soft-deletes its events — <c>agent_soft_delete</c>.</item>
/// <item>deployment objects are immutable except for soft delete — <c>deployment_object_immutable</c>.</item>
/// <item><c>admin_role</c> rows cannot be deleted — <c>admin_role_no_delete</c>.</item>
/// <item>hard-delete cascades (targets, labels, annotations, registrations, events, DOs) — <c>ON DELETE CASCADE</c>.</item>
/// </list>
/// "Unique among live rows" is a partial unique index carrying the spec's constraint name, so a racing insert
/// fails with that name and maps to a 409.
/// </para>
/// </summary>
[DbContext(typeof(BrokkrDbContext))]
[Migration("20261122000000_InitialSchema")]
public sealed class InitialSchema : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql(Schema);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            DROP TABLE IF EXISTS agent_events, agent_targets, agent_labels, agent_annotations,
                agent_generator_registrations, stack_labels, stack_annotations, deployment_objects, stacks, agents,
                generators, admin_role, app_initialization CASCADE;
            DROP FUNCTION IF EXISTS brokkr_set_updated_at, brokkr_generator_soft_delete, brokkr_stack_soft_delete,
                brokkr_agent_soft_delete, brokkr_deployment_object_immutable, brokkr_admin_role_no_delete;
            """);
    }

    private const string Schema = """
        CREATE FUNCTION brokkr_set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            NEW.updated_at := now();
            RETURN NEW;
        END $$;

        CREATE TABLE generators (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now(),
            deleted_at timestamptz NULL,
            name varchar(255) NOT NULL,
            description text NULL,
            pak_hash text NULL,
            last_active_at timestamptz NULL,
            is_active boolean NOT NULL DEFAULT true,
            is_system boolean NOT NULL DEFAULT false
        );
        CREATE UNIQUE INDEX unique_generator_name ON generators (name) WHERE deleted_at IS NULL;
        CREATE INDEX generators_pak_hash ON generators (pak_hash) WHERE deleted_at IS NULL;

        CREATE TABLE agents (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now(),
            deleted_at timestamptz NULL,
            name varchar(255) NOT NULL,
            cluster_name varchar(255) NOT NULL,
            pak_hash text NOT NULL DEFAULT '',
            last_heartbeat timestamptz NULL,
            status varchar(50) NOT NULL DEFAULT 'INACTIVE',
            k8s_reachable boolean NULL,
            k8s_api_latency_ms integer NULL,
            k8s_reported_at timestamptz NULL
        );
        CREATE UNIQUE INDEX unique_agent_cluster ON agents (name, cluster_name) WHERE deleted_at IS NULL;
        CREATE INDEX agents_pak_hash ON agents (pak_hash) WHERE deleted_at IS NULL;

        CREATE TABLE stacks (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now(),
            deleted_at timestamptz NULL,
            name varchar(255) NOT NULL,
            description text NULL,
            generator_id uuid NOT NULL CONSTRAINT fk_generator REFERENCES generators (id)
        );
        CREATE UNIQUE INDEX unique_stack_name ON stacks (name) WHERE deleted_at IS NULL;
        CREATE INDEX stacks_generator_id ON stacks (generator_id);

        CREATE TABLE deployment_objects (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now(),
            deleted_at timestamptz NULL,
            sequence_id bigserial NOT NULL UNIQUE,
            stack_id uuid NOT NULL CONSTRAINT fk_stack REFERENCES stacks (id) ON DELETE CASCADE,
            yaml_content text NOT NULL,
            yaml_checksum text NOT NULL,
            submitted_at timestamptz NOT NULL DEFAULT now(),
            is_deletion_marker boolean NOT NULL DEFAULT false
        );
        CREATE INDEX deployment_objects_latest ON deployment_objects (stack_id, sequence_id DESC) WHERE deleted_at IS NULL;

        CREATE TABLE agent_labels (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            agent_id uuid NOT NULL CONSTRAINT fk_agent_labels_agent REFERENCES agents (id) ON DELETE CASCADE,
            label varchar(64) NOT NULL,
            CONSTRAINT agent_labels_agent_id_label_key UNIQUE (agent_id, label)
        );
        CREATE INDEX agent_labels_label ON agent_labels (label);

        CREATE TABLE agent_annotations (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            agent_id uuid NOT NULL CONSTRAINT fk_agent_annotations_agent REFERENCES agents (id) ON DELETE CASCADE,
            key varchar(64) NOT NULL,
            value varchar(64) NOT NULL,
            CONSTRAINT agent_annotations_agent_id_key_key UNIQUE (agent_id, key)
        );

        CREATE TABLE agent_targets (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            agent_id uuid NOT NULL CONSTRAINT fk_agent REFERENCES agents (id) ON DELETE CASCADE,
            stack_id uuid NOT NULL CONSTRAINT fk_stack REFERENCES stacks (id) ON DELETE CASCADE,
            CONSTRAINT unique_agent_stack UNIQUE (agent_id, stack_id)
        );
        CREATE INDEX agent_targets_stack_id ON agent_targets (stack_id);

        CREATE TABLE agent_generator_registrations (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            agent_id uuid NOT NULL CONSTRAINT fk_agent REFERENCES agents (id) ON DELETE CASCADE,
            generator_id uuid NOT NULL CONSTRAINT fk_generator REFERENCES generators (id) ON DELETE CASCADE,
            registered_at timestamptz NOT NULL DEFAULT now(),
            CONSTRAINT unique_agent_generator UNIQUE (agent_id, generator_id)
        );
        CREATE INDEX agent_generator_registrations_generator_id ON agent_generator_registrations (generator_id);

        CREATE TABLE agent_events (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now(),
            deleted_at timestamptz NULL,
            agent_id uuid NOT NULL CONSTRAINT fk_agent REFERENCES agents (id) ON DELETE CASCADE,
            deployment_object_id uuid NOT NULL CONSTRAINT fk_deployment_object REFERENCES deployment_objects (id) ON DELETE CASCADE,
            event_type varchar(50) NOT NULL,
            status varchar(10) NOT NULL,
            message text NULL
        );
        CREATE INDEX agent_events_agent_object ON agent_events (agent_id, deployment_object_id) WHERE deleted_at IS NULL;
        CREATE INDEX agent_events_created_at ON agent_events (created_at);

        CREATE TABLE stack_labels (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            stack_id uuid NOT NULL CONSTRAINT fk_stack_labels_stack REFERENCES stacks (id) ON DELETE CASCADE,
            label varchar(64) NOT NULL,
            CONSTRAINT stack_labels_stack_id_label_key UNIQUE (stack_id, label)
        );
        CREATE INDEX stack_labels_label ON stack_labels (label);

        CREATE TABLE stack_annotations (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            stack_id uuid NOT NULL CONSTRAINT fk_stack_annotations_stack REFERENCES stacks (id) ON DELETE CASCADE,
            key varchar(64) NOT NULL,
            value varchar(64) NOT NULL,
            CONSTRAINT unique_stack_annotation UNIQUE (stack_id, key)
        );
        CREATE INDEX stack_annotations_key_value ON stack_annotations (key, value);

        CREATE TABLE admin_role (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now(),
            pak_hash text NOT NULL
        );

        CREATE TABLE app_initialization (
            id serial PRIMARY KEY,
            initialized_at timestamptz NOT NULL DEFAULT now()
        );

        CREATE TRIGGER set_updated_at BEFORE UPDATE ON generators FOR EACH ROW EXECUTE FUNCTION brokkr_set_updated_at();
        CREATE TRIGGER set_updated_at BEFORE UPDATE ON agents FOR EACH ROW EXECUTE FUNCTION brokkr_set_updated_at();
        CREATE TRIGGER set_updated_at BEFORE UPDATE ON stacks FOR EACH ROW EXECUTE FUNCTION brokkr_set_updated_at();
        CREATE TRIGGER set_updated_at BEFORE UPDATE ON deployment_objects FOR EACH ROW EXECUTE FUNCTION brokkr_set_updated_at();
        CREATE TRIGGER set_updated_at BEFORE UPDATE ON agent_events FOR EACH ROW EXECUTE FUNCTION brokkr_set_updated_at();
        CREATE TRIGGER set_updated_at BEFORE UPDATE ON admin_role FOR EACH ROW EXECUTE FUNCTION brokkr_set_updated_at();

        CREATE FUNCTION brokkr_stack_soft_delete() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE deployment_objects SET deleted_at = NEW.deleted_at WHERE stack_id = NEW.id AND deleted_at IS NULL;
            INSERT INTO deployment_objects (stack_id, yaml_content, yaml_checksum, submitted_at, is_deletion_marker)
            VALUES (NEW.id, '', md5(''), NEW.deleted_at, true);
            RETURN NEW;
        END $$;
        CREATE TRIGGER stack_soft_delete AFTER UPDATE OF deleted_at ON stacks FOR EACH ROW
            WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL) EXECUTE FUNCTION brokkr_stack_soft_delete();

        CREATE FUNCTION brokkr_generator_soft_delete() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE stacks SET deleted_at = NEW.deleted_at WHERE generator_id = NEW.id AND deleted_at IS NULL;
            UPDATE deployment_objects SET deleted_at = NEW.deleted_at
            WHERE deleted_at IS NULL AND stack_id IN (SELECT id FROM stacks WHERE generator_id = NEW.id);
            RETURN NEW;
        END $$;
        CREATE TRIGGER generator_soft_delete AFTER UPDATE OF deleted_at ON generators FOR EACH ROW
            WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL) EXECUTE FUNCTION brokkr_generator_soft_delete();

        CREATE FUNCTION brokkr_agent_soft_delete() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE agent_events SET deleted_at = NEW.deleted_at WHERE agent_id = NEW.id AND deleted_at IS NULL;
            RETURN NEW;
        END $$;
        CREATE TRIGGER agent_soft_delete AFTER UPDATE OF deleted_at ON agents FOR EACH ROW
            WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL) EXECUTE FUNCTION brokkr_agent_soft_delete();

        CREATE FUNCTION brokkr_deployment_object_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF OLD.is_deletion_marker
               OR (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL
                   AND NEW.yaml_content = OLD.yaml_content AND NEW.yaml_checksum = OLD.yaml_checksum
                   AND NEW.stack_id = OLD.stack_id AND NEW.sequence_id = OLD.sequence_id
                   AND NEW.is_deletion_marker = OLD.is_deletion_marker AND NEW.submitted_at = OLD.submitted_at) THEN
                RETURN NEW;
            END IF;
            RAISE EXCEPTION 'deployment objects are immutable' USING ERRCODE = 'check_violation',
                CONSTRAINT = 'deployment_object_immutable';
        END $$;
        CREATE TRIGGER deployment_object_immutable BEFORE UPDATE ON deployment_objects FOR EACH ROW
            EXECUTE FUNCTION brokkr_deployment_object_immutable();

        CREATE FUNCTION brokkr_admin_role_no_delete() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'the admin role cannot be deleted' USING ERRCODE = 'check_violation';
        END $$;
        CREATE TRIGGER admin_role_no_delete BEFORE DELETE ON admin_role FOR EACH ROW
            EXECUTE FUNCTION brokkr_admin_role_no_delete();
        """;
}
