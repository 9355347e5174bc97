namespace Brokkr.AppHost.Hosting;

/// <summary>Something a manifest refers to by expression, e.g. <c>{postgres.connectionString}</c>.</summary>
public interface IManifestExpressionProvider
{
    string ValueExpression { get; }
}

/// <summary>Something whose run-mode value is known once the resources it depends on have started.</summary>
public interface IValueProvider
{
    ValueTask<string?> GetValueAsync(CancellationToken cancellationToken = default);
}
