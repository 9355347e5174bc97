using System.Security.Cryptography;
using System.Text;

namespace Brokkr.AppHost.Hosting;

public static class PostgresBuilderExtensions
{
    public static IResourceBuilder<PostgresServerResource> AddPostgres(this IDistributedApplicationBuilder builder, string name)
    {
        var password = new ParameterResource($"{name}-password", secret: true, new GenerateParameterDefault(MinLength: 22));
        var server = new PostgresServerResource(name, password);
        return builder.AddResource(server)
            .WithEndpoint(PostgresServerResource.EndpointName, "tcp", "tcp", targetPort: 5432)
            .WithEnvironment(context =>
            {
                var env = context.EnvironmentVariables;
                env["POSTGRES_HOST_AUTH_METHOD"] = "scram-sha-256";
                env["POSTGRES_INITDB_ARGS"] = "--auth-host=scram-sha-256 --auth-local=scram-sha-256";
                env["POSTGRES_USER"] = PostgresServerResource.UserName;
                env["POSTGRES_PASSWORD"] = server.PasswordParameter;
            });
    }

    /// <summary>
    /// Keeps the data across restarts: a named volume when deployed; in run mode the cluster lives under the
    /// AppHost's data folder either way.
    /// </summary>
    public static IResourceBuilder<PostgresServerResource> WithDataVolume(this IResourceBuilder<PostgresServerResource> builder) =>
        builder.WithVolume(VolumeName(builder.ApplicationBuilder, builder.Resource, "data"), "/var/lib/postgresql/data");

    public static IResourceBuilder<PostgresDatabaseResource> AddDatabase(this IResourceBuilder<PostgresServerResource> builder, string name,
        string? databaseName = null)
    {
        var database = new PostgresDatabaseResource(name, databaseName ?? name, builder.Resource);
        if (builder.ApplicationBuilder.ExecutionContext.IsRunMode &&
            builder.ApplicationBuilder.Configuration[$"ConnectionStrings:{name}"] is { Length: > 0 } existing)
        {
            database.ExistingConnectionString = existing;
        }

        builder.Resource.Databases.Add(database);
        return builder.ApplicationBuilder.AddResource(database);
    }

    /// <summary>Aspire's <c>VolumeNameGenerator</c>: <c>{app}-{sha256(AppHost project file name)[..10]}-{resource}-{suffix}</c>.</summary>
    private static string VolumeName(IDistributedApplicationBuilder builder, IResource resource, string suffix)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(builder.ApplicationName + ".csproj")))[..10];
        return $"{builder.ApplicationName.ToLowerInvariant()}-{hash}-{resource.Name}-{suffix}";
    }
}
