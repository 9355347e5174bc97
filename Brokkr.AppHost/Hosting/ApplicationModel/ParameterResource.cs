using System.Security.Cryptography;

namespace Brokkr.AppHost.Hosting;

/// <summary>A value supplied at deployment time (<c>parameter.v0</c>); at run time from <c>Parameters:name</c> or generated.</summary>
public sealed class ParameterResource(string name, bool secret, GenerateParameterDefault? generate)
    : Resource(name), IManifestExpressionProvider, IValueProvider
{
    private string? _value;

    public bool Secret { get; } = secret;

    public GenerateParameterDefault? Generate { get; } = generate;

    public string ValueExpression => $"{{{Name}.value}}";

    /// <summary>The run-mode value; set by whoever owns its storage (configuration, a file beside the data).</summary>
    public string Value
    {
        get => _value ?? throw new InvalidOperationException($"parameter '{Name}' has no value yet");
        set => _value = value;
    }

    public bool HasValue => _value is not null;

    public ValueTask<string?> GetValueAsync(CancellationToken cancellationToken) => ValueTask.FromResult<string?>(Value);
}

/// <summary>How a deployment tool generates the parameter (Aspire's <c>GenerateParameterDefault</c>).</summary>
public sealed record GenerateParameterDefault(int MinLength, bool Lower = true, bool Upper = true, bool Numeric = true,
    bool Special = true, int MinLower = 0, int MinUpper = 0, int MinNumeric = 0, int MinSpecial = 0)
{
    private const string Letters = "abcdefghijklmnopqrstuvwxyz";
    private const string Digits = "0123456789";

    /// <summary>
    /// A local value: letters and digits only, whatever the flags allow a deployment tool, because the value is pasted
    /// unquoted into connection strings (<c>Password={postgres-password.value}</c>).
    /// </summary>
    public string GenerateLocalValue() =>
        RandomNumberGenerator.GetString(Letters + Letters.ToUpperInvariant() + Digits, Math.Max(MinLength, 22));
}
