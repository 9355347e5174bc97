namespace Brokkr.AppHost.Hosting;

/// <summary>A PostgreSQL server (Aspire's <c>PostgresServerResource</c>): the <c>postgres</c> image with a generated password.</summary>
public sealed class PostgresServerResource(string name, ParameterResource password)
    : ContainerResource(name, PostgresImage.Name, PostgresImage.Tag), IResourceWithConnectionString
{
    public const string UserName = "postgres";
    public const string EndpointName = "tcp";

    public ParameterResource PasswordParameter { get; } = password;

    public List<PostgresDatabaseResource> Databases { get; } = [];

    public EndpointReference PrimaryEndpoint => new(this, EndpointName);

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Host={PrimaryEndpoint.Property(EndpointProperty.Host)};Port={PrimaryEndpoint.Property(EndpointProperty.Port)};Username={UserName};Password={PasswordParameter}");
}

/// <summary>A database on a <see cref="PostgresServerResource"/>, created by the AppHost once the server is up.</summary>
public sealed class PostgresDatabaseResource(string name, string databaseName, PostgresServerResource parent)
    : Resource(name), IResourceWithConnectionString, IResourceWithParent<PostgresServerResource>, IResourceWithWaitSupport
{
    public string DatabaseName { get; } = databaseName;

    public PostgresServerResource Parent { get; } = parent;

    /// <summary>Run mode with <c>ConnectionStrings__name</c> given: an existing server is used instead of the local one.</summary>
    public string? ExistingConnectionString { get; set; }

    public ReferenceExpression ConnectionStringExpression => ExistingConnectionString is { } existing
        ? ReferenceExpression.Create($"{existing}")
        : ReferenceExpression.Create($"{Parent};Database={DatabaseName}");
}

public static class PostgresImage
{
    public const string Name = "docker.io/library/postgres";
    public const string Tag = "17.6";
}
