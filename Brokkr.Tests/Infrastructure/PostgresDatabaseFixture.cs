namespace Brokkr.Tests.Infrastructure;

/// <summary>
/// A fresh, empty database for one test class (use as <c>IClassFixture&lt;PostgresDatabaseFixture&gt;</c>),
/// created in the run's shared <see cref="PostgresCluster"/> and dropped when the class is done.
/// </summary>
public sealed class PostgresDatabaseFixture : IAsyncLifetime
{
    private PostgresCluster? _cluster;

    public string DatabaseName { get; private set; } = "";

    public string ConnectionString { get; private set; } = "";

    public PostgresCluster Cluster => _cluster ?? throw new InvalidOperationException("fixture not initialised");

    public async Task InitializeAsync()
    {
        _cluster = await PostgresCluster.SharedAsync();
        DatabaseName = await _cluster.CreateDatabaseAsync();
        ConnectionString = _cluster.ConnectionStringFor(DatabaseName);
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null && DatabaseName.Length > 0)
        {
            await _cluster.DropDatabaseAsync(DatabaseName);
        }
    }
}
