using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Brokkr.Broker.Data.Migrations;

/// <summary>
/// Stack templates: every version is its own row (an update inserts the next version beside the old one), owned by a
/// generator or, with a NULL generator_id, by the system. Labels and annotations belong to one version. A render's
/// provenance (template, version, parameters) sits beside the deployment object it produced.
/// </summary>
[DbContext(typeof(BrokkrDbContext))]
[Migration("20261204000000_StackTemplates")]
public sealed class StackTemplatesSchema : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            CREATE TABLE stack_templates (
                id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now(),
                deleted_at timestamptz NULL,
                generator_id uuid NULL CONSTRAINT fk_stack_templates_generator REFERENCES generators (id) ON DELETE CASCADE,
                name varchar(255) NOT NULL,
                description text NULL,
                version integer NOT NULL CONSTRAINT stack_templates_version_positive CHECK (version >= 1),
                template_content text NOT NULL,
                parameters_schema text NOT NULL,
                checksum varchar(64) NOT NULL,
                CONSTRAINT unique_template_version UNIQUE NULLS NOT DISTINCT (generator_id, name, version)
            );
            CREATE INDEX stack_templates_live_generator ON stack_templates (generator_id) WHERE deleted_at IS NULL;
            CREATE TRIGGER set_updated_at BEFORE UPDATE ON stack_templates FOR EACH ROW EXECUTE FUNCTION brokkr_set_updated_at();

            CREATE TABLE template_labels (
                id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                template_id uuid NOT NULL CONSTRAINT fk_template_labels_template REFERENCES stack_templates (id) ON DELETE CASCADE,
                label varchar(64) NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                CONSTRAINT template_labels_template_id_label_key UNIQUE (template_id, label)
            );

            CREATE TABLE template_annotations (
                id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                template_id uuid NOT NULL CONSTRAINT fk_template_annotations_template REFERENCES stack_templates (id) ON DELETE CASCADE,
                key varchar(64) NOT NULL,
                value varchar(64) NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                CONSTRAINT unique_template_annotation UNIQUE (template_id, key)
            );

            CREATE TABLE rendered_deployment_objects (
                id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                deployment_object_id uuid NOT NULL UNIQUE
                    CONSTRAINT fk_rendered_deployment_object REFERENCES deployment_objects (id) ON DELETE CASCADE,
                template_id uuid NOT NULL CONSTRAINT fk_rendered_template REFERENCES stack_templates (id) ON DELETE CASCADE,
                template_version integer NOT NULL,
                template_parameters text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX rendered_deployment_objects_template ON rendered_deployment_objects (template_id, template_version);

            -- A soft-deleted generator takes its templates with it, as it does its stacks.
            CREATE FUNCTION brokkr_generator_templates_soft_delete() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                UPDATE stack_templates SET deleted_at = NEW.deleted_at WHERE generator_id = NEW.id AND deleted_at IS NULL;
                RETURN NEW;
            END $$;
            CREATE TRIGGER generator_templates_soft_delete AFTER UPDATE OF deleted_at ON generators FOR EACH ROW
                WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL)
                EXECUTE FUNCTION brokkr_generator_templates_soft_delete();
            """);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            DROP TRIGGER IF EXISTS generator_templates_soft_delete ON generators;
            DROP FUNCTION IF EXISTS brokkr_generator_templates_soft_delete();
            DROP TABLE IF EXISTS rendered_deployment_objects, template_annotations, template_labels, stack_templates;
            """);
    }
}
