namespace Brokkr.AppHost.Hosting;

/// <summary>
/// Lets a test run the AppHost's entry point to get its builder (the role Aspire.Hosting.Testing's diagnostic listener
/// plays): while a capture is current, <see cref="DistributedApplication.CreateBuilder"/> adds the capture's arguments and
/// hands the builder over, and <see cref="DistributedApplication.Run"/> returns without starting anything.
/// </summary>
public sealed class DistributedApplicationCapture(string[] args)
{
    private static readonly AsyncLocal<DistributedApplicationCapture?> CurrentCapture = new();

    public string[] Args { get; } = args;

    public IDistributedApplicationBuilder? Builder { get; private set; }

    internal static DistributedApplicationCapture? Current => CurrentCapture.Value;

    /// <summary>Runs <paramref name="entryPoint"/> with this capture current and returns the builder it created.</summary>
    public IDistributedApplicationBuilder Run(Action entryPoint)
    {
        CurrentCapture.Value = this;
        try
        {
            entryPoint();
        }
        finally
        {
            CurrentCapture.Value = null;
        }

        return Builder ?? throw new InvalidOperationException("the entry point did not call DistributedApplication.CreateBuilder");
    }

    internal void Captured(IDistributedApplicationBuilder builder) => Builder = builder;
}
