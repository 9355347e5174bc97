namespace Brokkr.AppHost.Postgres;

/// <summary>The model's PostgreSQL: Aspire's container where one can run, the machine's own binaries otherwise.</summary>
public static class PostgresHostingExtensions
{
    /// <summary>
    /// The server <paramref name="serverName"/> with the database <paramref name="databaseName"/>. Publish mode (and run
    /// mode with <c>AppHost:UseContainers=true</c>, given a container engine): Aspire's <c>AddPostgres</c> container with a
    /// data volume, so the manifest deploys it. Run mode otherwise: an existing server when
    /// <c>ConnectionStrings:&lt;database&gt;</c> is set, else the same shape from the local binaries — a container
    /// resource would make DCP wait for an engine this machine does not have.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddBrokkrPostgres(this IDistributedApplicationBuilder builder,
        [ResourceName] string serverName, [ResourceName] string databaseName)
    {
        if (builder.ExecutionContext.IsPublishMode || builder.Configuration.GetValue("AppHost:UseContainers", false))
        {
            return builder.AddPostgres(serverName).WithDataVolume().AddDatabase(databaseName);
        }

        if (builder.Configuration.GetConnectionString(databaseName) is { Length: > 0 })
        {
            return builder.AddConnectionString(databaseName);
        }

        return builder.AddLocalPostgres(serverName, builder.Directory()).AddDatabase(databaseName);
    }
}
