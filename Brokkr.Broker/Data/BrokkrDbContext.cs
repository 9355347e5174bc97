using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Brokkr.Broker.Data;

/// <summary>
/// The broker's store. The schema itself (tables, partial unique indexes, constraint names, triggers) is
/// written in SQL by <see cref="Migrations.InitialSchema"/>; this model only maps onto it, which is why every
/// database-maintained column is declared as generated here so EF reads it back after writes.
/// </summary>
public sealed class BrokkrDbContext(DbContextOptions<BrokkrDbContext> options) : DbContext(options)
{
    public DbSet<Generator> Generators => Set<Generator>();
    public DbSet<Agent> Agents => Set<Agent>();
    public DbSet<AgentLabel> AgentLabels => Set<AgentLabel>();
    public DbSet<AgentAnnotation> AgentAnnotations => Set<AgentAnnotation>();
    public DbSet<AgentTarget> AgentTargets => Set<AgentTarget>();
    public DbSet<AgentGeneratorRegistration> AgentGeneratorRegistrations => Set<AgentGeneratorRegistration>();
    public DbSet<AgentEvent> AgentEvents => Set<AgentEvent>();
    public DbSet<Stack> Stacks => Set<Stack>();
    public DbSet<StackLabel> StackLabels => Set<StackLabel>();
    public DbSet<StackAnnotation> StackAnnotations => Set<StackAnnotation>();
    public DbSet<DeploymentObject> DeploymentObjects => Set<DeploymentObject>();
    public DbSet<DeploymentHealth> DeploymentHealth => Set<DeploymentHealth>();
    public DbSet<WorkOrder> WorkOrders => Set<WorkOrder>();
    public DbSet<WorkOrderLog> WorkOrderLog => Set<WorkOrderLog>();
    public DbSet<WorkOrderTarget> WorkOrderTargets => Set<WorkOrderTarget>();
    public DbSet<WorkOrderLabel> WorkOrderLabels => Set<WorkOrderLabel>();
    public DbSet<WorkOrderAnnotation> WorkOrderAnnotations => Set<WorkOrderAnnotation>();
    public DbSet<StackTemplate> StackTemplates => Set<StackTemplate>();
    public DbSet<TemplateLabel> TemplateLabels => Set<TemplateLabel>();
    public DbSet<TemplateAnnotation> TemplateAnnotations => Set<TemplateAnnotation>();
    public DbSet<RenderedDeploymentObject> RenderedDeploymentObjects => Set<RenderedDeploymentObject>();
    public DbSet<AdminRole> AdminRoles => Set<AdminRole>();
    public DbSet<AppInitialization> AppInitializations => Set<AppInitialization>();
    public DbSet<WebhookSubscription> WebhookSubscriptions => Set<WebhookSubscription>();
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();
    public DbSet<DiagnosticRequest> DiagnosticRequests => Set<DiagnosticRequest>();
    public DbSet<DiagnosticResult> DiagnosticResults => Set<DiagnosticResult>();
    public DbSet<AuditLog> AuditLogs => Set<AuditLog>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Generator>().ToTable("generators");
        modelBuilder.Entity<Agent>().ToTable("agents");
        modelBuilder.Entity<AgentLabel>().ToTable("agent_labels");
        modelBuilder.Entity<AgentAnnotation>().ToTable("agent_annotations");
        modelBuilder.Entity<AgentTarget>().ToTable("agent_targets");
        modelBuilder.Entity<AgentGeneratorRegistration>().ToTable("agent_generator_registrations");
        modelBuilder.Entity<AgentEvent>().ToTable("agent_events");
        modelBuilder.Entity<Stack>().ToTable("stacks");
        modelBuilder.Entity<StackLabel>().ToTable("stack_labels");
        modelBuilder.Entity<StackAnnotation>().ToTable("stack_annotations");
        modelBuilder.Entity<DeploymentObject>().ToTable("deployment_objects");
        modelBuilder.Entity<DeploymentHealth>().ToTable("deployment_health");
        modelBuilder.Entity<WorkOrder>().ToTable("work_orders");
        modelBuilder.Entity<WorkOrderLog>().ToTable("work_order_log");
        modelBuilder.Entity<WorkOrderTarget>().ToTable("work_order_targets");
        modelBuilder.Entity<WorkOrderLabel>().ToTable("work_order_labels");
        modelBuilder.Entity<WorkOrderAnnotation>().ToTable("work_order_annotations");
        modelBuilder.Entity<StackTemplate>().ToTable("stack_templates");
        modelBuilder.Entity<TemplateLabel>().ToTable("template_labels");
        modelBuilder.Entity<TemplateAnnotation>().ToTable("template_annotations");
        modelBuilder.Entity<RenderedDeploymentObject>().ToTable("rendered_deployment_objects");
        modelBuilder.Entity<AdminRole>().ToTable("admin_role");
        modelBuilder.Entity<AppInitialization>().ToTable("app_initialization");
        modelBuilder.Entity<WebhookSubscription>().ToTable("webhook_subscriptions").Property(w => w.Filters).HasColumnType("jsonb");
        modelBuilder.Entity<WebhookDelivery>().ToTable("webhook_deliveries");
        modelBuilder.Entity<DiagnosticRequest>().ToTable("diagnostic_requests");
        modelBuilder.Entity<DiagnosticResult>().ToTable("diagnostic_results");
        modelBuilder.Entity<AuditLog>().ToTable("audit_logs").Property(a => a.Details).HasColumnType("jsonb");

