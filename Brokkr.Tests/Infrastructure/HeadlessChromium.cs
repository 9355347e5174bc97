using PuppeteerSharp;

namespace Brokkr.Tests.Infrastructure;

/// <summary>
/// The machine's Chromium (never a downloaded one) launched headless for a test class, with a throwaway profile that
/// disposing removes. The flags are those this environment needs: root cannot use Chromium's sandbox, /dev/shm is small
/// in containers, and nothing may reach out to the network on its own.
/// </summary>
public sealed class HeadlessChromium : IAsyncDisposable
{
    private readonly string _profile;

    private HeadlessChromium(IBrowser browser, string profile)
    {
        Browser = browser;
        _profile = profile;
    }

    public IBrowser Browser { get; }

    public static async Task<HeadlessChromium> LaunchAsync()
    {
        var profile = Path.Combine(Path.GetTempPath(), "brokkr-chromium-" + Guid.NewGuid().ToString("N")[..8]);
        var browser = await Puppeteer.LaunchAsync(new LaunchOptions
        {
            ExecutablePath = Operations.RequiredTool.Chromium,
            Headless = true,
            UserDataDir = profile,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"],
        });
        return new HeadlessChromium(browser, profile);
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.CloseAsync();
        await Browser.DisposeAsync();
        if (Directory.Exists(_profile))
        {
            Directory.Delete(_profile, recursive: true);
        }
    }
}