        // Relationships are declared (without navigations) so EF orders the inserts of one SaveChanges by them.
        modelBuilder.Entity<Stack>().HasOne<Generator>().WithMany().HasForeignKey(s => s.GeneratorId);
        modelBuilder.Entity<DeploymentObject>().HasOne<Stack>().WithMany().HasForeignKey(d => d.StackId);
        modelBuilder.Entity<AgentLabel>().HasOne<Agent>().WithMany().HasForeignKey(l => l.AgentId);
        modelBuilder.Entity<AgentAnnotation>().HasOne<Agent>().WithMany().HasForeignKey(a => a.AgentId);
        modelBuilder.Entity<AgentTarget>().HasOne<Agent>().WithMany().HasForeignKey(t => t.AgentId);
        modelBuilder.Entity<AgentTarget>().HasOne<Stack>().WithMany().HasForeignKey(t => t.StackId);
        modelBuilder.Entity<AgentGeneratorRegistration>().HasOne<Agent>().WithMany().HasForeignKey(r => r.AgentId);
        modelBuilder.Entity<AgentGeneratorRegistration>().HasOne<Generator>().WithMany().HasForeignKey(r => r.GeneratorId);
        modelBuilder.Entity<AgentEvent>().HasOne<Agent>().WithMany().HasForeignKey(e => e.AgentId);
        modelBuilder.Entity<AgentEvent>().HasOne<DeploymentObject>().WithMany().HasForeignKey(e => e.DeploymentObjectId);
        modelBuilder.Entity<StackLabel>().HasOne<Stack>().WithMany().HasForeignKey(l => l.StackId);
        modelBuilder.Entity<StackAnnotation>().HasOne<Stack>().WithMany().HasForeignKey(a => a.StackId);
        modelBuilder.Entity<DeploymentHealth>().HasOne<Agent>().WithMany().HasForeignKey(h => h.AgentId);
        modelBuilder.Entity<DeploymentHealth>().HasOne<DeploymentObject>().WithMany().HasForeignKey(h => h.DeploymentObjectId);
        modelBuilder.Entity<WebhookDelivery>().HasOne<WebhookSubscription>().WithMany().HasForeignKey(d => d.SubscriptionId);
        modelBuilder.Entity<DiagnosticResult>().HasOne<DiagnosticRequest>().WithMany().HasForeignKey(r => r.RequestId);

        modelBuilder.Entity<WorkOrderTarget>().HasOne<WorkOrder>().WithMany().HasForeignKey(t => t.WorkOrderId);
        modelBuilder.Entity<WorkOrderLabel>().HasOne<WorkOrder>().WithMany().HasForeignKey(l => l.WorkOrderId);
        modelBuilder.Entity<WorkOrderAnnotation>().HasOne<WorkOrder>().WithMany().HasForeignKey(a => a.WorkOrderId);

        modelBuilder.Entity<TemplateLabel>().HasOne<StackTemplate>().WithMany().HasForeignKey(l => l.TemplateId);
        modelBuilder.Entity<TemplateAnnotation>().HasOne<StackTemplate>().WithMany().HasForeignKey(a => a.TemplateId);
        modelBuilder.Entity<RenderedDeploymentObject>().HasOne<DeploymentObject>().WithMany().HasForeignKey(r => r.DeploymentObjectId);
        modelBuilder.Entity<RenderedDeploymentObject>().HasOne<StackTemplate>().WithMany().HasForeignKey(r => r.TemplateId);

        modelBuilder.Entity<DeploymentObject>().Property(d => d.SequenceId).ValueGeneratedOnAdd();
        modelBuilder.Entity<AgentGeneratorRegistration>().Property(r => r.RegisteredAt)
            .HasDefaultValueSql("now()").ValueGeneratedOnAdd();
        modelBuilder.Entity<AppInitialization>().Property(a => a.Id).ValueGeneratedOnAdd();

        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(SnakeCase(property.Name));
                switch (property.Name)
                {
                    case "Id" when property.ClrType == typeof(Guid):
                        property.ValueGenerated = ValueGenerated.Never;
                        break;
                    case "CreatedAt":
                        property.SetDefaultValueSql("now()");
                        property.ValueGenerated = ValueGenerated.OnAdd;
                        break;
                    case "UpdatedAt":
                        // Maintained by the set_updated_at trigger.
                        property.SetDefaultValueSql("now()");
                        property.ValueGenerated = ValueGenerated.OnAddOrUpdate;
                        break;
                }
            }
        }

        // The audit writer stamps created_at itself, so its batched INSERTs read nothing back.
        modelBuilder.Entity<AuditLog>().Property(a => a.CreatedAt).ValueGeneratedNever();
    }

    internal static string SnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c) && i > 0 && !char.IsDigit(name[i - 1]))
            {
                builder.Append('_');
            }
            builder.Append(char.ToLowerInvariant(c));
        }
        return builder.ToString();
    }
}
